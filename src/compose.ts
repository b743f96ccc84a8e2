/**
 * The composition root: `createServices(config)` is the one place where settings become backends,
 * and every entry point calls it — the server (src/main.ts), the queue worker, the CLI commands and
 * self-training. Each part is built on first use and at most once, so a command pays only for what it
 * uses: `tracefix run` never loads a language-model SDK, `--help` loads no backend at all. That is why
 * the vendor-heavy modules (LangChain providers, keyv drivers, bullmq) are reached only through dynamic
 * imports below; keep them out of this file's static imports. sandbox/index.ts is cheap to import: its
 * factory loads the chosen backend (and the e2b SDK only for e2b) when the sandbox is built.
 */
import { createSandbox, DEFAULT_LIMITS, useToolSearchPath, type CreateSandboxOptions, type Limits, type Sandbox, type SandboxName } from '../sandbox/index.ts';
import type { Config } from './config/index.ts';
import { TracefixError } from './errors.ts';
import type { KeyvFeedbackStore } from './feedback/store.ts';
import { createLogger, type Logger } from './log.ts';
import type { RepairModel } from './model/types.ts';
import type { JobQueue } from './queue/types.ts';
import type { RepairBudget } from './repair/engine.ts';
import type { RepairService } from './repair/types.ts';
import type { ModelRegistry } from './training/registry.ts';

