import type { RouteHandler } from './server.ts';
import type { SandboxHealth } from '../../sandbox/index.ts';
import type { QueueProbe, SandboxProbe } from './metrics.ts';

export interface HealthSources {
  /** Absent in a producer-only process: its sandbox lives in the worker processes. */
  sandbox?: Pick<SandboxProbe, 'name' | 'isolation'> & { stats(): ReturnType<SandboxProbe['stats']> & { health?: SandboxHealth } };
  queue?: QueueProbe;
  /** Any FeedbackStore: reachability is probed with a `get` of an id that never exists. */
  store?: { get(id: string): Promise<unknown> };
  /** Probes slower than this count as unreachable (a hung Redis must not hang the health check). */
  timeoutMs?: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * GET /healthz: 200 when everything it can see works, 503 otherwise; the body says which part failed,
 * so an operator (or a load balancer's log) needs no second request. Never includes user data.
 */
export function healthHandler(sources: HealthSources): RouteHandler {
  const timeoutMs = sources.timeoutMs ?? 2_000;
  return async (_req, res, context) => {
    let ok = true;
    const body: Record<string, unknown> = {};
    if (sources.sandbox) {
      const { name, isolation } = sources.sandbox;
      const pool = sources.sandbox.stats();
      body.sandbox = { backend: name, isolated: isolation.isolated, how: isolation.how, pool };
      // Runners keep failing to start: every request would fail, so say so (the pool keeps retrying).
      if (pool.health && !pool.health.healthy) {
        ok = false;
        body.sandbox = { ...(body.sandbox as object), reason: `the sandbox cannot start runners: ${pool.health.reason ?? 'unknown error'}` };
      }
    }
    if (sources.queue) {
      try {
        body.queue = { kind: sources.queue.kind, ...(await withTimeout(sources.queue.depth(), timeoutMs)) };
      } catch (error) {
        ok = false;
        body.queue = { kind: sources.queue.kind, reachable: false };
        context.logger.warn({ err: error }, 'health: queue unreachable');
      }
    }
    if (sources.store) {
      try {
        await withTimeout(sources.store.get('healthz-probe'), timeoutMs);
        body.store = { reachable: true };
      } catch (error) {
        ok = false;
        body.store = { reachable: false };
        context.logger.warn({ err: error }, 'health: store unreachable');
      }
    }
    const text = JSON.stringify({ ok, ...body });
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  };
}
