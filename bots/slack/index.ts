/**
 * The Slack front end on @slack/bolt: `/fix` (with a paste, or alone for a modal), mentions, opt-in help
 * channels, buttons and reactions for feedback. HTTP (Events API, signed requests; mounted on the shared
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
import type { Origin, RepairRequest, RepairService } from '../../src/repair/types.ts';
import { isAllowed, isHelpChannel } from '../shared/allow-list.ts';
import { createDeduper } from '../shared/dedupe.ts';
import { runAndRecord, toRepairRequest, voteOfReaction, type ParsedPaste } from '../shared/flow.ts';
import { downloadAttachments, looksLikeHelpRequest, newRequestId, parseChatPaste, type PasteAttachment } from '../shared/paste.ts';
import { createRateLimiter } from '../shared/rate-limit.ts';
import { ACCEPTED_LINE, errorFields, errorMessage, headline, NOT_ALLOWED_MESSAGE, rateLimitMessage, USAGE } from '../shared/wording.ts';
import {
  BlockActionSchema,
  CommandSchema,
  EventEnvelopeSchema,
  MessageEventSchema,
  ModalMetadataSchema,
  ReactionEventSchema,
  ViewSubmissionSchema,
  type MessageEvent,
} from './payloads.ts';
import { ACTION, escapeSlack, fixModal, MODAL_CALLBACK, renderAnswer, statusBlocks, type SlackFile } from './render.ts';

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

/** Slack text of a mention without the mention itself. */
function stripMentions(text: string): string {
  return text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();
}

