/**
 * The counters every bot process keeps: rate limits and "seen this delivery already". With REDIS_URL
 * they live on Redis, so processes scaled out behind one Slack app or one web address share one user's
 * quota and handle each Slack event once; without it each process keeps its own, in memory.
 *
 *   const counters = await openCounters({ redisUrl: config.queue.redisUrl, logger });
 *   createSlackBot({ ..., counters });   // and Discord, and the web chat's rateLimiter
 *   await counters.close();
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../src/log.ts';
import { redisOptionsFromUrl } from '../../src/queue/index.ts';
import { createDeduper, type Deduper } from './dedupe.ts';
import { createRateLimiter, type RateLimiter, type RateLimits } from './rate-limit.ts';

export interface Counters {
  /** Whether other processes see these counts (Redis) or only this one (memory). */
  readonly shared: boolean;
  rateLimiter(limits: RateLimits): RateLimiter;
  /** `name` keeps one platform's ids apart from another's. */
  deduper(name: string, ttlMs: number): Deduper;
  close(): Promise<void>;
}

export interface CounterOptions {
  /** Unset: in memory, per process. */
  redisUrl?: string;
  /** Every process of one deployment uses the same prefix (tests use a fresh one). */
  keyPrefix?: string;
  logger?: Logger;
}

export function memoryCounters(): Counters {
  return {
    shared: false,
    rateLimiter: (limits) => createRateLimiter(limits),
    deduper: (name, ttlMs) => createDeduper({ ttlMs, keyPrefix: `tracefix:seen:${name}` }),
    close: () => Promise.resolve(),
  };
}

/**
 * Counters on Redis when `redisUrl` is set, else in memory. Connects before it returns; if Redis cannot
 * be reached the counters still work, each process on its own (the in-memory insurance), until the
 * client's reconnection succeeds.
 */
export async function openCounters(options: CounterOptions): Promise<Counters> {
  if (options.redisUrl === undefined) return memoryCounters();
  const prefix = options.keyPrefix ?? 'tracefix';
  const logger = options.logger;
  const redis = new Redis({
    ...redisOptionsFromUrl(options.redisUrl),
    // A counter must answer now or fall back to memory: no queueing commands while disconnected.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  let failing = false;
  redis.on('error', (error: Error) => {
    if (failing) return;
    failing = true;
    logger?.warn({ err: { message: error.message } }, 'rate-limit store (Redis) unreachable; limiting per process until it is back');
  });
  redis.on('ready', () => {
    if (failing) logger?.info('rate-limit store (Redis) is back');
    failing = false;
  });
  try {
    await redis.connect();
  } catch {
    // Reported by the error handler; ioredis keeps trying in the background.
  }
  return {
    shared: true,
    rateLimiter: (limits) => createRateLimiter(limits, { redis, keyPrefix: `${prefix}:rate` }),
    deduper: (name, ttlMs) => createDeduper({ ttlMs, redis, keyPrefix: `${prefix}:seen:${name}` }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
