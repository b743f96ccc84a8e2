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
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type OpenAIChatReply =
  | string
  | { content: string | string[]; delayMs?: number; finishReason?: string }
  | { status: number; message?: string; code?: string; headers?: Record<string, string>; delayMs?: number };

export interface RecordedChatRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  model: string | undefined;
  messages: { role: string; content: string }[];
  n: number;
  stream: boolean;
  temperature: number | undefined;
  /** Every message's content, joined with blank lines. */
  prompt: string;
}

export interface OpenAIChatStandInOptions {
  replies?: OpenAIChatReply[];
  /** Computes the reply; returning undefined falls back to the queue. */
  respond?: (request: RecordedChatRequest) => OpenAIChatReply | undefined | Promise<OpenAIChatReply | undefined>;
  apiKey?: string;
  models?: string[];
  supportsN?: boolean;
  rejectN?: boolean;
}

export interface OpenAIChatStandIn {
  /** Base URL including /v1, for `configuration.baseURL` / OPENAI_BASE_URL. */
  readonly url: string;
  readonly requests: RecordedChatRequest[];
  /** Chat completion requests only (not /v1/models and the like). */
  readonly chatRequests: RecordedChatRequest[];
  readonly maxInFlight: number;
  enqueue(...replies: OpenAIChatReply[]): void;
  /** Answers the next request with this HTTP error, ahead of the queued replies. */
  failNext(status: number, options?: { headers?: Record<string, string>; message?: string; code?: string }): void;
  waitForRequest(predicate?: (request: RecordedChatRequest) => boolean, timeoutMs?: number): Promise<RecordedChatRequest>;
  close(): Promise<void>;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : ''))
      .join('');
  }
  return '';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startOpenAIChatStandIn(options: OpenAIChatStandInOptions = {}): Promise<OpenAIChatStandIn> {
  const queue: OpenAIChatReply[] = [...(options.replies ?? [])];
  const requests: RecordedChatRequest[] = [];
  const waiters: { predicate: (r: RecordedChatRequest) => boolean; resolve: (r: RecordedChatRequest) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let counter = 0;

  const record = (request: RecordedChatRequest) => {
    requests.push(request);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(request)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const data = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const messages = Array.isArray(data.messages)
      ? data.messages.map((m: unknown) => {
          const message = (m ?? {}) as Record<string, unknown>;
          return { role: String(message.role), content: textOf(message.content) };
        })
      : [];
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const request: RecordedChatRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      model: typeof data.model === 'string' ? data.model : undefined,
      messages,
      n: typeof data.n === 'number' ? data.n : 1,
      stream: data.stream === true,
      temperature: typeof data.temperature === 'number' ? data.temperature : undefined,
      prompt: messages.map((m) => m.content).join('\n\n'),
    };
    record(request);

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: (options.models ?? []).map((id) => ({ id, object: 'model', owned_by: 'stand-in' })) });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
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

    let reply = options.respond ? await options.respond(request) : undefined;
    const wanted = options.supportsN === false ? 1 : Math.max(1, request.n);
    let contents: string[] = [];
    let finishReason = 'stop';
    let delayMs = 0;
    if (reply === undefined) {
      const head = queue[0];
      if (head !== undefined && typeof head === 'object' && 'status' in head) reply = queue.shift();
      else {
        while (contents.length < wanted && queue.length > 0) {
          const next = queue[0];
          if (next === undefined || (typeof next === 'object' && 'status' in next)) break;
          queue.shift();
          if (typeof next === 'string') contents.push(next);
          else {
            contents.push(...(Array.isArray(next.content) ? next.content : [next.content]));
            delayMs = Math.max(delayMs, next.delayMs ?? 0);
            finishReason = next.finishReason ?? finishReason;
          }
        }
        if (contents.length === 0) reply = { status: 500, message: 'stand-in: no scripted reply left' };
      }
    }
    if (reply !== undefined) {
      if (typeof reply === 'string') contents = [reply];
      else if ('status' in reply) {
        if (reply.delayMs) await sleep(reply.delayMs);
        sendJson(
          res,
          reply.status,
          { error: { message: reply.message ?? `stand-in error ${reply.status}`, type: 'stand_in_error', code: reply.code ?? null } },
          reply.headers,
        );
        return;
      } else {
        contents = Array.isArray(reply.content) ? reply.content : [reply.content];
        delayMs = reply.delayMs ?? 0;
        finishReason = reply.finishReason ?? finishReason;
      }
    }
    if (delayMs) await sleep(delayMs);
    if (res.destroyed) return;

    counter += 1;
    const id = `chatcmpl-standin-${counter}`;
    const created = Math.floor(Date.now() / 1000);
    const model = request.model ?? 'stand-in';
    const promptTokens = Math.ceil(request.prompt.length / 4);
    const completionTokens = contents.reduce((sum, c) => sum + Math.ceil(c.length / 4), 0);
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
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    const base = { id, object: 'chat.completion.chunk', created, model };
    contents.forEach((content, index) => {
      send({ ...base, choices: [{ index, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
      // Several deltas per choice, split mid-line, as real servers do.
      const size = Math.max(1, Math.ceil(content.length / 3));
      for (let offset = 0; offset < content.length; offset += size) {
        send({ ...base, choices: [{ index, delta: { content: content.slice(offset, offset + size) }, finish_reason: null }] });
      }
      send({ ...base, choices: [{ index, delta: {}, finish_reason: finishReason }] });
    });
    const streamOptions = data.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) send({ ...base, choices: [], usage });
    res.write('data: [DONE]\n\n');
    res.end();
  };

  const server: Server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `stand-in failure: ${String(error)}` } });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get chatRequests() {
      return requests.filter((r) => r.path === '/v1/chat/completions');
    },
    get maxInFlight() {
      return maxInFlight;
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    failNext(status, failure = {}) {
      queue.unshift({ status, ...failure });
    },
    waitForRequest(predicate = () => true, timeoutMs = 2000) {
      const seen = requests.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (r: RecordedChatRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`openai stand-in: no matching request within ${timeoutMs} ms (${requests.length} received)`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
