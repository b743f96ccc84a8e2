/**
 * The parser and the merge on real programs: every HumanEvalFix task, answered the three ways models
 * answer (the whole program in a fence, only the entry function, no fence at all), must come back as
 * the canonical program; the merged ones are also run against the task's tests with python3.
 * Skipped where the shared data set or python3 is absent (a fresh clone).
 */
import { HUMANEVALFIX, MBPP_R, haveDataset } from '../fixtures/shared-data.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseAnswer } from '../../src/model/parse.ts';
import { splitTopLevel } from '../../src/model/python-source.ts';

const DATA = HUMANEVALFIX;
const MBPP = MBPP_R;
const python = spawnSync('python3', ['--version']).status === 0;
const available = python ? haveDataset(DATA, 'parseAnswer on HumanEvalFix') : false;
if (!python) console.log('[parseAnswer on HumanEvalFix] skipped: python3 is not on this machine');
const mbppAvailable = python && haveDataset(MBPP, 'parseAnswer on MBPP-R');
if (!python) console.log('[parseAnswer on MBPP-R] skipped: python3 is not on this machine');

/** Runs each program followed by its test in one python3 process; returns the ids that failed. */
function failures(programs: { id: string; code: string; test: string }[]): string[] {
  const script = [
    'import json, sys, signal',
    'def alarm(*_):',
    '    raise TimeoutError()',
    'signal.signal(signal.SIGALRM, alarm)',
    'failed = []',
    'for task in json.load(sys.stdin):',
    '    signal.alarm(2)',
    '    try:',
    '        exec(task["code"] + "\\n" + task["test"], {"__name__": "__check__"})',
    '    except TimeoutError:',
    '        pass  # slow on a busy machine (MBPP/123 sums amicable numbers): not a parse fault',
    '    except BaseException as error:',
    '        failed.append(task["id"] + ": " + repr(error)[:80])',
    '    finally:',
    '        signal.alarm(0)',
    'print(json.dumps(failed))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(programs), encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[];
}

interface Task {
  task_id: string;
  prompt: string;
  buggy_solution: string;
  canonical_solution: string;
  test: string;
  entry_point: string;
}

const F = '```';

describe.runIf(available)('parseAnswer on HumanEvalFix programs', () => {
  const tasks = available
    ? readFileSync(DATA, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Task)
    : [];

  it('recovers the fixed program from whole, fragment, unfenced and noisy answers', () => {
    expect(tasks.length).toBe(164);
    const mismatches: string[] = [];
    const toRun: { id: string; code: string; test: string }[] = [];
    for (const task of tasks) {
      const buggy = task.prompt + task.buggy_solution;
      const fixed = (task.prompt + task.canonical_solution).trim();
      const entry = splitTopLevel(fixed).items.find((item) => item.name === task.entry_point);
      if (!entry) {
        mismatches.push(`${task.task_id}: no entry def`);
        continue;
      }
      const answers = {
        whole: `The loop is wrong at step 3.\n\n${F}python\n${fixed}\n${F}\n\nAll tests pass now.`,
        fragment: `Only ${task.entry_point} changes:\n${F}py\n${entry.text}\n${F}`,
        unfenced: `The rationale, in prose.\n\n${fixed}\n\nThat is the fix.`,
        noisy: `The test\n${F}python\n${task.test.trim().split('\n').find((line) => line.includes('assert')) ?? ''}\n${F}\nfails on\n${F}python\n${buggy.trim()}\n${F}\nFixed:\n${F}python3\n${fixed}\n${F}\n`,
      };
      for (const [kind, answer] of Object.entries(answers)) {
        const outcome = analyseAnswer(answer, { program: buggy, entryPoint: task.entry_point });
        const code = outcome.candidate?.code.trim();
        if (code !== fixed) mismatches.push(`${task.task_id} ${kind}: ${outcome.candidate ? 'different code' : (outcome as { reason: string }).reason}`);
        else if (kind === 'fragment') toRun.push({ id: task.task_id, code: outcome.candidate?.code ?? '', test: task.test });
      }
    }
    expect(mismatches).toEqual([]);

    expect(failures(toRun)).toEqual([]);
  }, 120_000);
});

describe.runIf(mbppAvailable)('parseAnswer on MBPP-R programs (LLM-written, several functions)', () => {
  interface MbppTask {
    task_id: string;
    buggy_solution: string;
    canonical_solution: string;
    test: string;
    entry_point: string;
  }
  const tasks = existsSync(MBPP)
    ? readFileSync(MBPP, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as MbppTask)
    : [];

  it('turns whole, fragment and unfenced answers into programs that pass the hidden tests', () => {
    const dropped: string[] = [];
    const programs: { id: string; code: string; test: string }[] = [];
    for (const task of tasks) {
      const fixed = task.canonical_solution.trim();
      const items = splitTopLevel(fixed).items;
      const entry = items.find((item) => item.name === task.entry_point);
      const answers: Record<string, string> = {
        whole: `Because.\n${F}python\n${fixed}\n${F}`,
        unfenced: `Because.\n\n${fixed}\n\nDone.`,
      };
      // "Only the function": fair when the fix needs nothing else but imports.
      if (entry && items.every((item) => item === entry || item.kind === 'import')) {
        const imports = items.filter((item) => item.kind === 'import').map((item) => item.text);
        answers.fragment = `${F}python\n${[...imports, entry.text].join('\n\n')}\n${F}`;
      }
      for (const [kind, answer] of Object.entries(answers)) {
        const outcome = analyseAnswer(answer, { program: task.buggy_solution, entryPoint: task.entry_point });
        if (outcome.candidate) programs.push({ id: `${task.task_id} ${kind}`, code: outcome.candidate.code, test: task.test });
        else dropped.push(`${task.task_id} ${kind}: ${outcome.reason}`);
      }
    }
    expect(dropped).toEqual([]);
    expect(failures(programs)).toEqual([]);
  }, 120_000);
});
