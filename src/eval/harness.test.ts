/**
 * The evaluation harness on a real sandbox (process backend) and the real engine: a returned fix is
 * judged on the hidden test, and the report tells claimed-but-wrong fixes and unpinned answers apart.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { DEFAULT_LIMITS } from '../../sandbox/protocol.ts';
import { formatReport } from '../cli/commands/eval.ts';
import { createRepairEngine } from '../repair/index.ts';
import type { Task } from './dataset.ts';
import { runEval, summarise, type TaskEntry } from './harness.ts';

const entry = (over: Partial<TaskEntry>): TaskEntry => ({
  task_id: 't',
  status: 'fixed',
  fixed: true,
  correct: 1,
  samples: [{ status: over.status ?? 'fixed', fixed: over.fixed ?? true, candidates: 1, seconds: 1 }],
  candidates: 1,
  seconds: 1,
  wrong_but_fixed: false,
  not_pinned: false,
  ...over,
});

describe('summarise', () => {
  it('counts wrong-but-fixed and not-pinned answers, overall and per bug type', () => {
    const report = summarise(
      [
        entry({ task_id: 'a', bug_type: 'operator misuse' }),
        entry({ task_id: 'b', bug_type: 'operator misuse', fixed: false, correct: 0, wrong_but_fixed: true }),
        entry({ task_id: 'c', bug_type: 'missing logic', status: 'not_pinned', fixed: false, correct: 0, not_pinned: true }),
      ],
      1,
      [1],
    );
    expect(report).toMatchObject({ tasks: 3, fixed: 1, wrongButFixed: 1, notPinned: 1 });
    expect(report.by_bug_type).toEqual({
      'operator misuse': { tasks: 2, fixed: 1, wrongButFixed: 1, notPinned: 0 },
      'missing logic': { tasks: 1, fixed: 0, wrongButFixed: 0, notPinned: 1 },
    });
    const text = formatReport(report, 'label');
    expect(text).toMatch(/wrong but "fixed"\s+1 \(33\.3%\)/);
    expect(text).toMatch(/not pinned\s+1 \(33\.3%\)/);
  });
});

describe('runEval (process sandbox, offline search)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ backend: 'process' });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('judges returned fixes on the hidden test and keeps the returned programs', async () => {
    const tasks: Task[] = [
      {
        // the shown asserts pin `x * 2`; the hidden test wants something else: a claimed fix that is wrong
        task_id: 'wrong',
        prompt: '',
        buggy_solution: 'def double(x):\n    return x + 2\n',
        given_tests: ['assert double(2) == 4', 'assert double(0) == 0', 'assert double(5) == 10', 'assert double(-3) == -6'],
        test: 'def check(candidate):\n    assert candidate(3) == 7\n\ncheck(double)\n',
        entry_point: 'double',
      },
      {
        task_id: 'leap',
        prompt: '',
        buggy_solution: 'def is_leap(year):\n    return year % 4 == 0 or year % 100 != 0 or year % 400 == 0\n',
        given_tests: ['assert is_leap(2000) == True', 'assert is_leap(1900) == False', 'assert is_leap(2024) == True'],
        test: 'def check(candidate):\n    assert candidate(2001) is False\n    assert candidate(1900) is False\n    assert candidate(2000) is True\n\ncheck(is_leap)\n',
        entry_point: 'is_leap',
      },
    ];
    const engine = createRepairEngine({ sandbox, budget: { searchMs: 6000 } });
    const report = await runEval({ engine, sandbox, limits: DEFAULT_LIMITS, tasks, samples: 1, ks: [1], taskDeadlineMs: 60_000 });
    const [wrong, leap] = report.entries;
    expect(wrong).toMatchObject({ status: 'fixed', fixed: false, wrong_but_fixed: true, not_pinned: false });
    expect(wrong!.fixed_code).toMatch(/def double\(x\):/);
    expect(leap).toMatchObject({ status: 'not_pinned', not_pinned: true, wrong_but_fixed: false });
    expect(leap!.fixed_code).toContain('def is_leap(year):');
    expect(report.wrongButFixed).toBe(1);
    expect(report.notPinned).toBe(1);
    // the leap answer asks; whether or not its first option is the right rule, one of its options is
    expect(leap!.right_option).toBeGreaterThanOrEqual(0);
    expect(leap!.right_option === 0).toBe(leap!.fixed);
    expect(report.rightAmongOptions).toBe(1);
  }, 120_000);

  it('records -1 when no option offered passes the hidden test', async () => {
    const tasks: Task[] = [
      {
        task_id: 'leap-unreachable',
        prompt: '',
        buggy_solution: 'def is_leap(year):\n    return year % 4 == 0 or year % 100 != 0 or year % 400 == 0\n',
        given_tests: ['assert is_leap(2000) == True', 'assert is_leap(1900) == False', 'assert is_leap(2024) == True'],
        test: 'def check(candidate):\n    assert candidate(2001) == "no rule returns this"\n\ncheck(is_leap)\n',
        entry_point: 'is_leap',
      },
    ];
    const engine = createRepairEngine({ sandbox, budget: { searchMs: 6000 } });
    const report = await runEval({ engine, sandbox, limits: DEFAULT_LIMITS, tasks, samples: 1, ks: [1], taskDeadlineMs: 60_000 });
    expect(report.entries[0]).toMatchObject({ status: 'not_pinned', fixed: false, right_option: -1 });
    expect(report.rightAmongOptions).toBe(0);
  }, 120_000);

  it('resumes a data set that holds several programs under one id, each from its own state line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracefix-eval-'));
    const statePath = join(dir, 'state.jsonl');
    const task = (body: string): Task => ({
      task_id: 'MBPP/1',
      prompt: '',
      buggy_solution: `def f(x):\n    return ${body}\n`,
      given_tests: ['assert f(1) == 1'],
      test: 'def check(candidate):\n    assert candidate(1) == 1\n\ncheck(f)\n',
      entry_point: 'f',
    });
    // both pass their shown test: nothing to fix, and quick
    const tasks = [task('x'), task('x * x')];
    const engine = createRepairEngine({ sandbox, budget: { searchMs: 6000 } });
    const first = await runEval({ engine, sandbox, limits: DEFAULT_LIMITS, tasks: tasks.slice(0, 1), samples: 1, ks: [1], taskDeadlineMs: 60_000, statePath });
    expect(first.entries).toHaveLength(1);
    const resumed = await runEval({ engine, sandbox, limits: DEFAULT_LIMITS, tasks, samples: 1, ks: [1], taskDeadlineMs: 60_000, statePath, resume: true });
    expect(resumed.entries).toHaveLength(2);
    // the first came from the state file (same timing); the second ran, rather than reusing the first's line
    expect(resumed.entries[0]!.seconds).toBe(first.entries[0]!.seconds);
    expect(resumed.entries[1]!.seconds).not.toBe(first.entries[0]!.seconds);
    expect(readFileSync(statePath, 'utf8').trim().split('\n')).toHaveLength(2);
  }, 120_000);
});
