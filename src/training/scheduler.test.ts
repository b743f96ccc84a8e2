import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '@redis/client';
import { sampleInteraction, sampleResult } from '../../tests/fixtures/store-contract.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../feedback/store.ts';
import { obliterateQueue } from '../queue/bull.ts';
import { createRedisLock } from './lock.ts';
import { startFineTuningStandIn } from '../../tests/standins/openai-fine-tuning.ts';
import { createCommandFineTuneProvider, createExportProvider, createOpenAIFineTuneProvider } from './providers/index.ts';
import { createModelRegistry, type ModelRegistry } from './registry.ts';
import { runTrainingOnce, startTrainingScheduler, type Clock, type RunOutcome, type TrainingRunDeps } from './scheduler.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A clock the test moves: timers fire when advanced past their time; sleep advances it. */
function manualClock(start: number) {
  let t = start;
  let timers: { at: number; callback: () => void }[] = [];
  const clock: Clock & { advance(ms: number): void; pending(): number } = {
    now: () => t,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
    setTimer(callback, ms) {
      const timer = { at: t + ms, callback };
      timers.push(timer);
      return { cancel: () => (timers = timers.filter((x) => x !== timer)) };
    },
    advance(ms) {
      t += ms;
      const due = timers.filter((x) => x.at <= t);
      timers = timers.filter((x) => x.at > t);
      for (const timer of due) timer.callback();
    },
    pending: () => timers.length,
  };
  return clock;
}

let dir: string;
let store: KeyvFeedbackStore;
let registry: ModelRegistry;
const START = Date.parse('2026-11-21T10:00:00Z');

async function addUpvoted(n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    await store.record({
      ...sampleInteraction(id),
      request: { code: `def ${prefix}${i}(x):\n    return x - ${i}\n`, tests: `assert ${prefix}${i}(1) == ${1 + i}` },
      result: sampleResult({ fixedCode: `def ${prefix}${i}(x):\n    return x + ${i}\n` }),
    });
    await store.vote(id, { user: 'U', vote: 'up', at: 1, source: 'reaction' });
  }
}

function deps(overrides: Partial<TrainingRunDeps> = {}): TrainingRunDeps {
  return {
    store,
    registry,
    provider: createExportProvider({ exportDir: path.join(dir, 'export') }),
    baseModel: 'base-model',
    defaultModelId: 'base-model',
    minExamples: 3,
    gateSamples: 2,
    dataDir: dir,
    clock: manualClock(START),
    pollIntervalMs: 1000,
    ...overrides,
  };
}

// Every test starts from an empty feedback store and a registry with no history: what a test asserts
// about examples, cursors and runs comes from what it set up itself.
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-sched-'));
  store = await createFeedbackStore({ url: `sqlite://${dir}/f.sqlite`, retentionDays: 30, dataDir: dir });
  registry = createModelRegistry(store.shared.keyv);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('runTrainingOnce', () => {
  it('waits until enough new examples exist, without moving the cursor', async () => {
    await addUpvoted(2, 'a');
    const outcome = await runTrainingOnce(deps());
    expect(outcome).toEqual({ kind: 'waiting', newExamples: 2, minExamples: 3 });
    expect((await registry.state()).cursor).toBeUndefined();
    expect((await registry.state()).lastOutcome).toBe('waiting: 2 of 3 new examples');
  });

  it('a failed job is recorded and its examples still count as new next time', async () => {
    await addUpvoted(3, 'b');
    const trainer = path.join(dir, 'fail.mjs');
    await writeFile(trainer, 'process.exit(2)');
    const provider = createCommandFineTuneProvider({ command: `${process.execPath} ${trainer} {dataset}`, workDir: path.join(dir, 'jobs') });
    const clock: Clock = { ...manualClock(START), sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) };
    const outcome = await runTrainingOnce(deps({ provider, clock }));
    expect(outcome.kind).toBe('failed');
    if (outcome.kind === 'failed') expect(outcome.version.reason).toContain('code 2');
    expect((await registry.state()).cursor).toBeUndefined();
    // Next time the same three examples are new: they go into the next job.
    const next = await runTrainingOnce(deps());
    expect(next.kind).toBe('exported');
    if (next.kind === 'exported') expect(next.version.examples + next.version.heldOut).toBe(3);
    expect((await registry.history()).map((v) => v.status)).toEqual(['failed', 'exported']);
  });

  it('exports the dataset with the export provider and then needs new examples again', async () => {
    await addUpvoted(3, 'a');
    const outcome = await runTrainingOnce(deps());
    expect(outcome.kind).toBe('exported');
    if (outcome.kind !== 'exported') return;
    const exported = await readFile(outcome.version.job?.dir ?? '', 'utf8');
    expect(exported.trim().split('\n')).toHaveLength(outcome.version.examples);
    expect(outcome.version.examples + outcome.version.heldOut).toBe(3);
    expect((await registry.state()).cursor).toBeDefined();
    expect((await runTrainingOnce(deps())).kind).toBe('waiting');
    const history = await registry.history();
    expect(history.map((v) => v.status)).toEqual(['exported']);
  });
});

