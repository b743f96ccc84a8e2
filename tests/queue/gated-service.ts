import { TracefixError } from '../../src/errors.ts';
import type { Progress, RepairRequest, RepairResult, RepairService, RunOptions } from '../../src/repair/types.ts';

/**
 * A RepairService whose runs finish when the test says so: the queue's scheduling (slots, order,
 * cancel, deadline) is what is under test here, and only a controllable service can show it. The
 * engine itself runs through the queues in the end-to-end tests.
 */
export interface GatedService extends RepairService {
  started: string[];
  running: Set<string>;
  maxRunning: number;
  signals: Map<string, AbortSignal>;
  release(id: string): void;
  waitStarted(id: string): Promise<void>;
}

export function resultFor(request: RepairRequest): RepairResult {
  return {
    requestId: request.id,
    status: 'fixed',
    summary: 'ok',
    tests: [],
    candidates: { tried: 1, passed: 1, fromModel: 0, fromSearch: 1 },
    model: { id: 'gated' },
    timings: { totalMs: 1 },
  };
}

export function gatedService(progress: Progress[] = [{ stage: 'tests', message: 'Running tests' }]): GatedService {
  const gates = new Map<string, () => void>();
  const startWaiters = new Map<string, () => void>();
  const service: GatedService = {
    started: [],
    running: new Set(),
    maxRunning: 0,
    signals: new Map(),
    release(id) {
      const open = gates.get(id);
      if (open) open();
      else gates.set(id, () => undefined);
    },
    waitStarted(id) {
      if (service.started.includes(id)) return Promise.resolve();
      return new Promise((resolve) => startWaiters.set(id, resolve));
    },
    async run(request: RepairRequest, options: RunOptions = {}) {
      service.started.push(request.id);
      service.running.add(request.id);
      service.maxRunning = Math.max(service.maxRunning, service.running.size);
      if (options.signal) service.signals.set(request.id, options.signal);
      startWaiters.get(request.id)?.();
      try {
        for (const p of progress) options.onProgress?.(p);
        await new Promise<void>((resolve, reject) => {
          if (gates.has(request.id)) return resolve();
          gates.set(request.id, resolve);
          options.signal?.addEventListener('abort', () => reject(new TracefixError('cancelled', 'The request was cancelled before it finished.')), { once: true });
        });
        if (request.code === 'bad') throw new TracefixError('bad_input', 'That is not Python.');
        return resultFor(request);
      } finally {
        service.running.delete(request.id);
      }
    },
  };
  return service;
}

export function request(id: string, code = 'def f(): pass'): RepairRequest {
  return { id, code, tests: 'assert f() is None', origin: { platform: 'cli' } };
}
