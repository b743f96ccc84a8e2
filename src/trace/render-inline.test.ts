import { describe, expect, it } from 'vitest';
import { estimateTokens, renderInline, traceExcerpt } from './index.ts';
import {
  BUDGET_SOURCE,
  CLASS_SOURCE,
  CLASS_TRACE,
  COMPREHENSION_SOURCE,
  COMPREHENSION_TRACE,
  EXCEPTION_SOURCE,
  EXCEPTION_TRACE,
  GENERATOR_SOURCE,
  GENERATOR_TRACE,
  LOOP_SOURCE,
  LOOP_TRACE,
  MULTILINE_SOURCE,
  MULTILINE_TRACE,
  NESTED_CALLS_SOURCE,
  NESTED_CALLS_TRACE,
  RECURSION_SOURCE,
  RECURSION_TRACE,
  budgetTrace,
  makeTrace,
} from '../../tests/fixtures/trace-fixtures.ts';

/** Every rendered source line must be the user's line, byte for byte, plus an optional appended comment. */
function expectSourcePreserved(rendered: string, source: string): void {
  const got = rendered.split('\n');
  const lines = source.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const out = got[i] ?? '';
    const bare = line.endsWith('\r') ? line.slice(0, -1) : line;
    expect(out.startsWith(bare), `line ${i + 1}`).toBe(true);
    const rest = out.slice(bare.length);
    expect(
      rest === '' || rest === '\r' || rest.startsWith('  # (') || rest.startsWith('  # ...; ('),
      `line ${i + 1} suffix: ${rest}`,
    ).toBe(true);
  });
}

const goldens: [string, string, ReturnType<typeof makeTrace>][] = [
  ['loop', LOOP_SOURCE, LOOP_TRACE],
  ['recursion', RECURSION_SOURCE, RECURSION_TRACE],
  ['nested-calls', NESTED_CALLS_SOURCE, NESTED_CALLS_TRACE],
  ['exception', EXCEPTION_SOURCE, EXCEPTION_TRACE],
  ['multiline', MULTILINE_SOURCE, MULTILINE_TRACE],
  ['generator', GENERATOR_SOURCE, GENERATOR_TRACE],
  ['class', CLASS_SOURCE, CLASS_TRACE],
  ['comprehension', COMPREHENSION_SOURCE, COMPREHENSION_TRACE],
];

describe('renderInline golden files (__golden__/*.txt pin the format)', () => {
  for (const [name, source, trace] of goldens) {
    it(name, async () => {
      const out = renderInline(trace, source);
      expectSourcePreserved(out.text, source);
      expect(out.truncated).toBe(false);
      expect(out.tokens).toBe(estimateTokens(out.text));
      await expect(out.text).toMatchFileSnapshot(`__golden__/${name}.txt`);
    });
  }
});

