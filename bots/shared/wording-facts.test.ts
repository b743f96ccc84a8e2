/**
 * The sentences of bots/shared/wording.ts, case by case: every status's headline, the table, the
 * fact sentences and their limits, the not-pinned question, the "why?" answer, errors in logs.
 */
import { describe, expect, it } from 'vitest';
import { TracefixError } from '../../src/errors.ts';
import type { FixChoice, RepairResult, TestRow } from '../../src/repair/types.ts';
import { smallResult } from '../../tests/fixtures/sample-result.ts';
import {
  addedTestLine,
  choiceLabel,
  choiceWording,
  codeDidNotLoad,
  divergenceSentence,
  errorFields,
  errorMessage,
  factLines,
  failingSentence,
  headline,
  NOT_ALLOWED_MESSAGE,
  presentable,
  progressLine,
  rateLimitMessage,
  statusMark,
  testTable,
  USAGE,
  whyLines,
} from './wording.ts';

const row = (name: string, before: TestRow['before'], after?: TestRow['after'], detail?: string): TestRow => ({
  id: name,
  name,
  before,
  ...(after === undefined ? {} : { after }),
  ...(detail === undefined ? {} : { detail }),
});

function result(overrides: Partial<RepairResult>): RepairResult {
  return { ...smallResult(), ...overrides };
}

const option = (id: string, output: string, edit: string) => ({ id, output, test: `assert f(0) == ${output}`, fixedCode: '', diff: '', edit });

describe('statusMark and testTable', () => {
  it('marks each status, and a missing one with a dash', () => {
    expect([statusMark('passed'), statusMark('failed'), statusMark('error'), statusMark('timeout'), statusMark(undefined)]).toEqual(['✓ pass', '✗ fail', '‼ error', '⏱ timeout', '–']);
  });

  it('pads names to the longest (at least 4, at most 40 characters) and cuts longer ones with an ellipsis', () => {
    expect(testTable([])).toBe('(no tests ran)');
    expect(testTable([row('t', 'failed', 'passed')])).toBe(['test  before     after', 't     ✗ fail     ✓ pass'].join('\n'));
    expect(testTable([row('test_a', 'passed'), row('test_bb', 'timeout', 'error')])).toBe(
      ['test     before     after', 'test_a   ✓ pass     –', 'test_bb  ⏱ timeout  ‼ error'].join('\n'),
    );
    const long = 'x'.repeat(45);
    const lines = testTable([row(long, 'failed', 'failed')]).split('\n');
    expect(lines[0]).toBe(`${'test'.padEnd(40)}  before     after`);
    expect(lines[1]).toBe(`${'x'.repeat(39)}…  ✗ fail     ✗ fail`);
    // Exactly 40 fits without a cut.
    expect(testTable([row('y'.repeat(40), 'passed')]).split('\n')[1]).toBe(`${'y'.repeat(40)}  ✓ pass     –`);
  });
});

describe('progressLine', () => {
  it('adds the count only when both parts are known and the message does not already say it', () => {
    expect(progressLine({ stage: 'tests', message: 'Running your tests' })).toBe('⏳ Running your tests');
    expect(progressLine({ stage: 'search', message: 'Trying fixes', done: 2 })).toBe('⏳ Trying fixes');
    expect(progressLine({ stage: 'search', message: 'Trying fixes', total: 9 })).toBe('⏳ Trying fixes');
    expect(progressLine({ stage: 'search', message: 'Trying fixes', done: 0, total: 9 })).toBe('⏳ Trying fixes (0/9)');
  });
});

