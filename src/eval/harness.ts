/**
 * The evaluation harness, the paper's way: every task through the repair loop, each returned fix judged
 * on the task's full hidden `test` in the sandbox, pass@k from n samples per task (Chen et al. 2021).
 * Results are appended per task to a state file, so an interrupted run resumes where it stopped.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Limits } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { isTracefixError } from '../errors.ts';
import type { FixChoiceOption, RepairService, RepairStatus } from '../repair/types.ts';
import { judgedProgram, requestFor, type Task } from './dataset.ts';
import { meanPassAtK } from './pass-at-k.ts';

export const SampleSchema = z.object({
  status: z.string(),
  /** The returned fix passes the task's hidden test (whatever the status said). */
  fixed: z.boolean(),
  candidates: z.number(),
  seconds: z.number(),
  error: z.string().optional(),
  /** The program the engine returned (frozen prefix excluded), so others can check the verdict. */
  fixedCode: z.string().optional(),
  /**
   * A `not_pinned` answer offers options; the position (0 = the best-ranked one, the returned fix) of the
   * first that passes the hidden test, -1 when none does. A user who picks it gets a right fix.
   */
  rightOption: z.number().int().optional(),
});
export const TaskEntrySchema = z.object({
  task_id: z.string(),
  bug_type: z.string().optional(),
  status: z.string(),
  fixed: z.boolean(),
  /** Samples whose fix passed the hidden test (c of n). */
  correct: z.number().int(),
  samples: z.array(SampleSchema),
  candidates: z.number(),
  seconds: z.number(),
  /** The first sample said `fixed` but its fix fails the hidden test: the answer a user must never get. */
  wrong_but_fixed: z.boolean().default(false),
  /** The first sample said the tests do not pin the fix down. */
  not_pinned: z.boolean().default(false),
  /** The first sample's returned program. */
  fixed_code: z.string().optional(),
  /** The first sample was `not_pinned` and one of its options (this position) passes the hidden test. */
  right_option: z.number().int().optional(),
});
export type TaskEntry = z.infer<typeof TaskEntrySchema>;

