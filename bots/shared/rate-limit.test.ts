import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeduper } from './dedupe.ts';
import { createRateLimiter } from './rate-limit.ts';
import { throttle } from './throttle.ts';

/** rate-limiter-flexible reads Date.now and expires keys with timers: the test's clock drives both. */
function testClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

describe('createRateLimiter', () => {
  testClock();

  it('limits per user and per channel over the hour', async () => {
    const limiter = createRateLimiter({ userPerHour: 2, channelPerHour: 3 });
    expect((await limiter.take('u1', 'c')).allowed).toBe(true);
    expect((await limiter.take('u1', 'c')).allowed).toBe(true);
    const third = await limiter.take('u1', 'c');
    expect(third).toMatchObject({ allowed: false, scope: 'user', limit: 2 });
    expect((await limiter.take('u2', 'c')).allowed).toBe(true);
    expect(await limiter.take('u3', 'c')).toMatchObject({ allowed: false, scope: 'channel' });
    vi.setSystemTime(60 * 60 * 1000 + 1);
    expect((await limiter.take('u1', 'c')).allowed).toBe(true);
  });

  it('does not count refused requests', async () => {
    const limiter = createRateLimiter({ userPerHour: 1, channelPerHour: 100 });
    await limiter.take('u', undefined);
    vi.setSystemTime(30 * 60 * 1000);
    const refused = await limiter.take('u', undefined);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterMs).toBe(30 * 60 * 1000);
  });

  it('gives the user back the request a full channel refused', async () => {
    const limiter = createRateLimiter({ userPerHour: 1, channelPerHour: 1 });
    expect((await limiter.take('u1', 'busy')).allowed).toBe(true);
    expect(await limiter.take('u2', 'busy')).toMatchObject({ allowed: false, scope: 'channel' });
    expect((await limiter.take('u2', 'quiet')).allowed).toBe(true);
  });
});

describe('createDeduper', () => {
  testClock();

  it('sees an id once within the window', async () => {
    const dedupe = createDeduper({ ttlMs: 1000 });
    expect(await dedupe.first('Ev1')).toBe(true);
    expect(await dedupe.first('Ev1')).toBe(false);
    vi.setSystemTime(2000);
    expect(await dedupe.first('Ev1')).toBe(true);
  });
});

describe('throttle', () => {
  it('coalesces to the latest value and never throws', async () => {
    const sent: number[] = [];
    const errors: unknown[] = [];
    const t = throttle(
      async (value: number) => {
        sent.push(value);
        if (value === 2) throw new Error('edit failed');
        await Promise.resolve();
      },
      { intervalMs: 30, onError: (e) => errors.push(e) },
    );
    // The clock is the test's: the interval passes when told, however loaded the machine is.
    vi.useFakeTimers();
    try {
      for (let i = 0; i < 10; i += 1) t.push(i);
      await vi.advanceTimersByTimeAsync(100);
      await t.flush();
    } finally {
      vi.useRealTimers();
    }
    expect(sent[0]).toBe(9);
    expect(sent.length).toBeLessThanOrEqual(2);
    t.push(2);
    await t.flush();
    expect(errors).toHaveLength(1);
    await t.close();
    t.push(5);
    await t.flush();
    expect(sent.at(-1)).toBe(2);
  });
});