describe('headline for every status', () => {
  const tests = [row('a', 'failed', 'passed'), row('b', 'passed', 'passed'), row('c', 'failed', 'passed')];

  it('fixed, partly fixed (with and without breaking a test), not fixed', () => {
    expect(headline(result({ status: 'fixed', tests }))).toBe('✅ Fixed — all 3 tests pass (1 passed before)');
    expect(headline(result({ status: 'partly_fixed', tests: [row('a', 'failed', 'passed'), row('b', 'failed', 'failed'), row('c', 'failed')] }))).toBe(
      '🟡 Partly fixed — 1 of 3 tests pass (0 before)',
    );
    expect(headline(result({ status: 'partly_fixed', tests: [row('a', 'passed', 'failed'), row('b', 'passed', 'error'), row('c', 'failed', 'passed'), row('d', 'failed', 'passed'), row('e', 'failed', 'passed')] }))).toBe(
      '🟡 Partly fixed — 3 of 5 tests pass (2 before) — but 2 tests that passed before fail with this change',
    );
    // A row without an "after" was not re-run: it keeps its "before" and breaks nothing.
    expect(headline(result({ status: 'partly_fixed', tests: [row('a', 'passed'), row('b', 'failed', 'passed'), row('c', 'failed', 'failed')] }))).toBe(
      '🟡 Partly fixed — 2 of 3 tests pass (1 before)',
    );
    expect(headline(result({ status: 'not_fixed', tests, candidates: { tried: 1, passed: 0, fromModel: 0, fromSearch: 1 } }))).toBe('❌ No verified fix found — tried 1 candidate');
    expect(headline(result({ status: 'not_fixed', tests, candidates: { tried: 12, passed: 0, fromModel: 2, fromSearch: 10 } }))).toBe('❌ No verified fix found — tried 12 candidates');
  });

  it('nothing to fix, needs tests, not pinned (one or several options), cannot run', () => {
    expect(headline(result({ status: 'nothing_to_fix', tests: [row('a', 'passed'), row('b', 'passed')] }))).toBe('✅ Nothing to fix — all 2 tests already pass');
    expect(headline(result({ status: 'needs_tests', tests: [] }))).toBe('❓ I need a failing example to work from');
    const one: FixChoice = { call: 'f(0)', options: [option('o1', '1', 'e1')] };
    const three: FixChoice = { call: 'f(0)', options: [option('o1', '1', 'e1'), option('o2', '2', 'e2'), option('o3', '3', 'e3')] };
    expect(headline(result({ status: 'not_pinned', tests, choice: one }))).toBe('🤔 A fix passes your tests, but they do not pin it down: is its answer right?');
    expect(headline(result({ status: 'not_pinned', tests, choice: three }))).toBe('🤔 Your tests pass with 3 different fixes — they do not pin the fix down: which is right?');
    expect(headline(result({ status: 'not_pinned', tests }))).toBe('🤔 Your tests pass with several different fixes — they do not pin the fix down: which is right?');
    expect(headline(result({ status: 'cannot_run', tests, facts: { missingModule: 'pandas' } }))).toBe('⚠️ Your code needs the module `pandas`, which this sandbox does not have');
    expect(headline(result({ status: 'cannot_run', tests, facts: {} }))).toBe('⚠️ Your code needs something, which this sandbox does not have');
  });

  it('a compile error without a line says so without one', () => {
    expect(headline(result({ status: 'not_fixed', facts: { compileError: { type: 'IndentationError', message: 'unexpected indent' } } }))).toBe(
      '❌ Python cannot compile your code: IndentationError — none of the tests ran',
    );
  });
});

