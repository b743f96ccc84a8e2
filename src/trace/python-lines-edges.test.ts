/** python-lines.ts at its edges: def and class names as Python writes them, decorators at the end of a file, lines out of range. */
import { describe, expect, it } from 'vitest';
import { defHeaderLine, definedName, logicalText, splitSource } from './python-lines.ts';

describe('definedName', () => {
  it('reads the name a def, an async def or a class binds, however it is spaced', () => {
    expect(definedName('def f(x):')).toBe('f');
    expect(definedName('    async   def  _run(self):')).toBe('_run');
    expect(definedName('class  Box:')).toBe('Box');
    expect(definedName('\tdef\tg():')).toBe('g');
    expect(definedName('x = 1  # def f():')).toBeUndefined();
    expect(definedName('asyncdef f():')).toBeUndefined();
    expect(definedName('define(x)')).toBeUndefined();
    expect(definedName('def (x):')).toBeUndefined();
  });
});

describe('logicalText', () => {
  it('joins the physical lines of the logical line, from any of them', () => {
    const src = splitSource('x = [\n  1,\n]\ny = 2\n');
    expect(logicalText(src, 2)).toBe('x = [\n  1,\n]');
    expect(logicalText(src, 4)).toBe('y = 2');
    // a line past the end is its own (empty) text
    expect(logicalText(src, 9)).toBe('');
  });
});

describe('defHeaderLine at the edges', () => {
  it('stops at the end of the file after a trailing decorator, and leaves a line that is no def alone', () => {
    const src = splitSource('x = 1\n@a\n');
    expect(defHeaderLine(src, 2)).toBe(2);
    const call = splitSource('y = f(1,\n      2)\n');
    expect(defHeaderLine(call, 1)).toBe(2);
    expect(defHeaderLine(splitSource('pass\n'), 7)).toBe(7);
    // a def on the first line after the decorators, a class too
    expect(defHeaderLine(splitSource('@d\nclass C(\n  B):\n    pass\n'), 1)).toBe(3);
  });

  it('maps every line of a file that ends inside a bracket to its end, and a one-line file to itself', () => {
    const src = splitSource('a = 1\nb = (\n2');
    expect(src.startOf.slice(1)).toEqual([1, 2, 2]);
    expect(src.endOf.slice(1)).toEqual([1, 3, 3]);
    expect(splitSource('a').endOf.slice(1)).toEqual([1]);
  });
});
