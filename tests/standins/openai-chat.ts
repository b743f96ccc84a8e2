/**
 * A stand-in for an OpenAI-compatible chat server (OpenAI, vLLM, llama.cpp server, LM Studio) on
 * 127.0.0.1, for tests that run the REAL client (ChatOpenAI / the openai SDK) against it.
 *
 *   const server = await startOpenAIChatStandIn({ replies: ['wrong answer', 'right answer'] });
 *   // point the product at it: OPENAI_BASE_URL = server.url   (http://127.0.0.1:PORT/v1)
 *   ...
 *   server.requests[0].prompt            // every message's text, joined: assert the NExT trace got there
 *   server.requests[0].model             // the model id the client asked for
 *   await server.waitForRequest((r) => r.model === 'ft:new');   // resolves on a match, fails after 2 s
 *   await server.close();
 *
 * Replies (a queue, consumed in order; or `respond(request)` computing them):
 * - `'text'`                              one choice with this content
 * - `{ content: ['a', 'b'] }`             these choices, whatever `n` asked for
 * - `{ status: 429, headers: { 'retry-after': '0' } }`, `{ status: 401 }`, `{ status: 500 }` ...
 *                                         an error in OpenAI's JSON shape (`message`, `code` optional)
 * - any of them with `delayMs`            answered that much later (timeouts, concurrency)
 * `server.failNext(429, { headers: { 'retry-after': '1' } })` puts an error ahead of the queue.
 * A request with `n: k` takes up to k plain-text replies from the queue, one choice each (an error
 * at the head of the queue answers the whole request). An empty queue answers 500 "no scripted reply",
 * so a test that forgot a reply fails loudly. Streaming (`stream: true`) is answered as SSE chunks.
 *
 * Offline gotcha: ChatOpenAI's invoke()/generate() with `streaming: true` estimates token counts with
 * tiktoken, which downloads its encoding from the internet and hangs here. Use `.stream()` or
 * non-streaming calls (createRepairModel never streams).
 *
 * Options: `apiKey` (401 unless `Authorization: Bearer <apiKey>`), `models` (404 model_not_found for
 * others), `supportsN: false` (ignore n, one choice: llama.cpp-style), `rejectN: true` (400 when n > 1).
 * `maxInFlight` records the most requests served at once.
 */
import { NO_REPLY_LEFT, ScriptedReplies, delayed, eventStream, isErrorReply, messagesOf, pieces, sendErrorReply, sendJson, serveModelStandIn, tokens } from './http-standin.ts';
import type { ModelServer, ModelStandInOptions, RecordedModelRequest } from './http-standin.ts';

export type OpenAIChatReply =
  | string
  | { content: string | string[]; delayMs?: number; finishReason?: string }
  | { status: number; message?: string; code?: string; headers?: Record<string, string>; delayMs?: number };

export interface RecordedChatRequest extends RecordedModelRequest {
  n: number;
}

export interface OpenAIChatStandInOptions extends ModelStandInOptions<RecordedChatRequest, OpenAIChatReply> {
  apiKey?: string;
  supportsN?: boolean;
  rejectN?: boolean;
}

export interface OpenAIChatStandIn extends ModelServer<RecordedChatRequest, OpenAIChatReply> {
  /** Base URL including /v1, for `configuration.baseURL` / OPENAI_BASE_URL. */
  readonly url: string;
  /** Chat completion requests only (not /v1/models and the like). */
  readonly chatRequests: RecordedChatRequest[];
  /** Answers the next request with this HTTP error, ahead of the queued replies. */
  failNext(status: number, options?: { headers?: Record<string, string>; message?: string; code?: string }): void;
}

