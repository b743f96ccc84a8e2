/**
 * Buttons on an answer: 👍 / 👎, "Try again", "Why?" and, when the tests do not pin the fix down, one
 * button per plausible fix (the chosen option's test is added and the repair verified again).
 */
import type { Origin } from '../../../src/repair/types.ts';
import { newRequestId } from '../../shared/paste.ts';
import { rateLimitMessage } from '../../shared/wording.ts';
import type { SlackContext } from '../context.ts';
import { BlockActionSchema } from '../payloads.ts';
import { ACTION, parseChoiceValue } from '../render.ts';
import { answerWhy, rerunWithTest } from './follow-ups.ts';

export function registerActions(ctx: SlackContext): void {
  const { app, logger, store } = ctx;

  app.action(/^tracefix_/, async ({ body, ack, respond }) => {
    await ack();
    const parsed = BlockActionSchema.safeParse(body);
    if (!parsed.success) return;
    const action = parsed.data.actions[0];
    const value = action?.value;
    if (action === undefined || value === undefined) return;
    const choice = action.action_id.startsWith(`${ACTION.choose}_`) ? parseChoiceValue(value) : undefined;
    const interactionId = choice?.interactionId ?? value;
    const user = parsed.data.user.id;
    const channel = parsed.data.channel?.id;
    const threadTs = parsed.data.message?.thread_ts ?? parsed.data.message?.ts;
    const team = parsed.data.team?.id;
    const log = logger.child({ requestId: interactionId, action: action.action_id });
    const say = async (text: string): Promise<void> => {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    };
    ctx.spawn(interactionId, async () => {
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
      const place = { channel, threadTs, user, team };
      if (action.action_id === ACTION.trace) {
        await answerWhy(ctx, interaction, place);
        return;
      }
      if (choice !== undefined) {
        const option = interaction.result.choice?.options[choice.index];
        if (option === undefined) {
          await say('That choice is no longer on record.');
          return;
        }
        log.info({ option: choice.index }, 'not-pinned choice');
        await rerunWithTest(ctx, interaction, option.test, place, say, true);
        return;
      }
      if (action.action_id === ACTION.retry) {
        const requestId = newRequestId();
        const decision = await ctx.limiter.take(`slack:${user}`, `slack:${channel}`);
        if (!decision.allowed) {
          await say(rateLimitMessage(decision));
          return;
        }
        const origin: Origin = { platform: 'slack', channel, user, thread: threadTs };
        if (team !== undefined) origin.workspace = team;
        log.info({ retryOf: interactionId, newRequestId: requestId }, 'try again');
        await ctx.repair({ requestId, paste: interaction.request, origin, channel, threadTs });
      }
    });
  });
}
