/**
 * `tracefix run` and `tracefix trace` end to end through main(), on the process backend (the fastest
 * to start; the backends themselves are covered by tests/contract).
 */
import { runCli, type CliRun } from '../../../tests/fixtures/cli.ts';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tracefix-cli-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const buggy = file('buggy.py', 'def add(a, b):\n    s = a\n    for _ in range(b):\n        s -= 1\n    return s\n');
const tests = file('test_buggy.py', 'assert add(1, 0) == 1\nassert add(2, 3) == 5\n');
const good = file('good.py', 'def add(a, b):\n    """\n    >>> add(1, 2)\n    3\n    """\n    return a + b\n');
const noTests = file('no_tests.py', 'def f(x):\n    return x\n');
const empty = file('empty.py', '  \n');
const binary = file('binary.py', Buffer.from([0x64, 0x65, 0x66, 0x00, 0x01]));
const broken = file('broken.py', 'def f(x)\n    return x + 1\n');
const brokenTests = file('test_broken.py', 'assert f(1) == 2\n');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...argv: string[]): Promise<CliRun> {
  return runCli(argv, { TRACEFIX_SANDBOX: 'process', LOG_LEVEL: 'silent' });
}

describe('tracefix run', () => {
  it('prints one line per test and exits 1 when some fail', async () => {
    const r = await cli('run', buggy, '--tests', tests);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/PASS\s+assert add\(1, 0\) == 1/);
    expect(r.out).toMatch(/FAIL\s+assert add\(2, 3\) == 5\s+— expected 5, got -1/);
    expect(r.out).toContain('2 tests: 1 passed, 1 failed');
  });

  it('exits 0 when every docstring example passes, with --json', async () => {
    const r = await cli('run', good, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { summary: { passed: number; total: number }; tests: { kind: string }[] };
    expect(report.summary).toMatchObject({ passed: 1, total: 1 });
    expect(report.tests[0]?.kind).toBe('doctest');
  });

  it.each([
    ['a missing file', [join(dir, 'nope.py')], /does not exist/],
    ['an empty file', [empty], /is empty/],
    ['a binary file', [binary], /binary file/],
    ['no tests and no docstring examples', [noTests], /No tests found .* no docstring examples/],
    ['an unknown sandbox', [buggy, '--sandbox', 'docker'], /Unknown sandbox "docker"/],
    ['no file at all', [], /Name the Python file/],
    ['an unknown option', [buggy, '--frobnicate'], /frobnicate/],
  ])('explains %s and exits 2', async (_label, args, message) => {
    const r = await cli('run', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});

describe('tracefix run on a JavaScript file', () => {
  it('runs it on the QuickJS runner, as the chat front ends do (it used to reach Python)', async () => {
    const js = file('add.js', 'function add(a, b) {\n  return a - b;\n}\n');
    const jsTests = file('add.test.js', 'console.assert(add(1, 2) === 3);\nconsole.assert(add(2, 0) === 2);\n');
    const r = await cli('run', js, '--tests', jsTests);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL\s+console\.assert\(add\(1, 2\) === 3\);\s+— expected 3, got -1/);
    expect(r.out).toMatch(/2 tests: 1 passed, 1 failed \(QuickJS .*, process sandbox/);
  });
});

describe('tracefix run on Pyodide', () => {
  it('keeps the memory snapshot in the per-user cache, so the next run starts from it', { timeout: 240_000 }, async () => {
    const cacheHome = join(dir, 'xdg-cache');
    const env = { TRACEFIX_SANDBOX: 'pyodide', LOG_LEVEL: 'silent', XDG_CACHE_HOME: cacheHome, HOME: dir };
    const entry = (): string => {
      const names = readdirSync(join(cacheHome, 'tracefix')).filter((n) => n.startsWith('pyodide-'));
      expect(names).toHaveLength(1);
      return join(cacheHome, 'tracefix', names[0]!, 'pyodide.snap');
    };
    const first = await runCli(['run', good], env);
    expect(first.code, first.err).toBe(0);
    const made = statSync(entry());
    const second = await runCli(['run', good], env);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toContain('1 test: 1 passed');
    expect(statSync(entry()).ino).toBe(made.ino);
  });
});

describe('tracefix trace', () => {
  it('prints the NExT-annotated program of the first failing test', async () => {
    const r = await cli('trace', buggy, '--tests', tests);
    expect(r.code).toBe(1);
    expect(r.out).toContain('# FAILED: assert add(2, 3) == 5');
    expect(r.out).toMatch(/def add\(a, b\):\s+# \(0\) a=2; b=3;/);
    expect(r.out).toContain('__return__=-1');
  });

  it('says there is nothing to trace when all pass', async () => {
    const r = await cli('trace', good);
    expect(r.code).toBe(0);
    expect(r.out).toContain('nothing to trace');
  });
});

describe('a file that does not compile', () => {
  it('run names the error and the line, and says no test ran (exit 1)', async () => {
    const r = await cli('run', broken, '--tests', brokenTests);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${broken}:1: SyntaxError: expected ':'`);
    expect(r.out).toContain('def f(x)');
    expect(r.out).toContain(`Python could not compile ${broken}, so the test did not run.`);
    expect(r.out).not.toMatch(/0 tests: 0 passed/);
  });

  it('run without --tests reports the syntax error, not "no tests found"', async () => {
    const r = await cli('run', broken);
    expect(r.code).toBe(1);
    expect(r.out).toContain('SyntaxError');
    expect(r.err).toBe('');
  });

  it('trace does not claim that all 0 tests pass (it used to exit 0)', async () => {
    const r = await cli('trace', broken, '--tests', brokenTests);
    expect(r.code).toBe(1);
    expect(r.out).toContain('SyntaxError');
    expect(r.out).not.toContain('nothing to trace');
    const json = await cli('trace', broken, '--tests', brokenTests, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ compileError: { type: 'SyntaxError', line: 1 }, tests: 1 });
  });
});

describe('--json when the input is bad', () => {
  it('still prints JSON on stdout (the error), exits 2 and explains on stderr', async () => {
    const r = await cli('run', join(dir, 'nope.py'), '--json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does not exist/);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'bad_input', message: expect.stringMatching(/does not exist/) as unknown } });
  });
});

describe('tracefix run on a file with its asserts under the code', () => {
  it('gives each assert its own verdict, as the web chat would', async () => {
    const pasted = file('pasted.py', 'def add(a, b):\n    return a - b\n\nassert add(0, 0) == 0\nassert add(2, 3) == 5\n');
    const r = await cli('run', pasted);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/PASS\s+assert add\(0, 0\) == 0/);
    expect(r.out).toMatch(/FAIL\s+assert add\(2, 3\) == 5\s+— expected 5, got -1/);
    expect(r.out).toContain('2 tests: 1 passed, 1 failed');
  });
});
