/** The offline rationale sentence by sentence: the failing check, the divergence, the change, the count. */
import { describe, expect, it } from 'vitest';
import type { TestCase, TestResult } from '../../sandbox/protocol.ts';
import { describeValues, divergenceSentence, failingFact, failureSentence, writeRationale } from './rationale.ts';

const testCase = (id: string, name: string): TestCase => ({ id, name, kind: 'assert', source: name });
const result = (test: string, status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult => ({ program: 'p', test, status, durationMs: 1, ...extra });

describe('failingFact', () => {
  const cases = [testCase('t1', 'assert f(1) == 1'), testCase('t2', 'assert f(2) == 4')];

  it('is the first result that does not pass, named as its test case, with what is known of it', () => {
    expect(
      failingFact(cases, [result('t1', 'passed'), result('t2', 'failed', { expected: '4', actual: '3', error: { type: 'AssertionError', message: '', where: 'test', line: 7 } })]),
    ).toEqual({ testId: 't2', name: 'assert f(2) == 4', status: 'failed', expected: '4', actual: '3', error: 'AssertionError', line: 7 });
    expect(failingFact(cases, [result('t1', 'error', { error: { type: 'ValueError', message: 'bad', where: 'program' } })])).toEqual({
      testId: 't1',
      name: 'assert f(1) == 1',
      status: 'error',
      error: 'ValueError: bad',
    });
    expect(failingFact(cases, [result('t1', 'timeout')])).toEqual({ testId: 't1', name: 'assert f(1) == 1', status: 'timeout' });
  });

  it('is undefined when everything passes, or the failing result has no test case', () => {
    expect(failingFact(cases, [result('t1', 'passed'), result('t2', 'passed')])).toBeUndefined();
    expect(failingFact(cases, [result('t9', 'failed')])).toBeUndefined();
    expect(failingFact(cases, [])).toBeUndefined();
  });
});

describe('describeValues', () => {
  it('names up to three plain variables, then the return value and the exception, values cut at 60', () => {
    expect(describeValues({})).toBe('');
    expect(describeValues({ a: '1', b: '2', c: '3', d: '4' })).toBe('sets a=1, b=2, c=3');
    expect(describeValues({ x: 'y'.repeat(61), __return__: '5' })).toBe(`sets x=${'y'.repeat(59)}…`.concat(' and returns 5'));
    expect(describeValues({ x: 'y'.repeat(60) })).toBe(`sets x=${'y'.repeat(60)}`);
    expect(describeValues({ __exception__: 'IndexError()' })).toBe('raises IndexError()');
    expect(describeValues({ __return__: 'None', __exception__: 'E' })).toBe('returns None and raises E');
  });
});

describe('failureSentence', () => {
  const f = { testId: 't', name: 'check' };

  it('words a timeout, running out of memory, a failed comparison, a failed check, an exception, anything else', () => {
    expect(failureSentence({ ...f, status: 'timeout', error: 'Timeout: step budget exceeded', line: 3 })).toBe('The test `check` did not finish: step budget exceeded, inside line 3.');
    expect(failureSentence({ ...f, status: 'timeout' })).toBe('The test `check` did not finish: time limit.');
    expect(failureSentence({ ...f, status: 'error', error: 'MemoryError: big', line: 2 })).toBe('The test `check` ran out of memory at line 2.');
    expect(failureSentence({ ...f, status: 'error', error: 'MemoryError' })).toBe('The test `check` ran out of memory.');
    expect(failureSentence({ ...f, status: 'failed', expected: '4', actual: '3' })).toBe('The test `check` expected 4 but got 3.');
    expect(failureSentence({ ...f, status: 'failed', expected: '4' })).toBe('The test `check` expected 4 but got ?.');
    expect(failureSentence({ ...f, status: 'failed', actual: 'False' })).toBe('The test `check` failed: the checked value was False.');
    expect(failureSentence({ ...f, status: 'error', error: 'KeyError: x', line: 5 })).toBe('The test `check` raised KeyError: x at line 5.');
    expect(failureSentence({ ...f, status: 'failed', error: 'AssertionError' })).toBe('The test `check` raised AssertionError.');
    expect(failureSentence({ ...f, status: 'failed' })).toBe('The test `check` failed.');
  });
});

describe('divergenceSentence', () => {
  const program = 'def f(n):\n    total = 0\n    for i in range(n - 1):\n        total += i\n    return total';
  const fixed = 'def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total';

  it('on the same unchanged line: what each run does there', () => {
    const d = { testName: 't', step: 4, original: { line: 5, vars: { __return__: '1' } }, fixed: { line: 5, vars: {} } };
    expect(divergenceSentence(d, program, fixed)).toBe('The two traces part at step 4, line 5 (`return total`): there your code returns 1, while the fixed code does nothing new.');
  });

  it('at the call: the arguments each run starts with', () => {
    const d = { testName: 't', step: 0, original: { line: 1, vars: { n: '3' } }, fixed: { line: 1, vars: {} } };
    expect(divergenceSentence(d, 'def f(n):\n    pass', 'def f(n=1):\n    pass')).toBe(
      'The two traces part at step 0, as the function is called: your code starts it with n=3; with the fix (`def f(n=1):`) it starts with no arguments.',
    );
  });

  it('on the changed line, or on different lines', () => {
    const same = { testName: 't', step: 2, original: { line: 3, vars: { i: '0' } }, fixed: { line: 3, vars: {} } };
    expect(divergenceSentence(same, program, fixed)).toBe(
      'The two traces part at step 2: your code runs line 3 (`for i in range(n - 1):`) and sets i=0; the fixed line (`for i in range(n):`) runs instead.',
    );
    const other = { testName: 't', step: 6, original: { line: 5, vars: {} }, fixed: { line: 4, vars: { total: '3' } } };
    expect(divergenceSentence(other, program, fixed)).toBe(
      'The two traces part at step 6: your code runs line 5 (`return total`); the fixed code runs line 4 (`total += i`) and sets total=3.',
    );
  });
});

describe('writeRationale', () => {
  const base = { program: 'def f(a, b):\n    return a - b', fixed: 'def f(a, b):\n    return a + b', edits: ['`-` -> `+`'], passed: 3, total: 3 };

  it('joins the failure, the call, the divergence, the change and the count', () => {
    expect(
      writeRationale({
        ...base,
        failing: { testId: 't', name: 'assert f(1, 2) == 3', status: 'failed', expected: '3', actual: '-1' },
        divergence: { testName: 't', step: 1, call: 'f(a=1, b=2)', original: { line: 2, vars: { __return__: '-1' } }, fixed: { line: 2, vars: { __return__: '3' } } },
      }),
    ).toBe(
      'The test `assert f(1, 2) == 3` expected 3 but got -1. It called `f(a=1, b=2)`. ' +
        'The two traces part at step 1: your code runs line 2 (`return a - b`) and returns -1; the fixed line (`return a + b`) returns 3. ' +
        'The fix (`-` -> `+`) turns `return a - b` into `return a + b` at line 2. With it, all 3 tests pass.',
    );
  });

  it('does not repeat the call when the divergence is at the def line', () => {
    const text = writeRationale({ ...base, divergence: { testName: 't', step: 0, call: 'f(1, 2)', original: { line: 1, vars: {} }, fixed: { line: 1, vars: {} } } });
    expect(text).not.toContain('It called');
  });

  it('counts one, two, all or some tests', () => {
    expect(writeRationale({ ...base, passed: 1, total: 1 })).toMatch(/With it, the test passes\.$/);
    expect(writeRationale({ ...base, passed: 2, total: 2 })).toMatch(/With it, both tests pass\.$/);
    expect(writeRationale({ ...base, passed: 2, total: 5 })).toMatch(/With it, 2 of 5 tests pass\.$/);
  });

  it('describes additions, removals, one line becoming several, and blocks of lines', () => {
    const change = (program: string, fixed: string, edits: string[] = []) => writeRationale({ program, fixed, edits, passed: 1, total: 1 }).replace(/ With it.*$/, '');
    expect(change('def f(b):\n    return 1 / b', 'def f(b):\n    if b == 0:\n        return None\n    return 1 / b')).toBe('The fix adds `if b == 0: return None` at line 2.');
    expect(change('a = 1\nprint(a)\nb = 2', 'a = 1\nb = 2', ['drop', 'drop'])).toBe('The fix (drop) removes `print(a)` at line 2.');
    expect(change('x = 1\ny = f(x)', 'x = 1\ny = g(x)\nz = y')).toBe('The fix turns `y = f(x)` into `y = g(x)` at line 2 and adds `z = y` after it.');
    expect(change('a = 1\nb = 2\nc = 3\nd = 4', 'a = 1\nB = 2\nC = 3\nd = 4')).toBe('The fix turns `b = 2; c = 3` into `B = 2; C = 3` at lines 2–3.');
    expect(change('a = 1\nb = 2', 'a = 1\nc = 3\nd = 4\ne = 5').startsWith('The fix turns `b = 2` into `c = 3` at line 2 and adds')).toBe(true);
    expect(change('a\nb\nc', 'a\nx\ny\nc'.replace('\nc', ''))).toBe('The fix turns `b; c` into `x; y` at lines 2–3.');
  });
});