describe('codeDidNotLoad and presentable', () => {
  const unloaded = (detail?: string) => result({ status: 'not_fixed', tests: [row('a', 'error', undefined, detail), row('b', 'error')], trace: { testName: 'a', rendered: 'r', excerpt: 'e', truncated: false } });

  it('trusts the facts when there are some: a compile error that the fix did not repair', () => {
    expect(codeDidNotLoad(result({ status: 'not_fixed', facts: { compileError: { type: 'SyntaxError', message: 'x' } } }))).toBe(true);
    expect(codeDidNotLoad(result({ status: 'fixed', facts: { compileError: { type: 'SyntaxError', message: 'x' } } }))).toBe(false);
    // Facts without a compile error: the rows are not read at all.
    expect(codeDidNotLoad({ ...unloaded(), facts: {} })).toBe(false);
  });

  it('without facts, every row an error with no detail (or the not-run detail), and no fix', () => {
    expect(codeDidNotLoad(unloaded())).toBe(true);
    expect(codeDidNotLoad(unloaded('did not run: the code did not load'))).toBe(true);
    expect(codeDidNotLoad(unloaded('NameError: x'))).toBe(false);
    expect(codeDidNotLoad({ ...unloaded(), status: 'fixed' })).toBe(false);
    expect(codeDidNotLoad(result({ status: 'not_fixed', tests: [] }))).toBe(false);
    expect(codeDidNotLoad(result({ status: 'not_fixed', tests: [row('a', 'error'), row('b', 'failed')] }))).toBe(false);
  });

  it('drops the unrun trace, marks every row as not run, and replaces only the generic summary', () => {
    const generic = presentable({ ...unloaded(), summary: 'No fix found: none of 0 candidate fixes passed.' });
    expect(generic.trace).toBeUndefined();
    expect(generic.summary).toBe('Look for a missing colon, bracket or quote, or a line indented wrongly, then try again.');
    expect(generic.tests.map((r) => r.detail)).toEqual(['did not run: the code did not load', 'did not run: the code did not load']);
    // Still "did not load" after the rewrite: the detail it gives is the one it recognises.
    expect(codeDidNotLoad(generic)).toBe(true);
    const named = presentable({ ...unloaded(), summary: 'Your code does not load: SyntaxError at line 1.' });
    expect(named.summary).toBe('Your code does not load: SyntaxError at line 1.');
  });

  it('hides the script row of a run without tests, and leaves other results alone', () => {
    expect(presentable(result({ status: 'needs_tests', tests: [row('script', 'passed')] })).tests).toEqual([]);
    const fine = result({ status: 'fixed' });
    expect(presentable(fine)).toBe(fine);
  });
});

describe('rate limits, errors and fixed texts', () => {
  it('rounds the wait up to whole minutes, at least one', () => {
    expect(rateLimitMessage({ allowed: false, scope: 'user', limit: 3, retryAfterMs: 60_000 })).toBe('🙏 You have reached the limit of 3 fixes per hour — please try again in about 1 minute.');
    expect(rateLimitMessage({ allowed: false, scope: 'channel', limit: 10, retryAfterMs: 60_001 })).toBe(
      '🙏 This channel has reached the limit of 10 fixes per hour — please try again in about 2 minutes.',
    );
    expect(rateLimitMessage({ allowed: false, scope: 'user', limit: 1, retryAfterMs: 0 })).toMatch(/about 1 minute\.$/);
  });

  it('ends the error sentence with one full stop, keeping ! and ?', () => {
    expect(errorMessage(new TracefixError('bad_input', 'Is that Python?  '), 'r1')).toBe('⚠️ Is that Python? (reference: r1)');
    expect(errorMessage(new TracefixError('bad_input', 'Too big!'), 'r2')).toBe('⚠️ Too big! (reference: r2)');
    expect(errorMessage(new TracefixError('bad_input', 'Done.'), 'r3')).toBe('⚠️ Done. (reference: r3)');
  });

  it('logs type, message, code, status, stack and causes (three deep), and a non-error as its text', () => {
    expect(errorFields('plain')).toEqual({ message: 'plain' });
    expect(errorFields(42)).toEqual({ message: '42' });
    const bare = new Error('x');
    delete bare.stack;
    expect(errorFields(bare)).toEqual({ type: 'Error', message: 'x' });
    const coded = Object.assign(new Error('y'), { code: 'ECONNRESET', status: '500' });
    coded.stack = 'STACK';
    expect(errorFields(coded)).toEqual({ type: 'Error', message: 'y', code: 'ECONNRESET', stack: 'STACK' });
    const objectCode = Object.assign(new Error('z'), { code: { nested: true }, status: 429 });
    delete objectCode.stack;
    expect(errorFields(objectCode)).toEqual({ type: 'Error', message: 'z', status: 429 });
    let chain: Error = new Error('e0');
    for (let i = 1; i <= 5; i++) chain = new Error(`e${i}`, { cause: chain });
    const depth = (fields: Record<string, unknown>): number => (fields.cause ? 1 + depth(fields.cause as Record<string, unknown>) : 0);
    expect(depth(errorFields(chain))).toBe(3);
  });

  it('the help text says how to paste, and the refusal names tracefix', () => {
    expect(USAGE).toMatch(/^Paste the failing Python in a code block, and your tests in a second one/);
    expect(USAGE).toMatch(/reply with a fix that passes them\.$/);
    expect(NOT_ALLOWED_MESSAGE).toMatch(/^tracefix is not enabled/);
  });
});

