/**
 * Sandbox benchmarks (`npm run bench sandbox`): warm run latency per backend, a 50 × 10 verification
 * batch, tracing overhead on loop-heavy code, and rendered trace size vs the raw trace.
 * Targets (issue 2): warm pyodide run < 20 ms; 50 × 10 batch < 2 s; tracing overhead < 10×.
 * The e2b figures are against the local envd stand-in: they measure our plumbing, not E2B's cloud.
 */
import { DEFAULT_LIMITS, type Limits, type RunnerRequest } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { E2BSandbox } from '../../sandbox/e2b/index.ts';
import { ProcessSandbox } from '../../sandbox/process/index.ts';
import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import { estimateTokens, renderInline } from '../../src/trace/index.ts';
import { EnvdStandIn } from '../standins/envd.ts';
// Type only: importing run.ts's values from a bench module is an import cycle with run.ts's
// top-level await (the process exits 13), so the median helper lives here too.
import type { Print } from './stats.ts';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

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

async function measure(name: string, sandbox: Sandbox, print: Print): Promise<void> {
  // Warm-up (the pyodide pool loads here).
  await sandbox.execute(SMALL);
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) warm.push((await time(() => sandbox.execute(SMALL)))[0]);
  print(`${name.padEnd(8)} warm run, small snippet: median ${median(warm).toFixed(1)} ms (min ${Math.min(...warm).toFixed(1)}, n=20)`);

  const request = batch();
  const batches: number[] = [];
  let verdicts = '';
  for (let i = 0; i < 3; i++) {
    const [ms, response] = await time(() => sandbox.execute(request));
    batches.push(ms);
    const passing = response.programs.filter((p) => p.results.length === 10 && p.results.every((r) => r.status === 'passed')).length;
    verdicts = `${passing}/50 candidates pass all 10`;
  }
  print(`${name.padEnd(8)} 50 × 10 batch: median ${median(batches).toFixed(0)} ms (${verdicts}; target < 2000 ms)`);

  const plain: number[] = [];
  const traced: number[] = [];
  let events = 0;
  let rawTokens = 0;
  let renderedTokens = 0;
  for (let i = 0; i < 3; i++) {
    const tested = await sandbox.execute({ mode: 'test', programs: [{ id: 'p', source: LOOPY }], tests: LOOPY_TEST, limits });
    plain.push(tested.programs[0]?.results[0]?.durationMs ?? NaN);
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
}

export async function bench(print: Print): Promise<void> {
  const pyodide = new PyodideSandbox({ poolSize: 1 });
  const [coldMs] = await time(() => pyodide.ready());
  print(`pyodide  cold start of one runner: ${coldMs.toFixed(0)} ms`);
  try {
    await measure('pyodide', pyodide, print);
  } finally {
    await pyodide.close();
  }
  const processSandbox = new ProcessSandbox();
  await measure('process', processSandbox, print);
  await processSandbox.close();

  const envd = new EnvdStandIn();
  try {
    await envd.start();
  } catch (error) {
    print(`e2b      skipped: the envd stand-in could not listen on its fixed port (${(error as Error).message})`);
    return;
  }
  const e2b = new E2BSandbox({ debug: true, poolSize: 2 });
  try {
    await measure('e2b*', e2b, print);
    print('         (* e2b = real SDK against the local envd stand-in: plumbing cost only, not E2B cloud latency)');
  } finally {
    await e2b.close();
    await envd.stop();
  }
}
