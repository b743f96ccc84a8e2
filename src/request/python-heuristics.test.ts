/**
 * The line-based guesses about a paste, one behaviour per case: which lines anchor "this is Python",
 * which top-level statements are tests, where a traceback starts and ends, which function the tests call.
 */
import { describe, expect, it } from 'vitest';
import {
  dedent,
  extractTracebacks,
  findEntryPoint,
  hasTraceback,
  isProse,
  isTestSource,
  looksLikePython,
  splitCodeAndTests,
  TOP_LEVEL_START,
  topLevelFunctions,
} from './python-heuristics.ts';

describe('isProse', () => {
  it('is a sentence of plain words: three or more, or two ending a sentence', () => {
    expect(isProse('my function is broken')).toBe(true);
    expect(isProse('Thanks everyone!')).toBe(true);
    expect(isProse('why though?')).toBe(true);
    expect(isProse('“quoted” words here,')).toBe(true);
    expect(isProse("it's not working")).toBe(true);
    expect(isProse('hello world')).toBe(false);
    expect(isProse('hello')).toBe(false);
  });

  it('is never code: indented lines, statements, comments, punctuation of code', () => {
    expect(isProse('    return the value here')).toBe(false);
    expect(isProse('return the value here')).toBe(false);
    expect(isProse('import this module please')).toBe(false);
    expect(isProse('# a comment in words')).toBe(false);
    expect(isProse('x equals one (maybe)')).toBe(false);
    expect(isProse('set a = b here')).toBe(false);
    expect(isProse('the list [1] here')).toBe(false);
    expect(isProse('a dict {} here')).toBe(false);
    expect(isProse('call f_2 now')).toBe(false);
  });
});

describe('looksLikePython', () => {
  it('needs a statement-shaped anchor line', () => {
    for (const anchor of [
      'def f(x):',
      'async def f(x):',
      'class Foo:',
      'import os',
      'from a.b import c',
      'assert f(1) == 2',
      'print(x)',
      'x = 1',
      'x[0] = 1',
      'self.x += 1',
      'total //= 2',
      'n **= 2',
      'm <<= 1',
      'f(1, 2)',
      '@decorator',
    ]) {
      expect(looksLikePython(anchor), anchor).toBe(true);
    }
    for (const notAnchor of ['if x:', 'return 1', '    pass', '# just a comment', 'x == 1', 'def f', '@ 1']) {
      expect(looksLikePython(notAnchor), notAnchor).toBe(false);
    }
  });

  it('needs at least 80% of the non-blank lines code-shaped', () => {
    const code = 'def f(x):\n    return x\n';
    expect(looksLikePython(`${code}\n\n\nthis is a long sentence`)).toBe(false);
    expect(looksLikePython(`${code}y = 1\nz = 2\nw = 3\nthis is a long sentence`)).toBe(true);
    expect(looksLikePython('')).toBe(false);
    expect(looksLikePython('\n  \n')).toBe(false);
    // Code-shaped without an anchor: keywords, comments, decorators, indented lines, docstrings, colons.
    expect(looksLikePython('x = 1\nelse:\n# c\n@d\n  y\n"""doc"""\nwhile True:\nfoo[1]')).toBe(true);
  });
});

describe('TOP_LEVEL_START', () => {
  it('matches the first line of a top-level definition or import only', () => {
    for (const line of ['def f(', 'async def f (', 'class A', 'import x', 'from a.b import c', '@dec']) expect(TOP_LEVEL_START.test(line), line).toBe(true);
    for (const line of ['  def f(', 'x = 1', 'def f', 'import', 'from a importer', '@ x', 'classy = 1']) expect(TOP_LEVEL_START.test(line), line).toBe(false);
  });
});

describe('tracebacks', () => {
  const traceback = ['Traceback (most recent call last):', '  File "t.py", line 3, in <module>', '    assert add(2, 3) == 5', 'AssertionError'].join('\n');

  it('takes a whole traceback out of the text, the rest kept in order', () => {
    const { rest, tracebacks } = extractTracebacks(`before\n${traceback}\nafter`);
    expect(tracebacks).toEqual([traceback]);
    expect(rest).toBe('before\nafter');
    expect(hasTraceback(`x\n${traceback}`)).toBe(true);
    expect(hasTraceback('no traceback here')).toBe(false);
  });

  it('keeps a traceback cut before its exception line, and a chained one whole', () => {
    const cut = traceback.split('\n').slice(0, 3).join('\n');
    expect(extractTracebacks(cut)).toEqual({ rest: '', tracebacks: [cut] });
    const chained = [
      'Traceback (most recent call last):',
      '  File "a.py", line 1, in <module>',
      '    f()',
      'Traceback (most recent call last):',
      '  File "b.py", line 2, in f',
      '    g()',
      'mod.CustomError: boom',
    ].join('\n');
    expect(extractTracebacks(`${chained}\nthanks`)).toEqual({ rest: 'thanks', tracebacks: [chained] });
  });

  it('reads the SyntaxError form that has no header', () => {
    const syntax = ['  File "t.py", line 1', '    def f(x)', '            ^', 'SyntaxError: expected \':\''].join('\n');
    expect(extractTracebacks(syntax).tracebacks).toEqual([syntax]);
  });

  it('leaves alone a header without frames, and frames without a header or an exception', () => {
    const lonely = 'Traceback (most recent call last):\nnothing else';
    expect(extractTracebacks(lonely)).toEqual({ rest: lonely, tracebacks: [] });
    const framesOnly = '  File "t.py", line 1\n    x\nnot an exception line!';
    expect(extractTracebacks(framesOnly)).toEqual({ rest: framesOnly, tracebacks: [] });
  });
});

