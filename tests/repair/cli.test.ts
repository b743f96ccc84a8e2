/**
 * `tracefix fix` and `tracefix eval` through the CLI dispatcher, on the process sandbox, with the
 * program search (no model configured).
 */
import { runCli, type CliRun } from '../fixtures/cli.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracefix-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function cli(argv: string[]): Promise<CliRun> {
  return runCli(argv, { TRACEFIX_SANDBOX: 'process', MODEL_PROVIDER: 'offline', DATA_DIR: dir });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('tracefix fix', () => {
  it('prints the rationale, the diff and the test table, and exits 0 when fixed', async () => {
    const code = file('clamp.py', 'def clamp(x, lo, hi):\n    return max(lo, max(x, hi))\n');
    const tests = file('clamp_test.py', 'assert clamp(5, 0, 10) == 5\nassert clamp(-1, 0, 10) == 0\nassert clamp(11, 0, 10) == 10\n');
    const run = await cli(['fix', code, '--tests', tests]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Fixed: all 3 tests pass');
    expect(run.out).toContain('+    return max(lo, min(x, hi))');
    expect(run.out).toMatch(/assert clamp\(5, 0, 10\) == 5\s+FAIL\s+pass/);
  }, 30_000);

  it('exits 1 when no fix is found, and --json gives the whole result', async () => {
    const code = file('greet.py', "def greet(name):\n    return 'hi ' + name\n");
    const tests = file('greet_test.py', "assert greet('bob') == 'Good evening, Bob!'\n");
    const run = await cli(['fix', code, '--tests', tests, '--json']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.out) as { status: string; tests: unknown[] };
    expect(result.status).toBe('not_fixed');
    expect(result.tests).toHaveLength(1);
  }, 60_000);

  it('exits 2 on a missing file', async () => {
    const run = await cli(['fix', join(dir, 'nope.py')]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('does not exist');
  });
});

describe('tracefix eval', () => {
  it('reports fixed and pass@1 judged on the hidden test, writes --json, and resumes from its state file', async () => {
    const tasks = [
      // a body under a frozen prompt, HumanEvalFix-style
      { task_id: 'T/0', prompt: 'def add(a, b):\n    """Sum."""\n', buggy_solution: '    return a - b\n', test: 'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(0, 0) == 0\n    assert candidate(2, 5) == 7\n\ncheck(add)\n', entry_point: 'add', bug_type: 'operator misuse' },
      // a whole function shown only its given tests (mbpp-r-style); the hidden test catches the overfit
      { task_id: 'T/1', prompt: '', buggy_solution: 'def sq(x):\n    return x + x\n', test: 'def check(candidate):\n    assert sq(2) == 4\n    assert sq(3) == 9\n\ncheck(sq)\n', given_tests: ['assert sq(3) == 9'], entry_point: 'sq' },
    ];
    const dataset = file('tiny.jsonl', tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
    const json = join(dir, 'report.json');
    const first = await cli(['eval', '--dataset', dataset, '--json', json]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/fixed\s+\d \(/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { tasks: number; fixed: number; pass_at_k: Record<string, number>; entries: { task_id: string; seconds: number; status: string; candidates: number }[] };
    expect(report.tasks).toBe(2);
    expect(report.entries.map((e) => e.task_id)).toEqual(['T/0', 'T/1']);
    expect(report.entries[0]!.status).toBe('fixed');
    expect(report.fixed).toBeGreaterThanOrEqual(1);
    expect(report.pass_at_k['1']).toBeCloseTo(report.fixed / 2, 10);
    expect(first.out).toContain('operator misuse');

    const again = await cli(['eval', '--dataset', dataset, '--json', json, '--resume']);
    expect(again.code).toBe(0);
    const resumed = JSON.parse(readFileSync(json, 'utf8')) as typeof report;
    // resumed entries come from the state file: same timings, not a second run
    expect(resumed.entries.map((e) => e.seconds)).toEqual(report.entries.map((e) => e.seconds));
  }, 90_000);

  it('refuses a run without --dataset', async () => {
    const run = await cli(['eval']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--dataset is required');
  });
});

describe('tracefix on a JavaScript or TypeScript file', () => {
  // The services the CLI builds must route by language, as the bots' sandbox does: a .js file is never
  // handed to Python.
  const js = 'function largest(xs) {\n  let best = xs[0];\n  for (let i = 1; i < xs.length - 1; i++) {\n    if (xs[i] > best) best = xs[i];\n  }\n  return best;\n}\nconsole.assert(largest([2, 9]) === 9);\nconsole.assert(largest([5, 1, 3]) === 5);\n';

  it('runs and traces a .js file in the JavaScript runner', async () => {
    const path = file('largest.js', js);
    const run = await cli(['run', path]);
    expect(run.err + run.out).not.toMatch(/Python|SyntaxError/);
    expect(run.out).toMatch(/1 passed, 1 failed|1 failed/);
    const trace = await cli(['trace', path]);
    expect(trace.out).toMatch(/\/\/ \(\d+\) xs=\[2, 9\];/);
  }, 60_000);

  it('fixes a .ts file and shows the diff of what was written, types and all', async () => {
    const path = file('largest.ts', js.replace('function largest(xs) {', 'function largest(xs: number[]): number {'));
    const run = await cli(['fix', path]);
    expect(run.out).toContain('+++ b/program.ts');
    expect(run.out).toMatch(/\+\s+for \(let i = 1; i (<= xs\.length - 1|< xs\.length\));/);
    expect(run.out).toContain('function largest(xs: number[]): number {');
  }, 60_000);
});
