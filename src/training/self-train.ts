import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TracefixError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { PromptInput, RepairModel } from '../model/types.ts';
import { exampleKey } from './dataset.ts';
import { createSamplingEvaluator, type ModelEvaluator } from './gate.ts';
import { isFinal, type FineTuneJob, type FineTuneProvider } from './providers/types.ts';
import { FineTuneJobSchema as JobSchema } from './registry.ts';
import { mapLimit, passAt1, promptInputFor, sampleTask, trainingMessages, type SamplingContext } from './sampling.ts';
import { systemClock, type Clock } from './scheduler.ts';
import { loadTasks, splitTasks, type RepairTask } from './tasks.ts';

/**
 * The offline NExT loop (Ni et al. 2024, §3): per iteration, sample rationales + fixes with the current
 * model on the training tasks, keep the samples whose fix passes the hidden tests — from the tasks the
 * model finds hard (estimated pass@1 below a threshold; easy tasks teach little) — fine-tune the BASE
 * model on everything kept so far, evaluate the new model on a dev split, and keep the best model.
 *
 * Every artefact lives in the run folder, and manifest.json is rewritten (atomically) after every
 * step, so `--resume` continues where a crash or Ctrl-C left off: finished tasks are not re-sampled,
 * a submitted job is polled rather than resubmitted, scores are not recomputed.
 *
 *   <run>/manifest.json
 *   <run>/iter-1/samples.jsonl   every sample: task, estimated pass@1, passed, rationale, code
 *   <run>/iter-1/kept.jsonl      the kept examples (task, key) of this iteration
 *   <run>/iter-1/train.jsonl     the chat-format training file submitted (all kept so far)
 */

export interface SelfTrainOptions {
  datasetPath: string;
  runDir: string;
  resume: boolean;
  samples: number;
  iterations: number;
  limit?: number;
  /** Share of tasks held out as the dev split (by task id hash). Default 0.25. */
  devFraction?: number;
  /** Tasks with estimated pass@1 below this contribute examples. Default 0.1 (the paper's choice). */
  hardThreshold?: number;
  /** At most this many distinct passing samples per task and iteration. Default 4. */
  maxPerTask?: number;
  /** Samples per dev task in evaluation (same for every model). Default: `samples`. */
  devSamples?: number;
  baseModel: string;
  /** The model sampled in the first iteration (the configured model). */
  initialModelId: string;
  provider: FineTuneProvider;
  context: SamplingContext;
  modelFor: (modelId: string) => RepairModel;
  evaluator?: ModelEvaluator;
  concurrency?: number;
  pollIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** One line per step, for the CLI. */
  onProgress?: (line: string) => void;
}

const IterationSchema = z.object({
  n: z.number(),
  sampledWith: z.string(),
  status: z.enum(['sampling', 'sampled', 'submitted', 'trained', 'evaluated', 'failed', 'exported']),
  tasksDone: z.array(z.string()),
  hardTasks: z.number(),
  kept: z.number(),
  trainExamples: z.number().optional(),
  job: JobSchema.optional(),
  modelId: z.string().optional(),
  devScore: z.number().optional(),
  error: z.string().optional(),
});
type Iteration = z.infer<typeof IterationSchema>;

const ManifestSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  dataset: z.string(),
  limit: z.number().optional(),
  samples: z.number(),
  devSamples: z.number(),
  iterations: z.number(),
  hardThreshold: z.number(),
  baseModel: z.string(),
  initialModelId: z.string(),
  split: z.object({ train: z.array(z.string()), dev: z.array(z.string()) }),
  baselineDevScore: z.number().optional(),
  best: z.object({ modelId: z.string(), devScore: z.number(), iteration: z.number() }).optional(),
  runs: z.array(IterationSchema),
  finished: z.boolean(),
});
export type SelfTrainManifest = z.infer<typeof ManifestSchema>;

const KeptSchema = z.object({ key: z.string(), taskId: z.string(), messages: z.array(z.object({ role: z.string(), content: z.string() })) });
type Kept = z.infer<typeof KeptSchema>;

async function readJsonl<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  // A line cut by a crash mid-write is dropped: its task is not in tasksDone, so it is sampled again.
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

