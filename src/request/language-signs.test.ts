/**
 * detectLanguage sign by sign: each sample is added to a text that sits exactly on a threshold, so the
 * verdict flips when (and only when) that one sign is read, and a near miss must not flip it.
 */
import { describe, expect, it } from 'vitest';
import { detectLanguage, languageOf, languageOfFence, languageOfFile } from './language.ts';

/** One JavaScript sign (a console call): one more makes it JavaScript. */
const ONE_JS = 'console.log(x)';
/** Two JavaScript signs, no TypeScript one: any TypeScript sign makes it TypeScript. */
const TWO_JS = 'console.log(x)\nlet y = 1';
/** Two JavaScript signs and one Python sign: one more Python sign makes it Python. */
const TWO_JS_ONE_PY = 'console.log(x)\nlet y = 1\nprint(y)';

describe('detectLanguage: JavaScript signs', () => {
  const signs: [string, string][] = [
    ['function add(a, b) {', 'func add(a, b) {'],
    ['  export async function* gen(a) {', 'x = function_name(a)'],
    ['export const total = 0', 'constant = 0'],
    ['  var n = 1', 'var n'],
    ['const f = x => x + 1', 'x = a >= b'],
    ['import fs from "node:fs"', 'import fs'],
    ["const m = require('m')", 'required(m)'],
    ['x++;', 'a; b'],
    ['}', '} else {'],
    ["test('adds', () => 0)", 'test(adds)'],
    ["it(`works`)", 'fit(x)'],
    ["describe('suite')", 'describe(suite)'],
    ['expect(add(1, 2)).toBe(3)', 'expect(x)'],
    ['expect(f()).not.toThrow()', 'expect(f()).but'],
  ];

  it('reads each sign, and not its near miss', () => {
    for (const [sign, nearMiss] of signs) {
      expect(detectLanguage(`${ONE_JS}\n${sign}`), sign).toBe('javascript');
      expect(detectLanguage(`${ONE_JS}\n${nearMiss}`), nearMiss).toBe('python');
    }
    // The console sign itself, on top of one other sign.
    for (const call of ['console.log(1)', 'console.assert(ok)', 'console.error (e)']) expect(detectLanguage(`let y = 1\n${call}`), call).toBe('javascript');
    expect(detectLanguage('let y = 1\nconsole.warn(1)')).toBe('python');
  });
});

describe('detectLanguage: TypeScript signs', () => {
  const signs: [string, string][] = [
    ['interface Point {', 'interface point {'],
    ['export type Id = string', 'type(x)'],
    ['type Box<T> = T', 'typed Box = 1'],
    ['function f(a): number {', 'function f(a) {'],
    ['const g = (a): Promise<number> => a', 'const g = (a) => a'],
    ['const h = (): Item[] => []', 'const h = () => []'],
    ['function k(n: number, m: string) {', 'function k(n, m) {'],
    ['let flags: boolean[] = []', 'let flags = []'],
    ['const v = x as const', 'const v = x'],
    ['const w = y as unknown', 'const w = y as Foo'],
    ['const z = <Foo>(bar)', 'const z = < Foo >(bar)'],
  ];

  it('reads each sign on JavaScript, and not its near miss', () => {
    for (const [sign, nearMiss] of signs) {
      expect(detectLanguage(`${TWO_JS}\n${sign}`), sign).toBe('typescript');
      expect(detectLanguage(`${TWO_JS}\n${nearMiss}`), nearMiss).toBe('javascript');
    }
  });
});

describe('detectLanguage: Python signs', () => {
  const signs: [string, string][] = [
    ['def add(a, b):', 'def add(a, b): return 1'],
    ['def f(x) -> int:', 'define f(x):'],
    ['import os', 'import os, sys'],
    ['from math import floor', 'from math import floor as f'],
    ['elif x > 1:', 'elif x > 1'],
    ['    except ValueError:', 'exception: 1'],
    ['with open(p) as f:', 'without(p)'],
    ['assert f(1) == 2', 'assert(f(1))'],
    ['return self.x', 'return itself'],
    ['class Foo(Base):', 'class Foo extends Base {'],
    ['class Foo:', 'classFoo:'],
    ['# a comment', 'x # not at the start'],
  ];

  it('reads each sign against JavaScript, and not its near miss', () => {
    for (const [sign, nearMiss] of signs) {
      expect(detectLanguage(`${TWO_JS_ONE_PY}\n${sign}`), sign).toBe('python');
      expect(detectLanguage(`${TWO_JS_ONE_PY}\n${nearMiss}`), nearMiss).not.toBe('python');
    }
    // print( is a sign too: with it, one other Python sign ties two JavaScript ones.
    expect(detectLanguage(`${TWO_JS}\nprint(1)\nimport os`)).toBe('python');
    expect(detectLanguage(`${TWO_JS}\nprinter(1)\nimport os`)).not.toBe('python');
  });

  it('stays Python with one JavaScript sign or none, and on a tie', () => {
    expect(detectLanguage('')).toBe('python');
    expect(detectLanguage(ONE_JS)).toBe('python');
    expect(detectLanguage(`${TWO_JS}\nimport os\nprint(1)`)).toBe('python');
  });
});

describe('fences and file names', () => {
  it('knows every name it lists, in any case, and only the first word of an info string', () => {
    const names: [string, string][] = [
      ['py', 'python'], ['python', 'python'], ['python3', 'python'],
      ['js', 'javascript'], ['javascript', 'javascript'], ['node', 'javascript'], ['mjs', 'javascript'], ['cjs', 'javascript'], ['jsx', 'javascript'],
      ['ts', 'typescript'], ['typescript', 'typescript'], ['tsx', 'typescript'], ['mts', 'typescript'], ['cts', 'typescript'],
    ];
    for (const [name, language] of names) {
      expect(languageOfFence(`  ${name.toUpperCase()}  title="x"`), name).toBe(language);
      expect(languageOfFile(`dir.v2/file.${name}`), name).toBe(language);
    }
    expect(languageOfFence(undefined)).toBeUndefined();
    expect(languageOfFence('   ')).toBeUndefined();
    expect(languageOfFile('Makefile')).toBeUndefined();
    expect(languageOfFile('archive.ts.bak')).toBeUndefined();
    expect(languageOfFile('x.TS')).toBe('typescript');
  });

  it('prefers the fence, then the file name, then the text', () => {
    expect(languageOf('def f():\n    pass', { fence: 'js', file: 'a.ts' })).toBe('javascript');
    expect(languageOf('def f():\n    pass', { fence: 'text', file: 'a.ts' })).toBe('typescript');
    expect(languageOf(TWO_JS, { file: 'notes.txt' })).toBe('javascript');
    expect(languageOf(TWO_JS)).toBe('javascript');
    expect(languageOf(TWO_JS, { fence: '' })).toBe('javascript');
  });
});
