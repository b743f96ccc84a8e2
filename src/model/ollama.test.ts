import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaStandIn, type OllamaStandIn } from '../../tests/standins/ollama.ts';
import { FIXED, INPUT, MALFORMED, RIGHT, TRACE, closedPort } from '../../tests/model/fixtures.ts';
import { rejection, repairModel } from '../../tests/model/repair-model.ts';
import type { ModelConfig, RepairModelDeps } from './index.ts';

let server: OllamaStandIn | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(options: Parameters<typeof startOllamaStandIn>[0] = {}, config: Partial<ModelConfig> = {}, deps: RepairModelDeps = {}) {
  server = await startOllamaStandIn(options);
  const model = repairModel({ provider: 'ollama', name: 'qwen-test', ollama: { baseUrl: server.url }, ...config }, deps);
  return { server, model };
}

describe('createRepairModel (Ollama)', () => {
  it('samples k answers with k streamed requests to /api/chat', async () => {
    const { server, model } = await setup({ replies: [RIGHT, MALFORMED] }, { temperature: 0.3 });
    const candidates = await model.propose(INPUT, 2);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ code: FIXED, modelId: 'qwen-test' });
    const chats = server.requests.filter((r) => r.path === '/api/chat');
    expect(chats).toHaveLength(2);
    expect(chats[0]?.model).toBe('qwen-test');
    expect(chats[0]?.temperature).toBe(0.3);
    expect(chats[0]?.messages[0]?.role).toBe('system');
    expect(chats[0]?.messages.at(-1)?.content).toContain(TRACE);
  });

  it('uses a promoted model id on the next propose', async () => {
    let live = 'qwen-test';
    const { server, model } = await setup({ replies: [RIGHT, RIGHT] }, {}, { resolveModelId: () => live });
    await model.propose(INPUT, 1);
    live = 'qwen-test-ft-2';
    await model.propose(INPUT, 1);
    expect(server.requests.map((r) => r.model)).toEqual(['qwen-test', 'qwen-test-ft-2']);
  });

  it('404 model: tells how to pull it', async () => {
    const { model } = await setup({ models: ['llama3'] });
    const error = await rejection(model.propose(INPUT, 2));
    expect(error.code).toBe('model_unavailable');
    expect(error.userMessage).toContain('ollama pull qwen-test');
    expect(error.userMessage).toContain('MODEL_NAME');
  });

  it('500: retried', async () => {
    const { server, model } = await setup({ replies: [{ status: 500, message: 'out of memory' }, RIGHT] });
    expect(await model.propose(INPUT, 1)).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  });

  it('connection refused: names OLLAMA_BASE_URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const model = repairModel({ provider: 'ollama', name: 'q', ollama: { baseUrl: url } });
    const error = await rejection(model.propose(INPUT, 1));
    expect(error.userMessage).toBe(`Could not reach the model server at ${url} set in OLLAMA_BASE_URL: connection refused.`);
  });

  it('sends credentials in the base URL as basic auth, and keeps them out of messages', async () => {
    const { server } = await setup({ replies: [RIGHT] });
    const withCredentials = server.url.replace('http://', 'http://admin:hunter2@');
    const model = repairModel({ provider: 'ollama', name: 'q', ollama: { baseUrl: withCredentials } });
    expect(await model.propose(INPUT, 1)).toHaveLength(1);
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('admin:hunter2').toString('base64')}`);

    const port = await closedPort();
    const down = repairModel({ provider: 'ollama', name: 'q', ollama: { baseUrl: `http://admin:hunter2@127.0.0.1:${port}` } });
    const error = await rejection(down.propose(INPUT, 1));
    expect(error.userMessage).toBe(`Could not reach the model server at http://127.0.0.1:${port} set in OLLAMA_BASE_URL: connection refused.`);
    expect(`${error.userMessage} ${error.message}`).not.toContain('hunter2');
  });

  it('aborts and times out even though ChatOllama does not pass the signal down', async () => {
    const { server, model } = await setup({ replies: [{ content: RIGHT, delayMs: 3000 }, { content: RIGHT, delayMs: 3000 }] }, { timeoutMs: 300 });
    const controller = new AbortController();
    // Abort once the request is at the stand-in; both rejections must come before its answers (3 s).
    void server.waitForRequest().then(() => controller.abort());
    expect((await rejection(model.propose(INPUT, 1, { signal: controller.signal }))).code).toBe('cancelled');
    const timedOut = await rejection(model.propose(INPUT, 1));
    expect(timedOut.userMessage).toContain('MODEL_TIMEOUT_MS');
    expect(server.requests).toHaveLength(2);
    expect(server.answered).toBe(0);
  });
});