export interface EvalOptions {
  engine: RepairService;
  sandbox: Sandbox;
  limits: Limits;
  tasks: Task[];
  /** Runs of the repair loop per task (n of pass@k). */
  samples: number;
  ks: number[];
  /** Per-task deadline. */
  taskDeadlineMs: number;
  /** Append each finished task here (JSON Lines); with `resume`, tasks already in it are skipped. */
  statePath?: string;
  resume?: boolean;
  onTask?: (entry: TaskEntry, done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface EvalReport {
  tasks: number;
  fixed: number;
  fixed_rate: number;
  samples: number;
  /** k -> mean pass@k; k above the samples per task is left out (it cannot be estimated). */
  pass_at_k: Record<string, number>;
  candidates_per_task: number;
  median_seconds: number;
  median_seconds_fixed: number | null;
  /** Tasks answered `fixed` whose fix fails the hidden test. */
  wrongButFixed: number;
  /** Tasks answered `not_pinned` (a question to the user, not a claim). */
  notPinned: number;
  /** `not_pinned` answers with a right fix among the options offered (the best-ranked one or another). */
  rightAmongOptions: number;
  by_bug_type?: Record<string, { tasks: number; fixed: number; wrongButFixed: number; notPinned: number }>;
  entries: TaskEntry[];
}

export function median(values: number[]): number {
  if (!values.length) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * A task's key in the state file: its id and which occurrence of that id it is, since a data set may
 * hold several buggy programs under one id (Mbpp-R does) and entries are appended in task order.
 */
function occurrenceKeys(ids: string[]): string[] {
  const seen = new Map<string, number>();
  return ids.map((id) => {
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return `${id}#${n}`;
  });
}

async function readState(path: string): Promise<Map<string, TaskEntry>> {
  const done = new Map<string, TaskEntry>();
  const entries: TaskEntry[] = [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return done;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = TaskEntrySchema.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      // a line cut by the interruption: that task runs again
    }
  }
  const keys = occurrenceKeys(entries.map((e) => e.task_id));
  entries.forEach((e, i) => done.set(keys[i]!, e));
  return done;
}

/** Does the fix pass the task's full hidden test? */
export async function judge(sandbox: Sandbox, limits: Limits, task: Task, program: string, signal?: AbortSignal): Promise<boolean> {
  const response = await sandbox.execute(
    {
      mode: 'test',
      programs: [{ id: 'fix', source: program }],
      tests: task.test,
      limits,
      ...(task.entry_point ? { entryPoint: task.entry_point } : {}),
      ...(task.language ? { language: task.language } : {}),
    },
    signal ? { signal } : {},
  );
  const report = response.programs[0];
  return Boolean(report && !report.compileError && report.results.length > 0 && report.results.every((r) => r.status === 'passed'));
}

export function summarise(entries: TaskEntry[], samples: number, ks: number[]): EvalReport {
  const pass: Record<string, number> = {};
  for (const k of ks) {
    if (k <= samples) pass[String(k)] = meanPassAtK(entries.map((e) => [e.samples.length, Math.min(e.correct, e.samples.length)] as const), k);
  }
  const fixed = entries.filter((e) => e.fixed).length;
  const report: EvalReport = {
    tasks: entries.length,
    fixed,
    fixed_rate: entries.length ? fixed / entries.length : 0,
    samples,
    pass_at_k: pass,
    candidates_per_task: entries.length ? entries.reduce((s, e) => s + e.candidates, 0) / entries.length : 0,
    median_seconds: median(entries.map((e) => e.seconds)),
    median_seconds_fixed: entries.some((e) => e.fixed) ? median(entries.filter((e) => e.fixed).map((e) => e.seconds)) : null,
    wrongButFixed: entries.filter((e) => e.wrong_but_fixed).length,
    notPinned: entries.filter((e) => e.not_pinned).length,
    rightAmongOptions: entries.filter((e) => e.not_pinned && e.right_option !== undefined && e.right_option >= 0).length,
    entries,
  };
  if (entries.some((e) => e.bug_type)) {
    const by: NonNullable<EvalReport['by_bug_type']> = {};
    for (const e of entries) {
      const key = e.bug_type ?? 'unknown';
      const slot = (by[key] ??= { tasks: 0, fixed: 0, wrongButFixed: 0, notPinned: 0 });
      slot.tasks++;
      if (e.fixed) slot.fixed++;
      if (e.wrong_but_fixed) slot.wrongButFixed++;
      if (e.not_pinned) slot.notPinned++;
    }
    report.by_bug_type = by;
  }
  return report;
}

/** Our faults that pass (a sandbox that could not start while the machine is busy) are retried. */
function retryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** Which offered option (first position) passes the hidden test; -1 when none does. */
async function firstRightOption(
  options: EvalOptions,
  task: Task,
  request: ReturnType<typeof requestFor>,
  offered: FixChoiceOption[],
  bestIsRight: boolean,
): Promise<number> {
  if (bestIsRight) return 0;
  for (let i = 1; i < offered.length; i++) {
    if (await judge(options.sandbox, options.limits, task, judgedProgram(task, request, offered[i]!.fixedCode), options.signal)) return i;
  }
  return -1;
}

async function sampleWithRetry(options: EvalOptions, task: Task, s: number): Promise<TaskEntry['samples'][number]> {
  const { engine, sandbox, limits } = options;
  let sample: TaskEntry['samples'][number] = { status: 'error', fixed: false, candidates: 0, seconds: 0 };
  for (let attempt = 0; attempt < 3; attempt++) {
    const request = requestFor(task, `${task.task_id}#${s}`);
    const started = performance.now();
    let status: RepairStatus | 'error' = 'error';
    let fixed = false;
    let candidates = 0;
    let fixedCode: string | undefined;
    let rightOption: number | undefined;
    let error: unknown;
    try {
      const result = await engine.run(request, {
        deadline: Date.now() + options.taskDeadlineMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      status = result.status;
      candidates = result.candidates.tried;
      // not_pinned returns its best-ranked option as the fix: it is judged like any other returned fix
      if ((result.status === 'fixed' || result.status === 'partly_fixed' || result.status === 'not_pinned') && result.fixedCode !== undefined) {
        fixedCode = result.fixedCode;
        fixed = await judge(sandbox, limits, task, judgedProgram(task, request, result.fixedCode), options.signal);
        if (result.status === 'not_pinned' && result.choice) rightOption = await firstRightOption(options, task, request, result.choice.options, fixed);
      }
    } catch (e) {
      error = e;
    }
    sample = {
      status,
      fixed,
      candidates,
      seconds: (performance.now() - started) / 1000,
      ...(fixedCode === undefined ? {} : { fixedCode }),
      ...(rightOption === undefined ? {} : { rightOption }),
    };
    if (error === undefined) return sample;
    sample.error = isTracefixError(error) ? `${error.code}: ${error.userMessage}` : error instanceof Error ? error.message : JSON.stringify(error);
    if (!retryable(error) || options.signal?.aborted) return sample;
    await new Promise((resolve) => setTimeout(resolve, 2000 * (attempt + 1)));
  }
  return sample;
}

export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const { tasks, samples } = options;
  const previous = options.statePath && options.resume ? await readState(options.statePath) : new Map<string, TaskEntry>();
  const entries: TaskEntry[] = [];
  const keys = occurrenceKeys(tasks.map((t) => t.task_id));
  let done = 0;
  for (const [index, task] of tasks.entries()) {
    if (options.signal?.aborted) break;
    const prior = previous.get(keys[index]!);
    // a task that ended in our own error runs again on resume
    if (prior && prior.status !== 'error') {
      entries.push(prior);
      options.onTask?.(prior, ++done, tasks.length);
      continue;
    }
    const runs: TaskEntry['samples'] = [];
    for (let s = 0; s < samples; s++) {
      runs.push(await sampleWithRetry(options, task, s));
    }
    const correct = runs.filter((r) => r.fixed).length;
    const entry: TaskEntry = {
      task_id: task.task_id,
      status: runs[0]?.status ?? 'error',
      fixed: runs[0]?.fixed ?? false,
      correct,
      samples: runs,
      candidates: runs.reduce((s, r) => s + r.candidates, 0) / Math.max(1, runs.length),
      seconds: runs.reduce((s, r) => s + r.seconds, 0) / Math.max(1, runs.length),
      wrong_but_fixed: runs[0]?.status === 'fixed' && !runs[0].fixed,
      not_pinned: runs[0]?.status === 'not_pinned',
      ...(runs[0]?.fixedCode === undefined ? {} : { fixed_code: runs[0].fixedCode }),
      ...(runs[0]?.rightOption === undefined ? {} : { right_option: runs[0].rightOption }),
    };
    if (task.bug_type) entry.bug_type = task.bug_type;
    entries.push(entry);
    if (options.statePath) await appendFile(options.statePath, JSON.stringify(entry) + '\n');
    options.onTask?.(entry, ++done, tasks.length);
  }
  return summarise(entries, samples, options.ks);
}
