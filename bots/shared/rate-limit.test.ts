import { describe, expect, it, vi } from 'vitest';
import { createDeduper } from './dedupe.ts';
import { createRateLimiter } from './rate-limit.ts';
import { throttle } from './throttle.ts';

describe('createRateLimiter', () => {
  it('limits per user and per channel over a sliding window', () => {
    let now = 0;
    const limiter = createRateLimiter({ userPerHour: 2, channelPerHour: 3 }, { now: () => now });
    expect(limiter.take('u1', 'c').allowed).toBe(true);
    expect(limiter.take('u1', 'c').allowed).toBe(true);
    const third = limiter.take('u1', 'c');
    expect(third).toMatchObject({ allowed: false, scope: 'user', limit: 2 });
    expect(limiter.take('u2', 'c').allowed).toBe(true);
    expect(limiter.take('u3', 'c')).toMatchObject({ allowed: false, scope: 'channel' });
    now = 60 * 60 * 1000 + 1;
    expect(limiter.take('u1', 'c').allowed).toBe(true);
  });

  it('does not count refused requests', () => {
    let now = 0;
    const limiter = createRateLimiter({ userPerHour: 1, channelPerHour: 100 }, { now: () => now });
    limiter.take('u', undefined);
    now = 30 * 60 * 1000;
    const refused = limiter.take('u', undefined);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterMs).toBe(30 * 60 * 1000);
  });
});

describe('createDeduper', () => {
  it('sees an id once within the window', () => {
    let now = 0;
    const dedupe = createDeduper({ ttlMs: 1000, now: () => now });
    expect(dedupe.first('Ev1')).toBe(true);
    expect(dedupe.first('Ev1')).toBe(false);
    now = 2000;
    expect(dedupe.first('Ev1')).toBe(true);
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
