/** Ranking and edit measures (rank.ts) at their edges: insertions, deletions, ties, empty programs. */
import { describe, expect, it } from 'vitest';
import { changedLines, compareCandidates, editSize, rankCandidates } from './rank.ts';

const c = (passed: number, total: number, editSize: number, order: number) => ({ passed, total, editSize, order });

describe('compareCandidates', () => {
  it('orders on passes-all, then passes, then edit size, then order, and calls equals equal', () => {
    expect(compareCandidates(c(2, 2, 9, 9), c(1, 2, 1, 0))).toBeLessThan(0);
    expect(compareCandidates(c(1, 2, 1, 0), c(2, 2, 9, 9))).toBeGreaterThan(0);
    expect(compareCandidates(c(1, 3, 9, 9), c(0, 3, 1, 0))).toBeLessThan(0);
    expect(compareCandidates(c(1, 3, 1, 9), c(1, 3, 2, 0))).toBeLessThan(0);
    expect(compareCandidates(c(1, 3, 1, 0), c(1, 3, 1, 1))).toBeLessThan(0);
    expect(compareCandidates(c(1, 3, 1, 1), c(1, 3, 1, 1))).toBe(0);
    expect(compareCandidates(c(0, 0, 1, 0), c(0, 0, 1, 0))).toBe(0);
  });
  it('does not change the input list', () => {
    const list = [c(0, 1, 1, 0), c(1, 1, 1, 1)];
    expect(rankCandidates(list)).toEqual([list[1], list[0]]);
    expect(list[0]!.order).toBe(0);
  });
});

describe('editSize', () => {
  it('counts the longer side of an insertion or a deletion', () => {
    expect(editSize('ab', 'aXYb')).toBe(2);
    expect(editSize('aXYb', 'ab')).toBe(2);
    expect(editSize('', 'abc')).toBe(3);
    expect(editSize('abc', '')).toBe(3);
    expect(editSize('aaa', 'aa')).toBe(1);
    expect(editSize('abc', 'xyz')).toBe(3);
    expect(editSize('abcab', 'ab')).toBe(3);
  });
});

describe('changedLines', () => {
  it('names the lines replaced, a deleted line, and lines appended at the end', () => {
    expect(changedLines('a\nb\nc\n', 'x\nb\ny\n')).toEqual([1, 2, 3]);
    expect(changedLines('a\nb\nc\n', 'a\nc\n')).toEqual([2]);
    expect(changedLines('a\nb', 'a\nb\nc\nd')).toEqual([2]);
    expect(changedLines('a', 'b')).toEqual([1]);
    expect(changedLines('a\nb\nc\nd', 'a\nX\nY\nd')).toEqual([2, 3]);
    expect(changedLines('a\nb\nc', 'X\nb\nc')).toEqual([1]);
  });
});
