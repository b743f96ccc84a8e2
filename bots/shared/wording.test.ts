import { describe, expect, it } from 'vitest';
import { TracefixError } from '../../src/errors.ts';
import type { RepairResult } from '../../src/repair/types.ts';
import { smallResult } from '../../tests/fixtures/sample-result.ts';
import { awkwardResult, notPinnedResult } from '../../tests/bots/results.ts';
import { choiceLabel, choiceWording, codeDidNotLoad, errorFields, errorMessage, factLines, headline, inlineCode, progressLine, rateLimitMessage, testTable } from './wording.ts';

describe('wording', () => {
  it('gives errors one sentence and the reference id', () => {
    expect(errorMessage(new TracefixError('too_large', 'That paste is too large'), 'req_1')).toBe('⚠️ That paste is too large. (reference: req_1)');
    expect(errorMessage(new Error('ECONNRESET at 10.0.0.1 token=xoxb-secret'), 'req_2')).toBe(
      '⚠️ Something went wrong on our side while working on this request. (reference: req_2)',
    );
  });

  it('keeps request bodies of vendor errors out of log fields', () => {
    const error = Object.assign(new Error('Missing Access'), { code: 50001, status: 403, requestBody: { json: { content: 'def secret(): ...' } } });
    const fields = errorFields(new TracefixError('internal', 'x', { cause: error }));
    expect(JSON.stringify(fields)).not.toContain('secret');
    expect(fields).toMatchObject({ type: 'TracefixError', cause: { code: 50001, status: 403, message: 'Missing Access' } });
  });

  it('says when to come back after a rate limit', () => {
    expect(rateLimitMessage({ allowed: false, scope: 'user', limit: 30, retryAfterMs: 61_000 })).toMatch(/You have reached the limit of 30 fixes per hour .* about 2 minutes/);
    expect(rateLimitMessage({ allowed: false, scope: 'channel', limit: 5, retryAfterMs: 1 })).toMatch(/This channel .* about 1 minute\./);
  });

  it('words progress, headlines and the test table', () => {
    expect(progressLine({ stage: 'search', message: 'Trying candidate fixes', done: 3, total: 40 })).toBe('⏳ Trying candidate fixes (3/40)');
    expect(progressLine({ stage: 'search', message: 'Trying 40 candidate fixes (3/40)', done: 3, total: 40 })).toBe('⏳ Trying 40 candidate fixes (3/40)');
    expect(headline(smallResult())).toBe('✅ Fixed — all 2 tests pass (1 passed before)');
    const table = testTable(smallResult().tests).split('\n');
    expect(table[0]).toMatch(/^test\s+before\s+after$/);
    expect(table[1]).toMatch(/✗ fail\s+✓ pass$/);
  });

  it('counts a single test in the singular', () => {
    const one = smallResult();
    one.tests = [{ id: 't1', name: 'assert add(2, 3) == 5', before: 'failed', after: 'passed' }];
    expect(headline(one)).toBe('✅ Fixed — the test passes now (it failed before)');
    one.status = 'nothing_to_fix';
    one.tests = [{ id: 't1', name: 'assert add(2, 3) == 5', before: 'passed' }];
    expect(headline(one)).toBe('✅ Nothing to fix — the test already passes');
  });

  it('says so when the code did not load, instead of "tried 0 candidates"', () => {
    // What the engine returns for `def f(x)` (a missing colon): every test an error with no detail.
    const broken: RepairResult = { ...smallResult(), status: 'not_fixed' };
    broken.tests = [{ id: 't0', name: 'assert f(1) == 2', before: 'error' }];
    broken.candidates = { tried: 0, passed: 0, fromModel: 0, fromSearch: 0 };
    expect(codeDidNotLoad(broken)).toBe(true);
    expect(headline(broken)).toBe('❌ Python could not load your code (a syntax or indentation error?), so none of the tests ran.');
    // An exception has its detail: that is a failing program, not one that does not load.
    broken.tests = [{ id: 't0', name: 'assert f(1) == 2', before: 'error', detail: "ModuleNotFoundError: No module named 'numpyy' (line 1)" }];
    expect(codeDidNotLoad(broken)).toBe(false);
    expect(headline(broken)).toMatch(/^❌ No verified fix found/);
  });

  it('warns when a partial fix breaks a test that passed before', () => {
    // Python/10 (make_palindrome) in the web chat: two timeouts fixed, one passing test broken.
    const partly: RepairResult = { ...smallResult(), status: 'partly_fixed' };
    partly.tests = [
      { id: 't0', name: "assert make_palindrome('x') == 'x'", before: 'passed', after: 'passed' },
      { id: 't1', name: "assert make_palindrome('xyz') == 'xyzyx'", before: 'timeout', after: 'passed' },
      { id: 't2', name: "assert make_palindrome('xyx') == 'xyx'", before: 'passed', after: 'failed' },
      { id: 't3', name: "assert make_palindrome('jerry') == 'jerryrrej'", before: 'timeout', after: 'passed' },
    ];
    expect(headline(partly)).toBe('🟡 Partly fixed — 3 of 4 tests pass (2 before) — but 1 test that passed before fails with this change');
  });
});

