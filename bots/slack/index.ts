/**
 * The Slack front end on @slack/bolt: `/fix` (with a paste, or alone for a modal), mentions, opt-in help
 * channels, buttons and reactions for feedback, follow-ups in the thread. This file builds the app and
 * its receiver; each kind of event has its handler module under handlers/, sharing context.ts. HTTP (Events API, signed requests; mounted on the shared
 * HTTP server through `requestListener`) or Socket Mode when an app token is configured.
 *
 * Every repair answers in a thread: one status message edited as progress arrives, then the answer as
 * Block Kit, then files for what did not fit. Errors reach the user as one sentence and the request id;
 * the log gets the rest, without user code or tokens.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  App,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  type Logger as BoltLogger,
  type webApi,
} from '@slack/bolt';
import type { Config } from '../../src/config/index.ts';
import { TracefixError } from '../../src/errors.ts';
import type { FeedbackStore } from '../../src/feedback/types.ts';
import type { Logger } from '../../src/log.ts';
import type { RepairService } from '../../src/repair/types.ts';
import { memoryCounters, type Counters } from '../shared/counters.ts';
import { errorFields } from '../shared/wording.ts';
import { createSlackContext } from './context.ts';
import { registerActions } from './handlers/actions.ts';
import { registerCommands } from './handlers/commands.ts';
import { registerMessages } from './handlers/messages.ts';
import { registerReactions } from './handlers/reactions.ts';
import { EventEnvelopeSchema } from './payloads.ts';

export interface SlackBotOptions {
  config: NonNullable<Config['slack']>;
  limits: Config['limits'];
  service: RepairService;
  store: FeedbackStore;
  logger: Logger;
  /** Per-request budget handed to the engine as a deadline. Default 120 s (REPAIR_DEADLINE_MS). */
  deadlineMs?: number;
  /** Minimum time between two edits of a status message (Slack allows about one write per second). */
  statusIntervalMs?: number;
  /**
   * Rate limits and event de-duplication; shared with the other processes on Redis (openCounters with
   * REDIS_URL), else this process's memory (the default).
   */
  counters?: Counters;
  /** Passed to the Web API client; `slackApiUrl` comes from `config.apiUrl` unless set here. */
  clientOptions?: webApi.WebClientOptions;
  /**
   * HTTP mode only: listen on this port in `start()`. Leave unset to mount `requestListener` on the
   * shared HTTP server instead (the default in src/main).
   */
  listen?: { port: number; host?: string };
}

export interface SlackBot {
  readonly mode: 'http' | 'socket';
  /**
   * HTTP mode: a Node request listener for everything Slack sends (slash commands, events and
   * interactivity all go to POST /slack/events). Mount it under `/slack/` with the body unread, so the
   * signature check sees the exact bytes. Answers 503 before `start()` resolves and 404 off its path.
   */
  readonly requestListener?: RequestListener;
  /** Verifies the token (auth.test), then connects (Socket Mode) or listens (`listen`). */
  start(): Promise<void>;
  /** Cancels running repairs, waits briefly for them to report, and disconnects. */
  stop(): Promise<void>;
}

export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Where the shared HTTP server mounts the bot in HTTP mode: `{ prefix: '/slack/', handler }` for
 * src/http's `mounts`, or undefined in Socket Mode (nothing to serve).
 */
export function slackMount(bot: SlackBot): { prefix: string; handler: RequestListener } | undefined {
  return bot.requestListener === undefined ? undefined : { prefix: '/slack/', handler: bot.requestListener };
}

