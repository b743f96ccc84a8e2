import { newRequestId } from '../request/index.ts';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userMessageOf } from '../errors.ts';
import type { Logger } from '../log.ts';
import { healthHandler, type HealthSources } from './health.ts';
import type { Metrics } from './metrics.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext {
  /** Also sent back as `x-request-id`; front ends reuse it as the RepairRequest id so logs line up. */
  requestId: string;
  logger: Logger;
  url: URL;
  /** Values of `:name` segments in the route path. */
  params: Record<string, string>;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, context: RouteContext) => void | Promise<void>;

export interface Route {
  method: Method;
  /** Exact path, or segments like `/api/feedback/:id`. GET routes also answer HEAD. */
  path: string;
  handler: RouteHandler;
}

/**
 * Another front end's whole request listener under a path prefix (Slack's HTTP receiver under
 * `/slack/`). The request reaches it untouched: body unread, URL unchanged, so signatures still verify.
 */
export interface Mount {
  prefix: string;
  handler: RequestListener;
}

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logger: Logger;
  routes?: Route[];
  mounts?: Mount[];
  metrics: Metrics;
  /** What /healthz reports on. */
  health?: HealthSources;
  /** Open connections (live progress streams) get this long to finish on close. */
  closeGraceMs?: number;
}

export interface HttpServer {
  readonly server: Server;
  /** Resolves with the bound address, e.g. http://127.0.0.1:8787. */
  listen(): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets open requests finish for up to closeGraceMs, then cuts the rest. */
  close(): Promise<void>;
}

/** Loopback addresses: the only ones the web chat binds to without an isolating sandbox. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

interface CompiledRoute extends Route {
  segments: string[];
}

function match(route: CompiledRoute, pathname: string): Record<string, string> | undefined {
  const parts = pathname.split('/');
  if (parts.length !== route.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i += 1) {
    const want = route.segments[i] ?? '';
    const got = parts[i] ?? '';
    if (want.startsWith(':')) {
      if (!got) return undefined;
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (want !== got) return undefined;
  }
  return params;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * The one HTTP server of a process: the web chat, Slack's HTTP receiver (mounted), /healthz and
 * /metrics share PORT. node:http on purpose: few routes, and mounts need the raw request.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { logger, metrics } = options;
  const builtIn: Route[] = [
    { method: 'GET', path: '/healthz', handler: healthHandler(options.health ?? {}) },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_req, res) => {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
    },
  ];
  const routes: CompiledRoute[] = [...builtIn, ...(options.routes ?? [])].map((route) => ({
    ...route,
    segments: route.path.split('/'),
  }));
  const mounts = [...(options.mounts ?? [])].sort((a, b) => b.prefix.length - a.prefix.length);
  let closing = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = newRequestId();
    const log = logger.child({ requestId });
    const method = (req.method ?? 'GET').toUpperCase();
    let routeLabel = 'unmatched';
    res.setHeader('x-request-id', requestId);
    // Defaults for every response; the web chat adds its page's Content-Security-Policy.
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    res.on('finish', () => metrics.observeHttp(method, routeLabel, res.statusCode));
    if (closing) {
      res.setHeader('connection', 'close');
      sendJson(res, 503, { error: 'The service is shutting down.' });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { error: 'Bad request URL.' });
      return;
    }
    const mount = mounts.find((m) => url.pathname.startsWith(m.prefix));
    if (mount) {
      routeLabel = `${mount.prefix}*`;
      mount.handler(req, res);
      return;
    }
    let pathMatched = false;
    for (const route of routes) {
      const params = match(route, url.pathname);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      routeLabel = route.path;
      try {
        await route.handler(req, res, { requestId, logger: log, url, params });
      } catch (error) {
        log.error({ err: error, route: route.path }, 'request handler failed');
        if (!res.headersSent) sendJson(res, 500, { error: userMessageOf(error), requestId });
        else res.destroy();
      }
      return;
    }
    if (pathMatched) sendJson(res, 405, { error: 'Method not allowed.' });
    else sendJson(res, 404, { error: 'Not found.' });
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  // Slow-loris guard: a client gets this long to send its headers.
  server.headersTimeout = 20_000;
  server.requestTimeout = 0; // progress streams stay open for the length of a repair

  return {
    server,
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          logger.info({ host: address.address, port: address.port }, 'http server listening');
          resolve({ url: `http://${host}:${address.port}`, port: address.port });
        });
      });
    },
    async close() {
      if (!server.listening) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 5_000);
      await closed;
      clearTimeout(grace);
    },
  };
}