describe('wording from the facts', () => {
  it('says what failed from the failing check, marking it as before the fix when the fix passes it', () => {
    const lines = factLines(awkwardResult());
    expect(lines[0]).toBe('Before the fix, `test_ˋˋˋfenceˋˋˋ & <tag>` failed: expected `True`, got `False` at line 2.');
    expect(lines[1]).toBe('The fix, line 2: `<` becomes `<=` (`a < b` → `a <= b`).');
    expect(lines[2]).toBe(
      'Called as `f(a=2, b=2)`, the original and the fix part ways at step 1 of `test_ˋˋˋfenceˋˋˋ & <tag>`: ' +
        'the fix is at line 2 with `__return__=True`, the original at line 2 with `__return__=False`.',
    );
  });

  it('names a compile error and a missing module from the facts, not from the rows', () => {
    const base = smallResult();
    const broken: RepairResult = { ...base, status: 'not_fixed', facts: { compileError: { type: 'SyntaxError', message: "expected ':'", line: 1 } } };
    expect(headline(broken)).toBe('❌ Python cannot compile your code: SyntaxError at line 1 — none of the tests ran');
    expect(factLines(broken)).toEqual(["Python cannot compile your code: SyntaxError at line 1: `expected ':'`."]);
    const numpy: RepairResult = { ...base, status: 'cannot_run', facts: { missingModule: 'numpy' } };
    expect(headline(numpy)).toBe('⚠️ Your code needs the module `numpy`, which this sandbox does not have');
    expect(factLines(numpy)[0]).toContain('the `process` sandbox and a Python that has it installed, or with E2B');
    // A result without facts (an older engine) gets no invented sentences.
    expect(factLines(base)).toEqual([]);
  });

  it('words the not-pinned question: the call, what the original gives, each option and its test', () => {
    const wording = choiceWording(notPinnedResult().choice ?? { call: '', options: [] });
    expect(wording.question).toBe('Your tests pass with each of these fixes, but they disagree on `is_leap(1900)`. Which result is right?');
    expect(wording.original).toBe('Your code as it is gives `False`.');
    expect(wording.options.map((option) => option.test)).toEqual(['assert is_leap(1900) == False', 'assert is_leap(1900) == True']);
    expect(choiceLabel({ ...wording.options[0]!, output: 'x'.repeat(200) }, 75)).toHaveLength(75);
  });

  it('keeps backticks inside a code span from ending it', () => {
    expect(inlineCode('a```b`c')).toBe('`aˋˋˋbˋc`');
    expect(inlineCode('two\n  lines')).toBe('`two lines`');
  });
});
