import { Job, Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { TracefixError, isTracefixError, type ErrorCode } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { Progress, RepairRequest, RepairResult, RepairService, RunOptions } from '../repair/types.ts';
import { cancelledError, deadlineError } from './in-process.ts';
import type { JobQueue, QueueDepth } from './types.ts';

/**
 * BullMQ on Redis, for several bot processes (producers) and several worker processes sharing work.
 *
 * Delivery semantics. BullMQ is at-least-once: a worker holds a lock on its active job and renews it
 * every lockDuration/2; if the lock lapses (the process died, or its event loop was blocked for longer
 * than lockDuration) the stalled-job checker of any live worker moves the job back to `wait` and another
 * worker runs it again. That is how a job survives a killed worker. What we do about the duplicates:
 *  - jobId = request id, so a producer that submits the same request twice (a retry, a Slack event
 *    redelivery) attaches to the one job instead of adding a second;
 *  - a result is committed only by the lock holder: BullMQ refuses `moveToCompleted` with a stale lock
 *    token, so a worker that lost its lock cannot complete the job a second time, and the producer sees
 *    exactly one `completed` event;
 *  - the engine's work is pure computation in a throwaway sandbox, and the side effects (the reply, the
 *    feedback record) happen once, on the producer, after the single completion;
 *  - maxStalledCount = 1: a job that stalls twice (e.g. it crashes every worker that takes it) fails
 *    instead of circling for ever;
 *  - attempts = 1: a TracefixError (bad input, deadline, sandbox down) is an answer, returned as a
 *    completed envelope, never retried; only a crash fails the job.
 * The sandbox runs user code in other processes, so the event loop stays free to renew the lock.
 */
export interface BullQueueOptions {
  redisUrl: string;
  /** Jobs one worker process runs at once. */
  concurrency: number;
  /** producer: enqueue and await; worker: run the engine; both: one process does both. */
  role: 'producer' | 'worker' | 'both';
  /** The engine; required for `worker` and `both`. */
  service?: RepairService;
  /** Tests use a unique name per run. */
  queueName?: string;
  /** Redis key prefix. */
  prefix?: string;
  /** Shown in job records (`processedBy`) and logs. */
  workerName?: string;
  /** How long a worker's lock on a job lasts without renewal; a killed worker's job is recovered after about this long. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs?: number;
  /** Completed and failed job records are kept this long (for inspection and late joiners). */
  keepSeconds?: number;
  logger?: Logger;
}

export const DEFAULT_QUEUE_NAME = 'tracefix-repair';

/**
 * How soon a killed worker's job is taken over: its lock lapses at most DEFAULT_LOCK_MS after the
 * last renewal, and a live worker's stalled-job check, every DEFAULT_STALLED_INTERVAL_MS, then hands
 * it to the next free worker. BullMQ's default check interval equals the lock (30 s + 30 s = up to a
 * minute); README's "within 25 s" is these two numbers (tests/queue/workers.test.ts holds them
 * together). The lock is renewed every half lock; the event loop stays free (user code runs in other
 * processes), so 20 s leaves a wide margin against a false stall.
 */
export const DEFAULT_LOCK_MS = 20_000;
export const DEFAULT_STALLED_INTERVAL_MS = 5_000;

/** The longest a killed worker's job waits before another worker takes it. */
export function takeoverBoundMs(lockDurationMs = DEFAULT_LOCK_MS, stalledIntervalMs = DEFAULT_STALLED_INTERVAL_MS): number {
  return lockDurationMs + stalledIntervalMs;
}

interface JobData {
  request: RepairRequest;
  deadline?: number;
}

/** What a worker returns: an answer either way, so bad input is never retried. */
type Envelope =
  | { ok: true; result: RepairResult; worker: string }
  | { ok: false; error: { code: ErrorCode; userMessage: string; retryable: boolean; message: string }; worker: string };

const envelopeSchema = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z
    .object({ code: z.string(), userMessage: z.string(), retryable: z.boolean(), message: z.string() })
    .optional(),
  worker: z.string(),
});

const progressSchema = z.object({
  stage: z.string(),
  message: z.string(),
  done: z.number().optional(),
  total: z.number().optional(),
});

