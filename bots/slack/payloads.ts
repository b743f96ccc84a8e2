/**
 * zod schemas for the parts of Slack payloads the bot reads. Bolt types them, but they are what the
 * network sent: validate before trusting, and read only the fields named here.
 */
import { z } from 'zod';

export const CommandSchema = z.object({
  command: z.string(),
  text: z.string().default(''),
  team_id: z.string(),
  channel_id: z.string(),
  user_id: z.string(),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
});
export type Command = z.infer<typeof CommandSchema>;

const FileSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private: z.string().optional(),
  url_private_download: z.string().optional(),
});

/** app_mention and plain channel messages share the fields the bot uses. */
export const MessageEventSchema = z.object({
  type: z.enum(['app_mention', 'message']),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  user: z.string().optional(),
  text: z.string().default(''),
  ts: z.string(),
  thread_ts: z.string().optional(),
  channel: z.string(),
  team: z.string().optional(),
  files: z.array(FileSchema).optional(),
});
export type MessageEvent = z.infer<typeof MessageEventSchema>;

export const ReactionEventSchema = z.object({
  type: z.enum(['reaction_added', 'reaction_removed']),
  user: z.string(),
  reaction: z.string(),
  item: z.object({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
});

/** The envelope of an Events API delivery (for event_id dedupe and the team). */
export const EventEnvelopeSchema = z.object({
  type: z.literal('event_callback'),
  event_id: z.string(),
  team_id: z.string().optional(),
});

export const BlockActionSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string() }),
  team: z.object({ id: z.string() }).nullish(),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

export const ViewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id: z.string() }),
  team: z.object({ id: z.string() }).nullish(),
  view: z.object({
    private_metadata: z.string().default(''),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).loose())),
    }),
  }),
});

/** What /fix-alone stores in the modal, so the submission knows where to answer. */
export const ModalMetadataSchema = z.object({ channel: z.string(), team: z.string() });