describe('renderInline format rules', () => {
  it('keeps the first three states and the last of a loop line, with `...;` between', () => {
    const out = renderInline(LOOP_TRACE, LOOP_SOURCE);
    expect(out.text).toContain('for x in xs:  # walk the list  # (2) x=1; (4) x=2; (6) x=3; ...; (10) x=5;');
    expect(out.text).toContain('    s += x  # (3) s=1; (5) s=3; (7) s=6; ...; (11) s=15;');
    expect(out.text.split('\n')[0]).toBe('def total(xs):  # (0) xs=[1, 2, 3, 4, 5];');
    expect(out.text).toContain('    return s  # (14) __return__=15;');
    // x=4 and s=10 are elided: two states.
    expect(out.omittedSteps).toBe(2);
  });

  it('firstStates changes how many leading states are kept', () => {
    const one = renderInline(LOOP_TRACE, LOOP_SOURCE, { firstStates: 1 });
    expect(one.text).toContain('# (3) s=1; ...; (11) s=15;');
    const all = renderInline(LOOP_TRACE, LOOP_SOURCE, { firstStates: 10 });
    expect(all.text).toContain('# (3) s=1; (5) s=3; (7) s=6; (9) s=10; (11) s=15;');
    expect(all.omittedSteps).toBe(0);
  });

  it('marks recursive calls with __depth__ on the def line', () => {
    const out = renderInline(RECURSION_TRACE, RECURSION_SOURCE);
    expect(out.text.split('\n')[0]).toBe(
      'def fact(n):  # (0) n=3; (3) __depth__=1; n=2; (6) __depth__=2; n=1;',
    );
  });

  it('puts __exception__ only where it was raised, not on the callers it unwound through', () => {
    const out = renderInline(EXCEPTION_TRACE, EXCEPTION_SOURCE);
    expect(out.text).toContain(
      'return sum(xs) / len(xs)  # (4) __exception__=ZeroDivisionError(division by zero);',
    );
    expect(out.text).toContain('    m = mean(xs)\n');
    expect(out.text).not.toContain('__return__=None');
  });

  it('shows a second, distinct exception after the first was handled', () => {
    const source = 'def f():\n    try:\n        1 / 0\n    except ZeroDivisionError:\n        int("x")\n';
    const trace = makeTrace([
      ['call', 1, 'f', 0],
      ['line', 2, 'f', 0],
      ['line', 3, 'f', 0],
      ['exception', 3, 'f', 0, undefined, "ZeroDivisionError('division by zero')"],
      ['line', 4, 'f', 0],
      ['line', 5, 'f', 0],
      ['exception', 5, 'f', 0, undefined, 'ValueError("invalid literal for int() with base 10: \'x\'")'],
      ['return', 5, 'f', 0, undefined, 'None'],
    ]);
    const out = renderInline(trace, source);
    expect(out.text).toContain("1 / 0  # (3) __exception__=ZeroDivisionError('division by zero');");
    expect(out.text).toContain('int("x")  # (6) __exception__=ValueError(');
    expect(out.text).not.toContain('__return__');
  });

  it('names generator yields __yield__ and hides the GeneratorExit of a closed generator', () => {
    const out = renderInline(GENERATOR_TRACE, GENERATOR_SOURCE);
    expect(out.text).toContain('yield n  # (6) __yield__=5; (14) __yield__=4;');
    expect(out.text).not.toContain('GeneratorExit');
    expect(out.text).toContain('return out  # (21) __return__=[5, 4];');
  });

  it('annotates multi-line statements on their last line and never inside a string or after a backslash', () => {
    const out = renderInline(MULTILINE_TRACE, MULTILINE_SOURCE);
    const lines = out.text.split('\n');
    expect(lines[1]).toBe('    parts = [');
    expect(lines[4]).toBe("    ]  # (1) parts=['0', '1', '2']; (3) i=0; (5) i=1; (7) i=2;");
    expect(lines[5]).toBe('    text = ", ".join(parts) + \\');
    expect(lines[6]).toBe('        "!"  # (11) text=\'0, 1, 2!\';');
    expect(lines[7]).toBe('    doc = """a');
    expect(lines[8]).toBe('b"""  # two lines  # (12) doc=\'a\\nb\';');
    expect(out.text).not.toContain('.0=');
    expect(out.text).not.toContain('range_iterator');
  });

  it('leaves out def/class bindings, dunder bookkeeping and body-frame returns; strips addresses', () => {
    const out = renderInline(CLASS_TRACE, CLASS_SOURCE);
    expect(out.text).not.toContain('<function');
    expect(out.text).not.toContain('__module__');
    expect(out.text).not.toContain(' at 0x');
    expect(out.text.split('\n')[0]).toBe('class Counter:');
    expect(out.text).toContain('    step = 2  # (2) step=2;');
    expect(out.text).toContain('    def bump(self):  # (12) self.value=3; (17) self.value=5;');
    expect(out.text).toContain('        self.value = start  # (9) self.value=3; (10) __return__=None;');
  });

  it('strips memory addresses from reprs', () => {
    const source = 'def f(o):\n    return o\n';
    const trace = makeTrace([
      ['call', 1, 'f', 0, { o: '<__main__.Thing object at 0x7f3a2c1d9e50>' }],
      ['line', 2, 'f', 0],
      ['return', 2, 'f', 0, undefined, '<__main__.Thing object at 0x7f3a2c1d9e50>'],
    ]);
    expect(renderInline(trace, source).text).toBe(
      'def f(o):  # (0) o=<__main__.Thing object>;\n    return o  # (2) __return__=<__main__.Thing object>;\n',
    );
  });

  it('hides imported modules and the closure cells of a comprehension frame', () => {
    const source = 'def f(xs):\n    import math\n    ys = [math.sqrt(x) for x in xs]\n    return ys\n';
    const trace = makeTrace([
      ['call', 1, 'f', 0, { xs: '[4]' }],
      ['line', 2, 'f', 0, { math: '<module math>' }],
      ['line', 3, 'f', 0, { ys: '[2.0]' }],
      ['call', 3, 'f.<listcomp>', 1, { math: '<module math>', xs: '[4]' }],
      ['line', 3, 'f.<listcomp>', 1, { x: '4' }],
      ['line', 3, 'f.<listcomp>', 1],
      ['return', 3, 'f.<listcomp>', 1, undefined, '[2.0]'],
      ['line', 4, 'f', 0],
      ['return', 4, 'f', 0, undefined, '[2.0]'],
    ]);
    expect(renderInline(trace, source).text).toBe(
      'def f(xs):  # (0) xs=[4];\n    import math\n    ys = [math.sqrt(x) for x in xs]  # (2) ys=[2.0]; (4) x=4;\n    return ys  # (8) __return__=[2.0];\n',
    );
  });

  it('preserves CRLF line endings and puts the comment before the \\r', () => {
    const source = 'def f(a):\r\n    b = a + 1\r\n    return b\r\n';
    const trace = makeTrace([
      ['call', 1, 'f', 0, { a: '1' }],
      ['line', 2, 'f', 0, { b: '2' }],
      ['line', 3, 'f', 0],
      ['return', 3, 'f', 0, undefined, '2'],
    ]);
    const out = renderInline(trace, source);
    expect(out.text).toBe(
      'def f(a):  # (0) a=1;\r\n    b = a + 1  # (1) b=2;\r\n    return b  # (3) __return__=2;\r\n',
    );
  });

  it('escapes newlines in values and counts events on lines outside the source as omitted', () => {
    const source = 'def f():\n    s = g()\n';
    const trace = makeTrace([
      ['call', 1, 'f', 0],
      ['line', 2, 'f', 0, { s: 'multi\nline' }],
      ['line', 99, 'f', 0, { z: '1' }],
    ]);
    const out = renderInline(trace, source);
    expect(out.text).toBe('def f():\n    s = g()  # (1) s=multi\\nline;\n');
    expect(out.omittedSteps).toBe(1);
  });

  it('handles a decorated function, a decorated class body and an empty trace', () => {
    const source = '@cache\ndef f(n):\n    return n\n';
    const trace = makeTrace([
      ['call', 1, 'f', 0, { n: '2' }],
      ['line', 3, 'f', 0],
      ['return', 3, 'f', 0, undefined, '2'],
    ]);
    expect(renderInline(trace, source).text).toBe(
      '@cache\ndef f(n):  # (0) n=2;\n    return n  # (2) __return__=2;\n',
    );
    const decoratedClass = '@dataclass\nclass P:\n    x: int = 0\n';
    const classTrace = makeTrace([
      ['call', 1, 'P', 0],
      ['line', 3, 'P', 0, { x: '0' }],
      ['return', 3, 'P', 0, undefined, 'None'],
    ]);
    expect(renderInline(classTrace, decoratedClass).text).toBe(
      '@dataclass\nclass P:\n    x: int = 0  # (1) x=0;\n',
    );
    const empty = renderInline(makeTrace([]), source);
    expect(empty.text).toBe(source);
    expect(empty.omittedSteps).toBe(0);
  });
});

