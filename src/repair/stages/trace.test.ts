/**
 * Stage "trace": the NExT trace of the original's failing test, of the closest attempt (second round),
 * and of the fix (where the two traces part), on the real process sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type Sandbox } from '../../../sandbox/index.ts';
import { contextFor, memoryLogger, request, result, verified } from '../../../tests/repair/stage-kit.ts';
import type { Progress } from '../types.ts';
import { Stop } from './context.ts';
import { runTests } from './test.ts';
import { renderTrace, traceAttempt, traceFix, traceOriginal } from './trace.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

const F = 'def f(n):\n    y = n * 3\n    return y\n';
const TESTS = 'assert f(1) == 3\nassert f(2) == 5\n';
const FIX = F.replace('n * 3', 'n + 3');

async function tested(code = F, tests = TESTS, extra: Parameters<typeof contextFor>[2] = {}) {
  const ctx = contextFor(sandbox, request(code, tests), extra);
  const out = await runTests(ctx);
  if ('done' in out) throw new Error('expected a failing test');
  return { ctx, failing: out.failingCase };
}

describe('traceOriginal', () => {
  it('traces the first failing test and renders it within the token budget', async () => {
    const progress: Progress[] = [];
    const { ctx, failing } = await tested(F, TESTS, { budget: { traceTokens: 400 }, options: { onProgress: (p) => progress.push(p) } });
    const t0 = performance.now();
    await traceOriginal(ctx, failing);
    expect(ctx.timings.traceMs).toBeLessThanOrEqual(Math.ceil(performance.now() - t0));
    expect(ctx.trace?.test.id).toBe('t1');
    expect(ctx.rendered?.text).toContain('y = n * 3  # (1) y=6');
    expect(ctx.rendered?.text).toContain('__return__=6');
    expect(ctx.timings.traceMs).toBeGreaterThanOrEqual(0);
    expect(progress.at(-1)).toEqual({ stage: 'trace', message: 'Tracing assert f(2) == 5' });
  });

  it('traces the first test when none fails, and nothing when there is no test', async () => {
    const progress: Progress[] = [];
    const { ctx } = await tested(F, 'assert f(1) == 3\nassert f(2) == 6\n', { options: { onProgress: (p) => progress.push(p) } });
    await traceOriginal(ctx, undefined);
    expect(ctx.trace?.test.id).toBe('t0');
    expect(progress.at(-1)).toEqual({ stage: 'trace', message: 'Tracing your program' });
    const empty = contextFor(sandbox, request(F, TESTS));
    await traceOriginal(empty, undefined);
    expect(empty.trace).toBeUndefined();
    expect(empty.timings.traceMs).toBeUndefined();
  });

  it("gives a test that hung in the test run one test's time limit (at least 250 ms), not the trace's threefold", async () => {
    const limits = { ...DEFAULT_LIMITS, testTimeoutMs: 600, stepBudget: 1_000_000_000 };
    const { ctx, failing } = await tested('def f(n):\n    while n:\n        pass\n    return n\n', 'assert f(0) == 0\nassert f(1) == 1\n', { limits });
    expect(ctx.baseline[1]?.status).toBe('timeout');
    await traceOriginal(ctx, failing);
    // the runner gives a trace three times the test's limit: 3 x max(250, 600 / 3), where a trace of a
    // test that did not hang gets 3 x 600
    expect(ctx.trace?.result.status).toBe('timeout');
    expect(ctx.trace?.result.error?.message).toBe('time limit (750 ms)');
  }, 20_000);

  it('logs a trace that failed and goes on; rethrows a cancel', async () => {
    const { logger, lines } = memoryLogger();
    const { ctx } = await tested(F, TESTS, { logger });
    await traceOriginal(ctx, { id: 'no-such-test', name: 'ghost', kind: 'assert', source: '' });
    expect(ctx.trace).toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ msg: 'trace failed', level: 40 })]);
    expect(ctx.timings.traceMs).toBeGreaterThanOrEqual(0);
    const abort = new AbortController();
    const cancelled = contextFor(sandbox, request(F, TESTS), { options: { signal: abort.signal } });
    cancelled.cases = ctx.cases;
    abort.abort();
    await expect(traceOriginal(cancelled, ctx.cases[1])).rejects.toBeInstanceOf(Stop);
  });
});

describe('traceAttempt', () => {
  it("renders the attempt's trace and, on the original's test, says where the two traces part", async () => {
    const progress: Progress[] = [];
    const { ctx, failing } = await tested(F, TESTS, { options: { onProgress: (p) => progress.push(p) } });
    await traceOriginal(ctx, failing);
    const attempt = verified(ctx, F.replace('n * 3', 'n * 4'), [result('t0', 'failed'), result('t1', 'failed')]);
    const out = await traceAttempt(ctx, attempt, failing!, 't1');
    expect(out.trace).toContain('y = n * 4  # (1) y=8');
    expect(out.note).toBe("On `assert f(2) == 5` the attempt's trace departs from the original's at step (1): the original ran line 2 (y=6), the attempt ran line 2 (y=8).");
    expect(progress.at(-1)).toEqual({ stage: 'second_round', message: 'Tracing the closest attempt and asking again' });
    // on another test than the original's there is nothing to compare with
    expect(await traceAttempt(ctx, attempt, ctx.cases[0]!, 't1')).toEqual({ trace: expect.stringContaining('y = n * 4') as string });
    // nor without the original's trace
    delete ctx.trace;
    expect(Object.keys(await traceAttempt(ctx, attempt, failing!, 't1'))).toEqual(['trace']);
  });

  it('leaves out the note when the traces do not part, and returns nothing when the trace failed', async () => {
    const { ctx, failing } = await tested();
    await traceOriginal(ctx, failing);
    const same = verified(ctx, F.replace('    return y\n', '    return y  # same\n'), [result('t1', 'failed')]);
    expect(Object.keys(await traceAttempt(ctx, same, failing!, 't1'))).toEqual(['trace']);
    expect(await traceAttempt(ctx, same, { id: 'no-such-test', name: 'ghost', kind: 'assert', source: '' }, 't1')).toEqual({});
  });

  it('rethrows a cancel', async () => {
    const { ctx, failing } = await tested();
    const abort = new AbortController();
    const cancelled = contextFor(sandbox, request(F, TESTS), { options: { signal: abort.signal } });
    cancelled.cases = ctx.cases;
    abort.abort();
    await expect(traceAttempt(cancelled, verified(ctx, FIX, []), failing!, 't1')).rejects.toEqual(new Stop('cancelled'));
  });
});

describe('traceFix', () => {
  it('records where the fix parts from the original on the failing test', async () => {
    const { ctx, failing } = await tested();
    await traceOriginal(ctx, failing);
    const fix = verified(ctx, FIX, [result('t0', 'failed'), result('t1', 'passed')]);
    await traceFix(ctx, fix);
    expect(ctx.divergence).toEqual({ testName: 'assert f(2) == 5', step: 1, original: { line: 2, vars: { y: '6' } }, fixed: { line: 2, vars: { y: '5' } }, call: 'f(n=2)' });
  });

  it('does nothing without the original trace, a failing test, the time, or a fix that passes that test', async () => {
    const { ctx, failing } = await tested();
    const fix = verified(ctx, FIX, [result('t1', 'passed')]);
    await traceFix(ctx, fix);
    expect(ctx.divergence).toBeUndefined();
    await traceOriginal(ctx, failing);
    await traceFix(ctx, verified(ctx, FIX, [result('t1', 'failed')]));
    expect(ctx.divergence).toBeUndefined();
    const baseline = ctx.baseline;
    ctx.baseline = baseline.map((r) => ({ ...r, status: 'passed' as const }));
    await traceFix(ctx, fix);
    expect(ctx.divergence).toBeUndefined();
    ctx.baseline = baseline;
    const late = contextFor(sandbox, request(F, TESTS), { options: { deadline: Date.now() + 1_400 } });
    Object.assign(late, { cases: ctx.cases, baseline: ctx.baseline, trace: ctx.trace });
    await traceFix(late, fix);
    expect(late.divergence).toBeUndefined();
    const soon = contextFor(sandbox, request(F, TESTS), { options: { deadline: Date.now() + 30_000 } });
    Object.assign(soon, { cases: ctx.cases, baseline: ctx.baseline, trace: ctx.trace });
    await traceFix(soon, fix);
    expect(soon.divergence?.step).toBe(1);
  });

  it('logs a failed trace of the fix, and rethrows a cancel', async () => {
    const { logger, lines } = memoryLogger();
    const { ctx, failing } = await tested(F, TESTS, { logger });
    await traceOriginal(ctx, failing);
    ctx.baseline = [result('t0', 'passed'), result('no-such-test', 'failed')];
    await traceFix(ctx, verified(ctx, FIX, [result('no-such-test', 'passed')]));
    expect(ctx.divergence).toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ msg: 'trace of the fix failed', level: 40 })]);
    const abort = new AbortController();
    const cancelled = contextFor(sandbox, request(F, TESTS), { options: { signal: abort.signal } });
    Object.assign(cancelled, { cases: ctx.cases, baseline: [result('t0', 'passed'), result('t1', 'failed')], trace: ctx.trace });
    abort.abort();
    await expect(traceFix(cancelled, verified(ctx, FIX, [result('t1', 'passed')]))).rejects.toEqual(new Stop('cancelled'));
  });
});

describe('renderTrace', () => {
  it('renders JavaScript with // comments', () => {
    const ctx = contextFor(sandbox, request('function f(n) {\n  const y = n * 3;\n  return y;\n}\n', 'assert f(2) == 5', { language: 'javascript' }));
    const t = {
      program: 'original',
      test: { id: 't0', name: 'f(2) === 5', kind: 'assert' as const, source: '' },
      result: result('t0', 'failed'),
      events: [
        { step: 0, kind: 'call' as const, line: 1, func: 'f', depth: 0, vars: { n: '2' } },
        { step: 1, kind: 'line' as const, line: 2, func: 'f', depth: 0, vars: { y: '6' } },
      ],
      totalEvents: 2,
      truncated: false,
    };
    expect(renderTrace(ctx, t, ctx.program).text).toContain('const y = n * 3;  // (1) y=6');
  });
});
