import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import type { Logger } from '../log.ts';
import { TracefixError } from '../errors.ts';
import type { KeyvFeedbackStore } from '../feedback/store.ts';
import { redisOptionsFromUrl } from '../queue/bull.ts';
import { parseInterval, parseSchedule, type Schedule } from './cron.ts';
import { buildDataset, summariseBuild, writeDataset } from './dataset.ts';
import { runGate, type ModelEvaluator } from './gate.ts';
import { createInProcessLock, createRedisLock, type TrainingLock } from './lock.ts';
import { isFinal, type FineTuneProvider } from './providers/types.ts';
import type { ModelRegistry, ModelVersion } from './registry.ts';
import { taskFromHeldOut, type RepairTask } from './tasks.ts';

/** Time, injectable: tests drive the scheduler and the job polling without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  setTimer(callback: () => void, ms: number): { cancel(): void };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  setTimer(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

export interface TrainingRunDeps {
  store: KeyvFeedbackStore;
  registry: ModelRegistry;
  provider: FineTuneProvider;
  /** Needed to gate a trained model; without it a trained model is recorded but never promoted. */
  evaluator?: ModelEvaluator;
  baseModel: string;
  /** The model bots use when nothing was promoted yet (config.model.name). */
  defaultModelId: string;
  minExamples: number;
  /** Samples per task in the gate, the same for both models. */
  gateSamples: number;
  /** Extra gate tasks (TRAINING_EVAL_DATASET), on top of the production held-out slice. */
  evalTasks?: RepairTask[];
  /** Run folders go under <dataDir>/training/runs/. */
  dataDir: string;
  heldOutFraction?: number;
  pollIntervalMs?: number;
  /** Give up on a job after this long (default 48 h) and cancel it. */
  jobTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export type RunOutcome =
  | { kind: 'waiting'; newExamples: number; minExamples: number }
  | { kind: 'failed'; version: ModelVersion }
  | { kind: 'exported'; version: ModelVersion }
  | { kind: 'promoted'; version: ModelVersion }
  | { kind: 'rejected'; version: ModelVersion };

/**
 * One scheduled run: enough new examples? build the dataset, submit the job, poll it, gate the
 * result, promote or not. Every decision lands in the registry. A run that finds a job still in
 * flight (the process restarted mid-run) resumes polling it instead of starting another.
 * The caller holds the training lock.
 */
