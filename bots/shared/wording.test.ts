import { describe, expect, it } from 'vitest';
import { TracefixError } from '../../src/errors.ts';
import type { RepairResult } from '../../src/repair/types.ts';
import { smallResult } from '../../tests/fixtures/sample-result.ts';
import { codeDidNotLoad, errorFields, errorMessage, headline, progressLine, rateLimitMessage, testTable } from './wording.ts';

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
