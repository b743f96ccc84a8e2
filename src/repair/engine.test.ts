/**
 * The engine's rounds on small programs without a model: the search, a second search from the closest
 * attempt, and what a deadline or a cancel leaves (the model's rounds: engine-model.test.ts, apart so
 * that only those tests load LangChain). The process sandbox runs everything; a tap on its wire shows
 * the budgets the engine gives the search.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSandbox, type MutateRequest, type Sandbox } from '../../sandbox/index.ts';
import { request, TappedSandbox } from '../../tests/repair/stage-kit.ts';
import { TracefixError } from '../errors.ts';
import { createRepairEngine, DEFAULT_BUDGET, missingModuleOf } from './engine.ts';
import type { Progress } from './types.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

const stagesOf = (progress: Progress[]) => progress.map((p) => p.stage);
const mutateBudgets = (tap: TappedSandbox) => tap.requests.filter((r): r is MutateRequest => r.mode === 'mutate').map((r) => (r.payload as { budget: { candidates: number; ms: number } }).budget);

/** Two bugs, one per line: one edit fixes one test, the second edit the rest. */
const TWO_BUGS = 'def f(n):\n    m = n - 1\n    return m * 3\n';
const TWO_BUGS_TESTS = 'assert f(-1) == 0\nassert f(0) == 2\nassert f(1) == 4\n';
/** Five tests: a fix of two edits on fewer is confirmed with the user (report.ts, FEW_TESTS_FOR_EDIT_PAIRS). */
const TWO_BUGS_FIVE_TESTS = `${TWO_BUGS_TESTS}assert f(2) == 6\nassert f(3) == 8\n`;
const TWO_BUGS_FIXED = 'def f(n):\n    m = n + 1\n    return m * 2\n';
/** Beyond any edit of the search. */
const GREET = "def greet(name):\n    return 'hi ' + name\n";
const GREET_TESTS = "assert greet('bob') == 'Good evening, Bob!'\nassert greet('al') == 'Good evening, Al!'\nassert greet('cy') == 'Good evening, Cy!'\n";

