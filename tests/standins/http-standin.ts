/**
 * What the HTTP stand-ins (anthropic.ts, ollama.ts, openai-chat.ts, slack.ts, discord.ts) have in
 * common: a server on 127.0.0.1 and port 0, request bodies, JSON and SSE replies, waiting for a
 * request, websockets, closing. Each stand-in keeps its own wire format and exported API; the model
 * stand-ins share their skeleton through `serveModelStandIn` and `ScriptedReplies`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts `server` on 127.0.0.1, port 0; returns `http://127.0.0.1:PORT`. */
export async function listenLocally(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Stops listening and drops kept-alive connections, which would otherwise hold close() open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Polls `find` every 10 ms until it returns a value, or rejects with `timeoutMessage()` after
 * `timeoutMs`. Polling rather than a hook on every push: some waits are for a state (a socket is
 * open), and a waiter resumes on a timer of its own, never synchronously inside a stand-in's request
 * handler between recording a request and answering it.
 */
export function waitFor<T>(find: () => T | undefined, timeoutMs: number, timeoutMessage: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      const found = find();
      if (found !== undefined) return resolve(found);
      if (Date.now() - started > timeoutMs) return reject(new Error(timeoutMessage()));
      setTimeout(tick, 10);
    };
    tick();
  });
}

/** Waits for an item of `list` matching `match` (the bot stand-ins' calls, acks, identifies). */
export function waitForItem<T>(list: readonly T[], match: (item: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return waitFor(() => list.find(match), timeoutMs, () => `stand-in: timed out waiting for ${what}`);
}

/** The first item of `list` matching `match` that arrives during the next `quietMs`, if any. */
export async function arrivesWithin<T>(list: readonly T[], match: (item: T) => boolean, quietMs: number): Promise<T | undefined> {
  const from = list.length;
  await sleep(quietMs);
  return list.slice(from).find(match);
}

/** A websocket endpoint on `server` at `path` (slack.ts: Socket Mode, discord.ts: the gateway). */
export function acceptWebSockets(server: Server, path: string, onConnection: (ws: WebSocket, req: IncomingMessage) => void) {
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith(path)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      onConnection(ws, req);
    });
  });
  return {
    sockets,
    /** Sends `text` to every open socket. */
    broadcast: (text: string): void => {
      for (const ws of sockets) ws.send(text);
    },
    close: async (): Promise<void> => {
      // Close sockets gracefully first: a hard terminate leaves a 30 s reconnect timer in the client.
      for (const ws of sockets) ws.close(1000, 'stand-in closing');
      await sleep(50);
      for (const ws of sockets) ws.terminate();
      wss.close();
      await closeServer(server);
    },
  };
}

// ---- Model servers (OpenAI-compatible chat, Anthropic, Ollama) ----

/** The text of a message's `content`: a string, or the `text` of its parts (OpenAI and Anthropic). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : ''))
      .join('');
  }
  return '';
}

/** `data.messages` as role and text. */
export function messagesOf(data: Record<string, unknown>, contentOf: (content: unknown) => string = textOf): { role: string; content: string }[] {
  if (!Array.isArray(data.messages)) return [];
  return data.messages.map((m: unknown) => {
    const message = (m ?? {}) as Record<string, unknown>;
    return { role: String(message.role), content: contentOf(message.content) };
  });
}

/** What every model stand-in records of a request, before its API-specific fields. */
export interface RecordedHttpRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  model: string | undefined;
}

/** What every model stand-in records of a chat request. */
export interface RecordedModelRequest extends RecordedHttpRequest {
  messages: { role: string; content: string }[];
  stream: boolean;
  temperature: number | undefined;
  /** Every message's content, joined with blank lines. */
  prompt: string;
}

/** The options every model stand-in takes. */
export interface ModelStandInOptions<R, Reply> {
  replies?: Reply[];
  /** Computes the reply; returning undefined falls back to the queue. */
  respond?: (request: R) => Reply | undefined | Promise<Reply | undefined>;
  /** The model names served; others answer the API's "model not found". */
  models?: string[];
}

/** A rough token count for `usage` fields. */
export const tokens = (text: string): number => Math.ceil(text.length / 4);

/** `text` in about three pieces, split mid-line, as real servers stream deltas. */
export function pieces(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let offset = 0; offset < text.length; offset += size) out.push(text.slice(offset, offset + size));
  return out;
}

/** Starts a 200 `text/event-stream`; the returned function sends one event (`event:` line optional). */
export function eventStream(res: ServerResponse, headers: Record<string, string> = {}): (data: unknown, event?: string) => void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  return (data, event) => {
    res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);
  };
}

