/**
 * Stage "probe": the passing candidates beside the original on inputs grown from the tests (the real
 * process sandbox), then judged by behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type Sandbox } from '../../../sandbox/index.ts';
import { contextFor, memoryLogger, passedAll, request, result, verified } from '../../../tests/repair/stage-kit.ts';
import type { Progress } from '../types.ts';
import { Stop } from './context.ts';
import { PROBE_CANDIDATES, probeVerdict } from './probe.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

const F = 'def f(n):\n    return n * 3\n';
const TESTS = 'assert f(2) == 5\n';
const PLUS = 'def f(n):\n    return n + 3\n';
const ODD = 'def f(n):\n    return 2 * n + 1\n';

function setup(extra: Parameters<typeof contextFor>[2] = {}, req = request(F, TESTS)) {
  const ctx = contextFor(sandbox, req, extra);
  ctx.cases = [{ id: 't0', name: 'assert f(2) == 5', kind: 'assert', source: 'assert f(2) == 5' }];
  ctx.baseline = [result('t0', 'failed')];
  const plus = verified(ctx, PLUS, passedAll(['t0']));
  const odd = verified(ctx, ODD, passedAll(['t0']));
  return { ctx, plus, odd };
}

describe('probeVerdict', () => {
  it('runs the original and the passing fixes on grown inputs and finds the input that tells them apart', async () => {
    const progress: Progress[] = [];
    const { ctx, plus, odd } = setup({ options: { onProgress: (p) => progress.push(p) } });
    ctx.timings.verifyMs = 1_000_000;
    const t0 = performance.now();
    const { verdict, probe } = await probeVerdict(ctx, [odd, plus], true);
    expect(ctx.timings.verifyMs).toBeLessThanOrEqual(1_000_000 + Math.ceil(performance.now() - t0));
    expect(probe?.ok).toBe(true);
    expect(probe?.func).toBe('f');
    expect(probe!.inputs[0]).toEqual({ call: 'f(2)', outputs: { original: '6', [plus.id]: '5', [odd.id]: '5' }, from: 0 });
    expect(verdict.clusters).toHaveLength(2);
    expect(verdict.choice?.options.map((o) => o.candidate.id).sort()).toEqual([plus.id, odd.id].sort());
    expect(progress).toEqual([{ stage: 'verify', message: 'Comparing 2 passing fixes on inputs grown from your tests' }]);
    expect(ctx.timings.verifyMs).toBeGreaterThanOrEqual(1_000_000);
  });

  it('says "fix" for one, calls the entry point, and ranks by the lines the search suspects', async () => {
    const progress: Progress[] = [];
    const prefix = 'def helper():\n    return 0\n';
    const { ctx, plus } = setup({ options: { onProgress: (p) => progress.push(p) } }, request(F, 'def check(candidate):\n    assert candidate(2) == 5\ncheck(f)\n', { frozenPrefix: prefix, entryPoint: 'f' }));
    const { verdict, probe } = await probeVerdict(ctx, [{ ...plus, source: prefix + PLUS }], true);
    expect(probe?.ok).toBe(true);
    expect(probe!.inputs[0]?.call).toBe('f(2)');
    expect(verdict.ranked).toHaveLength(1);
    expect(progress[0]?.message).toBe('Comparing 1 passing fix on inputs grown from your tests');
  });

  it('takes the suspicious lines of the search into the ranking', async () => {
    const { ctx } = setup({ budget: { probeInputs: 0 } }, request('def f(n):\n    a = n\n    return a * 3\n', TESTS));
    const lineTwo = verified(ctx, 'def f(n):\n    a = n + 1\n    return a * 3\n', passedAll(['t0']), { editSize: 4 });
    const lineThree = verified(ctx, 'def f(n):\n    a = n\n    return a * 3 - 1\n', passedAll(['t0']), { editSize: 4 });
    ctx.search = { ok: true, checks: [], suspicious: [{ line: 3, score: 2 }, { line: 2, score: 1 }], inputs: [], candidates: [], tried: 0, exhausted: true, elapsedMs: 0, scores: [] };
    expect((await probeVerdict(ctx, [lineTwo, lineThree], true)).verdict.ranked.map((s) => s.candidate)).toEqual([lineThree, lineTwo]);
    delete ctx.search;
    expect((await probeVerdict(ctx, [lineTwo, lineThree], true)).verdict.ranked.map((s) => s.candidate)).toEqual([lineTwo, lineThree]);
  });

  it('does not probe when not allowed, with no inputs budgeted, or with too little time left', async () => {
    for (const [extra, allowed] of [
      [{}, false],
      [{ budget: { probeInputs: 0 } }, true],
      [{ options: { deadline: Date.now() + 2_400 } }, true],
      [{ budget: { probeMs: 400 } }, true],
    ] as const) {
      const progress: Progress[] = [];
      const { ctx, plus, odd } = setup({ ...extra, options: { ...('options' in extra ? extra.options : {}), onProgress: (p) => progress.push(p) } });
      const out = await probeVerdict(ctx, [plus, odd], allowed);
      expect(out).not.toHaveProperty('probe');
      expect(out.verdict.ranked.map((s) => s.candidate)).toEqual([plus, odd]);
      expect(progress).toEqual([]);
      expect(ctx.timings.verifyMs).toBeUndefined();
    }
    const { ctx, plus } = setup({ budget: { probeMs: 500 } });
    expect((await probeVerdict(ctx, [plus], true)).probe?.ok).toBe(true);
  });

  it('compares at most the best-ranked twelve', async () => {
    const { ctx } = setup({ budget: { probeInputs: 0 } });
    const many = Array.from({ length: 14 }, (_, k) => verified(ctx, `def f(n):\n    return n + 3${' '.repeat(k)}\n`, passedAll(['t0'])));
    const { verdict } = await probeVerdict(ctx, many.slice().reverse(), true);
    expect(PROBE_CANDIDATES).toBe(12);
    expect(verdict.ranked.map((s) => s.candidate)).toEqual(many.slice(0, 12));
  });

  it('logs a probe that failed and judges on the tests alone; a cancel stops the run', async () => {
    const { logger, lines } = memoryLogger();
    const { ctx, plus, odd } = setup({ logger, limits: { ...DEFAULT_LIMITS, testTimeoutMs: 0 } });
    const out = await probeVerdict(ctx, [plus, odd], true);
    expect(out).not.toHaveProperty('probe');
    expect(out.verdict.clusters).toHaveLength(1);
    expect(lines).toEqual([expect.objectContaining({ msg: 'probe failed', level: 40 })]);
    expect(ctx.timings.verifyMs).toBeGreaterThanOrEqual(0);
    const abort = new AbortController();
    abort.abort();
    const { ctx: cancelled, plus: p2 } = setup({ options: { signal: abort.signal } });
    await expect(probeVerdict(cancelled, [p2], true)).rejects.toEqual(new Stop('cancelled'));
  });
});
