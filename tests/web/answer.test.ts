/**
 * What the web chat makes of a paste before the engine sees it, and of a result before the page shows
 * it: the cases found by using the page as a user (fenced tests, code that does not compile).
 */
import { describe, expect, it } from 'vitest';
import { answer } from '../../bots/web/chat.ts';
import { checkPaste, unfenceTests } from '../../bots/web/paste.ts';
import { smallResult } from '../fixtures/sample-result.ts';
import type { RepairResult } from '../../src/repair/types.ts';

const CODE = 'def sum_to(n):\n    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n';

describe('the tests box', () => {
  it('takes tests out of a markdown fence, sentence around it and all', () => {
    // Pasting this used to come back as "The tests could not be read: SyntaxError … (tests line 1)".
    const paste = checkPaste({ code: CODE, tests: 'My tests:\n```python\nassert sum_to(3) == 6\nassert sum_to(4) == 10\n```\n' }, 100_000);
    expect(paste.tests).toBe('assert sum_to(3) == 6\nassert sum_to(4) == 10');
  });

  it('joins several fences and accepts Slack-style and tilde fences', () => {
    expect(unfenceTests('```assert f(1) == 2```\n```\nassert f(2) == 3\n```')).toBe('assert f(1) == 2\n\nassert f(2) == 3');
    expect(unfenceTests('~~~\ndef test_a():\n    assert f(1) == 2\n~~~')).toBe('def test_a():\n    assert f(1) == 2');
  });

  it('leaves unfenced tests alone, backticks inside a string included', () => {
    const tests = 'assert render("```x```") == "<code>x</code>"\n';
    expect(unfenceTests(tests)).toBe(tests);
    expect(checkPaste({ code: CODE, tests }, 100_000).tests).toBe(tests);
  });
});

describe('answers picked on the page', () => {
  it('are sent on as confirmed while they are still in the tests box, and dropped once they are not', () => {
    const tests = 'assert sum_to(3) == 6\nassert sum_to(0) == 0\n';
    const paste = checkPaste({ code: CODE, tests, confirmedTests: ['assert sum_to(0) == 0', 'assert sum_to(9) == 45', '  '] }, 100_000);
    expect(paste.confirmedTests).toEqual(['assert sum_to(0) == 0']);
    expect(checkPaste({ code: CODE, tests, confirmedTests: ['assert sum_to(9) == 45'] }, 100_000)).not.toHaveProperty('confirmedTests');
  });
});

describe('the code box', () => {
  it('holding only a traceback, asks for the code that raised it', () => {
    const traceback = 'Traceback (most recent call last):\n  File "main.py", line 2, in avg\n    return sum(xs) / len(xs)\nZeroDivisionError: division by zero';
    expect(() => checkPaste({ code: traceback }, 100_000)).toThrow(/I see a traceback in the code box, but not the code that raised it/);
    expect(() => checkPaste({ code: 'please help, it is broken' }, 100_000)).toThrow(/couldn’t find Python code in the code box/);
  });
});

describe('an answer for code that does not load', () => {
  // The engine's result for `def f(x)` (missing colon): the runner has no result for any test, so every
  // row is an error without detail, no candidate is tried, and the "trace" is the unannotated source.
  const broken: RepairResult = {
    ...smallResult(),
    status: 'not_fixed',
    summary: 'No fix found: none of 0 candidate fixes did better than the original (0/1 tests pass).',
    tests: [{ id: 't0', name: 'assert f(1) == 2', before: 'error' }],
    candidates: { tried: 0, passed: 0, fromModel: 0, fromSearch: 0 },
    trace: { testName: 'assert f(1) == 2', rendered: 'def f(x)\n    return x + 1\n', excerpt: '', truncated: false },
  };
  delete broken.rationale;
  delete broken.diff;
  delete broken.fixedCode;

  it('says in one sentence that Python could not load it, and shows no trace of a run that never happened', () => {
    const shown = answer(broken, undefined);
    expect(shown.headline).toBe('❌ Python could not load your code (a syntax or indentation error?), so none of the tests ran.');
    expect(shown.summary).toBe('Look for a missing colon, bracket or quote, or a line indented wrongly, then try again.');
    expect(shown.tests[0]?.detail).toBe('did not run: the code did not load');
    expect(shown.trace).toBeUndefined();
  });

  it('keeps the engine’s sentence when it names the error and the line', () => {
    const named = { ...broken, summary: "Your code does not load: SyntaxError at line 1: expected ':'. No fix found that makes it load and pass the tests." };
    const shown = answer(named, undefined);
    expect(shown.headline).toMatch(/^❌ Python could not load your code/);
    expect(shown.summary).toBe(named.summary);
  });

  it('keeps the engine’s words for a program that loads and fails', () => {
    const failing: RepairResult = { ...broken, tests: [{ id: 't0', name: 'assert f(1) == 2', before: 'error', detail: 'ValueError: boom (line 3)' }] };
    const shown = answer(failing, undefined);
    expect(shown.headline).toBe('❌ No verified fix found — tried 0 candidates');
    expect(shown.summary).toBe(failing.summary);
    expect(shown.trace?.rendered).toBe(failing.trace?.rendered);
  });
});

describe('an answer that needs tests', () => {
  it('shows what to paste, not "1/1 tests pass" over the script run', () => {
    // The engine's result for `def f(x): return x - 1` with an empty tests box and no docstring examples.
    const result: RepairResult = {
      ...smallResult(),
      status: 'needs_tests',
      summary: 'I need a failing example to work from: add a test such as `assert f(<an input>) == <the output you expect>`.',
      tests: [{ id: 't0', name: 'script', before: 'passed' }],
      candidates: { tried: 0, passed: 0, fromModel: 0, fromSearch: 0 },
    };
    delete result.rationale;
    delete result.diff;
    delete result.fixedCode;
    delete result.trace;
    const shown = answer(result, undefined);
    expect(shown.headline).toBe('❓ I need a failing example to work from');
    expect(shown.passing.total).toBe(0); // the page then shows the summary in place of the counts
    expect(shown.tests).toEqual([]);
    expect(shown.summary).toMatch(/add a test such as/);
  });
});
