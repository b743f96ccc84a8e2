/**
 * The state one repair shares across its stages: the request as run, the deadline and cancel checks,
 * and the sandbox call that turns their faults into ours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type Sandbox } from '../../../sandbox/index.ts';
import { contextFor, memoryLogger, passedAll, request, result, verified } from '../../../tests/repair/stage-kit.ts';
import { TracefixError } from '../../errors.ts';
import { anyPassesAll, baselinePassed, byTest, DEFAULT_BUDGET, Stop } from './context.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

describe('createContext', () => {
  it('runs the frozen prefix with the code, and carries entry point, language and limits on every request', () => {
    const ctx = contextFor(sandbox, request('x = 1\n', 'assert x\n', { frozenPrefix: 'import os\n', entryPoint: 'f', language: 'python' }), { budget: { searchMs: 5 } });
    expect(ctx.program).toBe('import os\nx = 1\n');
    expect(ctx.prefix).toBe('import os\n');
    expect(ctx.tests).toBe('assert x\n');
    expect(ctx.common).toEqual({ tests: 'assert x\n', limits: DEFAULT_LIMITS, entryPoint: 'f', language: 'python' });
    expect(ctx.budget).toEqual({ ...DEFAULT_BUDGET, searchMs: 5 });
    expect(ctx.sandbox).toBe(sandbox);
    expect(ctx.model).toBeUndefined();
    expect(ctx.counts).toEqual({ tried: 0, fromModel: 0, fromSearch: 0 });
    expect(ctx.timings).toEqual({ totalMs: 0 });
    expect([ctx.cases, ctx.baseline, ctx.verified, ctx.order, ctx.modelUsed]).toEqual([[], [], [], 0, false]);
    const plain = contextFor(sandbox, request('x = 1\n', ' \n'));
    expect(plain.program).toBe('x = 1\n');
    expect(plain.prefix).toBe('');
    expect(plain.tests).toBeNull();
    expect(plain.common).toEqual({ tests: null, limits: DEFAULT_LIMITS });
    expect(contextFor(sandbox, request('x = 1\n')).tests).toBeNull();
  });

  it('keeps the default budget and limits the engine runs with', () => {
    expect(DEFAULT_BUDGET).toEqual({
      searchCandidates: 4000,
      searchMs: 20_000,
      modelSamples: 5,
      traceTokens: 1500,
      secondRound: true,
      promptTrace: true,
      search: true,
      searchAlternatives: 12,
      probeInputs: 40,
      probeMs: 8_000,
    });
  });

  it('passes progress on, and logs a listener that throws instead of failing the repair', () => {
    const { logger, lines } = memoryLogger();
    const seen: string[] = [];
    const ctx = contextFor(sandbox, request('x = 1\n'), { logger, options: { onProgress: (p) => seen.push(p.message) } });
    ctx.progress({ stage: 'tests', message: 'one' });
    expect(seen).toEqual(['one']);
    const throwing = contextFor(sandbox, request('x = 1\n'), {
      logger,
      options: {
        onProgress: () => {
          throw new Error('listener broke');
        },
      },
    });
    expect(() => throwing.progress({ stage: 'tests', message: 'two' })).not.toThrow();
    expect(lines).toEqual([expect.objectContaining({ msg: 'progress listener threw', level: 40, requestId: 'req-1' })]);
    expect(() => contextFor(sandbox, request('x = 1\n')).progress({ stage: 'tests', message: 'no listener' })).not.toThrow();
  });

  it('stops on a cancel or at the deadline, and says how much time is left', () => {
    const abort = new AbortController();
    const ctx = contextFor(sandbox, request('x = 1\n'), { options: { signal: abort.signal, deadline: Date.now() + 60_000 } });
    expect(() => ctx.check()).not.toThrow();
    expect(ctx.remainingMs()).toBeGreaterThan(50_000);
    expect(ctx.remainingMs()).toBeLessThanOrEqual(60_000);
    abort.abort();
    expect(() => ctx.check()).toThrow(new Stop('cancelled'));
    const late = contextFor(sandbox, request('x = 1\n'), { options: { deadline: Date.now() } });
    expect(() => late.check()).toThrow(new Stop('deadline'));
    expect(new Stop('deadline').reason).toBe('deadline');
    const open = contextFor(sandbox, request('x = 1\n'));
    expect(open.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(() => open.check()).not.toThrow();
  });
});

describe('exec', () => {
  it('runs a request in the sandbox', async () => {
    const ctx = contextFor(sandbox, request('x = 1\n', 'assert x == 1\n'));
    const r = await ctx.exec({ mode: 'test', programs: [{ id: 'original', source: ctx.program }], ...ctx.common });
    expect(r.programs[0]?.results.map((t) => t.status)).toEqual(['passed']);
  });

  it("turns the sandbox's errors into ours, and a cancel during the run into a stop", async () => {
    const ctx = contextFor(sandbox, request('x = 1\n', 'assert x == 1\n'), { limits: { ...DEFAULT_LIMITS, testTimeoutMs: 0 } });
    const error = await ctx.exec({ mode: 'test', programs: [{ id: 'original', source: ctx.program }], ...ctx.common }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TracefixError);
    expect((error as TracefixError).code).toBe('bad_input');
    const abort = new AbortController();
    const cancelled = contextFor(sandbox, request('import time\ntime.sleep(5)\n', 'assert True\n'), { options: { signal: abort.signal } });
    const running = cancelled.exec({ mode: 'test', programs: [{ id: 'original', source: cancelled.program }], ...cancelled.common });
    setTimeout(() => abort.abort(), 300);
    await expect(running).rejects.toEqual(new Stop('cancelled'));
    // a stop before the call does not reach the sandbox
    await expect(cancelled.exec({ mode: 'test', programs: [{ id: 'original', source: 'x = 1\n' }], ...cancelled.common })).rejects.toEqual(new Stop('cancelled'));
  });
});

describe('helpers', () => {
  it('tell whether a candidate passes every test, count the original passes, and index results by test', () => {
    const ctx = contextFor(sandbox, request('x = 1\n'));
    ctx.cases = [
      { id: 't0', name: 'a', kind: 'assert', source: 'a' },
      { id: 't1', name: 'b', kind: 'assert', source: 'b' },
    ];
    ctx.baseline = [result('t0', 'passed'), result('t1', 'failed')];
    expect(baselinePassed(ctx)).toBe(1);
    expect(anyPassesAll(ctx)).toBe(false);
    ctx.verified.push(verified(ctx, 'a', passedAll(['t0', 't1']), { complete: false }));
    ctx.verified.push(verified(ctx, 'b', passedAll(['t0'])));
    expect(anyPassesAll(ctx)).toBe(false);
    ctx.verified.push(verified(ctx, 'c', passedAll(['t0', 't1'])));
    expect(anyPassesAll(ctx)).toBe(true);
    const map = byTest(ctx.baseline);
    expect([...map.keys()]).toEqual(['t0', 't1']);
    expect(map.get('t1')?.status).toBe('failed');
  });
});
