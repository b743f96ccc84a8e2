/** Repair data sets as JSON Lines (formats: /work/shared/data/README.md). */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { TracefixError } from '../errors.ts';
import type { RepairRequest } from '../repair/types.ts';

export const TaskSchema = z
  .object({
    task_id: z.string().min(1),
    prompt: z.string().default(''),
    buggy_solution: z.string(),
    test: z.string(),
    entry_point: z.string().optional(),
    bug_type: z.string().optional(),
    given_tests: z.array(z.string()).optional(),
    instruction: z.string().optional(),
    source_model: z.string().optional(),
    /** Absent: Python. The JS/TS set (tests/repair/js-bugs) names its language per task. */
    language: z.enum(['python', 'javascript', 'typescript']).optional(),
  })
  .loose();
export type Task = z.infer<typeof TaskSchema>;

export async function loadDataset(path: string): Promise<Task[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TracefixError('bad_input', `Cannot read the data set ${path}.`, { cause: error });
  }
  const tasks: Task[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new TracefixError('bad_input', `Line ${index + 1} of ${path} is not JSON.`, { cause: error });
    }
    const parsed = TaskSchema.safeParse(raw);
    if (!parsed.success) {
      throw new TracefixError('bad_input', `Line ${index + 1} of ${path} is not a repair task: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
    }
    tasks.push(parsed.data);
  }
  return tasks;
}

/**
 * What the engine is shown. A task whose buggy solution is a function body (HumanEvalFix) gets its
 * prompt as the frozen prefix: the signature, docstring and helpers stay as given. A task whose buggy
 * solution is a whole program (mbpp-r) is pasted as is, with only its `given_tests` when it has them.
 */
export function requestFor(task: Task, id: string): RepairRequest {
  const whole = /^\s*(?:def|class|import|from)\s/m.test(task.buggy_solution) && !task.buggy_solution.startsWith(' ');
  const shownTests = task.given_tests ? task.given_tests.join('\n') + '\n' : task.test;
  const request: RepairRequest = {
    id,
    code: task.buggy_solution,
    tests: shownTests,
    origin: { platform: 'eval' },
  };
  if (!whole && task.prompt) request.frozenPrefix = task.prompt;
  if (task.entry_point) request.entryPoint = task.entry_point;
  if (task.language) request.language = task.language;
  return request;
}

/** The program judged on the hidden `test`: the frozen prefix (if any) followed by the fix. */
export function judgedProgram(task: Task, request: RepairRequest, fixedCode: string): string {
  return (request.frozenPrefix ?? '') + fixedCode;
}
