import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleResult } from '../../tests/fixtures/store-contract.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../../src/feedback/store.ts';
import type { FeedbackStore } from '../../src/feedback/types.ts';
import { createLogger } from '../../src/log.ts';
import type { Origin, RepairRequest, RepairService, RunOptions } from '../../src/repair/types.ts';
import { runAndRecord, toRepairRequest, voteOfReaction, withAddedTest } from './flow.ts';

const ORIGIN: Origin = { platform: 'slack', workspace: 'T1', channel: 'C1', user: 'U1', message: 'm1' };

describe('withAddedTest', () => {
  it('appends the test; a picked answer is also recorded as confirmed, a typed assert is not', () => {
    const paste = { code: 'def f(x):\n    return x\n', tests: 'assert f(1) == 2\n' };
    const picked = withAddedTest(paste, 'assert f(2) == 3', true);
    expect(picked).toEqual({ ...paste, tests: 'assert f(1) == 2\nassert f(2) == 3', confirmedTests: ['assert f(2) == 3'] });
    const typed = withAddedTest(picked, 'assert f(5) == 6\n', false);
    expect(typed.tests).toBe('assert f(1) == 2\nassert f(2) == 3\nassert f(5) == 6');
    expect(typed.confirmedTests).toEqual(['assert f(2) == 3']);
    expect(withAddedTest(paste, 'assert f(0) == 1', false)).not.toHaveProperty('confirmedTests');
    expect(toRepairRequest('r', picked, ORIGIN).confirmedTests).toEqual(['assert f(2) == 3']);
  });
});

describe('toRepairRequest', () => {
  it('copies what the paste has and nothing undefined; Python is the default language, not written', () => {
    expect(toRepairRequest('r1', { code: 'x = 1' }, ORIGIN)).toEqual({ id: 'r1', code: 'x = 1', origin: ORIGIN });
    expect(Object.keys(toRepairRequest('r1', { code: 'x', tests: undefined, description: undefined, entryPoint: undefined, language: undefined }, ORIGIN))).toEqual(['id', 'code', 'origin']);
    expect(toRepairRequest('r2', { code: 'c', tests: 't', description: 'd', entryPoint: 'f', language: 'python' }, ORIGIN)).toEqual({
      id: 'r2',
      code: 'c',
      origin: ORIGIN,
      tests: 't',
      description: 'd',
      entryPoint: 'f',
    });
    expect(toRepairRequest('r3', { code: 'c', language: 'typescript' }, ORIGIN).language).toBe('typescript');
    expect(toRepairRequest('r3', { code: 'c', language: 'javascript' }, ORIGIN).language).toBe('javascript');
  });
});

describe('voteOfReaction', () => {
  it('reads thumbs up and down in Slack’s and Discord’s spellings, with skin tones', () => {
    for (const name of ['+1', '+1::skin-tone-3', 'thumbsup', 'thumbsup::skin-tone-6', '👍', '👍🏽']) expect(voteOfReaction(name)).toBe('up');
    for (const name of ['-1', '-1::skin-tone-2', 'thumbsdown', '👎', '👎🏿']) expect(voteOfReaction(name)).toBe('down');
    for (const name of ['heart', '', 'x+1', '::+1', 'thumbs', 'tada::skin-tone-2']) expect(voteOfReaction(name)).toBeUndefined();
  });
});

