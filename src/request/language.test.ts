import { describe, expect, it } from 'vitest';
import { detectLanguage, languageOf, languageOfFence, languageOfFile } from './language.ts';

describe('language detection', () => {
  it('believes fences and file names first', () => {
    expect(languageOfFence('ts')).toBe('typescript');
    expect(languageOfFence('JavaScript title="x"')).toBe('javascript');
    expect(languageOfFence('rust')).toBeUndefined();
    expect(languageOfFile('src/buggy.mjs')).toBe('javascript');
    expect(languageOfFile('buggy.py')).toBe('python');
    expect(languageOf('def f(): pass', { file: 'a.ts' })).toBe('typescript');
  });

  it('tells JavaScript, TypeScript and Python apart by their signs', () => {
    expect(detectLanguage('function add(a, b) {\n  return a - b;\n}\nconsole.assert(add(1, 2) === 3);\n')).toBe('javascript');
    expect(detectLanguage('const add = (a: number, b: number): number => a - b;\nexpect(add(1, 2)).toBe(3);\n')).toBe('typescript');
    expect(detectLanguage('interface P { x: number }\nfunction f(p: P) {\n  return p.x;\n}\n')).toBe('typescript');
    expect(detectLanguage('def add(a, b):\n    return a - b\n\nassert add(1, 2) == 3\n')).toBe('python');
    // A Python dict with braces and a trailing semicolon is still Python.
    expect(detectLanguage("def f(x):\n    d = {'a': 1};\n    return d\n")).toBe('python');
  });
});
