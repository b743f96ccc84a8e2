import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from '../queue/bull.ts';

/**
 * Only one training run at a time, across every process of a deployment: two runs would submit two
 * jobs on the same data and race to promote. In process, a flag; with Redis, `SET key token NX PX ttl`
 * refreshed while the run lasts (fine-tune jobs take hours, so the expiry only matters when the holder
 * dies) and released only by its holder (compare-and-delete in one script).
 */
export interface TrainingLock {
  /** Resolves to a release function, or undefined when another run holds the lock. */
  acquire(): Promise<(() => Promise<void>) | undefined>;
  close(): Promise<void>;
}

export function createInProcessLock(): TrainingLock {
  let held = false;
  return {
    acquire() {
      if (held) return Promise.resolve(undefined);
      held = true;
      return Promise.resolve(() => {
        held = false;
        return Promise.resolve();
      });
    },
    close: () => Promise.resolve(),
  };
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export function createRedisLock(options: { redisUrl: string; key?: string; ttlMs?: number }): TrainingLock {
  const client = new Redis({ ...redisOptionsFromUrl(options.redisUrl), maxRetriesPerRequest: 3, lazyConnect: true });
  client.on('error', () => undefined);
  const key = options.key ?? 'tracefix:training:lock';
  const ttl = options.ttlMs ?? 60_000;
  return {
    async acquire() {
      if (client.status === 'wait') await client.connect();
      const token = randomBytes(16).toString('hex');
      const ok = await client.set(key, token, 'PX', ttl, 'NX');
      if (ok !== 'OK') return undefined;
      const timer = setInterval(() => {
        client.eval(EXTEND, 1, key, token, String(ttl)).catch(() => undefined);
      }, Math.max(1000, Math.floor(ttl / 3)));
      timer.unref();
      return async () => {
        clearInterval(timer);
        await client.eval(RELEASE, 1, key, token);
      };
    },
    async close() {
      if (client.status !== 'end' && client.status !== 'wait') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
