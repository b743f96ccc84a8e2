/** parseFollowUp case by case: what makes a reply "why?", tests to add, or a new paste. */
import { describe, expect, it } from 'vitest';
import { appendTests, parseFollowUp } from './follow-up.ts';

const F = '```';

describe('parseFollowUp: why', () => {
  it('takes why, explain and how come at the start of a short one-line reply, in any case', () => {
    for (const text of ['WHY', 'explain please', 'How come it returns 3?', '  why\t', '/fix why']) expect(parseFollowUp(text, 'slack'), text).toEqual({ kind: 'why' });
  });

  it('not elsewhere in the reply, nor in a long or multi-line one, nor with a code block', () => {
    for (const text of ['so why?', 'whyever', `why ${'x'.repeat(70)}`, 'why\nand more', `why ${F}x = 1${F}`, 'explained', '', '   ']) {
      expect(parseFollowUp(text, 'slack'), text).toBeUndefined();
    }
  });
});

describe('parseFollowUp: tests', () => {
  it('takes fenced blocks that start with an assert (after blank lines) or hold test_ functions, and loose assert lines', () => {
    expect(parseFollowUp(`${F}\n\n  assert f(1) == 1\nassert f(2) == 2  \n${F}`, 'web')).toEqual({ kind: 'test', tests: '\n  assert f(1) == 1\nassert f(2) == 2' });
    expect(parseFollowUp(`${F}\nimport math\n\n  def test_pi():\n    assert f(math.pi)\n${F}`, 'web')).toEqual({ kind: 'test', tests: 'import math\n\n  def test_pi():\n    assert f(math.pi)' });
    expect(parseFollowUp('please:\n   assert f(1) == 2   \nassertion is not a test', 'web')).toEqual({ kind: 'test', tests: 'assert f(1) == 2' });
    expect(parseFollowUp(`${F}\nassert a\n${F}\nand\nassert b`, 'web')).toEqual({ kind: 'test', tests: 'assert a\nassert b' });
  });

  it('ignores empty blocks and blocks of other text', () => {
    expect(parseFollowUp(`${F}\n  \n${F}\n${F}\nprint(1)\n${F}`, 'web')).toBeUndefined();
    expect(parseFollowUp(`${F}\nx = 1\nassert x\n${F}`, 'web')).toBeUndefined();
    expect(parseFollowUp(`${F}\ndeftest_x = 1\n${F}`, 'web')).toBeUndefined();
  });

  it('leaves replies with a function or class of their own (indented too) to the paste parser', () => {
    for (const code of ['  def helper(x):\n    return x', 'async def fetch():\n    pass', '   class Point:\n    pass', 'def f():\n    pass\nassert f() is None']) {
      expect(parseFollowUp(`${F}\n${code}\n${F}\nassert g(1)`, 'web'), code).toBeUndefined();
    }
    // A test function, a name merely starting with "def" or "class", are not code of its own.
    expect(parseFollowUp(`${F}\ndef test_g():\n    assert g(1)\n${F}`, 'web')).toEqual({ kind: 'test', tests: 'def test_g():\n    assert g(1)' });
    expect(parseFollowUp(`${F}\nassert classify(1)\nassert default(2)\n${F}`, 'web')).toEqual({ kind: 'test', tests: 'assert classify(1)\nassert default(2)' });
  });
});

describe('appendTests', () => {
  it('trims what it adds and the end of what is there', () => {
    expect(appendTests('assert a  \n\n', '\n assert b \n')).toBe('assert a\nassert b');
    expect(appendTests('  ', ' assert b\n')).toBe('assert b');
    expect(appendTests('  assert a', 'assert b')).toBe('  assert a\nassert b');
  });
});
