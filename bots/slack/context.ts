/**
 * What every Slack handler shares: the bolt app, the engine and store, the running jobs, and the few
 * Slack calls a repair needs (post, update, upload). Built once per bot by createSlackBot; each handler
 * module registers its listeners on `app` and reaches everything else through this object.
 */
import type { App } from '@slack/bolt';
import type { Config } from '../../src/config/index.ts';
import { TracefixError } from '../../src/errors.ts';
import type { FeedbackStore } from '../../src/feedback/types.ts';
import type { Logger } from '../../src/log.ts';
import type { Origin, RepairRequest, RepairResult, RepairService } from '../../src/repair/types.ts';
import { runAndRecord, toRepairRequest, type ParsedPaste } from '../shared/flow.ts';
import { downloadAttachments, parseChatPaste, type PasteAttachment } from '../shared/paste.ts';
import type { RateLimiter } from '../shared/rate-limit.ts';
import { ACCEPTED_LINE, errorFields, errorMessage, headline, rateLimitMessage } from '../shared/wording.ts';
import type { MessageEvent } from './payloads.ts';
import { escapeSlack, renderAnswer, statusBlocks, type SlackFile } from './render.ts';

export interface RepairJob {
  requestId: string;
  paste: ParsedPaste;
  origin: Origin;
  channel: string;
  /** Reply in this thread; absent for /fix, whose status message becomes the thread's root. */
  threadTs?: string;
  /** Shown before the status line in the root message of a /fix, so the channel sees who asked. */
  prefix?: string;
}

export interface SlackContext {
  app: App;
  config: NonNullable<Config['slack']>;
  limits: Config['limits'];
  service: RepairService;
  store: FeedbackStore;
  logger: Logger;
  limiter: RateLimiter;
  /** The bot's own user id, known after auth.test in start(). */
  botUserId: string;
  /** Runs work after the ack; never rejects, and stop() can wait for it. */
  spawn(requestId: string, work: () => Promise<void>): void;
  post(channel: string, text: string, threadTs?: string, blocks?: unknown[]): Promise<string>;
  upload(channel: string, threadTs: string, files: SlackFile[]): Promise<void>;
  downloadFiles(event: MessageEvent): Promise<PasteAttachment[]>;
  /** Parse, rate-limit; the reason to refuse as a user-facing sentence, or the parsed paste. */
  admit(requestId: string, text: string, attachments: PasteAttachment[], user: string, channel: string): Promise<{ paste: ParsedPaste } | { refusal: string }>;
  /** Posts the status message, runs the repair, answers in the thread. */
  repair(job: RepairJob): Promise<void>;
  /** Waits for running jobs (at most `graceMs`) after aborting them. */
  drain(graceMs: number): Promise<void>;
}

export interface SlackContextOptions {
  app: App;
  config: NonNullable<Config['slack']>;
  limits: Config['limits'];
  service: RepairService;
  store: FeedbackStore;
  logger: Logger;
  limiter: RateLimiter;
  deadlineMs: number;
  statusIntervalMs: number;
  /** Where attached files may be fetched from with the bot token (Slack's file host, the test seam). */
  trustedFileOrigins: ReadonlySet<string>;
}

/** The thread a repair answered in, as a key of the feedback store: follow-ups in it find the answer. */
export function threadKey(channel: string, threadTs: string): string {
  return `thread:${channel}:${threadTs}`;
}

export function createSlackContext(options: SlackContextOptions): SlackContext {
  const { app, config, limits, service, store, logger, limiter, deadlineMs, statusIntervalMs } = options;
  const controller = new AbortController();
  const jobs = new Set<Promise<void>>();

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

  const linkAnswer = async (result: RepairResult, requestId: string, keys: string[]): Promise<void> => {
    for (const key of keys) {
      await store.attachAnswer(requestId, 'slack', key).catch((error: unknown) => {
        logger.warn({ err: errorFields(error), requestId, status: result.status }, 'could not link the answer to the interaction');
      });
    }
  };

  const context: SlackContext = {
    app,
    config,
    limits,
    service,
    store,
    logger,
    limiter,
    botUserId: '',
    spawn(requestId, work) {
      const job = work()
        .catch((error: unknown) => logger.error({ err: errorFields(error), requestId }, 'slack job failed'))
        .finally(() => jobs.delete(job));
      jobs.add(job);
    },
    post,
    upload,
    downloadFiles(event) {
      return downloadAttachments(
        (event.files ?? []).flatMap((file) => {
          const url = file.url_private_download ?? file.url_private;
          if (url === undefined) return [];
          return [{ name: file.name ?? file.id, url, ...(file.size === undefined ? {} : { size: file.size }) }];
        }),
        { trustedOrigins: options.trustedFileOrigins, maxBytes: limits.maxPasteBytes, headers: { authorization: `Bearer ${config.botToken}` } },
      );
    },
    async admit(requestId, text, attachments, user, channel) {
      let paste: ParsedPaste;
      try {
        paste = parseChatPaste(text, attachments, 'slack', limits.maxPasteBytes);
      } catch (error) {
        logger.info({ requestId, code: error instanceof TracefixError ? error.code : 'internal' }, 'paste refused');
        return { refusal: errorMessage(error, requestId) };
      }
      const decision = await limiter.take(`slack:${user}`, `slack:${channel}`);
      if (!decision.allowed) {
        logger.info({ requestId, scope: decision.scope }, 'rate limited');
        return { refusal: rateLimitMessage(decision) };
      }
      return { paste };
    },
    async repair(job) {
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
        // Reactions arrive with the answer's ts; follow-ups in the thread with the thread's. The answer's
        // key goes last: the store keeps the last one as the interaction's answerMessage.
        await linkAnswer(result, job.requestId, [threadKey(job.channel, threadTs), `${job.channel}:${answerTs}`]);
        await update(job.channel, statusTs, statusText(prefix, headline(result))).catch((error: unknown) => {
          log.warn({ err: errorFields(error) }, 'final status update failed');
        });
        await upload(job.channel, threadTs, answer.files).catch(async (error: unknown) => {
          log.warn({ err: errorFields(error) }, 'file upload failed');
          await post(job.channel, '(The full trace and fixed file could not be attached; use “Why?” for the trace.)', threadTs);
        });
      } catch (error) {
        log.error({ err: errorFields(error) }, 'repair failed');
        await update(job.channel, statusTs, statusText(prefix, errorMessage(error, job.requestId)));
      }
    },
    async drain(graceMs) {
      controller.abort();
      // Running repairs see the abort and report; give them a moment to post their last word.
      await Promise.race([Promise.allSettled([...jobs]), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    },
  };
  return context;
}
