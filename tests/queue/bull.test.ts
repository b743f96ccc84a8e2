/**
 * BullMQ queue semantics against the machine's real Redis, producer and worker in this process
 * (tests/queue/workers.test.ts runs separate worker processes with the real engine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTracefixError } from '../../src/errors.ts';
import { createBullQueue, obliterateQueue, type JobQueue } from '../../src/queue/index.ts';
import type { Progress } from '../../src/repair/types.ts';
import { gatedService, request } from './gated-service.ts';
import { REDIS_URL, redisMissing, uniqueQueueName } from './redis.ts';

const missing = await redisMissing();
if (missing) console.warn(`[skip] tests/queue/bull.test.ts: ${missing}`);
const codeOf = (error: unknown) => (isTracefixError(error) ? error.code : String(error));

describe.skipIf(missing !== undefined)('BullMQ JobQueue (real Redis)', () => {
  const name = uniqueQueueName('bull');
  const service = gatedService([
    { stage: 'tests', message: 'Running tests' },
    { stage: 'search', message: 'Trying 3 candidates', done: 1, total: 3 },
  ]);
  let producer: JobQueue;
  let worker: JobQueue;

  beforeAll(() => {
    producer = createBullQueue({ redisUrl: REDIS_URL, concurrency: 1, role: 'producer', queueName: name });
    worker = createBullQueue({ redisUrl: REDIS_URL, concurrency: 1, role: 'worker', queueName: name, service, workerName: 'w1' });
  });

  afterAll(async () => {
    await producer?.close();
    await worker?.close();
    await obliterateQueue(REDIS_URL, name);
  });

  it('runs a job on the worker, relays progress, and returns the result', async () => {
    const seen: Progress[] = [];
    const run = producer.run(request('job-1'), { onProgress: (p) => seen.push(p) });
    await service.waitStarted('job-1');
    expect(await producer.depth()).toEqual({ waiting: 0, active: 1 });
    service.release('job-1');
    const result = await run;
    expect(result.requestId).toBe('job-1');
    expect(result.status).toBe('fixed');
    expect(seen.map((p) => p.stage)).toEqual(['queued', 'tests', 'search']);
    expect(seen[2]).toEqual({ stage: 'search', message: 'Trying 3 candidates', done: 1, total: 3 });
  });

  it('returns an engine TracefixError to the producer as the same error, without retrying', async () => {
    service.release('job-bad');
    await expect(producer.run(request('job-bad', 'bad'))).rejects.toSatisfy(
      (e) => codeOf(e) === 'bad_input' && isTracefixError(e) && e.userMessage === 'That is not Python.',
    );
    expect(service.started.filter((id) => id === 'job-bad')).toHaveLength(1);
  });

  it('runs a request submitted twice (same id) once', async () => {
    const first = producer.run(request('job-dup'));
    await service.waitStarted('job-dup');
    const second = producer.run(request('job-dup'));
    service.release('job-dup');
    const [a, b] = await Promise.all([first, second]);
    expect(a.requestId).toBe('job-dup');
    expect(b.requestId).toBe('job-dup');
    expect(service.started.filter((id) => id === 'job-dup')).toHaveLength(1);
  });

  it('cancels: a waiting job is removed, a running one gets its abort signal on the worker', async () => {
    const running = new AbortController();
    const waiting = new AbortController();
    const a = producer.run(request('job-run'), { signal: running.signal });
    await service.waitStarted('job-run');
    const b = producer.run(request('job-wait'), { signal: waiting.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await producer.depth()).waiting).toBe(1);
    waiting.abort();
    await expect(b).rejects.toSatisfy((e) => codeOf(e) === 'cancelled');
    running.abort();
    await expect(a).rejects.toSatisfy((e) => codeOf(e) === 'cancelled');
    const signal = service.signals.get('job-run');
    await expect.poll(() => signal?.aborted, { timeout: 3000 }).toBe(true);
    await expect.poll(async () => (await producer.depth()).waiting, { timeout: 3000 }).toBe(0);
    expect(service.started).not.toContain('job-wait');
  });
});
