/**
 * A stand-in for the parts of Slack that tracefix talks to, on 127.0.0.1 and port 0: the Web API
 * (form-encoded or JSON methods under /api/), response_url callbacks, the external file-upload URL of
 * files.uploadV2, and Socket Mode (apps.connections.open + a websocket). Every request is recorded;
 * `waitFor…` helpers resolve on a match or fail after a couple of seconds.
 *
 * The real @slack/web-api and @slack/socket-mode run against it; see ../../shared/TESTING.md.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { acceptWebSockets, arrivesWithin, listenLocally, readBody, waitForItem } from './http-standin.ts';

export interface SlackCall {
  /** Web API method (`chat.postMessage`), or `response_url`, or `upload`. */
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Form fields or JSON body; values that Slack sends as JSON strings (blocks) are left as strings. */
  body: Record<string, unknown>;
  raw: Buffer;
  at: number;
  /** What the stand-in answered (Web API methods). */
  response?: Record<string, unknown>;
}

export interface SlackStandIn {
  /** `http://127.0.0.1:PORT/api/` — the `slackApiUrl` seam. */
  apiUrl: string;
  baseUrl: string;
  calls: SlackCall[];
  acks: { envelope_id: string; payload?: unknown; at: number }[];
  /** A fresh response_url that records what is posted to it. */
  responseUrl(): string;
  /** The next call of `method` answers `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  waitForCall(method: string, match?: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  /** Resolves when no call matching arrives for `quietMs` (asserting that nothing happened). */
  expectNoCall(method: string, match?: (call: SlackCall) => boolean, quietMs?: number): Promise<void>;
  /** Socket Mode: push an envelope to every connected socket; returns its envelope id. */
  pushEnvelope(type: 'slash_commands' | 'events_api' | 'interactive', payload: unknown): string;
  waitForSocket(timeoutMs?: number): Promise<void>;
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<{ envelope_id: string; payload?: unknown; at: number }>;
  /** Serves `content` at a url_private-style URL that requires the bot token. */
  hostFile(name: string, content: string): string;
  /** Content uploaded through files.uploadV2, by file id. */
  uploads: Map<string, { filename?: string; content: string }>;
  close(): Promise<void>;
}

export const STANDIN_TEAM = 'T0TEAM';
export const STANDIN_BOT_USER = 'U0BOT';
export const STANDIN_BOT_ID = 'B0BOT';
export const STANDIN_APP_TOKEN = 'xapp-1-standin';

/** `v0=` + hex HMAC-SHA256 of `v0:{ts}:{body}`, as Slack signs requests. */
export function slackSignature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

