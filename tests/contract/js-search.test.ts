/**
 * The JavaScript program search (sandbox/js/runner/mutate.js) answers in the engine's SearchResponse
 * shape, finds one-edit fixes in JS and TS (TypeScript edits placed back in the user's source), and
 * probes candidates on grown inputs. Runs the runner's serve in this process; user code only in QuickJS.
 */
import { describe, expect, it } from 'vitest';
import { SearchResponseSchema } from '../../src/repair/search.ts';
// @ts-expect-error -- plain JavaScript runner (it runs under bare node in the jail), no type declarations
import { generateEdits } from '../../sandbox/js/runner/mutate.js';
// @ts-expect-error -- the same
import { parseJs } from '../../sandbox/js/runner/prepare.js';
import { runnerMessages } from './js-fixtures.ts';

async function mutate(language: string, payload: Record<string, unknown>): Promise<unknown> {
  const messages = await runnerMessages({ mode: 'mutate', language, payload: { budget: { candidates: 200, ms: 60_000 }, returnLimit: 1, ...payload } });
  const found = messages.find((m) => m.type === 'payload');
  if (!found || found.type !== 'payload') throw new Error(JSON.stringify(messages).slice(0, 400));
  return found.payload;
}

describe('JS program search', () => {
  it('finds the loop-bound fix, verified on every test, on the lines the failing test ran', async () => {
    const source = 'function largest(xs) {\n  let best = xs[0];\n  for (let i = 1; i < xs.length - 1; i++) {\n    if (xs[i] > best) best = xs[i];\n  }\n  return best;\n}\n';
    const tests = 'expect(largest([2, 9])).toBe(9);\nexpect(largest([4, 7, 1, 8])).toBe(8);\nexpect(largest([9, 1, 2])).toBe(9);';
    const response = SearchResponseSchema.parse(await mutate('javascript', { source, tests }));
    expect(response.checks.map((c) => c.status)).toEqual(['failed', 'failed', 'passed']);
    expect(response.suspicious.map((s) => s.line)).toContain(3);
    const fix = response.candidates[0];
    expect(fix?.passed).toBe(3);
    expect(fix?.source).toMatch(/i <= xs\.length - 1|i < xs\.length\)/);
  });

  it('places a TypeScript insertion (a missing await) back into the TypeScript source', async () => {
    const source = 'async function load(key: string): Promise<number> {\n  return key.length;\n}\n\nexport async function loadAll(keys: string[]): Promise<number[]> {\n  const out: number[] = [];\n  for (const k of keys) {\n    const v = load(k);\n    out.push(v as unknown as number);\n  }\n  return out;\n}\n';
    const response = SearchResponseSchema.parse(await mutate('typescript', { source, tests: "test('load', async () => expect(await loadAll(['a', 'bb'])).toEqual([1, 2]));" }));
    expect(response.candidates[0]?.source).toContain('const v = await load(k);');
    expect(response.candidates[0]?.source).toContain('keys: string[]');
    expect(response.candidates[0]?.edits[0]).toMatchObject({ line: 8, kind: 'await' });
  });

  it('finds and places an edit inside a TypeScript chain that esbuild printed on one line', async () => {
    const source = "export function titleCase(s: string): string {\n  return s\n    .split(' ')\n    .map((w: string) => w.charAt(0).toUpperCase() + w.slice(0).toLowerCase())\n    .join(' ');\n}\n";
    const response = SearchResponseSchema.parse(await mutate('typescript', { source, tests: "expect(titleCase('hello world')).toBe('Hello World');" }));
    expect(response.suspicious.map((s) => s.line)).toEqual(expect.arrayContaining([4, 5]));
    expect(response.candidates[0]?.source).toBe(source.replace('w.slice(0)', 'w.slice(1)'));
    expect(response.candidates[0]?.edits[0]?.line).toBe(4);
  });

  it('replaces a string constant by another of the program (or by an empty one)', async () => {
    const source = "function letters(word) {\n  return word.split(',');\n}\nfunction dashed(word) {\n  return word.split('').join('-');\n}\n";
    const response = SearchResponseSchema.parse(await mutate('javascript', { source, tests: "expect(letters('abc')).toEqual(['a', 'b', 'c']);\nexpect(dashed('ab')).toBe('a-b');" }));
    expect(response.candidates[0]?.source).toBe(source.replace("split(',')", "split('')"));
    expect(response.candidates[0]?.edits[0]).toMatchObject({ line: 2, kind: 'constant' });
  });

  it('keeps the result of a method whose result was thrown away; concat becomes push', async () => {
    const shout = "function shout(s) {\n  s.toUpperCase();\n  return s + '!';\n}\n";
    const a = SearchResponseSchema.parse(await mutate('javascript', { source: shout, tests: "expect(shout('hi')).toBe('HI!');" }));
    expect(a.candidates[0]?.source).toBe(shout.replace('  s.toUpperCase();', '  s = s.toUpperCase();'));
    const addAll = 'function addAll(list, extra) {\n  list.concat(extra);\n  return list.length;\n}\n';
    const b = SearchResponseSchema.parse(await mutate('javascript', { source: addAll, tests: 'const l = [1];\nexpect(addAll(l, [2, 3])).toBe(3);' }));
    expect(b.candidates[0]?.source).toBe(addAll.replace('list.concat(extra)', 'list.push(...extra)'));
  });

  it('returns an answer that was logged, and walks an array\'s items where for…in walked its keys', async () => {
    const mean = 'function mean(xs) {\n  let total = 0;\n  for (const x of xs) total += x;\n  console.log(total / xs.length);\n}\n';
    const a = SearchResponseSchema.parse(await mutate('javascript', { source: mean, tests: 'expect(mean([1, 2, 6])).toBe(3);\nexpect(mean([5])).toBe(5);' }));
    expect(a.candidates[0]?.source).toBe(mean.replace('console.log(total / xs.length)', 'return total / xs.length'));
    const sum = 'function sum(xs) {\n  let total = 0;\n  for (const x in xs) total += x;\n  return total;\n}\n';
    const b = SearchResponseSchema.parse(await mutate('javascript', { source: sum, tests: 'expect(sum([4, 5])).toBe(9);\nexpect(sum([])).toBe(0);' }));
    expect(b.candidates[0]?.source).toBe(sum.replace('const x in xs', 'const x of xs'));
    expect(b.candidates[0]?.edits[0]).toMatchObject({ line: 3, kind: 'loop' });
  });

  it('recurses into a nested array handled one level deep, and stops a walk at the first item that fails', async () => {
    const flat = 'function flat(xs) {\n  const out = [];\n  for (const x of xs) {\n    if (Array.isArray(x)) out.push(...x);\n    else out.push(x);\n  }\n  return out;\n}\n';
    const a = SearchResponseSchema.parse(await mutate('javascript', { source: flat, tests: 'expect(flat([1, [2, [3]]])).toEqual([1, 2, 3]);\nexpect(flat([[4], 5])).toEqual([4, 5]);' }));
    expect(a.candidates[0]?.source).toBe(flat.replace('out.push(...x)', 'out.push(...flat(x))'));
    expect(a.candidates[0]?.edits[0]).toMatchObject({ line: 4, kind: 'recursion' });
    const lead = 'const leadingSpaces = (line) => {\n  let n = 0;\n  for (const ch of line) {\n    if (ch === " ") n++;\n  }\n  return n;\n};\n';
    const b = SearchResponseSchema.parse(await mutate('javascript', { source: lead, tests: "expect(leadingSpaces('  a b')).toBe(2);\nexpect(leadingSpaces('x ')).toBe(0);" }));
    expect(b.candidates[0]?.source).toBe(lead.replace('n++;', 'n++; else break;'));
    // neither is offered where it cannot mean that: no Array.isArray test, an if that already has an else
    const plain = 'function f(xs) {\n  let n = 0;\n  for (const x of xs) {\n    if (x) n++;\n    else n--;\n  }\n  return n;\n}\n';
    const parse = parseJs as (code: string) => { ast: unknown };
    const edits = generateEdits as (code: string, ast: unknown) => { description: string }[];
    const offered = (code: string) => edits(code, parse(code).ast).map((e) => e.description).filter((d) => d.startsWith('recurse') || d.startsWith('stop at the first'));
    expect(offered(lead)).toEqual(['stop at the first item that fails the condition']);
    expect(offered(plain)).toEqual([]);
  });

  it('counts only the items that pass a common test where the loop counted every one', async () => {
    const source = 'function sumEven(xs) {\n  let total = 0;\n  for (const x of xs) total += x;\n  return total;\n}\n';
    const r = SearchResponseSchema.parse(await mutate('javascript', { source, tests: 'expect(sumEven([1, 2, 3, 4])).toBe(6);\nexpect(sumEven([5])).toBe(0);' }));
    expect(r.candidates[0]?.source).toBe(source.replace('total += x;', 'if (x % 2 === 0) total += x;'));
    expect(r.candidates[0]?.edits[0]).toMatchObject({ line: 3, kind: 'guard' });
  });

  it('adds the condition a filter lacks, unquotes a variable name, raises a root back, takes letters in both cases', async () => {
    const run = async (source: string, tests: string) => SearchResponseSchema.parse(await mutate('javascript', { source, tests })).candidates[0]?.source;
    const odd = 'function oddPositive(xs) {\n  let t = 0;\n  for (const x of xs) {\n    if (x > 0) t += x;\n  }\n  return t;\n}\n';
    expect(await run(odd, 'expect(oddPositive([1, 2, 3, -5])).toBe(4);\nexpect(oddPositive([4])).toBe(0);')).toBe(odd.replace('if (x > 0)', 'if (x > 0 && x % 2 !== 0)'));
    const tally = "function tally(words) {\n  const c = {};\n  for (const word of words) c['word'] = (c['word'] || 0) + 1;\n  return c;\n}\n";
    expect(await run(tally, "expect(tally(['a', 'b', 'a'])).toEqual({ a: 2, b: 1 });\nexpect(tally([])).toEqual({});")).toBe(tally.replaceAll("'word'", 'word'));
    const square = 'const isSquare = (n) => Math.floor(Math.sqrt(n)) === n;\n';
    expect(await run(square, 'expect(isSquare(16)).toBe(true);\nexpect(isSquare(15)).toBe(false);\nexpect(isSquare(1)).toBe(true);')).toBe(
      square.replace('Math.floor(Math.sqrt(n))', 'Math.floor(Math.sqrt(n)) ** 2'),
    );
    const vowels = "function countVowels(s) {\n  const vowels = 'aeiou';\n  return [...s].filter((c) => vowels.includes(c)).length;\n}\n";
    expect(await run(vowels, "expect(countVowels('Apple')).toBe(2);\nexpect(countVowels('EIO')).toBe(3);")).toBe(vowels.replace("'aeiou'", "'aeiouAEIOU'"));
    // a filter already asking one question of a family is not given the other; a root compared with another value gets no power
    const parse = parseJs as (code: string) => { ast: unknown };
    const edits = generateEdits as (code: string, ast: unknown) => { description: string }[];
    const even = 'function f(xs) {\n  const out = [];\n  for (const x of xs) if (x % 2 === 0) out.push(x);\n  return out;\n}\n';
    expect(edits(even, parse(even).ast).map((e) => e.description).filter((d) => d.startsWith('also require'))).toEqual(
      expect.not.arrayContaining(['also require `x % 2 !== 0`', 'also require `x % 2 === 0`']),
    );
    expect(edits(even, parse(even).ast).map((e) => e.description)).toContain('also require `x > 0`');
    const other = 'const f = (n, m) => Math.sqrt(n) === m;\n';
    expect(edits(other, parse(other).ast).filter((e) => e.description.startsWith('raise the root'))).toEqual([]);
  });

  it('does not offer `- 0` where dropping `- 1` says the same', () => {
    const code = 'function chunk(xs, i, size) {\n  return xs.slice(i, i + size - 1);\n}\n';
    const parse = parseJs as (code: string) => { ast: unknown };
    const edits = (generateEdits as (code: string, ast: unknown) => { description: string; text: string }[])(code, parse(code).ast);
    expect(edits.map((e) => e.description)).toContain('drop `- 1`');
    expect(edits.filter((e) => e.description === '1 → 0')).toEqual([]);
  });

  it('resumes in slices: a second call skips what the first screened and keeps what passed', async () => {
    const source = 'function largest(xs) {\n  let best = xs[0];\n  for (let i = 1; i < xs.length - 1; i++) {\n    if (xs[i] > best) best = xs[i];\n  }\n  return best;\n}\n';
    const tests = 'expect(largest([2, 9])).toBe(9);\nexpect(largest([4, 7, 1, 8])).toBe(8);';
    const whole = SearchResponseSchema.parse(await mutate('javascript', { source, tests, returnLimit: 2 }));
    expect(whole.stop).toBe('enough');
    expect(whole.candidates).toHaveLength(2);
    const first = SearchResponseSchema.parse(await mutate('javascript', { source, tests, returnLimit: 2, budget: { candidates: 3, ms: 60_000 } }));
    expect(first).toMatchObject({ stop: 'candidates', tried: 3 });
    const rest = SearchResponseSchema.parse(await mutate('javascript', { source, tests, returnLimit: 2, skip: { count: first.tried, scores: first.scores } }));
    expect(rest.candidates.map((c) => c.source)).toEqual(whole.candidates.map((c) => c.source));
    expect(rest.tried).toBe(whole.tried);
  });

  it('probes with null when the program tests for null, so two fixes that differ there are not taken as one', async () => {
    const original = "function isBlank(s) {\n  return s === null && s.trim() === '';\n}\n";
    const answer = (await mutate('javascript', {
      op: 'probe',
      programs: [{ id: 'original', source: original }, { id: 'a', source: original.replace('===', '!==') }, { id: 'b', source: original.replace('&&', '||') }],
      tests: "console.assert(isBlank('  ') === true);",
    })) as { inputs: { call: string; outputs: Record<string, string> }[] };
    const onNull = answer.inputs.find((i) => i.call === 'isBlank(null)');
    expect(onNull?.outputs).toMatchObject({ a: 'false', b: 'true' });
    const plain = (await mutate('javascript', { op: 'probe', programs: [{ id: 'p', source: 'function twice(s) {\n  return s + s;\n}\n' }], tests: "assert.strictEqual(twice('a'), 'aa');" })) as { inputs: { call: string }[] };
    expect(plain.inputs.map((i) => i.call)).not.toContain('twice(null)');
  });

  it('probes: two programs that agree on the tests disagree on grown inputs', async () => {
    const a = 'function last(xs) {\n  return xs[xs.length - 1];\n}\n';
    const b = 'function last(xs) {\n  return xs[1];\n}\n';
    const answer = (await mutate('javascript', { op: 'probe', programs: [{ id: 'a', source: a }, { id: 'b', source: b }], tests: 'assert.strictEqual(last([1, 2]), 2);' })) as { inputs: { call: string; outputs: Record<string, string> }[]; disagree: number[] };
    expect(answer.inputs[0]?.call).toBe('last([1, 2])');
    expect(answer.inputs[0]?.outputs['a']).toBe(answer.inputs[0]?.outputs['b']);
    expect(answer.disagree.length).toBeGreaterThan(0);
  });
});
