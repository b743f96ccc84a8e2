/**
 * Per-user and per-channel request limits over a sliding hour. In memory on purpose: limits protect
 * one process's sandbox capacity, and a restart forgiving everyone is acceptable. A request that is
 * refused is not counted, so a user who keeps trying is not locked out for longer.
 */
export interface RateLimits {
  userPerHour: number;
  channelPerHour: number;
}

export type RateDecision =
  | { allowed: true }
  | { allowed: false; scope: 'user' | 'channel'; limit: number; retryAfterMs: number };

export interface RateLimiter {
  /** Counts the request when both limits allow it. Keys should be platform-qualified. */
  take(user: string, channel: string | undefined): RateDecision;
}

const HOUR = 60 * 60 * 1000;

export function createRateLimiter(limits: RateLimits, options: { windowMs?: number; now?: () => number } = {}): RateLimiter {
  const windowMs = options.windowMs ?? HOUR;
  const now = options.now ?? Date.now;
  const hits = new Map<string, number[]>();

  const recent = (key: string, at: number): number[] => {
    const list = (hits.get(key) ?? []).filter((t) => t > at - windowMs);
    if (list.length === 0) hits.delete(key);
    else hits.set(key, list);
    return list;
  };

  return {
    take(user, channel) {
      const at = now();
      const checks: { scope: 'user' | 'channel'; key: string; limit: number }[] = [
        { scope: 'user', key: `u:${user}`, limit: limits.userPerHour },
      ];
      if (channel !== undefined) checks.push({ scope: 'channel', key: `c:${channel}`, limit: limits.channelPerHour });
      for (const check of checks) {
        const list = recent(check.key, at);
        if (list.length >= check.limit) {
          const oldest = list[0] ?? at;
          return { allowed: false, scope: check.scope, limit: check.limit, retryAfterMs: oldest + windowMs - at };
        }
      }
      for (const check of checks) hits.set(check.key, [...recent(check.key, at), at]);
      return { allowed: true };
    },
  };
}
