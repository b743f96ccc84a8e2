/** 👍 / 👎 reactions on an answer, added or removed, recorded as votes. */
import { voteOfReaction } from '../../shared/flow.ts';
import type { SlackContext } from '../context.ts';
import { ReactionEventSchema } from '../payloads.ts';

export function registerReactions(ctx: SlackContext): void {
  const { app, store, logger } = ctx;
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
}
