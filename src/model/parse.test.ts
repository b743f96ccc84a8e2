import { describe, expect, it } from 'vitest';
import { analyseAnswer, parseAnswer } from './parse.ts';
import { mergeIntoProgram, splitTopLevel } from './python-source.ts';

const F = '```';

const ORIGINAL = `def count_vowels(text):
    count = 0
    for i in range(len(text) - 1):
        if text[i] in "aeiou":
            count += 1
    return count
`;

const FIXED = `def count_vowels(text):
    count = 0
    for i in range(len(text)):
        if text[i] in "aeiou":
            count += 1
    return count
`;

const MULTI = `import math

LIMIT = 10


def helper(x):
    return x * 2


@cache
def area(r):
    """Area of a circle."""
    return math.pi * r


def main():
    print(area(helper(1)))


if __name__ == "__main__":
    main()
`;

describe('parseAnswer: the requested format', () => {
  it('takes the rationale before the fence and the program inside it', () => {
    const answer = `The loop stops at i=4 (step 12), one short.\n\n${F}python\n${FIXED}${F}\n`;
    const candidate = parseAnswer(answer, { program: ORIGINAL });
    expect(candidate).toEqual({ rationale: 'The loop stops at i=4 (step 12), one short.', code: FIXED });
  });

  it.each(['py', 'python3', 'Python', '', 'py3', '{.python}'])('accepts a %s fence', (lang) => {
    const answer = `Reason.\n${F}${lang}\n${FIXED}${F}`;
    expect(parseAnswer(answer, { program: ORIGINAL })?.code).toBe(FIXED);
  });

  it('accepts ~~~ fences and longer backtick fences holding ``` inside', () => {
    expect(parseAnswer(`R\n~~~python\n${FIXED}~~~`, { program: ORIGINAL })?.code).toBe(FIXED);
    const withTicks = FIXED.replace('count = 0', 'count = 0  # see ```note```');
    expect(parseAnswer(`R\n\`\`\`\`python\n${withTicks}\`\`\`\`\n`, { program: ORIGINAL })?.code).toBe(withTicks);
  });

  it('handles CRLF line breaks', () => {
    const answer = `Because.\r\n\r\n${F}python\r\n${FIXED.replace(/\n/g, '\r\n')}${F}\r\n`;
    const candidate = parseAnswer(answer, { program: ORIGINAL });
    expect(candidate?.code).toBe(FIXED);
    expect(candidate?.rationale).toBe('Because.');
  });

  it('keeps the ending of the original program (no trailing newline)', () => {
    const candidate = parseAnswer(`x\n${F}python\n${FIXED}\n\n${F}`, { program: ORIGINAL.trimEnd() });
    expect(candidate?.code).toBe(FIXED.trimEnd());
  });

  it('drops a "Here is the fixed program:" lead-in and headings from the rationale', () => {
    const answer = `### Rationale\nThe bound is wrong.\n\nHere is the fixed program:\n\n${F}python\n${FIXED}${F}`;
    expect(parseAnswer(answer, { program: ORIGINAL })?.rationale).toBe('### Rationale\nThe bound is wrong.');
  });

  it('keeps prose after the code in the rationale but not in the code', () => {
    const answer = `The bound is wrong.\n${F}python\n${FIXED}${F}\nThis now counts the last vowel too.`;
    const candidate = parseAnswer(answer, { program: ORIGINAL });
    expect(candidate?.code).toBe(FIXED);
    expect(candidate?.rationale).toBe('The bound is wrong.\n\nThis now counts the last vowel too.');
  });

  it('strips <think> scratch work', () => {
    const answer = `<think>maybe range is off\n${F}python\nbroken(\n${F}</think>\nThe bound.\n${F}python\n${FIXED}${F}`;
    expect(parseAnswer(answer, { program: ORIGINAL })).toEqual({ rationale: 'The bound.', code: FIXED });
  });

  it('undoes the indentation of a fence nested in a list item', () => {
    const indented = FIXED.split('\n').map((line) => (line ? `   ${line}` : line)).join('\n');
    const answer = `1. The fix:\n   ${F}python\n${indented}   ${F}\n`;
    expect(parseAnswer(answer, { program: ORIGINAL })?.code).toBe(FIXED);
  });
});

