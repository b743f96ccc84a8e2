/**
 * Stage "test": the user's tests on the original in the real process sandbox, and what that run alone
 * settles (a missing module, no example to work from).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { contextFor, request } from '../../../tests/repair/stage-kit.ts';
import type { Progress } from '../types.ts';
import { runTests } from './test.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

describe('runTests', () => {
  it('runs the tests and returns the first failing one, keeping the cases and the baseline', async () => {
    const progress: Progress[] = [];
    const ctx = contextFor(sandbox, request('def f(n):\n    return n * 3\n', 'assert f(0) == 0\nassert f(2) == 5\nassert f(1) == 9\n'), { options: { onProgress: (p) => progress.push(p) } });
    const t0 = performance.now();
    const out = await runTests(ctx);
    expect(ctx.timings.testsMs).toBeLessThanOrEqual(Math.ceil(performance.now() - t0));
    expect(out).toEqual({ failingCase: expect.objectContaining({ id: 't1', name: 'assert f(2) == 5' }) as unknown, allPass: false });
    expect(ctx.cases.map((c) => c.id)).toEqual(['t0', 't1', 't2']);
    expect(ctx.baseline.map((r) => r.status)).toEqual(['passed', 'failed', 'failed']);
    expect(ctx.timings.testsMs).toBeGreaterThanOrEqual(0);
    expect(ctx.compileError).toBeUndefined();
    expect(ctx.missingModule).toBeUndefined();
    expect(progress).toEqual([{ stage: 'tests', message: 'Running your tests' }]);
  });

  it('says when every test passes', async () => {
    const ctx = contextFor(sandbox, request('def f(n):\n    return n * 3\n', 'assert f(1) == 3\nassert f(2) == 6\n'));
    expect(await runTests(ctx)).toEqual({ failingCase: undefined, allPass: true });
  });

  it('keeps the compile error, and a program that does not load fails its first test', async () => {
    const ctx = contextFor(sandbox, request('def f(n)\n    return n\n', 'assert f(1) == 1\n'));
    const out = await runTests(ctx);
    expect(ctx.compileError).toMatchObject({ type: 'SyntaxError', line: 1 });
    expect(out).toEqual({ failingCase: expect.objectContaining({ id: 't0' }) as unknown, allPass: false });
  });

  it('stops at once when the program imports a module this sandbox lacks', async () => {
    const ctx = contextFor(sandbox, request('import numpy.linalg\n\ndef f(n):\n    return n\n', 'assert f(1) == 1\n'));
    const out = await runTests(ctx);
    expect(ctx.missingModule).toBe('numpy');
    expect('done' in out && out.done).toMatchObject({
      status: 'cannot_run',
      summary:
        'Your code imports `numpy`, which this sandbox does not have, so it cannot run here. Run tracefix with the `process` sandbox and a Python that has numpy installed, or with E2B.',
      facts: { missingModule: 'numpy' },
    });
  });

  it('asks for a failing example, named after the function, when there is nothing but a script that runs', async () => {
    const ask = (name: string) =>
      `I need a failing example to work from: add a test such as \`assert ${name}(<an input>) == <the output you expect>\` — an input where the code gives the wrong answer, and the answer you expected.`;
    const done = async (code: string, extra: Parameters<typeof request>[2] = {}, tests?: string) => {
      const out = await runTests(contextFor(sandbox, request(code, tests, extra)));
      return 'done' in out ? out.done : undefined;
    };
    expect(await done('x = 1\n\ndef  area_of(w, h):\n    return w * h\n')).toMatchObject({ status: 'needs_tests', summary: ask('area_of') });
    expect((await done('print(1)\n'))?.summary).toBe(ask('your_function'));
    expect((await done('def f(n):\n    return n\n', { entryPoint: 'solve' }))?.summary).toBe(ask('solve'));
    // tests made of blanks are no tests
    expect((await done('def g(n):\n    return n\n', {}, '  \n'))?.summary).toBe(ask('g'));
    // a script that fails is something to work from
    expect(await done('def g(n):\n    return n\n\nassert g(1) == 2\n')).toBeUndefined();
  });

  it('does not ask for an example when the program does not load, or when the tests are a script', async () => {
    const broken = await runTests(contextFor(sandbox, request('def f(n)\n    return n\n')));
    expect(broken).toEqual({ failingCase: expect.objectContaining({ id: 't0', kind: 'script' }) as unknown, allPass: false });
    const script = await runTests(contextFor(sandbox, request('def f(n):\n    return n\n', 'x = f(1)\n')));
    expect(script).toEqual({ failingCase: undefined, allPass: true });
  });

  it('works from docstring examples when there are no tests', async () => {
    const code = 'def add(a, b):\n    """\n    >>> add(1, 2)\n    3\n    """\n    return a + b\n';
    expect(await runTests(contextFor(sandbox, request(code)))).toEqual({ failingCase: undefined, allPass: true });
  });

  it('asks for an example, with the function name, for JavaScript too', async () => {
    const ask = (code: string) => runTests(contextFor(sandbox, request(code, undefined, { language: 'javascript' })));
    const gen = await ask('export async function* gen(a) { return a; }\n');
    expect('done' in gen && gen.done.summary).toContain('`assert gen(<an input>)');
    const plain = await ask('function  add(a, b) {\n  return a + b;\n}\n');
    expect('done' in plain && plain.done.summary).toContain('`assert add(<an input>)');
  }, 20_000);
});
