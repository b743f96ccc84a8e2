import { describe, expect, it } from 'vitest';
import { TracefixError } from '../errors.ts';
import { formatBytes, looksLikeHelpRequest, newRequestId, parsePaste, unescapeSlack } from './index.ts';
import type { ParsedPaste, PasteInput } from './index.ts';

const LIMITS = { maxBytes: 64 * 1024 };
const F = '```';

function parse(text: string, extra: Partial<PasteInput> = {}): ParsedPaste {
  return parsePaste({ text, platform: 'web', ...extra }, LIMITS);
}

function errorOf(fn: () => unknown): TracefixError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TracefixError) return error;
    throw error;
  }
  throw new Error('expected a TracefixError');
}

describe('parsePaste: fences', () => {
  it('takes code and tests from two ```python blocks, with the text around them as the description', () => {
    const text = `Why does add subtract?\n${F}python\ndef add(a, b):\n    return a - b\n${F}\nand the tests:\n${F}python\nassert add(2, 3) == 5\nassert add(0, 0) == 0\n${F}\n`;
    expect(parse(text)).toEqual({
      code: 'def add(a, b):\n    return a - b\n',
      tests: 'assert add(2, 3) == 5\nassert add(0, 0) == 0\n',
      description: 'Why does add subtract?\n\nand the tests:',
      entryPoint: 'add',
      language: 'python',
    });
  });

  it('accepts ```py, a bare ``` and ~~~ fences', () => {
    const text = `${F}py\ndef inc(x):\n    return x\n${F}\n~~~\nassert inc(1) == 2\n~~~`;
    const out = parse(text);
    expect(out.code).toBe('def inc(x):\n    return x\n');
    expect(out.tests).toBe('assert inc(1) == 2\n');
    const bare = parse(`${F}\ndef inc(x):\n    return x\n${F}`);
    expect(bare.code).toBe('def inc(x):\n    return x\n');
    expect(bare.tests).toBeUndefined();
    expect(bare.entryPoint).toBe('inc');
  });

  it('tells tests from code by content, whatever the order', () => {
    const text = `${F}\nassert sq(3) == 9\n${F}\n${F}\ndef sq(x):\n    return x * 2\n${F}`;
    const out = parse(text);
    expect(out.code).toBe('def sq(x):\n    return x * 2\n');
    expect(out.tests).toBe('assert sq(3) == 9\n');
  });

  it('recognises pytest functions and HumanEval check(candidate) as tests, and check(fn) names the entry point', () => {
    const pytest = parse(
      `${F}\ndef helper(x):\n    return x\n\ndef inc(x):\n    return helper(x)\n${F}\n${F}\nimport pytest\n\ndef test_inc():\n    assert inc(1) == 2\n${F}`,
    );
    expect(pytest.tests).toBe('import pytest\n\ndef test_inc():\n    assert inc(1) == 2\n');
    expect(pytest.entryPoint).toBe('inc');

    const humaneval = parse(
      `${F}python\ndef has_close_elements(numbers, threshold):\n    return False\n${F}\n${F}python\ndef check(candidate):\n    assert candidate([1.0, 1.05], 0.1) == True\n\ncheck(has_close_elements)\n${F}`,
    );
    expect(humaneval.tests).toContain('check(has_close_elements)');
    expect(humaneval.entryPoint).toBe('has_close_elements');
  });

  it('splits one block that holds the function followed by its asserts', () => {
    const out = parse(
      `${F}python\ndef mul(a, b):\n    assert isinstance(a, int)\n    return a + b\n\n# tests\nassert mul(2, 3) == 6\nprint(mul(1, 1))\n${F}`,
    );
    expect(out.code).toBe('def mul(a, b):\n    assert isinstance(a, int)\n    return a + b\n');
    expect(out.tests).toBe('# tests\nassert mul(2, 3) == 6\nprint(mul(1, 1))\n');
    expect(out.entryPoint).toBe('mul');
  });

  it('keeps a block whole when code follows the asserts (they are part of a script)', () => {
    const out = parse(`${F}\nassert 1 + 1 == 2\n\ndef f():\n    return 1\n${F}`);
    expect(out.code).toBe('assert 1 + 1 == 2\n\ndef f():\n    return 1\n');
    expect(out.tests).toBeUndefined();
  });

  it('falls back to order when nothing looks like tests: the second block drives the first', () => {
    const out = parse(`${F}\ndef greet(name):\n    return "hi " + nme\n${F}\n${F}\nprint(greet("bo"))\n${F}`);
    expect(out.code).toBe('def greet(name):\n    return "hi " + nme\n');
    expect(out.tests).toBe('print(greet("bo"))\n');
  });

  it('treats a second block with its own definitions as more code, not tests', () => {
    const out = parse(`${F}\ndef a():\n    return b()\n${F}\n${F}\ndef b():\n    return 1\n${F}`);
    expect(out.code).toBe('def a():\n    return b()\n\ndef b():\n    return 1\n');
    expect(out.tests).toBeUndefined();
    expect(out.entryPoint).toBeUndefined();
  });

  it('reads an unclosed fence to the end, and a Slack-style fence glued to the code on one line', () => {
    expect(parse(`look:\n${F}py\ndef f():\n    return 2\n`).code).toBe('def f():\n    return 2\n');
    expect(parse(`${F}x = [1, 2]\nprint(x)${F}`).code).toBe('x = [1, 2]\nprint(x)\n');
    expect(parse(`${F}print("hi")${F}`).code).toBe('print("hi")\n');
  });

  it('keeps untagged output blocks and ```text output as description, and output fences out of the code', () => {
    const out = parse(
      `${F}\ndef f():\n    return [1]\n${F}\nI get:\n${F}\n[1]\n${F}\nbut expected\n${F}console\n$ python f.py\n${F}`,
    );
    expect(out.code).toBe('def f():\n    return [1]\n');
    expect(out.tests).toBeUndefined();
    expect(out.description).toContain('[1]');
    expect(out.description).toContain('$ python f.py');
  });
});

