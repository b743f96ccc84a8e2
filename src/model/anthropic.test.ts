import { afterEach, describe, expect, it } from 'vitest';
import { startAnthropicStandIn, type AnthropicStandIn } from '../../tests/standins/anthropic.ts';
import { FIXED, INPUT, RIGHT, TRACE, WRONG, closedPort, modelConfig } from '../../tests/model/fixtures.ts';
import { rejection, repairModel } from '../../tests/model/repair-model.ts';
import { createRepairModel, type ModelConfig, type RepairModelDeps } from './index.ts';

const KEY = 'sk-ant-test-0123456789';

let server: AnthropicStandIn | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(options: Parameters<typeof startAnthropicStandIn>[0] = {}, config: Partial<ModelConfig> = {}, deps: RepairModelDeps = {}) {
  server = await startAnthropicStandIn({ apiKey: KEY, ...options });
  const model = repairModel({ provider: 'anthropic', name: 'claude-test', anthropic: { apiKey: KEY, baseUrl: server.url }, ...config }, deps);
  return { server, model };
}

describe('createRepairModel (Anthropic)', () => {
  it('samples k answers with k requests, the system prompt in `system`, the trace in the last message', async () => {
    const { server, model } = await setup({ replies: [RIGHT, WRONG] }, { temperature: 1.5 });
    const candidates = await model.propose(INPUT, 2);
    expect(candidates.map((c) => c.code).sort()).toEqual([FIXED, WRONG.split('```python\n')[1]?.split('```')[0]].sort());
    expect(server.requests).toHaveLength(2);
    const request = server.requests[0];
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(KEY);
    expect(request?.model).toBe('claude-test');
    // Anthropic's range is 0..1.
    expect(request?.temperature).toBe(1);
    expect(request?.maxTokens).toBe(4096);
    expect(request?.system).toContain('NExT format');
    expect(request?.messages.at(-1)?.content).toContain(TRACE);
    expect(request?.messages.filter((m) => m.role === 'assistant')).toHaveLength(3);
  });

  it('refuses to start without ANTHROPIC_API_KEY', () => {
    expect(() => createRepairModel(modelConfig({ provider: 'anthropic', name: 'c' }))).toThrow(/ANTHROPIC_API_KEY/);
  });

  it('401: model_auth naming ANTHROPIC_API_KEY', async () => {
    server = await startAnthropicStandIn({ apiKey: 'sk-ant-other-key' });
    const model = repairModel({ provider: 'anthropic', name: 'claude-test', anthropic: { apiKey: KEY, baseUrl: server.url } });
    const error = await rejection(model.propose(INPUT, 3));
    expect(error.code).toBe('model_auth');
    expect(error.userMessage).toBe('Anthropic rejected the key in ANTHROPIC_API_KEY (HTTP 401).');
    expect(error.message).not.toContain(KEY);
  });

  it('404 model: names MODEL_NAME', async () => {
    const { model } = await setup({ models: ['claude-real'] });
    const error = await rejection(model.propose(INPUT, 1));
    expect(error.code).toBe('model_unavailable');
    expect(error.userMessage).toContain('"claude-test" set in MODEL_NAME');
  });

  it('429 and 529 overloaded: retried, honouring retry-after', async () => {
    const { server, model } = await setup({ replies: [{ status: 429, headers: { 'retry-after': '0' } }, { status: 529 }, RIGHT] });
    expect(await model.propose(INPUT, 1)).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it('connection refused: names ANTHROPIC_BASE_URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const model = repairModel({ provider: 'anthropic', name: 'c', anthropic: { apiKey: KEY, baseUrl: url } });
    const error = await rejection(model.propose(INPUT, 1));
    expect(error.userMessage).toBe(`Could not reach the model server at ${url} set in ANTHROPIC_BASE_URL: connection refused.`);
  });

  it('aborts an answer in flight', async () => {
    const { server, model } = await setup({ replies: [{ content: RIGHT, delayMs: 3000 }] });
    const error = await rejection(model.propose(INPUT, 1, { signal: AbortSignal.timeout(100) }));
    expect(error.code).toBe('deadline');
    // It stopped waiting: the stand-in had the request and had not answered it yet.
    expect(server.requests).toHaveLength(1);
    expect(server.answered).toBe(0);
  });
});
