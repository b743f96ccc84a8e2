import { assertIsolated, type Sandbox } from '../../sandbox/index.ts';
import { engineFromConfig, sandboxFromConfig } from '../compose.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { openFeedbackStore, registryFor } from '../training/compose.ts';
import { createBullQueue, DEFAULT_QUEUE_NAME, type BullJobQueue } from './bull.ts';

export interface QueueWorkerOptions {
  config: Config;
  logger: Logger;
  queueName?: string;
  workerName?: string;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface QueueWorker {
  readonly queue: BullJobQueue;
  readonly sandbox: Sandbox;
  readonly name: string;
  /** Stops taking jobs, lets the running ones finish, closes the sandbox. */
  close(): Promise<void>;
}

/**
 * A BullMQ worker with its own sandbox and engine, composed from the config: what
 * src/queue/worker-main.ts runs as a process. Workers run code from every front end, chat bots
 * included, so an unisolated sandbox needs SANDBOX_ALLOW_UNISOLATED.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { config, logger } = options;
  if (!config.queue.redisUrl) {
    throw new Error('REDIS_URL is not set: a worker takes its jobs from BullMQ on Redis');
  }
  const sandbox = sandboxFromConfig(config);
  const closers: (() => Promise<void>)[] = [() => sandbox.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
  };
  try {
    if (!config.sandbox.allowUnisolated) assertIsolated(sandbox, 'a queue worker');
    // The same engine as src/main.ts, so a job runs alike wherever it lands; the model follows
    // self-training promotions through the store's registry.
    let resolveModelId: (() => Promise<string>) | undefined;
    if (config.model.provider !== 'offline') {
      const store = await openFeedbackStore(config);
      closers.push(() => store.close());
      resolveModelId = registryFor(store).resolver(config.model.name ?? 'offline');
    }
    const { engine } = engineFromConfig(config, { sandbox, logger, ...(resolveModelId ? { resolveModelId } : {}) });
    const name = options.workerName ?? `worker-${process.pid}`;
    const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
    const queue = createBullQueue({
      redisUrl: config.queue.redisUrl,
      concurrency: config.queue.concurrency,
      role: 'worker',
      service: engine,
      queueName,
      workerName: name,
      logger,
      ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
      ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
    });
    await queue.ready();
    logger.info({ worker: name, queue: queueName, sandbox: sandbox.name, isolated: sandbox.isolation.isolated }, 'worker ready');
    return {
      queue,
      sandbox,
      name,
      async close() {
        await queue.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
