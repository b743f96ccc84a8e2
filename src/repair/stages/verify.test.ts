/**
 * Stage "verify" (and "rank"): candidates against every test in batched runs of the real process
 * sandbox; the closest failures run in full when nothing passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { contextFor, passedAll, request, result, verified } from '../../../tests/repair/stage-kit.ts';
import type { Progress } from '../types.ts';
import type { Proposal } from './context.ts';
import { fromModel } from './propose.ts';
import { allPassing, bestSoFar } from './rank.ts';
import { runTests } from './test.ts';
import { verify } from './verify.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

const F = 'def f(n):\n    return n * 3\n';
const TESTS = 'assert f(2) == 5\nassert f(0) == 3\nassert f(1) == 4\n';

async function tested(progress?: Progress[]) {
  const ctx = contextFor(sandbox, request(F, TESTS), progress ? { options: { onProgress: (p) => progress.push(p) } } : {});
  await runTests(ctx);
  progress?.splice(0);
  return ctx;
}

const proposals = (ctx: Parameters<typeof fromModel>[0], ...codes: string[]): Proposal[] => fromModel(ctx, codes.map((code) => ({ rationale: 'r', code })));

describe('verify', () => {
  it('keeps the candidates that pass every test, and does not rerun failures once one passes', async () => {
    const progress: Progress[] = [];
    const ctx = await tested(progress);
    ctx.timings.verifyMs = 1_000_000;
    const t0 = performance.now();
    await verify(ctx, proposals(ctx, F.replace('n * 3', 'n + 3'), F.replace('n * 3', '(n + 3) if n != 1 else 0'), 'def f(n) return\n'));
    expect(ctx.verified.map((v) => [v.id, v.passed, v.total, v.complete])).toEqual([['model-0', 3, 3, true]]);
    expect(ctx.verified[0]!.results.map((r) => r.status)).toEqual(['passed', 'passed', 'passed']);
    expect(progress).toEqual([
      { stage: 'verify', message: 'Checking 3 candidate fixes against all 3 tests', done: 0, total: 3 },
      { stage: 'verify', message: 'Checked 3 candidate fixes', done: 3, total: 3 },
    ]);
    expect(ctx.timings.verifyMs).toBeGreaterThanOrEqual(1_000_000);
    expect(ctx.timings.verifyMs).toBeLessThanOrEqual(1_000_000 + Math.ceil(performance.now() - t0));
  });

  it('does nothing for no candidates, and says "fix" for one', async () => {
    const progress: Progress[] = [];
    const ctx = await tested(progress);
    await verify(ctx, []);
    expect(progress).toEqual([]);
    expect(ctx.timings.verifyMs).toBeUndefined();
    await verify(ctx, proposals(ctx, F.replace('n * 3', 'n + 3')));
    expect(progress[0]?.message).toBe('Checking 1 candidate fix against all 3 tests');
  });

  it('when nothing passes, runs the four closest failures in full (screening stops at the first failure)', async () => {
    const ctx = await tested();
    // each passes the first test and one more or none; the first screen sees one pass each
    const codes = [
      'def f(n):\n    return 5 if n == 2 else 4\n', // t0, t2
      'def f(n):\n    return 5 if n == 2 else 3\n', // t0, t1
      'def f(n):\n    return 5 if n == 2 else 9\n', // t0
      'def f(n):\n    return 5 if n == 2 else 8\n', // t0
      'def f(n):\n    return 5 if n == 2 else 7\n', // t0
      'def f(n):\n    return n * 4\n', // none
    ];
    await verify(ctx, proposals(ctx, ...codes));
    expect(ctx.verified.map((v) => [v.id, v.passed, v.complete, v.results.length])).toEqual([
      // ranked on the screen (one pass each): the smaller edit first (`else 3` keeps the original's last `3`)
      ['model-1', 2, true, 3],
      ['model-0', 2, true, 3],
      ['model-2', 1, true, 3],
      ['model-3', 1, true, 3],
    ]);
    expect(ctx.verified.every((v) => v.total === 3)).toBe(true);
  });

  it('does not rerun failures when an earlier round already found a fix', async () => {
    const ctx = await tested();
    await verify(ctx, proposals(ctx, F.replace('n * 3', 'n + 3')));
    await verify(ctx, proposals(ctx, 'def f(n):\n    return 5 if n == 2 else 4\n'));
    expect(ctx.verified.map((v) => v.id)).toEqual(['model-0']);
  });
});

describe('rank: the best candidate so far', () => {
  it('is the best-ranked complete candidate, if it passes more tests than the original', async () => {
    const ctx = await tested();
    expect(bestSoFar(ctx)).toBeUndefined();
    ctx.baseline = [result('t0', 'passed'), result('t1', 'failed'), result('t2', 'failed')];
    const one = verified(ctx, 'a', [result('t0', 'passed')]);
    ctx.verified.push(one);
    expect(bestSoFar(ctx)).toBeUndefined();
    const two = verified(ctx, 'b', [result('t0', 'passed'), result('t1', 'passed')]);
    const incomplete = verified(ctx, 'c', passedAll(['t0', 't1', 't2']), { complete: false });
    ctx.verified.push(incomplete, two);
    expect(bestSoFar(ctx)).toBe(two);
    expect(allPassing(ctx)).toEqual([]);
    const all = verified(ctx, 'd', passedAll(['t0', 't1', 't2']));
    const none = verified(ctx, 'e', [], { total: 0 });
    ctx.verified.push(all, none);
    expect(bestSoFar(ctx)).toBe(all);
    expect(allPassing(ctx)).toEqual([all]);
  });
});