export async function runSelfTraining(options: SelfTrainOptions): Promise<SelfTrainManifest> {
  const clock = options.clock ?? systemClock;
  const say = (line: string) => options.onProgress?.(line);
  const manifestPath = path.join(options.runDir, 'manifest.json');
  const evaluator =
    options.evaluator ?? createSamplingEvaluator({ context: options.context, modelFor: options.modelFor, concurrency: options.concurrency ?? 2 });
  const tasks = await loadTasks(options.datasetPath, options.limit !== undefined ? { limit: options.limit } : {});
  const byId = new Map(tasks.map((t) => [t.task_id, t]));

  let manifest: SelfTrainManifest;
  let existing: string | undefined;
  try {
    existing = await readFile(manifestPath, 'utf8');
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && !options.resume) {
    throw new TracefixError('bad_input', `${options.runDir} already holds a run; pass --resume to continue it, or choose another --run folder.`);
  }
  if (existing === undefined && options.resume) {
    throw new TracefixError('bad_input', `Nothing to resume: ${manifestPath} does not exist.`);
  }
  if (existing !== undefined) {
    const parsed = ManifestSchema.safeParse(JSON.parse(existing));
    if (!parsed.success) throw new TracefixError('bad_input', `${manifestPath} is not a self-training manifest.`);
    manifest = parsed.data;
    // Iterations may be added on resume (--iterations larger than before).
    manifest.iterations = Math.max(manifest.iterations, options.iterations);
    manifest.finished = false;
    say(`Resuming ${options.runDir}: ${manifest.runs.length} iteration(s) on record.`);
  } else {
    const { train, dev } = splitTasks(tasks, options.devFraction ?? 0.25);
    if (train.length === 0 || dev.length === 0) throw new TracefixError('bad_input', 'Too few tasks to split into training and dev sets; raise --limit.');
    manifest = {
      version: 1,
      createdAt: new Date(clock.now()).toISOString(),
      dataset: path.resolve(options.datasetPath),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      samples: options.samples,
      devSamples: options.devSamples ?? options.samples,
      iterations: options.iterations,
      hardThreshold: options.hardThreshold ?? 0.1,
      baseModel: options.baseModel,
      initialModelId: options.initialModelId,
      split: { train: train.map((t) => t.task_id), dev: dev.map((t) => t.task_id) },
      runs: [],
      finished: false,
    };
  }
  await mkdir(options.runDir, { recursive: true });
  // Tasks are sampled concurrently and each finished task saves: writes are chained, so two never
  // share the temp file, and each is write-then-rename, so a crash leaves the previous manifest.
  let saving: Promise<void> = Promise.resolve();
  const write = async () => {
    const temp = `${manifestPath}.tmp`;
    await writeFile(temp, JSON.stringify(manifest, null, 2) + '\n');
    await rename(temp, manifestPath);
  };
  const save = () => (saving = saving.then(write, write));
  await save();

  const pick = (ids: string[]): RepairTask[] =>
    ids.map((id) => {
      const task = byId.get(id);
      if (!task) throw new TracefixError('bad_input', `Task ${id} of the run is not in ${options.datasetPath} (different --limit?).`);
      return task;
    });
  const trainTasks = pick(manifest.split.train);
  const devTasks = pick(manifest.split.dev);

  if (manifest.baselineDevScore === undefined) {
    say(`Scoring ${manifest.initialModelId} on ${devTasks.length} dev task(s)...`);
    manifest.baselineDevScore = (await evaluator.evaluate(manifest.initialModelId, devTasks, { samples: manifest.devSamples })).score;
    manifest.best = { modelId: manifest.initialModelId, devScore: manifest.baselineDevScore, iteration: 0 };
    await save();
    say(`  dev pass@1 ${manifest.baselineDevScore.toFixed(3)}`);
  }

  const inputs = new Map<string, PromptInput>();
  const inputFor = async (task: RepairTask) => {
    let input = inputs.get(task.task_id);
    if (!input) {
      input = await promptInputFor(options.context, task);
      inputs.set(task.task_id, input);
    }
    return input;
  };

  for (let n = 1; n <= manifest.iterations; n++) {
    let iteration: Iteration | undefined = manifest.runs.find((r) => r.n === n);
    if (iteration && (iteration.status === 'evaluated' || iteration.status === 'exported')) continue;
    if (iteration?.status === 'failed') {
      say(`Iteration ${n} failed before (${iteration.error ?? ''}); stopping. Start a new run to try again.`);
      break;
    }
    const dir = path.join(options.runDir, `iter-${n}`);
    await mkdir(dir, { recursive: true });
    if (!iteration) {
      iteration = { n, sampledWith: manifest.best?.modelId ?? manifest.initialModelId, status: 'sampling', tasksDone: [], hardTasks: 0, kept: 0 };
      manifest.runs.push(iteration);
      await save();
    }
    const current = iteration;

    // 1. sample with the current model; keep passing samples of hard tasks
    if (current.status === 'sampling') {
      const model = options.modelFor(current.sampledWith);
      const todo = trainTasks.filter((t) => !current.tasksDone.includes(t.task_id));
      say(`Iteration ${n}: sampling ${manifest.samples} per task on ${todo.length} training task(s) with ${current.sampledWith}`);
      await mapLimit(todo, options.concurrency ?? 2, async (task) => {
        const sampled = await sampleTask(options.context, model, task, manifest.samples, await inputFor(task));
        const estimate = passAt1(sampled.samples, manifest.samples);
        const hard = estimate < manifest.hardThreshold;
        const lines = sampled.samples.map((s) =>
          JSON.stringify({ taskId: task.task_id, estimate, passed: s.passed, rationale: s.candidate.rationale, code: s.candidate.code }),
        );
        if (lines.length) await appendFile(path.join(dir, 'samples.jsonl'), lines.join('\n') + '\n');
        if (hard) {
          const seen = new Set<string>();
          const kept: Kept[] = [];
          for (const s of sampled.samples) {
            if (!s.passed || kept.length >= (options.maxPerTask ?? 4)) continue;
            const key = exampleKey(task.buggy_solution, s.candidate.code);
            if (seen.has(key)) continue;
            seen.add(key);
            kept.push({ key, taskId: task.task_id, messages: trainingMessages(sampled.input, s.candidate) });
          }
          if (kept.length) await appendFile(path.join(dir, 'kept.jsonl'), kept.map((k) => JSON.stringify(k)).join('\n') + '\n');
          current.kept += kept.length;
          current.hardTasks++;
        }
        current.tasksDone.push(task.task_id);
        await save();
      });
      current.status = 'sampled';
      await save();
      say(`  kept ${current.kept} passing sample(s) from ${current.hardTasks} hard task(s)`);
    }

    // 2. the training file: every example kept in this and earlier iterations (NExT trains the base
    //    model on the union), then the job
    if (current.status === 'sampled') {
      const all = new Map<string, Kept>();
      for (let i = 1; i <= n; i++) for (const k of await readJsonl(path.join(options.runDir, `iter-${i}`, 'kept.jsonl'), KeptSchema)) all.set(k.key, k);
      if (all.size === 0) {
        current.status = 'failed';
        current.error = 'no passing samples on hard tasks: nothing to train on';
        await save();
        say(`  ${current.error}`);
        break;
      }
      const trainPath = path.join(dir, 'train.jsonl');
      await writeFile(trainPath, [...all.values()].map((k) => JSON.stringify({ messages: k.messages })).join('\n') + '\n');
      current.trainExamples = all.size;
      current.job = await options.provider.submit(trainPath, { baseModel: manifest.baseModel, suffix: `selftrain-i${n}` });
      current.status = 'submitted';
      await save();
      say(`  submitted ${all.size} example(s) as job ${current.job.id}`);
    }

    // 3. wait for the job
    if (current.status === 'submitted') {
      const job = current.job as FineTuneJob;
      let status = await options.provider.status(job);
      while (!isFinal(status.state)) {
        await clock.sleep(options.pollIntervalMs ?? 30_000);
        status = await options.provider.status(job);
      }
      if (status.state !== 'succeeded') {
        current.status = 'failed';
        current.error = status.error ?? status.state;
        await save();
        say(`  job ${job.id} ${status.state}: ${current.error}`);
        break;
      }
      if (!status.modelId) {
        current.status = 'exported';
        await save();
        say(`  training file exported (${job.dir ?? ''}); no model to evaluate`);
        continue;
      }
      current.modelId = status.modelId;
      current.status = 'trained';
      await save();
    }

    // 4. evaluate on the dev split; keep the best
    if (current.status === 'trained' && current.modelId) {
      const score = await evaluator.evaluate(current.modelId, devTasks, { samples: manifest.devSamples });
      current.devScore = score.score;
      current.status = 'evaluated';
      if (!manifest.best || score.score >= manifest.best.devScore) manifest.best = { modelId: current.modelId, devScore: score.score, iteration: n };
      await save();
      say(`  ${current.modelId}: dev pass@1 ${score.score.toFixed(3)} (best: ${manifest.best.modelId} ${manifest.best.devScore.toFixed(3)})`);
    }
  }
  manifest.finished = manifest.runs.length >= manifest.iterations && manifest.runs.every((r) => r.status === 'evaluated' || r.status === 'exported');
  await save();
  return manifest;
}