describe('parseAnswer: several fences', () => {
  it('prefers the block that defines the entry function over a quoted test or snippet', () => {
    const answer = [
      'The test',
      `${F}python\nassert count_vowels("banana") == 3\n${F}`,
      'fails because of this line:',
      `${F}python\nfor i in range(len(text) - 1):\n${F}`,
      'Fixed:',
      `${F}python\n${FIXED}${F}`,
      'And a usage example:',
      `${F}python\nprint(count_vowels("idea"))\n${F}`,
    ].join('\n');
    const candidate = parseAnswer(answer, { program: ORIGINAL });
    expect(candidate?.code).toBe(FIXED);
    expect(candidate?.rationale).toContain('The test');
    expect(candidate?.rationale).toContain('usage example');
  });

  it('takes the last complete program when two define the entry function', () => {
    const first = FIXED.replace('range(len(text))', 'range(len(text) + 1)');
    const answer = `First try:\n${F}python\n${first}${F}\nNo, that overruns. Final:\n${F}python\n${FIXED}${F}`;
    expect(parseAnswer(answer, { program: ORIGINAL })?.code).toBe(FIXED);
  });

  it('uses the explicit entry point when the program has several functions', () => {
    const original = 'def a():\n    return 1\n\n\ndef b():\n    return a() + 1\n';
    const answer = `${F}python\ndef b():\n    return a() + 2\n${F}\n\n${F}python\ndef a():\n    return 5\n${F}`;
    const candidate = parseAnswer(answer, { program: original, entryPoint: 'b' });
    expect(candidate?.code).toBe('def a():\n    return 1\n\n\ndef b():\n    return a() + 2\n');
  });

  it('ignores blocks in other languages, console sessions, tracebacks and echoed traces', () => {
    const answer = [
      `${F}text\nexpected 3, got 2\n${F}`,
      `${F}\n>>> count_vowels("banana")\n2\n${F}`,
      `${F}python\nTraceback (most recent call last):\n  File "x", line 1\nValueError: x\n${F}`,
      `${F}python\ndef count_vowels(text):  # (0) text='banana'\n    count = 0  # (1) count=0\n${F}`,
      `${F}python\n${FIXED}${F}`,
      `${F}bash\npython -m pytest\n${F}`,
    ].join('\n');
    expect(parseAnswer(answer, { program: ORIGINAL })?.code).toBe(FIXED);
  });

  it('accepts a fence opened at the end of a line of prose', () => {
    const answer = `The bound is wrong. Here is the fix: ${F}python\n${FIXED}${F}\nDone.`;
    expect(parseAnswer(answer, { program: ORIGINAL })).toEqual({ rationale: 'The bound is wrong. Here is the fix:\n\nDone.', code: FIXED });
  });

  it('takes a fix written over the annotated trace, without the trace comments', () => {
    const annotated = [
      "def count_vowels(text):  # (0) text='banana'",
      '    count = 0  # (1) count=0',
      '    for i in range(len(text)):  # (2) i=0; (4) i=1; ...; (12) i=4',
      '        if text[i] in "aeiou":',
      '            count += 1  # (6) count=1; (11) count=2',
      '    return count  # (16) __return__=2',
      '',
    ].join('\n');
    expect(parseAnswer(`Fix:\n${F}python\n${annotated}${F}`, { program: ORIGINAL })?.code).toBe(FIXED);
    // With a clean block as well, the clean one wins even when it comes first.
    expect(parseAnswer(`${F}python\n${FIXED}${F}\n${F}python\n${annotated.replace('range(len(text))', 'range(9)')}${F}`, { program: ORIGINAL })?.code).toBe(FIXED);
  });

  it('falls back to an unclosed final fence (a truncated answer) only when it parses', () => {
    expect(parseAnswer(`Reason\n${F}python\n${FIXED}`, { program: ORIGINAL })?.code).toBe(FIXED);
    expect(analyseAnswer(`Reason\n${F}python\ndef count_vowels(text):\n    return len([c for c in text`, { program: ORIGINAL })).toEqual({
      candidate: null,
      reason: 'incomplete_code',
    });
  });
});