describe('fact sentences', () => {
  const failing = { testId: 't1', name: 'test_f' };

  it('words a failing check by what is known of it', () => {
    expect(failingSentence({ ...failing, status: 'timeout', line: 4 })).toBe('`test_f` ran out of time at line 4.');
    expect(failingSentence({ ...failing, status: 'error', error: 'ZeroDivisionError: division by zero' })).toBe('`test_f` raised `ZeroDivisionError: division by zero`.');
    expect(failingSentence({ ...failing, status: 'failed', expected: '3' })).toBe('`test_f` failed: expected `3`, got `?`.');
    expect(failingSentence({ ...failing, status: 'failed', actual: '4', line: 2 }, true)).toBe('Before the fix, `test_f` failed: expected `?`, got `4` at line 2.');
    expect(failingSentence({ ...failing, status: 'failed', expected: '3', error: 'AssertionError' })).toBe('`test_f` failed: expected `3`, got `?`.');
    expect(failingSentence({ ...failing, status: 'failed' })).toBe('`test_f` failed.');
    // Long values are cut to one short line.
    const long = failingSentence({ ...failing, status: 'failed', expected: 'a'.repeat(100), actual: 'b\nc' });
    expect(long).toBe(`\`test_f\` failed: expected \`${'a'.repeat(79)}…\`, got \`b c\`.`);
  });

  it('words where the runs part ways, with at most four variables each', () => {
    const divergence = {
      testName: 'test_f',
      step: 3,
      original: { line: 2, vars: { a: '1', b: '2', c: '3', d: '4', e: '5' } },
      fixed: { line: 5, vars: {} },
    };
    expect(divergenceSentence(divergence)).toBe(
      'The original and the fix part ways at step 3 of `test_f`: the fix is at line 5, the original at line 2 with `a=1`, `b=2`, `c=3`, `d=4`.',
    );
    expect(divergenceSentence({ ...divergence, call: 'f(1)', original: { line: 2, vars: { x: 'y'.repeat(70) } } })).toBe(
      `Called as \`f(1)\`, the original and the fix part ways at step 3 of \`test_f\`: the fix is at line 5, the original at line 2 with \`x=${'y'.repeat(57)}…\`.`,
    );
  });

  it('lists compile error, missing module, failing check, at most three edits, and the divergence, in that order', () => {
    const lines = factLines(
      result({
        status: 'partly_fixed',
        tests: [row('t1', 'failed', 'failed')],
        facts: {
          compileError: { type: 'SyntaxError', message: 'bad' },
          missingModule: 'numpy',
          failing: { ...failing, status: 'failed', expected: '1', actual: '2' },
          edits: [
            { line: 1, kind: 'k', description: 'd1', before: 'a', after: 'b' },
            { line: 2, kind: 'k', description: 'd2', before: 'c' },
            { line: 3, kind: 'k', description: 'd3', before: 'e', after: 'f' },
            { line: 4, kind: 'k', description: 'd4', before: 'g', after: 'h' },
          ],
          divergence: { testName: 'test_f', step: 1, original: { line: 1, vars: {} }, fixed: { line: 1, vars: {} } },
        },
      }),
    );
    expect(lines).toEqual([
      'Python cannot compile your code: SyntaxError: `bad`.',
      'Your code imports `numpy`, which this sandbox does not have, so I did not look for a fix. Run tracefix with the `process` sandbox and a Python that has it installed, or with E2B.',
      '`test_f` failed: expected `1`, got `2`.',
      'The fix, line 1: d1 (`a` → `b`).',
      'The fix, line 2: d2 (`c`).',
      'The fix, line 3: d3 (`e` → `f`).',
      'The original and the fix part ways at step 1 of `test_f`: the fix is at line 1, the original at line 1.',
    ]);
  });

  it('says nothing of a failing check when there was nothing to fix, and marks "before the fix" only for the check the fix passes', () => {
    const facts = { failing: { ...failing, status: 'failed' as const } };
    expect(factLines(result({ status: 'nothing_to_fix', facts }))).toEqual([]);
    expect(factLines(result({ status: 'fixed', tests: [row('t1', 'failed', 'passed')], facts }))).toEqual(['Before the fix, `test_f` failed.']);
    expect(factLines(result({ status: 'partly_fixed', tests: [row('t1', 'failed', 'failed'), { ...row('t2', 'failed', 'passed') }], facts }))).toEqual(['`test_f` failed.']);
  });
});

