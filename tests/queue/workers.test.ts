/**
 * Scale-out for real: two worker PROCESSES (src/queue/worker-main.ts under tsx, each with the real
 * engine's program search on its own sandbox) against the machine's Redis, and a producer in this
 * process. Every job completes exactly once, the work spreads over both workers, and a job whose
 * worker is killed mid-run is recovered and completed by the other one.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createBullQueue, obliterateQueue, redisOptionsFromUrl, takeoverBoundMs, type BullJobQueue } from '../../src/queue/index.ts';
import type { Progress, RepairRequest } from '../../src/repair/types.ts';
import { REDIS_URL, redisMissing, uniqueQueueName } from './redis.ts';

const missing = await redisMissing();
if (missing) console.warn(`[skip] tests/queue/workers.test.ts: ${missing}`);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOCK_MS = 2_000;
const STALLED_MS = 1_000;

interface LogLine {
  /** When this process read the line (ms since the epoch). */
  seenAt: number;
  msg: string;
  requestId?: string;
  worker?: string;
  status?: string;
}

interface WorkerProcess {
  name: string;
  child: ChildProcessWithoutNullStreams;
  lines: LogLine[];
  stderr: string[];
  exited: Promise<number | null>;
}

function startWorker(name: string, queueName: string): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/queue/worker-main.ts', '--queue', queueName, '--name', name, '--lock-ms', String(LOCK_MS), '--stalled-ms', String(STALLED_MS)],
    {
      cwd: ROOT,
      // Only what the worker needs: its config comes from these, nothing else of ours leaks in.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        REDIS_URL,
        TRACEFIX_SANDBOX: 'process',
        QUEUE_CONCURRENCY: '1',
        LOG_LEVEL: 'info',
      },
    },
  );
  const worker: WorkerProcess = {
    name,
    child,
    lines: [],
    stderr: [],
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  let buffer = '';
  child.stderr.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      try {
        worker.lines.push({ ...(JSON.parse(line) as Omit<LogLine, 'seenAt'>), seenAt: Date.now() });
      } catch {
        worker.stderr.push(line);
      }
    }
  });
  child.stdout.resume();
  return worker;
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const BUGGY = ['def sum_to(n):', '    total = 0', '    for i in range(1, n):', '        total += i', '    return total', ''].join('\n');

function job(id: string, k: number): RepairRequest {
  // Different expected values per job so no two jobs are the same program.
  const tests = [`assert sum_to(${k}) == ${(k * (k + 1)) / 2}`, 'assert sum_to(1) == 1', `assert sum_to(${k + 1}) == ${((k + 1) * (k + 2)) / 2}`].join('\n');
  return { id, code: BUGGY, tests, origin: { platform: 'cli' } };
}

const count = (workers: WorkerProcess[], msg: string, id: string) =>
  workers.flatMap((w) => w.lines.filter((l) => l.msg === msg && l.requestId === id).map(() => w.name));