describe('parsePaste: the pastes people actually send', () => {
  it('moves setup lines into the tests when the code under test is in another block', () => {
    const out = parse(
      `${F}\nclass Stack:\n    def __init__(self):\n        self.items = []\n\n    def pop(self):\n        return self.items.pop(0)\n${F}\n${F}\ns = Stack()\ns.items = [1, 2]\nassert s.pop() == 2\n${F}`,
    );
    expect(out.code).toBe(
      'class Stack:\n    def __init__(self):\n        self.items = []\n\n    def pop(self):\n        return self.items.pop(0)\n',
    );
    expect(out.tests).toBe('s = Stack()\ns.items = [1, 2]\nassert s.pop() == 2\n');
  });

  it('treats unittest classes and an `if __name__ == "__main__":` block of asserts as tests', () => {
    const unit = parse(
      `${F}python\ndef add(a, b):\n    return a - b\n${F}\n${F}python\nimport unittest\nclass TestAdd(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n${F}`,
    );
    expect(unit.code).toBe('def add(a, b):\n    return a - b\n');
    expect(unit.tests).toMatch(/^import unittest\nclass TestAdd/);
    expect(unit.entryPoint).toBe('add');
    const main = parse(
      `${F}python\ndef add(a, b):\n    return a - b\n\nif __name__ == "__main__":\n    assert add(1, 2) == 3\n${F}`,
    );
    expect(main.code).toBe('def add(a, b):\n    return a - b\n');
    expect(main.tests).toBe('if __name__ == "__main__":\n    assert add(1, 2) == 3\n');
  });

  it('reads a REPL transcript as the statements typed, keeping the transcript as the description', () => {
    const out = parse('>>> def f(x):\n...     return x\n...\n>>> f(2)\n3');
    expect(out.code).toBe('def f(x):\n    return x\n\nf(2)\n');
    expect(out.description).toContain('>>> f(2)\n3');
  });

  it('keeps a sentence after unfenced code out of the code', () => {
    const out = parse('here is my code\ndef f(x):\n    return x*2\nassert f(2) == 5\nit fails, why?');
    expect(out.code).toBe('def f(x):\n    return x*2\n');
    expect(out.tests).toBe('assert f(2) == 5\n');
    expect(out.description).toBe('here is my code\nit fails, why?');
  });

  it('reads code left outside a stray closing fence, with the sentence after it as the description', () => {
    const out = parse(`def area(w, h):\n    return w + h\nassert area(2, 3) == 6\n${F}\nHope this helps!`);
    expect(out.code).toBe('def area(w, h):\n    return w + h\n');
    expect(out.tests).toBe('assert area(2, 3) == 6\n');
    // a fence that holds the code still wins over text outside it
    const fenced = parse(`see below, x = 1 is not it\n${F}python\ndef g():\n    return 1\n${F}`);
    expect(fenced.code).toBe('def g():\n    return 1\n');
  });

  it('accepts an info string with attributes after a known language', () => {
    expect(parse(`${F}python title="x.py"\ndef f():\n    return 1\n${F}`).code).toBe(
      'def f():\n    return 1\n',
    );
  });

  it('straightens curly quotes a rich-text editor put in code, but not inside real strings or comments', () => {
    const out = parse(
      `${F}\ndef f():\n    s = ‘it’\n    t = "he said “hi”"  # “quoted”\n    return “x” + s + t\n${F}`,
    );
    expect(out.code).toBe(
      `def f():\n    s = 'it'\n    t = "he said “hi”"  # “quoted”\n    return "x" + s + t\n`,
    );
  });
});

