import { describe, expect, it } from 'vitest';
import { isTracefixError } from '../../src/errors.ts';
import type { Progress } from '../../src/repair/types.ts';
import { createInProcessQueue } from '../../src/queue/index.ts';
import { gatedService, request } from './gated-service.ts';

const codeOf = (error: unknown) => (isTracefixError(error) ? error.code : String(error));

describe('in-process JobQueue', () => {
  it('runs at most `concurrency` repairs at once, in arrival order, and reports depth', async () => {
    const service = gatedService();
    const queue = createInProcessQueue({ service, concurrency: 2 });
    const runs = ['a', 'b', 'c', 'd'].map((id) => queue.run(request(id)));
    await service.waitStarted('b');
    expect(service.started).toEqual(['a', 'b']);
    expect(await queue.depth()).toEqual({ waiting: 2, active: 2 });
    service.release('b');
    await service.waitStarted('c');
    expect(service.started).toEqual(['a', 'b', 'c']);
    for (const id of ['a', 'c', 'd']) service.release(id);
    const results = await Promise.all(runs);
    expect(results.map((r) => r.requestId)).toEqual(['a', 'b', 'c', 'd']);
    expect(service.maxRunning).toBe(2);
    expect(await queue.depth()).toEqual({ waiting: 0, active: 0 });
    await queue.close();
  });

  it('passes progress through, with a queued stage while waiting', async () => {
    const service = gatedService();
    const queue = createInProcessQueue({ service, concurrency: 1 });
    const seen: Progress[] = [];
    const first = queue.run(request('p1'));
    const second = queue.run(request('p2'), { onProgress: (p) => seen.push(p) });
    await service.waitStarted('p1');
    expect(seen.map((p) => p.stage)).toEqual(['queued']);
    service.release('p1');
    service.release('p2');
    await Promise.all([first, second]);
    expect(seen.map((p) => p.stage)).toEqual(['queued', 'tests']);
    await queue.close();
  });

  it('cancels a waiting request without starting it, and a running one through its signal', async () => {
    const service = gatedService();
    const queue = createInProcessQueue({ service, concurrency: 1 });
    const running = new AbortController();
    const waiting = new AbortController();
    const a = queue.run(request('c1'), { signal: running.signal });
    const b = queue.run(request('c2'), { signal: waiting.signal });
    await service.waitStarted('c1');
    waiting.abort();
    await expect(b).rejects.toSatisfy((e) => codeOf(e) === 'cancelled');
    expect(service.started).toEqual(['c1']);
    running.abort();
    await expect(a).rejects.toSatisfy((e) => codeOf(e) === 'cancelled');
    expect(await queue.depth()).toEqual({ waiting: 0, active: 0 });
    await queue.close();
  });

  it('gives up on a request whose deadline passes while it waits', async () => {
    const service = gatedService();
    const queue = createInProcessQueue({ service, concurrency: 1 });
    const a = queue.run(request('d1'));
    const b = queue.run(request('d2'), { deadline: Date.now() + 50 });
    await expect(b).rejects.toSatisfy((e) => codeOf(e) === 'deadline');
    service.release('d1');
    await a;
    expect(service.started).toEqual(['d1']);
    await queue.close();
  });

  it('passes TracefixErrors from the engine through unchanged', async () => {
    const service = gatedService();
    const queue = createInProcessQueue({ service, concurrency: 1 });
    service.release('e1');
    await expect(queue.run(request('e1', 'bad'))).rejects.toSatisfy((e) => codeOf(e) === 'bad_input');
    await queue.close();
  });
});
