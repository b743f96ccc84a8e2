/**
 * Builders shared by the composition root (src/main.ts) and the CLI commands: the one place where
 * settings become backends. Nothing here starts listening; src/main.ts decides what runs.
 */
import { createSandbox, DEFAULT_LIMITS, type CreateSandboxOptions, type Limits, type Sandbox, type SandboxName } from '../sandbox/index.ts';
import type { Config } from './config/index.ts';
import type { Logger } from './log.ts';
import { createRepairModel } from './model/index.ts';
import type { RepairModel } from './model/types.ts';
import { createRepairEngine } from './repair/engine.ts';
import type { RepairService } from './repair/types.ts';

export function sandboxOptions(config: Config, backend: SandboxName = config.sandbox.backend): CreateSandboxOptions {
  const s = config.sandbox;
  switch (backend) {
    case 'pyodide':
      return { backend, poolSize: s.poolSize };
    case 'process':
      return { backend, python: s.python };
    case 'e2b':
      return {
        backend,
        poolSize: s.poolSize,
        debug: s.e2b.debug,
        ...(s.e2b.apiKey === undefined ? {} : { apiKey: s.e2b.apiKey }),
        ...(s.e2b.template === undefined ? {} : { template: s.e2b.template }),
        ...(s.e2b.domain === undefined ? {} : { domain: s.e2b.domain }),
      };
  }
}

export function sandboxFromConfig(config: Config, backend?: SandboxName): Sandbox {
  return createSandbox(sandboxOptions(config, backend));
}

/** The runner limits every request of this deployment starts from. */
export function limitsFromConfig(config: Config): Limits {
  return {
    ...DEFAULT_LIMITS,
    testTimeoutMs: config.sandbox.testTimeoutMs,
    totalTimeoutMs: config.sandbox.totalTimeoutMs,
    memoryMb: config.sandbox.memoryMb,
  };
}

/**
 * The repair engine as this deployment runs it, wherever it runs (the bot process, a queue worker):
 * the model (following self-training promotions through `resolveModelId`), budget and limits.
 */
export function engineFromConfig(
  config: Config,
  deps: { sandbox: Sandbox; logger: Logger; resolveModelId?: () => string | Promise<string> },
): { engine: RepairService; model: RepairModel | undefined } {
  const model = createRepairModel(config.model, {
    logger: deps.logger,
    debug: config.log.debug,
    ...(deps.resolveModelId ? { resolveModelId: deps.resolveModelId } : {}),
  });
  const engine = createRepairEngine({
    sandbox: deps.sandbox,
    logger: deps.logger,
    limits: limitsFromConfig(config),
    budget: {
      searchCandidates: config.repair.maxCandidates,
      modelSamples: config.model.samples,
      traceTokens: config.repair.traceTokens,
    },
    ...(model ? { model } : {}),
  });
  return { engine, model };
}