describe('parseAnswer: no fence', () => {
  it('finds the code after a rationale', () => {
    const answer = `The loop stops one short of the end.\nThe bound must be len(text).\n\n${FIXED}`;
    expect(parseAnswer(answer, { program: ORIGINAL })).toEqual({
      rationale: 'The loop stops one short of the end.\nThe bound must be len(text).',
      code: FIXED,
    });
  });

  it('keeps constants defined above the first def', () => {
    const answer = `The limit is too small.\n\nMAX = 1000\nNAMES = ["a"]\n\n${FIXED}`;
    expect(parseAnswer(answer, { program: ORIGINAL })?.code).toBe(`MAX = 1000\nNAMES = ["a"]\n\n${FIXED}`);
  });

  it('stops at prose after the code', () => {
    const answer = `Fix the bound:\n\n${FIXED}\nThis counts the last vowel as well.\nNote: "idea" passes too.`;
    const candidate = parseAnswer(answer, { program: ORIGINAL });
    expect(candidate?.code).toBe(FIXED);
    expect(candidate?.rationale).toBe('Fix the bound:\n\nThis counts the last vowel as well.\nNote: "idea" passes too.');
  });

  it('keeps imports, decorators, constants and a main guard as code', () => {
    const answer = `Because of the radius.\n\n${MULTI.replace('math.pi * r', 'math.pi * r * r')}`;
    const candidate = parseAnswer(answer, { program: MULTI, entryPoint: 'area' });
    expect(candidate?.code).toBe(MULTI.replace('math.pi * r', 'math.pi * r * r'));
  });

  it('takes bare code when the only fenced block is a test', () => {
    const answer = `The test\n${F}python\nassert count_vowels("banana") == 3\n${F}\nfails. Fixed:\n\n${FIXED}\nDone.`;
    const candidate = parseAnswer(answer, { program: ORIGINAL });
    expect(candidate?.code).toBe(FIXED);
    expect(candidate?.rationale).toContain('Done.');
  });

  it('falls back to bare code when the only fences are not Python', () => {
    const answer = `${F}text\nexpected 3, got 2\n${F}\nFix:\n${FIXED}`;
    expect(parseAnswer(answer, { program: ORIGINAL })?.code).toBe(FIXED);
  });
});

