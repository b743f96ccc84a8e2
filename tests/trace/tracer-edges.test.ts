/**
 * The tracer at its edges (issue 8), through the real backends (pyodide and process) and the real
 * runner: a value growing past the repr window keeps being recorded, and tracing never changes a
 * verdict near the recursion limit. Our own trusted programs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type RunnerRequest, type Trace, type TestResult } from '../../sandbox/protocol.ts';
import { ProcessSandbox } from '../../sandbox/process/index.ts';
import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { renderInline } from '../../src/trace/index.ts';

const SQUARES = `def squares(n):
    out = []
    for i in range(n):
        out.append(i * i)
    return out
`;

// One frame per call, no helper in between: the depth at which it overflows is the interpreter's.
const DEPTH = `def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)
`;

const limits = { ...DEFAULT_LIMITS, totalTimeoutMs: 60_000 };

async function trace(
  sandbox: Sandbox,
  source: string,
  tests: string,
  traceEvents = limits.traceEvents,
): Promise<Trace> {
  const request: RunnerRequest = {
    mode: 'trace',
    program: { id: 'p', source },
    tests,
    limits: { ...limits, traceEvents },
  };
  const response = await sandbox.execute(request);
  if (!response.trace) throw new Error('no trace in the response');
  return response.trace;
}

async function run(sandbox: Sandbox, source: string, tests: string): Promise<TestResult> {
  const response = await sandbox.execute({ mode: 'test', programs: [{ id: 'p', source }], tests, limits });
  const result = response.programs[0]?.results[0];
  if (!result) throw new Error('no test result');
  return result;
}

const verdict = (r: TestResult): string => `${r.status}${r.error ? ` ${r.error.type}` : ''}`;

const backends: [string, () => Sandbox][] = [
  ['pyodide', () => new PyodideSandbox({ poolSize: 1 })],
  ['process', () => new ProcessSandbox()],
];

describe.each(backends)('tracer edges on %s', (_name, make) => {
  // The first test pays the backend's cold start (a Pyodide runner loads in seconds on a busy machine).
  const sandbox = make();
  afterAll(async () => {
    await sandbox.close();
  });

  it('records every change of a list that grows past the repr window, with its length', async () => {
    const t = await trace(sandbox, SQUARES, 'assert squares(40) == []\n');
    const outs = t.events.flatMap((e) => (e.vars?.out === undefined ? [] : [e.vars.out]));
    // out = [] and then 40 appends: every one a recorded change, though the repr stops growing at 120 chars
    expect(outs).toHaveLength(41);
    expect(new Set(outs).size).toBe(41);
    expect(outs[0]).toBe('[]');
    expect(outs.at(-1)).toMatch(/^\[0, 1, 4, 9, .*, … 40 items\]$/);
    expect(outs.at(-1)?.length).toBeLessThanOrEqual(limits.valueChars);
    expect(outs.filter((o) => o.includes('… 39 items'))).toHaveLength(1);
    // The last value reaches the rendering with its count intact, even shortened to fit a budget.
    const text = renderInline(t, SQUARES, { tokenBudget: 200 }).text;
    expect(text).toMatch(/__return__=\[0, 1, .*… 40 items\];/);
  }, 120_000);

  it('a mutation inside a long list (same length, beyond the window) is still a change', async () => {
    const source = 'def poke(n):\n    xs = [0] * n\n    xs[n - 1] = 7\n    xs[n - 2] = 8\n    return xs\n';
    const t = await trace(sandbox, source, 'assert poke(100) == []\n');
    const lines = t.events.filter((e) => e.kind === 'line' && e.vars?.xs !== undefined).map((e) => e.line);
    expect(lines).toEqual([2, 3, 4]);
  });

  it('run and trace agree on the verdict at every depth around the recursion limit', async () => {
    // Find the deepest call that passes untraced, then check both sides of that edge under trace,
    // with every event recorded and with the event cap hit early (the counting-only hook).
    let low = 100;
    let high = 20_000;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if ((await run(sandbox, DEPTH, `assert depth(${mid}) == ${mid}\n`)).status === 'passed') low = mid;
      else high = mid;
    }
    for (const n of [low - 10, low, high, high + 10]) {
      const tests = `assert depth(${n}) == ${n}\n`;
      const untraced = verdict(await run(sandbox, DEPTH, tests));
      for (const cap of [limits.traceEvents, 50]) {
        const t = await trace(sandbox, DEPTH, tests, cap);
        expect(`${n} cap ${cap}: ${verdict(t.result)}`).toBe(`${n} cap ${cap}: ${untraced}`);
      }
    }
    expect(verdict(await run(sandbox, DEPTH, `assert depth(${high}) == ${high}\n`))).toBe(
      'error RecursionError',
    );
  }, 120_000);

  it('near the limit the trace shows real values, not `n=...`', async () => {
    const probe = await run(sandbox, DEPTH, 'import sys\nassert depth(sys.getrecursionlimit() - 60) == -1\n');
    expect(verdict(probe)).toBe('failed AssertionError');
    const t = await trace(
      sandbox,
      DEPTH,
      'import sys\nassert depth(sys.getrecursionlimit() - 60) == -1\n',
      100_000,
    );
    expect(verdict(t.result)).toBe('failed AssertionError');
    const args = t.events.filter((e) => e.kind === 'call').map((e) => e.vars?.n);
    expect(args.at(-1)).toBe('0');
    expect(args.every((a) => a !== undefined && /^\d+$/.test(a))).toBe(true);
    expect(t.events.filter((e) => e.kind === 'return').at(-1)?.value).toBe(String(args.length - 1));
  }, 60_000);

  it('a program that raises its own recursion limit keeps the same verdict traced', async () => {
    const source = `import sys\nsys.setrecursionlimit(3000)\n${DEPTH}`;
    for (const n of [2500, 3500]) {
      const tests = `assert depth(${n}) == ${n}\n`;
      const untraced = verdict(await run(sandbox, source, tests));
      const t = await trace(sandbox, source, tests, 200);
      expect(`${n}: ${verdict(t.result)}`).toBe(`${n}: ${untraced}`);
    }
  }, 60_000);
});
