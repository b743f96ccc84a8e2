/** parseJavaScriptPaste case by case: blocks, the separate tests field, languages, newlines. */
import { describe, expect, it } from 'vitest';
import { parseJavaScriptPaste } from './js-paste.ts';

const F = '```';
const JS = 'function add(a, b) {\n  return a - b;\n}';
const ASSERTS = 'console.assert(add(1, 2) === 3);';

describe('parseJavaScriptPaste', () => {
  it('joins every block after the first as the tests, skipping empty blocks, and ends the code with a newline', () => {
    expect(parseJavaScriptPaste(`${F}js\n${JS}\n${F}\n${F}js\n  \n${F}\n${F}js\n${ASSERTS}\n${F}\n${F}\nconsole.assert(add(0, 0) === 0);\n${F}`)).toEqual({
      code: `${JS}\n`,
      tests: `${ASSERTS}\n\nconsole.assert(add(0, 0) === 0);`,
      language: 'javascript',
    });
    expect(parseJavaScriptPaste(`${F}js\n${JS}\n\n${F}`)).toEqual({ code: `${JS}\n`, language: 'javascript' });
  });

  it('names the language from the first block that has one, else from the blocks’ text', () => {
    expect(parseJavaScriptPaste(`${F}\n${JS}\n${F}\n${F}ts\n${ASSERTS}\n${F}`)?.language).toBe('typescript');
    expect(parseJavaScriptPaste(`${F}\n${JS}\n${ASSERTS}\n${F}`)?.language).toBe('javascript');
    expect(parseJavaScriptPaste(`~~~\n${JS}\n${ASSERTS}\n~~~`)?.code).toBe(`${JS}\n${ASSERTS}\n`);
    expect(parseJavaScriptPaste(`${F}py\n${JS}\n${F}`)).toBeUndefined();
  });

  it('reads fences only at the start of a line; otherwise the whole text is the code', () => {
    const text = `${JS}\n${ASSERTS} // see \`\`\`x\`\`\``;
    expect(parseJavaScriptPaste(text)).toEqual({ code: `${text}\n`, language: 'javascript' });
  });

  it('takes a separate tests field as it is, or its blocks when fenced, after the inline tests', () => {
    expect(parseJavaScriptPaste(JS, ASSERTS)).toEqual({ code: `${JS}\n`, tests: ASSERTS, language: 'javascript' });
    expect(parseJavaScriptPaste(`${F}js\n${JS}\n${F}\n${F}js\nA;\n${F}`, `${F}js\nB;\n${F}\n${F}js\nC;\n${F}`)).toEqual({ code: `${JS}\n`, tests: 'A;\n\nB;\n\nC;', language: 'javascript' });
    expect(parseJavaScriptPaste(`${F}js\n${JS}\n${F}`, '   ')).toEqual({ code: `${JS}\n`, language: 'javascript' });
    // The tests field counts toward the language of unfenced text.
    expect(parseJavaScriptPaste('const x = 1', 'console.assert(x === 1);')?.language).toBe('javascript');
  });
});