async function parseBody(req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return {};
  if (type.includes('application/json')) return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  if (type.includes('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const out: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) out[key] = typeof value === 'string' ? value : await value.text();
    return out;
  }
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  return { content: raw.toString('utf8') };
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
  const calls: SlackCall[] = [];
  const acks: SlackStandIn['acks'] = [];
  const failures = new Map<string, string[]>();
  const uploads = new Map<string, { filename?: string; content: string }>();
  const pendingUploads = new Map<string, string>();
  const hosted = new Map<string, string>();
  let seq = 0;
  let tsCounter = 1_700_000_000_000_100;
  let baseUrl = '';

  const answer = (method: string, body: Record<string, unknown>): Record<string, unknown> => {
    const failing = failures.get(method);
    const error = failing?.shift();
    if (error !== undefined) return { ok: false, error };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://standin.slack.test/', team: 'Stand-in', user: 'tracefix', team_id: STANDIN_TEAM, user_id: STANDIN_BOT_USER, bot_id: STANDIN_BOT_ID };
      case 'chat.postMessage': {
        tsCounter += 1;
        const ts = `${String(tsCounter).slice(0, 10)}.${String(tsCounter).slice(10)}`;
        return { ok: true, channel: body.channel, ts, message: { text: body.text, ts, thread_ts: body.thread_ts } };
      }
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.000001` };
      case 'views.open':
        return { ok: true, view: { id: `V${(seq += 1)}` } };
      case 'files.getUploadURLExternal': {
        const id = `F${(seq += 1)}`;
        pendingUploads.set(id, typeof body.filename === 'string' ? body.filename : '');
        return { ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(typeof body.files === 'string' ? body.files : '[]') as { id: string; title?: string }[];
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? '' })) };
      }
      case 'apps.connections.open':
        return { ok: true, url: `${baseUrl.replace('http', 'ws')}/socket` };
      default:
        return { ok: true };
    }
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = await parseBody(req, raw);
      const path = url.pathname;
      let method = 'unknown';
      if (path.startsWith('/api/')) method = path.slice('/api/'.length);
      else if (path.startsWith('/response/')) method = 'response_url';
      else if (path.startsWith('/upload/')) method = 'upload';
      else if (path.startsWith('/files/')) method = 'file_download';
      const call: SlackCall = { method, path, headers: req.headers, body, raw, at: Date.now() };
      calls.push(call);
      res.setHeader('content-type', 'application/json');
      if (method === 'upload') {
        const id = path.slice('/upload/'.length);
        const content = typeof body.file === 'string' ? body.file : typeof body.content === 'string' ? body.content : raw.toString('utf8');
        const filename = pendingUploads.get(id);
        uploads.set(id, filename === undefined ? { content } : { filename, content });
        res.setHeader('content-type', 'text/plain');
        res.end('OK - 0');
        return;
      }
      if (method === 'file_download') {
        const content = hosted.get(path.slice('/files/'.length));
        const authorized = req.headers.authorization === 'Bearer xoxb-standin';
        res.statusCode = content === undefined ? 404 : authorized ? 200 : 403;
        res.setHeader('content-type', 'text/plain');
        res.end(authorized ? (content ?? '') : '');
        return;
      }
      if (method === 'response_url') {
        res.end(JSON.stringify({ ok: true }));
        return;
      }
      if (method === 'apps.connections.open' && req.headers.authorization !== `Bearer ${STANDIN_APP_TOKEN}`) {
        res.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
        return;
      }
      call.response = answer(method, body);
      res.end(JSON.stringify(call.response));
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ ok: false, error: String(error) }));
    });
  });

  const socketMode = acceptWebSockets(server, '/socket', (ws) => {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { envelope_id: string; payload?: unknown };
      acks.push({ ...frame, at: Date.now() });
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'standin', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0APP' } }));
  });

  baseUrl = await listenLocally(server);

  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    calls,
    acks,
    uploads,
    responseUrl: () => `${baseUrl}/response/${(seq += 1)}`,
    hostFile(name, content) {
      const id = `F${(seq += 1)}-${name}`;
      hosted.set(id, content);
      return `${baseUrl}/files/${id}`;
    },
    failNext(method, error) {
      failures.set(method, [...(failures.get(method) ?? []), error]);
    },
    waitForCall: (method, match = () => true, timeoutMs = 5000) =>
      waitForItem(calls, (call) => call.method === method && match(call), timeoutMs, `a ${method} call`),
    async expectNoCall(method, match = () => true, quietMs = 500) {
      const seen = await arrivesWithin(calls, (call) => call.method === method && match(call), quietMs);
      if (seen !== undefined) throw new Error(`stand-in: unexpected ${method} call: ${seen.raw.toString('utf8').slice(0, 300)}`);
    },
    pushEnvelope(type, payload) {
      const envelopeId = `env-${(seq += 1)}`;
      const frame = JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' });
      socketMode.broadcast(frame);
      return envelopeId;
    },
    waitForSocket: (timeoutMs = 5000) =>
      waitForItem([socketMode.sockets], (open) => open.size > 0, timeoutMs, 'a Socket Mode connection').then(() => undefined),
    waitForAck: (envelopeId, timeoutMs = 5000) => waitForItem(acks, (ack) => ack.envelope_id === envelopeId, timeoutMs, `the ack of ${envelopeId}`),
    close: socketMode.close,
  };
}
