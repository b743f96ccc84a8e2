import { runCli, type CliRun } from '../fixtures/cli.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleInteraction, sampleResult } from '../fixtures/store-contract.ts';
import { createFeedbackStore } from '../../src/feedback/store.ts';
import { createModelRegistry } from '../../src/training/registry.ts';

let dir: string;
let env: NodeJS.ProcessEnv;

function cli(...argv: string[]): Promise<CliRun> {
  return runCli(argv, env);
}

// Every test gets the same fresh store: `forget` deletes records the dataset and models tests read.
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-cli-'));
  env = { DATA_DIR: dir, PSEUDONYM_SECRET: 'cli-secret', LOG_LEVEL: 'silent', MODEL_NAME: 'gpt-base' };
  const store = await createFeedbackStore({ url: `sqlite://${dir}/tracefix.sqlite`, retentionDays: 180, dataDir: dir, pseudonymSecret: 'cli-secret' });
  await store.record({ ...sampleInteraction('good', 'U123'), request: { code: 'token = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"\ndef f(): return 1\n', tests: 'assert f() == 2' }, result: sampleResult({ fixedCode: 'def f(): return 2\n' }) });
  await store.vote('good', { user: 'U9', vote: 'up', at: 1, source: 'reaction' });
  await store.record(sampleInteraction('other', 'U555'));
  await store.vote('other', { user: 'U123', vote: 'up', at: 1, source: 'reaction' });
  await store.record({ ...sampleInteraction('bad'), result: sampleResult({ status: 'not_fixed', tests: [{ id: 't', name: 't', before: 'failed', after: 'failed' }] }) });
  await store.vote('bad', { user: 'U9', vote: 'up', at: 1, source: 'reaction' });
  const registry = createModelRegistry(store.shared.keyv);
  await registry.save({ id: 'run-1', modelId: 'ft:gpt-base:tracefix:1', baseModel: 'gpt-base', provider: 'openai', examples: 40, heldOut: 5, createdAt: 1, status: 'evaluating' });
  await registry.promote('run-1', { liveModelId: 'gpt-base', candidate: 0.5, live: 0.25, tasks: 5, samples: 4 }, 'promoted: better', 2);
  await registry.save({ id: 'run-2', modelId: 'ft:gpt-base:tracefix:2', baseModel: 'gpt-base', provider: 'openai', examples: 60, heldOut: 6, createdAt: 3, status: 'rejected', reason: 'rejected: worse', scores: { liveModelId: 'ft:gpt-base:tracefix:1', candidate: 0.1, live: 0.5, tasks: 6, samples: 4 } });
  await store.close();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('tracefix dataset / models / forget', () => {
  it('dataset build writes the JSONL and explains the drops', async () => {
    const out = path.join(dir, 'ds', 'train.jsonl');
    const { code, out: text } = await cli('dataset', 'build', '--out', out, '--held-out', '0');
    expect(code).toBe(0);
    expect(text).toContain('kept 2');
    expect(text).toMatch(/1\s+fix did not pass all tests/);
    expect(text).toMatch(/github token/);
    const jsonl = await readFile(out, 'utf8');
    expect(jsonl.trim().split('\n')).toHaveLength(2);
    expect(jsonl).not.toContain('ghp_aBcD');
  });

  it('dataset rejects a bad --since', async () => {
    const { code, err } = await cli('dataset', 'build', '--since', 'yesterday-ish');
    expect(code).toBe(2);
    expect(err).toContain('--since');
  });

  it('models shows the live model, scores and decisions', async () => {
    const { code, out } = await cli('models');
    expect(code).toBe(0);
    expect(out).toContain('Live model: ft:gpt-base:tracefix:1');
    expect(out).toMatch(/promoted\s+ft:gpt-base:tracefix:1 ← live/);
    expect(out).toContain('rejected: worse');
    expect(out).toContain('candidate 0.100 vs 0.500');
    const json = JSON.parse((await cli('models', '--json')).out) as { live: string; history: unknown[] };
    expect(json.live).toBe('ft:gpt-base:tracefix:1');
    expect(json.history).toHaveLength(2);
  });

  it('forget deletes a user’s records and votes', async () => {
    const { code, out } = await cli('forget', '--platform', 'slack', '--user', 'U123');
    expect(code).toBe(0);
    expect(out).toContain('2 record(s)');
    const store = await createFeedbackStore({ url: `sqlite://${dir}/tracefix.sqlite`, retentionDays: 180, dataDir: dir, pseudonymSecret: 'cli-secret' });
    expect(await store.get('good')).toBeUndefined();
    expect((await store.get('other'))?.feedback).toEqual([]);
    await store.close();
    expect((await cli('forget', '--platform', 'myspace', '--user', 'x')).code).toBe(2);
  });
});
