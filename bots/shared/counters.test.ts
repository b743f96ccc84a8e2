import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REDIS_URL, redisMissing } from '../../tests/queue/redis.ts';
import { closedPort } from '../../tests/model/fixtures.ts';
import { createLogger } from '../../src/log.ts';
import { memoryCounters, openCounters } from './counters.ts';

const LIMITS = { userPerHour: 1, channelPerHour: 100 };

describe('memoryCounters', () => {
  it('keeps counts in this process: limits and de-duplication work, and nothing is shared', async () => {
    for (const counters of [memoryCounters(), await openCounters({})]) {
      expect(counters.shared).toBe(false);
      const limiter = counters.rateLimiter(LIMITS);
      expect((await limiter.take('u', 'c')).allowed).toBe(true);
      expect((await limiter.take('u', 'c')).allowed).toBe(false);
      // Another limiter from the same counters starts afresh: in memory, each keeps its own.
      expect((await counters.rateLimiter(LIMITS).take('u', 'c')).allowed).toBe(true);
      const seen = counters.deduper('slack', 60_000);
      expect(await seen.first('Ev1')).toBe(true);
      expect(await seen.first('Ev1')).toBe(false);
      expect(await counters.deduper('discord', 60_000).first('Ev1')).toBe(true);
      await counters.close();
    }
  });
});

const redisSkip = await redisMissing();
if (redisSkip) console.warn(`[skip] bots/shared/counters.test.ts: the Redis counters: ${redisSkip}`);

describe.skipIf(redisSkip !== undefined)(`openCounters on Redis${redisSkip ? ` (skipped: ${redisSkip})` : ''}`, () => {
  it('shares counts between counters with the same prefix, and keeps prefixes and names apart', async () => {
    const prefix = `tracefix-test-${randomBytes(4).toString('hex')}`;
    const a = await openCounters({ redisUrl: REDIS_URL, keyPrefix: prefix });
    const b = await openCounters({ redisUrl: REDIS_URL, keyPrefix: prefix });
    const elsewhere = await openCounters({ redisUrl: REDIS_URL, keyPrefix: `${prefix}-other` });
    try {
      expect(a.shared).toBe(true);
      expect((await a.rateLimiter(LIMITS).take('u', 'c')).allowed).toBe(true);
      expect(await b.rateLimiter(LIMITS).take('u', 'c')).toMatchObject({ allowed: false, scope: 'user' });
      expect((await elsewhere.rateLimiter(LIMITS).take('u', 'c')).allowed).toBe(true);
      expect(await a.deduper('slack', 60_000).first('Ev1')).toBe(true);
      expect(await b.deduper('slack', 60_000).first('Ev1')).toBe(false);
      expect(await b.deduper('discord', 60_000).first('Ev1')).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await elsewhere.close();
    }
  });
});

describe('openCounters without a reachable Redis', () => {
  it('says so once in the log and still limits, each process on its own', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    });
    const counters = await openCounters({ redisUrl: `redis://127.0.0.1:${await closedPort()}`, keyPrefix: 'tracefix-test-down', logger });
    try {
      expect(counters.shared).toBe(true);
      const limiter = counters.rateLimiter(LIMITS);
      expect((await limiter.take('u', 'c')).allowed).toBe(true);
      expect((await limiter.take('u', 'c')).allowed).toBe(false);
      const seen = counters.deduper('slack', 60_000);
      expect(await seen.first('Ev1')).toBe(true);
      expect(await seen.first('Ev1')).toBe(false);
      const warnings = lines.filter((l) => l.msg === 'rate-limit store (Redis) unreachable; limiting per process until it is back');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.level).toBe(40);
    } finally {
      await counters.close();
    }
  });
});
