/**
 * A stand-in for Discord on 127.0.0.1, port 0: the REST API under /api/v10 (gateway/bot, channel
 * messages, reactions, interaction callbacks, webhooks) and the gateway websocket (HELLO, heartbeat
 * ACK, IDENTIFY with a token and intents check, READY, GUILD_CREATE, then whatever the test
 * dispatches). The real discord.js runs against it; see ../../shared/TESTING.md.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { acceptWebSockets, arrivesWithin, listenLocally, readBody, waitForItem } from './http-standin.ts';

export const DISCORD_TOKEN = 'standin.discord.token';
export const BOT_ID = '100000000000000001';
export const APP_ID = '100000000000000002';
export const GUILD_ID = '200000000000000001';
export const CHANNEL_ID = '300000000000000001';
export const OTHER_CHANNEL_ID = '300000000000000002';
/** MessageContent (1 << 15) is privileged: a bot that asks for it without approval is closed with 4014. */
const PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15);

export interface DiscordCall {
  method: string;
  /** Path without the /api/v10 prefix, e.g. `/channels/1/messages`. */
  route: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** JSON body, or `payload_json` of a multipart body. */
  json: Record<string, unknown> | undefined;
  /** Files of a multipart body, by field name. */
  files: { field: string; name: string; content: string }[];
  at: number;
}

export interface GatewayFrame {
  op: number;
  d: unknown;
  s?: number | null;
  t?: string | null;
}

export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  content: string;
  author: { id: string; username: string; bot?: boolean };
  [key: string]: unknown;
}

export interface DiscordStandIn {
  /** `http://127.0.0.1:PORT/api` — the REST seam (discord.js adds /v10). */
  apiUrl: string;
  calls: DiscordCall[];
  /** URLs the gateway websocket was opened with (to check query parameters). */
  gatewayUrls: string[];
  identifies: { token: string; intents: number }[];
  messages: Map<string, StoredMessage>;
  waitForCall(method: string, route: RegExp, match?: (call: DiscordCall) => boolean, timeoutMs?: number): Promise<DiscordCall>;
  expectNoCall(method: string, route: RegExp, quietMs?: number): Promise<void>;
  waitForIdentify(timeoutMs?: number): Promise<void>;
  /**
   * A user message in a channel (stored, so fetching it works). Returns the message. `authorIsBot`
   * makes the author another bot account (`author.bot: true`), as a webhook or integration posts.
   */
  userMessage(input: { content: string; author?: string; authorIsBot?: boolean; channel?: string; mentionsBot?: boolean; replyTo?: string; id?: string }): StoredMessage;
  dispatchMessage(message: StoredMessage, mentionsBot?: boolean): void;
  dispatchReaction(input: { messageId: string; emoji: string; user?: string; channel?: string; remove?: boolean }): void;
  dispatchButton(input: { customId: string; messageId: string; user?: string; channel?: string }): { id: string; token: string };
  close(): Promise<void>;
}

function user(id: string, bot = false): { id: string; username: string; discriminator: string; global_name: string; avatar: null; bot: boolean } {
  return { id, username: bot ? 'tracefix' : `user${id.slice(-3)}`, discriminator: '0', global_name: bot ? 'tracefix' : `User ${id.slice(-3)}`, avatar: null, bot };
}

