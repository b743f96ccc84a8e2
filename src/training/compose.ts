/**
 * How the composition root (src/main.ts) and the CLI build the feedback/training side from the
 * config. Nothing here starts unless asked: `startSelfTraining` is the one call that starts the
 * scheduler.
 */
import type { Sandbox } from '../../sandbox/index.ts';
import { limitsFromConfig } from '../compose.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { TracefixError } from '../errors.ts';
import { createRepairModel, type RepairModel } from '../model/index.ts';
import { createRepairEngine } from '../repair/index.ts';
import { createHarnessEvaluator } from './harness-evaluator.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../feedback/store.ts';
import { createSamplingEvaluator, type ModelEvaluator } from './gate.ts';
import { createFineTuneProvider } from './providers/index.ts';
import { createModelRegistry, type ModelRegistry } from './registry.ts';
import { baseModelOf, startTrainingScheduler, type Clock, type SchedulerOptions, type TrainingScheduler } from './scheduler.ts';
import { loadTasks } from './tasks.ts';

export function openFeedbackStore(config: Config, options: { now?: () => number } = {}): Promise<KeyvFeedbackStore> {
  return createFeedbackStore({
    url: config.store.url,
    retentionDays: config.store.retentionDays,
    dataDir: config.dataDir,
    ...(config.store.pseudonymSecret !== undefined ? { pseudonymSecret: config.store.pseudonymSecret } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

export function registryFor(store: KeyvFeedbackStore): ModelRegistry {
  return createModelRegistry(store.shared.keyv);
}

/** A model that always answers as `modelId` (createRepairModel's resolveModelId pinned). */
export function pinnedModel(config: Config, modelId: string, logger?: Logger): RepairModel {
  const model = createRepairModel(config.model, { resolveModelId: () => modelId, ...(logger ? { logger } : {}) });
  if (!model) throw new TracefixError('bad_config', 'Self-training needs a language model: set MODEL_PROVIDER and MODEL_NAME.');
  return model;
}

/**
 * The gate's evaluator: the eval harness (src/eval) running the repair engine with the model under
 * test and the program search off (the search is the same for both models and would mask the
 * difference). `sampling` instead scores raw model samples (cheaper: no engine, no second round).
 */
export function evaluatorFromConfig(config: Config, sandbox: Sandbox, logger?: Logger, kind: 'harness' | 'sampling' = 'harness'): ModelEvaluator | undefined {
  if (config.model.provider === 'offline') return undefined;
  const limits = limitsFromConfig(config);
  if (kind === 'sampling') {
    return createSamplingEvaluator({
      context: { sandbox, limits, traceTokens: config.repair.traceTokens },
      modelFor: (modelId) => pinnedModel(config, modelId, logger),
      concurrency: config.model.concurrency,
    });
  }
  return createHarnessEvaluator({
    sandbox,
    limits,
    taskDeadlineMs: config.repair.deadlineMs,
    engineFor: (modelId) =>
      createRepairEngine({
        sandbox,
        model: pinnedModel(config, modelId, logger),
        limits,
        ...(logger ? { logger } : {}),
        budget: { search: false, modelSamples: config.model.samples, traceTokens: config.repair.traceTokens },
      }),
  });
}

export interface SelfTraining {
  registry: ModelRegistry;
  /** Pass to createRepairModel(config.model, { resolveModelId }): bots follow promotions without a restart. */
  resolveModelId: () => Promise<string>;
  /** Present when TRAINING_SCHEDULE is set. */
  scheduler?: TrainingScheduler;
  stop(): Promise<void>;
}

/**
 * For src/main.ts:
 *   const store = await openFeedbackStore(config);
 *   const training = await startSelfTraining(config, { store, sandbox, logger });
 *   const model = createRepairModel(config.model, { resolveModelId: training.resolveModelId, logger });
 *   ... on shutdown: await training.stop(); await store.close();
 */
export async function startSelfTraining(
  config: Config,
  deps: {
    store: KeyvFeedbackStore;
    sandbox: Sandbox;
    logger?: Logger;
    evaluator?: ModelEvaluator;
    clock?: Clock;
    /** After every scheduled run (metrics, tests). */
    onRun?: SchedulerOptions['onRun'];
  },
): Promise<SelfTraining> {
  const registry = registryFor(deps.store);
  const resolveModelId = registry.resolver(config.model.name ?? 'offline');
  if (!config.training.schedule) {
    return { registry, resolveModelId, stop: () => Promise.resolve() };
  }
  const evaluator = deps.evaluator ?? evaluatorFromConfig(config, deps.sandbox, deps.logger);
  const evalTasks = config.training.evalDataset ? await loadTasks(config.training.evalDataset, { limit: 50 }) : [];
  const scheduler = await startTrainingScheduler({
    schedule: config.training.schedule,
    ...(config.queue.redisUrl !== undefined ? { redisUrl: config.queue.redisUrl } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.onRun ? { onRun: deps.onRun } : {}),
    run: {
      store: deps.store,
      registry,
      provider: createFineTuneProvider(config),
      ...(evaluator ? { evaluator } : {}),
      baseModel: config.training.provider === 'export' ? (config.training.baseModel ?? config.model.name ?? 'none') : baseModelOf(config),
      defaultModelId: config.model.name ?? 'offline',
      minExamples: config.training.minExamples,
      gateSamples: config.model.samples,
      evalTasks,
      dataDir: config.dataDir,
    },
  });
  return { registry, resolveModelId, scheduler, stop: () => scheduler.stop() };
}