/** ioredis options from a redis:// or rediss:// URL (BullMQ then owns and closes its connections). */
export function redisOptionsFromUrl(redisUrl: string): ConnectionOptions & { host: string; port: number } {
  const url = new URL(redisUrl);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new TracefixError('bad_config', `Invalid setting REDIS_URL: expected redis:// or rediss://, got ${url.protocol}`);
  }
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // Required by BullMQ for blocking commands; harmless for the others.
    maxRetriesPerRequest: null,
  };
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function unwrap(raw: unknown): RepairResult {
  const parsed = envelopeSchema.safeParse(parseJson(raw));
  if (!parsed.success) {
    throw new TracefixError('internal', 'Something went wrong on our side while working on this request.', {
      detail: 'worker returned an unreadable result',
    });
  }
  const envelope = parsed.data;
  if (envelope.ok && envelope.result !== undefined) return envelope.result as RepairResult;
  const error = envelope.error;
  if (!error) throw new TracefixError('internal', 'Something went wrong on our side while working on this request.');
  throw new TracefixError(error.code as ErrorCode, error.userMessage, { retryable: error.retryable, detail: error.message });
}

function failedError(reason: string): TracefixError {
  return new TracefixError('internal', 'Something went wrong on our side while working on this request.', {
    detail: `repair job failed: ${reason}`,
    retryable: true,
  });
}

const PROGRESS_INTERVAL_MS = 250;

/**
 * Each progress update is a Redis write and a stream event for every producer; the engine reports
 * per candidate. A new stage goes out at once; within a stage, at most one update per interval, the
 * latest winning.
 */
function progressRelay(send: (progress: Progress) => void): { push: (progress: Progress) => void; stop: () => void } {
  let lastAt = 0;
  let lastStage: string | undefined;
  let held: Progress | undefined;
  let timer: NodeJS.Timeout | undefined;
  const emit = (progress: Progress): void => {
    lastAt = Date.now();
    lastStage = progress.stage;
    held = undefined;
    send(progress);
  };
  return {
    push(progress) {
      if (progress.stage !== lastStage || Date.now() - lastAt >= PROGRESS_INTERVAL_MS) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        emit(progress);
        return;
      }
      held = progress;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (held) emit(held);
      }, PROGRESS_INTERVAL_MS - (Date.now() - lastAt));
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      held = undefined;
    },
  };
}

interface Pending {
  resolve: (result: RepairResult) => void;
  reject: (error: unknown) => void;
  onProgress: ((progress: Progress) => void) | undefined;
}

export interface BullJobQueue extends JobQueue {
  /** Resolves when this process's Redis connections (queue, events, worker) are up. */
  ready(): Promise<void>;
}

