/**
 * The program search's TypeScript half: the payload it sends, the answer it accepts, and how it resumes
 * a search cut into slices, against the real process sandbox. A runner killed mid-search (an interim
 * report, a call that brings nothing back) is played by a tap on the sandbox's wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type MutateRequest, type Sandbox } from '../../sandbox/index.ts';
import { TappedSandbox } from '../../tests/repair/stage-kit.ts';
import { TracefixError } from '../errors.ts';
import { editableLines, resumeFrom, runProgramSearch, SearchResponseSchema, SLICE_MS, type SearchRequest, type SearchResponse } from './search.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

const SOURCE = 'def f(n):\n    y = n * 3\n    return y\n';
const REQUEST: SearchRequest = { source: SOURCE, tests: 'assert f(2) == 5\nassert f(0) == 3\n', editable: [1, 3], budget: { candidates: 500, ms: 3_000 } };

const sent = (tap: TappedSandbox) => tap.requests.map((r) => r as MutateRequest);
const payloadOf = (r: MutateRequest) => r.payload as Record<string, unknown>;
/** A call's real answer with some fields replaced, as a runner stopped mid-search reports it. */
const rewrite = (fields: Record<string, unknown>) => (response: { payload?: unknown }) => ({ ...response, payload: { ...(response.payload as object), ...fields } }) as never;

describe('editableLines', () => {
  it('is every line without a frozen prefix', () => {
    expect(editableLines('', 'a\nb\n')).toEqual([1, 2]);
    expect(editableLines('', 'a\nb')).toEqual([1, 2]);
    expect(editableLines('', '')).toEqual([1, 1]);
  });
  it('starts after the prefix, freezing a line the prefix ends in the middle of', () => {
    expect(editableLines('p\nq\n', 'p\nq\nr\ns\n')).toEqual([3, 4]);
    expect(editableLines('p\nq', 'p\nqr\ns\n')).toEqual([3, 3]);
    expect(editableLines('p\n', 'p\n')).toEqual([2, 2]);
  });
});

describe('resumeFrom', () => {
  const base = (extra: Record<string, unknown>): SearchResponse => SearchResponseSchema.parse({ ok: true, tried: 7, scores: [[2, 1]], ...extra });
  it('resumes after the candidate in flight when a runner was killed, and where it stopped on time', () => {
    expect(resumeFrom(base({ partial: true, cursor: 9 }), 100)).toEqual({ count: 10, scores: [[2, 1]] });
    expect(resumeFrom(base({ partial: true }), 100)).toEqual({ count: 7, scores: [[2, 1]] });
    expect(resumeFrom(base({ stop: 'time' }), 100)).toEqual({ count: 7, scores: [[2, 1]] });
    expect(resumeFrom(base({ stop: 'time' }), 8)).toEqual({ count: 7, scores: [[2, 1]] });
    expect(resumeFrom(base({ partial: true, cursor: 6 }), 8)).toEqual({ count: 7, scores: [[2, 1]] });
  });
  it('does not resume a search that finished, found enough, spent its budget or failed', () => {
    expect(resumeFrom(base({ stop: 'done' }), 100)).toBeUndefined();
    expect(resumeFrom(base({ stop: 'enough' }), 100)).toBeUndefined();
    expect(resumeFrom(base({ stop: 'candidates' }), 100)).toBeUndefined();
    expect(resumeFrom(base({}), 100)).toBeUndefined();
    expect(resumeFrom(base({ stop: 'time' }), 7)).toBeUndefined();
    expect(resumeFrom(base({ partial: true, cursor: 6 }), 7)).toBeUndefined();
    expect(resumeFrom(base({ partial: true, tried: 7 }), 7)).toBeUndefined();
    expect(resumeFrom(base({ ok: false, stop: 'time' }), 100)).toBeUndefined();
    expect(resumeFrom(base({ ok: false, partial: true }), 100)).toBeUndefined();
  });
});

