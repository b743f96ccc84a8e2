import { TracefixError } from '../errors.ts';
import type { RepairRequest, RepairResult, RepairService, RunOptions } from '../repair/types.ts';
import type { JobQueue, QueueDepth } from './types.ts';

export interface InProcessQueueOptions {
  service: RepairService;
  /** Repairs running at once; each holds sandbox runners, so this should not exceed the sandbox pool. */
  concurrency: number;
}

interface Waiter {
  start: () => void;
  fail: (error: TracefixError) => void;
}

export function cancelledError(): TracefixError {
  return new TracefixError('cancelled', 'The request was cancelled before it finished.');
}

export function deadlineError(): TracefixError {
  return new TracefixError('deadline', 'This took longer than the time allowed for one request; try a smaller snippet.', {
    retryable: true,
  });
}

/**
 * The embedded default: a FIFO with a fixed number of slots in this process. Waiting requests can be
 * cancelled or time out without ever touching the engine; running ones get the signal and deadline.
 */
export function createInProcessQueue(options: InProcessQueueOptions): JobQueue {
  const { service } = options;
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const waiting: Waiter[] = [];
  let active = 0;
  let closed = false;

  const release = (): void => {
    active -= 1;
    const next = waiting.shift();
    if (next) next.start();
  };

  /** Resolves when a slot is ours; rejects on cancel, deadline or close while waiting. */
  const acquire = (runOptions: RunOptions): Promise<void> => {
    if (active < concurrency && waiting.length === 0) {
      active += 1;
      return Promise.resolve();
    }
    runOptions.onProgress?.({ stage: 'queued', message: `Waiting for a free worker (${waiting.length + 1} in line)` });
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        runOptions.signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        start: () => {
          cleanup();
          active += 1;
          resolve();
        },
        fail: (error) => {
          cleanup();
          const index = waiting.indexOf(waiter);
          if (index >= 0) waiting.splice(index, 1);
          reject(error);
        },
      };
      const onAbort = (): void => waiter.fail(cancelledError());
      runOptions.signal?.addEventListener('abort', onAbort, { once: true });
      if (runOptions.deadline !== undefined) {
        timer = setTimeout(() => waiter.fail(deadlineError()), Math.max(0, runOptions.deadline - Date.now()));
      }
      waiting.push(waiter);
    });
  };

  return {
    kind: 'in-process',
    async run(request: RepairRequest, runOptions: RunOptions = {}): Promise<RepairResult> {
      if (closed) throw new TracefixError('sandbox_unavailable', 'The service is shutting down; try again in a moment.', { retryable: true });
      if (runOptions.signal?.aborted) throw cancelledError();
      if (runOptions.deadline !== undefined && runOptions.deadline <= Date.now()) throw deadlineError();
      await acquire(runOptions);
      try {
        return await service.run(request, runOptions);
      } finally {
        release();
      }
    },
    depth(): Promise<QueueDepth> {
      return Promise.resolve({ waiting: waiting.length, active });
    },
    async close(): Promise<void> {
      closed = true;
      for (const waiter of [...waiting]) waiter.fail(new TracefixError('cancelled', 'The service is shutting down; try again in a moment.', { retryable: true }));
      // Running jobs finish on their own (their callers hold the promises); wait so the sandbox can close after.
      while (active > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}
