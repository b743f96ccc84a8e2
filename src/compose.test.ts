/**
 * Every entry point builds its parts through createServices: checked by behaviour. A model version
 * promoted in the store reaches `tracefix fix`, the server's web chat and a BullMQ worker alike, and
 * REPAIR_MAX_CANDIDATES bounds the program search the same way in the CLI and in the server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../tests/fixtures/cli.ts';
import { REDIS_URL, redisMissing, uniqueQueueName } from '../tests/queue/redis.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../tests/standins/openai-chat.ts';
import { createServices } from './compose.ts';
import { loadConfig } from './config/index.ts';
import { silentLogger } from './log.ts';
import { start } from './main.ts';
import { createBullQueue } from './queue/bull.ts';
import { startQueueWorker } from './queue/worker.ts';
import type { RepairResult } from './repair/types.ts';

// The search cannot turn this into the expected greeting, so the engine asks the model.
const CODE = "def greet(name):\n    return 'hi ' + name\n";
const TESTS = "assert greet('bob') == 'Good evening, Bob!'\n";
const PROMOTED = 'ft:base-model:team:promoted';

let dir: string;
let chat: OpenAIChatStandIn;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracefix-compose-'));
  writeFileSync(join(dir, 'greet.py'), CODE);
  writeFileSync(join(dir, 'greet_test.py'), TESTS);
  // Answers that never pass: every entry point then shows the model it asked for in the same way.
  chat = await startOpenAIChatStandIn({
    respond: (request) => ({ content: Array.from({ length: request.n }, () => "Perhaps:\n```python\ndef greet(name):\n    return 'hello ' + name\n```") }),
  });
  env = {
    DATA_DIR: dir,
    TRACEFIX_SANDBOX: 'process',
    MODEL_PROVIDER: 'openai',
    MODEL_NAME: 'base-model',
    OPENAI_BASE_URL: chat.url,
    OPENAI_API_KEY: 'sk-test',
    MODEL_SAMPLES: '1',
    REPAIR_MAX_CANDIDATES: '7',
    LOG_LEVEL: 'silent',
  };
  // What a self-training run leaves behind: a promoted version in the shared store.
  const services = createServices(loadConfig(env), { logger: silentLogger() });
  const registry = await services.registry();
  await registry.save({ id: 'run-1', status: 'evaluating', modelId: PROMOTED, baseModel: 'base-model', provider: 'openai', examples: 10, heldOut: 2, createdAt: Date.now() });
  await registry.promote('run-1', undefined, 'better on the held-out set', Date.now());
  await services.close();
});

afterAll(async () => {
  await chat?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The models asked since `from`. */
const modelsAskedSince = (from: number): (string | undefined)[] => [...new Set(chat.chatRequests.slice(from).map((r) => r.model))];

async function viaServer(extra: Record<string, string> = {}): Promise<RepairResult> {
  const running = await start(loadConfig({ ...env, PORT: '0', ...extra }), silentLogger());
  try {
    const res = await fetch(`${running.url}/api/fix`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tracefix-request': '1', origin: running.url },
      body: JSON.stringify({ code: CODE, tests: TESTS }),
    });
    const text = await res.text();
    const frame = text.split('\n\n').find((f) => f.startsWith('event: result'));
    expect(frame, text).toBeDefined();
    return JSON.parse(frame!.slice(frame!.indexOf('data: ') + 6)) as RepairResult;
  } finally {
    await running.stop();
  }
}

describe('one composition for every entry point', () => {
  it('builds nothing until asked, and only what was asked', async () => {
    const services = createServices(loadConfig(env), { logger: silentLogger() });
    expect(services.built()).toEqual([]);
    await services.sandbox();
    expect(services.built()).toEqual(['sandbox']);
    await services.close();
  });

  it('`tracefix fix` asks for the promoted model, as the bots do', { timeout: 60_000 }, async () => {
    const from = chat.chatRequests.length;
    const run = await runCli(['fix', join(dir, 'greet.py'), '--tests', join(dir, 'greet_test.py'), '--json'], env);
    expect(run.code, run.err).toBe(1);
    expect(modelsAskedSince(from)).toEqual([PROMOTED]);
  });

  it('the server and the CLI give the search the same budget and ask the same model', { timeout: 90_000 }, async () => {
    const from = chat.chatRequests.length;
    const cli = JSON.parse((await runCli(['fix', join(dir, 'greet.py'), '--tests', join(dir, 'greet_test.py'), '--json'], env)).out) as RepairResult;
    const server = await viaServer();
    expect(modelsAskedSince(from)).toEqual([PROMOTED]);
    expect(server.candidates.fromSearch).toBe(cli.candidates.fromSearch);
    // REPAIR_MAX_CANDIDATES=7: the search screens at most 7 variants per round, wherever it runs.
    expect(cli.candidates.tried - cli.candidates.fromModel).toBeLessThanOrEqual(7 * 2);
    expect(server.candidates.tried).toBe(cli.candidates.tried);
  });

  it('a queue worker runs the same engine with the promoted model', { timeout: 60_000 }, async (context) => {
    const missing = await redisMissing();
    if (missing) {
      console.warn(`skipped: ${missing}`);
      context.skip();
    }
    const queueName = uniqueQueueName('compose');
    const config = loadConfig({ ...env, REDIS_URL });
    const worker = await startQueueWorker({ config, logger: silentLogger(), queueName });
    const producer = createBullQueue({ redisUrl: REDIS_URL, concurrency: 1, role: 'producer', queueName });
    try {
      const from = chat.chatRequests.length;
      const result = await producer.run({ id: 'w-1', code: CODE, tests: TESTS, origin: { platform: 'cli' } });
      expect(result.status).toBe('not_fixed');
      expect(result.model.id).toBe(PROMOTED);
      expect(modelsAskedSince(from)).toEqual([PROMOTED]);
    } finally {
      await producer.close();
      await worker.close();
    }
  });
});