describe('renderInline token budget', () => {
  const trace = budgetTrace(60);
  const full = renderInline(trace, BUDGET_SOURCE);
  /** Events that changed something: a `line` event without vars changed nothing. */
  const STATES = trace.events.filter((e) => e.kind !== 'line' || e.vars !== undefined).length;

  it('renders everything without a budget, and unchanged under a generous one', () => {
    expect(full.truncated).toBe(false);
    const roomy = renderInline(trace, BUDGET_SOURCE, { tokenBudget: full.tokens });
    expect(roomy.text).toBe(full.text);
    expect(roomy.truncated).toBe(false);
  });

  // Each budget forces the next stage of the strategy (full rendering: 853 estimated tokens).
  const clampLine = (text: string): string => text.split('\n')[0] ?? '';
  const forLine = (text: string): string => text.split('\n')[7] ?? '';
  const stages: [number, string, (text: string, omitted: number) => void][] = [
    [
      800,
      'values shortened to 80 chars',
      (text, omitted) => {
        expect(text).toContain('values shortened to 80 chars]');
        expect(omitted).toBe(full.omittedSteps);
      },
    ],
    [
      450,
      'values shortened to 20 chars',
      (text, omitted) => {
        expect(text).toContain('values shortened to 20 chars]');
        expect(omitted).toBe(full.omittedSteps);
      },
    ],
    [
      330,
      'one first state per line',
      (text) => {
        expect(forLine(text)).toMatch(/^ {4}for x in xs: {2}# \(3\) x=-11; \.\.\.; \(\d+\) x=-?\d+;$/);
      },
    ],
    [
      240,
      'states of the deeper frame dropped',
      (text) => {
        expect(clampLine(text)).toBe('def clamp(v, lo, hi):');
        expect(forLine(text)).toMatch(/^ {4}for x in xs: {2}# \.\.\.; \(\d+\) x=-?\d+;$/);
      },
    ],
    [
      150,
      "only the top frame's arguments, return and exceptions",
      (text) => {
        expect(text.match(/ {2}# \(/g)).toHaveLength(2);
        expect(text).toMatch(/def running\(xs\): {2}# \(0\) xs=\[-11, 3, -6, 8, \.\.\.\];/);
        expect(text).toMatch(/return seen {2}# \(365\) __return__=\[-11, -8, -14, \.\.\.\];/);
      },
    ],
    [
      100,
      'no states at all',
      (text) => {
        expect(text).not.toContain('  # (');
      },
    ],
  ];
  for (const [budget, stage, check] of stages) {
    it(`fits a budget of ${budget} tokens (${stage}) and says it was cut`, async () => {
      const out = renderInline(trace, BUDGET_SOURCE, { tokenBudget: budget });
      expect(out.tokens).toBeLessThanOrEqual(budget);
      expect(out.tokens).toBe(estimateTokens(out.text));
      expect(out.truncated).toBe(true);
      const m = /# \[trace cut: ([\d,]+) of ([\d,]+) states shown/.exec(out.text);
      expect(m?.[2]).toBe(String(STATES));
      expect(Number(m?.[1])).toBe(STATES - out.omittedSteps);
      expect((out.text.match(/\(\d+\) /g) ?? []).length).toBe(STATES - out.omittedSteps);
      check(out.text, out.omittedSteps);
      expectSourcePreserved(out.text, BUDGET_SOURCE);
      await expect(out.text).toMatchFileSnapshot(`__golden__/budget-${budget}.txt`);
    });
  }

  it('cuts more as the budget shrinks', () => {
    const sizes = [800, 450, 330, 240, 150, 100].map(
      (b) => renderInline(trace, BUDGET_SOURCE, { tokenBudget: b }).omittedSteps,
    );
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1] ?? 0);
    expect(sizes.at(-1)).toBeGreaterThan(sizes[0] ?? 0);
  });

  it('never cuts the user code: a budget below the bare source returns the bare source with the note', () => {
    const out = renderInline(trace, BUDGET_SOURCE, { tokenBudget: 10 });
    expect(out.tokens).toBeGreaterThan(10);
    expect(out.truncated).toBe(true);
    expect(out.text.startsWith(BUDGET_SOURCE)).toBe(true);
    expect(out.text).not.toContain('  # (');
    expect(out.omittedSteps).toBeGreaterThan(0);
  });
});

describe('renderInline runner truncation', () => {
  it('says the runner stopped recording, and that the test timed out', async () => {
    const trace = makeTrace(
      LOOP_TRACE.events.slice(0, 8).map((e) => [e.kind, e.line, e.func, e.depth, e.vars]),
      {
        truncated: true,
        totalEvents: 12_345,
        status: 'timeout',
      },
    );
    const out = renderInline(trace, LOOP_SOURCE);
    expect(out.truncated).toBe(true);
    expect(out.text).toContain(
      '# [trace incomplete: the runner recorded 8 of 12,345 steps; the test timed out]',
    );
    await expect(out.text).toMatchFileSnapshot('__golden__/runner-truncated.txt');
  });

  it('keeps the runner note when the budget also cuts', () => {
    const trace = { ...budgetTrace(40), truncated: true, totalEvents: 9_999 };
    const out = renderInline(trace, BUDGET_SOURCE, { tokenBudget: 150 });
    expect(out.tokens).toBeLessThanOrEqual(150);
    expect(trace.events.length).toBe(246);
    expect(out.text).toMatch(/# \[trace cut: [\d,]+ of \d+ states shown/);
    expect(out.text).toContain('# [trace incomplete: the runner recorded 246 of 9,999 steps]');
  });
});

describe('traceExcerpt', () => {
  const rendered = renderInline(budgetTrace(10), BUDGET_SOURCE, { tokenBudget: 120 }).text;

  it('returns the lines around the wanted source lines, with `# ...` between groups, and keeps the notes', () => {
    const excerpt = traceExcerpt(rendered, [2, 10], 1);
    const lines = excerpt.split('\n');
    const all = rendered.split('\n');
    expect(lines.slice(0, 3)).toEqual(all.slice(0, 3));
    expect(lines[3]).toBe('# ...');
    expect(lines.slice(4, 7)).toEqual(all.slice(8, 11));
    expect(lines.at(-1)).toMatch(/^# \[trace cut: /);
  });

  it('merges overlapping windows, clamps at the edges and ignores lines out of range', () => {
    const lines = traceExcerpt(rendered, [1, 2, 500, 0], 2).split('\n');
    expect(lines.slice(0, 4)).toEqual(rendered.split('\n').slice(0, 4));
    expect(lines).not.toContain('# ...');
    expect(traceExcerpt(rendered, [500])).toBe('');
  });

  it('defaults to two lines of context', () => {
    const lines = traceExcerpt(rendered, [6]).split('\n');
    expect(lines.slice(0, 5)).toEqual(rendered.split('\n').slice(3, 8));
  });
});

describe('estimateTokens', () => {
  it('counts symbols one each, long words by length, numbers in groups of three, indentation once', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a=1;')).toBe(4);
    expect(estimateTokens('current_string')).toBe(3);
    expect(estimateTokens('1234567')).toBe(3);
    expect(estimateTokens('        x')).toBe(2);
    expect(estimateTokens('a b')).toBe(2);
    expect(estimateTokens('x\ny\r\n')).toBe(4);
  });

  // Its speed on a megabyte is measured by `npm run bench text`, not here.
  it('grows linearly with the text, up to a megabyte', () => {
    const big = 'def f(x):\n    return [i * x for i in range(10)]  # (3) x=12;\n'.repeat(16_000);
    const tokens = estimateTokens(big);
    expect(tokens).toBe(
      16_000 * estimateTokens('def f(x):\n    return [i * x for i in range(10)]  # (3) x=12;\n'),
    );
    expect(tokens).toBeGreaterThan(big.length / 4);
    expect(tokens).toBeLessThan(big.length / 1.5);
  });
});
