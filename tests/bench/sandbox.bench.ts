/**
 * Sandbox benchmarks (`npm run bench sandbox`): warm run latency per backend (a request served by a
 * fresh pre-spawned runner: every runner serves one request), the fresh-runner cost (what making one
 * ready runner costs: Pyodide from its memory snapshot, a jailed python3), a 50 × 10 verification
 * batch, tracing overhead on loop-heavy code, and rendered trace size vs the raw trace.
 * Targets (issue 2): warm pyodide run < 20 ms; 50 × 10 batch < 2 s; tracing overhead < 10×.
 * The e2b figures are against the local envd stand-in: they measure our plumbing, not E2B's cloud.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Limits, type RunnerRequest } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { E2BSandbox } from '../../sandbox/e2b/index.ts';
import { ProcessSandbox } from '../../sandbox/process/index.ts';
import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import { estimateTokens, renderInline } from '../../src/trace/index.ts';
import { EnvdStandIn } from '../standins/envd.ts';
import { median, type Print } from './stats.ts';

export { median };

const limits: Limits = { ...DEFAULT_LIMITS, totalTimeoutMs: 120_000 };

const SMALL: RunnerRequest = {
  mode: 'test',
  programs: [{ id: 'p', source: 'def add(a, b):\n    return a + b\n' }],
  tests: 'assert add(1, 2) == 3\nassert add(-1, 1) == 0\n',
  limits,
};

/** 50 candidates (half right, half wrong) × 10 asserts. */
function batch(): RunnerRequest {
  const programs = Array.from({ length: 50 }, (_, i) => ({
    id: `c${i}`,
    source: `def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return ${i % 2 ? 'x' : 'hi'}\n    return x\n`,
  }));
  const tests = Array.from({ length: 10 }, (_, k) => `assert clamp(${k * 3 - 10}, -5, 5) == ${Math.min(5, Math.max(-5, k * 3 - 10))}`).join('\n') + '\n';
  return { mode: 'test', programs, tests, limits };
}

const LOOPY = [
  'def collatz_total(n):',
  '    total = 0',
  '    for start in range(1, n):',
  '        x = start',
  '        while x != 1:',
  '            x = x // 2 if x % 2 == 0 else 3 * x + 1',
  '            total += 1',
  '    return total',
  '',
].join('\n');
const LOOPY_TEST = 'assert collatz_total(300) == 0\n';

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the backend has a fresh runner ready, so the next request measures serving, not starting. */
type WaitReady = () => Promise<void>;

async function warmRuns(sandbox: Sandbox, waitReady: WaitReady, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await waitReady();
    times.push((await time(() => sandbox.execute(SMALL)))[0]);
  }
  return times;
}

const ms = (value: number): string => `${value.toFixed(value < 100 ? 1 : 0)} ms`;

async function measure(name: string, sandbox: Sandbox, print: Print, waitReady: WaitReady): Promise<number> {
  await waitReady();
  await sandbox.execute(SMALL);
  const warm = await warmRuns(sandbox, waitReady, 10);
  print(`${name.padEnd(8)} warm run, small snippet (fresh pre-spawned runner): median ${ms(median(warm))} (min ${ms(Math.min(...warm))}, n=${warm.length})`);

  const request = batch();
  const batches: number[] = [];
  let verdicts = '';
  for (let i = 0; i < 3; i++) {
    await waitReady();
    const [took, response] = await time(() => sandbox.execute(request));
    batches.push(took);
    const passing = response.programs.filter((p) => p.results.length === 10 && p.results.every((r) => r.status === 'passed')).length;
    verdicts = `${passing}/50 candidates pass all 10`;
  }
  print(`${name.padEnd(8)} 50 × 10 batch: median ${median(batches).toFixed(0)} ms (${verdicts}; target < 2000 ms)`);

  // Both backends measured the same way: the runner's own durations of the same test, untraced and traced.
  const plain: number[] = [];
  const traced: number[] = [];
  let events = 0;
  let rawTokens = 0;
  let renderedTokens = 0;
  for (let i = 0; i < 3; i++) {
    await waitReady();
    const tested = await sandbox.execute({ mode: 'test', programs: [{ id: 'p', source: LOOPY }], tests: LOOPY_TEST, limits });
    plain.push(tested.programs[0]?.results[0]?.durationMs ?? NaN);
    await waitReady();
    const trace = (await sandbox.execute({ mode: 'trace', program: { id: 'p', source: LOOPY }, tests: LOOPY_TEST, limits })).trace;
    if (!trace) throw new Error('no trace returned');
    traced.push(trace.result.durationMs);
    events = trace.totalEvents;
    rawTokens = estimateTokens(JSON.stringify(trace.events));
    renderedTokens = renderInline(trace, LOOPY, { tokenBudget: 1_500 }).tokens;
  }
  const ratio = median(traced) / median(plain);
  print(
    `${name.padEnd(8)} tracing, loop-heavy code: plain ${median(plain).toFixed(1)} ms, traced ${median(traced).toFixed(1)} ms → ${ratio.toFixed(1)}× (target < 10×); ${events} events, ${((events / median(traced)) * 1000).toFixed(0)} events/s`,
  );
  print(`${name.padEnd(8)} trace size: raw events ≈ ${rawTokens} tokens, NExT rendering ${renderedTokens} tokens (budget 1500) → ${(rawTokens / Math.max(1, renderedTokens)).toFixed(1)}× smaller`);
  return median(warm);
}