describe('the not-pinned question and the follow-ups', () => {
  it('asks about one fix, or which of several, lettering the options and marking the best guess', () => {
    const single = choiceWording({ call: 'f(0)', options: [option('o1', '1', 'returns 1')] });
    expect(single.question).toBe('A fix passes your tests, but they do not settle `f(0)`. Is this answer right? If not, add an assert with the right one.');
    expect(single.original).toBeUndefined();
    expect(single.options).toEqual([{ id: 'o1', letter: 'A', output: '1', test: 'assert f(0) == 1', line: 'A. `1` (my best guess, shown below) — returns 1' }]);
    const many = choiceWording({ call: 'f(0)', original: 'None', options: [option('o1', '1', 'e1'), option('o2', '2', 'e2')] });
    expect(many.original).toBe('Your code as it is gives `None`.');
    expect(many.options.map((o) => o.line)).toEqual(['A. `1` (my best guess, shown below) — e1', 'B. `2` — e2']);
    const lots = choiceWording({ call: 'f(0)', options: Array.from({ length: 28 }, (_, i) => option(`o${i}`, String(i), 'e')) });
    expect(lots.options.map((o) => o.letter).slice(24)).toEqual(['Y', 'Z', '27', '28']);
  });

  it('labels a button with the letter and the output on one line, within the platform’s limit', () => {
    const [a] = choiceWording({ call: 'f(0)', options: [option('o1', '[1,\n 2]', 'e')] }).options;
    expect(choiceLabel(a!, 75)).toBe('A: [1, 2]');
    expect(choiceLabel({ ...a!, output: 'x'.repeat(10) }, 12)).toBe('A: xxxxxxxxx'.slice(0, 11) + '…');
    expect(choiceLabel({ ...a!, output: 'x'.repeat(9) }, 12)).toBe(`A: ${'x'.repeat(9)}`);
  });

  it('announces a re-run with the added test', () => {
    expect(addedTestLine('assert f(0) == 1')).toBe('🔁 Checking again with `assert f(0) == 1` added to your tests…');
  });

  it('answers "why?" from the facts (not the edits), else the rationale, then where the trace is', () => {
    const traced = { testName: 'test_f', rendered: 'r', excerpt: 'e', truncated: false };
    const withFacts = whyLines(
      result({ status: 'fixed', tests: [row('t1', 'failed', 'passed')], trace: traced, facts: { failing: { testId: 'x', name: 'test_f', status: 'failed' }, edits: [{ line: 1, kind: 'k', description: 'd', before: 'a' }] } }),
    );
    expect(withFacts).toEqual(['`test_f` failed.', 'The full NExT trace of `test_f` is attached: every executed line, with the values it produced.']);
    const { trace: _t, facts: _f, ...bare } = result({ rationale: '  Because of the loop.  ' });
    expect(whyLines(bare)).toEqual(['Because of the loop.', 'No trace was recorded for this answer.']);
    const { trace: _t2, facts: _f2, rationale: _r, ...nothing } = result({});
    expect(whyLines(nothing)).toEqual(['No trace was recorded for this answer.']);
  });
});
