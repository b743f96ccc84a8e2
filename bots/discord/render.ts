/**
 * Discord rendering of a repair: every message ≤ 2,000 characters, code fences with a language
 * (```diff, ```python) re-opened when a part is cut, one embed well inside the 6,000-character budget,
 * and files for what does not fit in a few messages.
 */
import type { RepairResult } from '../../src/repair/types.ts';
import { DISCORD_LIMITS, DISCORD_MAX_PARTS } from '../shared/platform-limits.ts';
import { displayDiff, splitMessage, truncate, truncateLines } from '../shared/split.ts';
import { choiceLabel, choiceWording, factLines, FOLLOW_UP_HINT, headline, inlineCode, presentable, testTable } from '../shared/wording.ts';

export { DISCORD_LIMITS };

export interface DiscordEmbed {
  title: string;
  description?: string;
  color: number;
  fields: { name: string; value: string }[];
  footer: { text: string };
}

export interface DiscordFile {
  name: string;
  content: string;
}

export interface DiscordAnswer {
  embed: DiscordEmbed;
  /** Message contents, in order; the first carries the embed, the last the buttons and files. */
  parts: string[];
  files: DiscordFile[];
}

const COLOR: Record<RepairResult['status'], number> = {
  fixed: 0x2ea043,
  nothing_to_fix: 0x2ea043,
  partly_fixed: 0xd29922,
  not_fixed: 0xcf222e,
  needs_tests: 0x8250df,
  not_pinned: 0xd29922,
  cannot_run: 0x8250df,
};