describe('a run interrupted while its job trains', () => {
  it('is resumed by the next run: same job polled, no second upload', async () => {
    const api = await startFineTuningStandIn({ pollsPerState: 2, modelId: () => 'ft:resumed' });
    try {
      await addUpvoted(3, 'c');
      const provider = createOpenAIFineTuneProvider({ apiKey: 'k', baseUrl: api.url });
      const crashing: Clock = { ...manualClock(START), sleep: () => Promise.reject(new Error('process killed')) };
      await expect(runTrainingOnce(deps({ provider, clock: crashing }))).rejects.toThrow('process killed');
      expect((await registry.history()).at(-1)?.status).toBe('training');
      // A new process: fresh registry handle, same store.
      const outcome = await runTrainingOnce(deps({ provider, registry: createModelRegistry(store.shared.keyv) }));
      expect(api.files).toHaveLength(1);
      expect(api.jobs).toHaveLength(1);
      expect(outcome.kind).toBe('rejected');
      if (outcome.kind === 'rejected') {
        expect(outcome.version.modelId).toBe('ft:resumed');
        expect(outcome.version.reason).toContain('no evaluator');
      }
      expect((await registry.state()).cursor).toBeDefined();
    } finally {
      await api.close();
    }
  });
});

describe('in-process scheduler with an injected clock', () => {
  it('runs on the interval, re-arms, and never runs twice at once', async () => {
    const clock = manualClock(START);
    const outcomes: (RunOutcome | undefined)[] = [];
    let notify: () => void = () => undefined;
    const scheduler = await startTrainingScheduler({
      schedule: '6h',
      run: deps({ clock }),
      clock,
      onRun: (o) => {
        outcomes.push(o);
        notify();
      },
    });
    expect(scheduler.mode).toBe('in-process');
    expect(scheduler.nextRunAt()).toBe(START + 6 * 3_600_000);
    clock.advance(5 * 3_600_000);
    expect(outcomes).toHaveLength(0);
    const ran = new Promise<void>((r) => (notify = r));
    clock.advance(3_600_000);
    await ran;
    expect(outcomes[0]?.kind).toBe('waiting');
    // The timer re-arms once the run has released the lock.
    for (let i = 0; i < 200 && scheduler.nextRunAt() !== START + 12 * 3_600_000; i++) await new Promise((r) => setTimeout(r, 10));
    expect(scheduler.nextRunAt()).toBe(START + 12 * 3_600_000);
    const [a, b] = await Promise.all([scheduler.runNow(), scheduler.runNow()]);
    expect([a?.kind, b?.kind].sort()).toEqual([undefined, 'waiting'].sort());
    await scheduler.stop();
    expect(clock.pending()).toBe(0);
  });

  it('follows a cron expression', async () => {
    const clock = manualClock(START);
    const scheduler = await startTrainingScheduler({ schedule: '0 3 * * *', run: deps({ clock }), clock });
    expect(new Date(scheduler.nextRunAt() ?? 0).toISOString()).toBe('2026-11-22T03:00:00.000Z');
    await scheduler.stop();
  });
});

async function redisMissing(): Promise<string | undefined> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.close();
    return undefined;
  } catch (error) {
    return `no Redis at ${REDIS_URL}: ${(error as Error).message}`;
  }
}
const redisSkip = await redisMissing();
if (redisSkip) console.warn(`[skipped] training lock and BullMQ schedule: ${redisSkip}`);

describe.skipIf(redisSkip !== undefined)(`across processes (Redis)${redisSkip ? ` (skipped: ${redisSkip})` : ''}`, () => {
  const key = `tracefix:test:lock:${Date.now()}`;

  it('lets one holder at a time take the lock, and only its holder frees it', async () => {
    // A long ttl: nothing here may depend on how fast this machine is.
    const a = createRedisLock({ redisUrl: REDIS_URL, key, ttlMs: 60_000 });
    const b = createRedisLock({ redisUrl: REDIS_URL, key, ttlMs: 60_000 });
    try {
      const release = await a.acquire();
      expect(release).toBeDefined();
      expect(await b.acquire()).toBeUndefined();
      await release?.();
      const releaseB = await b.acquire();
      expect(releaseB).toBeDefined();
      expect(await a.acquire()).toBeUndefined();
      await releaseB?.();
      const again = await a.acquire();
      expect(again).toBeDefined();
      await again?.();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('frees the lock of a holder that died (stopped refreshing), and the dead holder cannot free its successor', async () => {
    const deadKey = `${key}:dead`;
    // ttl 300 ms refreshes every second at the soonest (lock.ts), so a holder that only holds it lapses.
    const dead = createRedisLock({ redisUrl: REDIS_URL, key: deadKey, ttlMs: 300 });
    const next = createRedisLock({ redisUrl: REDIS_URL, key: deadKey, ttlMs: 60_000 });
    try {
      const stale = await dead.acquire();
      expect(stale).toBeDefined();
      // Redis expires it; wait for that by asking, not by a clock.
      let mine: (() => Promise<void>) | undefined;
      await expect.poll(async () => (mine ??= await next.acquire()) !== undefined, { timeout: 20_000, interval: 50 }).toBe(true);
      await stale?.(); // a stale holder's release must not free the new holder's lock
      expect(await dead.acquire()).toBeUndefined();
      await mine?.();
      const free = await dead.acquire();
      expect(free).toBeDefined();
      await free?.();
    } finally {
      await dead.close();
      await next.close();
    }
  });

  it('runs the schedule as a BullMQ repeatable job', async () => {
    const queueName = `tracefix-training-test-${Date.now()}`;
    let notify: (o: RunOutcome | undefined) => void = () => undefined;
    const ran = new Promise<RunOutcome | undefined>((r) => (notify = r));
    const scheduler = await startTrainingScheduler({
      schedule: '1s',
      run: deps(),
      redisUrl: REDIS_URL,
      queueName,
      lock: createRedisLock({ redisUrl: REDIS_URL, key: `${key}:bull` }),
      onRun: (o) => notify(o),
    });
    try {
      expect(scheduler.mode).toBe('bullmq');
      expect((await ran)?.kind).toBe('waiting');
    } finally {
      await scheduler.stop();
      await obliterateQueue(REDIS_URL, queueName);
    }
  });
});
