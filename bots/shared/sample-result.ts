/**
 * RepairResult values for renderer tests: a small fix, and one so large that every limit is hit
 * (long rationale, long diff, many tests, a long trace, characters that need escaping).
 */
import type { RepairResult } from '../../src/repair/types.ts';

export function smallResult(): RepairResult {
  return {
    requestId: 'req_small',
    status: 'fixed',
    summary: 'Changed `-` to `+` in add',
    rationale: 'At (1) a=2, b=3 and add returns -1 where the test expects 5: the operator is wrong.',
    fixedCode: 'def add(a, b):\n    return a + b\n',
    diff: '--- a/snippet.py\n+++ b/snippet.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n',
    tests: [
      { id: 't1', name: 'assert add(2, 3) == 5', before: 'failed', after: 'passed' },
      { id: 't2', name: 'assert add(0, 0) == 0', before: 'passed', after: 'passed' },
    ],
    trace: {
      testName: 'assert add(2, 3) == 5',
      rendered: 'def add(a, b):  # (0) a=2; b=3\n    return a - b  # (1) __return__=-1',
      excerpt: '    return a - b  # (1) __return__=-1',
      truncated: false,
    },
    candidates: { tried: 12, passed: 1, fromModel: 0, fromSearch: 12 },
    model: { id: 'offline' },
    timings: { totalMs: 850 },
  };
}

export function hugeResult(): RepairResult {
  const lines = Array.from({ length: 600 }, (_, i) => `    x${i} = compare(a < ${i}, b > ${i}) & mask  # ${'y'.repeat(i % 50)}`);
  const code = ['def big(a, b):', ...lines, '    return a'].join('\n');
  const diff = ['--- a/snippet.py', '+++ b/snippet.py', '@@ -1,600 +1,600 @@', ...lines.map((l) => `-${l}`), ...lines.map((l) => `+${l.replace('<', '<=')}`)].join('\n');
  return {
    ...smallResult(),
    requestId: 'req_huge',
    status: 'partly_fixed',
    summary: 'Partly fixed <big> & friends',
    rationale: Array.from({ length: 200 }, (_, i) => `Step ${i}: a < b && b > c, so the loop at line ${i} keeps going.`).join('\n'),
    fixedCode: code,
    diff,
    tests: Array.from({ length: 120 }, (_, i) => ({ id: `t${i}`, name: `test_case_number_${i}_with_a_rather_long_name`, before: 'failed' as const, after: i % 2 === 0 ? ('passed' as const) : ('failed' as const) })),
    trace: { testName: 'test_case_number_0', rendered: lines.map((l, i) => `${l}  # (${i}) x=${i}`).join('\n'), excerpt: lines.slice(0, 80).join('\n'), truncated: true },
  };
}

/** What the engine returns for code that does not compile (`def f(x)`): error rows without detail, no candidates. */
export function brokenResult(): RepairResult {
  const { rationale: _r, diff: _d, fixedCode: _f, ...rest } = smallResult();
  return {
    ...rest,
    requestId: 'req_broken',
    status: 'not_fixed',
    summary: 'No fix found: none of 0 candidate fixes did better than the original (0/1 tests pass).',
    tests: [{ id: 't0', name: 'assert f(1) == 2', before: 'error' }],
    trace: { testName: 'assert f(1) == 2', rendered: 'def f(x)\n    return x + 1\n', excerpt: '', truncated: false },
    candidates: { tried: 0, passed: 0, fromModel: 0, fromSearch: 0 },
  };
}
