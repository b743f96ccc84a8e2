/**
 * RepairResult values the engine does not produce yet (facts, not_pinned with a choice): the shared
 * contract of src/repair/types.ts, filled by hand so every front end can be tested on it now.
 */
import type { RepairResult } from '../../src/repair/types.ts';

/** A leap-year rule whose shown tests pass with two fixes that disagree on 1900. */
export const LEAP_CODE = ['def is_leap(year):', '    return year % 4 == 0 and year % 100 == 0'].join('\n');
export const LEAP_TESTS = ['assert is_leap(2000) == True', 'assert is_leap(2004) == True', 'assert is_leap(2001) == False'].join('\n');
const RIGHT = ['def is_leap(year):', '    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)'].join('\n');
const LOOSE = ['def is_leap(year):', '    return year % 4 == 0'].join('\n');

export function notPinnedResult(requestId = 'req_leap'): RepairResult {
  return {
    requestId,
    status: 'not_pinned',
    summary: 'Two fixes pass your 3 tests but disagree on is_leap(1900)',
    fixedCode: RIGHT,
    diff: `--- a/snippet.py\n+++ b/snippet.py\n@@ -1,2 +1,2 @@\n def is_leap(year):\n-    return year % 4 == 0 and year % 100 == 0\n+${RIGHT.split('\n')[1] ?? ''}\n`,
    tests: [
      { id: 't1', name: 'assert is_leap(2000) == True', before: 'passed', after: 'passed' },
      { id: 't2', name: 'assert is_leap(2004) == True', before: 'failed', after: 'passed', expected: 'True', actual: 'False' },
      { id: 't3', name: 'assert is_leap(2001) == False', before: 'passed', after: 'passed' },
    ],
    facts: {
      failing: { testId: 't2', name: 'assert is_leap(2004) == True', status: 'failed', expected: 'True', actual: 'False', line: 2 },
    },
    choice: {
      call: 'is_leap(1900)',
      original: 'False',
      options: [
        { id: 'o1', output: 'False', test: 'assert is_leap(1900) == False', fixedCode: RIGHT, diff: '', edit: 'centuries are leap years only when divisible by 400' },
        { id: 'o2', output: 'True', test: 'assert is_leap(1900) == True', fixedCode: LOOSE, diff: '', edit: 'every fourth year is a leap year' },
      ],
    },
    probe: { inputs: 24, plausible: 2, clusters: 2 },
    candidates: { tried: 40, passed: 2, fromModel: 0, fromSearch: 40 },
    model: { id: 'offline' },
    timings: { totalMs: 1200 },
  };
}

/** A fix whose rationale, test names and values carry every character chat markup cares about. */
export function awkwardResult(): RepairResult {
  const name = 'test_```fence``` & <tag>';
  return {
    requestId: 'req_awkward',
    status: 'fixed',
    summary: 'Changed `<` to `<=` & fixed it',
    rationale: `${'The loop stops one short: a < b & b > c. '.repeat(230)}END`,
    fixedCode: 'def f(a, b):\n    return a <= b\n',
    diff: '--- a/snippet.py\n+++ b/snippet.py\n@@ -1,2 +1,2 @@\n def f(a, b):\n-    return a < b\n+    return a <= b\n',
    tests: [{ id: 't1', name, before: 'failed', after: 'passed', expected: 'True', actual: 'False' }],
    facts: {
      failing: { testId: 't1', name, status: 'failed', expected: 'True', actual: 'False', line: 2 },
      edits: [{ line: 2, kind: 'comparison', description: '`<` becomes `<=`', before: 'a < b', after: 'a <= b' }],
      divergence: {
        testName: name,
        step: 1,
        call: 'f(a=2, b=2)',
        original: { line: 2, vars: { __return__: 'False' } },
        fixed: { line: 2, vars: { __return__: 'True' } },
      },
    },
    trace: { testName: name, rendered: 'def f(a, b):  # (0) a=2; b=2\n    return a < b  # (1) __return__=False', excerpt: '    return a < b  # (1) __return__=False', truncated: false },
    candidates: { tried: 5, passed: 1, fromModel: 0, fromSearch: 5 },
    model: { id: 'offline' },
    timings: { totalMs: 300 },
  };
}

/** A test that `a + b` and `a * b` both pass (2 + 2 == 2 * 2): it does not pin the fix of `a - b` down. */
export const ADD_LOOSE_TESTS = 'assert add(2, 2) == 4';
/** The test option A stands for; with it the real engine can verify `a + b`. */
export const ADD_CHOSEN_TEST = 'assert add(2, 3) == 5';

/** The not-pinned answer for `return a - b` tested by ADD_LOOSE_TESTS only: A is `a + b`, B is `a * b`. */
export function addNotPinnedResult(overrides: Partial<RepairResult> = {}): RepairResult {
  const fixedCode = 'def add(a, b):\n    return a + b';
  return {
    ...notPinnedResult(),
    summary: 'Two fixes pass your test but disagree on `add(2, 3)`',
    fixedCode,
    diff: '--- a/snippet.py\n+++ b/snippet.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n',
    tests: [{ id: 't1', name: ADD_LOOSE_TESTS, before: 'failed', after: 'passed', expected: '4', actual: '0' }],
    facts: { failing: { testId: 't1', name: ADD_LOOSE_TESTS, status: 'failed', expected: '4', actual: '0', line: 2 } },
    choice: {
      call: 'add(2, 3)',
      original: '-1',
      options: [
        { id: 'o1', output: '5', test: ADD_CHOSEN_TEST, fixedCode, diff: '', edit: '`-` becomes `+`' },
        { id: 'o2', output: '6', test: 'assert add(2, 3) == 6', fixedCode: 'def add(a, b):\n    return a * b', diff: '', edit: '`-` becomes `*`' },
      ],
    },
    ...overrides,
  };
}
