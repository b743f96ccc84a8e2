/**
 * The platforms' limits as their documentation states them, written out by hand with the page they come
 * from. Tests compare the renderers' output (and bots/shared/platform-limits.ts) with THESE numbers, so a
 * wrong constant in the code cannot make its own test pass.
 */
export const SLACK_DOCUMENTED = {
  /** https://api.slack.com/methods/chat.postMessage#truncating — "keep text under 4,000 characters"; truncated past 40,000. */
  messageText: 4000,
  messageTextTruncatedAt: 40_000,
  /** https://api.slack.com/reference/block-kit/blocks — "up to 50 blocks in each message". */
  blocksPerMessage: 50,
  /** https://api.slack.com/reference/block-kit/blocks#section — text: "Maximum length ... is 3000 characters". */
  sectionText: 3000,
  /** https://api.slack.com/reference/block-kit/blocks#header — text: "Maximum length ... is 150 characters". */
  headerText: 150,
  /** https://api.slack.com/reference/block-kit/block-elements#button — text max 75, value max 2000, action_id max 255. */
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** https://api.slack.com/reference/block-kit/blocks#actions — "maximum of 25 elements". */
  actionsElements: 25,
  /** https://api.slack.com/reference/block-kit/blocks#context — "Maximum number of items is 10". */
  contextElements: 10,
} as const;

export const DISCORD_DOCUMENTED = {
  /** https://discord.com/developers/docs/resources/message#create-message — content "up to 2000 characters". */
  content: 2000,
  /** https://discord.com/developers/docs/resources/message#embed-object-embed-limits */
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedTotal: 6000,
  /** https://discord.com/developers/docs/components/reference — action row: up to 5 buttons; custom_id max 100; button label max 80. */
  buttonsPerRow: 5,
  customId: 100,
  buttonLabel: 80,
  /** https://discord.com/developers/docs/components/reference — up to 5 action rows in a message (legacy components). */
  actionRows: 5,
} as const;
