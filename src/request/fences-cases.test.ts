/** splitFences case by case: info strings with attributes, statement words, tildes, unclosed fences. */
import { describe, expect, it } from 'vitest';
import { splitFences } from './fences.ts';

const F = '```';
const LANGS = ['python', 'py', 'python3', 'py3', 'ipython', 'pycon', 'pytb', 'text', 'txt', 'plaintext', 'console', 'shell', 'sh', 'bash', 'js', 'javascript', 'ts', 'typescript', 'java', 'c', 'cpp', 'go', 'rust', 'ruby', 'json', 'yaml', 'toml', 'diff'];
const STATEMENTS = ['pass', 'break', 'continue', 'return', 'else', 'try', 'finally', 'raise', 'yield'];

describe('splitFences: the info string', () => {
  it('takes a known language followed by attributes as the language, in any case', () => {
    for (const lang of LANGS) {
      expect(splitFences(`${F}${lang.toUpperCase()} title="x"\ncode\n${F}`).blocks, lang).toEqual([{ lang, content: 'code' }]);
    }
  });

  it('takes an unknown word followed by more text as code, and a lone word as the language', () => {
    expect(splitFences(`${F}foo = 1\n${F}`).blocks).toEqual([{ lang: '', content: 'foo = 1' }]);
    expect(splitFences(`${F}Haskell\nmain\n${F}`).blocks).toEqual([{ lang: 'haskell', content: 'main' }]);
    expect(splitFences(`${F}  c++  \nint x;\n${F}`).blocks).toEqual([{ lang: 'c++', content: 'int x;' }]);
    // Attributes need a space after the language; a backtick on the line makes it code.
    expect(splitFences(`${F}python\ttitle\nx\n${F}`).blocks).toEqual([{ lang: 'python', content: 'x' }]);
    expect(splitFences(`${F}python x \`y\`\n${F}`).blocks).toEqual([{ lang: '', content: 'python x `y`' }]);
  });

  it('takes a lone statement word after the fence as code, not as a language', () => {
    for (const word of STATEMENTS) expect(splitFences(`${F}${word}\n${F}`).blocks, word).toEqual([{ lang: '', content: word }]);
  });

  it('reads a fence with nothing after it on its last line', () => {
    expect(splitFences(`${F}python`)).toEqual({ blocks: [{ lang: 'python', content: '' }], outside: '\n\n', hadFence: true });
    expect(splitFences(`${F}`)).toEqual({ blocks: [{ lang: '', content: '' }], outside: '\n\n', hadFence: true });
  });
});

describe('splitFences: fences and what is outside them', () => {
  it('replaces each block with a blank line outside, and says whether there was a fence', () => {
    expect(splitFences(`a ${F}x${F} b ${F}y${F} c`)).toEqual({ blocks: [{ lang: '', content: 'x' }, { lang: '', content: 'y' }], outside: 'a \n\n b \n\n c', hadFence: true });
    expect(splitFences('no fences')).toEqual({ blocks: [], outside: 'no fences', hadFence: false });
  });

  it('closes a fence only with at least as many backticks, and runs an unclosed one to the end', () => {
    expect(splitFences(`${'`'.repeat(4)}\na ${F} b\n${'`'.repeat(5)} after`)).toEqual({ blocks: [{ lang: '', content: `a ${F} b` }], outside: '\n\n after', hadFence: true });
    expect(splitFences(`intro\n${F}py\nx = 1\n`).blocks).toEqual([{ lang: 'py', content: 'x = 1' }]);
  });

  it('opens tildes only at the start of a line (up to three spaces in), and closes them on a line of their own', () => {
    expect(splitFences('   ~~~py\nx ~~~ y\n  ~~~~  \nrest')).toEqual({ blocks: [{ lang: 'py', content: 'x ~~~ y' }], outside: '   \n\n\nrest', hadFence: true });
    expect(splitFences('a ~~~ b')).toEqual({ blocks: [], outside: 'a ~~~ b', hadFence: false });
    expect(splitFences('    ~~~\nx').hadFence).toBe(false);
    expect(splitFences('~~~\nx\n~~').blocks).toEqual([{ lang: '', content: 'x\n~~' }]);
    expect(splitFences('~~~~\nx\n~~~\ny\n~~~~').blocks).toEqual([{ lang: '', content: 'x\n~~~\ny' }]);
    // A backtick run does not close a tilde fence, nor the other way round.
    expect(splitFences(`~~~\nx\n${F}\n~~~`).blocks).toEqual([{ lang: '', content: `x\n${F}` }]);
  });
});