describe('parsePaste: Slack and Discord', () => {
  it('undoes Slack escaping and link wrapping inside code, and drops the mention and /fix', () => {
    const text =
      "<@U012AB3CD> /fix this keeps failing &amp; I don't know why\n" +
      '```from <http://helpers.py|helpers.py> import x\n' +
      'def clamp(v, lo, hi):\n' +
      '    if v &lt; lo and hi &gt; lo:\n' +
      '        return lo\n' +
      '    return "&amp;lt;" if v &gt;= hi else v\n' +
      '    # docs: <https://docs.python.org/3/>\n' +
      '```\n```assert clamp(5, 0, 3) == 3```';
    const out = parsePaste({ text, platform: 'slack' }, LIMITS);
    expect(out.code).toBe(
      'from helpers.py import x\ndef clamp(v, lo, hi):\n    if v < lo and hi > lo:\n        return lo\n    return "&lt;" if v >= hi else v\n    # docs: https://docs.python.org/3/\n',
    );
    expect(out.tests).toBe('assert clamp(5, 0, 3) == 3\n');
    expect(out.description).toBe("this keeps failing & I don't know why");
    expect(out.entryPoint).toBe('clamp');
  });

  it('only unescapes for Slack: the web chat keeps &lt; literally', () => {
    const text = `${F}\ns = "&lt;"\nprint(s)\n${F}`;
    expect(parse(text).code).toBe('s = "&lt;"\nprint(s)\n');
    expect(parsePaste({ text, platform: 'slack' }, LIMITS).code).toBe('s = "<"\nprint(s)\n');
  });

  it('unescapeSlack resolves mentions, channels, special mentions and leaves &amp;lt; as &lt;', () => {
    expect(unescapeSlack('<@U1|ann> in <#C2|help>: <!here> a &amp;lt; b <mailto:a@b.io|a@b.io>')).toBe(
      '@ann in #help: @here a &lt; b a@b.io',
    );
  });

  it('strips Discord user and role mentions from the description', () => {
    const out = parsePaste(
      { text: `<@!81234> <@&999> why?\n${F}py\nx = 1 / 0\n${F}`, platform: 'discord' },
      LIMITS,
    );
    expect(out.description).toBe('why?');
    expect(out.code).toBe('x = 1 / 0\n');
  });

  it('takes .py attachments: test_*.py and *_test.py are tests, other .py files are code; images are ignored', () => {
    const out = parsePaste(
      {
        text: '<@U1> fix please',
        platform: 'slack',
        attachments: [
          { name: 'solution.py', content: new TextEncoder().encode('def area(w, h):\n    return w + h\n') },
          {
            name: 'test_solution.py',
            content: 'from solution import area\n\ndef check_area():\n    pass\n\nassert area(2, 3) == 6\n',
          },
          { name: 'area_test.py', content: 'assert area(1, 1) == 1\n' },
          { name: 'tests.py', content: 'print(area(0, 0))\n' },
          { name: 'screenshot.png', content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff]) },
        ],
      },
      LIMITS,
    );
    expect(out.code).toBe('def area(w, h):\n    return w + h\n');
    expect(out.tests).toBe(
      'from solution import area\n\ndef check_area():\n    pass\n\nassert area(2, 3) == 6\n\nassert area(1, 1) == 1\n\nprint(area(0, 0))\n',
    );
    expect(out.description).toBe('fix please');
    expect(out.entryPoint).toBe('area');
  });

  it("reads Discord's message.txt (a long message turned into a file) like a message", () => {
    const out = parsePaste(
      {
        text: '',
        platform: 'discord',
        attachments: [
          {
            name: 'message.txt',
            content: `${F}py\ndef f(n):\n    return n\n${F}\n${F}py\nassert f(1) == 2\n${F}`,
          },
        ],
      },
      LIMITS,
    );
    expect(out.code).toBe('def f(n):\n    return n\n');
    expect(out.tests).toBe('assert f(1) == 2\n');
  });
});

