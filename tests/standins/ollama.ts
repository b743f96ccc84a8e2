/**
 * A stand-in for Ollama's chat API on 127.0.0.1, for tests that run the REAL client (ChatOllama /
 * the ollama package) against it.
 *
 *   const server = await startOllamaStandIn({ replies: ['answer'], models: ['qwen2.5-coder'] });
 *   // OLLAMA_BASE_URL = server.url   (http://127.0.0.1:PORT)
 *   server.requests[0].prompt / .model / .temperature
 *   await server.close();
 *
 * Replies (queue, or `respond(request)`): `'text'`; `{ content: 'text', delayMs }`;
 * `{ status: 500, message: '...' }` answered as Ollama does, `{"error": "..."}`. `models` makes other
 * model names answer 404 "model 'x' not found". POST /api/chat streams NDJSON unless `stream: false`;
 * GET /api/tags lists the models. An empty queue answers 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type OllamaReply =
  | string
  | { content: string; delayMs?: number }
  | { status: number; message?: string; headers?: Record<string, string>; delayMs?: number };

export interface RecordedOllamaRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  model: string | undefined;
  messages: { role: string; content: string }[];
  stream: boolean;
  temperature: number | undefined;
  /** Every message's content, joined with blank lines. */
  prompt: string;
}

export interface OllamaStandInOptions {
  replies?: OllamaReply[];
  respond?: (request: RecordedOllamaRequest) => OllamaReply | undefined | Promise<OllamaReply | undefined>;
  models?: string[];
}

export interface OllamaStandIn {
  readonly url: string;
  readonly requests: RecordedOllamaRequest[];
  readonly maxInFlight: number;
  enqueue(...replies: OllamaReply[]): void;
  waitForRequest(predicate?: (request: RecordedOllamaRequest) => boolean, timeoutMs?: number): Promise<RecordedOllamaRequest>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startOllamaStandIn(options: OllamaStandInOptions = {}): Promise<OllamaStandIn> {
  const queue: OllamaReply[] = [...(options.replies ?? [])];
  const requests: RecordedOllamaRequest[] = [];
  const waiters: { predicate: (r: RecordedOllamaRequest) => boolean; resolve: (r: RecordedOllamaRequest) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

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
          return { role: String(message.role), content: typeof message.content === 'string' ? message.content : '' };
        })
      : [];
    const opts = (data.options ?? {}) as Record<string, unknown>;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const request: RecordedOllamaRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      model: typeof data.model === 'string' ? data.model : undefined,
      messages,
      stream: data.stream !== false,
      temperature: typeof opts.temperature === 'number' ? opts.temperature : undefined,
      prompt: messages.map((m) => m.content).join('\n\n'),
    };
    requests.push(request);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(request)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
    }

    if (req.method === 'GET' && path === '/api/tags') {
      sendJson(res, 200, { models: (options.models ?? []).map((name) => ({ name, model: name, size: 1 })) });
      return;
    }
    if (req.method !== 'POST' || path !== '/api/chat') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    if (options.models && (!request.model || !options.models.includes(request.model))) {
      sendJson(res, 404, { error: `model '${request.model}' not found` });
      return;
    }
    const reply = (options.respond ? await options.respond(request) : undefined) ?? queue.shift();
    if (reply === undefined) {
      sendJson(res, 500, { error: 'stand-in: no scripted reply left' });
      return;
    }
    if (typeof reply === 'object' && 'status' in reply) {
      if (reply.delayMs) await sleep(reply.delayMs);
      sendJson(res, reply.status, { error: reply.message ?? `stand-in error ${reply.status}` }, reply.headers);
      return;
    }
    const text = typeof reply === 'string' ? reply : reply.content;
    if (typeof reply === 'object' && reply.delayMs) await sleep(reply.delayMs);
    if (res.destroyed) return;
    const model = request.model ?? 'stand-in';
    const final = {
      model,
      created_at: new Date().toISOString(),
      done: true,
      done_reason: 'stop',
      total_duration: 1,
      load_duration: 1,
      prompt_eval_count: Math.ceil(request.prompt.length / 4),
      prompt_eval_duration: 1,
      eval_count: Math.ceil(text.length / 4),
      eval_duration: 1,
    };
    if (!request.stream) {
      sendJson(res, 200, { ...final, message: { role: 'assistant', content: text } });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const size = Math.max(1, Math.ceil(text.length / 3));
    for (let offset = 0; offset < text.length; offset += size) {
      const chunk = { model, created_at: new Date().toISOString(), message: { role: 'assistant', content: text.slice(offset, offset + size) }, done: false };
      res.write(`${JSON.stringify(chunk)}\n`);
    }
    res.write(`${JSON.stringify({ ...final, message: { role: 'assistant', content: '' } })}\n`);
    res.end();
  };

  const server: Server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `stand-in failure: ${String(error)}` });
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
          resolve: (r: RecordedOllamaRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`ollama stand-in: no matching request within ${timeoutMs} ms (${requests.length} received)`));
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
