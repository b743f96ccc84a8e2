import { describe, expect, it } from 'vitest';
import { parseJavaScriptPaste } from './js-paste.ts';

describe('JavaScript pastes', () => {
  it('takes the fence language, with a second block as the tests', () => {
    const paste = parseJavaScriptPaste('my sum is off:\n```ts\nexport const add = (a: number, b: number) => a - b;\n```\n```ts\nexpect(add(1, 2)).toBe(3);\n```\n');
    expect(paste).toEqual({ code: 'export const add = (a: number, b: number) => a - b;\n', tests: 'expect(add(1, 2)).toBe(3);', language: 'typescript' });
  });

  it('detects unfenced JavaScript and leaves Python alone', () => {
    expect(parseJavaScriptPaste('function add(a, b) {\n  return a - b;\n}\nconsole.assert(add(1, 2) === 3);')?.language).toBe('javascript');
    expect(parseJavaScriptPaste('def add(a, b):\n    return a - b\n\nassert add(1, 2) == 3\n')).toBeUndefined();
    expect(parseJavaScriptPaste('```python\ndef f():\n    return 1\n```')).toBeUndefined();
  });
});
