/**
 * Issue 4, done when (b): the offline NExT loop end to end on a 20-task slice of mbpp-r.jsonl, with the
 * real model factory against the scripted chat stand-in, the real process sandbox running the hidden
 * tests, the real openai SDK against the fine-tuning stand-in, and the eval harness scoring the dev split. Deterministic script: the base
 * model gets one sample in sixteen right on even-numbered tasks and nothing right on odd ones; the
 * fine-tuned model answers every task with the canonical solution.
 */
import { MBPP_R, haveDataset } from '../fixtures/shared-data.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { limitsFromConfig } from '../../src/compose.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createRepairModel } from '../../src/model/index.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import { createHarnessEvaluator } from '../../src/training/harness-evaluator.ts';
import { createOpenAIFineTuneProvider } from '../../src/training/providers/index.ts';
import { runSelfTraining, type SelfTrainManifest, type SelfTrainOptions } from '../../src/training/self-train.ts';
import { loadTasks, type RepairTask } from '../../src/training/tasks.ts';
import { startFineTuningStandIn, type FineTuningStandIn } from '../standins/openai-fine-tuning.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../standins/openai-chat.ts';
import { answer, lastUserMessage } from './fixtures.ts';

const DATASET = process.env.MBPP_R ?? MBPP_R;
const available = haveDataset(DATASET, 'offline NExT self-training loop');
const SAMPLES = 16;

// Shared by the tests and never changed by them: the task slice, the scripted chat model, the sandbox
// and the settings. What a test changes (its run folder, the fine-tuning API's files and jobs) is its own.
let dir: string;
let tasks: RepairTask[];
let chat: OpenAIChatStandIn;
let sandbox: Sandbox;
let config: Config;
let fineTuning: FineTuningStandIn;
let runDir: string;
let runs = 0;

beforeAll(async () => {
  if (!available) return;
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-selftrain-'));
  tasks = await loadTasks(DATASET, { limit: 20 });
  chat = await startOpenAIChatStandIn({
    respond: (request) => {
      const prompt = lastUserMessage(request);
      const index = tasks.findIndex((t) => new RegExp(`def ${t.entry_point}\\s*\\(`).test(prompt));
      const task = tasks[index];
      if (!task) return { content: Array.from({ length: request.n }, () => 'no idea') };
      const right = (choice: number) => (request.model?.startsWith('ft:') ? true : index % 2 === 0 && choice === 0);
      return {
        content: Array.from({ length: request.n }, (_, i) =>
          right(i)
            ? answer(`The trace shows ${task.entry_point} returning the wrong value; the canonical computation fixes it.`, task.canonical_solution ?? '')
            : answer('Perhaps it is fine as it is.', task.buggy_solution),
        ),
      };
    },
  });
  // Other sandboxes on this machine share the unprivileged uid's process limit; our own dataset code needs no tight one.
  sandbox = await createSandbox({ backend: 'process', maxProcesses: 1024 });
  config = loadConfig({ DATA_DIR: dir, MODEL_PROVIDER: 'openai', MODEL_NAME: 'base-model', OPENAI_BASE_URL: chat.url, OPENAI_API_KEY: 'k', MODEL_CONCURRENCY: '4' });
});

afterAll(async () => {
  await sandbox?.close();
  await chat?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  if (!available) return;
  fineTuning = await startFineTuningStandIn({ modelId: (job) => `ft:${job.model}:${job.suffix ?? ''}:${job.id}` });
  runs += 1;
  runDir = path.join(dir, `run-${runs}`);
});

afterEach(async () => {
  await fineTuning?.close();
});

function options(overrides: Partial<SelfTrainOptions>): SelfTrainOptions {
  return {
    datasetPath: DATASET,
    runDir,
    resume: false,
    samples: SAMPLES,
    iterations: 1,
    limit: 20,
    baseModel: 'base-model',
    initialModelId: 'base-model',
    provider: createOpenAIFineTuneProvider({ apiKey: 'k', baseUrl: fineTuning.url }),
    context: { sandbox, limits: limitsFromConfig(config), traceTokens: config.repair.traceTokens },
    modelFor: (modelId) => createRepairModel(config.model, { resolveModelId: () => modelId })!,
    // Dev scores through the eval harness: the repair loop (search off) with the model under test.
    devSamples: 2,
    evaluator: createHarnessEvaluator({
      sandbox,
      limits: limitsFromConfig(config),
      taskDeadlineMs: 60_000,
      engineFor: (modelId) =>
        createRepairEngine({
          sandbox,
          model: createRepairModel(config.model, { resolveModelId: () => modelId })!,
          limits: limitsFromConfig(config),
          budget: { search: false, secondRound: false, modelSamples: 2 },
        }),
    }),
    pollIntervalMs: 5,
    ...overrides,
  };
}