describe('tests and code', () => {
  it('knows test source by its first statement', () => {
    for (const text of ['assert f(1) == 2', 'def test_f():', 'def check(candidate):', 'check(f)', 'class TestF:', 'x = 1\nassert x']) expect(isTestSource(text), text).toBe(true);
    for (const text of ['def f():', '  assert x', 'print(1)', 'class Foo:', 'x = 1', 'checked = 1']) expect(isTestSource(text), text).toBe(false);
  });

  it('lists top-level functions except the tests’ own', () => {
    expect(topLevelFunctions('def f(x):\n  def inner():\n    pass\nasync def g():\n  pass\ndef test_f():\n  pass\ndef check(c):\n  pass\ndef testing():\n  pass')).toEqual(['f', 'g']);
  });

  it('splits the asserts under the code, with the comments just above them', () => {
    const code = 'def add(a, b):\n    return a - b';
    expect(splitCodeAndTests(`${code}\n\n# the tests\nassert add(1, 2) == 3\nassert add(0, 0) == 0`)).toEqual({ code, tests: '\n# the tests\nassert add(1, 2) == 3\nassert add(0, 0) == 0' });
  });

  it('takes every kind of test statement as the start of the tests', () => {
    const code = 'def f(x):\n    return x';
    for (const first of [
      'assert f(1) == 1',
      'def test_f():\n    assert f(1) == 1',
      'async def test_f():\n    assert f(1) == 1',
      'def check(candidate):\n    assert candidate(1) == 1',
      'check(f)',
      'class TestF:\n    def test_a(self):\n        assert f(1) == 1',
      'if __name__ == "__main__":\n    test()',
      'test_f()',
      'import pytest',
      'import unittest',
      'from pytest import raises',
      'from unittest import TestCase',
      'unittest.main()',
      'pytest.main()',
    ]) {
      expect(splitCodeAndTests(`${code}\n${first}`), first).toEqual({ code, tests: first });
    }
  });

  it('allows imports, prints, assignments, blank and indented lines and else/except among the tests', () => {
    const code = 'def f(x):\n    return x';
    const tests = 'def test_a():\n    try:\n        f(1)\n    except ValueError:\n        pass\nimport math\nfrom os import path\nprint(f(1))\nexpected = 2\n\nassert f(2) == expected';
    expect(splitCodeAndTests(`${code}\n${tests}`)).toEqual({ code, tests });
    const withElse = 'def test_b():\n    pass\nelse_branch = 1';
    expect(splitCodeAndTests(`${code}\n${withElse}`).tests).toBe(withElse);
  });

  it('keeps the whole block as code when code follows the tests', () => {
    for (const after of ['def g():\n    pass', 'class C:\n    pass', 'f(3)', 'for i in range(3):\n    pass', 'g = lambda: 1\ndef h():\n    pass']) {
      const block = `def f(x):\n    return x\nassert f(1) == 1\n${after}`;
      expect(splitCodeAndTests(block), after).toEqual({ code: block, tests: '' });
    }
    expect(splitCodeAndTests('def f(x):\n    return x')).toEqual({ code: 'def f(x):\n    return x', tests: '' });
  });
});

describe('findEntryPoint', () => {
  it('takes check(fn) first, then the one function the tests call, then the only function', () => {
    expect(findEntryPoint('def f():\n  pass\ndef g():\n  pass', 'check(g)')).toBe('g');
    expect(findEntryPoint('def f():\n  pass\ndef g():\n  pass', 'assert g() == 1\nassert obj.f() == 2')).toBe('g');
    expect(findEntryPoint('def f():\n  pass\ndef g():\n  pass', 'assert f() == g()')).toBeUndefined();
    expect(findEntryPoint('def f():\n  pass\ndef g():\n  pass', 'assert h() == 1')).toBeUndefined();
    expect(findEntryPoint('def f():\n  pass', undefined)).toBe('f');
    expect(findEntryPoint('def f():\n  pass', '   ')).toBe('f');
    expect(findEntryPoint('def f():\n  pass\ndef g():\n  pass', undefined)).toBeUndefined();
    expect(findEntryPoint('def f():\n  pass\ndef f():\n  pass', undefined)).toBe('f');
  });
});

describe('dedent', () => {
  it('removes the indentation every non-blank line shares, and blanks the blank lines', () => {
    expect(dedent('    def f():\n        return 1\n  \n    x = 2')).toBe('def f():\n    return 1\n\nx = 2');
    expect(dedent('\tif x:\n\t\ty')).toBe('if x:\n\ty');
    expect(dedent('  a\n    b\n   c')).toBe('a\n  b\n c');
  });

  it('leaves text with an unindented line, or only blank lines, as it is', () => {
    expect(dedent('a\n  b')).toBe('a\n  b');
    expect(dedent('  \n \n')).toBe('  \n \n');
    // Tabs and spaces are different indentation: nothing is shared.
    expect(dedent('\ta\n  b')).toBe('\ta\n  b');
  });
});
