import { describe, expect, it } from 'vitest';
import { defHeaderLine, splitSource } from './python-lines.ts';

/** endOf for lines 1..n, as an array, to read a whole mapping at a glance. */
function ends(source: string): number[] {
  const src = splitSource(source);
  return src.lines.map((_, i) => src.endOf[i + 1] ?? 0);
}

describe('splitSource: where a logical line ends', () => {
  it('joins bracketed continuations and backslash continuations', () => {
    expect(ends('x = [\n  1,\n]\ny = 1 + \\\n  2\nz = 3')).toEqual([3, 3, 3, 5, 5, 6]);
  });

  it('ignores brackets and quotes inside strings and comments', () => {
    expect(ends("a = \"(\" # [\nb = ')'\nc = 1  # it's (fine\nd = 2")).toEqual([1, 2, 3, 4]);
  });

  it('keeps a triple-quoted string, and an f-string with nested quotes, on their logical line', () => {
    expect(ends('s = """one\n( two\nthree"""\nt = f"{d[\'k\']}"\nu = rb\'\\\'\'')).toEqual([3, 3, 3, 4, 5]);
  });

  it('does not let an unterminated single quote swallow the file', () => {
    expect(ends("x = 'oops\ny = 1")).toEqual([1, 2]);
  });

  it('runs an unbalanced bracket (a syntax error) to the end', () => {
    expect(ends('f(1,\n2\n')).toEqual([3, 3, 3]);
  });
});

describe('defHeaderLine', () => {
  it('walks past decorators to the end of a (multi-line) def header', () => {
    const src = splitSource('@a\n@b(\n  1)\ndef f(x,\n      y):\n    return x\n');
    expect(defHeaderLine(src, 1)).toBe(5);
    expect(defHeaderLine(src, 4)).toBe(5);
    expect(defHeaderLine(src, 6)).toBe(6);
  });
});
