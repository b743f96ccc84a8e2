/**
 * Golden traces of the JavaScript runner, rendered by the shared NExT renderer with `//` comments.
 * The files in __golden__/ are the reviewed expectations: a change to the instrumentation or the
 * value rendering shows up here as a diff to read, not as a silent shift in what the model is shown.
 */
import { describe, expect, it } from 'vitest';
import { renderInline } from '../../src/trace/index.ts';
import { traceOf } from './js-fixtures.ts';

const CASES: { name: string; source: string; tests: string; language?: 'typescript' }[] = [
  {
    name: 'loop',
    source: 'function total(xs) {\n  let s = 0;\n  for (const x of xs) {\n    s += x * 2;\n  }\n  return s;\n}\n',
    tests: 'assert.strictEqual(total([1, 2, 3, 4, 5]), 15);',
  },
  {
    name: 'recursion',
    source: 'const fact = (n) => (n <= 1 ? 0 : n * fact(n - 1));\n',
    tests: 'expect(fact(4)).toBe(24);',
  },
  {
    name: 'exception',
    source: "function mean(xs) {\n  const seen = new Map();\n  for (let i = 0; i <= xs.length; i++) seen.set(xs[i], i);\n  if (seen.has(undefined)) throw new RangeError('hole at ' + seen.get(undefined));\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n}\n",
    tests: "test('mean', () => expect(mean([2, 4])).toBe(3));",
  },
  {
    name: 'missing-return',
    source: 'function evens(xs) {\n  const out = [];\n  xs.forEach((x) => {\n    if (x % 2 === 0) out.push({ x });\n  });\n}\n',
    tests: 'assert.deepStrictEqual(evens([1, 2, 4]), [{ x: 2 }, { x: 4 }]);',
  },
  {
    // The body never runs: the loop variable's initial value still shows on the for line.
    name: 'loop-never-runs',
    source: 'function maxOf(xs) {\n  let best = xs[0];\n  for (let i = 1; i < xs.length; i++) {\n    if (xs[i] > best) best = xs[i];\n  }\n  return best;\n}\n',
    tests: 'expect(maxOf([])).toBe(-Infinity);',
  },
  {
    name: 'typescript',
    source: 'type Row = { name: string; score: number };\n\nexport function best(rows: Row[]): string {\n  let top: Row | undefined;\n  for (const r of rows) {\n    if (!top || r.score < top.score) top = r;\n  }\n  return top?.name ?? `none`;\n}\n',
    tests: "expect(best([{ name: 'a', score: 1 }, { name: 'b', score: 3 }])).toBe('b');",
    language: 'typescript',
  },
  {
    // esbuild prints the chain on one line; the trace keeps the user's lines (mapped by position).
    name: 'typescript-chain',
    source: "export function titleCase(s: string): string {\n  return s\n    .split(' ')\n    .map((w: string) => w.charAt(0).toUpperCase() + w.slice(0).toLowerCase())\n    .join(' ');\n}\n",
    tests: "expect(titleCase('hello world')).toBe('Hello World');",
    language: 'typescript',
  },
];

describe('JavaScript traces, rendered', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const trace = await traceOf(c.source, c.tests, c.language ? { language: c.language } : {});
      expect(trace.result.status).not.toBe('passed');
      const rendered = renderInline(trace, c.source, { language: c.language ?? 'javascript' });
      await expect(`${rendered.text}\n---- ${trace.result.status}: ${trace.result.error?.message ?? ''}\n`).toMatchFileSnapshot(`__golden__/js-${c.name}.txt`);
    });
  }

  it('elides a long loop and fits a token budget, its notes written as // comments', async () => {
    const trace = await traceOf('function count(n) {\n  let k = 0;\n  while (k < n) {\n    k += 1;\n  }\n  return k - 1;\n}\n', 'expect(count(500)).toBe(500);');
    const rendered = renderInline(trace, 'function count(n) {\n  let k = 0;\n  while (k < n) {\n    k += 1;\n  }\n  return k - 1;\n}\n', { language: 'javascript', tokenBudget: 120 });
    expect(rendered.tokens).toBeLessThanOrEqual(120);
    expect(rendered.text).toMatch(/k \+= 1; {2}\/\/ .*\.\.\.; \(\d+\) k=500;/);
    expect(rendered.text).toMatch(/return k - 1; {2}\/\/ \(\d+\) __return__=499;/);
    const squeezed = renderInline(trace, 'function count(n) {\n  let k = 0;\n  while (k < n) {\n    k += 1;\n  }\n  return k - 1;\n}\n', { language: 'javascript', tokenBudget: 70 });
    expect(squeezed.text).toMatch(/^\/\/ \[trace cut: \d+ of \d+ states shown/m);
    expect(rendered.text).not.toContain('#');
  });
});
