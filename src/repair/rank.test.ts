import { describe, expect, it } from 'vitest';
import { changedLines, editSize, rankCandidates, withoutAddedImports } from './rank.ts';

describe('rankCandidates', () => {
  const c = (name: string, passed: number, total: number, size: number, order: number) => ({ name, passed, total, editSize: size, order });

  it('puts passes-all first, then passes more, then the smaller edit, then the earlier one', () => {
    const ranked = rankCandidates([
      c('more-but-not-all', 4, 5, 1, 0),
      c('all-big', 5, 5, 30, 1),
      c('all-small-late', 5, 5, 2, 3),
      c('all-small-early', 5, 5, 2, 2),
      c('fewer', 2, 5, 1, 4),
    ]);
    expect(ranked.map((r) => r.name)).toEqual(['all-small-early', 'all-small-late', 'all-big', 'more-but-not-all', 'fewer']);
  });

  it('does not count an empty test list as passing all', () => {
    expect(rankCandidates([c('none', 0, 0, 1, 0), c('one', 1, 2, 5, 1)]).map((r) => r.name)).toEqual(['one', 'none']);
  });
});

describe('editSize', () => {
  it('counts the changed middle only', () => {
    expect(editSize('return a - b\n', 'return a + b\n')).toBe(1);
    expect(editSize('x = 1\n', 'x = 1\n')).toBe(0);
    expect(editSize('if a:\n    return 1\n', 'if not a:\n    return 1\n')).toBe(4);
  });
});

describe('withoutAddedImports', () => {
  it('drops the import lines a fix adds, keeps the ones the program had and every other added line', () => {
    const before = 'import re\ndef area(r):\n    return 3.14 * r * r\n';
    const after = 'import math\nimport re\nfrom fractions import Fraction\ndef area(r):\n    x = 1\n    return math.pi * r * r\n';
    expect(withoutAddedImports(before, after)).toBe('import re\ndef area(r):\n    x = 1\n    return math.pi * r * r\n');
    expect(editSize(before, withoutAddedImports(before, 'import math\n' + before.replace('3.14', 'math.pi')))).toBe(7);
  });
});

describe('changedLines', () => {
  it('names the original lines an edit replaces, or the line an insertion lands at', () => {
    expect(changedLines('a\nb\nc\n', 'a\nB\nc\n')).toEqual([2]);
    expect(changedLines('a\nb\nc\n', 'a\nb\nx\ny\nc\n')).toEqual([3]);
    expect(changedLines('a\nb\nc\n', 'a\nb\nc\n')).toEqual([]);
  });
});
