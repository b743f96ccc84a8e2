/**
 * Every size limit of the chat platforms that the renderers respect, in one place. The numbers are the
 * platforms' documented ones (platform-limits.test.ts checks each against the documentation it cites);
 * where we choose to stay below a documented limit, the margin is a separate, named number.
 */

export const SLACK_LIMITS = {
  /** chat.postMessage `text`: Slack recommends at most 4,000 characters (it truncates at 40,000). */
  text: 4000,
  /** Blocks in one message. */
  blocks: 50,
  /** `text` of a section block. */
  section: 3000,
  /** `text` of a header block (plain_text). */
  header: 150,
  /** `text` of a button (plain_text). */
  buttonText: 75,
  /** `value` of a button. */
  buttonValue: 2000,
  /** `action_id` of an interactive element. */
  actionId: 255,
  /** Elements of one actions block. */
  actionsElements: 25,
  /** Elements of one context block. */
  contextElements: 10,
} as const;

export const DISCORD_LIMITS = {
  /** Message `content`. */
  content: 2000,
  /** Embed title. */
  title: 256,
  /** Embed description. */
  description: 4096,
  /** Embed field name and value. */
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  /** Embed footer text. */
  footer: 2048,
  /** All the text of all the embeds of one message. */
  embedTotal: 6000,
  /** Buttons in one action row, action rows in one message. */
  buttonsPerRow: 5,
  actionRows: 5,
  /** A component's `custom_id`, a button's `label`. */
  customId: 100,
  buttonLabel: 80,
} as const;

/** Our own choice, not a platform limit: beyond this many messages the rest goes into attached files. */
export const DISCORD_MAX_PARTS = 4;
