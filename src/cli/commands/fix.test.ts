/**
 * `tracefix fix` end to end through main() on the process backend: asserts under the code are split off
 * as the web chat does, progress goes to stderr as lines when stderr is not a terminal, `--write`
 * applies the fix with a backup; a fix on one test is asked about, and the answer the user copies back
 * (with its `# tracefix: picked` mark) settles it. The printing of a choice between several fixes is
 * checked on a RepairResult built to the shared contract.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notPinnedResult } from '../../../tests/bots/results.ts';
import { runCli, type CliRun } from '../../../tests/fixtures/cli.ts';
import { EXIT_NOT_PINNED, exitCodeFor, formatResult, pickedTests, writeFix } from './fix.ts';

const dir = mkdtempSync(join(tmpdir(), 'tracefix-cli-fix-'));
const CODE = 'def add(a, b):\n    return a - b\n';
const ASSERTS = '\n# the tests\nassert add(2, 3) == 5\nassert add(0, 0) == 0\nassert add(-1, 1) == 0\n';

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...argv: string[]): Promise<CliRun> {
  return runCli(argv, { TRACEFIX_SANDBOX: 'process', LOG_LEVEL: 'silent' });
}

describe('tracefix fix', () => {
  it('takes the asserts under the code as its tests and prints progress lines on a non-terminal stderr', async () => {
    const path = file('pasted.py', CODE + ASSERTS);
    const r = await cli('fix', path, '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as { status: string; tests: { name: string }[]; fixedCode: string };
    expect(result.status).toBe('fixed');
    expect(result.tests.map((t) => t.name)).toEqual(['assert add(2, 3) == 5', 'assert add(0, 0) == 0', 'assert add(-1, 1) == 0']);
    // The fix is of the code only: the asserts are not part of the program that was searched.
    expect(result.fixedCode).not.toContain('assert');
    const progress = r.err.split('\n').filter((line) => line.startsWith('tracefix: '));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(r.err).not.toContain('\r');
    expect(new Set(progress).size).toBe(progress.length);
  }, 60_000);

  it('--write puts the verified fix into the file, keeps the asserts, and backs up the original', async () => {
    const path = file('write-me.py', CODE + ASSERTS);
    const r = await cli('fix', path, '--write');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`wrote the fix to ${path} (the original is in ${path}.bak)`);
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe(CODE + ASSERTS);
    const fixed = readFileSync(path, 'utf8');
    expect(fixed).toContain('return a + b');
    expect(fixed.endsWith(ASSERTS)).toBe(true);
    // A second run finds nothing to fix and writes nothing; an earlier backup is never overwritten.
    const again = await cli('fix', path, '--write');
    expect(again.code).toBe(0);
    expect(again.err).toContain('left as it was');
    expect(existsSync(`${path}.bak.1`)).toBe(false);
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe(CODE + ASSERTS);
  }, 60_000);

  it('asks about a fix that rests on one test; the offered assert, copied back with its mark, settles it, a bare one does not', async () => {
    const path = file('one-test.py', `${CODE}\nassert add(2, 3) == 5\n`);
    const asked = await cli('fix', path);
    expect(asked.code).toBe(EXIT_NOT_PINNED);
    expect(asked.out).toContain('return a + b');
    const pick = /to pick it, add: (.*)/.exec(asked.out)?.[1];
    expect(pick).toMatch(/^assert add\(.+\) == -?\d+ {2}# tracefix: picked$/);
    writeFileSync(path, `${readFileSync(path, 'utf8')}${pick}\n`);
    const settled = await cli('fix', path, '--json');
    expect(settled.code).toBe(0);
    const result = JSON.parse(settled.out) as { status: string; fixedCode: string; tests: unknown[] };
    expect(result.status).toBe('fixed');
    expect(result.tests).toHaveLength(2);
    expect(result.fixedCode).toContain('return a + b');
    // The same assert typed without the mark is a second test like any other: two tests settle nothing.
    writeFileSync(path, readFileSync(path, 'utf8').replace(/ {2}# tracefix: picked/, ''));
    const typed = await cli('fix', path, '--json');
    expect(typed.code).toBe(EXIT_NOT_PINNED);
  }, 90_000);

  it('reads the picked mark only at the end of a test line', () => {
    const tests = 'assert f(1) == 2  # tracefix: picked\nassert f(2) == 3\nassert f(3) == "# tracefix: picked here"\ndef test_f_raises():  #tracefix:picked\n    f(-1)\n';
    expect(pickedTests(tests)).toEqual(['assert f(1) == 2', 'def test_f_raises():']);
    expect(pickedTests(undefined)).toEqual([]);
  });

  it('gives not-pinned its own exit code, and prints the distinguishing input and each option', () => {
    expect(exitCodeFor('not_pinned')).toBe(EXIT_NOT_PINNED);
    expect(new Set([exitCodeFor('fixed'), exitCodeFor('not_fixed'), exitCodeFor('needs_tests'), EXIT_NOT_PINNED]).size).toBe(4);
    const text = formatResult(notPinnedResult());
    expect(text).toContain('Your tests pass with 2 different fixes; they disagree on is_leap(1900):');
    expect(text).toContain('your code as it is: False');
    expect(text).toContain('B. True — every fourth year is a leap year');
    expect(text).toContain('to pick it, add: assert is_leap(1900) == True  # tracefix: picked');
  });

  it('--write leaves the file alone when the tests do not pin the fix down', async () => {
    const path = file('leap.py', 'def is_leap(year):\n    return False\n');
    const note = await writeFix(path, readFileSync(path, 'utf8'), readFileSync(path, 'utf8'), notPinnedResult());
    expect(note).toContain('do not pin the fix down');
    expect(readFileSync(path, 'utf8')).toBe('def is_leap(year):\n    return False\n');
    expect(existsSync(`${path}.bak`)).toBe(false);
  });
});