describe('runProgramSearch', () => {
  it('sends one slice when the search finishes in it, and returns its answer as it is', async () => {
    const tap = new TappedSandbox(sandbox);
    const r = await runProgramSearch(tap, REQUEST, DEFAULT_LIMITS);
    expect(r.ok).toBe(true);
    expect(r.exhausted).toBe(true);
    expect(r.candidates[0]?.source).toBe(SOURCE.replace('n * 3', 'n + 3'));
    expect(r.candidates[0]?.edits[0]).toEqual({ line: 2, kind: 'operator', description: '`*` -> `+`', before: '    y = n * 3' });
    const [req] = sent(tap);
    expect(sent(tap)).toHaveLength(1);
    expect(req!.mode).toBe('mutate');
    expect(req).not.toHaveProperty('language');
    // the slice is what is left of the 3 s (a millisecond may have passed since the search began)
    const ms = (payloadOf(req!).budget as { ms: number }).ms;
    expect(ms).toBeGreaterThan(2_900);
    expect(ms).toBeLessThanOrEqual(3_000);
    expect(payloadOf(req!)).toEqual({ op: 'search', source: SOURCE, tests: REQUEST.tests, entryPoint: null, editable: [1, 3], budget: { candidates: 500, ms }, returnLimit: 5 });
    // the runner stops itself at the slice; the backend's hard stop sits 4 s beyond it
    expect(req!.limits).toEqual({ ...DEFAULT_LIMITS, totalTimeoutMs: ms + 4_000 });
  });

  it('passes the operation, the entry point, the language and the number of alternatives on', async () => {
    const tap = new TappedSandbox(sandbox);
    const r = await runProgramSearch(tap, { ...REQUEST, op: 'analyze', entryPoint: 'f', returnLimit: 2, language: 'python', budget: { candidates: 9, ms: 100 } }, DEFAULT_LIMITS);
    expect(r.candidates).toEqual([]);
    expect(r.checks.map((c) => c.status)).toEqual(['failed', 'failed']);
    const [req] = sent(tap);
    expect(req!.language).toBe('python');
    expect(payloadOf(req!)).toMatchObject({ op: 'analyze', entryPoint: 'f', returnLimit: 2, budget: { candidates: 9, ms: 250 } });
    expect(req!.limits.totalTimeoutMs).toBe(4_250);
  });

  it('screens a long search in slices of SLICE_MS, resuming each where the last stopped on time', async () => {
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(0, rewrite({ stop: 'time', tried: 3, scores: [[1, 1]], candidates: [], exhausted: false, prepMs: 0 }));
    const r = await runProgramSearch(tap, { ...REQUEST, budget: { candidates: 500, ms: 60_000 } }, DEFAULT_LIMITS);
    const [first, second] = sent(tap);
    expect(sent(tap)).toHaveLength(2);
    expect(payloadOf(first!).budget).toEqual({ candidates: 500, ms: SLICE_MS });
    expect(payloadOf(first!)).not.toHaveProperty('skip');
    expect(payloadOf(second!).skip).toEqual({ count: 3, scores: [[1, 1]] });
    expect(second!.limits.totalTimeoutMs).toBe(SLICE_MS + 4_000);
    expect(SLICE_MS).toBe(4_000);
    // the second slice skipped what the first screened, and its answer is the search's
    expect(r.tried).toBeGreaterThan(3);
    expect(r.candidates[0]?.source).toContain('n + 3');
  });

  it('gives a resumed slice, and the deadline, the time its run spends again on the evidence before screening', async () => {
    // a slow test on a slow backend: the first run spent 3 s of its 4 s slice on the evidence runs
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(0, rewrite({ stop: 'time', tried: 1, scores: [], candidates: [], exhausted: false, prepMs: 3_000 }));
    const r = await runProgramSearch(tap, { ...REQUEST, budget: { candidates: 500, ms: 5_000 } }, DEFAULT_LIMITS);
    const [, second] = sent(tap);
    // 5 s budget, about 4.5 s left after the first call: without the 3 s back the slice would be what is left
    expect((payloadOf(second!).budget as { ms: number }).ms).toBeGreaterThan(SLICE_MS + 2_000);
    expect((payloadOf(second!).budget as { ms: number }).ms).toBeLessThanOrEqual(SLICE_MS + 3_000);
    expect(r.candidates[0]?.source).toContain('n + 3');
  });

  it('resumes after the candidate in flight when a runner was killed, giving the fresh runner time to start', async () => {
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(0, rewrite({ partial: true, cursor: 4, tried: 4, scores: [], candidates: [] }));
    const r = await runProgramSearch(tap, REQUEST, DEFAULT_LIMITS);
    const [, second] = sent(tap);
    expect(sent(tap)).toHaveLength(2);
    expect(payloadOf(second!).skip).toEqual({ count: 5, scores: [] });
    expect(second!.limits.totalTimeoutMs).toBe((payloadOf(second!).budget as { ms: number }).ms + 20_000);
    // the answer is the resumed call's: it screened past the five skipped
    expect(r.partial).toBeUndefined();
    expect(r.tried).toBeGreaterThan(5);
  });

  it('tries once more when a resumed call brings nothing back, then keeps what it has', async () => {
    const once = new TappedSandbox(sandbox);
    once.faults.set(0, rewrite({ stop: 'time', tried: 2, scores: [] }));
    once.faults.set(1, new Error('runner gone'));
    const r1 = await runProgramSearch(once, REQUEST, DEFAULT_LIMITS);
    expect(sent(once)).toHaveLength(3);
    expect(payloadOf(sent(once)[2]!).skip).toEqual({ count: 2, scores: [] });
    expect(sent(once)[2]!.limits.totalTimeoutMs).toBe((payloadOf(sent(once)[2]!).budget as { ms: number }).ms + 20_000);
    expect(r1.exhausted).toBe(true);

    const twice = new TappedSandbox(sandbox);
    twice.faults.set(0, rewrite({ stop: 'time', tried: 2, scores: [[0, 1]], exhausted: true }));
    twice.faults.set(1, new Error('runner gone'));
    twice.faults.set(2, new Error('runner gone again'));
    const r2 = await runProgramSearch(twice, REQUEST, DEFAULT_LIMITS);
    expect(sent(twice)).toHaveLength(3);
    expect(r2.tried).toBe(2);
    expect(r2.stop).toBe('time');
    expect(r2.exhausted).toBe(false);
  });

  it('rebuilds the full answer from the scores when the last report was an interim one', async () => {
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(0, rewrite({ partial: true, light: true, cursor: 2, tried: 2, scores: [], checks: [] }));
    tap.faults.set(1, new Error('runner gone'));
    tap.faults.set(2, new Error('runner gone again'));
    const r = await runProgramSearch(tap, REQUEST, DEFAULT_LIMITS);
    expect(sent(tap)).toHaveLength(4);
    const last = sent(tap)[3]!;
    expect(payloadOf(last)).toMatchObject({ skip: { count: 3, scores: [] }, budget: { candidates: 3, ms: SLICE_MS } });
    expect(last.limits.totalTimeoutMs).toBe(SLICE_MS + 20_000);
    expect(r.partial).toBe(false);
    expect(r.exhausted).toBe(false);
    expect(r.checks).toHaveLength(2);

    // and when that call fails too, the interim report stands
    const worse = new TappedSandbox(sandbox);
    worse.faults.set(0, rewrite({ partial: true, cursor: 2, tried: 2, scores: [] }));
    for (const k of [1, 2, 3]) worse.faults.set(k, new Error('runner gone'));
    const r2 = await runProgramSearch(worse, REQUEST, DEFAULT_LIMITS);
    expect(r2.partial).toBe(true);
    expect(r2.exhausted).toBe(false);
    expect(r2.tried).toBe(2);
  });

  it('rebuilds from everything the last interim report screened when it spent the candidate budget', async () => {
    // the real answer finds `n + 3` among the first candidates; the runner is then "killed" on the last
    // candidate of the budget: its interim report carries the scores of all it screened
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(0, (response) => {
      const real = response.payload as SearchResponse;
      expect(real.scores.some(([, passed]) => passed === 2)).toBe(true);
      return rewrite({ partial: true, cursor: 499, tried: 499, candidates: [], stop: undefined })(response);
    });
    const r = await runProgramSearch(tap, REQUEST, DEFAULT_LIMITS);
    expect(sent(tap)).toHaveLength(2);
    const rebuild = payloadOf(sent(tap)[1]!);
    expect(rebuild).toMatchObject({ skip: { count: 500 }, budget: { candidates: 500 } });
    expect(r.partial).toBe(false);
    expect(r.exhausted).toBe(false);
    expect(r.candidates[0]?.source).toBe(SOURCE.replace('n * 3', 'n + 3'));
  });

  it('rejects when the first call fails, or a cancelled one', async () => {
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(0, new Error('no runner'));
    await expect(runProgramSearch(tap, REQUEST, DEFAULT_LIMITS)).rejects.toThrow('no runner');
    // a cancel while the search runs: a failing call is not retried, and the rebuild is not tried
    const abort = new AbortController();
    const cancelled = new TappedSandbox(sandbox);
    cancelled.faults.set(0, (response) => {
      abort.abort();
      return rewrite({ stop: 'time', tried: 2, scores: [] })(response);
    });
    cancelled.faults.set(1, new Error('aborted'));
    await expect(runProgramSearch(cancelled, REQUEST, DEFAULT_LIMITS, abort.signal)).rejects.toThrow('aborted');
    expect(cancelled.requests).toHaveLength(2);
    const abort2 = new AbortController();
    const interim = new TappedSandbox(sandbox);
    interim.faults.set(0, rewrite({ partial: true, tried: 2, scores: [] }));
    interim.faults.set(1, new Error('gone'));
    interim.faults.set(2, new Error('gone'));
    interim.faults.set(3, () => {
      abort2.abort();
      throw new Error('cancelled while rebuilding');
    });
    await expect(runProgramSearch(interim, REQUEST, DEFAULT_LIMITS, abort2.signal)).rejects.toThrow('cancelled while rebuilding');
  });

  it('rejects an answer it cannot read, saying what was wrong', async () => {
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(0, rewrite({ ok: 'yes', tried: 'many' }));
    const error = await runProgramSearch(tap, REQUEST, DEFAULT_LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TracefixError);
    expect((error as TracefixError).code).toBe('runner_protocol');
    expect((error as TracefixError).userMessage).toBe('The program search returned something we could not read.');
    expect((error as TracefixError).message).toMatch(/^mutate payload: ok: .+; tried: .+$/);
  });
});

describe('SearchResponseSchema', () => {
  it('fills what a short answer leaves out', () => {
    expect(SearchResponseSchema.parse({ ok: false, reason: 'bad_payload' })).toEqual({
      ok: false,
      reason: 'bad_payload',
      checks: [],
      suspicious: [],
      inputs: [],
      candidates: [],
      tried: 0,
      exhausted: false,
      elapsedMs: 0,
      scores: [],
    });
    expect(SearchResponseSchema.parse({ ok: true, checks: [{ id: 't0', name: 'n', kind: 'assert', status: 'failed' }], failing: { check: 't0', name: 'n', status: 'failed' } })).toMatchObject({
      checks: [{ lines: [] }],
      failing: { values: {}, returns: {} },
    });
  });
});