/**
 * Pyodide's fresh-runner cost: a new sandbox whose snapshot is already in the on-disk cache, until
 * its first runner is ready (what every retired runner's replacement, and a second CLI run, pays).
 */
async function pyodideFreshRunner(print: Print): Promise<number> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tracefix-bench-snap-'));
  try {
    const first = new PyodideSandbox({ poolSize: 1, snapshotCacheDir: cacheDir });
    const [makeMs] = await time(() => first.ready());
    await first.close();
    const cold = new PyodideSandbox({ poolSize: 1, snapshot: false });
    const [coldMs] = await time(() => cold.ready());
    await cold.close();
    const fresh: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sandbox = new PyodideSandbox({ poolSize: 1, snapshotCacheDir: cacheDir });
      fresh.push((await time(() => sandbox.ready()))[0]);
      await sandbox.close();
    }
    print(`pyodide  first start, making the snapshot: ${makeMs.toFixed(0)} ms; a cold load without one: ${coldMs.toFixed(0)} ms`);
    print(
      `pyodide  fresh-runner cost (from the cached snapshot): median ${ms(median(fresh))} (n=${fresh.length}) → ${(coldMs / median(fresh)).toFixed(1)}× cheaper than a cold load`,
    );
    return median(fresh);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

export async function bench(print: Print): Promise<void> {
  const freshPyodide = await pyodideFreshRunner(print);
  const pyodide = new PyodideSandbox({ poolSize: 1 });
  let warmPyodide: number;
  try {
    warmPyodide = await measure('pyodide', pyodide, print, () => pyodide.ready());
  } finally {
    await pyodide.close();
  }

  // A spare python3 is spawned when one is taken; give it the time to reach its stdin read.
  const processSandbox = new ProcessSandbox();
  const warmProcess = await measure('process', processSandbox, print, () => sleep(300));
  await processSandbox.close();
  const onDemand = new ProcessSandbox({ prespawn: 0 });
  await onDemand.execute(SMALL);
  const cold = await warmRuns(onDemand, () => Promise.resolve(), 10);
  await onDemand.close();
  print(`process  fresh-runner cost (run without a pre-spawned runner minus warm run): ${ms(median(cold) - warmProcess)} (on demand: median ${ms(median(cold))}, n=${cold.length})`);
  print(
    `ratios   warm run process / pyodide: ${(warmProcess / warmPyodide).toFixed(1)}×; fresh runner pyodide / process: ${(freshPyodide / Math.max(1, median(cold) - warmProcess)).toFixed(1)}×`,
  );

  const envd = new EnvdStandIn();
  try {
    await envd.start();
  } catch (error) {
    print(`e2b      skipped: the envd stand-in could not listen on its fixed port (${(error as Error).message})`);
    return;
  }
  const e2b = new E2BSandbox({ debug: true, poolSize: 2 });
  const e2bReady = async (): Promise<void> => {
    for (let i = 0; i < 200 && e2b.stats().warm < 1; i++) await sleep(25);
  };
  try {
    const warmE2b = await measure('e2b*', e2b, print, e2bReady);
    print(`ratios   warm run e2b* / pyodide: ${(warmE2b / warmPyodide).toFixed(1)}×`);
    print('         (* e2b = real SDK against the local envd stand-in: plumbing cost only, not E2B cloud latency)');
  } finally {
    await e2b.close();
    await envd.stop();
  }
}
