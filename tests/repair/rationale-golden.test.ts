/**
 * Golden rationales: twelve snippets across bug classes, each with the fix a colleague would make. The
 * original and the fix run and are traced on the real process sandbox; the rationale is written from
 * the two traces exactly as the engine writes it (failing check, divergence, edit). The search is left
 * out on purpose: which fix it finds first is its business; how a fix is explained is what is pinned
 * here. Golden files live in tests/repair/golden/; `UPDATE_GOLDEN=1` rewrites them (read the diff).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { DEFAULT_LIMITS } from '../../sandbox/protocol.ts';
import { findDivergence } from '../../src/repair/divergence.ts';
import { failingFact, writeRationale } from '../../src/repair/rationale.ts';

const GOLDEN = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

interface Snippet {
  name: string;
  code: string;
  tests: string;
  fix: string;
}

const snippets: Snippet[] = [
  {
    name: 'off-by-one',
    code: 'def count_up(n):\n    return list(range(1, n))\n',
    tests: 'assert count_up(3) == [1, 2, 3]\n',
    fix: 'def count_up(n):\n    return list(range(1, n + 1))\n',
  },
  {
    name: 'mutation-during-iteration',
    code: 'def remove_negatives(nums):\n    for x in nums:\n        if x < 0:\n            nums.remove(x)\n    return nums\n',
    tests: 'assert remove_negatives([1, -2, -3, 4]) == [1, 4]\n',
    fix: 'def remove_negatives(nums):\n    for x in list(nums):\n        if x < 0:\n            nums.remove(x)\n    return nums\n',
  },
  {
    name: 'wrong-operator',
    code: 'def average(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total * len(xs)\n',
    tests: 'assert average([2, 4]) == 3\n',
    fix: 'def average(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total / len(xs)\n',
  },
  {
    name: 'wrong-comparison',
    code: 'def is_adult(age):\n    return age > 18\n',
    tests: 'assert is_adult(30) == True\nassert is_adult(18) == True\n',
    fix: 'def is_adult(age):\n    return age >= 18\n',
  },
  {
    name: 'missing-guard',
    code: 'def safe_div(a, b):\n    return a / b\n',
    tests: 'assert safe_div(6, 3) == 2\nassert safe_div(1, 0) is None\n',
    fix: 'def safe_div(a, b):\n    if b == 0:\n        return None\n    return a / b\n',
  },
  {
    name: 'mutable-default',
    code: 'def add_item(item, items=[]):\n    items.append(item)\n    return items\n',
    tests: 'first = add_item(1)\nassert add_item(2) == [2]\n',
    fix: 'def add_item(item, items=None):\n    if items is None:\n        items = []\n    items.append(item)\n    return items\n',
  },
  {
    name: 'wrong-variable',
    code: 'def largest(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n            best = x\n    return x\n',
    tests: 'assert largest([3, 9, 2]) == 9\n',
    fix: 'def largest(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n            best = x\n    return best\n',
  },
  {
    name: 'missing-return',
    code: 'def square(x):\n    y = x * x\n',
    tests: 'assert square(4) == 16\n',
    fix: 'def square(x):\n    y = x * x\n    return y\n',
  },
  {
    name: 'string-method',
    code: "def shout(s):\n    s.upper()\n    return s + '!'\n",
    tests: "assert shout('hi') == 'HI!'\n",
    fix: "def shout(s):\n    s = s.upper()\n    return s + '!'\n",
  },
  {
    name: 'dict-idiom',
    code: 'def count_words(words):\n    counts = {}\n    for w in words:\n        counts[w] += 1\n    return counts\n',
    tests: "assert count_words(['a', 'b', 'a']) == {'a': 2, 'b': 1}\n",
    fix: 'def count_words(words):\n    counts = {}\n    for w in words:\n        counts[w] = counts.get(w, 0) + 1\n    return counts\n',
  },
  {
    name: 'integer-division',
    code: 'def middle_index(xs):\n    return len(xs) / 2\n',
    tests: 'assert middle_index([1, 2, 3]) == 1\n',
    fix: 'def middle_index(xs):\n    return len(xs) // 2\n',
  },
  {
    name: 'recursion-base-case',
    code: 'def factorial(n):\n    if n == 1:\n        return 1\n    return n * factorial(n - 1)\n',
    tests: 'assert factorial(3) == 6\nassert factorial(0) == 1\n',
    fix: 'def factorial(n):\n    if n <= 1:\n        return 1\n    return n * factorial(n - 1)\n',
  },
];

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
  if (update) mkdirSync(GOLDEN, { recursive: true });
});
afterAll(async () => {
  await sandbox.close();
});

async function rationaleFor(s: Snippet): Promise<string> {
  const run = await sandbox.execute({
    mode: 'test',
    programs: [
      { id: 'original', source: s.code },
      { id: 'fix', source: s.fix },
    ],
    tests: s.tests,
    limits: DEFAULT_LIMITS,
  });
  const [orig, fix] = run.programs;
  const failing = failingFact(run.tests, orig!.results);
  expect(failing, `${s.name}: the original must fail a test`).toBeDefined();
  const passed = fix!.results.filter((r) => r.status === 'passed').length;
  expect(passed, `${s.name}: the fix must pass every test`).toBe(run.tests.length);
  const trace = async (id: string, source: string) =>
    (await sandbox.execute({ mode: 'trace', program: { id, source }, tests: s.tests, testId: failing!.testId, limits: DEFAULT_LIMITS })).trace!;
  const divergence = findDivergence(await trace('original', s.code), await trace('fix', s.fix), s.code, s.fix);
  return writeRationale({
    program: s.code,
    fixed: s.fix,
    ...(failing ? { failing } : {}),
    ...(divergence ? { divergence } : {}),
    edits: [],
    passed,
    total: run.tests.length,
  });
}

describe('rationales from two traces (golden)', () => {
  it.each(snippets.map((s) => [s.name, s] as const))('%s', async (name, s) => {
    const text = await rationaleFor(s);
    const file = join(GOLDEN, `${name}.txt`);
    if (update || !existsSync(file)) {
      if (!update) throw new Error(`no golden file ${file}: run with UPDATE_GOLDEN=1 and review it`);
      writeFileSync(file, text + '\n');
    }
    expect(text + '\n').toBe(readFileSync(file, 'utf8'));
    // what issue 10 found in the old wording must not come back
    expect(text).not.toMatch(/none of 0|__init__\(|most suspicious/);
    const lines = [...text.matchAll(/line (\d+) \(`/g)].map((m) => m[1]);
    expect(new Set(lines).size, `${name}: a line is described twice`).toBe(lines.length);
  }, 60_000);
});
