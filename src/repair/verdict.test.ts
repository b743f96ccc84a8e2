import { describe, expect, it } from 'vitest';
import type { ProbeResponse } from './probe.ts';
import {
  confirmChoice,
  isValueOutput,
  judge,
  magicConstantCount,
  newConstantCount,
  numericLiterals,
  pinningTest,
  type Plausible,
} from './verdict.ts';

const original = 'def is_leap(year):\n    return year % 4 == 0 or year % 100 != 0\n';
const cand = (id: string, source: string, over: Partial<Plausible> = {}): Plausible => ({
  id,
  source,
  editSize: 3,
  order: 0,
  editedLines: [2],
  ...over,
});

function probeOf(rows: [string, Record<string, string>][], seeds = 1): ProbeResponse {
  return {
    ok: true,
    func: 'is_leap',
    seeds,
    inputs: rows.map(([call, outputs]) => ({ call, outputs })),
    truncated: false,
  };
}

describe('numeric literals and new constants', () => {
  it('counts numbers outside strings and comments, and ignores 0 and 1', () => {
    expect(numericLiterals("x = 4 # 8\ns = '12'\ny = 2.5 + a1\n")).toEqual(['4', '2.5']);
    expect(newConstantCount(original, original.replace('% 4', '% 8'))).toBe(1);
    expect(newConstantCount(original, original.replace('== 0 or', '== 0 and'))).toBe(0);
    expect(newConstantCount('lo = mid\n', 'lo = mid + 1\n')).toBe(0);
  });
});

describe('magic constants', () => {
  const rect = 'def rect(n):\n    i = n + 1\n    return i * (i + 1) // 2\n';
  it('calls a number from nowhere magic, unless it is one off the number it replaced or the program or tests have it', () => {
    // fits `assert rect(4) == 20` and nothing else: 3 is two off the 1 it replaced
    expect(magicConstantCount(rect, rect.replace('(i + 1)', '(i + 3)'), 'assert rect(4) == 20')).toBe(1);
    // an off-by-one of the replaced number is a boundary slip, not a fit
    expect(
      magicConstantCount(
        'def f(n):\n    return range(n - 1)\n',
        'def f(n):\n    return range(n - 2)\n',
        null,
      ),
    ).toBe(0);
    // a number the tests pass in, or the docstring names, is not from nowhere; a test's expected value is
    expect(magicConstantCount(rect, rect.replace('// 2', '// 4'), 'assert rect(4) == 20')).toBe(0);
    expect(magicConstantCount(rect, rect.replace('// 2', '// 20'), 'assert rect(4) == 20')).toBe(1);
    expect(
      magicConstantCount('def f(n):\n    return n\n', 'def f(n):\n    return 8\n', 'assert 8 == f(3)'),
    ).toBe(1);
    expect(
      magicConstantCount(
        'def f(x):\n    """f(2) is 8"""\n    return x * 3\n',
        'def f(x):\n    """f(2) is 8"""\n    return x * 4\n',
        null,
      ),
    ).toBe(0);
    // dropping a number or adding 0 or 1 brings nothing in
    expect(magicConstantCount('lo = mid\n', 'lo = mid + 1\n', null)).toBe(0);
    expect(magicConstantCount('n = len(t) - 1\n', 'n = len(t)\n', null)).toBe(0);
    // a number that appears twice in the fix, once in the original: the new one counts
    expect(magicConstantCount('y = x * 7\n', 'y = x * 7 + 7\n', null)).toBe(0);
    expect(magicConstantCount('y = x * 7\n', 'y = x * 7 + 5\n', null)).toBe(1);
  });
});

describe('pinning tests', () => {
  it('writes an assert for a value and a test function for an exception, and nothing for a hang or an object', () => {
    expect(pinningTest('is_leap(1900)', 'False', 'is_leap')).toBe('assert is_leap(1900) == False');
    const raises = pinningTest('half(-1)', 'raises ValueError: negative', 'half');
    expect(raises).toContain('def test_half_raises_valueerror():');
    expect(raises).toContain('    except ValueError:\n        return');
    expect(pinningTest('f(1)', 'timeout', 'f')).toBeUndefined();
    expect(pinningTest('f(1)', '<Box object at 0x…>', 'f')).toBeUndefined();
    // a repr's infinity is no Python name: the test writes float('inf'); nan equals nothing, so no assert
    expect(pinningTest('peak([])', '-inf', 'peak')).toBe("assert peak([]) == -float('inf')");
    expect(pinningTest('f(1)', '[1.5, inf]', 'f')).toBe("assert f(1) == [1.5, float('inf')]");
    expect(pinningTest('f(1)', "'info'", 'f')).toBe("assert f(1) == 'info'");
    expect(pinningTest('f(1)', "['an inf', 2]", 'f')).toBe("assert f(1) == ['an inf', 2]");
    expect(pinningTest('f(1)', 'nan', 'f')).toBeUndefined();
    expect(isValueOutput("[1, 'a']")).toBe(true);
    expect(isValueOutput('[1, 2, ...')).toBe(false);
  });
});