describe('the engine without a model', () => {
  it('fixes with the search in one round, giving it the search budget', async () => {
    const tap = new TappedSandbox(sandbox);
    const progress: Progress[] = [];
    const engine = createRepairEngine({ sandbox: tap, budget: { searchMs: 3_000 } });
    const r = await engine.run(request('def f(n):\n    return n * 3\n', 'assert f(2) == 5\nassert f(0) == 3\nassert f(1) == 4\n'), { onProgress: (p) => progress.push(p) });
    expect(r.status).toBe('fixed');
    expect(r.fixedCode).toBe('def f(n):\n    return n + 3\n');
    expect(r.candidates.fromSearch).toBeGreaterThanOrEqual(1);
    expect(r.candidates.fromModel).toBe(0);
    // the search's 3 s (a millisecond may pass between the engine's call and the search's first slice)
    expect(mutateBudgets(tap)[0]?.candidates).toBe(DEFAULT_BUDGET.searchCandidates);
    expect(mutateBudgets(tap)[0]!.ms).toBeGreaterThan(2_900);
    expect(mutateBudgets(tap)[0]!.ms).toBeLessThanOrEqual(3_000);
    expect(stagesOf(progress)).not.toContain('second_round');
    expect(stagesOf(progress)).not.toContain('model');
    // the passing fix was run on inputs grown from the tests
    expect(r.probe?.inputs).toBeGreaterThan(3);
  });

  it('asks to confirm a one-edit fix of two tests; calls it fixed once the user picked an answer, or on three tests', async () => {
    const engine = createRepairEngine({ sandbox, budget: { searchMs: 3_000 } });
    const code = 'def f(n):\n    return n * 3\n';
    const two = await engine.run(request(code, 'assert f(2) == 5\nassert f(0) == 3\n'));
    expect(two.fixedCode).toBe('def f(n):\n    return n + 3\n');
    expect(two.status).toBe('not_pinned');
    expect(two.choice?.options).toHaveLength(1);
    const picked = two.choice!.options[0]!.test;
    const settled = await engine.run({ ...request(code, `assert f(2) == 5\n${picked}\n`), confirmedTests: [picked] });
    expect(settled.fixedCode).toBe('def f(n):\n    return n + 3\n');
    expect(settled.status).toBe('fixed');
    const three = await engine.run(request(code, 'assert f(2) == 5\nassert f(0) == 3\nassert f(4) == 7\n'));
    expect(three.fixedCode).toBe('def f(n):\n    return n + 3\n');
    expect(three.status).toBe('fixed');
  });

  it('goes on without the search when it fails, and rejects when the tests cannot run', async () => {
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(2, new Error('runner gone'));
    const r = await createRepairEngine({ sandbox: tap, budget: { searchMs: 3_000 } }).run(request('def f(n):\n    return n * 3\n', 'assert f(2) == 5\n'));
    expect(tap.requests[2]?.mode).toBe('mutate');
    expect(r.status).toBe('not_fixed');
    expect(r.summary).toMatch(/^No fix found: no candidate fix could be tried/);
    const broken = new TappedSandbox(sandbox);
    broken.faults.set(0, new Error('sandbox down'));
    await expect(createRepairEngine({ sandbox: broken }).run(request('def f(n):\n    return n * 3\n', 'assert f(2) == 5\n'))).rejects.toThrow('sandbox down');
  });

  it('searches again from the closest attempt, with half the time, and describes both edits', async () => {
    const tap = new TappedSandbox(sandbox);
    const progress: Progress[] = [];
    const engine = createRepairEngine({ sandbox: tap, budget: { searchMs: 3_000, searchCandidates: 20 } });
    const r = await engine.run(request(TWO_BUGS, TWO_BUGS_FIVE_TESTS), { onProgress: (p) => progress.push(p) });
    expect(r.status).toBe('fixed');
    expect(r.fixedCode).toBe(TWO_BUGS_FIXED);
    expect(r.facts?.edits?.map((e) => [e.line, e.description])).toEqual([
      [2, '`-` -> `+`'],
      [3, '`3` -> `2`'],
    ]);
    expect(progress).toContainEqual({ stage: 'second_round', message: 'Searching again from the closest attempt' });
    const budgets = mutateBudgets(tap);
    expect(budgets[0]?.candidates).toBe(20);
    expect(budgets[0]!.ms).toBeGreaterThan(2_900);
    expect(budgets[0]!.ms).toBeLessThanOrEqual(3_000);
    expect(budgets[1]?.candidates).toBe(20);
    expect(budgets[1]!.ms).toBeGreaterThan(1_000);
    expect(budgets[1]!.ms).toBeLessThanOrEqual(1_500);
    expect(r.candidates.tried).toBe(40);
    expect(r.candidates.fromSearch).toBeGreaterThanOrEqual(2);
  });

  it('does not search again when the second round is off, or when the search is off', async () => {
    const off = await createRepairEngine({ sandbox, budget: { searchMs: 3_000, searchCandidates: 20, secondRound: false } }).run(request(TWO_BUGS, TWO_BUGS_TESTS));
    expect(off.status).toBe('partly_fixed');
    expect(off.candidates.tried).toBe(20);
    const progress: Progress[] = [];
    const none = await createRepairEngine({ sandbox, budget: { search: false } }).run(request(TWO_BUGS, TWO_BUGS_TESTS), { onProgress: (p) => progress.push(p) });
    expect(none.status).toBe('not_fixed');
    expect(none.summary).toMatch(/^No fix found: no candidate fix could be tried \(0\/3 tests pass\)\./);
    expect(stagesOf(progress)).toEqual(['tests', 'trace', 'done']);
  });

  it('says there is nothing to fix when every test passes, with the trace', async () => {
    const r = await createRepairEngine({ sandbox }).run(request('def f(n):\n    return n + 3\n', 'assert f(2) == 5\nassert f(0) == 3\n'));
    expect(r.status).toBe('nothing_to_fix');
    expect(r.summary).toBe('Nothing to fix: all 2 tests pass. The trace shows what each line did.');
    expect(r.trace?.testName).toBe('assert f(2) == 5');
    expect(r.candidates.tried).toBe(0);
    const one = await createRepairEngine({ sandbox }).run(request('def f(n):\n    return n + 3\n', 'assert f(2) == 5\n'));
    expect(one.summary).toBe('Nothing to fix: the test passes. The trace shows what each line did.');
  });

  it('returns at once what the tests alone settle', async () => {
    const r = await createRepairEngine({ sandbox }).run(request('import numpy\n\ndef f(n):\n    return n\n', 'assert f(1) == 1\n'));
    expect(r.status).toBe('cannot_run');
    expect(r.trace).toBeUndefined();
    expect(missingModuleOf([{ program: 'p', test: 't0', status: 'error', durationMs: 1, error: { type: 'ModuleNotFoundError', message: "No module named 'numpy'", where: 'program' } }])).toBe('numpy');
  });

  it('rejects empty code as bad input', async () => {
    const error = await createRepairEngine({ sandbox }).run(request(' \n\t', 'assert True\n')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TracefixError);
    expect(error).toMatchObject({ code: 'empty_input', userMessage: 'There is no code to work on: paste the Python program that misbehaves.' });
  });
});

