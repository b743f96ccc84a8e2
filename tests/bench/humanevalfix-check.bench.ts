/**
 * HumanEvalFix through the real backends (`npm run bench humanevalfix`): on all 164 tasks every
 * canonical solution must pass its tests and every buggy one must fail, through `pyodide` and
 * `process`, in under 3 minutes per backend; and trace mode must return a rendered trace for every
 * buggy solution's failing test. tests/contract/humanevalfix-sample.test.ts checks a sample in CI.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_LIMITS, type Limits } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { ProcessSandbox } from '../../sandbox/process/index.ts';
import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import { renderInline } from '../../src/trace/index.ts';
import type { Print } from './stats.ts';

export { HUMANEVALFIX } from '../fixtures/shared-data.ts';
import { HUMANEVALFIX } from '../fixtures/shared-data.ts';

const TaskSchema = z.object({
  task_id: z.string(),
  prompt: z.string(),
  canonical_solution: z.string(),
  buggy_solution: z.string(),
  test: z.string(),
  entry_point: z.string(),
});
export type Task = z.infer<typeof TaskSchema>;

export function loadTasks(path = HUMANEVALFIX): Task[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => TaskSchema.parse(JSON.parse(line)));
}

const limits: Limits = { ...DEFAULT_LIMITS, totalTimeoutMs: 120_000 };

export interface TaskOutcome {
  task: string;
  canonicalPasses: boolean;
  buggyFails: boolean;
  traced: boolean;
  note?: string;
}

/** Both programs of a task in one request, as src/repair screens candidates; then the buggy one's trace. */
export async function checkTask(sandbox: Sandbox, task: Task, trace: boolean): Promise<TaskOutcome> {
  const buggy = task.prompt + task.buggy_solution;
  const response = await sandbox.execute({
    mode: 'test',
    programs: [
      { id: 'canonical', source: task.prompt + task.canonical_solution },
      { id: 'buggy', source: buggy },
    ],
    tests: task.test,
    entryPoint: task.entry_point,
    stopOnFirstFailure: true,
    limits,
  });
  const canonical = response.programs.find((p) => p.id === 'canonical')?.results ?? [];
  const buggyResults = response.programs.find((p) => p.id === 'buggy')?.results ?? [];
  const canonicalPasses = canonical.length > 0 && canonical.every((r) => r.status === 'passed');
  const failing = buggyResults.find((r) => r.status !== 'passed');
  const outcome: TaskOutcome = { task: task.task_id, canonicalPasses, buggyFails: failing !== undefined, traced: false };
  if (!canonicalPasses) {
    const bad = canonical.find((r) => r.status !== 'passed');
    outcome.note = `canonical ${bad?.status ?? 'no results'}${bad?.error ? ` ${bad.error.type}: ${bad.error.message.slice(0, 80)}` : ''}`;
  }
  if (trace && failing) {
    const traced = await sandbox.execute({
      mode: 'trace',
      program: { id: 'buggy', source: buggy },
      testId: failing.test,
      tests: task.test,
      entryPoint: task.entry_point,
      limits,
    });
    outcome.traced = traced.trace !== undefined && renderInline(traced.trace, buggy, { tokenBudget: 1_500 }).text.length > 0;
  }
  return outcome;
}

/** Runs tasks `concurrency` at a time (one per warm runner / core). */
export async function checkAll(sandbox: Sandbox, tasks: Task[], trace: boolean, concurrency: number): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = new Array<TaskOutcome>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < tasks.length; i = next++) outcomes[i] = await checkTask(sandbox, tasks[i] as Task, trace);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

export async function bench(print: Print): Promise<void> {
  const tasks = loadTasks();
  const backends: [string, () => Promise<Sandbox>][] = [
    [
      'pyodide',
      async () => {
        const s = new PyodideSandbox({ poolSize: 2 });
        await s.ready(2);
        return s;
      },
    ],
    ['process', () => Promise.resolve(new ProcessSandbox())],
  ];
  for (const [name, make] of backends) {
    const sandbox = await make();
    try {
      const started = performance.now();
      const outcomes = await checkAll(sandbox, tasks, false, 2);
      const testMs = performance.now() - started;
      const tracedStart = performance.now();
      const traced = await checkAll(sandbox, tasks, true, 2);
      const traceMs = performance.now() - tracedStart;
      const canonical = outcomes.filter((o) => o.canonicalPasses).length;
      const buggy = outcomes.filter((o) => o.buggyFails).length;
      const rendered = traced.filter((o) => o.traced).length;
      print(
        `${name.padEnd(8)} canonical pass ${canonical}/${tasks.length}, buggy fail ${buggy}/${tasks.length} in ${(testMs / 1000).toFixed(1)} s (target < 180 s); ` +
          `with a rendered trace of every buggy failure: ${rendered}/${buggy} in ${(traceMs / 1000).toFixed(1)} s`,
      );
      for (const o of outcomes.filter((x) => !x.canonicalPasses || !x.buggyFails)) {
        print(`  ${name} ${o.task}: ${o.canonicalPasses ? '' : o.note ?? 'canonical does not pass'}${o.buggyFails ? '' : ' buggy does not fail'}`);
      }
    } finally {
      await sandbox.close();
    }
  }
}