export function sandboxOptions(config: Config, backend: SandboxName = config.sandbox.backend): CreateSandboxOptions {
  const s = config.sandbox;
  switch (backend) {
    case 'pyodide':
      return { backend, poolSize: s.poolSize, ...(s.snapshotCacheDir === undefined ? {} : { snapshotCacheDir: s.snapshotCacheDir }) };
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
 * The engine's budget as configured. REPAIR_MAX_CANDIDATES means the same everywhere: the most
 * variants the program search screens per repair (.env.example).
 */
export function budgetFromConfig(config: Config): Partial<RepairBudget> {
  return {
    searchCandidates: config.repair.maxCandidates,
    modelSamples: config.model.samples,
    traceTokens: config.repair.traceTokens,
  };
}

export interface QueueSettings {
  /** `both` enqueues and works (one process); `worker` only works; `producer` only enqueues. */
  role?: 'both' | 'worker' | 'producer';
  queueName?: string;
  workerName?: string;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface ServicesOptions {
  /** Default: a logger at the configured level. */
  logger?: Logger;
  /** Per-invocation sandbox choices (the CLI's --sandbox, one warm runner for one command). */
  sandbox?: { backend?: SandboxName; poolSize?: number };
  /** BullMQ settings of this process; the in-process queue ignores them. */
  queue?: QueueSettings;
  /**
   * Parts the caller already holds (a test's instrumented sandbox, a store it inspects). They are
   * used as they are and left open on close(): whoever made them closes them.
   */
  provided?: { sandbox?: Sandbox; store?: KeyvFeedbackStore };
}

export interface EngineOverrides {
  budget?: Partial<RepairBudget>;
  /** `null`: no model (program search only); absent: the configured model. */
  model?: RepairModel | null;
}

export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly limits: Limits;
  sandbox(): Promise<Sandbox>;
  /** The configured model, following self-training promotions; undefined when offline. */
  model(): Promise<RepairModel | undefined>;
  /** Builds models pinned to one id (the gate and self-training compare model versions). */
  modelFactory(): Promise<(modelId: string) => RepairModel>;
  store(): Promise<KeyvFeedbackStore>;
  registry(): Promise<ModelRegistry>;
  /** The engine as this deployment runs it, wherever it runs. */
  engine(): Promise<RepairService>;
  /** An engine with some settings replaced (eval's --model, the gate's search-off budget). */
  createEngine(overrides: EngineOverrides): Promise<RepairService>;
  /** BullMQ when REDIS_URL is set, else in process; it runs `engine()`. */
  queue(): Promise<JobQueue>;
  /** Which parts have been built so far (for logs and tests of the lazy construction). */
  built(): string[];
  /** Closes what was built, last built first. Safe to call twice. */
  close(): Promise<void>;
}

/** A memoised async factory: a failed build is forgotten so the next call can try again. */
function lazy<T>(name: string, built: Set<string>, build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().then(
      (value) => {
        built.add(name);
        return value;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

export function createServices(config: Config, options: ServicesOptions = {}): Services {
  const logger = options.logger ?? createLogger({ level: config.log.level, debug: config.log.debug });
  const limits = limitsFromConfig(config);
  const built = new Set<string>();
  const closers: { name: string; close: () => Promise<void> }[] = [];
  const onClose = (name: string, close: () => Promise<void>): void => {
    closers.push({ name, close });
  };

  const sandbox = lazy('sandbox', built, async () => {
    if (options.provided?.sandbox) return options.provided.sandbox;
    useToolSearchPath(config.toolPath);
    const base = sandboxOptions(config, options.sandbox?.backend);
    const poolSize = options.sandbox?.poolSize;
    const box = await createSandbox(poolSize !== undefined && base.backend !== 'process' ? { ...base, poolSize } : base);
    onClose('sandbox', () => box.close());
    return box;
  });

  const store = lazy('store', built, async () => {
    if (options.provided?.store) return options.provided.store;
    const { createFeedbackStore } = await import('./feedback/store.ts');
    const opened = await createFeedbackStore({
      url: config.store.url,
      retentionDays: config.store.retentionDays,
      dataDir: config.dataDir,
      ...(config.store.pseudonymSecret !== undefined ? { pseudonymSecret: config.store.pseudonymSecret } : {}),
    });
    onClose('store', () => opened.close());
    return opened;
  });

  const registry = lazy('registry', built, async () => {
    const { createModelRegistry } = await import('./training/registry.ts');
    return createModelRegistry((await store()).shared.keyv);
  });

  const modelModule = lazy('model-factory', built, () => import('./model/index.ts'));

  const model = lazy('model', built, async (): Promise<RepairModel | undefined> => {
    if (config.model.provider === 'offline') return undefined;
    const { createRepairModel } = await modelModule();
    // Every entry point asks the registry which version is live, so a promotion reaches the bots,
    // the workers and `tracefix fix` alike without a restart.
    const resolveModelId = (await registry()).resolver(config.model.name ?? 'offline');
    return createRepairModel(config.model, { logger, debug: config.log.debug, resolveModelId });
  });

  const modelFactory = lazy('model-factory', built, async () => {
    const { createRepairModel } = await modelModule();
    return (modelId: string): RepairModel => {
      const pinned = createRepairModel(config.model, { logger, debug: config.log.debug, resolveModelId: () => modelId });
      if (!pinned) throw new TracefixError('bad_config', 'Self-training needs a language model: set MODEL_PROVIDER and MODEL_NAME.');
      return pinned;
    };
  });

  const createEngine = async (overrides: EngineOverrides): Promise<RepairService> => {
    const [{ createRepairEngine }, box] = await Promise.all([import('./repair/engine.ts'), sandbox()]);
    const chosen = overrides.model === null ? undefined : (overrides.model ?? (await model()));
    return createRepairEngine({
      sandbox: box,
      logger,
      limits,
      budget: { ...budgetFromConfig(config), ...overrides.budget },
      ...(chosen ? { model: chosen } : {}),
    });
  };
  const engine = lazy('engine', built, () => createEngine({}));

  const queue = lazy('queue', built, async (): Promise<JobQueue> => {
    const redisUrl = config.queue.redisUrl;
    const q = options.queue ?? {};
    let opened: JobQueue;
    if (redisUrl) {
      const { createBullQueue } = await import('./queue/bull.ts');
      const role = q.role ?? 'both';
      // A producer only enqueues: it needs no sandbox or engine of its own.
      const service = role === 'producer' ? undefined : await engine();
      opened = createBullQueue({
        redisUrl,
        concurrency: config.queue.concurrency,
        role,
        ...(service ? { service } : {}),
        logger,
        ...(q.queueName === undefined ? {} : { queueName: q.queueName }),
        ...(q.workerName === undefined ? {} : { workerName: q.workerName }),
        ...(q.lockDurationMs === undefined ? {} : { lockDurationMs: q.lockDurationMs }),
        ...(q.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: q.stalledIntervalMs }),
      });
    } else {
      const { createInProcessQueue } = await import('./queue/in-process.ts');
      opened = createInProcessQueue({ service: await engine(), concurrency: config.queue.concurrency });
    }
    onClose('queue', () => opened.close());
    return opened;
  });

  let closing: Promise<void> | undefined;
  return {
    config,
    logger,
    limits,
    sandbox,
    model,
    modelFactory,
    store,
    registry,
    engine,
    createEngine,
    queue,
    built: () => [...built],
    close() {
      closing ??= (async () => {
        // The queue finishes its running jobs before their sandbox and store go away.
        for (const { name, close } of closers.reverse()) {
          try {
            await close();
          } catch (error) {
            logger.warn({ err: error, part: name }, 'error while stopping');
          }
        }
      })();
      return closing;
    },
  };
}