describe('parsePaste: no fences', () => {
  it('takes the whole message when it reads as Python, splitting off trailing asserts', () => {
    const out = parse('def double(x):\n    return x + x + x\n\nassert double(2) == 4');
    expect(out.code).toBe('def double(x):\n    return x + x + x\n');
    expect(out.tests).toBe('assert double(2) == 4\n');
    expect(out.description).toBeUndefined();
  });

  it('takes the tail from the first def when the message opens with a sentence', () => {
    const out = parse(
      'my function returns the wrong total for empty lists\nimport math\ndef total(xs):\n    return math.fsum(xs) / len(xs)\n',
    );
    expect(out.description).toBe('my function returns the wrong total for empty lists');
    expect(out.code).toBe('import math\ndef total(xs):\n    return math.fsum(xs) / len(xs)\n');
  });

  it('runs a plain script with no function', () => {
    const out = parse('xs = [3, 1, 2]\nxs.sort()\nprint(xs[3])');
    expect(out.code).toBe('xs = [3, 1, 2]\nxs.sort()\nprint(xs[3])\n');
    expect(out.entryPoint).toBeUndefined();
  });

  it('cleans CRLF, zero-width and non-breaking spaces, and shared indentation', () => {
    const out = parse(`${F}\r\n    def f(x):\r\n    \u00A0   return\u200B x\r\n${F}`);
    expect(out.code).toBe('def f(x):\n    return x\n');
  });
});