/** Bolt logs strings that can hold request bodies at debug level: keep warnings and errors only. */
function boltLogger(logger: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  const text = (parts: unknown[]): string => parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => logger.debug({ component: 'bolt' }, text(parts)),
    warn: (...parts: unknown[]) => logger.warn({ component: 'bolt' }, text(parts)),
    error: (...parts: unknown[]) => logger.error({ component: 'bolt' }, text(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function createSlackBot(options: SlackBotOptions): SlackBot {
  const { config, limits, service, store } = options;
  const logger = options.logger.child({ component: 'slack' });
  const socketMode = config.appToken !== undefined;
  if (!socketMode && config.signingSecret === undefined) {
    throw new TracefixError('bad_config', 'Slack needs SLACK_SIGNING_SECRET for HTTP mode, or SLACK_APP_TOKEN for Socket Mode.');
  }
  const apiUrl = config.apiUrl === undefined ? undefined : config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`;
  const clientOptions: webApi.WebClientOptions = {
    ...(apiUrl === undefined ? {} : { slackApiUrl: apiUrl }),
    ...options.clientOptions,
  };
  const boltLog = boltLogger(logger);

  const receiver =
    config.appToken !== undefined
      ? new SocketModeReceiver({ appToken: config.appToken, logger: boltLog, installerOptions: { clientOptions } })
      : new HTTPReceiver({
          signingSecret: config.signingSecret ?? '',
          endpoints: SLACK_EVENTS_PATH,
          logger: boltLog,
          // Ack first, work afterwards: a repair outlives Slack's 3-second window.
          processBeforeResponse: false,
        });

  const app = new App({
    token: config.botToken,
    receiver,
    logger: boltLog,
    clientOptions,
    // Without it the constructor fires auth.test un-awaited, and a bad token crashes the process.
    deferInitialization: true,
  });

  const counters = options.counters ?? memoryCounters();
  const ctx = createSlackContext({
    app,
    limiter: counters.rateLimiter(limits),
    config,
    limits,
    service,
    store,
    logger,
    deadlineMs: options.deadlineMs ?? 120_000,
    statusIntervalMs: options.statusIntervalMs ?? 1200,
    // Files need the bot token, so they are fetched from Slack's file host (or the test seam) only.
    trustedFileOrigins: new Set(['https://files.slack.com', ...(apiUrl === undefined ? [] : [new URL(apiUrl).origin])]),
  });
  const dedupe = counters.deduper('slack', 60 * 60 * 1000);
  let ready = false;
  let listening = false;

  // Slack retries an event it did not see acknowledged (possibly to another process); handle each
  // event_id once.
  app.use(async ({ body, next }) => {
    const envelope = EventEnvelopeSchema.safeParse(body);
    if (envelope.success && !(await dedupe.first(envelope.data.event_id))) {
      logger.debug({ eventId: envelope.data.event_id }, 'duplicate event dropped');
      return;
    }
    await next();
  });
  registerCommands(ctx);
  registerMessages(ctx);
  registerReactions(ctx);
  registerActions(ctx);

  app.error(async (error) => {
    logger.error({ err: errorFields(error) }, 'bolt error');
    await Promise.resolve();
  });

  const requestListener: RequestListener | undefined =
    receiver instanceof HTTPReceiver
      ? (req: IncomingMessage, res: ServerResponse) => {
          if (!ready) {
            res.statusCode = 503;
            res.end('tracefix: Slack is starting');
            return;
          }
          const notFound = (): void => {
            if (!res.headersSent) {
              res.statusCode = 404;
              res.end();
            }
          };
          try {
            const out: unknown = receiver.requestListener(req, res);
            if (out instanceof Promise) out.catch(notFound);
          } catch {
            // Bolt throws for paths it does not own (HTTPReceiverDeferredRequestError).
            notFound();
          }
        }
      : undefined;

  return {
    mode: socketMode ? 'socket' : 'http',
    ...(requestListener === undefined ? {} : { requestListener }),
    async start() {
      await app.init();
      const auth = await app.client.auth.test();
      ctx.botUserId = auth.user_id ?? '';
      if (receiver instanceof SocketModeReceiver) {
        await app.start();
      } else if (options.listen !== undefined) {
        await receiver.start({ port: options.listen.port, host: options.listen.host ?? '127.0.0.1' });
        listening = true;
      }
      ready = true;
      logger.info({ mode: socketMode ? 'socket' : 'http' }, 'slack bot started');
    },
    async stop() {
      ready = false;
      await ctx.drain(5000);
      if (receiver instanceof SocketModeReceiver) await app.stop();
      else if (listening) await receiver.stop();
      listening = false;
      logger.info('slack bot stopped');
    },
  };
}
