/**
 * The probe (sandbox/runner/tracefix_runner/probe.py) through real sandboxes: CPython 3.11 on the
 * process backend and Pyodide's 3.14, with programs of our own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../sandbox/protocol.ts';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import { runProbe, type ProbeResponse } from '../../src/repair/probe.ts';
import { pinningTest } from '../../src/repair/verdict.ts';

const backends: [string, () => Promise<Sandbox>][] = [
  ['process (CPython 3.11)', () => createSandbox({ backend: 'process' })],
  [
    'pyodide (3.14)',
    async () => {
      const sandbox = new PyodideSandbox({ poolSize: 1 });
      await sandbox.ready();
      return sandbox;
    },
  ],
];

const rowOf = (r: ProbeResponse, call: string) => r.inputs.find((i) => i.call === call);

describe.each(backends)('probe on %s', (_name, create) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await create();
  }, 60_000);
  afterAll(async () => {
    await sandbox.close();
  });

  const probe = (
    programs: { id: string; source: string }[],
    tests: string | null,
    extra: { entryPoint?: string; inputs?: number } = {},
  ) =>
    runProbe(
      sandbox,
      {
        programs,
        tests,
        ...(extra.entryPoint ? { entryPoint: extra.entryPoint } : {}),
        budget: { inputs: extra.inputs ?? 40, ms: 20_000 },
      },
      DEFAULT_LIMITS,
    );

  it('seeds with the arguments as they were at call time, grows type-aware variations, and reports what each program does', async () => {
    // the function empties its argument: the seed must still be the list the test passed
    const original =
      'def drain(xs, n):\n    total = 0\n    while xs:\n        total += xs.pop() * n\n    return total\n';
    const fixed = 'def drain(xs, n):\n    return sum(xs) * n + 1\n';
    const r = await probe(
      [
        { id: 'original', source: original },
        { id: 'other', source: fixed },
      ],
      'assert drain([1, 2, 3], 2) == 12\n',
    );
    expect(r.ok).toBe(true);
    expect(r.func).toBe('drain');
    expect(r.seeds).toBe(1);
    expect(r.inputs[0]!.call).toBe('drain([1, 2, 3], 2)');
    // every input names the seed it was grown from; with one seed, that is the seed
    expect(r.inputs.every((row) => row.from === 0)).toBe(true);
    expect(r.inputs[0]!.outputs).toEqual({ original: '12', other: '13' });
    const calls = r.inputs.map((i) => i.call);
    // empty and single-element lists, reversed, +-1 and sign flips of the int
    for (const c of [
      'drain([], 2)',
      'drain([1], 2)',
      'drain([3, 2, 1], 2)',
      'drain([1, 2, 3], 3)',
      'drain([1, 2, 3], 1)',
      'drain([1, 2, 3], -2)',
    ]) {
      expect(calls).toContain(c);
    }
    expect(rowOf(r, 'drain([], 2)')!.outputs).toEqual({ original: '0', other: '1' });
    expect(new Set(calls).size).toBe(calls.length);
    expect(r.inputs.length).toBeLessThanOrEqual(40);
  }, 60_000);

  it('writes exceptions as `raises Type: message` and endless loops as `timeout`', async () => {
    const r = await probe(
      [
        {
          id: 'original',
          source: 'def half(n):\n    if n < 0:\n        raise ValueError("negative")\n    return n // 2\n',
        },
        { id: 'loops', source: 'def half(n):\n    while n != 0:\n        n -= 2\n    return 0\n' },
      ],
      'assert half(4) == 2\n',
      { inputs: 8 },
    );
    expect(rowOf(r, 'half(-4)')!.outputs).toEqual({
      original: 'raises ValueError: negative',
      loops: 'timeout',
    });
    expect(rowOf(r, 'half(4)')!.outputs).toEqual({ original: '2', loops: '0' });
  }, 60_000);

  it('grows a seed too long to be an input itself, and says of those inputs no seed they came from', async () => {
    // 45 strings: a literal the probe may use (50 items at most), a call longer than an input may be
    const long = `[${Array.from({ length: 45 }, (_, i) => `'item_${String(i).padStart(2, '0')}'`).join(', ')}]`;
    const r = await probe(
      [{ id: 'original', source: 'def count(xs):\n    return len(xs)\n' }],
      `assert count(${long}) == 45\n`,
      { inputs: 8 },
    );
    expect(r.ok).toBe(true);
    expect(r.seeds).toBe(0);
    expect(rowOf(r, 'count([])')).toMatchObject({ outputs: { original: '0' } });
    expect(r.inputs.length).toBeGreaterThan(1);
    expect(r.inputs.every((row) => row.from === undefined)).toBe(true);
  }, 60_000);

  it('a string that carries a number grows its last run of digits one up and one down, so a date stays a date', async () => {
    const source =
      'from datetime import date\n\ndef days(a, b):\n    return (date.fromisoformat(b) - date.fromisoformat(a)).days\n';
    const r = await probe([{ id: 'original', source }], "assert days('2024-01-01', '2024-01-08') == 7\n", {
      inputs: 12,
    });
    expect(rowOf(r, "days('2024-01-01', '2024-01-09')")?.outputs).toEqual({ original: '8' });
    expect(rowOf(r, "days('2024-01-02', '2024-01-08')")?.outputs).toEqual({ original: '6' });
    expect(rowOf(r, "days('2024-01-00', '2024-01-08')")?.outputs['original']).toMatch(/^raises ValueError/);
  }, 60_000);

  it('a string grows its longest run of one character three times as long, where once-or-twice code and a loop part', async () => {
    const twice = 'def squeeze(s):\n    return s.replace("  ", " ").replace("  ", " ")\n';
    const loop = 'def squeeze(s):\n    while "  " in s:\n        s = s.replace("  ", " ")\n    return s\n';
    const r = await probe(
      [
        { id: 'twice', source: twice },
        { id: 'loop', source: loop },
      ],
      "assert squeeze('a   b') == 'a b'\n",
      { inputs: 16 },
    );
    expect(rowOf(r, "squeeze('a         b')")?.outputs).toEqual({ twice: "'a   b'", loop: "'a b'" });
  }, 60_000);

  it('strings vary in case and length; sets and dicts come out in one canonical order; runs are deterministic', async () => {
    const source = 'def letters(word):\n    return {c: word.count(c) for c in set(word)}\n';
    const run = () =>
      probe([{ id: 'original', source }], "assert letters('Abba') == {'A': 1, 'b': 2, 'a': 1}\n", {
        inputs: 12,
      });
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    const calls = a.inputs.map((i) => i.call);
    expect(calls).toEqual(
      expect.arrayContaining([
        "letters('')",
        "letters('A')",
        "letters('ABBA')",
        "letters('abba')",
        "letters('aBBA')",
      ]),
    );
    expect(rowOf(a, "letters('Abba')")!.outputs.original).toBe("{'A': 1, 'a': 1, 'b': 2}");
  }, 60_000);

  it('finds HumanEval-style check(candidate) calls through the entry point, and keeps keyword arguments', async () => {
    const source = 'def scale(xs, factor=2):\n    return [x * factor for x in xs]\n';
    const tests =
      'def check(candidate):\n    assert candidate([1, 2], factor=3) == [3, 6]\n    assert candidate([]) == []\n';
    const r = await probe([{ id: 'original', source }], tests, { entryPoint: 'scale', inputs: 10 });
    expect(r.ok).toBe(true);
    expect(r.inputs.slice(0, 2).map((i) => i.call)).toEqual(['scale([1, 2], 3)', 'scale([], 2)']);
    expect(rowOf(r, 'scale([1, 2], 3)')!.outputs.original).toBe('[3, 6]');
  }, 60_000);

  it('answers ok:false with a reason when no test calls a function with literal arguments, or the payload is bad', async () => {
    const r = await probe(
      [{ id: 'original', source: 'class Box:\n    def __init__(self):\n        self.v = 1\n' }],
      'assert Box().v == 2\n',
    );
    expect(r.ok).toBe(false);
    expect(r.reason).toBe('no_function_called');
    const bad = await sandbox.execute({
      mode: 'mutate',
      payload: { op: 'probe', programs: [] },
      limits: DEFAULT_LIMITS,
    });
    expect(bad.payload).toMatchObject({ ok: false, reason: 'bad_payload' });
  }, 60_000);

  it("a pinning test for an exception runs beside the user's asserts, and decides between programs", async () => {
    const test = pinningTest('half(-1)', 'raises ValueError: negative', 'half')!;
    const tests = `assert half(4) == 2\n${test}\n`;
    const raising = 'def half(n):\n    if n < 0:\n        raise ValueError("negative")\n    return n // 2\n';
    const lenient = 'def half(n):\n    return n // 2\n';
    const run = await sandbox.execute({
      mode: 'test',
      programs: [
        { id: 'raising', source: raising },
        { id: 'lenient', source: lenient },
      ],
      tests,
      limits: DEFAULT_LIMITS,
    });
    expect(run.tests).toHaveLength(2);
    const statuses = (id: string) => run.programs.find((p) => p.id === id)!.results.map((r) => r.status);
    expect(statuses('raising')).toEqual(['passed', 'passed']);
    expect(statuses('lenient')).toEqual(['passed', 'failed']);
  }, 60_000);

  it("finishes within its budget when the original never ends on the tests' inputs, and still tells two fixes apart", async () => {
    // the newcomer's binary search: `lo = mid` loops for ever on find(xs, 7); Pyodide has no interval timer,
    // so every call (and the seed run) must be stopped by the runner itself, not by the host's kill
    const original =
      'def find(xs, t):\n    lo, hi = 0, len(xs) - 1\n    while lo <= hi:\n        mid = (lo + hi) // 2\n        if xs[mid] == t:\n            return mid\n        if xs[mid] < t:\n            lo = mid\n        else:\n            hi = mid - 1\n    return -1\n';
    const r = await runProbe(
      sandbox,
      {
        programs: [
          { id: 'original', source: original },
          { id: 'hi', source: original.replace('lo = mid\n', 'lo = hi\n') },
          { id: 'plus', source: original.replace('lo = mid\n', 'lo = mid + 1\n') },
        ],
        tests: 'assert find([1, 3, 5, 7], 7) == 3\nassert find([1, 3, 5, 7], 1) == 0\n',
        budget: { inputs: 40, ms: 8_000 },
      },
      DEFAULT_LIMITS,
    );
    expect(r.ok).toBe(true);
    expect(rowOf(r, 'find([1, 3, 5, 7], 7)')?.outputs).toMatchObject({
      original: 'timeout',
      hi: '3',
      plus: '3',
    });
    expect(r.inputs.length).toBeGreaterThan(r.seeds);
    expect(r.inputs.some((row) => row.outputs['hi'] !== row.outputs['plus'])).toBe(true);
  }, 90_000);

  it('takes as seeds the calls a passing candidate makes after the original stopped at its first failure', async () => {
    const tests = 'def check(f):\n    for x in (2, 5, -1):\n        assert f(x) == x + x\n\ncheck(double)\n';
    const r = await probe(
      [
        { id: 'original', source: 'def double(x):\n    return x * 3\n' },
        { id: 'fix', source: 'def double(x):\n    return x * 2\n' },
      ],
      tests,
      { entryPoint: 'double' },
    );
    expect(r.ok).toBe(true);
    expect(r.seeds).toBe(3);
    expect(r.inputs.slice(0, 3).map((row) => row.call)).toEqual(['double(2)', 'double(5)', 'double(-1)']);
    // seeds are their own origin; grown inputs come round-robin from each seed in turn
    expect(r.inputs.map((row) => row.from).slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(rowOf(r, 'double(3)')?.from).toBe(0);
  }, 60_000);

  it('measures "does not finish" against the tests\' own calls: a seed costlier than a grown call\'s floor finishes, and so does twice it', async () => {
    // 150,000 iterations is more than a grown call's floor (CALL_STEP_BUDGET): the seed gets a seed's
    // budget, and grown inputs get ten times what the seed used; only the endless input times out
    const r = await probe(
      [
        { id: 'original', source: COUNT_UP },
        { id: 'linear', source: LINEAR },
      ],
      'assert count_up(150000) == 11249925000\n',
    );
    expect(r.ok).toBe(true);
    expect(rowOf(r, 'count_up(150000)')?.outputs).toEqual({ original: '11249925000', linear: '11249925000' });
    expect(rowOf(r, 'count_up(300000)')?.outputs).toEqual({ original: '44999850000', linear: '44999850000' });
    expect(rowOf(r, 'count_up(-150000)')?.outputs).toEqual({ original: 'timeout', linear: '0' });
  }, 60_000);
  it("holds the original, on the tests' own calls, to ten times what the fixes needed there: its hang costs little of the probe", async () => {
    // the fix answers in a few steps; the original needs 300,000 loop iterations (a seed's budget would let
    // it finish, ten times the fix's steps do not) and never ends on 7, and its numbers grow in C
    const original =
      'def tri(n):\n    s = 0\n    i = 0\n    while i != n:\n        i += 1\n        s += i\n    return s\n';
    const runaway =
      'def tri(n):\n    s = 1\n    while n != 0:\n        s = s * 3 + 1\n        n = n - 1 if n > 7 else n\n    return s\n';
    const fix = 'def tri(n):\n    return n * (n + 1) // 2\n';
    const r = await probe(
      [
        { id: 'original', source: original },
        { id: 'fix', source: fix },
      ],
      'assert tri(300000) == 45000150000\nassert tri(3) == 6\n',
    );
    expect(r.ok).toBe(true);
    expect(rowOf(r, 'tri(300000)')?.outputs).toEqual({ original: 'timeout', fix: '45000150000' });
    expect(rowOf(r, 'tri(3)')?.outputs).toEqual({ original: '6', fix: '6' });
    const grown = await probe(
      [
        { id: 'original', source: runaway },
        { id: 'fix', source: fix },
        { id: 'summed', source: 'def tri(n):\n    return sum(range(n + 1))\n' },
      ],
      'assert tri(7) == 28\nassert tri(8) == 36\nassert tri(9) == 45\n',
    );
    expect(grown.inputs.length).toBeGreaterThan(grown.seeds);
    expect(grown.inputs.slice(0, grown.seeds).every((row) => row.outputs['original'] === 'timeout')).toBe(
      true,
    );
    // without a fix beside it, the original's own seeds still get a seed's budget
    const alone = await probe([{ id: 'original', source: original }], 'assert tri(300000) == 45000150000\n');
    expect(rowOf(alone, 'tri(300000)')?.outputs).toEqual({ original: '45000150000' });
  }, 90_000);
});

const COUNT_UP =
  'def count_up(n):\n    s = 0\n    i = 0\n    while i != n:\n        s += i\n        i += 1\n    return s\n';
const LINEAR = 'def count_up(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n';

describe('probe on both backends', () => {
  let pair: Sandbox[] = [];
  beforeAll(async () => {
    pair = await Promise.all(backends.map(([, create]) => create()));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(pair.map((s) => s.close()));
  });

  it('gives the same answer on CPython and Pyodide, hangs and costly seeds included, since every limit is a count', async () => {
    const request = {
      programs: [
        { id: 'original', source: COUNT_UP },
        { id: 'linear', source: LINEAR },
      ],
      tests: 'assert count_up(150000) == 11249925000\nassert count_up(7) == 21\n',
      budget: { inputs: 20, ms: 60_000 },
    };
    const [cpython, pyodide] = (await Promise.all(pair.map((s) => runProbe(s, request, DEFAULT_LIMITS)))) as [
      ProbeResponse,
      ProbeResponse,
    ];
    expect(cpython.ok).toBe(true);
    expect(cpython.inputs.length).toBeGreaterThan(cpython.seeds);
    expect(
      cpython.inputs.some(
        (row) => row.outputs['original'] === 'timeout' && row.outputs['linear'] !== 'timeout',
      ),
    ).toBe(true);
    expect(pyodide).toEqual(cpython);
  }, 180_000);

  it('a recursion with no loop in it ends on the same count on both (calls are steps in the probe)', async () => {
    const request = {
      programs: [
        {
          id: 'original',
          source: 'def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n',
        },
        {
          id: 'loop',
          source:
            'def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a if n >= 0 else n\n',
        },
      ],
      tests: 'assert fib(18) == 2584\nassert fib(1) == 1\n',
      budget: { inputs: 12, ms: 60_000 },
    };
    const [cpython, pyodide] = (await Promise.all(pair.map((s) => runProbe(s, request, DEFAULT_LIMITS)))) as [
      ProbeResponse,
      ProbeResponse,
    ];
    expect(rowOf(cpython, 'fib(36)')?.outputs).toEqual({ original: 'timeout', loop: '14930352' });
    expect(rowOf(cpython, 'fib(19)')?.outputs).toEqual({ original: '4181', loop: '4181' });
    expect(pyodide).toEqual(cpython);
  }, 180_000);
});