describe('parsePaste: tracebacks and help requests', () => {
  const traceback =
    'Traceback (most recent call last):\n  File "main.py", line 4, in <module>\n    print(avg([]))\n  File "main.py", line 2, in avg\n    return sum(xs) / len(xs)\nZeroDivisionError: division by zero';

  it('lifts a traceback out of the description and out of a code block', () => {
    const inText = parse(
      `I get this:\n${traceback}\n${F}py\ndef avg(xs):\n    return sum(xs) / len(xs)\n${F}`,
    );
    expect(inText.traceback).toBe(traceback);
    expect(inText.description).toBe('I get this:');
    const inBlock = parse(
      `${F}py\ndef avg(xs):\n    return sum(xs) / len(xs)\n\nprint(avg([]))\n${traceback}\n${F}`,
    );
    expect(inBlock.traceback).toBe(traceback);
    expect(inBlock.code).toBe('def avg(xs):\n    return sum(xs) / len(xs)\n\nprint(avg([]))\n');
  });

  it('a traceback with no code asks for the code that raised it', () => {
    for (const text of [traceback, `${F}\n${traceback}\n${F}`, `why?\n${traceback}`]) {
      expect(() => parse(text)).toThrow(/I see the traceback, but not the code that raised it/);
    }
  });

  it('looksLikeHelpRequest needs both a traceback and a block of code', () => {
    const code = `${F}py\ndef avg(xs):\n    return sum(xs) / len(xs)\n${F}`;
    expect(looksLikeHelpRequest(`help!\n${traceback}\n${code}`)).toBe(true);
    expect(looksLikeHelpRequest(`${F}\n${traceback}\n${F}\n${code}`)).toBe(true);
    expect(looksLikeHelpRequest(`help!\n${traceback}`)).toBe(false);
    expect(looksLikeHelpRequest(`${F}\n${traceback}\n${F}`)).toBe(false);
    expect(looksLikeHelpRequest(code)).toBe(false);
    expect(looksLikeHelpRequest('anyone know a good Python book?')).toBe(false);
    // Slack-escaped text still counts.
    expect(
      looksLikeHelpRequest(
        `${traceback.replace('in <module>', 'in &lt;module&gt;')}\n${F}if a &lt; b:\n    x = 1${F}`,
      ),
    ).toBe(true);
  });
});

describe('parsePaste: errors the user can act on', () => {
  it('empty_input for nothing, or only a mention and the command', () => {
    for (const text of ['', '   \n ', '<@U123> /fix']) {
      const error = errorOf(() => parsePaste({ text, platform: 'slack' }, LIMITS));
      expect(error.code).toBe('empty_input');
      expect(error.userMessage).toContain('```python');
    }
  });

  it('binary_input for NUL bytes, control bytes and attachments that are not UTF-8', () => {
    expect(errorOf(() => parse('def f():\u0000\n    pass')).code).toBe('binary_input');
    expect(errorOf(() => parse('\u0001\u0002\u0003\u0004 abc')).code).toBe('binary_input');
    const file = errorOf(() =>
      parse('see file', {
        attachments: [{ name: 'main.py', content: new Uint8Array([0x64, 0x65, 0x66, 0xc3, 0x28]) }],
      }),
    );
    expect(file.code).toBe('binary_input');
    expect(file.userMessage).toContain('main.py');
    expect(file.cause).toBeInstanceOf(TypeError);
  });

  it('too_large names the size and the limit, counting attachments too', () => {
    const error = errorOf(() =>
      parsePaste(
        {
          text: 'x = 1\n',
          platform: 'web',
          attachments: [{ name: 'big.py', content: 'a = 1\n'.repeat(20_000) }],
        },
        { maxBytes: 100 * 1024 },
      ),
    );
    expect(error.code).toBe('too_large');
    expect(error.userMessage).toBe(
      'That paste is 117.2 KB, over the 100 KB limit. Paste only the function that fails and the tests that show it.',
    );
  });

  it('measures a Slack paste as the user typed it: &amp; is one byte', () => {
    const typed = '```python\ndef f(a, b):\n    return a & b  # ' + '&'.repeat(40) + '\n```';
    const sent = typed.replace(/&/g, '&amp;');
    const limit = Buffer.byteLength(typed) + 10;
    expect(Buffer.byteLength(sent)).toBeGreaterThan(limit);
    expect(parsePaste({ text: sent, platform: 'slack' }, { maxBytes: limit }).code).toContain('a & b');
    expect(errorOf(() => parsePaste({ text: sent, platform: 'slack' }, { maxBytes: limit - 20 })).code).toBe('too_large');
  });

  it('bad_input with an example when there is no runnable code', () => {
    const prose = errorOf(() =>
      parse('my code is broken, can you help me figure out why it returns the wrong thing?'),
    );
    expect(prose.code).toBe('bad_input');
    expect(prose.userMessage).toContain('```python\ndef add(a, b):');
    expect(prose.userMessage).toContain('assert add(2, 3) == 5');

    const testsOnly = errorOf(() => parse(`${F}\nassert f(1) == 2\n${F}`));
    expect(testsOnly.code).toBe('bad_input');
    expect(testsOnly.userMessage).toMatch(/^I found tests but not the code they test/);

    const rust = errorOf(() => parse(`${F}rust\nfn f(x: i32) -> i32 { x + 1 }\n${F}`));
    expect(rust.userMessage).toMatch(/^I can run Python, JavaScript and TypeScript, and the code block I found is marked as rust\./);
  });
});