export async function startDiscordStandIn(options: { token?: string; heartbeatMs?: number; allowPrivileged?: boolean } = {}): Promise<DiscordStandIn> {
  const token = options.token ?? DISCORD_TOKEN;
  const calls: DiscordCall[] = [];
  const gatewayUrls: string[] = [];
  const identifies: { token: string; intents: number }[] = [];
  const messages = new Map<string, StoredMessage>();
  let snowflake = 500_000_000_000_000_000n;
  let sequence = 0;
  let base = '';
  const nextId = (): string => String((snowflake += 1n));

  const messageObject = (input: Partial<StoredMessage> & { channel_id: string; content: string; author: StoredMessage['author'] }): StoredMessage => ({
    id: nextId(),
    guild_id: GUILD_ID,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    ...input,
  });

  const rest = async (req: IncomingMessage, raw: Buffer): Promise<{ status: number; body?: unknown }> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = url.pathname.replace(/^\/api\/v10/, '');
    const method = req.method ?? 'GET';
    const type = req.headers['content-type'] ?? '';
    let json: Record<string, unknown> | undefined;
    const files: DiscordCall['files'] = [];
    if (type.includes('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      for (const [field, value] of form.entries()) {
        if (field === 'payload_json' && typeof value === 'string') json = JSON.parse(value) as Record<string, unknown>;
        else if (typeof value !== 'string') files.push({ field, name: value.name, content: await value.text() });
      }
    } else if (raw.length > 0) {
      json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    }
    calls.push({ method, route, query: url.searchParams, headers: req.headers, json, files, at: Date.now() });
    if (req.headers.authorization !== `Bot ${token}` && !route.startsWith('/interactions/') && !route.startsWith('/webhooks/')) {
      return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    }
    let m: RegExpMatchArray | null;
    if (method === 'GET' && route === '/gateway/bot') {
      return {
        status: 200,
        body: { url: `${base.replace('http', 'ws')}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } },
      };
    }
    if (method === 'POST' && (m = route.match(/^\/channels\/(\d+)\/messages$/))) {
      const message = messageObject({
        channel_id: m[1] ?? '',
        content: typeof json?.content === 'string' ? json.content : '',
        author: user(BOT_ID, true),
        embeds: json?.embeds ?? [],
        components: json?.components ?? [],
        attachments: files.map((f, i) => ({ id: String(i), filename: f.name, size: f.content.length, url: `${base}/cdn/${f.name}`, proxy_url: `${base}/cdn/${f.name}` })),
        ...(json?.message_reference === undefined ? {} : { message_reference: json.message_reference, type: 19 }),
      });
      messages.set(message.id, message);
      return { status: 200, body: message };
    }
    if ((m = route.match(/^\/channels\/(\d+)\/messages\/(\d+)$/))) {
      const existing = messages.get(m[2] ?? '');
      if (existing === undefined) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      if (method === 'PATCH') {
        if (typeof json?.content === 'string') existing.content = json.content;
        if (json?.embeds !== undefined) existing.embeds = json.embeds;
        if (json?.components !== undefined) existing.components = json.components;
        existing.edited_timestamp = new Date().toISOString();
      }
      return { status: 200, body: existing };
    }
    if (method === 'PUT' && /^\/channels\/\d+\/messages\/\d+\/reactions\/[^/]+\/@me$/.test(route)) return { status: 204 };
    if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(route)) return { status: 204 };
    if (/^\/webhooks\/\d+\/[^/]+(\/messages\/.+)?$/.test(route)) {
      const message = messageObject({ channel_id: CHANNEL_ID, content: typeof json?.content === 'string' ? json.content : '', author: user(BOT_ID, true) });
      return { status: 200, body: message };
    }
    return { status: 404, body: { message: `stand-in: no route ${method} ${route}`, code: 0 } };
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const answer = await rest(req, raw);
      res.statusCode = answer.status;
      if (answer.body === undefined) {
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer.body));
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(JSON.stringify({ message: String(error) }));
    });
  });

  const gateway = acceptWebSockets(server, '/gateway', (ws, req) => {
    gatewayUrls.push(req.url ?? '');
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as GatewayFrame;
      if (frame.op === 1) {
        ws.send(JSON.stringify({ op: 11, d: null }));
        return;
      }
      if (frame.op !== 2) return;
      const identify = frame.d as { token: string; intents: number };
      identifies.push({ token: identify.token, intents: identify.intents });
      if (identify.token !== token) {
        ws.close(4004, 'Authentication failed.');
        return;
      }
      if ((identify.intents & PRIVILEGED) !== 0 && options.allowPrivileged !== true) {
        ws.close(4014, 'Disallowed intent(s).');
        return;
      }
      const send1 = (t: string, d: unknown): void => ws.send(JSON.stringify({ op: 0, t, s: (sequence += 1), d }));
      send1('READY', {
        v: 10,
        user: { ...user(BOT_ID, true), verified: true, flags: 0, mfa_enabled: false },
        guilds: [{ id: GUILD_ID, unavailable: true }],
        session_id: 'standin-session',
        resume_gateway_url: `${base.replace('http', 'ws')}/gateway`,
        application: { id: APP_ID, flags: 0 },
        private_channels: [],
      });
      send1('GUILD_CREATE', {
        id: GUILD_ID,
        name: 'Stand-in Guild',
        icon: null,
        owner_id: '900000000000000001',
        unavailable: false,
        member_count: 2,
        large: false,
        features: [],
        joined_at: new Date().toISOString(),
        roles: [{ id: GUILD_ID, name: '@everyone', permissions: '68608', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
        channels: [
          { id: CHANNEL_ID, type: 0, name: 'help', position: 0, permission_overwrites: [], guild_id: GUILD_ID },
          { id: OTHER_CHANNEL_ID, type: 0, name: 'random', position: 1, permission_overwrites: [], guild_id: GUILD_ID },
        ],
        threads: [],
        members: [{ user: user(BOT_ID, true), roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false }],
        emojis: [],
        stickers: [],
        presences: [],
        voice_states: [],
        stage_instances: [],
        guild_scheduled_events: [],
      });
    });
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: options.heartbeatMs ?? 5000 } }));
  });
  const dispatch = (t: string, d: unknown): void => gateway.broadcast(JSON.stringify({ op: 0, t, s: (sequence += 1), d } satisfies GatewayFrame));

  base = await listenLocally(server);

  const standIn: DiscordStandIn = {
    apiUrl: `${base}/api`,
    calls,
    gatewayUrls,
    identifies,
    messages,
    waitForCall: (method, route, match = () => true, timeoutMs = 5000) =>
      waitForItem(calls, (call) => call.method === method && route.test(call.route) && match(call), timeoutMs, `${method} ${String(route)}`),
    async expectNoCall(method, route, quietMs = 500) {
      const seen = await arrivesWithin(calls, (call) => call.method === method && route.test(call.route), quietMs);
      if (seen !== undefined) throw new Error(`stand-in: unexpected ${method} ${seen.route}: ${JSON.stringify(seen.json).slice(0, 300)}`);
    },
    waitForIdentify: (timeoutMs = 5000) => waitForItem(identifies, () => true, timeoutMs, 'IDENTIFY').then(() => undefined),
    userMessage(input) {
      const author = user(input.author ?? '700000000000000001', input.authorIsBot === true);
      const message = messageObject({
        ...(input.id === undefined ? {} : { id: input.id }),
        channel_id: input.channel ?? CHANNEL_ID,
        content: input.content,
        author,
        member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false },
        mentions: input.mentionsBot === false ? [] : [{ ...user(BOT_ID, true), member: { roles: [], joined_at: new Date().toISOString() } }],
        ...(input.replyTo === undefined
          ? {}
          : { type: 19, message_reference: { message_id: input.replyTo, channel_id: input.channel ?? CHANNEL_ID, guild_id: GUILD_ID } }),
      });
      messages.set(message.id, message);
      return message;
    },
    dispatchMessage(message) {
      dispatch('MESSAGE_CREATE', message);
    },
    dispatchReaction(input) {
      const userId = input.user ?? '700000000000000001';
      dispatch(input.remove === true ? 'MESSAGE_REACTION_REMOVE' : 'MESSAGE_REACTION_ADD', {
        user_id: userId,
        channel_id: input.channel ?? CHANNEL_ID,
        message_id: input.messageId,
        guild_id: GUILD_ID,
        emoji: { id: null, name: input.emoji },
        burst: false,
        type: 0,
        ...(input.remove === true ? {} : { member: { user: user(userId), roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false } }),
      });
    },
    dispatchButton(input) {
      const id = nextId();
      const interactionToken = `itoken-${id}`;
      const userId = input.user ?? '700000000000000001';
      const message = messages.get(input.messageId) ?? messageObject({ channel_id: input.channel ?? CHANNEL_ID, content: '', author: user(BOT_ID, true) });
      dispatch('INTERACTION_CREATE', {
        id,
        application_id: APP_ID,
        type: 3,
        token: interactionToken,
        version: 1,
        guild_id: GUILD_ID,
        channel_id: input.channel ?? CHANNEL_ID,
        channel: { id: input.channel ?? CHANNEL_ID, type: 0, guild_id: GUILD_ID, name: 'help' },
        member: { user: user(userId), roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, permissions: '68608' },
        app_permissions: '68608',
        locale: 'en-US',
        guild_locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: { '0': GUILD_ID },
        context: 0,
        data: { custom_id: input.customId, component_type: 2 },
        message,
      });
      return { id, token: interactionToken };
    },
    close: gateway.close,
  };
  return standIn;
}
