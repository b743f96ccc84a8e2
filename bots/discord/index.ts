/**
 * The Discord front end on discord.js: a mention with the snippet in code fences, or a mention in reply
 * to a message that holds the code. The bot answers with a status reply (edited as progress arrives),
 * then the answer (an embed, the diff and the trace excerpt in fenced parts of ≤ 2,000 characters,
 * files for the rest) and buttons; 👍/👎 as reactions or buttons are recorded in the feedback store.
 *
 * MessageContent is privileged and not requested: Discord delivers the content of messages that mention
 * the bot. Help channels (posts without a mention) are the exception and need it; see createDiscordBot.
 */
import {
  AttachmentBuilder,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type ButtonInteraction,
  type ClientOptions,
  type Interaction,
  type Message,
  type MessageCreateOptions,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from 'discord.js';
import { z } from 'zod';
import type { Config } from '../../src/config/index.ts';
import { TracefixError } from '../../src/errors.ts';
import type { FeedbackStore } from '../../src/feedback/types.ts';
import type { Logger } from '../../src/log.ts';
import type { Interaction as StoredInteraction } from '../../src/feedback/types.ts';
import { parseFollowUp } from '../../src/request/index.ts';
import type { Origin, RepairResult, RepairService } from '../../src/repair/types.ts';
import { isAllowed, isHelpChannel } from '../shared/allow-list.ts';
import { memoryCounters, type Counters } from '../shared/counters.ts';
import { runAndRecord, toRepairRequest, voteOfReaction, withAddedTest, type ParsedPaste } from '../shared/flow.ts';
import { downloadAttachments, looksLikeHelpRequest, newRequestId, parseChatPaste, type PasteAttachment } from '../shared/paste.ts';
import { ACCEPTED_LINE, addedTestLine, errorFields, errorMessage, headline, rateLimitMessage, USAGE, whyLines } from '../shared/wording.ts';
import { buttonRow, choiceRow, parseButtonId, renderAnswer, type DiscordFile } from './render.ts';
import { DISCORD_LIMITS } from '../shared/platform-limits.ts';
import { truncate } from '../shared/split.ts';

export interface DiscordBotOptions {
  config: NonNullable<Config['discord']>;
  limits: Config['limits'];
  service: RepairService;
  store: FeedbackStore;
  logger: Logger;
  /** Per-request budget handed to the engine as a deadline. Default 120 s (REPAIR_DEADLINE_MS). */
  deadlineMs?: number;
  /** Minimum time between two edits of a status message. */
  statusIntervalMs?: number;
  /**
   * Rate limits and message de-duplication; shared with the other processes on Redis (openCounters
   * with REDIS_URL), else this process's memory (the default).
   */
  counters?: Counters;
  /** Merged into the discord.js ClientOptions (tests: `rest: { retries: 0, timeout: 2000 }`). */
  clientOptions?: Partial<ClientOptions>;
  /** How long start() waits for the gateway to be ready. */
  readyTimeoutMs?: number;
}

export interface DiscordBot {
  readonly client: Client;
  /** Logs in and resolves once the gateway is ready (`clientReady`). */
  start(): Promise<void>;
  /** Cancels running repairs, waits briefly for them to report, and disconnects. */
  stop(): Promise<void>;
}

/** Echoed user text must never ping @everyone, @here or roles; replying may ping the asker. */
export const ALLOWED_MENTIONS = { parse: ['users' as const], repliedUser: true };

const MessageShape = z.object({
  id: z.string(),
  content: z.string(),
  channelId: z.string(),
  guildId: z.string().nullable(),
  author: z.object({ id: z.string(), bot: z.boolean() }),
});

const AttachmentShape = z.object({
  name: z.string(),
  url: z.string(),
  size: z.number(),
  contentType: z.string().nullable().optional(),
});

const TRUSTED_CDN = new Set(['https://cdn.discordapp.com', 'https://media.discordapp.net']);

/** The rows under an answer: the not-pinned options (when asked), then feedback, retry and why. */
function answerRows(result: RepairResult, requestId: string): Record<string, unknown>[] {
  const choice = choiceRow(result, requestId);
  return [...(choice === undefined ? [] : [choice]), buttonRow(requestId, result.trace !== undefined)];
}

function files(list: DiscordFile[]): AttachmentBuilder[] {
  return list.map((file) => new AttachmentBuilder(Buffer.from(file.content, 'utf8'), { name: file.name }));
}

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { config, limits, service, store } = options;
  const logger = options.logger.child({ component: 'discord' });
  const deadlineMs = options.deadlineMs ?? 120_000;
  const statusIntervalMs = options.statusIntervalMs ?? 1000;
  const helpChannels = config.helpChannels.length > 0;

  const intents = [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.GuildMessageReactions,
    GatewayIntentBits.DirectMessages,
    // 👍 on an answer in a DM.
    GatewayIntentBits.DirectMessageReactions,
  ];
  // Posts in help channels do not mention the bot, so their content needs the privileged intent. Only
  // asked for when an operator lists help channels (and has enabled it in the developer portal).
  if (helpChannels) intents.push(GatewayIntentBits.MessageContent);

  const { rest: restOptions, ...otherClientOptions } = options.clientOptions ?? {};
  const client = new Client({
    intents,
    // Reactions on messages sent before the bot started arrive for uncached messages: without the
    // Message and Reaction partials they are dropped; Channel and User for DMs.
    partials: [Partials.Message, Partials.Reaction, Partials.Channel, Partials.User],
    allowedMentions: ALLOWED_MENTIONS,
    rest: { ...(config.apiUrl === undefined ? {} : { api: config.apiUrl }), ...restOptions },
    ...otherClientOptions,
  });

  const controller = new AbortController();
  const jobs = new Set<Promise<void>>();
  const counters = options.counters ?? memoryCounters();
  const limiter = counters.rateLimiter(limits);
  // A resumed gateway session may replay a dispatch, and two processes on one token both receive it;
  // answer each message once.
  const seen = counters.deduper('discord', 10 * 60 * 1000);
  const trustedAttachmentOrigins = new Set([...TRUSTED_CDN, ...(config.apiUrl === undefined ? [] : [new URL(config.apiUrl).origin])]);

  /** Runs a handler detached and logged: an unhandled rejection would end the Node process. */
  const spawn = (label: string, work: () => Promise<void>, requestId?: string): void => {
    const job = work()
      .catch((error: unknown) => logger.error({ err: errorFields(error), requestId, handler: label }, 'discord handler failed'))
      .finally(() => jobs.delete(job));
    jobs.add(job);
  };

  const reply = (target: Message, content: string, extra: Omit<MessageCreateOptions, 'content'> = {}): Promise<Message> =>
    target.reply({ content, allowedMentions: ALLOWED_MENTIONS, ...extra });

  /** Text files attached to a message (code or tests), from Discord's CDN only. */
  const attachmentsOf = (message: Message): Promise<PasteAttachment[]> =>
    downloadAttachments(
      [...message.attachments.values()].flatMap((raw) => {
        const attachment = AttachmentShape.safeParse(raw);
        if (!attachment.success) return [];
        const { name, url, size, contentType } = attachment.data;
        const texty = (contentType ?? '').startsWith('text/') || /\.(py|txt)$/i.test(name);
        return texty ? [{ name, url, size }] : [];
      }),
      { trustedOrigins: trustedAttachmentOrigins, maxBytes: limits.maxPasteBytes },
    );

  interface RepairJob {
    requestId: string;
    paste: ParsedPaste;
    origin: Origin;
    /** The message the status and the answer reply to. */
    replyTo: Message;
  }

  const repair = async (job: RepairJob): Promise<void> => {
    const log = logger.child({ requestId: job.requestId });
    const status = await reply(job.replyTo, ACCEPTED_LINE);
    try {
      const { result } = await runAndRecord(
        { service, store, logger, deadlineMs, statusIntervalMs, signal: controller.signal },
        toRepairRequest(job.requestId, job.paste, job.origin),
        async (line) => {
          await status.edit({ content: line, allowedMentions: ALLOWED_MENTIONS });
        },
      );
      const answer = renderAnswer(result, job.requestId);
      const contents = answer.parts.length === 0 ? [''] : answer.parts;
      const posted: Message[] = [];
      for (let i = 0; i < contents.length; i += 1) {
        const first = i === 0;
        const last = i === contents.length - 1;
        const extra: Omit<MessageCreateOptions, 'content'> = {
          ...(first ? { embeds: [answer.embed] } : {}),
          ...(last ? { components: answerRows(result, job.requestId) as never, files: files(answer.files) } : {}),
        };
        posted.push(await reply(first ? job.replyTo : (posted[i - 1] ?? job.replyTo), contents[i] ?? '', extra));
      }
      // A reaction on any part of the answer counts.
      for (const message of posted) {
        await store.attachAnswer(job.requestId, 'discord', message.id).catch((error: unknown) => {
          log.warn({ err: errorFields(error) }, 'could not link the answer to the interaction');
        });
      }
      await status.edit({ content: headline(result), allowedMentions: ALLOWED_MENTIONS }).catch((error: unknown) => {
        log.warn({ err: errorFields(error) }, 'final status edit failed');
      });
    } catch (error) {
      log.error({ err: errorFields(error) }, 'repair failed');
      await status.edit({ content: errorMessage(error, job.requestId), allowedMentions: ALLOWED_MENTIONS });
    }
  };

  /** The answer a thread reply is about: the bot's message it replies to, if that was an answer. */
  const answerOf = async (message: Message): Promise<StoredInteraction | undefined> => {
    const referenced = message.reference?.messageId;
    return referenced === undefined ? undefined : store.findByAnswer('discord', referenced);
  };

  const answerWhy = async (stored: StoredInteraction, replyTo: Message): Promise<void> => {
    const trace = stored.result.trace;
    await reply(replyTo, truncate(whyLines(stored.result).join('\n'), DISCORD_LIMITS.content), {
      ...(trace === undefined ? {} : { files: files([{ name: 'trace.py', content: trace.rendered }]) }),
    });
  };

  /** Runs the stored request again with `test` appended to its tests, answering under `replyTo`. */
  const rerunWithTest = async (
    stored: StoredInteraction,
    test: string,
    who: { user: string; channel: string; guild: string | null },
    replyTo: Message,
    /** Says a sentence where the user asked (a reply, or the button's interaction reply). */
    say: (text: string, privately: boolean) => Promise<void>,
    /** The user chose `test` among the answers offered (see withAddedTest). */
    picked = false,
  ): Promise<void> => {
    const decision = await limiter.take(`discord:${who.user}`, `discord:${who.channel}`);
    if (!decision.allowed) {
      await say(rateLimitMessage(decision), true);
      return;
    }
    const requestId = newRequestId();
    logger.info({ requestId, followUpOf: stored.id }, 'rerun with an added test');
    const origin: Origin = { platform: 'discord', channel: who.channel, user: who.user };
    if (who.guild !== null) origin.workspace = who.guild;
    const paste: ParsedPaste = withAddedTest(stored.request, test, picked);
    await say(truncate(addedTestLine(test), DISCORD_LIMITS.content), false);
    await repair({ requestId, paste, origin, replyTo });
  };

  /** A mention in reply to an answer that asks "why?" or adds asserts; true when it was one (and is handled). */
  const followUp = async (message: Message, text: string, user: string): Promise<boolean> => {
    if (message.attachments.size > 0) return false;
    const asked = parseFollowUp(text, 'discord');
    if (asked === undefined) return false;
    const stored = await answerOf(message);
    if (stored === undefined) return false;
    if (asked.kind === 'why') await answerWhy(stored, message);
    else {
      const who = { user, channel: message.channelId, guild: message.guildId };
      await rerunWithTest(stored, asked.tests, who, message, (line) => reply(message, line).then(() => undefined));
    }
    return true;
  };

  const onMessage = async (message: Message): Promise<void> => {
    const shape = MessageShape.safeParse(message);
    if (!shape.success || shape.data.author.bot) return;
    const me = client.user?.id;
    if (me === undefined || !(await seen.first(shape.data.id))) return;
    const { channelId, guildId } = shape.data;
    // A reply to the bot pings it without naming it; only an explicit mention asks for work.
    const mentioned = new RegExp(`<@!?${me}>`).test(shape.data.content);
    const help = !mentioned && isHelpChannel(config.helpChannels, channelId) && looksLikeHelpRequest(shape.data.content);
    if (!mentioned && !help) return;
    // DMs are open unless the operator limited the bot to some guilds; channel lists apply to guilds.
    if (guildId === null ? config.allowedGuilds !== undefined : !isAllowed(config.allowedGuilds, guildId) || !isAllowed(config.allowedChannels, channelId)) return;

    const requestId = newRequestId();
    let text = shape.data.content.replace(new RegExp(`<@!?${me}>`, 'g'), '').trim();
    if (mentioned && (await followUp(message, text, shape.data.author.id))) return;
    let paste: ParsedPaste;
    try {
      let attachments = await attachmentsOf(message);
      if (!/```/.test(text) && attachments.length === 0 && message.reference?.messageId !== undefined) {
        // The code is in the message this one replies to; the mention's own words are the description.
        const referenced = await message.fetchReference().catch(() => undefined);
        if (referenced !== undefined && referenced.content.trim() === '' && referenced.attachments.size === 0) {
          await reply(message, "I can't read the message you replied to (Discord hides other people's messages from bots). Mention me in a message with the code in ``` fences instead.");
          return;
        }
        if (referenced !== undefined) {
          text = `${text}\n${referenced.content}`.trim();
          attachments = await attachmentsOf(referenced);
        }
      }
      if (text === '' && attachments.length === 0) {
        await reply(message, USAGE);
        return;
      }
      paste = parseChatPaste(text, attachments, 'discord', limits.maxPasteBytes);
    } catch (error) {
      logger.info({ requestId, code: error instanceof TracefixError ? error.code : 'internal' }, 'paste refused');
      if (!help) await reply(message, errorMessage(error, requestId));
      return;
    }
    const decision = await limiter.take(`discord:${shape.data.author.id}`, `discord:${channelId}`);
    if (!decision.allowed) {
      logger.info({ requestId, scope: decision.scope }, 'rate limited');
      if (!help) await reply(message, rateLimitMessage(decision));
      return;
    }
    logger.info({ requestId, channel: channelId, kind: help ? 'help' : 'mention' }, 'message accepted');
    const origin: Origin = { platform: 'discord', channel: channelId, user: shape.data.author.id, message: shape.data.id };
    if (guildId !== null) origin.workspace = guildId;
    await repair({ requestId, paste, origin, replyTo: message });
  };

  const onReaction = async (
    reaction: MessageReaction | PartialMessageReaction,
    user: User | PartialUser,
    added: boolean,
  ): Promise<void> => {
    if (user.id === client.user?.id) return;
    const vote = voteOfReaction(reaction.emoji.name ?? '');
    if (vote === undefined) return;
    // The message id is all the store needs; a partial message need not be fetched.
    const messageId = reaction.message.id;
    const interaction = await store.findByAnswer('discord', messageId);
    if (interaction === undefined) return;
    await store.vote(interaction.id, { user: user.id, vote: added ? vote : null, at: Date.now(), source: 'reaction' });
    logger.info({ requestId: interaction.id, vote, removed: !added }, 'reaction recorded');
  };

  const onButton = async (interaction: ButtonInteraction): Promise<void> => {
    const parsed = parseButtonId(interaction.customId);
    if (parsed === undefined) return;
    const { kind, interactionId } = parsed;
    const log = logger.child({ requestId: interactionId, button: kind });
    const ephemeral = async (content: string): Promise<void> => {
      await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: ALLOWED_MENTIONS });
    };
    if (kind === 'up' || kind === 'down') {
      const updated = await store.vote(interactionId, { user: interaction.user.id, vote: kind, at: Date.now(), source: 'button' });
      log.info({ found: updated !== undefined }, 'button vote');
      await ephemeral(updated === undefined ? 'I could not find that answer any more.' : `Thanks — your ${kind === 'up' ? '👍' : '👎'} is recorded.`);
      return;
    }
    const stored = await store.get(interactionId);
    if (stored === undefined) {
      await ephemeral('I could not find that answer any more.');
      return;
    }
    if (kind === 'trace') {
      const trace = stored.result.trace;
      await interaction.reply({
        content: truncate(whyLines(stored.result).join('\n'), DISCORD_LIMITS.content),
        ...(trace === undefined ? {} : { files: files([{ name: 'trace.py', content: trace.rendered }]) }),
        allowedMentions: ALLOWED_MENTIONS,
      });
      return;
    }
    if (parsed.kind === 'choose') {
      const option = stored.result.choice?.options[parsed.index];
      if (option === undefined) {
        await ephemeral('That choice is no longer on record.');
        return;
      }
      log.info({ option: parsed.index }, 'not-pinned choice');
      const who = { user: interaction.user.id, channel: interaction.channelId, guild: interaction.guildId };
      // The interaction is answered at once (Discord allows 3 s), in public: the thread sees the new test.
      await rerunWithTest(stored, option.test, who, interaction.message, (line, privately) =>
        privately ? ephemeral(line) : interaction.reply({ content: line, allowedMentions: ALLOWED_MENTIONS }).then(() => undefined),
        true,
      );
      return;
    }
    const decision = await limiter.take(`discord:${interaction.user.id}`, `discord:${interaction.channelId}`);
    if (!decision.allowed) {
      await ephemeral(rateLimitMessage(decision));
      return;
    }
    await ephemeral('🔁 Trying again…');
    const requestId = newRequestId();
    log.info({ retryOf: interactionId, newRequestId: requestId }, 'try again');
    const origin: Origin = { platform: 'discord', channel: interaction.channelId, user: interaction.user.id };
    if (interaction.guildId !== null) origin.workspace = interaction.guildId;
    await repair({ requestId, paste: stored.request, origin, replyTo: interaction.message });
  };

  client.on(Events.MessageCreate, (message) => spawn('messageCreate', () => onMessage(message)));
  client.on(Events.MessageReactionAdd, (reaction, user) => spawn('reactionAdd', () => onReaction(reaction, user, true)));
  client.on(Events.MessageReactionRemove, (reaction, user) => spawn('reactionRemove', () => onReaction(reaction, user, false)));
  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    if (interaction.isButton()) spawn('button', () => onButton(interaction));
  });
  client.on(Events.Error, (error) => logger.error({ err: errorFields(error) }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn({ detail: message }, 'discord client warning'));

  return {
    client,
    async start() {
      let timer: NodeJS.Timeout | undefined;
      const ready = new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new TracefixError('internal', 'Discord did not become ready in time.')), options.readyTimeoutMs ?? 30_000);
        client.once(Events.ClientReady, () => resolve());
      });
      // When login fails first, nobody awaits `ready`; its later rejection must not end the process.
      ready.catch(() => undefined);
      try {
        await client.login(config.token);
        await ready;
      } catch (error) {
        await client.destroy();
        throw new TracefixError('bad_config', 'Could not connect to Discord; check DISCORD_TOKEN and the bot’s intents.', { cause: error });
      } finally {
        clearTimeout(timer);
      }
      logger.info({ user: client.user?.id, helpChannels }, 'discord bot started');
    },
    async stop() {
      controller.abort();
      await Promise.race([Promise.allSettled([...jobs]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      await client.destroy();
      logger.info('discord bot stopped');
    },
  };
}
