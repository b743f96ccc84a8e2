/**
 * The shared HTTP server and the web chat's HTTP surface, over real sockets: /healthz, /metrics, the
 * page's security headers, CSRF and DNS-rebinding refusals, input errors, rate limits, votes, mounts.
 * Repairs here never reach the engine (they are refused first), except where noted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, checkWebChatExposure, createWebChat } from '../../bots/web/index.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../../src/feedback/store.ts';
import { createHttpServer, createMetrics, type HttpServer } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log.ts';
import { createInProcessQueue } from '../../src/queue/index.ts';
import type { RepairService } from '../../src/repair/types.ts';
import { isTracefixError } from '../../src/errors.ts';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';

/** Raw HTTP so the test controls every header (fetch forbids setting Host, Origin, Sec-Fetch-*). */
function send(
  base: string,
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(pathname, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method, headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const calls: string[] = [];
// Records that it was reached; these tests assert that refused requests never get this far.
const recordingService: RepairService = {
  run(request) {
    calls.push(request.id);
    return Promise.reject(new Error('not expected in these tests'));
  },
};

let dir: string;
let sandbox: Sandbox;
let store: KeyvFeedbackStore;
let server: HttpServer;
let base: string;
let host: string;
const mounted: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-web-http-'));
  store = await createFeedbackStore({ url: `sqlite://${dir}/store.sqlite`, retentionDays: 30, dataDir: dir });
  const queue = createInProcessQueue({ service: recordingService, concurrency: 1 });
  sandbox = await createSandbox({ backend: 'process' });
  const metrics = createMetrics({ queue, sandbox });
  const chat = createWebChat({
    service: metrics.instrument(queue),
    store,
    limits: { maxPasteBytes: 2048, userPerHour: 3 },
    logger: silentLogger(),
  });
  server = createHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    routes: chat.routes,
    mounts: [
      {
        prefix: '/slack/',
        handler: (req, res) => {
          mounted.push(`${req.method} ${req.url}`);
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('slack says hi');
        },
      },
    ],
    metrics,
    health: { queue, store, sandbox },
  });
  base = (await server.listen()).url;
  host = new URL(base).host;
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  await sandbox?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const post = (pathname: string, body: unknown, extra: Record<string, string> = {}) =>
  send(base, 'POST', pathname, { host, 'content-type': 'application/json', 'x-tracefix-request': '1', origin: base, ...extra }, JSON.stringify(body));

describe('/healthz', () => {
  it('reports sandbox, queue and store', async () => {
    const res = await send(base, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      ok: true,
      sandbox: { backend: 'process', isolated: sandbox.isolation.isolated, how: sandbox.isolation.how, pool: sandbox.stats() },
      queue: { kind: 'in-process', waiting: 0, active: 0 },
      store: { reachable: true },
    });
  });
});

describe('/healthz when a part is down', () => {
  it('answers 503 and names the part', async () => {
    const closed = await createFeedbackStore({ url: `sqlite://${dir}/closed.sqlite`, retentionDays: 30, dataDir: dir });
    await closed.close();
    const down = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), metrics: createMetrics(), health: { store: closed, timeoutMs: 500 } });
    const { url } = await down.listen();
    try {
      const res = await send(url, 'GET', '/healthz');
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toEqual({ ok: false, store: { reachable: false } });
    } finally {
      await down.close();
    }
  });
});