/** A scripted HTTP error, answered in the API's own error shape. */
export interface ErrorReply {
  status: number;
  message?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export const isErrorReply = (reply: unknown): reply is ErrorReply => typeof reply === 'object' && reply !== null && 'status' in reply;

/** Answered when neither `respond` nor the queue has a reply, so a test that forgot one fails loudly. */
export const NO_REPLY_LEFT: ErrorReply = { status: 500, message: 'stand-in: no scripted reply left' };

/** Waits out a reply's `delayMs`; false when the client has gone meanwhile (timeouts, aborts). */
export async function delayed(res: ServerResponse, delayMs: number | undefined): Promise<boolean> {
  if (delayMs) await sleep(delayMs);
  return !res.destroyed;
}

/** Sends a scripted error after its delay: `body` is the API's error object for it. */
export async function sendErrorReply(res: ServerResponse, reply: ErrorReply, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  if (reply.delayMs) await sleep(reply.delayMs);
  sendJson(res, reply.status, body, { ...headers, ...reply.headers });
}

/** The replies a model stand-in gives: `respond(request)` when it returns one, else a queue. */
export class ScriptedReplies<Reply, Request> {
  readonly queue: Reply[];

  constructor(
    replies: readonly Reply[] = [],
    private readonly respond?: (request: Request) => Reply | undefined | Promise<Reply | undefined>,
  ) {
    this.queue = [...replies];
  }

  enqueue(...replies: Reply[]): void {
    this.queue.push(...replies);
  }

  /** Puts `reply` ahead of the queued ones. */
  failNext(reply: Reply): void {
    this.queue.unshift(reply);
  }

  /** What `respond` computes, undefined without one. */
  async computed(request: Request): Promise<Reply | undefined> {
    return this.respond ? await this.respond(request) : undefined;
  }

  /** `respond`'s reply, else the head of the queue, else the NO_REPLY_LEFT error. */
  async next(request: Request): Promise<Reply | ErrorReply> {
    return (await this.computed(request)) ?? this.queue.shift() ?? NO_REPLY_LEFT;
  }
}

export interface ModelServerSpec<R, Reply> {
  /** `openai`, `anthropic`, `ollama`: names the stand-in in waitForRequest's timeout. */
  name: string;
  replies: ScriptedReplies<Reply, R>;
  /** The API-specific record of a request; `base` has what all of them record. */
  record(base: RecordedHttpRequest, data: Record<string, unknown>): R;
  /** Answers a recorded request. */
  handle(request: R, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** A 500 in the API's error shape, for a handler that threw before answering. */
  failure(res: ServerResponse, message: string): void;
}

/** The API the model stand-ins share (theirs may add to it). Arrow-typed members: they may be passed on detached, as the stand-ins do. */
export interface ModelServer<R, Reply> {
  /** `http://127.0.0.1:PORT`, without any API prefix. */
  readonly url: string;
  readonly requests: R[];
  /** The most requests served at once. */
  readonly maxInFlight: number;
  /** Responses sent in full so far: a client that gave up on a delayed reply leaves this unchanged. */
  readonly answered: number;
  enqueue: (...replies: Reply[]) => void;
  /** Resolves on the first recorded request that matches, fails after `timeoutMs` (2 s). */
  waitForRequest: (predicate?: (request: R) => boolean, timeoutMs?: number) => Promise<R>;
  close: () => Promise<void>;
}

/** A model API server: records every request (JSON body parsed), counts requests in flight, answers with `spec.handle`. */
export async function serveModelStandIn<R, Reply>(spec: ModelServerSpec<R, Reply>): Promise<ModelServer<R, Reply>> {
  const requests: R[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let answered = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = (await readBody(req)).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const data = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const base: RecordedHttpRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      headers: req.headers,
      body,
      model: typeof data.model === 'string' ? data.model : undefined,
    };
    const request = spec.record(base, data);
    requests.push(request);
    await spec.handle(request, req, res);
  };

  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    res.on('finish', () => {
      answered += 1;
    });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) spec.failure(res, `stand-in failure: ${String(error)}`);
      else res.end();
    });
  });
  const url = await listenLocally(server);

  return {
    url,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get answered() {
      return answered;
    },
    enqueue: (...replies) => spec.replies.enqueue(...replies),
    waitForRequest: (predicate = () => true, timeoutMs = 2000) =>
      waitFor(
        () => requests.find(predicate),
        timeoutMs,
        () => `${spec.name} stand-in: no matching request within ${timeoutMs} ms (${requests.length} received)`,
      ),
    close: () => closeServer(server),
  };
}
