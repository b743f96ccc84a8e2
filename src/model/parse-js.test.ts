import { describe, expect, it } from 'vitest';
import { analyseJsAnswer } from './parse-js.ts';

const F = '```';
const PROGRAM = 'function area(w, h) {\n  return w + h;\n}\n';
const FIXED = 'function area(w, h) {\n  return w * h;\n}';

describe('analyseJsAnswer', () => {
  it('takes the program from a ```js, ```javascript, ```ts or unlabelled block, the rationale from around it', () => {
    for (const lang of ['js', 'javascript', 'ts', 'typescript', 'jsx', '']) {
      const outcome = analyseJsAnswer(`Multiply, do not add.\n\n${F}${lang}\n${FIXED}\n${F}\n`, { program: PROGRAM });
      expect(outcome).toEqual({ candidate: { rationale: 'Multiply, do not add.', code: `${FIXED}\n` }, merged: false, source: 'fence' });
    }
  });

  it('ignores Python, shell and usage blocks, and prefers the block that defines the entry point', () => {
    const answer = `Why.\n\n${F}python\ndef area(w, h):\n    return w * h\n${F}\n\n${F}js\n${FIXED}\n${F}\n\nUsage:\n\n${F}js\nconsole.log(area(2, 3));\n${F}\n\n${F}sh\nnode area.js\n${F}\n`;
    expect(analyseJsAnswer(answer, { program: PROGRAM }).candidate?.code).toBe(`${FIXED}\n`);
  });

  it('strips NExT comments from an echoed trace when that is all there is, and rejects what holds no program', () => {
    const echo = `${F}js\nfunction area(w, h) {  // (1) w=2; h=3;\n  return w * h;  // (3) __return__=6;\n}\n${F}`;
    expect(analyseJsAnswer(echo, { program: PROGRAM }).candidate?.code).toBe(`${FIXED}\n`);
    expect(analyseJsAnswer('I do not know.', { program: PROGRAM })).toEqual({ candidate: null, reason: 'no_code' });
    expect(analyseJsAnswer('', { program: PROGRAM })).toEqual({ candidate: null, reason: 'empty' });
    expect(analyseJsAnswer(`${F}js\nconst unrelated = 1;\n${F}`, { program: PROGRAM })).toEqual({ candidate: null, reason: 'missing_entry' });
  });

  it('rejects a block cut off mid-function by the token limit, keeps an unclosed fence whose code is whole', () => {
    expect(analyseJsAnswer(`Fix:\n${F}js\nfunction area(w, h) {\n  return w * h;\n`, { program: PROGRAM })).toEqual({ candidate: null, reason: 'incomplete_code' });
    expect(analyseJsAnswer(`Fix:\n${F}js\n${FIXED}\n`, { program: PROGRAM }).candidate?.code).toBe(`${FIXED}\n`);
  });
});
