/**
 * A stand-in for Anthropic's Messages API on 127.0.0.1, for tests that run the REAL client
 * (ChatAnthropic / @anthropic-ai/sdk) against it.
 *
 *   const server = await startAnthropicStandIn({ replies: ['answer'], apiKey: 'sk-ant-test' });
 *   // ANTHROPIC_BASE_URL = server.url   (http://127.0.0.1:PORT, the SDK adds /v1/messages)
 *   server.requests[0].system / .prompt / .model
 *   await server.close();
 *
 * Replies (queue, or `respond(request)`): `'text'`; `{ content: 'text', delayMs }`;
 * `{ status: 429, headers: { 'retry-after': '0' } }` and other errors in Anthropic's JSON shape.
 * The Messages API has no `n`: one reply per request. An empty queue answers 500. Streaming
 * (`stream: true`) is answered with the Messages SSE events.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AnthropicReply =
  | string
  | { content: string; delayMs?: number }
  | { status: number; message?: string; type?: string; headers?: Record<string, string>; delayMs?: number };

export interface RecordedAnthropicRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  model: string | undefined;
  system: string;
  messages: { role: string; content: string }[];
  stream: boolean;
  temperature: number | undefined;
  maxTokens: number | undefined;
  /** System prompt and every message's text, joined with blank lines. */
  prompt: string;
}

export interface AnthropicStandInOptions {
  replies?: AnthropicReply[];
  respond?: (request: RecordedAnthropicRequest) => AnthropicReply | undefined | Promise<AnthropicReply | undefined>;
  apiKey?: string;
  models?: string[];
}

export interface AnthropicStandIn {
  /** Base URL without /v1, as the Anthropic SDK expects. */
  readonly url: string;
  readonly requests: RecordedAnthropicRequest[];
  readonly maxInFlight: number;
  enqueue(...replies: AnthropicReply[]): void;
  waitForRequest(predicate?: (request: RecordedAnthropicRequest) => boolean, timeoutMs?: number): Promise<RecordedAnthropicRequest>;
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

function sendError(res: ServerResponse, status: number, type: string, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, { type: 'error', error: { type, message } }, headers);
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startAnthropicStandIn(options: AnthropicStandInOptions = {}): Promise<AnthropicStandIn> {
  const queue: AnthropicReply[] = [...(options.replies ?? [])];
  const requests: RecordedAnthropicRequest[] = [];
  const waiters: { predicate: (r: RecordedAnthropicRequest) => boolean; resolve: (r: RecordedAnthropicRequest) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let counter = 0;

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
    const system = textOf(data.system);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const request: RecordedAnthropicRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      model: typeof data.model === 'string' ? data.model : undefined,
      system,
      messages,
      stream: data.stream === true,
      temperature: typeof data.temperature === 'number' ? data.temperature : undefined,
      maxTokens: typeof data.max_tokens === 'number' ? data.max_tokens : undefined,
      prompt: [system, ...messages.map((m) => m.content)].filter(Boolean).join('\n\n'),
    };
    requests.push(request);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(request)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
    }

    if (options.apiKey !== undefined && req.headers['x-api-key'] !== options.apiKey) {
      sendError(res, 401, 'authentication_error', 'invalid x-api-key');
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      sendError(res, 404, 'not_found_error', `No route ${req.method} ${path}`);
      return;
    }
    if (options.models && (!request.model || !options.models.includes(request.model))) {
      sendError(res, 404, 'not_found_error', `model: ${request.model}`);
      return;
    }
    const reply = (options.respond ? await options.respond(request) : undefined) ?? queue.shift();
    if (reply === undefined) {
      sendError(res, 500, 'api_error', 'stand-in: no scripted reply left');
      return;
    }
    if (typeof reply === 'object' && 'status' in reply) {
      if (reply.delayMs) await sleep(reply.delayMs);
      sendError(res, reply.status, reply.type ?? ERROR_TYPES[reply.status] ?? 'api_error', reply.message ?? `stand-in error ${reply.status}`, reply.headers);
      return;
    }
    const text = typeof reply === 'string' ? reply : reply.content;
    if (typeof reply === 'object' && reply.delayMs) await sleep(reply.delayMs);
    if (res.destroyed) return;
    counter += 1;
    const id = `msg_standin_${counter}`;
    const model = request.model ?? 'stand-in';
    const usage = { input_tokens: Math.ceil(request.prompt.length / 4), output_tokens: Math.ceil(text.length / 4) };
    if (!request.stream) {
      sendJson(res, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage,
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, payload: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    send('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } },
    });
    send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const size = Math.max(1, Math.ceil(text.length / 3));
    for (let offset = 0; offset < text.length; offset += size) {
      send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: text.slice(offset, offset + size) } });
    }
    send('content_block_stop', { type: 'content_block_stop', index: 0 });
    send('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  };

  const server: Server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'api_error', `stand-in failure: ${String(error)}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    waitForRequest(predicate = () => true, timeoutMs = 2000) {
      const seen = requests.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (r: RecordedAnthropicRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`anthropic stand-in: no matching request within ${timeoutMs} ms (${requests.length} received)`));
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
