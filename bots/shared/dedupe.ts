/**
 * Remembers ids for a while so a delivery seen twice is handled once (Slack retries an event it did not
 * see acknowledged within 3 seconds; a gateway may replay after a resume). Bounded in size and time.
 */
export interface Deduper {
  /** True the first time an id is seen within the window, false afterwards. */
  first(id: string): boolean;
}

export function createDeduper(options: { ttlMs?: number; max?: number; now?: () => number } = {}): Deduper {
  const ttlMs = options.ttlMs ?? 60 * 60 * 1000;
  const max = options.max ?? 10_000;
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  return {
    first(id) {
      const at = now();
      for (const [key, time] of seen) {
        // Insertion order is time order, so the sweep can stop at the first live entry.
        if (time > at - ttlMs && seen.size <= max) break;
        seen.delete(key);
      }
      if (seen.has(id)) return false;
      seen.set(id, at);
      return true;
    },
  };
}
