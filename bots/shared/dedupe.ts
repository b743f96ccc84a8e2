/**
 * Remembers ids for a while so a delivery seen twice is handled once (Slack retries an event it did not
 * see acknowledged within 3 seconds, and with several bot processes behind a load balancer the retry
 * may reach another one; a gateway may replay after a resume). A counter of one point per id on
 * rate-limiter-flexible: in memory, or on Redis when the processes share a store (counters.ts).
 */
import { consume, counter, type CounterBackend } from './rate-limit.ts';

export interface Deduper {
  /** True the first time an id is seen within the window (by any process sharing the store), false afterwards. */
  first(id: string): Promise<boolean>;
}

export function createDeduper(options: CounterBackend & { ttlMs?: number } = {}): Deduper {
  const seen = counter(1, options.ttlMs ?? 60 * 60 * 1000, options.keyPrefix ?? 'tracefix:seen', options.redis);
  return {
    async first(id) {
      return (await consume(seen, id)) === undefined;
    },
  };
}
