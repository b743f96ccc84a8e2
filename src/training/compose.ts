/**
 * The feedback/training side, built from the services of src/compose.ts. Nothing here starts unless
 * asked: `startSelfTraining` is the one call that starts the scheduler. The fine-tune providers,
 * the scheduler (bullmq) and the model SDKs load on first use, so the CLI pays for them only in the
 * commands that train.
 */
import type { Services } from '../compose.ts';
import type { Logger } from '../log.ts';
import type { ModelEvaluator } from './gate.ts';
import type { ModelRegistry } from './registry.ts';
import type { Clock, SchedulerOptions, TrainingScheduler } from './scheduler.ts';

/**
 * The gate's evaluator: the eval harness (src/eval) running the repair engine with the model under
 * test and the program search off (the search is the same for both models and would mask the
 * difference). `sampling` instead scores raw model samples (cheaper: no engine, no second round).
 */
export async function evaluatorFromServices(services: Services, kind: 'harness' | 'sampling' = 'harness'): Promise<ModelEvaluator | undefined> {
  const { config, limits } = services;
  if (config.model.provider === 'offline') return undefined;
  const [sandbox, modelFor] = await Promise.all([services.sandbox(), services.modelFactory()]);
  if (kind === 'sampling') {
    const { createSamplingEvaluator } = await import('./gate.ts');
    return createSamplingEvaluator({
      context: { sandbox, limits, traceTokens: config.repair.traceTokens },
      modelFor,
      concurrency: config.model.concurrency,
    });
  }
  const [{ createHarnessEvaluator }, { createRepairEngine }] = await Promise.all([import('./harness-evaluator.ts'), import('../repair/engine.ts')]);
  return createHarnessEvaluator({
    sandbox,
    limits,
    taskDeadlineMs: config.repair.deadlineMs,
    engineFor: (modelId) =>
      createRepairEngine({
        sandbox,
        model: modelFor(modelId),
        limits,
        logger: services.logger,
        budget: { search: false, modelSamples: config.model.samples, traceTokens: config.repair.traceTokens },
      }),
  });
}

export interface SelfTraining {
  registry: ModelRegistry;
  /** The live model id (services.model() follows it by itself: bots follow promotions without a restart). */
  resolveModelId: () => Promise<string>;
  /** Present when TRAINING_SCHEDULE is set. */
  scheduler?: TrainingScheduler;
  stop(): Promise<void>;
}

/**
 * For src/main.ts: `const training = await startSelfTraining(services)`; on shutdown
 * `await training.stop()` before `services.close()`.
 */
export async function startSelfTraining(
  services: Services,
  deps: {
    logger?: Logger;
    evaluator?: ModelEvaluator;
    clock?: Clock;
    /** After every scheduled run (metrics, tests). */
    onRun?: SchedulerOptions['onRun'];
  } = {},
): Promise<SelfTraining> {
  const { config } = services;
  const store = await services.store();
  const logger = deps.logger ?? services.logger;
  const registry = await services.registry();
  const resolveModelId = registry.resolver(config.model.name ?? 'offline');
  if (!config.training.schedule) {
    return { registry, resolveModelId, stop: () => Promise.resolve() };
  }
  const [{ startTrainingScheduler, baseModelOf }, { loadTasks }, { createFineTuneProvider }] = await Promise.all([
    import('./scheduler.ts'),
    import('./tasks.ts'),
    import('./providers/index.ts'),
  ]);
  const evaluator = deps.evaluator ?? (await evaluatorFromServices(services));
  const evalTasks = config.training.evalDataset ? await loadTasks(config.training.evalDataset, { limit: 50 }) : [];
  const scheduler: TrainingScheduler = await startTrainingScheduler({
    schedule: config.training.schedule,
    ...(config.queue.redisUrl !== undefined ? { redisUrl: config.queue.redisUrl } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    logger,
    ...(deps.onRun ? { onRun: deps.onRun } : {}),
    run: {
      store,
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
