/** The JobQueue contract on both implementations: in process, and BullMQ on the machine's Redis. */
import { describe } from 'vitest';
import { createBullQueue, createInProcessQueue, obliterateQueue } from '../../src/queue/index.ts';
import { REDIS_URL, redisMissing, uniqueQueueName } from '../queue/redis.ts';
import { jobQueueContract } from './job-queue-contract.ts';

describe('JobQueue contract: in process', () => {
  jobQueueContract((service, concurrency) => {
    const queue = createInProcessQueue({ service, concurrency });
    return Promise.resolve({ queue, close: () => queue.close() });
  });
});

const missing = await redisMissing();
if (missing) console.warn(`[skip] JobQueue contract on BullMQ: ${missing}`);

describe.skipIf(missing !== undefined)(`JobQueue contract: BullMQ on Redis${missing ? ` (skipped: ${missing})` : ''}`, () => {
  jobQueueContract((service, concurrency) => {
    const queueName = uniqueQueueName('contract');
    const queue = createBullQueue({ redisUrl: REDIS_URL, concurrency, role: 'producer', queueName });
    const worker = createBullQueue({ redisUrl: REDIS_URL, concurrency, role: 'worker', queueName, service, workerName: 'contract' });
    return Promise.resolve({
      queue,
      async close() {
        await queue.close();
        await worker.close();
        await obliterateQueue(REDIS_URL, queueName);
      },
    });
  });
});