describe('/metrics', () => {
  it('serves our own registry in the Prometheus text format', async () => {
    await send(base, 'GET', '/healthz');
    const res = await send(base, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('tracefix_http_requests_total{method="GET",route="/healthz",status="200"}');
    expect(res.text).toContain('tracefix_queue_depth{state="waiting"} 0');
    const stats = sandbox.stats();
    expect(res.text).toContain(`tracefix_sandbox_pool{backend="process",state="warm"} ${stats.warm}`);
    expect(res.text).toContain(`tracefix_sandbox_pool{backend="process",state="busy"} ${stats.busy}`);
    expect(res.text).toContain(`tracefix_sandbox_executions{backend="process",kind="killed"} ${stats.killed}`);
    expect(res.text).toContain('# TYPE tracefix_repair_duration_seconds histogram');
    expect(res.text).toContain('# TYPE tracefix_repair_outcomes_total counter');
    // Not prom-client's global registry: no default process metrics unless asked for.
    expect(res.text).not.toContain('process_cpu_user_seconds_total');
  });
});

describe('the page', () => {
  it('is served with a strict Content-Security-Policy and no framing', async () => {
    const res = await send(base, 'GET', '/', { host });
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toContain('<textarea id="code"');
    expect(res.text).not.toMatch(/<script>[^<]/); // no inline script
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await send(base, 'GET', '/', { host: 'evil.example:80' });
    expect(res.status).toBe(421);
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    expect((await send(base, 'GET', '/nope', { host })).status).toBe(404);
    expect((await send(base, 'GET', '/api/fix', { host })).status).toBe(405);
  });
});

describe('CSRF and origin checks on POST', () => {
  const good = { code: 'def f():\n    return 1\n', tests: 'assert f() == 2' };

  it('refuses a form post (no JSON content type)', async () => {
    const res = await send(base, 'POST', '/api/fix', { host, 'content-type': 'text/plain', origin: base }, JSON.stringify(good));
    expect(res.status).toBe(403);
  });

  it('refuses a JSON post without the custom header', async () => {
    const res = await send(base, 'POST', '/api/fix', { host, 'content-type': 'application/json', origin: base }, JSON.stringify(good));
    expect(res.status).toBe(403);
  });

  it('refuses a cross-origin post even with the header', async () => {
    expect((await post('/api/fix', good, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post('/api/fix', good, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });

  it('refuses a post to a rebound host name', async () => {
    expect((await post('/api/fix', good, { host: 'evil.example', origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses votes the same way', async () => {
    const res = await send(base, 'POST', '/api/feedback', { host, 'content-type': 'text/plain' }, '{}');
    expect(res.status).toBe(403);
    expect(calls).toEqual([]);
  });
});

describe('bad input gets one clear sentence', () => {
  it('empty code', async () => {
    const res = await post('/api/fix', { code: '   \n', tests: '' });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text) as { code: string; error: string };
    expect(body.code).toBe('empty_input');
    expect(body.error).toMatch(/no code to fix/);
  });

  it('no Python in the code box', async () => {
    const res = await post('/api/fix', { code: 'hello there, my code does not work please help' });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text) as { code: string; error: string };
    expect(body).toEqual({ code: 'bad_input', error: expect.stringMatching(/^⚠️ I couldn’t find Python code in the code box/) as unknown });
  });

  it('binary paste', async () => {
    const res = await post('/api/fix', { code: 'PNG\u0000\u0001\u0002' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ code: 'binary_input' });
  });

  it('too large (field sizes, then the whole body)', async () => {
    const res = await post('/api/fix', { code: 'x = 1\n'.repeat(400) });
    expect(res.status).toBe(413);
    expect((JSON.parse(res.text) as { error: string }).error).toMatch(/too large.*2048 bytes/);
    const huge = await post('/api/fix', { code: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
  });

  it('not JSON, or no code field', async () => {
    expect((await send(base, 'POST', '/api/fix', { host, 'content-type': 'application/json', 'x-tracefix-request': '1' }, '{oops')).status).toBe(400);
    expect((await post('/api/fix', { tests: 'assert 1' })).status).toBe(400);
    expect(calls).toEqual([]);
  });
});

describe('votes', () => {
  it('refuses a vote without the answer token', async () => {
    const res = await post('/api/feedback', { id: 'some-id', vote: 'up', token: 'forged' });
    expect(res.status).toBe(403);
  });
});

describe('mounts', () => {
  it('hands the raw request to the mounted listener', async () => {
    const res = await send(base, 'POST', '/slack/events', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1');
    expect(res.status).toBe(200);
    expect(res.text).toBe('slack says hi');
    expect(mounted).toEqual(['POST /slack/events']);
  });
});

describe('host names', () => {
  const lanAddress = Object.values(networkInterfaces())
    .flat()
    .find((i) => i?.family === 'IPv4' && !i.internal)?.address;
  if (!lanAddress) console.warn('[skip] host names on a non-loopback address: this machine has no non-loopback IPv4 address');

  it.skipIf(!lanAddress)('bound beyond loopback: any name on the LAN address, loopback names only on loopback', async () => {
    const wide = createWebChat({ service: recordingService, store, limits: { maxPasteBytes: 2048, userPerHour: 3 }, logger: silentLogger() });
    const open = createHttpServer({ host: '0.0.0.0', port: 0, logger: silentLogger(), routes: wide.routes, metrics: createMetrics() });
    const { port } = await open.listen();
    try {
      expect((await send(`http://${lanAddress}:${port}`, 'GET', '/', { host: `tracefix.example:${port}` })).status).toBe(200);
      expect((await send(`http://127.0.0.1:${port}`, 'GET', '/', { host: `tracefix.example:${port}` })).status).toBe(421);
      expect((await send(`http://127.0.0.1:${port}`, 'GET', '/', { host: `localhost:${port}` })).status).toBe(200);
    } finally {
      await wide.close();
      await open.close();
    }
  });

  it('an explicit list is the only one accepted', async () => {
    const listed = createWebChat({
      service: recordingService,
      store,
      limits: { maxPasteBytes: 2048, userPerHour: 3 },
      logger: silentLogger(),
      allowedHosts: ['tracefix.internal'],
    });
    const other = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), routes: listed.routes, metrics: createMetrics() });
    const { url } = await other.listen();
    try {
      expect((await send(url, 'GET', '/', { host: 'tracefix.internal' })).status).toBe(200);
      expect((await send(url, 'GET', '/', { host: 'localhost' })).status).toBe(421);
    } finally {
      await listed.close();
      await other.close();
    }
  });
});

describe('exposure check for the composition root', () => {
  it('allows loopback always and other hosts only with an isolating sandbox', () => {
    expect(() => checkWebChatExposure({ host: '127.0.0.1', sandboxIsolated: false })).not.toThrow();
    expect(() => checkWebChatExposure({ host: '::1', sandboxIsolated: false })).not.toThrow();
    expect(() => checkWebChatExposure({ host: '0.0.0.0', sandboxIsolated: true })).not.toThrow();
    let caught: unknown;
    try {
      checkWebChatExposure({ host: '0.0.0.0', sandboxIsolated: false, sandboxHow: 'no bubblewrap' });
    } catch (error) {
      caught = error;
    }
    expect(isTracefixError(caught) && caught.code).toBe('not_isolated');
  });
});