describe('deadlines and cancels', () => {
  it('rejects with a retryable deadline error when nothing ran, and with cancelled when cancelled first', async () => {
    const engine = createRepairEngine({ sandbox });
    const late = await engine.run(request('def f():\n    return 1\n', 'assert f() == 2\n'), { deadline: Date.now() - 1 }).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'deadline', retryable: true, userMessage: 'This took longer than the time allowed; try a smaller snippet or fewer tests.' });
    const abort = new AbortController();
    abort.abort();
    const cancelled = await engine.run(request('def f():\n    return 1\n', 'assert f() == 2\n'), { signal: abort.signal }).catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(TracefixError);
    expect(cancelled).toMatchObject({ code: 'cancelled', retryable: false, userMessage: 'The request was cancelled.' });
  });

  it('gives the search what is left before the deadline, less five seconds, and at least half a second', async () => {
    // The test's clock stands still: the time left is exactly what the deadline says.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const tap = new TappedSandbox(sandbox);
      const engine = createRepairEngine({ sandbox: tap, budget: { searchMs: 20_000, secondRound: false } });
      await engine.run(request('def f(n):\n    return n * 3\n', 'assert f(2) == 5\n'), { deadline: Date.now() + 7_000 });
      expect(mutateBudgets(tap)[0]!.ms).toBe(2_000);
      const tap2 = new TappedSandbox(sandbox);
      await createRepairEngine({ sandbox: tap2, budget: { secondRound: false } }).run(request('def f(n):\n    return n * 3\n', 'assert f(2) == 5\n'), { deadline: Date.now() + 5_000 });
      expect(mutateBudgets(tap2)[0]!.ms).toBe(500);
    } finally {
      vi.useRealTimers();
    }
  });

  it('returns the best partial fix it has when the deadline falls, without probing or tracing it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const deadline = Date.now() + 60_000;
      const engine = createRepairEngine({ sandbox, budget: { searchMs: 3_000, searchCandidates: 20 } });
      const r = await engine.run(request(TWO_BUGS, TWO_BUGS_TESTS), {
        deadline,
        onProgress: (p) => {
          if (p.stage === 'second_round') vi.setSystemTime(deadline);
        },
      });
      expect(r.status).toBe('partly_fixed');
      expect(r.summary).toBe('Partly fixed: 1/3 tests pass, up from 0.');
      expect(r.facts?.divergence).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('says it ran out of time when the deadline falls before any fix, with the tests as they ran', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const deadline = Date.now() + 60_000;
      const engine = createRepairEngine({ sandbox, budget: { searchMs: 3_000 } });
      const r = await engine.run(request(GREET, GREET_TESTS), {
        deadline,
        onProgress: (p) => {
          if (p.stage === 'trace') vi.setSystemTime(deadline);
        },
      });
      expect(r.status).toBe('not_fixed');
      expect(r.summary).toBe('Ran out of time before finding a fix (0 candidates tried).');
      expect(r.tests.map((t) => t.before)).toEqual(['failed', 'failed', 'failed']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects with cancelled when cancelled in the middle with nothing better', async () => {
    const abort = new AbortController();
    const run = createRepairEngine({ sandbox, budget: { searchMs: 3_000 } }).run(request(GREET, GREET_TESTS), {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.stage === 'search') abort.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });
});