describe.runIf(available)('offline NExT self-training loop (mbpp-r, 20 tasks)', () => {
  it('samples, keeps verified fixes of hard tasks, fine-tunes the base model, evaluates, keeps the best', { timeout: 240_000 }, async () => {
    const first = await runSelfTraining(options({}));
    const { train, dev } = first.split;
    expect(train.length + dev.length).toBe(20);
    expect(dev.length).toBeGreaterThan(0);
    const run = first.runs[0]!;
    expect(run.status).toBe('evaluated');
    // Even-numbered training tasks: 1 of 16 right (pass@1 0.0625 < 0.1, hard) → exactly one example each.
    const evenTrain = train.filter((id) => tasks.findIndex((t) => t.task_id === id) % 2 === 0);
    expect(run.kept).toBe(evenTrain.length);
    expect(run.hardTasks).toBe(train.length);
    // The file the fine-tuning API received holds those examples, in chat format, with the NExT trace.
    const uploaded = fineTuning.files[0]!.content.trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    expect(uploaded).toHaveLength(evenTrain.length);
    for (const example of uploaded) expect(example.messages.at(-1)?.role).toBe('assistant');
    // The NExT trace is in the prompt wherever the program ran (one Mbpp-R task's test calls a
    // function the program does not define: nothing of the program executes, so no states).
    const traced = uploaded.filter((e) => /# \(\d+\)/.test(e.messages.at(-2)?.content ?? ''));
    expect(traced.length).toBeGreaterThanOrEqual(uploaded.length * 0.8);
    expect(fineTuning.jobs[0]).toMatchObject({ model: 'base-model', suffix: 'selftrain-i1' });
    // Dev split: the repair loop with the base model fixes only even-numbered tasks (one good sample
    // in two) — at most those: some Mbpp-R tasks pass their visible tests, and the loop has nothing to
    // fix; with the tuned model, every task it can act on.
    const evenDev = dev.filter((id) => tasks.findIndex((t) => t.task_id === id) % 2 === 0);
    expect(first.baselineDevScore).toBeLessThanOrEqual(evenDev.length / dev.length);
    expect(run.devScore).toBeGreaterThan(first.baselineDevScore ?? 1);
    expect(first.best).toMatchObject({ modelId: run.modelId, iteration: 1, devScore: run.devScore });
    expect(first.finished).toBe(true);
    // Every artefact is in the run folder.
    const samples = (await readFile(path.join(runDir, 'iter-1', 'samples.jsonl'), 'utf8')).trim().split('\n');
    // The model layer drops empty and duplicate answers (15 identical wrong samples become one, and
    // an answer identical to the buggy program is no candidate), so lines ≤ tasks × samples.
    expect(samples.length).toBeGreaterThanOrEqual(evenTrain.length);
    expect(samples.length).toBeLessThanOrEqual(train.length * SAMPLES);
    expect(samples.filter((l) => (JSON.parse(l) as { passed: boolean }).passed)).toHaveLength(evenTrain.length);
    const manifest = JSON.parse(await readFile(path.join(runDir, 'manifest.json'), 'utf8')) as SelfTrainManifest;
    expect(manifest.runs[0]?.job?.id).toBe(fineTuning.jobs[0]?.id);
  });

  it('refuses to overwrite a run, and resumes it with more iterations', { timeout: 240_000 }, async () => {
    const first = await runSelfTraining(options({}));
    expect(first.finished).toBe(true);
    await expect(runSelfTraining(options({}))).rejects.toMatchObject({ code: 'bad_input' });
    const jobsBefore = fineTuning.jobs.length;
    expect(jobsBefore).toBe(1);
    const resumed = await runSelfTraining(options({ resume: true, iterations: 2 }));
    // Iteration 1 is not redone; iteration 2 samples with the best model so far (the tuned one),
    // which solves everything, so no task is hard and nothing new is kept — but the union of kept
    // examples is retrained and evaluated.
    expect(fineTuning.jobs.length).toBe(jobsBefore + 1);
    expect(resumed.runs).toHaveLength(2);
    expect(resumed.runs[1]).toMatchObject({ n: 2, sampledWith: first.runs[0]?.modelId, kept: 0, hardTasks: 0, status: 'evaluated' });
    expect(resumed.runs[1]?.trainExamples).toBe(first.runs[0]?.kept);
    expect(resumed.best?.iteration).toBe(2);
  });
});