export async function runTrainingOnce(deps: TrainingRunDeps): Promise<RunOutcome> {
  const clock = deps.clock ?? systemClock;
  const log = deps.logger;
  await deps.store.prune();
  const state = await deps.registry.state();
  const inFlight = (await deps.registry.history()).find((v) => v.status === 'training' && v.job);
  let version: ModelVersion;
  let heldOutTasks: RepairTask[];
  let cursor: string | undefined;

  if (inFlight) {
    version = inFlight;
    cursor = inFlight.datasetCursor;
    const full = await buildDataset(deps.store, { heldOutFraction: deps.heldOutFraction ?? 0.1 });
    heldOutTasks = full.heldOut.map((e) => taskFromHeldOut(e.task));
    log?.info({ version: version.id, job: version.job?.id }, 'training: resuming a job in flight');
  } else {
    const fresh = await buildDataset(deps.store, { cursor: state.cursor, heldOutFraction: deps.heldOutFraction ?? 0.1 });
    const newExamples = fresh.train.length + fresh.heldOut.length;
    if (newExamples < deps.minExamples) {
      await deps.registry.setState({ ...state, lastRunAt: clock.now(), lastOutcome: `waiting: ${newExamples} of ${deps.minExamples} new examples` });
      log?.info({ newExamples, minExamples: deps.minExamples }, 'training: not enough new examples yet');
      return { kind: 'waiting', newExamples, minExamples: deps.minExamples };
    }
    cursor = fresh.cursor;
    // Each job fine-tunes the base model on every kept example so far (NExT retrains from the base
    // model each iteration), not only the new ones.
    const full = await buildDataset(deps.store, { heldOutFraction: deps.heldOutFraction ?? 0.1 });
    heldOutTasks = full.heldOut.map((e) => taskFromHeldOut(e.task));
    const id = `run-${new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(2).toString('hex')}`;
    const dir = path.join(deps.dataDir, 'training', 'runs', id);
    await mkdir(dir, { recursive: true });
    const written = await writeDataset(full, path.join(dir, 'train.jsonl'));
    log?.info({ run: id, summary: summariseBuild(full) }, 'training: dataset built');
    const job = await deps.provider.submit(written.trainPath, { baseModel: deps.baseModel, suffix: `tracefix-${id.slice(4, 17)}` });
    version = {
      id,
      baseModel: deps.baseModel,
      provider: deps.provider.name,
      job,
      examples: full.train.length,
      heldOut: full.heldOut.length,
      datasetPath: written.trainPath,
      ...(cursor !== undefined ? { datasetCursor: cursor } : {}),
      createdAt: clock.now(),
      status: 'training',
    };
    await deps.registry.save(version);
    // The cursor moves only when the job succeeds: after a failure the same examples count again.
    await deps.registry.setState({ ...state, lastRunAt: clock.now(), lastOutcome: `submitted ${job.id}` });
  }

  const job = version.job!;
  const deadline = job.submittedAt + (deps.jobTimeoutMs ?? 48 * 3_600_000);
  let status = await deps.provider.status(job);
  let reported: number | undefined;
  while (!isFinal(status.state)) {
    if (clock.now() > deadline) {
      await deps.provider.cancel(job);
      status = { state: 'failed', error: 'job took longer than the training timeout; cancelled' };
      break;
    }
    await clock.sleep(deps.pollIntervalMs ?? 30_000);
    status = await deps.provider.status(job);
    const step = status.progress;
    if (step && step.step !== reported) {
      reported = step.step;
      log?.info({ run: version.id, job: job.id, step: step.step, steps: step.steps, loss: step.loss }, 'training: progress');
    }
  }

  const finish = async (v: ModelVersion, outcome: string, advance: boolean) => {
    await deps.registry.save(v);
    const current = await deps.registry.state();
    await deps.registry.setState({ ...current, ...(advance && cursor !== undefined ? { cursor } : {}), lastRunAt: clock.now(), lastOutcome: outcome });
  };

  if (status.state !== 'succeeded') {
    version = { ...version, status: status.state === 'cancelled' ? 'cancelled' : 'failed', decidedAt: clock.now(), reason: status.error ?? status.state };
    await finish(version, `${version.status}: ${version.reason ?? ''}`, false);
    log?.warn({ run: version.id, job: job.id, reason: version.reason }, 'training: job did not succeed');
    return { kind: 'failed', version };
  }
  if (!status.modelId) {
    version = { ...version, status: 'exported', decidedAt: clock.now(), reason: `dataset exported to ${job.dir ?? 'the export folder'}; nothing trained` };
    await finish(version, 'exported', true);
    return { kind: 'exported', version };
  }
  version = { ...version, modelId: status.modelId, status: 'evaluating' };
  await deps.registry.save(version);
  if (!deps.evaluator) {
    version = { ...version, status: 'rejected', decidedAt: clock.now(), reason: 'no evaluator configured: not promoted without a gate' };
    await finish(version, 'rejected', true);
    return { kind: 'rejected', version };
  }
  const liveId = (await deps.registry.liveModelId()) ?? deps.defaultModelId;
  const decision = await runGate({
    evaluator: deps.evaluator,
    candidateId: status.modelId,
    liveId,
    tasks: [...heldOutTasks, ...(deps.evalTasks ?? [])],
    samples: deps.gateSamples,
  });
  log?.info({ run: version.id, model: status.modelId, scores: decision.scores, promote: decision.promote }, 'training: gate decision');
  if (decision.promote) {
    await deps.registry.save({ ...version, scores: decision.scores });
    await deps.registry.promote(version.id, decision.scores, decision.reason, clock.now());
    version = { ...version, status: 'promoted', scores: decision.scores, decidedAt: clock.now(), reason: decision.reason };
    await finish(version, 'promoted', true);
    return { kind: 'promoted', version };
  }
  version = { ...version, status: 'rejected', scores: decision.scores, decidedAt: clock.now(), reason: decision.reason };
  await finish(version, 'rejected', true);
  return { kind: 'rejected', version };
}

