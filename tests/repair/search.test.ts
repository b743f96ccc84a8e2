/**
 * The program search (sandbox/runner/tracefix_runner/mutate.py) through a real sandbox's mutate mode:
 * each operator on a bug it should fix, the evidence it reports, and its manners (formatting kept,
 * frozen prefix untouched, runaway variants survived).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type Sandbox } from '../../sandbox/index.ts';
import { editableLines, resumeFrom, runProgramSearch, SearchResponseSchema, type SearchResponse } from '../../src/repair/search.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

async function search(source: string, tests: string, extra: { prefix?: string; returnLimit?: number; entryPoint?: string; ms?: number } = {}): Promise<SearchResponse> {
  const program = (extra.prefix ?? '') + source;
  return runProgramSearch(
    sandbox,
    {
      source: program,
      tests,
      editable: editableLines(extra.prefix ?? '', program),
      budget: { candidates: 3000, ms: extra.ms ?? 8000 },
      ...(extra.returnLimit ? { returnLimit: extra.returnLimit } : {}),
      ...(extra.entryPoint ? { entryPoint: extra.entryPoint } : {}),
    },
    DEFAULT_LIMITS,
  );
}

function fixed(r: SearchResponse): string {
  const c = r.candidates[0];
  expect(c, 'a candidate passing every check').toBeDefined();
  expect(c!.passed).toBe(c!.total);
  return c!.source;
}

describe('program search operators', () => {
  it('swaps an arithmetic operator and keeps the rest of the line as written', async () => {
    const src = 'def add(a, b):\n    return a - b  # keep   this comment\n';
    const r = await search(src, 'assert add(2, 3) == 5\nassert add(0, 0) == 0\n');
    expect(fixed(r)).toBe('def add(a, b):\n    return a + b  # keep   this comment\n');
  });

  it('moves a range bound by one', async () => {
    const src = 'def total(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n';
    const out = fixed(await search(src, 'assert total(3) == 6\nassert total(1) == 1\nassert total(0) == 0\n'));
    expect(out).toMatch(/range\((n \+ 1|1, n \+ 1)\)/);
  });

  it('swaps a built-in for its sibling', async () => {
    const out = fixed(await search('def biggest(xs):\n    return min(xs)\n', 'assert biggest([1, 5, 2]) == 5\n'));
    expect(out).toContain('max(xs)');
  });

  it('swaps a comparison', async () => {
    const out = fixed(await search('def is_adult(age):\n    return age < 18\n', 'assert is_adult(30)\nassert not is_adult(3)\nassert is_adult(18)\n'));
    expect(out).toContain('age >= 18');
  });

  it('replaces a misused variable by another in scope', async () => {
    const out = fixed(await search('def area(w, h):\n    return w * w\n', 'assert area(2, 3) == 6\nassert area(4, 4) == 16\n'));
    expect(out).toMatch(/w \* h|h \* w/);
  });

  it('adds the guard the failing input calls for', async () => {
    const src = 'def mean(xs):\n    return sum(xs) / len(xs)\n';
    const r = await search(src, 'assert mean([1, 2, 3]) == 2\nassert mean([]) == 0\n');
    expect(r.failing?.error).toMatch(/ZeroDivisionError/);
    expect(fixed(r)).toContain('if not xs:');
  });

  it('deletes an excess statement', async () => {
    const src = 'def clean(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n        out.append(x)\n    return out\n';
    const out = fixed(await search(src, 'assert clean([1, 2]) == [1, 2]\nassert clean((3,)) == [3]\n'));
    expect(out.match(/out\.append\(x\)/g)).toHaveLength(1);
  });

  it('survives variants that loop forever, and fixes a program that loops forever', async () => {
    const src = 'def upto(n):\n    i = 0\n    while i < n:\n        i -= 1\n    return i\n';
    const r = await search(src, 'assert upto(3) == 3\nassert upto(0) == 0\n');
    expect(r.checks.find((c) => c.status === 'timeout')).toBeDefined();
    expect(fixed(r)).toContain('i += 1');
  }, 40_000);

  it('never edits the frozen prefix', async () => {
    const prefix = 'def helper(x):\n    return x + 1\n\ndef f(x):\n    """Twice the helper."""\n';
    const body = '    return helper(x) * 3\n';
    const r = await search(body, 'def check(candidate):\n    assert candidate(1) == 4\n    assert candidate(2) == 6\n\ncheck(f)\n', { prefix, entryPoint: 'f', returnLimit: 3 });
    expect(r.candidates.length).toBeGreaterThan(0);
    for (const c of r.candidates) expect(c.source.startsWith(prefix)).toBe(true);
    expect(fixed(r)).toBe(prefix + '    return helper(x) * 2\n');
  });

  it('returns distinct variants (deduplicated on the AST)', async () => {
    const r = await search('def inc(x):\n    return x + 2\n', 'assert inc(1) == 2\n', { returnLimit: 5 });
    const sources = r.candidates.filter((c) => c.passed === c.total).map((c) => c.source);
    expect(sources.length).toBeGreaterThan(1);
    expect(new Set(sources).size).toBe(sources.length);
  });
});

describe('program search evidence', () => {
  it('splits check(candidate) into its asserts with expected and actual values, and ranks the faulty line first', async () => {
    const src = 'def score(xs):\n    best = 0\n    for x in xs:\n        if x > best:\n            best = x\n    return best - 1\n';
    const tests = 'def check(candidate):\n    assert candidate([3, 1]) == 3\n    assert candidate([]) == 0\n    assert candidate([5]) == 5\n\ncheck(score)\n';
    const r = await search(src, tests, { entryPoint: 'score' });
    expect(r.checks).toHaveLength(3);
    const first = r.checks[0]!;
    expect(first).toMatchObject({ status: 'failed', expected: '3', actual: '2' });
    expect(r.suspicious[0]?.line).toBe(6);
    expect(r.failing?.name).toContain('candidate([3, 1])');
    const out = fixed(r).split('\n');
    expect(out.slice(0, 5)).toEqual(src.split('\n').slice(0, 5));
    expect(out[5]).not.toBe('    return best - 1');
  });

  it('reads docstring examples when there are no tests', async () => {
    const src = 'def double(x):\n    """\n    >>> double(2)\n    4\n    """\n    return x + x + 1\n';
    const r = await runProgramSearch(sandbox, { source: src, tests: null, editable: [1, 6], budget: { candidates: 500, ms: 5000 } }, DEFAULT_LIMITS);
    expect(r.checks[0]).toMatchObject({ kind: 'doctest', status: 'failed', expected: '4', actual: '5' });
    const out = fixed(r);
    expect(out.startsWith(src.split('    return')[0]!)).toBe(true);
    expect(out).not.toContain('x + x + 1');
  });

  it('repairs a program that does not parse at the line Python names, and says where it was', async () => {
    const r = await search('def f(:\n    pass\n', 'assert f() is None\n');
    expect(r.syntax?.line).toBe(1);
    expect(fixed(r)).toBe('def f():\n    pass\n');
    const colon = await search('def sign(x):\n    if x < 0\n        return -1\n    return 1\n', 'assert sign(-3) == -1\nassert sign(2) == 1\n');
    expect(fixed(colon)).toContain('    if x < 0:\n');
    const quote = await search('def greet(name):\n    return "hi " + name\n\nGREETING = "hello\n', 'assert greet("a") == "hi a"\n');
    expect(fixed(quote)).toContain('GREETING = "hello"');
  });

  it('reports a program it cannot repair', async () => {
    const r = await search('def f(x):\n    return x +* 2 ==\n', 'assert f(1) == 3\n');
    expect(r.ok).toBe(false);
    expect(r.reason).toBe('syntax');
  });
});

describe('resuming a search', () => {
  const base = (extra: Record<string, unknown>): SearchResponse => SearchResponseSchema.parse({ ok: true, tried: 7, scores: [[2, 1]], ...extra });

  it('resumes after the candidate in flight when a runner was killed, and where it stopped on time', () => {
    expect(resumeFrom(base({ partial: true, cursor: 9 }), 100)).toEqual({ count: 10, scores: [[2, 1]] });
    expect(resumeFrom(base({ partial: true }), 100)).toEqual({ count: 7, scores: [[2, 1]] });
    expect(resumeFrom(base({ stop: 'time' }), 100)).toEqual({ count: 7, scores: [[2, 1]] });
  });

  it('does not resume a search that finished, found enough, spent its budget or failed', () => {
    expect(resumeFrom(base({ stop: 'done' }), 100)).toBeUndefined();
    expect(resumeFrom(base({ stop: 'enough' }), 100)).toBeUndefined();
    expect(resumeFrom(base({ stop: 'time' }), 7)).toBeUndefined();
    expect(resumeFrom(base({ partial: true, cursor: 6 }), 7)).toBeUndefined();
    expect(resumeFrom(base({ ok: false, stop: 'time' }), 100)).toBeUndefined();
  });

  it('a search cut into slices gives the answer of one uninterrupted run', async () => {
    const request = {
      source: 'def is_even(n):\n    return n % 2 == 1\n',
      tests: 'assert is_even(4)\nassert not is_even(7)\n',
      editable: [1, 2] as [number, number],
      budget: { candidates: 60, ms: 20_000 },
      returnLimit: 50,
    };
    const whole = await runProgramSearch(sandbox, request, DEFAULT_LIMITS);
    // the same search, stopped after 20 candidates and resumed from what it reported
    const first = await runProgramSearch(sandbox, { ...request, budget: { candidates: 20, ms: 20_000 } }, DEFAULT_LIMITS);
    expect(first.tried).toBe(20);
    const skip = resumeFrom({ ...first, stop: 'time' }, 60);
    expect(skip).toBeDefined();
    const response = await sandbox.execute(
      { mode: 'mutate', payload: { source: request.source, tests: request.tests, editable: request.editable, budget: request.budget, returnLimit: 50, skip }, limits: DEFAULT_LIMITS },
      {},
    );
    const rest = SearchResponseSchema.parse(response.payload);
    expect(rest.candidates).toEqual(whole.candidates);
    expect(rest.scores).toEqual(whole.scores);
  });
});

describe('program search under Pyodide (no fork, no SIGALRM: in-process screening with a step counter)', () => {
  let pyodide: Sandbox;
  beforeAll(async () => {
    pyodide = await createSandbox({ backend: 'pyodide' });
    // the first request pays Pyodide's cold start (seconds on a loaded machine): not the search's time
    await pyodide.execute({ mode: 'test', programs: [{ id: 'p0', source: 'x = 1\n' }], tests: 'assert x == 1\n', limits: DEFAULT_LIMITS }, {});
  }, 120_000);
  afterAll(async () => {
    await pyodide?.close();
  });

  it('still stops a runaway loop and finds the fix', async () => {
    const r = await runProgramSearch(
      pyodide,
      {
        source: 'def upto(n):\n    i = 0\n    while i < n:\n        i -= 1\n    return i\n',
        tests: 'assert upto(3) == 3\nassert upto(0) == 0\n',
        editable: [1, 5],
        budget: { candidates: 2000, ms: 20_000 },
      },
      DEFAULT_LIMITS,
    );
    expect(r.checks.map((c) => c.status)).toEqual(['timeout', 'passed']);
    expect(fixed(r)).toContain('i += 1');
  }, 90_000);

  /** The same search on Pyodide and on the process backend. */
  async function onBoth(request: Parameters<typeof runProgramSearch>[1]): Promise<[SearchResponse, SearchResponse]> {
    return [await runProgramSearch(pyodide, request, DEFAULT_LIMITS), await runProgramSearch(sandbox, request, DEFAULT_LIMITS)];
  }

  it('a candidate stuck in C costs only that candidate: same candidates and verdicts as the process backend', async () => {
    // `%` -> `*` makes the numbers grow without bound: one multiplication no signal interrupts
    const [onPyodide, onProcess] = await onBoth({
      source: 'def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return b\n',
      tests: 'assert gcd(12, 18) == 6\nassert gcd(7, 5) == 1\n',
      editable: [1, 4],
      budget: { candidates: 12, ms: 120_000 },
    });
    expect(fixed(onPyodide)).toContain('return a');
    expect(onPyodide.candidates.map((c) => c.source)).toEqual(onProcess.candidates.map((c) => c.source));
    expect(onPyodide.scores).toEqual(onProcess.scores);
    expect(onPyodide.tried).toBe(onProcess.tried);
  }, 240_000);

  it('screens a candidate whose `**` would take minutes in C as a failure at once: no runner is killed for it', async () => {
    // `*` -> `**` in the chain makes `(a % 10) ** (b % 10) ** a * b`: a power with billions of digits
    const killed = pyodide.stats().killed;
    const [onPyodide, onProcess] = await onBoth({
      source: 'def digit_product(a, b):\n    return (a % 10) * (b % 10) * a * b\n',
      tests: 'assert digit_product(146, 413) == 18\nassert digit_product(19, 28) == 72\nassert digit_product(14, -15) == 20\n',
      editable: [1, 2],
      budget: { candidates: 400, ms: 60_000 },
    });
    expect(pyodide.stats().killed).toBe(killed);
    expect(onPyodide.tried).toBe(400);
    expect(onPyodide.stop).toBe('candidates');
    expect(onPyodide.scores).toEqual(onProcess.scores);
    expect(onPyodide.candidates.map((c) => c.source)).toEqual(onProcess.candidates.map((c) => c.source));
  }, 240_000);
});

describe('what the search must not edit', () => {
  it("never edits a function the tests use to check the answer (the tests' oracle), only the one under test", async () => {
    // `encode` is how the test judges `decode`: an edit there could make the round trip pass
    // without fixing `decode`, so every candidate must leave it as written.
    const src = ['def encode(s):', "    return s + 'x'", '', 'def decode(s):', '    return s[:-2]', ''].join('\n');
    const tests = [
      'def check(candidate):',
      "    for word in ['abc', 'tracefix', 'xy']:",
      '        assert candidate(encode(word)) == word',
      '',
      'check(decode)',
      '',
    ].join('\n');
    const r = await search(src, tests, { returnLimit: 5 });
    expect(fixed(r)).toContain('return s[:-1]');
    for (const c of r.candidates) expect(c.source.startsWith("def encode(s):\n    return s + 'x'\n")).toBe(true);
  });
});
