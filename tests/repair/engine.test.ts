/**
 * The repair loop end to end on a real sandbox (the process backend: python3 under bubblewrap where
 * it works). No model: the program search is the only source of candidates here; the model path has
 * its own file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { TracefixError } from '../../src/errors.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import type { Progress, RepairRequest, RepairService } from '../../src/repair/types.ts';

let sandbox: Sandbox;
let engine: RepairService;
beforeAll(() => {
  sandbox = createSandbox({ backend: 'process' });
  engine = createRepairEngine({ sandbox, budget: { searchMs: 4000 } });
});
afterAll(async () => {
  await sandbox.close();
});

const request = (code: string, tests?: string, extra: Partial<RepairRequest> = {}): RepairRequest => ({
  id: `test-${Math.random().toString(36).slice(2)}`,
  code,
  ...(tests === undefined ? {} : { tests }),
  origin: { platform: 'cli' },
  ...extra,
});

describe('repair engine (program search, process sandbox)', () => {
  it('fixes a wrong operator, with a rationale grounded in the trace, a diff and the test table', async () => {
    const code = 'def average(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total * len(xs)\n';
    const tests = 'assert average([2, 4]) == 3\nassert average([5]) == 5\nassert average([1, 2, 3]) == 2\n';
    const progress: Progress[] = [];
    const result = await engine.run(request(code, tests), { onProgress: (p) => progress.push(p) });
    expect(result.status).toBe('fixed');
    expect(result.fixedCode).toBe(code.replace('total * len(xs)', 'total / len(xs)'));
    expect(result.diff).toContain('-    return total * len(xs)\n+    return total / len(xs)\n');
    expect(result.tests).toHaveLength(3);
    expect(result.tests[0]).toMatchObject({ before: 'failed', after: 'passed' });
    expect(result.tests[0]!.detail).toContain('expected 3, got 12');
    expect(result.rationale).toContain('expected 3 but got 12');
    expect(result.rationale).toContain('Line 5');
    expect(result.rationale).toContain('all 3 tests pass');
    expect(result.trace?.excerpt).toContain('return total * len(xs)');
    expect(result.trace?.rendered).toMatch(/# \(\d+\)/);
    expect(result.candidates.tried).toBeGreaterThan(0);
    expect(result.candidates.passed).toBeGreaterThanOrEqual(1);
    expect(result.candidates.fromSearch).toBeGreaterThanOrEqual(1);
    expect(result.model.id).toBe('offline-search');
    expect(result.timings.totalMs).toBeGreaterThan(0);
    expect(progress.map((p) => p.stage)).toEqual(expect.arrayContaining(['tests', 'trace', 'search', 'verify', 'done']));
    expect(progress.at(-1)?.stage).toBe('done');
  });

  it('says partly fixed when the best candidate passes more tests but not all', async () => {
    const code = 'def f(n):\n    return n * 3\n';
    const tests = 'assert f(2) == 4\nassert f(3) == 5\nassert f(10) == 99\n';
    const result = await engine.run(request(code, tests));
    expect(result.status).toBe('partly_fixed');
    expect(result.tests.map((t) => t.after)).toEqual(['passed', 'passed', 'failed']);
    expect(result.fixedCode).toBeDefined();
    expect(result.summary).toMatch(/2\/3/);
  }, 40_000);

  it('says not fixed, with the evidence, when nothing does better than the original', async () => {
    const code = "def greet(name):\n    return 'hi ' + name\n";
    const result = await engine.run(request(code, "assert greet('bob') == 'Good evening, Bob!'\n"));
    expect(result.status).toBe('not_fixed');
    expect(result.fixedCode).toBeUndefined();
    expect(result.tests[0]).toMatchObject({ before: 'failed' });
    expect(result.tests[0]!.after).toBeUndefined();
    expect(result.summary).toContain('No fix found');
    expect(result.candidates.tried).toBeGreaterThan(10);
  }, 40_000);

  it('says nothing to fix when every test passes, and offers the trace', async () => {
    const result = await engine.run(request('def add(a, b):\n    return a + b\n', 'assert add(1, 2) == 3\n'));
    expect(result.status).toBe('nothing_to_fix');
    expect(result.tests[0]).toMatchObject({ before: 'passed' });
    expect(result.trace?.rendered).toContain('def add(a, b):');
    expect(result.candidates.tried).toBe(0);
  });

  it('asks for a failing example when there are no tests and no docstring examples', async () => {
    const result = await engine.run(request('def area(w, h):\n    return w * w\n'));
    expect(result.status).toBe('needs_tests');
    expect(result.summary).toContain('assert area(');
  });

  it('uses the docstring examples when there are no tests', async () => {
    const code = 'def double(x):\n    """\n    >>> double(2)\n    4\n    """\n    return x * 3\n';
    const result = await engine.run(request(code));
    expect(result.status).toBe('fixed');
    expect(result.fixedCode).not.toContain('x * 3');
  });

  it('never returns the frozen prefix, and never changes it', async () => {
    const prefix = 'def helper(x):\n    return x + 1\n\n\ndef twice_helper(x):\n    """helper(x), twice."""\n';
    const code = '    return helper(x) * 3\n';
    const tests = 'def check(candidate):\n    assert candidate(1) == 4\n    assert candidate(4) == 10\n\ncheck(twice_helper)\n';
    const result = await engine.run(request(code, tests, { frozenPrefix: prefix, entryPoint: 'twice_helper' }));
    expect(result.status).toBe('fixed');
    expect(result.fixedCode).toBe('    return helper(x) * 2\n');
    expect(result.diff).toBe('--- a/program.py\n+++ b/program.py\n@@ -1 +1 @@\n-    return helper(x) * 3\n+    return helper(x) * 2\n');
  });

  it('rejects with a deadline error when the deadline has passed before anything ran', async () => {
    const run = engine.run(request('def f():\n    return 1\n', 'assert f() == 2\n'), { deadline: Date.now() - 1 });
    await expect(run).rejects.toBeInstanceOf(TracefixError);
    await expect(run).rejects.toMatchObject({ code: 'deadline' });
  });

  it('returns what it has when the deadline falls in the middle of the search', async () => {
    const slow = createRepairEngine({ sandbox, budget: { searchMs: 60_000, secondRound: false } });
    const code = "def greet(name):\n    return 'hi ' + name\n";
    const started = Date.now();
    const result = await slow.run(request(code, "assert greet('bob') == 'Good evening, Bob!'\n"), { deadline: Date.now() + 2500 });
    expect(result.status).toBe('not_fixed');
    expect(result.tests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('rejects with cancelled when cancelled before anything useful exists', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(engine.run(request('def f():\n    return 1\n', 'assert f() == 2\n'), { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('says so when the code does not load', async () => {
    const result = await engine.run(request('def f(:\n    return 1\n', 'assert f() == 1\n'));
    expect(result.status).toBe('not_fixed');
    expect(result.summary).toContain('does not load: SyntaxError');
  });

  it('rejects empty code as bad input', async () => {
    await expect(engine.run(request('   \n', 'assert True\n'))).rejects.toMatchObject({ code: 'empty_input' });
  });
});