export function createSlackBot(options: SlackBotOptions): SlackBot {
  const { config, limits, service, store } = options;
  const logger = options.logger.child({ component: 'slack' });
  const deadlineMs = options.deadlineMs ?? 120_000;
  const statusIntervalMs = options.statusIntervalMs ?? 1200;
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

  const controller = new AbortController();
  const jobs = new Set<Promise<void>>();
  const dedupe = createDeduper();
  const limiter = createRateLimiter(limits);
  let ready = false;
  let listening = false;

  /** Runs work after the ack; never rejects, and stop() can wait for it. */
  const spawn = (requestId: string, work: () => Promise<void>): void => {
    const job = work()
      .catch((error: unknown) => logger.error({ err: errorFields(error), requestId }, 'slack job failed'))
      .finally(() => jobs.delete(job));
    jobs.add(job);
  };

  const post = async (channel: string, text: string, threadTs?: string, blocks?: unknown[]): Promise<string> => {
    const response = await app.client.chat.postMessage({
      channel,
      text,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      ...(blocks === undefined ? {} : { blocks: blocks as never }),
      // Links in user code must not unfurl previews into the thread.
      unfurl_links: false,
      unfurl_media: false,
    });
    if (response.ts === undefined) throw new TracefixError('internal', 'Slack did not return the posted message.');
    return response.ts;
  };

  const update = async (channel: string, ts: string, text: string): Promise<void> => {
    await app.client.chat.update({ channel, ts, text, blocks: statusBlocks(text) as never });
  };

  /** A status line is plain words (ours, or a parser message that may echo the paste): escape it. */
  const statusText = (prefix: string, line: string): string => `${prefix}${escapeSlack(line)}`;

  const upload = async (channel: string, threadTs: string, files: SlackFile[]): Promise<void> => {
    if (files.length === 0) return;
    await app.client.filesUploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      file_uploads: files.map((file) => ({ content: file.content, filename: file.filename, title: file.title })),
    });
  };

  // Files need the bot token, so they are fetched from Slack's file host (or the test seam) only.
  const trustedFileOrigins = new Set(['https://files.slack.com', ...(apiUrl === undefined ? [] : [new URL(apiUrl).origin])]);
  const downloadFiles = (event: MessageEvent): Promise<PasteAttachment[]> =>
    downloadAttachments(
      (event.files ?? []).flatMap((file) => {
        const url = file.url_private_download ?? file.url_private;
        if (url === undefined) return [];
        return [{ name: file.name ?? file.id, url, ...(file.size === undefined ? {} : { size: file.size }) }];
      }),
      { trustedOrigins: trustedFileOrigins, maxBytes: limits.maxPasteBytes, headers: { authorization: `Bearer ${config.botToken}` } },
    );

  interface RepairJob {
    requestId: string;
    paste: ParsedPaste;
    origin: Origin;
    channel: string;
    /** Reply in this thread; absent for /fix, whose status message becomes the thread's root. */
    threadTs?: string;
    /** Shown before the status line in the root message of a /fix, so the channel sees who asked. */
    prefix?: string;
  }

  /** Posts the status message, runs the repair, answers in the thread. */
  const repair = async (job: RepairJob): Promise<void> => {
    const log = logger.child({ requestId: job.requestId });
    const request: RepairRequest = toRepairRequest(job.requestId, job.paste, job.origin);
    const prefix = job.prefix ?? '';
    const first = statusText(prefix, ACCEPTED_LINE);
    const statusTs = await post(job.channel, first, job.threadTs, statusBlocks(first));
    const threadTs = job.threadTs ?? statusTs;
    try {
      const { result } = await runAndRecord(
        { service, store, logger, deadlineMs, statusIntervalMs, signal: controller.signal },
        request,
        (line) => update(job.channel, statusTs, statusText(prefix, line)),
      );
      const answer = renderAnswer(result, job.requestId);
      const answerTs = await post(job.channel, answer.text, threadTs, answer.blocks);
      await store.attachAnswer(job.requestId, 'slack', `${job.channel}:${answerTs}`).catch((error: unknown) => {
        log.warn({ err: errorFields(error) }, 'could not link the answer to the interaction');
      });
      await update(job.channel, statusTs, statusText(prefix, headline(result))).catch((error: unknown) => {
        log.warn({ err: errorFields(error) }, 'final status update failed');
      });
      await upload(job.channel, threadTs, answer.files).catch(async (error: unknown) => {
        log.warn({ err: errorFields(error) }, 'file upload failed');
        await post(job.channel, '(The full trace and fixed file could not be attached; use “Show full trace”.)', threadTs);
      });
    } catch (error) {
      log.error({ err: errorFields(error) }, 'repair failed');
      await update(job.channel, statusTs, statusText(prefix, errorMessage(error, job.requestId)));
    }
  };

  /** Parse, rate-limit; returns the reason to refuse as a user-facing sentence, or the parsed paste. */
  const admit = (
    requestId: string,
    text: string,
    attachments: PasteAttachment[],
    user: string,
    channel: string,
  ): { paste: ParsedPaste } | { refusal: string } => {
    let paste: ParsedPaste;
    try {
      paste = parseChatPaste(text, attachments, 'slack', limits.maxPasteBytes);
    } catch (error) {
      logger.info({ requestId, code: error instanceof TracefixError ? error.code : 'internal' }, 'paste refused');
      return { refusal: errorMessage(error, requestId) };
    }
    const decision = limiter.take(`slack:${user}`, `slack:${channel}`);
    if (!decision.allowed) {
      logger.info({ requestId, scope: decision.scope }, 'rate limited');
      return { refusal: rateLimitMessage(decision) };
    }
    return { paste };
  };

  // Slack retries an event it did not see acknowledged; handle each event_id once.
  app.use(async ({ body, next }) => {
    const envelope = EventEnvelopeSchema.safeParse(body);
    if (envelope.success && !dedupe.first(envelope.data.event_id)) {
      logger.debug({ eventId: envelope.data.event_id }, 'duplicate event dropped');
      return;
    }
    await next();
  });

  app.command('/fix', async ({ body, ack, respond }) => {
    const parsed = CommandSchema.safeParse(body);
    if (!parsed.success) {
      await ack();
      logger.warn({ issues: parsed.error.issues.length }, 'unexpected slash command payload');
      return;
    }
    const command = parsed.data;
    const requestId = newRequestId();
    if (!isAllowed(config.allowedTeams, command.team_id) || !isAllowed(config.allowedChannels, command.channel_id)) {
      await ack({ response_type: 'ephemeral', text: NOT_ALLOWED_MESSAGE });
      return;
    }
    const text = command.text.trim();
    if (text === '' && command.trigger_id !== undefined) {
      await ack();
      const metadata = JSON.stringify({ channel: command.channel_id, team: command.team_id });
      spawn(requestId, async () => {
        await app.client.views.open({ trigger_id: command.trigger_id ?? '', view: fixModal(metadata) as never });
      });
      return;
    }
    if (text === '' || /^help$/i.test(text)) {
      await ack({ response_type: 'ephemeral', text: escapeSlack(USAGE) });
      return;
    }
    const admitted = admit(requestId, text, [], command.user_id, command.channel_id);
    if ('refusal' in admitted) {
      await ack({ response_type: 'ephemeral', text: escapeSlack(admitted.refusal) });
      return;
    }
    await ack();
    logger.info({ requestId, channel: command.channel_id }, 'slash command accepted');
    spawn(requestId, async () => {
      try {
        await repair({
          requestId,
          paste: admitted.paste,
          origin: { platform: 'slack', workspace: command.team_id, channel: command.channel_id, user: command.user_id },
          channel: command.channel_id,
          prefix: `<@${command.user_id}> asked for a fix. `,
        });
      } catch (error) {
        // Usually not_in_channel: the command works anywhere, posting needs an invitation.
        logger.warn({ err: errorFields(error), requestId }, 'could not answer in the channel');
        await respond({
          response_type: 'ephemeral',
          text: `⚠️ I could not post in this channel — invite me with \`/invite @tracefix\` and try again. (reference: ${requestId})`,
        });
      }
    });
  });

  app.view(MODAL_CALLBACK, async ({ body, ack }) => {
    const parsed = ViewSubmissionSchema.safeParse(body);
    const metadata = parsed.success ? ModalMetadataSchema.safeParse(safeJson(parsed.data.view.private_metadata)) : undefined;
    if (!parsed.success || metadata === undefined || !metadata.success) {
      await ack();
      logger.warn('unexpected modal submission');
      return;
    }
    const values = parsed.data.view.state.values;
    const field = (block: string): string => values[block]?.value?.value?.trim() ?? '';
    const code = field('code');
    const tests = field('tests');
    const description = field('description');
    const requestId = newRequestId();
    const { channel, team } = metadata.data;
    // Reuse the paste parser for its checks (size, binary, code present) on the same text a user would paste.
    const pasted = [description, '```\n' + code + '\n```', tests === '' ? '' : '```\n' + tests + '\n```'].filter(Boolean).join('\n');
    const admitted = admit(requestId, pasted, [], parsed.data.user.id, channel);
    if ('refusal' in admitted) {
      await ack({ response_action: 'errors', errors: { code: admitted.refusal.slice(0, 150) } });
      return;
    }
    await ack();
    const paste: ParsedPaste = { ...admitted.paste, code };
    if (tests !== '') paste.tests = tests;
    if (description !== '') paste.description = description;
    spawn(requestId, () =>
      repair({
        requestId,
        paste,
        origin: { platform: 'slack', workspace: team, channel, user: parsed.data.user.id },
        channel,
        prefix: `<@${parsed.data.user.id}> asked for a fix. `,
      }),
    );
  });

  /** Mentions and help-channel posts: answer in the message's thread. */
  const onMessage = async (event: MessageEvent, team: string | undefined, kind: 'mention' | 'help'): Promise<void> => {
    if (event.user === undefined || event.bot_id !== undefined) return;
    if (!isAllowed(config.allowedTeams, team) || !isAllowed(config.allowedChannels, event.channel)) return;
    const requestId = newRequestId();
    const threadTs = event.thread_ts ?? event.ts;
    const text = stripMentions(event.text);
    spawn(requestId, async () => {
      if (kind === 'mention' && text === '' && (event.files ?? []).length === 0) {
        await post(event.channel, escapeSlack(USAGE), threadTs);
        return;
      }
      let attachments: PasteAttachment[];
      try {
        attachments = await downloadFiles(event);
      } catch (error) {
        if (kind === 'mention') await post(event.channel, escapeSlack(errorMessage(error, requestId)), threadTs);
        return;
      }
      const admitted = admit(requestId, text, attachments, event.user ?? '', event.channel);
      if ('refusal' in admitted) {
        // In a help channel the bot offered itself; it stays quiet rather than scolding a post.
        if (kind === 'mention') await post(event.channel, escapeSlack(admitted.refusal), threadTs);
        return;
      }
      logger.info({ requestId, channel: event.channel, kind }, 'message accepted');
      const origin: Origin = { platform: 'slack', channel: event.channel, user: event.user ?? '', message: event.ts, thread: threadTs };
      if (team !== undefined) origin.workspace = team;
      await repair({ requestId, paste: admitted.paste, origin, channel: event.channel, threadTs });
    });
    await Promise.resolve();
  };

  app.event('app_mention', async ({ event, body }) => {
    const parsed = MessageEventSchema.safeParse(event);
    if (!parsed.success) return;
    await onMessage(parsed.data, EventEnvelopeSchema.safeParse(body).data?.team_id, 'mention');
  });

  app.event('message', async ({ event, body }) => {
    const parsed = MessageEventSchema.safeParse(event);
    if (!parsed.success || parsed.data.subtype !== undefined) return;
    if (!isHelpChannel(config.helpChannels, parsed.data.channel)) return;
    // A mention of the bot arrives as app_mention too; answer it once.
    if (botUserId !== '' && parsed.data.text.includes(`<@${botUserId}>`)) return;
    if (!looksLikeHelpRequest(parsed.data.text)) return;
    await onMessage(parsed.data, EventEnvelopeSchema.safeParse(body).data?.team_id, 'help');
  });

  const onReaction = async (event: unknown): Promise<void> => {
    const parsed = ReactionEventSchema.safeParse(event);
    if (!parsed.success || parsed.data.item.type !== 'message') return;
    const vote = voteOfReaction(parsed.data.reaction);
    const { channel, ts } = parsed.data.item;
    if (vote === undefined || channel === undefined || ts === undefined) return;
    const interaction = await store.findByAnswer('slack', `${channel}:${ts}`);
    if (interaction === undefined) return;
    await store.vote(interaction.id, {
      user: parsed.data.user,
      vote: parsed.data.type === 'reaction_added' ? vote : null,
      at: Date.now(),
      source: 'reaction',
    });
    logger.info({ requestId: interaction.id, vote, removed: parsed.data.type === 'reaction_removed' }, 'reaction recorded');
  };
  app.event('reaction_added', async ({ event }) => onReaction(event));
  app.event('reaction_removed', async ({ event }) => onReaction(event));

  app.action(/^tracefix_/, async ({ body, ack, respond }) => {
    await ack();
    const parsed = BlockActionSchema.safeParse(body);
    if (!parsed.success) return;
    const action = parsed.data.actions[0];
    const interactionId = action?.value;
    if (action === undefined || interactionId === undefined) return;
    const user = parsed.data.user.id;
    const channel = parsed.data.channel?.id;
    const threadTs = parsed.data.message?.thread_ts ?? parsed.data.message?.ts;
    const log = logger.child({ requestId: interactionId, action: action.action_id });
    const say = async (text: string): Promise<void> => {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    };
    spawn(interactionId, async () => {
      if (action.action_id === ACTION.up || action.action_id === ACTION.down) {
        const vote = action.action_id === ACTION.up ? 'up' : 'down';
        const updated = await store.vote(interactionId, { user, vote, at: Date.now(), source: 'button' });
        log.info({ vote, found: updated !== undefined }, 'button vote');
        await say(updated === undefined ? 'I could not find that answer any more.' : `Thanks — your ${vote === 'up' ? '👍' : '👎'} is recorded.`);
        return;
      }
      const interaction = await store.get(interactionId);
      if (interaction === undefined || channel === undefined || threadTs === undefined) {
        await say('I could not find that answer any more.');
        return;
      }
      if (action.action_id === ACTION.trace) {
        const trace = interaction.result.trace;
        if (trace === undefined) {
          await say('No trace was recorded for this answer.');
          return;
        }
        await upload(channel, threadTs, [{ filename: 'trace.py', title: `Full NExT trace of ${trace.testName}`, content: trace.rendered }]);
        return;
      }
      if (action.action_id === ACTION.retry) {
        const requestId = newRequestId();
        const decision = limiter.take(`slack:${user}`, `slack:${channel}`);
        if (!decision.allowed) {
          await say(rateLimitMessage(decision));
          return;
        }
        const origin: Origin = { platform: 'slack', channel, user, thread: threadTs };
        if (parsed.data.team?.id !== undefined) origin.workspace = parsed.data.team.id;
        log.info({ retryOf: interactionId, newRequestId: requestId }, 'try again');
        await repair({ requestId, paste: interaction.request, origin, channel, threadTs });
      }
    });
  });

  app.error(async (error) => {
    logger.error({ err: errorFields(error) }, 'bolt error');
    await Promise.resolve();
  });

  let botUserId = '';

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
      botUserId = auth.user_id ?? '';
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
      controller.abort();
      // Running repairs see the abort and report; give them a moment to post their last word.
      await Promise.race([Promise.allSettled([...jobs]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (receiver instanceof SocketModeReceiver) await app.stop();
      else if (listening) await receiver.stop();
      listening = false;
      logger.info('slack bot stopped');
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
