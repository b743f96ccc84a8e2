/** `/fix` with a paste (answers in a thread under a status message), `/fix` alone (a modal), and the modal's submission. */
import { isAllowed } from '../../shared/allow-list.ts';
import type { ParsedPaste } from '../../shared/flow.ts';
import { newRequestId } from '../../shared/paste.ts';
import { errorFields, NOT_ALLOWED_MESSAGE, USAGE } from '../../shared/wording.ts';
import type { SlackContext } from '../context.ts';
import { CommandSchema, ModalMetadataSchema, ViewSubmissionSchema } from '../payloads.ts';
import { escapeSlack, fixModal, MODAL_CALLBACK } from '../render.ts';

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function registerCommands(ctx: SlackContext): void {
  const { app, config, logger } = ctx;

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
      ctx.spawn(requestId, async () => {
        await app.client.views.open({ trigger_id: command.trigger_id ?? '', view: fixModal(metadata) as never });
      });
      return;
    }
    if (text === '' || /^help$/i.test(text)) {
      await ack({ response_type: 'ephemeral', text: escapeSlack(USAGE) });
      return;
    }
    const admitted = await ctx.admit(requestId, text, [], command.user_id, command.channel_id);
    if ('refusal' in admitted) {
      await ack({ response_type: 'ephemeral', text: escapeSlack(admitted.refusal) });
      return;
    }
    await ack();
    logger.info({ requestId, channel: command.channel_id }, 'slash command accepted');
    ctx.spawn(requestId, async () => {
      try {
        await ctx.repair({
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
    const admitted = await ctx.admit(requestId, pasted, [], parsed.data.user.id, channel);
    if ('refusal' in admitted) {
      await ack({ response_action: 'errors', errors: { code: admitted.refusal.slice(0, 150) } });
      return;
    }
    await ack();
    const paste: ParsedPaste = { ...admitted.paste, code };
    if (tests !== '') paste.tests = tests;
    if (description !== '') paste.description = description;
    ctx.spawn(requestId, () =>
      ctx.repair({
        requestId,
        paste,
        origin: { platform: 'slack', workspace: team, channel, user: parsed.data.user.id },
        channel,
        prefix: `<@${parsed.data.user.id}> asked for a fix. `,
      }),
    );
  });
}
