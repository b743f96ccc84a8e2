/**
 * Mentions and help-channel posts: a paste answered in the message's thread. A mention inside the thread
 * of an answer may instead be a follow-up ("why?", or more asserts), which goes to that answer.
 */
import { parseFollowUp } from '../../../src/request/index.ts';
import type { Origin } from '../../../src/repair/types.ts';
import { isAllowed, isHelpChannel } from '../../shared/allow-list.ts';
import { looksLikeHelpRequest, newRequestId, type PasteAttachment } from '../../shared/paste.ts';
import { errorMessage, USAGE } from '../../shared/wording.ts';
import { threadKey, type SlackContext } from '../context.ts';
import { EventEnvelopeSchema, MessageEventSchema, type MessageEvent } from '../payloads.ts';
import { escapeSlack } from '../render.ts';
import { answerWhy, rerunWithTest } from './follow-ups.ts';

/** Slack text of a mention without the mention itself. */
function stripMentions(text: string): string {
  return text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();
}

export function registerMessages(ctx: SlackContext): void {
  const { app, config, logger, store } = ctx;

  /** True when the mention was a follow-up in the thread of an answer (and has been handled). */
  const followUp = async (event: MessageEvent, text: string, team: string | undefined): Promise<boolean> => {
    if (event.thread_ts === undefined || event.user === undefined || (event.files ?? []).length > 0) return false;
    const asked = parseFollowUp(text, 'slack');
    if (asked === undefined) return false;
    const interaction = await store.findByAnswer('slack', threadKey(event.channel, event.thread_ts));
    if (interaction === undefined) return false;
    const place = { channel: event.channel, threadTs: event.thread_ts, user: event.user, team };
    if (asked.kind === 'why') await answerWhy(ctx, interaction, place);
    else await rerunWithTest(ctx, interaction, asked.tests, place, (line) => ctx.post(event.channel, escapeSlack(line), event.thread_ts).then(() => undefined));
    return true;
  };

  const onMessage = async (event: MessageEvent, team: string | undefined, kind: 'mention' | 'help'): Promise<void> => {
    if (event.user === undefined || event.bot_id !== undefined) return;
    if (!isAllowed(config.allowedTeams, team) || !isAllowed(config.allowedChannels, event.channel)) return;
    const requestId = newRequestId();
    const threadTs = event.thread_ts ?? event.ts;
    const text = stripMentions(event.text);
    ctx.spawn(requestId, async () => {
      if (kind === 'mention' && text === '' && (event.files ?? []).length === 0) {
        await ctx.post(event.channel, escapeSlack(USAGE), threadTs);
        return;
      }
      if (kind === 'mention' && (await followUp(event, text, team))) return;
      let attachments: PasteAttachment[];
      try {
        attachments = await ctx.downloadFiles(event);
      } catch (error) {
        if (kind === 'mention') await ctx.post(event.channel, escapeSlack(errorMessage(error, requestId)), threadTs);
        return;
      }
      const admitted = await ctx.admit(requestId, text, attachments, event.user ?? '', event.channel);
      if ('refusal' in admitted) {
        // In a help channel the bot offered itself; it stays quiet rather than scolding a post.
        if (kind === 'mention') await ctx.post(event.channel, escapeSlack(admitted.refusal), threadTs);
        return;
      }
      logger.info({ requestId, channel: event.channel, kind }, 'message accepted');
      const origin: Origin = { platform: 'slack', channel: event.channel, user: event.user ?? '', message: event.ts, thread: threadTs };
      if (team !== undefined) origin.workspace = team;
      await ctx.repair({ requestId, paste: admitted.paste, origin, channel: event.channel, threadTs });
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
    if (ctx.botUserId !== '' && parsed.data.text.includes(`<@${ctx.botUserId}>`)) return;
    if (!looksLikeHelpRequest(parsed.data.text)) return;
    await onMessage(parsed.data, EventEnvelopeSchema.safeParse(body).data?.team_id, 'help');
  });
}
