import { assertIsolated, type Sandbox } from '../../sandbox/index.ts';
import { createServices } from '../compose.ts';
import type { Config } from '../config/index.ts';
import { fromSandboxError, TracefixError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { DEFAULT_QUEUE_NAME, type BullJobQueue } from './bull.ts';

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
    throw new TracefixError('bad_config', 'REDIS_URL is not set: a worker takes its jobs from BullMQ on Redis.');
  }
  const name = options.workerName ?? `worker-${process.pid}`;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  // The same services as src/main.ts, so a job runs alike wherever it lands: the same engine budget,
  // and a model that follows self-training promotions through the store's registry.
  const services = createServices(config, {
    logger,
    queue: {
      role: 'worker',
      queueName,
      workerName: name,
      ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
      ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
    },
  });
  try {
    const sandbox = await services.sandbox();
    if (!config.sandbox.allowUnisolated) {
      try {
        assertIsolated(sandbox, 'a queue worker');
      } catch (error) {
        throw fromSandboxError(error);
      }
    }
    // REDIS_URL is set (checked above), so the services' queue is the BullMQ one.
    const queue = (await services.queue()) as BullJobQueue;
    await queue.ready();
    logger.info({ worker: name, queue: queueName, sandbox: sandbox.name, isolated: sandbox.isolation.isolated }, 'worker ready');
    return { queue, sandbox, name, close: () => services.close() };
  } catch (error) {
    await services.close();
    throw error;
  }
}