export async function startOpenAIChatStandIn(options: OpenAIChatStandInOptions = {}): Promise<OpenAIChatStandIn> {
  const replies = new ScriptedReplies(options.replies, options.respond);
  let counter = 0;

  /**
   * What answers a request asking for `wanted` choices: `respond`'s reply; else an error at the head
   * of the queue; else up to `wanted` plain replies from the queue, one choice each (their longest
   * delay, the last finish reason given); else NO_REPLY_LEFT.
   */
  const replyFor = async (request: RecordedChatRequest, wanted: number): Promise<OpenAIChatReply> => {
    const computed = await replies.computed(request);
    if (computed !== undefined) return computed;
    const { queue } = replies;
    if (isErrorReply(queue[0])) return queue.shift() ?? NO_REPLY_LEFT;
    const contents: string[] = [];
    let delayMs = 0;
    let finishReason: string | undefined;
    while (contents.length < wanted && queue.length > 0) {
      const next = queue[0];
      if (next === undefined || isErrorReply(next)) break;
      queue.shift();
      if (typeof next === 'string') contents.push(next);
      else {
        contents.push(...(Array.isArray(next.content) ? next.content : [next.content]));
        delayMs = Math.max(delayMs, next.delayMs ?? 0);
        finishReason = next.finishReason ?? finishReason;
      }
    }
    if (contents.length === 0) return NO_REPLY_LEFT;
    return { content: contents, delayMs, ...(finishReason === undefined ? {} : { finishReason }) };
  };

  const server = await serveModelStandIn({
    name: 'openai',
    replies,
    record(base, data) {
      const messages = messagesOf(data);
      return {
        ...base,
        messages,
        n: typeof data.n === 'number' ? data.n : 1,
        stream: data.stream === true,
        temperature: typeof data.temperature === 'number' ? data.temperature : undefined,
        prompt: messages.map((m) => m.content).join('\n\n'),
      };
    },
    failure: (res, message) => sendJson(res, 500, { error: { message } }),
    async handle(request, req, res) {
      const { method, path } = request;
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
        return;
      }
      if (method === 'GET' && path === '/v1/models') {
        sendJson(res, 200, { object: 'list', data: (options.models ?? []).map((id) => ({ id, object: 'model', owned_by: 'stand-in' })) });
        return;
      }
      if (method !== 'POST' || path !== '/v1/chat/completions') {
        sendJson(res, 404, { error: { message: `No route ${req.method} ${path}`, type: 'invalid_request_error' } });
        return;
      }
      if (options.models && (!request.model || !options.models.includes(request.model))) {
        sendJson(res, 404, {
          error: { message: `The model '${request.model}' does not exist`, type: 'invalid_request_error', code: 'model_not_found' },
        });
        return;
      }
      if (options.rejectN && request.n > 1) {
        sendJson(res, 400, { error: { message: "Unsupported parameter: 'n' must be 1", type: 'invalid_request_error', param: 'n' } });
        return;
      }

      const reply = await replyFor(request, options.supportsN === false ? 1 : Math.max(1, request.n));
      if (isErrorReply(reply)) {
        const code = ('code' in reply ? reply.code : undefined) ?? null;
        await sendErrorReply(res, reply, { error: { message: reply.message ?? `stand-in error ${reply.status}`, type: 'stand_in_error', code } });
        return;
      }
      const contents = typeof reply === 'string' ? [reply] : Array.isArray(reply.content) ? reply.content : [reply.content];
      const finishReason = (typeof reply === 'string' ? undefined : reply.finishReason) ?? 'stop';
      if (!(await delayed(res, typeof reply === 'string' ? 0 : reply.delayMs))) return;

      counter += 1;
      const id = `chatcmpl-standin-${counter}`;
      const created = Math.floor(Date.now() / 1000);
      const model = request.model ?? 'stand-in';
      const promptTokens = tokens(request.prompt);
      const completionTokens = contents.reduce((sum, c) => sum + tokens(c), 0);
      const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
      if (!request.stream) {
        sendJson(res, 200, {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: contents.map((content, index) => ({
            index,
            message: { role: 'assistant', content, refusal: null },
            logprobs: null,
            finish_reason: finishReason,
          })),
          usage,
        });
        return;
      }
      const send = eventStream(res, { connection: 'keep-alive' });
      const base = { id, object: 'chat.completion.chunk', created, model };
      contents.forEach((content, index) => {
        send({ ...base, choices: [{ index, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
        for (const piece of pieces(content)) send({ ...base, choices: [{ index, delta: { content: piece }, finish_reason: null }] });
        send({ ...base, choices: [{ index, delta: {}, finish_reason: finishReason }] });
      });
      const streamOptions = (request.body as { stream_options?: { include_usage?: boolean } } | undefined)?.stream_options;
      if (streamOptions?.include_usage) send({ ...base, choices: [], usage });
      res.write('data: [DONE]\n\n');
      res.end();
    },
  });

  return {
    url: `${server.url}/v1`,
    requests: server.requests,
    get chatRequests() {
      return server.requests.filter((r) => r.path === '/v1/chat/completions');
    },
    get maxInFlight() {
      return server.maxInFlight;
    },
    get answered() {
      return server.answered;
    },
    enqueue: server.enqueue,
    failNext: (status, failure = {}) => replies.failNext({ status, ...failure }),
    waitForRequest: server.waitForRequest,
    close: server.close,
  };
}