describe('parseAnswer: a function instead of the whole program', () => {
  it('replaces the same-named def and keeps everything else byte for byte', () => {
    const answer = `The area misses a factor r.\n${F}python\n@cache\ndef area(r):\n    """Area of a circle."""\n    return math.pi * r * r\n${F}`;
    const candidate = parseAnswer(answer, { program: MULTI, entryPoint: 'area' });
    expect(candidate?.code).toBe(MULTI.replace('math.pi * r', 'math.pi * r * r'));
    expect(analyseAnswer(answer, { program: MULTI, entryPoint: 'area' })).toMatchObject({ merged: true });
  });

  it('adds new helpers before the replaced def and new imports after the existing ones', () => {
    const answer = `${F}python\nimport functools\n\ndef square(x):\n    return x * x\n\ndef area(r):\n    return math.pi * square(r)\n${F}`;
    const code = parseAnswer(answer, { program: MULTI, entryPoint: 'area' })?.code ?? '';
    expect(code).toContain('import math\nimport functools\n');
    expect(code.indexOf('def square')).toBeLessThan(code.indexOf('def area'));
    expect(code).toContain('def helper(x):');
    expect(code).toContain('if __name__ == "__main__":\n    main()');
    expect(code).toContain('LIMIT = 10');
    // The decorator belonged to the original def; the model's version replaces def and decorator.
    expect(code).not.toContain('@cache');
  });

  it('keeps the top-level statements of a script around the fixed function', () => {
    const original = 'def f(x):\n    return x + 1\n\nprint(f(2))\n';
    const candidate = parseAnswer(`${F}python\ndef f(x):\n    return x + 2\n${F}`, { program: original });
    expect(candidate?.code).toBe('def f(x):\n    return x + 2\n\nprint(f(2))\n');
  });

  it('does not carry over markdown leftovers pasted with the program', () => {
    const pasted = 'import re\n\ndef f(x):\n    return x + 1\n\ndef g(x):\n    return f(x)\n```\n[Task End]\n';
    const whole = 'import re\n\ndef f(x):\n    return x + 2\n\ndef g(x):\n    return f(x)\n';
    expect(analyseAnswer(`${F}python\n${whole}${F}`, { program: pasted, entryPoint: 'g' })).toMatchObject({ merged: false, candidate: { code: whole } });
    const merged = parseAnswer(`${F}python\ndef f(x):\n    return x + 2\n${F}`, { program: pasted, entryPoint: 'g' })?.code;
    expect(merged).toBe('import re\n\ndef f(x):\n    return x + 2\n\ndef g(x):\n    return f(x)\n');
  });

  it('takes a whole program as written, without merging', () => {
    const whole = MULTI.replace('LIMIT = 10', 'LIMIT = 20');
    const outcome = analyseAnswer(`${F}python\n${whole}${F}`, { program: MULTI, entryPoint: 'area' });
    expect(outcome).toMatchObject({ merged: false, candidate: { code: whole } });
  });

  it('takes a rewritten program that dropped a top-level call on purpose', () => {
    const original = 'def f(x):\n    return x + 1\n\nprint(f("a"))\nVALUE = 3\n';
    const answer = `${F}python\ndef f(x):\n    return x + 1\n\nVALUE = 3\n${F}`;
    expect(parseAnswer(answer, { program: original })?.code).toBe('def f(x):\n    return x + 1\n\nVALUE = 3\n');
  });
});

describe('parseAnswer: test code the model added', () => {
  it('drops asserts, prints, main guards and bare calls the original did not have', () => {
    const answer = `${F}python\n${FIXED}\n\nassert count_vowels("banana") == 4\nprint(count_vowels("idea"))\ncount_vowels("x")\n\nif __name__ == "__main__":\n    import doctest\n    doctest.testmod()\n${F}`;
    expect(parseAnswer(answer, { program: ORIGINAL })?.code).toBe(FIXED);
  });

  it('keeps the top-level code the original had, and everything in a script', () => {
    const original = 'def f(x):\n    return x + 1\n\nprint(f(2))\n';
    expect(parseAnswer(`${F}python\ndef f(x):\n    return x + 2\n\nprint(f(2))\n${F}`, { program: original })?.code).toBe(
      'def f(x):\n    return x + 2\n\nprint(f(2))\n',
    );
    const script = 'total = 0\nfor n in [1, 2]:\n    total -= n\n';
    const fixedScript = 'total = 0\nfor n in [1, 2]:\n    total += n\nprint(total)\nassert total == 3\n';
    expect(parseAnswer(`${F}python\n${fixedScript}${F}`, { program: script })?.code).toBe(fixedScript);
  });
});