export interface TrainingScheduler {
  readonly mode: 'in-process' | 'bullmq';
  /** Runs now (outside the schedule) unless a run is already going; undefined when skipped. */
  runNow(): Promise<RunOutcome | undefined>;
  /** When the next scheduled run is due (in-process mode). */
  nextRunAt(): number | undefined;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  schedule: string;
  run: TrainingRunDeps;
  /** With Redis: a BullMQ repeatable job + a Redis lock, so several processes share one schedule. */
  redisUrl?: string;
  /** BullMQ queue name (tests use a unique one). */
  queueName?: string;
  lock?: TrainingLock;
  clock?: Clock;
  logger?: Logger;
  /** Called after every run (tests, metrics). */
  onRun?: (outcome: RunOutcome | undefined, error?: unknown) => void;
}

/**
 * Starts the periodic self-training job. The composition root calls this once when
 * TRAINING_SCHEDULE is set. In process: a timer from the schedule. With Redis: a BullMQ job scheduler
 * (one schedule shared by every process; each repetition is delivered to one worker) plus the Redis
 * lock (a run that outlasts the interval must not overlap the next).
 */
export async function startTrainingScheduler(options: SchedulerOptions): Promise<TrainingScheduler> {
  const schedule: Schedule = parseSchedule(options.schedule);
  const clock = options.clock ?? options.run.clock ?? systemClock;
  const log = options.logger ?? options.run.logger;
  const lock = options.lock ?? (options.redisUrl ? createRedisLock({ redisUrl: options.redisUrl }) : createInProcessLock());

  async function guarded(): Promise<RunOutcome | undefined> {
    const release = await lock.acquire();
    if (!release) {
      log?.info('training: another run holds the lock; skipping');
      options.onRun?.(undefined);
      return undefined;
    }
    try {
      const outcome = await runTrainingOnce({ ...options.run, clock });
      options.onRun?.(outcome);
      return outcome;
    } catch (error) {
      log?.error({ err: error }, 'training run failed');
      options.onRun?.(undefined, error);
      throw error;
    } finally {
      await release();
    }
  }

  if (!options.redisUrl) {
    let timer: { cancel(): void } | undefined;
    let due: number | undefined;
    let stopped = false;
    const arm = () => {
      if (stopped) return;
      due = schedule.next(clock.now());
      timer = clock.setTimer(() => {
        guarded()
          .catch(() => undefined)
          .finally(arm);
      }, Math.max(0, due - clock.now()));
    };
    arm();
    return {
      mode: 'in-process',
      runNow: guarded,
      nextRunAt: () => due,
      stop() {
        stopped = true;
        timer?.cancel();
        return lock.close();
      },
    };
  }

  const connection = redisOptionsFromUrl(options.redisUrl);
  const queueName = options.queueName ?? 'tracefix-training';
  const queue = new Queue(queueName, { connection, prefix: 'tracefix' });
  const every = parseInterval(options.schedule);
  await queue.upsertJobScheduler('self-training', every !== undefined ? { every } : { pattern: options.schedule, tz: 'UTC' }, {
    name: 'self-training',
    data: {},
    opts: { removeOnComplete: 100, removeOnFail: 100 },
  });
  const worker = new Worker(
    queueName,
    async () => {
      const outcome = await guarded();
      return outcome ? { kind: outcome.kind } : { kind: 'skipped' };
    },
    // Fine-tune jobs take hours: the worker must not be presumed stalled while it polls.
    { connection, prefix: 'tracefix', concurrency: 1, lockDuration: 120_000 },
  );
  worker.on('error', (error) => log?.error({ err: error }, 'training worker error'));
  return {
    mode: 'bullmq',
    runNow: guarded,
    nextRunAt: () => undefined,
    async stop() {
      await worker.close();
      await queue.close();
      await lock.close();
    },
  };
}

/** The base model for fine-tuning: FINE_TUNE_BASE_MODEL, else the serving model. */
export function baseModelOf(config: { training: { baseModel?: string }; model: { name?: string } }): string {
  const base = config.training.baseModel ?? config.model.name;
  if (!base) throw new TracefixError('bad_config', 'Invalid setting FINE_TUNE_BASE_MODEL: required for self-training when MODEL_NAME is not set');
  return base;
}