describe('judge', () => {
  const wrong = cand('wrong', original.replace('% 4', '% 8'), { order: 0 });
  const right = cand('right', original.replace('== 0 or', '== 0 and'), { order: 1 });
  const probe = probeOf([
    ['is_leap(1900)', { original: 'True', wrong: 'False', right: 'False' }],
    ['is_leap(2001)', { original: 'True', wrong: 'True', right: 'False' }],
    ['is_leap(2004)', { original: 'True', wrong: 'True', right: 'True' }],
  ]);

  it('splits candidates that disagree into clusters and asks at the input that separates them', () => {
    const v = judge({
      originalId: 'original',
      originalSource: original,
      candidates: [wrong, right],
      probe,
      suspicious: [2],
    });
    expect(v.clusters).toHaveLength(2);
    // the new magic constant 8 ranks below an edit that adds none, whatever the proposal order
    expect(v.ranked.map((s) => s.candidate.id)).toEqual(['right', 'wrong']);
    expect(v.choice).toMatchObject({
      call: 'is_leap(2001)',
      original: 'True',
      options: [
        { output: 'False', test: 'assert is_leap(2001) == False' },
        { output: 'True', test: 'assert is_leap(2001) == True' },
      ],
    });
    expect(v.choice!.options[0]!.candidate.id).toBe('right');
  });

  it('keeps one cluster, and no question, when the candidates behave alike', () => {
    const twin = cand('twin', right.source.replace('year % 100 != 0', '(year % 100 != 0)'), {
      order: 2,
      editSize: 5,
    });
    const p = probeOf([['is_leap(2001)', { original: 'True', right: 'False', twin: 'False' }]]);
    const v = judge({
      originalId: 'original',
      originalSource: original,
      candidates: [twin, right],
      probe: p,
      suspicious: [2],
    });
    expect(v.clusters).toHaveLength(1);
    expect(v.choice).toBeUndefined();
    expect(v.ranked[0]!.candidate.id).toBe('right');
  });

  it('drops a candidate that hangs where another program answers', () => {
    const hangs = cand('hangs', 'x', { order: 0, editSize: 1 });
    const ends = cand('ends', 'y', { order: 1, editSize: 9 });
    const p = probeOf([
      ['f([1], 7)', { original: 'timeout', hangs: 'timeout', ends: '-1' }],
      ['f([1], 1)', { original: '0', hangs: '0', ends: '0' }],
    ]);
    const v = judge({
      originalId: 'original',
      originalSource: '',
      candidates: [hangs, ends],
      probe: p,
      suspicious: [],
    });
    expect(v.ranked.map((s) => s.candidate.id)).toEqual(['ends']);
    expect(v.clusters).toHaveLength(1);
  });

  it('prefers fewer behaviour changes against the original, then edits at suspicious lines, then smaller edits', () => {
    const a = cand('a', 'a', { editSize: 1, editedLines: [5] });
    const b = cand('b', 'b', { editSize: 9, editedLines: [2] });
    const c = cand('c', 'c', { editSize: 1, editedLines: [2] });
    const p = probeOf([
      ['f(1)', { original: '1', a: '2', b: '2', c: '2' }],
      ['f(2)', { original: '4', a: '4', b: '4', c: '5' }],
    ]);
    const v = judge({
      originalId: 'original',
      originalSource: '',
      candidates: [a, b, c],
      probe: p,
      suspicious: [2, 5],
    });
    expect(v.ranked.map((s) => s.candidate.id)).toEqual(['b', 'a', 'c']);
  });

  it('counts departures from the original next to the tests it passes, and answers kept from it next to the tests it fails', () => {
    // the original passes the test on [3, 1] and fails the one on [4]; next to the failing call it is
    // likely wrong too: the lucky edit that keeps its answer there ranks below the fix that does not
    const lucky = cand('lucky', 'lucky', { editSize: 1, order: 0 });
    const fix = cand('fix', 'fix', { editSize: 9, order: 1 });
    const rows: [string, Record<string, string>, number][] = [
      ['lowest([3, 1])', { original: '1', lucky: '1', fix: '1' }, 0],
      ['lowest([4])', { original: 'None', lucky: '4', fix: '4' }, 1],
      ['lowest([1, 3])', { original: '1', lucky: '1', fix: '1' }, 0],
      ['lowest([5])', { original: 'None', lucky: 'None', fix: '5' }, 1],
      ['lowest([6])', { original: 'None', lucky: 'None', fix: '6' }, 1],
    ];
    const probe: ProbeResponse = {
      ok: true,
      func: 'lowest',
      seeds: 2,
      truncated: false,
      inputs: rows.map(([call, outputs, from]) => ({ call, outputs, from })),
    };
    const v = judge({
      originalId: 'original',
      originalSource: '',
      candidates: [lucky, fix],
      probe,
      suspicious: [],
    });
    expect(v.ranked.map((s) => [s.candidate.id, s.changes, s.keeps])).toEqual([
      ['fix', 1, 0],
      ['lucky', 1, 2],
    ]);
    // a departure next to a failing test still counts when it turns the original's answer into a crash
    const crash = cand('crash', 'crash', { editSize: 1, order: 2 });
    const withCrash: ProbeResponse = {
      ...probe,
      inputs: probe.inputs.map((r) => ({
        ...r,
        outputs: {
          ...r.outputs,
          crash: r.call === 'lowest([6])' ? 'raises IndexError: list index out of range' : r.outputs['fix']!,
        },
      })),
    };
    withCrash.inputs.push({
      call: 'lowest([7, 8])',
      outputs: { original: '7', lucky: '7', fix: '7', crash: 'raises IndexError: list index out of range' },
      from: 1,
    });
    const c = judge({
      originalId: 'original',
      originalSource: '',
      candidates: [lucky, fix, crash],
      probe: withCrash,
      suspicious: [],
    });
    expect(c.ranked.map((s) => [s.candidate.id, s.changes, s.keeps])).toEqual([
      ['fix', 1, 1],
      ['lucky', 1, 3],
      ['crash', 3, 0],
    ]);
    // every test failing: no call where the original is right, so every departure counts, as before
    const allFailing: ProbeResponse = {
      ...probe,
      inputs: probe.inputs.map((r) =>
        r.call === 'lowest([3, 1])' ? { ...r, outputs: { ...r.outputs, original: '3' } } : r,
      ),
    };
    const w = judge({
      originalId: 'original',
      originalSource: '',
      candidates: [lucky, fix],
      probe: allFailing,
      suspicious: [],
    });
    expect(w.ranked.map((s) => [s.candidate.id, s.changes, s.keeps])).toEqual([
      ['lucky', 2, 0],
      ['fix', 4, 0],
    ]);
  });

  it('without a probe, ranks by edit and says nothing about behaviour', () => {
    const v = judge({
      originalId: 'original',
      originalSource: original,
      candidates: [wrong, right],
      probe: undefined,
      suspicious: [],
    });
    expect(v.clusters).toHaveLength(1);
    expect(v.choice).toBeUndefined();
  });
});

describe('confirmChoice', () => {
  it('asks about the first grown input where the lone candidate departs from the original', () => {
    const only = cand('only', 'x');
    const p = probeOf([
      ['f(3)', { original: '4', only: '3' }],
      ['f(4)', { original: '4', only: '4' }],
      ['f(5)', { original: '6', only: '5' }],
    ]);
    const c = confirmChoice(only, 'original', p, 1);
    expect(c).toMatchObject({
      call: 'f(5)',
      original: '6',
      options: [{ output: '5', test: 'assert f(5) == 5' }],
    });
    expect(confirmChoice(only, 'original', { ...p, ok: false }, 1)).toBeUndefined();
  });

  it('where the lone candidate departs nowhere, asks about an input it answers with a value, not one it raises on', () => {
    const only = cand('only', 'x');
    const p = probeOf([
      ['f(3)', { original: '4', only: '4' }],
      ["f('')", { original: 'raises ValueError: empty', only: 'raises ValueError: empty' }],
      ['f(5)', { original: '6', only: '6' }],
    ]);
    expect(confirmChoice(only, 'original', p, 1)).toMatchObject({ call: 'f(5)', options: [{ output: '6' }] });
  });
});