describe.skipIf(missing !== undefined)('BullMQ workers in separate processes (real Redis, real engine)', () => {
  const queueName = uniqueQueueName('workers');
  const runId = queueName.slice(-6);
  let workers: WorkerProcess[] = [];
  let producer: BullJobQueue;

  beforeAll(async () => {
    workers = [startWorker('wA', queueName), startWorker('wB', queueName)];
    for (const worker of workers) {
      await waitFor(
        () => worker.lines.some((l) => l.msg === 'worker ready') || worker.child.exitCode !== null,
        `${worker.name} ready`,
      );
      if (worker.child.exitCode !== null) throw new Error(`${worker.name} exited: ${worker.stderr.join('\n')}`);
    }
    producer = createBullQueue({ redisUrl: REDIS_URL, concurrency: 1, role: 'producer', queueName });
    await producer.ready();
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
    }
    await Promise.all(workers.map((w) => w.exited));
    await obliterateQueue(REDIS_URL, queueName);
  }, 60_000);

  it('completes every job exactly once, spread over both workers, with progress relayed', async () => {
    const ids = [1, 2, 3, 4, 5, 6].map((k) => `${runId}-spread-${k}`);
    const progress = new Map<string, Progress[]>();
    const results = await Promise.all(
      ids.map((id, i) => {
        const seen: Progress[] = [];
        progress.set(id, seen);
        return producer.run(job(id, i + 2), { onProgress: (p) => seen.push(p), deadline: Date.now() + 90_000 });
      }),
    );
    for (const [i, result] of results.entries()) {
      expect(result.requestId).toBe(ids[i]);
      expect(result.status).toBe('fixed');
      expect(result.tests.every((row) => row.after === 'passed')).toBe(true);
    }
    // Log lines travel through a pipe and may trail the result by a few milliseconds.
    await waitFor(() => ids.every((id) => count(workers, 'repair job done', id).length > 0), 'the workers\' done lines', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const id of ids) {
      expect(count(workers, 'repair job done', id)).toHaveLength(1);
      expect(count(workers, 'repair job started', id)).toHaveLength(1);
      // Relayed from the worker process: more than the producer's own "queued".
      expect(progress.get(id)?.some((p) => p.stage !== 'queued')).toBe(true);
    }
    const doneBy = new Set(ids.flatMap((id) => count(workers, 'repair job done', id)));
    expect(doneBy).toEqual(new Set(['wA', 'wB']));
  }, 180_000);

  it('recovers the job of a killed worker: the other one completes it, once', async () => {
    const id = `${runId}-killed`;
    const run = producer.run(job(id, 7), { deadline: Date.now() + 90_000 });
    await waitFor(() => count(workers, 'repair job started', id).length > 0, 'the job to start');
    const [victimName] = count(workers, 'repair job started', id);
    const victim = workers.find((w) => w.name === victimName);
    const survivor = workers.find((w) => w.name !== victimName);
    expect(victim && survivor).toBeTruthy();
    const killedAt = Date.now();
    victim?.child.kill('SIGKILL');
    await victim?.exited;

    const result = await run;
    expect(result.status).toBe('fixed');
    await waitFor(() => count(workers, 'repair job done', id).length > 0, 'the survivor\'s done line', 5_000);
    expect(count(workers, 'repair job done', id)).toEqual([survivor?.name]);
    expect(count(workers, 'repair job started', id).sort()).toEqual([victim?.name, survivor?.name].sort());
    expect(survivor?.lines.some((l) => l.msg === 'recovered a stalled repair job' && l.requestId === id)).toBe(true);
    // Taken over within the bound README states for the default settings (lock + one stalled check),
    // here with the test's shorter lock; the extra seconds absorb a loaded machine's scheduling.
    const takenOverAt = survivor?.lines.find((l) => l.msg === 'repair job started' && l.requestId === id)?.seenAt ?? Infinity;
    expect(takenOverAt - killedAt).toBeLessThanOrEqual(takeoverBoundMs(LOCK_MS, STALLED_MS) + 3_000);

    // BullMQ's own record agrees: the survivor finished it after one stall.
    const queue = new Queue(queueName, { connection: redisOptionsFromUrl(REDIS_URL), prefix: 'tracefix' });
    try {
      const record = await queue.getJob(id);
      expect(record?.processedBy).toBe(survivor?.name);
      expect(await record?.getState()).toBe('completed');
      expect(record?.attemptsStarted).toBe(2);
    } finally {
      await queue.close();
    }
  }, 120_000);
});

describe('the takeover time README promises', () => {
  it('is the default lock plus one stalled-job check', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const stated = /another worker takes the job over within (\d+) s/.exec(readme);
    expect(stated, 'README states the takeover time').not.toBeNull();
    expect(Number(stated![1]) * 1000).toBe(takeoverBoundMs());
  });
});
