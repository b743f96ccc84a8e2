import { Writable } from 'node:stream';
import { ChatOpenAI } from '@langchain/openai';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { createLogger } from '../log.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../../tests/standins/openai-chat.ts';
import {
  API_KEY,
  BUGGY,
  FAST_RETRY,
  FIXED,
  INPUT,
  MALFORMED,
  RIGHT,
  TRACE,
  WRONG,
  capturedLogger,
  closedPort,
  modelConfig,
} from '../../tests/model/fixtures.ts';
import { rejection, repairModel } from '../../tests/model/repair-model.ts';
import { createRepairModel, type ModelConfig, type RepairModelDeps } from './index.ts';

let server: OpenAIChatStandIn | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(options: Parameters<typeof startOpenAIChatStandIn>[0] = {}, config: Partial<ModelConfig> = {}, deps: RepairModelDeps = {}) {
  server = await startOpenAIChatStandIn({ apiKey: API_KEY, ...options });
  const model = repairModel({ openai: { apiKey: API_KEY, baseUrl: server.url }, ...config }, deps);
  return { server, model };
}

describe('createRepairModel (OpenAI-compatible)', () => {
  it('is undefined for the offline provider', () => {
    expect(createRepairModel(modelConfig({ provider: 'offline' }))).toBeUndefined();
  });

  it('samples k answers in one request with n=k and sends the NExT prompt', async () => {
    const { server, model } = await setup({ replies: [RIGHT, WRONG, MALFORMED] });
    const candidates = await model.propose(INPUT, 3);
    expect(server.chatRequests).toHaveLength(1);
    const request = server.chatRequests[0];
    expect(request?.n).toBe(3);
    expect(request?.model).toBe('gpt-test');
    expect(request?.temperature).toBe(0.8);
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    // No max_tokens: local servers reject prompt + max_tokens beyond their context.
    expect(request?.body).not.toHaveProperty('max_tokens');
    // The trace reached the model, inside the last user message, after the exemplars.
    const last = request?.messages.at(-1);
    expect(last?.role).toBe('user');
    expect(last?.content).toContain(TRACE);
    expect(last?.content).toContain('assert sum_to(4) == 10: expected 10, got 6');
    expect(request?.messages[0]?.role).toBe('system');
    expect(request?.messages.filter((m) => m.role === 'assistant')).toHaveLength(3);
    expect(request?.prompt).toBe(model.promptText(INPUT).replace(/<\|(system|user|assistant)\|>\n/g, ''));

    // The malformed answer is dropped, the two others kept with what produced them.
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toMatchObject({ code: FIXED, modelId: 'gpt-test', promptVersion: 'repair-v1', answer: RIGHT, promptText: model.promptText(INPUT) });
    expect(candidates[0]?.rationale).toContain('__return__=6');
    expect(candidates[1]?.code).toContain('total = 4');
    expect(model.promptVersion).toBe('repair-v1');
    expect(model.id).toBe('gpt-test');
  });

  it('drops answers that return the program unchanged', async () => {
    const { model } = await setup({ replies: [`No bug.\n\`\`\`python\n${BUGGY}\`\`\``, RIGHT] });
    const candidates = await model.propose(INPUT, 2);
    expect(candidates.map((c) => c.code)).toEqual([FIXED]);
  });

  it('falls back to parallel requests when the server ignores n, and remembers it', async () => {
    const { server, model } = await setup({ supportsN: false, replies: [RIGHT, WRONG, RIGHT, RIGHT, WRONG] });
    expect(await model.propose(INPUT, 3)).toHaveLength(3);
    expect(server.chatRequests.map((r) => r.n)).toEqual([3, 1, 1]);
    expect(await model.propose(INPUT, 2)).toHaveLength(2);
    expect(server.chatRequests.slice(3).map((r) => r.n)).toEqual([1, 1]);
  });

  it('falls back to parallel requests when the server rejects n', async () => {
    const { server, model } = await setup({ rejectN: true, replies: [RIGHT, WRONG] });
    const candidates = await model.propose(INPUT, 2);
    expect(candidates).toHaveLength(2);
    expect(server.chatRequests.map((r) => r.n)).toEqual([2, 1, 1]);
  });

  it('bounds the requests in flight by MODEL_CONCURRENCY', async () => {
    const replies = Array.from({ length: 6 }, () => ({ content: RIGHT, delayMs: 80 }));
    const { server, model } = await setup({ rejectN: true, replies }, { concurrency: 2 });
    const candidates = await model.propose(INPUT, 6);
    expect(candidates).toHaveLength(6);
    expect(server.maxInFlight).toBe(2);
  });

  it('a request waiting for a slot leaves when its repair is cancelled, and the slot goes to the next', async () => {
    const { server, model } = await setup({ replies: [{ content: RIGHT, delayMs: 500 }, RIGHT] }, { concurrency: 1 });
    let firstDone = false;
    const first = model.propose(INPUT, 1).finally(() => {
      firstDone = true;
    });
    await server.waitForRequest(() => true);
    const waiting = new AbortController();
    const second = model.propose(INPUT, 1, { signal: waiting.signal });
    const third = model.propose(INPUT, 1);
    // Both are queued behind the first once their microtasks have run (no I/O before the queue).
    await new Promise((resolve) => setImmediate(resolve));
    waiting.abort();
    expect((await rejection(second)).code).toBe('cancelled');
    // It left the queue at once, not when the slot came free.
    expect(firstDone).toBe(false);
    // The cancelled request never reached the server: the two that did are the first and the third.
    expect(await first).toHaveLength(1);
    expect(await third).toHaveLength(1);
    expect(server.chatRequests).toHaveLength(2);
    expect(server.maxInFlight).toBe(1);
  });

  it('uses a promoted model id on the next propose, without a restart', async () => {
    let live = 'gpt-test';
    const { server, model } = await setup({ replies: [RIGHT, RIGHT, RIGHT] }, {}, { resolveModelId: () => live });
    await model.propose(INPUT, 1);
    expect(model.id).toBe('gpt-test');
    live = 'ft:gpt-test:tracefix:abc123';
    expect(model.id).toBe('ft:gpt-test:tracefix:abc123');
    const candidates = await model.propose(INPUT, 1);
    expect(server.chatRequests.map((r) => r.model)).toEqual(['gpt-test', 'ft:gpt-test:tracefix:abc123']);
    expect(candidates[0]?.modelId).toBe('ft:gpt-test:tracefix:abc123');
  });

  it('fails cleanly when the model id resolver fails', async () => {
    const { server, model } = await setup({ replies: [RIGHT] }, {}, { resolveModelId: () => Promise.reject(new Error('store down')) });
    const error = await rejection(model.propose(INPUT, 1));
    expect(error.code).toBe('model_unavailable');
    expect(error.retryable).toBe(true);
    expect(server.chatRequests).toHaveLength(0);
    expect(model.id).toBe('gpt-test');
  });

  it('works from the settings as src/config reads them', async () => {
    server = await startOpenAIChatStandIn({ replies: [RIGHT] });
    const config = loadConfig({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: server.url, MODEL_NAME: 'local-coder', MODEL_TEMPERATURE: '0.2' });
    const model = createRepairModel(config.model);
    expect(await model?.propose(INPUT, 1)).toHaveLength(1);
    expect(server.chatRequests[0]).toMatchObject({ model: 'local-coder', temperature: 0.2 });
  });

  it('leaves the exemplars out for the model ids the deps say were fine-tuned', async () => {
    let live = 'gpt-test';
    const { server, model } = await setup(
      { replies: [RIGHT, RIGHT] },
      {},
      { resolveModelId: () => live, exemplars: (id) => !id.startsWith('ft:') },
    );
    await model.propose(INPUT, 1);
    live = 'ft:gpt-test:tracefix:1';
    const [candidate] = await model.propose(INPUT, 1);
    expect(server.chatRequests.map((r) => r.messages.length)).toEqual([8, 2]);
    expect(candidate?.promptText).not.toContain('count_vowels');
  });

  it('accepts an asynchronous model id resolver', async () => {
    let live = 'base-model';
    const { server, model } = await setup({ replies: [RIGHT, RIGHT] }, {}, { resolveModelId: () => Promise.resolve(live) });
    await model.propose(INPUT, 1);
    live = 'ft:promoted';
    await model.propose(INPUT, 1);
    expect(server.chatRequests.map((r) => r.model)).toEqual(['base-model', 'ft:promoted']);
    expect(model.id).toBe('ft:promoted');
  });

  it('sends the --no-trace ablation without any trace, and the second round with the earlier attempt', async () => {
    const { server, model } = await setup({ replies: [RIGHT, RIGHT] });
    const { trace: _trace, ...withoutTrace } = INPUT;
    await model.propose(withoutTrace, 1);
    const ablation = server.chatRequests[0]?.prompt ?? '';
    expect(ablation).not.toMatch(/# \(\d+\)/);
    expect(ablation).not.toContain('Execution trace');

    const earlier = BUGGY.replace('range(1, n)', 'range(0, n)');
    await model.propose({ ...INPUT, previousAttempt: { program: earlier, failures: ['assert sum_to(4) == 10: expected 10, got 6'], trace: '# (9) __return__=6' } }, 1);
    const second = server.chatRequests[1]?.messages.at(-1)?.content ?? '';
    expect(second).toContain('An earlier fix that still fails');
    expect(second).toContain(earlier.trim());
    expect(second).toContain('# (9) __return__=6');
  });
});

describe('errors from an OpenAI-compatible server', () => {
  it('401: model_auth naming OPENAI_API_KEY, without retrying or leaking the key', async () => {
    server = await startOpenAIChatStandIn({ apiKey: 'sk-the-right-key-000000' });
    const model = repairModel({ openai: { apiKey: API_KEY, baseUrl: server.url } });
    const error = await rejection(model.propose(INPUT, 3));
    expect(error.code).toBe('model_auth');
    expect(error.userMessage).toBe('The model provider rejected the key in OPENAI_API_KEY (HTTP 401).');
    expect(error.retryable).toBe(false);
    expect(server.chatRequests).toHaveLength(1);
    expect(`${error.message} ${String((error.cause as Error).message)}`).not.toContain(API_KEY);
  });

  it('401 from a local server without a key says to set OPENAI_API_KEY', async () => {
    server = await startOpenAIChatStandIn({ apiKey: 'needed' });
    const model = repairModel({ openai: { baseUrl: server.url } });
    const error = await rejection(model.propose(INPUT, 1));
    expect(error.code).toBe('model_auth');
    expect(error.userMessage).toContain('set OPENAI_API_KEY');
  });

  it('404 for the model: names MODEL_NAME and the model', async () => {
    const { server, model } = await setup({ models: ['gpt-real'] }, { name: 'gpt-typo' });
    const error = await rejection(model.propose(INPUT, 2));
    expect(error.code).toBe('model_unavailable');
    expect(error.userMessage).toContain('MODEL_NAME');
    expect(error.userMessage).toContain('"gpt-typo"');
    expect(server.chatRequests).toHaveLength(1);
  });

  it('connection refused: names the base URL setting', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/v1`;
    const model = repairModel({ openai: { baseUrl: url } });
    const error = await rejection(model.propose(INPUT, 2));
    expect(error.code).toBe('model_unavailable');
    expect(error.userMessage).toBe(`Could not reach the model server at ${url} set in OPENAI_BASE_URL: connection refused.`);
  });

  it('429: retries after retry-after and succeeds', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger({ level: 'warn', destination });
    const { server, model } = await setup({ replies: [{ status: 429, headers: { 'retry-after-ms': '250' } }, RIGHT] }, {}, { logger });
    const candidates = await model.propose(INPUT, 1);
    expect(candidates).toHaveLength(1);
    expect(server.chatRequests).toHaveLength(2);
    // The retry waited on the server's hint (read from retry-after-ms), not on the backoff alone.
    expect(lines).toEqual([expect.objectContaining({ msg: 'model request failed; retrying', attempt: 1, retryAfterMs: 250 })]);
  });

  it('429 with a retry-after beyond the limit: model_rate_limited at once', async () => {
    const { server, model } = await setup({ replies: [{ status: 429, headers: { 'retry-after': '3600' } }] });
    const error = await rejection(model.propose(INPUT, 1));
    expect(error.code).toBe('model_rate_limited');
    expect(error.retryable).toBe(true);
    expect(error.userMessage).toContain('MODEL_CONCURRENCY');
    expect(server.chatRequests).toHaveLength(1);
  });

  it('5xx: retries with backoff, then gives up with model_unavailable', async () => {
    const { server, model } = await setup({ replies: [{ status: 500 }, { status: 503 }, RIGHT] });
    expect(await model.propose(INPUT, 1)).toHaveLength(1);
    expect(server.chatRequests).toHaveLength(3);

    server.enqueue(RIGHT);
    for (let i = 0; i < 4; i++) server.failNext(502);
    const error = await rejection(model.propose(INPUT, 1));
    expect(error.code).toBe('model_unavailable');
    expect(error.userMessage).toContain('HTTP 502');
    expect(server.chatRequests).toHaveLength(3 + 4);
  });

  it('keeps the answers that came back when some requests fail', async () => {
    let calls = 0;
    const { model } = await setup(
      { rejectN: true, respond: () => (++calls === 1 ? { status: 500 } : RIGHT) },
      {},
      { retry: { ...FAST_RETRY, attempts: 1 } },
    );
    const candidates = await model.propose(INPUT, 3);
    expect(candidates).toHaveLength(2);
  });

  it('prompt too long for a small model: retries without the exemplars', async () => {
    const { server, model } = await setup({
      respond: (request) =>
        request.messages.length > 2
          ? { status: 400, message: "This model's maximum context length is 4096 tokens. However, you requested 6000 tokens." }
          : RIGHT,
    });
    const candidates = await model.propose(INPUT, 1);
    expect(candidates).toHaveLength(1);
    expect(server.chatRequests.map((r) => r.messages.length)).toEqual([8, 2]);
    expect(candidates[0]?.promptText).toBe(model.promptText(INPUT).split('\n\n<|user|>')[0] + '\n\n<|user|>' + model.promptText(INPUT).split('\n\n<|user|>').at(-1));
  });

  it('prompt too long even without exemplars: names REPAIR_TRACE_TOKENS', async () => {
    const { server, model } = await setup({ respond: () => ({ status: 400, code: 'context_length_exceeded', message: 'too long' }) });
    const error = await rejection(model.propose(INPUT, 1));
    expect(error.userMessage).toContain('REPAIR_TRACE_TOKENS');
    expect(server.chatRequests).toHaveLength(2);
  });

  it('times out after MODEL_TIMEOUT_MS', async () => {
    const { server, model } = await setup({ replies: [{ content: RIGHT, delayMs: 3000 }] }, { timeoutMs: 300 });
    const error = await rejection(model.propose(INPUT, 1));
    // It gave up before the stand-in's answer (due 10x later than the timeout) was sent.
    expect(server.chatRequests).toHaveLength(1);
    expect(server.answered).toBe(0);
    expect(error.code).toBe('model_unavailable');
    expect(error.userMessage).toBe('The model did not answer within MODEL_TIMEOUT_MS (300 ms).');
  });

  it('stops at once when the caller aborts, and says why', async () => {
    const { server, model } = await setup({ replies: [{ content: RIGHT, delayMs: 3000 }, { content: RIGHT, delayMs: 3000 }] });
    const controller = new AbortController();
    // Abort once the request is at the stand-in: the rejection must come without its answer.
    void server.waitForRequest().then(() => controller.abort());
    const cancelled = await rejection(model.propose(INPUT, 1, { signal: controller.signal }));
    expect(cancelled.code).toBe('cancelled');
    expect(server.chatRequests).toHaveLength(1);
    expect(server.answered).toBe(0);

    const deadline = await rejection(model.propose(INPUT, 1, { signal: AbortSignal.timeout(100) }));
    expect(deadline.code).toBe('deadline');
  });

  it('logs counts, never the prompt, the code or the key; the debug flag adds the prompt', async () => {
    const quiet = capturedLogger();
    const { model } = await setup({ replies: [RIGHT] }, {}, { logger: quiet.logger });
    await model.propose(INPUT, 1);
    const lines = quiet.text();
    expect(lines).toContain('model proposed candidates');
    expect(lines).not.toContain('sum_to');
    expect(lines).not.toContain(API_KEY);

    await server?.close();
    const loud = capturedLogger(true);
    const debug = await setup({ replies: [RIGHT] }, {}, { logger: loud.logger, debug: true });
    await debug.model.propose(INPUT, 1);
    expect(loud.text()).toContain('__return__=6');
    expect(loud.text()).not.toContain(API_KEY);
  });
});

describe('the OpenAI stand-in with the real client', () => {
  // Note: ChatOpenAI's invoke() with streaming estimates token counts with tiktoken, which fetches
  // its encoding from the internet and hangs offline; .stream() does not, and propose() never streams.
  it('streams SSE chunks to the real client', async () => {
    server = await startOpenAIChatStandIn({ replies: ['first answer'] });
    const chat = new ChatOpenAI({ model: 'm', apiKey: 'k', streaming: true, maxRetries: 0, configuration: { baseURL: server.url } });
    let text = '';
    for await (const chunk of await chat.stream('hello')) text += typeof chunk.content === 'string' ? chunk.content : '';
    expect(text).toBe('first answer');
    expect(server.chatRequests[0]?.stream).toBe(true);
  });

  it('streams several choices, each under its own index', async () => {
    server = await startOpenAIChatStandIn({ replies: ['second answer', 'third'] });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', n: 2, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const texts: string[] = ['', ''];
    for (const line of (await response.text()).split('\n')) {
      if (!line.startsWith('data: {')) continue;
      const chunk = JSON.parse(line.slice(6)) as { choices: { index: number; delta: { content?: string } }[] };
      for (const choice of chunk.choices) texts[choice.index] += choice.delta.content ?? '';
    }
    expect(texts).toEqual(['second answer', 'third']);
  });

  it('waitForRequest resolves on a match and fails after its timeout', async () => {
    server = await startOpenAIChatStandIn({ replies: ['x'] });
    const waiting = server.waitForRequest((r) => r.model === 'wanted');
    const chat = new ChatOpenAI({ model: 'wanted', apiKey: 'k', maxRetries: 0, configuration: { baseURL: server.url } });
    await chat.invoke('hi');
    expect((await waiting).model).toBe('wanted');
    await expect(server.waitForRequest((r) => r.model === 'never', 50)).rejects.toThrow(/no matching request/);
  });
});