describe('runAndRecord', () => {
  let dir: string;
  let store: KeyvFeedbackStore;
  let logLines: Record<string, unknown>[];
  const logger = () => {
    logLines = [];
    return createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    });
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tracefix-flow-'));
    store = await createFeedbackStore({ url: `sqlite://${dir}/f.sqlite`, retentionDays: 30, dataDir: dir });
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A repair service that reports progress, answers with a sample result, and records what it was given. */
  function service(progress: string[] = [], fail?: Error): RepairService & { options: RunOptions[] } {
    const options: RunOptions[] = [];
    return {
      options,
      async run(request: RepairRequest, given: RunOptions = {}) {
        options.push(given);
        for (const [i, message] of progress.entries()) {
          given.onProgress?.({ stage: 'verify', message, done: i + 1, total: progress.length });
          // The repair works a while between two reports.
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
        if (fail) throw fail;
        return sampleResult({ requestId: request.id, prompt: 'PROMPT' });
      },
    };
  }

  const request = (id: string, extra: Partial<RepairRequest> = {}): RepairRequest => ({ id, code: 'def f():\n    return 1\n', origin: ORIGIN, ...extra });

  it('runs with the bot’s signal and a deadline, records the interaction under the request id, and returns the result', async () => {
    const svc = service();
    const controller = new AbortController();
    const before = Date.now();
    const { result, recorded } = await runAndRecord(
      { service: svc, store, logger: logger(), deadlineMs: 60_000, statusIntervalMs: 10, signal: controller.signal },
      request('flow-1', { tests: 'assert f() == 2', description: 'd', entryPoint: 'f', language: 'javascript' }),
      () => Promise.resolve(),
    );
    expect(recorded).toBe(true);
    expect(result.requestId).toBe('flow-1');
    expect(svc.options[0]?.signal).toBe(controller.signal);
    const deadline = svc.options[0]?.deadline ?? 0;
    expect(deadline).toBeGreaterThanOrEqual(before + 60_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 60_000);
    const stored = await store.get('flow-1');
    // The store keeps pseudonyms of the ids (its own business); the platform and message as they came.
    expect(stored?.origin).toMatchObject({ platform: 'slack', message: 'm1' });
    expect(stored?.request).toEqual({ code: 'def f():\n    return 1\n', tests: 'assert f() == 2', description: 'd', entryPoint: 'f', language: 'javascript' });
    expect(stored?.prompt).toBe('PROMPT');
    expect(stored?.result.status).toBe('fixed');
    expect(logLines.find((l) => l.msg === 'repair finished')).toMatchObject({ requestId: 'flow-1', platform: 'slack', status: 'fixed', tried: 3 });
  });

  it('records only the request fields the repair had, and no prompt when no model wrote the fix', async () => {
    const svc: RepairService = { run: (r) => Promise.resolve(sampleResult({ requestId: r.id })) };
    await runAndRecord({ service: svc, store, logger: logger(), deadlineMs: 1000, statusIntervalMs: 10, signal: new AbortController().signal }, request('flow-2'), () => Promise.resolve());
    const stored = await store.get('flow-2');
    expect(stored?.request).toEqual({ code: 'def f():\n    return 1\n' });
    expect(stored?.prompt).toBeUndefined();
  });

  it('shows progress as status lines, the first at once, and none after the repair is over', async () => {
    const lines: string[] = [];
    await runAndRecord(
      { service: service(['Running the tests', 'Trying fixes']), store, logger: logger(), deadlineMs: 1000, statusIntervalMs: 60_000, signal: new AbortController().signal },
      request('flow-3'),
      (line) => {
        lines.push(line);
        return Promise.resolve();
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The second line came within the interval and was stale by the end: dropped, not sent late.
    expect(lines).toEqual(['⏳ Running the tests (1/2)']);
  });

  it('logs a failed status edit and still answers', async () => {
    const { result } = await runAndRecord(
      { service: service(['Running the tests']), store, logger: logger(), deadlineMs: 1000, statusIntervalMs: 10, signal: new AbortController().signal },
      request('flow-4'),
      () => Promise.reject(new Error('chat.update failed')),
    );
    expect(result.status).toBe('fixed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logLines.find((l) => l.msg === 'status update failed')).toMatchObject({ requestId: 'flow-4', level: 40 });
  });

  it('answers even when the store cannot record, and says it did not record', async () => {
    const broken: FeedbackStore = { ...store, record: () => Promise.reject(new Error('disk full')) };
    const { result, recorded } = await runAndRecord(
      { service: service(), store: broken, logger: logger(), deadlineMs: 1000, statusIntervalMs: 10, signal: new AbortController().signal },
      request('flow-5'),
      () => Promise.resolve(),
    );
    expect(result.status).toBe('fixed');
    expect(recorded).toBe(false);
    expect(logLines.find((l) => l.msg === 'could not record the interaction')).toMatchObject({ requestId: 'flow-5', level: 40 });
  });

  it('rejects with the service’s error, records nothing and sends no status after it', async () => {
    const lines: string[] = [];
    const failure = new Error('engine down');
    await expect(
      runAndRecord(
        { service: service(['Running the tests', 'Again'], failure), store, logger: logger(), deadlineMs: 1000, statusIntervalMs: 60_000, signal: new AbortController().signal },
        request('flow-6'),
        (line) => {
          lines.push(line);
          return Promise.resolve();
        },
      ),
    ).rejects.toBe(failure);
    expect(await store.get('flow-6')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines).toEqual(['⏳ Running the tests (1/2)']);
  });
});
