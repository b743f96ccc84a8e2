/**
 * What a thread can ask of an answer after it is posted: "why?" (where the runs part ways, and the whole
 * trace), another test ("try again with this test"), or the answer to the not-pinned question (the
 * chosen option's test). A new test is appended to the user's tests and the repair runs again in the
 * same thread, so the fix is verified against it.
 */
import type { Interaction } from '../../../src/feedback/types.ts';
import type { Origin } from '../../../src/repair/types.ts';
import { withAddedTest, type ParsedPaste } from '../../shared/flow.ts';
import { newRequestId } from '../../shared/paste.ts';
import { addedTestLine, rateLimitMessage, whyLines } from '../../shared/wording.ts';
import type { SlackContext } from '../context.ts';
import { escapeWithin, SLACK_LIMITS } from '../render.ts';

export interface ThreadPlace {
  channel: string;
  threadTs: string;
  user: string;
  team?: string | undefined;
}

export async function answerWhy(ctx: SlackContext, interaction: Interaction, place: ThreadPlace): Promise<void> {
  const result = interaction.result;
  await ctx.post(place.channel, escapeWithin(whyLines(result).join('\n'), SLACK_LIMITS.text), place.threadTs);
  if (result.trace !== undefined) {
    await ctx.upload(place.channel, place.threadTs, [
      { filename: 'trace.py', title: `Full NExT trace of ${result.trace.testName}`, content: result.trace.rendered },
    ]);
  }
}

/**
 * Runs the stored request again with `test` appended to its tests (`picked`: the user chose it among the
 * answers offered, see withAddedTest). Answers with a sentence (rate limit) through `refuse` instead when
 * it cannot.
 */
export async function rerunWithTest(
  ctx: SlackContext,
  interaction: Interaction,
  test: string,
  place: ThreadPlace,
  refuse: (text: string) => Promise<void>,
  picked = false,
): Promise<void> {
  const decision = await ctx.limiter.take(`slack:${place.user}`, `slack:${place.channel}`);
  if (!decision.allowed) {
    await refuse(rateLimitMessage(decision));
    return;
  }
  const requestId = newRequestId();
  const paste: ParsedPaste = withAddedTest(interaction.request, test, picked);
  const origin: Origin = { platform: 'slack', channel: place.channel, user: place.user, thread: place.threadTs };
  if (place.team !== undefined) origin.workspace = place.team;
  ctx.logger.info({ requestId, followUpOf: interaction.id }, 'rerun with an added test');
  await ctx.post(place.channel, escapeWithin(addedTestLine(test), SLACK_LIMITS.text), place.threadTs);
  await ctx.repair({ requestId, paste, origin, channel: place.channel, threadTs: place.threadTs });
}