describe('parsePaste: size', () => {
  // Its speed is measured by `npm run bench text`, not here.
  it('parses a 1 MB paste and keeps every line', () => {
    const body = Array.from({ length: 30_000 }, (_, i) => `def f${i}(x):\n    return x + ${i}`).join('\n');
    const text = `big one\n${F}python\n${body}\n${F}\n${F}python\nassert f7(1) == 8\n${F}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(1_000_000);
    const out = parsePaste({ text, platform: 'slack' }, { maxBytes: 2 * 1024 * 1024 });
    expect(out.code).toBe(`${body}\n`);
    expect(out.tests).toBe('assert f7(1) == 8\n');
    expect(out.entryPoint).toBe('f7');
    const size = Buffer.byteLength(text).toLocaleString('en-US');
    expect(
      errorOf(() => parsePaste({ text, platform: 'slack' }, { maxBytes: 1024 * 1024 })).userMessage,
    ).toMatch(new RegExp(`^That paste is ${size} bytes, over the 1,048,576-byte limit\\.`));
    expect(
      errorOf(() => parsePaste({ text, platform: 'slack' }, { maxBytes: 512 * 1024 })).userMessage,
    ).toMatch(/^That paste is 1(?:\.\d)? MB, over the 512 KB limit\./);
  });

  it('formatBytes', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MB');
  });
});

describe('newRequestId', () => {
  it('is 10 URL-safe base32 characters and does not repeat', () => {
    const ids = new Set(Array.from({ length: 2_000 }, () => newRequestId()));
    expect(ids.size).toBe(2_000);
    for (const id of ids) expect(id).toMatch(/^[a-z2-7]{10}$/);
  });
});

describe('parsePaste: JavaScript and TypeScript in chat', () => {
  it('reads a block marked js as JavaScript, with the second block as its tests', () => {
    const text = '<@U1> why?\n```js\nfunction add(a, b) {\n  return a - b;\n}\n```\n```js\nconsole.assert(add(2, 3) === 5);\n```';
    const parsed = parsePaste({ text, platform: 'slack' }, { maxBytes: 100_000 });
    expect(parsed.language).toBe('javascript');
    expect(parsed.code).toContain('return a - b;');
    expect(parsed.tests).toContain('console.assert(add(2, 3) === 5)');
  });

  it('reads a block marked ts as TypeScript, and an unmarked block stays Python', () => {
    const ts = parsePaste({ text: '```ts\nexport function inc(n: number): number {\n  return n;\n}\n```', platform: 'discord' }, { maxBytes: 100_000 });
    expect(ts.language).toBe('typescript');
    const py = parsePaste({ text: '```\ndef inc(n):\n    return n\n```\n```\nassert inc(1) == 2\n```', platform: 'discord' }, { maxBytes: 100_000 });
    expect(py.language).toBe('python');
  });
});