describe('parseAnswer: malformed answers are null, never a throw', () => {
  it.each([
    ['empty', ''],
    ['whitespace', '  \n\n '],
    ['prose only', 'I am not sure what the bug is. Could you share more tests?'],
    ['only a quoted test', `${F}python\nassert count_vowels("banana") == 3\n${F}`],
    ['a body without its def', `Change it to:\n${F}python\n    for i in range(len(text)):\n${F}`],
    ['another function', `${F}python\ndef something_else():\n    return 1\n${F}`],
    ['unterminated string', `${F}python\ndef count_vowels(text):\n    return "abc\n${F}`],
    ['unterminated triple quote', `${F}python\ndef count_vowels(text):\n    """doc\n    return 1\n${F}`],
    ['only a console session', `${F}\n>>> count_vowels("banana")\n3\n${F}`],
    ['binary noise', '\u0000\u0001\u0002```\u0003'],
  ])('%s', (_, answer) => {
    expect(parseAnswer(answer, { program: ORIGINAL })).toBeNull();
  });

  it('never throws on random input', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = ['`', '```', '```python\n', '\n', 'def ', 'f(', ')', ':', '"', "'''", '#', ' ', 'x', '\r\n', '@', '(', '[', '\\'];
    for (let round = 0; round < 2000; round++) {
      let text = '';
      const length = Math.floor(random() * 60);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(() => parseAnswer(text, { program: ORIGINAL })).not.toThrow();
      expect(() => parseAnswer(text, { program: text })).not.toThrow();
    }
  });

  it('reports why an answer was dropped', () => {
    expect(analyseAnswer('', { program: ORIGINAL })).toEqual({ candidate: null, reason: 'empty' });
    expect(analyseAnswer('no code here', { program: ORIGINAL })).toEqual({ candidate: null, reason: 'no_code' });
    expect(analyseAnswer(`${F}python\ndef other():\n    pass\n${F}`, { program: ORIGINAL })).toEqual({
      candidate: null,
      reason: 'missing_entry',
    });
  });

  it('accepts any program for a script without functions', () => {
    const original = 'total = 0\nfor n in [1, 2]:\n    total -= n\nprint(total)\n';
    const answer = `Use +=.\n${F}python\ntotal = 0\nfor n in [1, 2]:\n    total += n\nprint(total)\n${F}`;
    expect(parseAnswer(answer, { program: original })?.code).toBe('total = 0\nfor n in [1, 2]:\n    total += n\nprint(total)\n');
  });
});

describe('splitTopLevel', () => {
  it('cuts at top-level statements, not inside strings, brackets or continuations', () => {
    const source = [
      'import os',
      'X = [',
      '1,',
      ']',
      'TEXT = """',
      'def not_a_def():',
      '"""',
      'Y = 1 + \\',
      '2',
      '# a comment',
      '@decorator(',
      '    arg)',
      'def f():',
      '    s = "# not a comment ("',
      '# column-0 comment inside the body',
      '    return s',
      'try:',
      '    pass',
      'except Exception:',
      '    pass',
      'class C:',
      '    pass',
    ].join('\n');
    const { items, complete } = splitTopLevel(source);
    expect(complete).toBe(true);
    expect(items.map((item) => [item.kind, item.name ?? '', item.start, item.end])).toEqual([
      ['import', '', 0, 1],
      ['other', '', 1, 4],
      ['other', '', 4, 7],
      ['other', '', 7, 9],
      ['def', 'f', 10, 16],
      ['other', '', 16, 20],
      ['class', 'C', 20, 22],
    ]);
  });

  it('notices source that stops inside a bracket or string', () => {
    expect(splitTopLevel('x = (1,').complete).toBe(false);
    expect(splitTopLevel('x = """abc').complete).toBe(false);
    expect(splitTopLevel("x = 'abc").complete).toBe(false);
    expect(splitTopLevel('x = 1 + \\').complete).toBe(false);
    expect(splitTopLevel("x = 'a\\'b'").complete).toBe(true);
  });

  it('merge returns the fragment untouched when nothing is shared', () => {
    expect(mergeIntoProgram('def a():\n    pass\n', 'def b():\n    pass\n')).toEqual({ code: 'def b():\n    pass\n', merged: false });
  });
});
