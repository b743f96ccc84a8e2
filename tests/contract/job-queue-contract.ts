/**
 * What every JobQueue must do, whatever carries the jobs (DESIGN.md §3): run a request on the engine
 * and return its result, relay progress, hand an engine TracefixError back as the same error without
 * retrying, bound the jobs running at once, count what waits and runs, and cancel both a waiting and
 * a running job. Run against the in-process queue and BullMQ on real Redis
 * (tests/contract/job-queue.test.ts); a new implementation is done when it passes.
 */
import { afterAll, expect, it } from 'vitest';
import { isTracefixError } from '../../src/errors.ts';
import type { JobQueue } from '../../src/queue/types.ts';
import type { Progress } from '../../src/repair/types.ts';
import { gatedService, request, type GatedService } from '../queue/gated-service.ts';

export interface QueueUnderTest {
  /** The queue front ends call (for BullMQ, the producer). */
  queue: JobQueue;
  close(): Promise<void>;
}

/** `open(service, concurrency)` builds a queue whose jobs run on `service`. */
export function jobQueueContract(open: (service: GatedService, concurrency: number) => Promise<QueueUnderTest>): void {
  const codeOf = (error: unknown): string => (isTracefixError(error) ? error.code : String(error));
  const opened: QueueUnderTest[] = [];
  const setup = async (concurrency = 1, progress?: Progress[]) => {
    const service = gatedService(progress);
    const under = await open(service, concurrency);
    opened.push(under);
    return { service, queue: under.queue };
  };
  afterAll(async () => {
    for (const under of opened) await under.close();
  });

  it('runs the request on the engine, relays its progress and returns its result', async () => {
    const progress: Progress[] = [
      { stage: 'tests', message: 'Running tests' },
      { stage: 'search', message: 'Trying 3 candidates', done: 1, total: 3 },
    ];
    const { service, queue } = await setup(1, progress);
    const seen: Progress[] = [];
    const run = queue.run(request('c-run'), { onProgress: (p) => seen.push(p) });
    await service.waitStarted('c-run');
    service.release('c-run');
    const result = await run;
    expect(result.requestId).toBe('c-run');
    expect(result.status).toBe('fixed');
    expect(seen.map((p) => p.message)).toEqual(expect.arrayContaining(['Running tests', 'Trying 3 candidates']));
  });

  it("returns the engine's TracefixError as the same error, and runs it once", async () => {
    const { service, queue } = await setup();
    const run = queue.run(request('c-bad', 'bad'));
    await service.waitStarted('c-bad');
    service.release('c-bad');
    const error: unknown = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(codeOf(error)).toBe('bad_input');
    expect((error as { userMessage?: string }).userMessage).toBe('That is not Python.');
    expect(service.started.filter((id) => id === 'c-bad')).toHaveLength(1);
  });

  it('runs at most `concurrency` jobs at once and counts the waiting ones', async () => {
    const { service, queue } = await setup(1);
    const first = queue.run(request('c-slot-1'));
    await service.waitStarted('c-slot-1');
    const second = queue.run(request('c-slot-2'));
    await expect.poll(() => queue.depth()).toEqual({ waiting: 1, active: 1 });
    expect(service.started).not.toContain('c-slot-2');
    service.release('c-slot-1');
    await first;
    await service.waitStarted('c-slot-2');
    service.release('c-slot-2');
    await second;
    expect(service.maxRunning).toBe(1);
  });

  it('cancels a waiting job without running it, and signals a running one', async () => {
    const { service, queue } = await setup(1);
    const running = new AbortController();
    const waiting = new AbortController();
    const first = queue.run(request('c-cancel-run'), { signal: running.signal });
    await service.waitStarted('c-cancel-run');
    const second = queue.run(request('c-cancel-wait'), { signal: waiting.signal });
    await expect.poll(() => queue.depth()).toEqual({ waiting: 1, active: 1 });
    waiting.abort();
    expect(codeOf(await second.catch((e: unknown) => e))).toBe('cancelled');
    running.abort();
    expect(codeOf(await first.catch((e: unknown) => e))).toBe('cancelled');
    expect(service.started).not.toContain('c-cancel-wait');
    await expect.poll(() => queue.depth()).toEqual({ waiting: 0, active: 0 });
  });
}
