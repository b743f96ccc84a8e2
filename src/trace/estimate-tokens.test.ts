/**
 * estimateTokens against real BPE tokenizers: cl100k_base (GPT-4, GPT-3.5) and o200k_base (GPT-4o and
 * later), through js-tiktoken, whose rank tables ship inside the package (nothing is fetched: the test
 * makes sure). The texts are the renderer's own golden outputs, Python and JavaScript, and the programs
 * they annotate with the trace comments taken off.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateTokens } from './index.ts';

const GOLDEN_DIRS = [join(import.meta.dirname, '__golden__'), join(import.meta.dirname, '../../tests/contract/__golden__')];
const renderings = GOLDEN_DIRS.flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })),
);
/** The annotated program without its `# (k) …` / `// (k) …` trace comments. */
const programs = renderings.map(({ name, text }) => ({ name, text: text.replace(/ {2}(#|\/\/) \(\d+\).*$/gm, '') }));

type Encoder = { name: string; count: (text: string) => number };
let encoders: Encoder[] = [];
const fetches: unknown[] = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  // Any attempt to download rank tables would go through fetch: record it and make it fail.
  globalThis.fetch = (input: Parameters<typeof fetch>[0]) => {
    fetches.push(input);
    return Promise.reject(new Error('no network in this test'));
  };
  const [{ Tiktoken }, cl100k, o200k] = await Promise.all([
    import('js-tiktoken/lite'),
    import('js-tiktoken/ranks/cl100k_base'),
    import('js-tiktoken/ranks/o200k_base'),
  ]);
  encoders = [
    { name: 'cl100k_base', ranks: cl100k.default },
    { name: 'o200k_base', ranks: o200k.default },
  ].map(({ name, ranks }) => {
    const encoding = new Tiktoken(ranks);
    return { name, count: (text: string) => encoding.encode(text).length };
  });
});

afterAll(() => {
  globalThis.fetch = realFetch;
});

/** Every (text, tokenizer) pair whose estimate falls outside [real, real × most]. */
function outside(texts: { name: string; text: string }[], most: number): string[] {
  const misses: string[] = [];
  for (const { name, text } of texts) {
    const estimate = estimateTokens(text);
    for (const encoder of encoders) {
      const real = encoder.count(text);
      if (estimate < real || estimate > real * most) misses.push(`${name} (${encoder.name}): estimate ${estimate}, real ${real}`);
    }
  }
  return misses;
}

describe('estimateTokens against cl100k_base and o200k_base', () => {
  it('loads both tokenizers from the package alone', () => {
    expect(encoders.map((encoder) => encoder.name)).toEqual(['cl100k_base', 'o200k_base']);
    expect(encoders.every((encoder) => encoder.count('def f(x):  # (0) x=1;') > 5)).toBe(true);
    expect(fetches).toEqual([]);
  });

  it('is never below the real count of a NExT rendering, and at most 40% above', () => {
    expect(renderings.length).toBeGreaterThanOrEqual(16);
    expect(outside(renderings, 1.4)).toEqual([]);
  });

  it('is never below the real count of a plain program, and at most 55% above', () => {
    expect(outside(programs, 1.55)).toEqual([]);
  });
});
