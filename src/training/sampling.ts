import { isSandboxError, type Limits, type RunnerRequest, type RunnerResponse, type Sandbox, type TestResult } from '../../sandbox/index.ts';
import { promptFor, trainingMessages as modelTrainingMessages, type ChatMessage } from '../model/prompt.ts';
import type { Candidate, PromptInput, RepairModel } from '../model/types.ts';
import { renderInline } from '../trace/index.ts';
import { programOf, shownTests, type RepairTask } from './tasks.ts';

/**
 * NExT's sampling step, shared by the offline self-training loop and the evaluation gate: build the
 * trace-grounded prompt for a task (run the shown tests on the buggy program, trace the first failing
 * one, render it inline), draw k rationale+fix samples from a model, and keep the samples whose fix
 * passes the task's hidden tests (all candidates in one batched sandbox call).
 */

export interface SamplingContext {
  sandbox: Sandbox;
  limits: Limits;
  /** Token budget of the rendered trace (config.repair.traceTokens). */
  traceTokens: number;
}

export interface TaskSample {
  candidate: Candidate;
  passed: boolean;
}

export interface TaskSampling {
  taskId: string;
  input: PromptInput;
  samples: TaskSample[];
}

function passedAll(response: RunnerResponse, programId: string): boolean {
  const report = response.programs.find((p) => p.id === programId);
  return !!report && report.compileError === null && report.results.length > 0 && report.results.every((r) => r.status === 'passed');
}

/**
 * A self-training run makes thousands of sandbox calls over hours; a transient failure to start a
 * runner (process limits under load, a busy machine) should cost a retry, not the run.
 */
async function execute(ctx: SamplingContext, request: RunnerRequest): Promise<RunnerResponse> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.sandbox.execute(request);
    } catch (error) {
      const transient = isSandboxError(error) && (error.code === 'sandbox_unavailable' || error.retryable);
      if (!transient || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 400 * attempt));
    }
  }
}

/** The failure line as the repair engine words it, so sampled prompts match production prompts. */
function detailOf(result: TestResult): string {
  if (result.status === 'timeout') return 'did not finish in time (an endless loop?)';
  if (result.status === 'failed' && (result.expected !== undefined || result.actual !== undefined)) {
    return `expected ${result.expected ?? '?'}, got ${result.actual ?? '?'}`;
  }
  if (result.error) return `${result.error.type}: ${result.error.message}${result.error.line ? ` (line ${result.error.line})` : ''}`.slice(0, 200);
  return result.status;
}

/** Which of `programs` pass every hidden test of the task. */
export async function passesHidden(ctx: SamplingContext, task: RepairTask, programs: string[]): Promise<boolean[]> {
  if (programs.length === 0) return [];
  const response = await execute(ctx, {
    mode: 'test',
    programs: programs.map((source, i) => ({ id: `p${i}`, source })),
    tests: task.test,
    ...(task.entry_point !== undefined ? { entryPoint: task.entry_point } : {}),
    ...(task.language !== undefined ? { language: task.language } : {}),
    stopOnFirstFailure: true,
    limits: ctx.limits,
  });
  return programs.map((_, i) => passedAll(response, `p${i}`));
}

/** The prompt inputs the engine would build for this task: shown tests, failures, NExT trace. */
export async function promptInputFor(ctx: SamplingContext, task: RepairTask): Promise<PromptInput> {
  const program = programOf(task);
  let tests = shownTests(task);
  const common = {
    tests,
    ...(task.entry_point !== undefined ? { entryPoint: task.entry_point } : {}),
    ...(task.language !== undefined ? { language: task.language } : {}),
    limits: ctx.limits,
  };
  let run = await execute(ctx, { mode: 'test', programs: [{ id: 'buggy', source: program }], ...common });
  const allPass = (r: RunnerResponse) => !r.programs[0]?.compileError && (r.programs[0]?.results ?? []).every((x) => x.status === 'passed');
  if (allPass(run) && tests !== task.test) {
    // The visible tests pass and only hidden ones fail (121 of Mbpp-R's 640 tasks): NExT's prompt
    // needs a failing execution to reason about, so show the hidden tests for this task.
    tests = task.test;
    common.tests = tests;
    run = await execute(ctx, { mode: 'test', programs: [{ id: 'buggy', source: program }], ...common });
  }
  const report = run.programs[0];
  const names = new Map(run.tests.map((t) => [t.id, t.name]));
  const failures = (report?.results ?? [])
    .filter((r) => r.status !== 'passed')
    .map((r) => `${names.get(r.test) ?? r.test}: ${detailOf(r)}`);
  if (report?.compileError) failures.unshift(`${report.compileError.type}: ${report.compileError.message}`);
  const input: PromptInput = { program, tests, failures, ...(task.language !== undefined ? { language: task.language } : {}) };
  if (task.description !== undefined) input.description = task.description;
  const failing = report?.results.find((r) => r.status !== 'passed');
  if (failing && !report?.compileError) {
    const traced = await execute(ctx, { mode: 'trace', program: { id: 'buggy', source: program }, testId: failing.test, ...common });
    if (traced.trace) input.trace = renderInline(traced.trace, program, { tokenBudget: ctx.traceTokens, ...(task.language ? { language: task.language } : {}) }).text;
  }
  return input;
}

export async function sampleTask(ctx: SamplingContext, model: RepairModel, task: RepairTask, k: number, input?: PromptInput): Promise<TaskSampling> {
  const prompt = input ?? (await promptInputFor(ctx, task));
  // LangChain models take the entry point (which function the tests call) as an extra option.
  const options: { signal?: AbortSignal; entryPoint?: string } = task.entry_point !== undefined ? { entryPoint: task.entry_point } : {};
  const candidates = await model.propose(prompt, k, options);
  const passed = await passesHidden(ctx, task, candidates.map((c) => c.code));
  return { taskId: task.task_id, input: prompt, samples: candidates.map((candidate, i) => ({ candidate, passed: passed[i] ?? false })) };
}

/** Unbiased pass@1 estimate from c passing of n samples (Chen et al. 2021): c / n; 0 without samples. */
export function passAt1(samples: TaskSample[], k: number): number {
  // Samples a model failed to produce (malformed answers) count as failures: divide by k asked.
  const n = Math.max(k, samples.length);
  return n === 0 ? 0 : samples.filter((s) => s.passed).length / n;
}

/**
 * The exact messages createRepairModel sends (exemplars included, its default), then the answer in the
 * prompt's own format, so a tuned model is trained on what it will be asked.
 */
export function trainingMessages(input: PromptInput, candidate: Candidate): ChatMessage[] {
  return modelTrainingMessages(input, candidate, promptFor(input.language), { exemplars: true });
}

/** Runs `work` over items with at most `limit` at once, results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(runners);
  return results;
}
