/**
 * /healthz and the sandbox pool's self-healing, with a real failure: the Pyodide runners are pointed
 * at a Pyodide folder that does not load, which is then repaired while the service keeps running.
 */
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import { DEFAULT_LIMITS } from '../../sandbox/protocol.ts';
import { isSandboxError } from '../../sandbox/index.ts';
import { silentLogger } from '../log.ts';
import { createHttpServer, createMetrics, type HttpServer } from './index.ts';

const REAL_PYODIDE = dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('/healthz while the sandbox cannot start runners', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracefix-broken-pyodide-'));
  // Readable by the runners' unprivileged uid in place (not staged as a copy that would stay broken).
  chmodSync(dir, 0o755);
  let sandbox: PyodideSandbox | undefined;
  let server: HttpServer | undefined;

  afterAll(async () => {
    await server?.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with the reason, fails requests fast, and recovers to 200 once runners start', async () => {
    sandbox = new PyodideSandbox({ pyodideDir: dir, poolSize: 1, snapshot: false, retryInitialMs: 200 });
    server = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), metrics: createMetrics(), health: { sandbox } });
    const { url } = await server.listen();
    const health = async (): Promise<{ status: number; body: { ok: boolean; sandbox: { reason?: string; pool: { health?: { healthy: boolean; consecutiveFailures: number } } } } }> => {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as never };
    };

    await waitFor(async () => (await health()).status === 503, 30_000);
    const down = await health();
    expect(down.body.ok).toBe(false);
    expect(down.body.sandbox.reason).toMatch(/cannot start runners: .*runner failed to load/);
    expect(down.body.sandbox.pool.health?.consecutiveFailures).toBeGreaterThanOrEqual(2);

    // A request while it is down fails as unavailable (retryable) instead of queueing for ever.
    const error = await sandbox
      .execute({ mode: 'test', programs: [{ id: 'p', source: 'def f():\n    return 1\n' }], tests: 'assert f() == 1\n', limits: DEFAULT_LIMITS })
      .catch((e: unknown) => e);
    expect(isSandboxError(error) && error.code).toBe('sandbox_unavailable');

    // The install is repaired: the pool's own retries find out, without a restart.
    cpSync(REAL_PYODIDE, dir, { recursive: true });
    await waitFor(async () => (await health()).status === 200, 150_000);
    expect((await health()).body.sandbox.pool.health).toMatchObject({ healthy: true, consecutiveFailures: 0 });
    const response = await sandbox.execute({ mode: 'test', programs: [{ id: 'p', source: 'def f():\n    return 1\n' }], tests: 'assert f() == 1\n', limits: DEFAULT_LIMITS });
    expect(response.programs[0]?.results[0]?.status).toBe('passed');
  }, 240_000);
});