/** A fence with a language; a ``` inside user code would close it early, so it is defused. */
export function fence(language: string, code: string): string {
  return '```' + language + '\n' + code.replace(/```/g, 'ˋˋˋ') + '\n```';
}

export const BUTTON = { up: 'up', down: 'down', retry: 'retry', trace: 'trace' } as const;
export type ButtonKind = keyof typeof BUTTON;

/** custom_id of a button: within Discord's limit, naming the action and the interaction. */
export function buttonId(kind: ButtonKind, interactionId: string): string {
  return `tracefix:${kind}:${interactionId}`.slice(0, DISCORD_LIMITS.customId);
}

/** custom_id of a not-pinned option's button: the option's index comes first, so a long id cannot cut it off. */
export function choiceButtonId(index: number, interactionId: string): string {
  return `tracefix:choose:${index}:${interactionId}`.slice(0, DISCORD_LIMITS.customId);
}

export type ParsedButton = { kind: ButtonKind; interactionId: string } | { kind: 'choose'; index: number; interactionId: string };

export function parseButtonId(customId: string): ParsedButton | undefined {
  const choose = /^tracefix:choose:(\d+):(.+)$/.exec(customId);
  if (choose !== null) return { kind: 'choose', index: Number(choose[1]), interactionId: choose[2] ?? '' };
  const match = /^tracefix:(up|down|retry|trace):(.+)$/.exec(customId);
  if (match === null) return undefined;
  return { kind: match[1] as ButtonKind, interactionId: match[2] ?? '' };
}

/** One button per option of the not-pinned question (at most one row's worth), or none. */
export function choiceRow(result: RepairResult, interactionId: string): Record<string, unknown> | undefined {
  if (result.choice === undefined || result.choice.options.length === 0) return undefined;
  const options = choiceWording(result.choice).options.slice(0, DISCORD_LIMITS.buttonsPerRow);
  return {
    type: 1,
    components: options.map((option, index) => ({
      type: 2,
      // Primary for the best-ranked candidate, secondary for the rest.
      style: index === 0 ? 1 : 2,
      custom_id: choiceButtonId(index, interactionId),
      label: choiceLabel(option, DISCORD_LIMITS.buttonLabel),
    })),
  };
}

/** Raw API components (an action row of buttons); discord.js accepts them as they are. */
export function buttonRow(interactionId: string, withTrace: boolean): Record<string, unknown> {
  const button = (kind: ButtonKind, label: string | undefined, emoji: string | undefined): Record<string, unknown> => ({
    type: 2,
    style: 2,
    custom_id: buttonId(kind, interactionId),
    ...(label === undefined ? {} : { label }),
    ...(emoji === undefined ? {} : { emoji: { name: emoji } }),
  });
  const components = [button('up', undefined, '👍'), button('down', undefined, '👎'), button('retry', 'Try again', undefined)];
  if (withTrace) components.push(button('trace', 'Why? (full trace)', undefined));
  return { type: 1, components };
}

export function renderAnswer(raw: RepairResult, interactionId: string): DiscordAnswer {
  const result = presentable(raw);
  const files: DiscordFile[] = [];
  const table = testTable(result.tests);
  const tableField = fence('text', table).length <= DISCORD_LIMITS.fieldValue ? fence('text', table) : fence('text', truncateLines(table, DISCORD_LIMITS.fieldValue - 20).text);
  const choice = result.choice === undefined ? undefined : choiceWording(result.choice);
  const question = choice === undefined ? '' : [`**${choice.question}**`, choice.original ?? '', ...choice.options.map((option) => option.line)].filter((line) => line !== '').join('\n');
  const description = [result.summary, factLines(result).join('\n'), question, result.rationale === undefined ? '' : `**Why it fails**\n${result.rationale.trim()}`, FOLLOW_UP_HINT]
    .filter((s) => s.trim() !== '')
    .join('\n\n');
  const embed: DiscordEmbed = {
    title: truncate(headline(result), DISCORD_LIMITS.title),
    color: COLOR[result.status],
    fields: result.tests.length > 0 ? [{ name: 'Tests, before → after', value: tableField }] : [],
    footer: {
      text: `${result.candidates.tried} candidate${result.candidates.tried === 1 ? '' : 's'} tried · ${(result.timings.totalMs / 1000).toFixed(1)} s · ref ${interactionId}`,
    },
  };
  // Leave the budget that title, field and footer use; 6,000 counts every text of the embed.
  const used = embed.title.length + tableField.length + embed.fields.reduce((n, f) => n + f.name.length, 0) + embed.footer.text.length;
  const room = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.embedTotal - used - 50);
  if (description !== '') embed.description = truncate(description, room, '… (shortened: the whole explanation is attached)');
  if (description.length > room && result.rationale !== undefined) files.push({ name: 'why.txt', content: result.rationale });

  const sections: string[] = [];
  const codeRoom = DISCORD_LIMITS.content * 2 - 100;
  if (result.diff !== undefined && result.diff.trim() !== '') {
    const diff = displayDiff(result.diff);
    const label = result.status === 'not_pinned' ? '**Option A, the fix I would pick**' : '**The fix**';
    if (diff.length <= codeRoom) sections.push(`${label}\n${fence('diff', diff)}`);
    else {
      sections.push(`${label} (shortened; the whole fixed file is attached)\n${fence('diff', truncateLines(diff, codeRoom).text)}`);
    }
    if (diff.length > codeRoom && result.fixedCode !== undefined) files.push({ name: 'fixed.py', content: result.fixedCode });
  }
  if (result.trace !== undefined) {
    const rendered = result.trace.rendered.trimEnd();
    const traceRoom = DISCORD_LIMITS.content - 150;
    if (rendered.length <= traceRoom) sections.push(`**Trace** of ${inlineCode(result.trace.testName)}\n${fence('python', rendered)}`);
    else {
      const excerpt = truncateLines(result.trace.excerpt.trimEnd(), traceRoom).text;
      sections.push(`**Trace** of ${inlineCode(result.trace.testName)} (excerpt; the whole trace is attached)\n${fence('python', excerpt)}`);
      files.push({ name: 'trace.py', content: result.trace.rendered });
    }
  }
  let parts = sections.length === 0 ? [] : splitMessage(sections.join('\n'), DISCORD_LIMITS.content);
  if (parts.length > DISCORD_MAX_PARTS) {
    parts = parts.slice(0, DISCORD_MAX_PARTS);
    if (result.fixedCode !== undefined && !files.some((f) => f.name === 'fixed.py')) files.push({ name: 'fixed.py', content: result.fixedCode });
  }
  return { embed, parts, files };
}
