import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { TracefixError } from '../errors.ts';
import type { HeldOutTask } from './dataset.ts';

/**
 * A repair task as the self-training loop and the gate use it: the shape of the shared data sets
 * (mbpp-r.jsonl, humanevalfix-python.jsonl; see /work/shared/data/README.md). The program under repair
 * is `prompt + buggy_solution` for HumanEvalFix (function bodies) and `buggy_solution` alone for
 * Mbpp-R (whole functions); a fix counts when it passes `test`, the hidden tests.
 */
export const RepairTaskSchema = z.looseObject({
  task_id: z.string(),
  prompt: z.string().optional(),
  buggy_solution: z.string(),
  canonical_solution: z.string().optional(),
  test: z.string(),
  given_tests: z.array(z.string()).optional(),
  entry_point: z.string().optional(),
  description: z.string().optional(),
  /** Absent: Python. */
  language: z.enum(['python', 'javascript', 'typescript']).optional(),
});
export type RepairTask = z.infer<typeof RepairTaskSchema>;

/** Mbpp-R solutions are whole functions; HumanEvalFix ones are bodies to append to the signature. */
export function programOf(task: RepairTask): string {
  const whole = task.entry_point !== undefined && new RegExp(`^\\s*def\\s+${task.entry_point}\\s*\\(`, 'm').test(task.buggy_solution);
  return whole || task.prompt === undefined ? task.buggy_solution : task.prompt + task.buggy_solution;
}

/** What the user would have pasted: the visible asserts when the task has them, else the tests. */
export function shownTests(task: RepairTask): string {
  return task.given_tests && task.given_tests.length > 0 ? task.given_tests.join('\n') : task.test;
}

export async function loadTasks(file: string, options: { limit?: number } = {}): Promise<RepairTask[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TracefixError('bad_input', `Cannot read the data set ${file}.`, { cause: error });
  }
  const tasks: RepairTask[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new TracefixError('bad_input', `${file} line ${i + 1} is not JSON.`, { cause: error });
    }
    const parsed = RepairTaskSchema.safeParse(raw);
    if (!parsed.success) throw new TracefixError('bad_input', `${file} line ${i + 1} is not a repair task: ${parsed.error.issues[0]?.message ?? ''}`);
    tasks.push(parsed.data);
    if (options.limit !== undefined && tasks.length >= options.limit) break;
  }
  return tasks;
}

/** Production held-out examples as tasks: the user's tests are both shown and judged. */
export function taskFromHeldOut(task: HeldOutTask): RepairTask {
  const out: RepairTask = { task_id: task.task_id, buggy_solution: task.buggy_solution, test: task.test, canonical_solution: task.reference_fix };
  if (task.entry_point !== undefined) out.entry_point = task.entry_point;
  if (task.description !== undefined) out.description = task.description;
  if (task.language !== undefined) out.language = task.language;
  return out;
}

/** Deterministic split by task id (the same task is always on the same side). */
export function splitTasks(tasks: RepairTask[], devFraction: number): { train: RepairTask[]; dev: RepairTask[] } {
  const dev: RepairTask[] = [];
  const train: RepairTask[] = [];
  for (const task of tasks) {
    let h = 2166136261;
    for (const c of task.task_id) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    (h / 0x1_0000_0000 < devFraction ? dev : train).push(task);
  }
  return { train, dev };
}