export function createBullQueue(options: BullQueueOptions): BullJobQueue {
  const logger = options.logger ?? silentLogger();
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const prefix = options.prefix ?? 'tracefix';
  const connection = redisOptionsFromUrl(options.redisUrl);
  const cancelChannel = `${prefix}:${name}:cancel`;
  const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_MS;
  const keep = { age: options.keepSeconds ?? 3600 };
  const workerName = options.workerName ?? `worker-${process.pid}`;
  const produces = options.role !== 'worker';
  const works = options.role !== 'producer';
  if (works && !options.service) {
    throw new TracefixError('bad_config', 'A BullMQ worker needs the repair engine (service).');
  }

  // Every role can read depth, so every role has a Queue handle.
  const queue = new Queue<JobData>(name, { connection, prefix });
  queue.on('error', (error) => logger.warn({ err: error }, 'queue connection error'));

  // ---- producer side
  const pending = new Map<string, Set<Pending>>();
  /** Every caller waiting on this job (the same request submitted twice shares one job) gets the outcome. */
  const settle = (jobId: string, outcome: () => RepairResult | Promise<RepairResult>): void => {
    const waiters = pending.get(jobId);
    if (!waiters) return;
    pending.delete(jobId);
    for (const waiter of waiters) {
      try {
        Promise.resolve(outcome()).then(waiter.resolve, waiter.reject);
      } catch (error) {
        waiter.reject(error);
      }
    }
  };
  let events: QueueEvents | undefined;
  let publisher: Redis | undefined;
  let eventsReady: Promise<void> = Promise.resolve();
  if (produces) {
    events = new QueueEvents(name, { connection, prefix });
    events.on('error', (error) => logger.warn({ err: error }, 'queue events connection error'));
    events.on('progress', ({ jobId, data }) => {
      const parsed = progressSchema.safeParse(parseJson(data));
      if (!parsed.success) return;
      for (const waiter of pending.get(jobId) ?? []) waiter.onProgress?.(parsed.data as Progress);
    });
    events.on('completed', ({ jobId, returnvalue }) => settle(jobId, () => unwrap(returnvalue)));
    events.on('failed', ({ jobId, failedReason }) => settle(jobId, () => Promise.reject(failedError(failedReason))));
    eventsReady = events.waitUntilReady();
    publisher = new Redis({ ...connection, lazyConnect: true });
    publisher.on('error', (error) => logger.warn({ err: error }, 'cancel publisher error'));
  }

  /** The job may have finished before our listener saw it (or the event was missed): read the record. */
  async function settleFromRecord(jobId: string): Promise<void> {
    // State first, record second: a record read before the state would miss a result written in between.
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return;
    const job = await Job.fromId<JobData, unknown>(queue, jobId);
    if (!job) return;
    settle(jobId, () => (state === 'completed' ? unwrap(job.returnvalue) : Promise.reject(failedError(job.failedReason))));
  }

  async function run(request: RepairRequest, runOptions: RunOptions = {}): Promise<RepairResult> {
    if (!produces) throw new TracefixError('internal', 'This process only runs repair jobs; it does not accept requests.');
    if (runOptions.signal?.aborted) throw cancelledError();
    if (runOptions.deadline !== undefined && runOptions.deadline <= Date.now()) throw deadlineError();
    await eventsReady;
    const jobId = request.id;
    const log = logger.child({ requestId: jobId });
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let self: Pending | undefined;
    const outcome = new Promise<RepairResult>((resolve, reject) => {
      self = { resolve, reject, onProgress: runOptions.onProgress };
      const waiters = pending.get(jobId) ?? new Set<Pending>();
      waiters.add(self);
      pending.set(jobId, waiters);
    });
    const giveUp = async (): Promise<void> => {
      // Waiting jobs are simply removed; a running one is told to stop through the cancel channel.
      try {
        const job = await Job.fromId(queue, jobId);
        const state = job ? await job.getState() : undefined;
        if (job && (state === 'waiting' || state === 'prioritized' || state === 'delayed')) await job.remove();
        else await publisher?.publish(cancelChannel, jobId);
      } catch (error) {
        log.warn({ err: error }, 'could not cancel repair job');
      }
    };
    const stop = new Promise<never>((_, reject) => {
      onAbort = () => {
        void giveUp();
        reject(cancelledError());
      };
      runOptions.signal?.addEventListener('abort', onAbort, { once: true });
      if (runOptions.deadline !== undefined) {
        // The worker enforces the deadline itself; this covers a job that never got a worker, or a Redis that is away.
        timer = setTimeout(
          () => {
            void giveUp();
            reject(deadlineError());
          },
          Math.max(0, runOptions.deadline - Date.now()) + 2_000,
        );
      }
    });
    // Both are raced below, after the enqueue: a job that fails fast can settle `outcome` while the
    // enqueue is still awaited, and neither may count as an unhandled rejection in the meantime.
    stop.catch(() => undefined);
    outcome.catch(() => undefined);
    const enqueue = async (): Promise<void> => {
      const data: JobData = runOptions.deadline === undefined ? { request } : { request, deadline: runOptions.deadline };
      try {
        await queue.add('repair', data, { jobId, attempts: 1, removeOnComplete: keep, removeOnFail: keep });
      } catch (error) {
        throw new TracefixError('sandbox_unavailable', 'No repair worker is reachable right now; please try again in a moment.', {
          cause: error,
          retryable: true,
          detail: 'could not enqueue the repair job on Redis',
        });
      }
      log.debug({ queue: name }, 'repair job enqueued');
      runOptions.onProgress?.({ stage: 'queued', message: 'Queued for a worker' });
      await settleFromRecord(jobId);
    };
    try {
      await Promise.race([enqueue(), stop]);
      return await Promise.race([outcome, stop]);
    } finally {
      const waiters = pending.get(jobId);
      if (self && waiters) {
        waiters.delete(self);
        if (waiters.size === 0) pending.delete(jobId);
      }
      if (timer) clearTimeout(timer);
      if (onAbort) runOptions.signal?.removeEventListener('abort', onAbort);
    }
  }

  // ---- worker side
  let worker: Worker<JobData, Envelope> | undefined;
  let subscriber: Redis | undefined;
  let subscribed: Promise<void> = Promise.resolve();
  if (works && options.service) {
    const service = options.service;
    worker = new Worker<JobData, Envelope>(
      name,
      async (job, _token, signal) => {
        const { request, deadline } = job.data;
        const log = logger.child({ requestId: request.id, worker: workerName, attempt: job.attemptsStarted });
        if (job.attemptsStarted > 1 || job.stalledCounter > 0) log.info('recovered a stalled repair job');
        log.info('repair job started');
        const started = Date.now();
        const progress = progressRelay((p) => {
          job.updateProgress(p as unknown as object).catch((error: unknown) => log.debug({ err: error }, 'progress not sent'));
        });
        try {
          const result = await service.run(request, {
            onProgress: progress.push,
            ...(signal ? { signal } : {}),
            ...(deadline === undefined ? {} : { deadline }),
          });
          log.info({ status: result.status, ms: Date.now() - started }, 'repair job done');
          return { ok: true, result, worker: workerName };
        } catch (error) {
          if (isTracefixError(error)) {
            log.info({ code: error.code, ms: Date.now() - started }, 'repair job answered with an error');
            return {
              ok: false,
              error: { code: error.code, userMessage: error.userMessage, retryable: error.retryable, message: error.message },
              worker: workerName,
            };
          }
          log.error({ err: error }, 'repair job crashed');
          throw error;
        } finally {
          progress.stop();
        }
      },
      {
        connection,
        prefix,
        name: workerName,
        concurrency: Math.max(1, options.concurrency),
        lockDuration,
        stalledInterval: options.stalledIntervalMs ?? Math.min(DEFAULT_STALLED_INTERVAL_MS, lockDuration),
        maxStalledCount: 1,
        removeOnComplete: keep,
        removeOnFail: keep,
      },
    );
    worker.on('error', (error) => logger.warn({ err: error }, 'worker connection error'));
    subscriber = new Redis({ ...connection });
    subscriber.on('error', (error) => logger.warn({ err: error }, 'cancel subscriber error'));
    subscriber.on('message', (_channel: string, jobId: string) => {
      if (worker?.cancelJob(jobId, 'cancelled by the requester')) logger.info({ requestId: jobId }, 'repair job cancelled');
    });
    subscribed = subscriber.subscribe(cancelChannel).then(
      () => undefined,
      (error: unknown) => logger.warn({ err: error }, 'cancel channel subscribe failed'),
    );
  }

  return {
    kind: 'bullmq',
    run,
    async ready(): Promise<void> {
      await Promise.all([queue.waitUntilReady(), eventsReady, worker?.waitUntilReady(), subscribed]);
    },
    async depth(): Promise<QueueDepth> {
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      return {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
        active: counts.active ?? 0,
      };
    },
    async close(): Promise<void> {
      for (const waiter of [...pending.values()].flatMap((set) => [...set])) {
        waiter.reject(new TracefixError('cancelled', 'The service is shutting down; try again in a moment.', { retryable: true }));
      }
      pending.clear();
      // Worker.close waits for its active jobs; they complete normally or, if the process dies first, are recovered as stalled.
      await worker?.close();
      await Promise.allSettled([events?.close(), queue.close()]);
      for (const client of [subscriber, publisher]) {
        if (client && client.status !== 'end') await client.quit().catch(() => client.disconnect());
      }
    },
  };
}

/** Removes every key of a queue (tests: a unique queue per run, cleaned up afterwards). */
export async function obliterateQueue(redisUrl: string, queueName: string, prefix = 'tracefix'): Promise<void> {
  const queue = new Queue(queueName, { connection: redisOptionsFromUrl(redisUrl), prefix });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}
