import type { Sandbox } from '../../sandbox/index.ts';
import type { Config } from '../config/index.ts';
import type { KeyvFeedbackStore } from '../feedback/store.ts';
import type { Logger } from '../log.ts';
import { createServices } from '../compose.ts';
import { evaluatorFromServices } from './compose.ts';
import type { ModelEvaluator } from './gate.ts';
import { createFineTuneProvider, type FineTuneProvider } from './providers/index.ts';
import { baseModelOf, type TrainingRunDeps } from './scheduler.ts';
import { loadTasks } from './tasks.ts';

/**
 * Everything one production training run needs, from the config: for running it now rather than on
 * the schedule (`tracefix self-train --from-feedback`, tests). The same choices as
 * startSelfTraining in compose.ts, which could build its `run` from this.
 */
export async function trainingRunDeps(
  config: Config,
  deps: {
    store: KeyvFeedbackStore;
    sandbox: Sandbox;
    logger?: Logger;
    provider?: FineTuneProvider;
    evaluator?: ModelEvaluator;
    pollIntervalMs?: number;
    heldOutFraction?: number;
  },
): Promise<TrainingRunDeps> {
  // The composition root over the parts the caller holds (it closes them, not services.close()).
  const services = createServices(config, { provided: { store: deps.store, sandbox: deps.sandbox }, ...(deps.logger ? { logger: deps.logger } : {}) });
  const evaluator = deps.evaluator ?? (await evaluatorFromServices(services));
  return {
    store: deps.store,
    registry: await services.registry(),
    provider: deps.provider ?? createFineTuneProvider(config),
    ...(evaluator ? { evaluator } : {}),
    baseModel: config.training.provider === 'export' ? (config.training.baseModel ?? config.model.name ?? 'none') : baseModelOf(config),
    defaultModelId: config.model.name ?? 'offline',
    minExamples: config.training.minExamples,
    gateSamples: config.model.samples,
    evalTasks: config.training.evalDataset ? await loadTasks(config.training.evalDataset, { limit: 50 }) : [],
    dataDir: config.dataDir,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    ...(deps.heldOutFraction !== undefined ? { heldOutFraction: deps.heldOutFraction } : {}),
  };
}
