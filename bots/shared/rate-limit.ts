/**
 * Per-user and per-channel request limits per hour, on rate-limiter-flexible. In memory by default;
 * on Redis when the bots are given a shared store (REDIS_URL: see counters.ts), so that several bot
 * processes count one user's requests once instead of each granting the full quota.
 *
 * Each key's window is fixed and starts at its first request (rate-limiter-flexible's counter with a
 * TTL): after `limit` requests the next one waits until that window ends. A request that is refused
 * is not counted (its point is given back), so a user who keeps trying is not locked out for longer.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';

export interface RateLimits {
  userPerHour: number;
  channelPerHour: number;
}

export type RateDecision =
  | { allowed: true }
  | { allowed: false; scope: 'user' | 'channel'; limit: number; retryAfterMs: number };

export interface RateLimiter {
  /** Counts the request when both limits allow it. Keys should be platform-qualified. */
  take(user: string, channel: string | undefined): Promise<RateDecision>;
}

/** Where counters live: this process's memory, or Redis under a key prefix shared by every process. */
export interface CounterBackend {
  redis?: Redis;
  /** Keys are `${keyPrefix}:…`; processes that must share counts use the same prefix. */
  keyPrefix?: string;
}

const HOUR = 60 * 60 * 1000;

/**
 * One counter of `points` per `windowMs`. On Redis, an in-memory limiter is the insurance: while Redis
 * cannot be reached each process limits on its own rather than letting every request through.
 */
export function counter(points: number, windowMs: number, keyPrefix: string, redis: Redis | undefined): RateLimiterAbstract {
  // Redis expiries are whole seconds, and a duration that rounds to 0 would never expire.
  const duration = Math.max(1, Math.ceil(windowMs / 1000));
  const memory = new RateLimiterMemory({ points, duration, keyPrefix });
  if (redis === undefined) return memory;
  return new RateLimiterRedis({ storeClient: redis, points, duration, keyPrefix, insuranceLimiter: memory, rejectIfRedisNotReady: true });
}

/** The refusal when the counter is spent, or undefined when the point was taken. Store faults throw. */
export async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (outcome) {
    if (outcome instanceof RateLimiterRes) return outcome;
    throw outcome;
  }
}

export function createRateLimiter(limits: RateLimits, options: CounterBackend & { windowMs?: number } = {}): RateLimiter {
  const windowMs = options.windowMs ?? HOUR;
  const prefix = options.keyPrefix ?? 'tracefix:rate';
  const users = counter(limits.userPerHour, windowMs, `${prefix}:user`, options.redis);
  const channels = counter(limits.channelPerHour, windowMs, `${prefix}:channel`, options.redis);

  return {
    async take(user, channel) {
      const overUser = await consume(users, user);
      if (overUser !== undefined) {
        await users.reward(user);
        return { allowed: false, scope: 'user', limit: limits.userPerHour, retryAfterMs: overUser.msBeforeNext };
      }
      if (channel !== undefined) {
        const overChannel = await consume(channels, channel);
        if (overChannel !== undefined) {
          await Promise.all([channels.reward(channel), users.reward(user)]);
          return { allowed: false, scope: 'channel', limit: limits.channelPerHour, retryAfterMs: overChannel.msBeforeNext };
        }
      }
      return { allowed: true };
    },
  };
}
