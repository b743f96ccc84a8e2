/**
 * Discord rendering of a repair: every message ≤ 2,000 characters, code fences with a language
 * (```diff, ```python) re-opened when a part is cut, one embed well inside the 6,000-character budget,
 * and files for what does not fit in a few messages.
 */
import type { RepairResult } from '../../src/repair/types.ts';
import { displayDiff, splitMessage, truncate, truncateLines } from '../shared/split.ts';
import { headline, presentable, testTable } from '../shared/wording.ts';

export const DISCORD_LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fieldValue: 1024,
  footer: 2048,
  embedTotal: 6000,
  /** More parts than this and the rest goes into files. */
  parts: 4,
} as const;

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

/** custom_id of a button: ≤ 100 characters, naming the action and the interaction. */
export function buttonId(kind: ButtonKind, interactionId: string): string {
  return `tracefix:${kind}:${interactionId}`.slice(0, 100);
}

export function parseButtonId(customId: string): { kind: ButtonKind; interactionId: string } | undefined {
  const match = /^tracefix:(up|down|retry|trace):(.+)$/.exec(customId);
  if (match === null) return undefined;
  return { kind: match[1] as ButtonKind, interactionId: match[2] ?? '' };
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
  if (withTrace) components.push(button('trace', 'Show full trace', undefined));
  return { type: 1, components };
}

export function renderAnswer(raw: RepairResult, interactionId: string): DiscordAnswer {
  const result = presentable(raw);
  const files: DiscordFile[] = [];
  const table = testTable(result.tests);
  const tableField = fence('text', table).length <= DISCORD_LIMITS.fieldValue ? fence('text', table) : fence('text', truncateLines(table, DISCORD_LIMITS.fieldValue - 20).text);
  const description = [result.summary, result.rationale === undefined ? '' : `**Why it fails**\n${result.rationale.trim()}`]
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
  if (description !== '') embed.description = truncate(description, room);

  const sections: string[] = [];
  const codeRoom = DISCORD_LIMITS.content * 2 - 100;
  if (result.diff !== undefined && result.diff.trim() !== '') {
    const diff = displayDiff(result.diff);
    if (diff.length <= codeRoom) sections.push(`**The fix**\n${fence('diff', diff)}`);
    else {
      sections.push(`**The fix** (shortened; the whole fixed file is attached)\n${fence('diff', truncateLines(diff, codeRoom).text)}`);
    }
    if (diff.length > codeRoom && result.fixedCode !== undefined) files.push({ name: 'fixed.py', content: result.fixedCode });
  }
  if (result.trace !== undefined) {
    const rendered = result.trace.rendered.trimEnd();
    const traceRoom = DISCORD_LIMITS.content - 150;
    if (rendered.length <= traceRoom) sections.push(`**Trace** of \`${result.trace.testName}\`\n${fence('python', rendered)}`);
    else {
      const excerpt = truncateLines(result.trace.excerpt.trimEnd(), traceRoom).text;
      sections.push(`**Trace** of \`${result.trace.testName}\` (excerpt; the whole trace is attached)\n${fence('python', excerpt)}`);
      files.push({ name: 'trace.py', content: result.trace.rendered });
    }
  }
  let parts = sections.length === 0 ? [] : splitMessage(sections.join('\n'), DISCORD_LIMITS.content);
  if (parts.length > DISCORD_LIMITS.parts) {
    parts = parts.slice(0, DISCORD_LIMITS.parts);
    if (result.fixedCode !== undefined && !files.some((f) => f.name === 'fixed.py')) files.push({ name: 'fixed.py', content: result.fixedCode });
  }
  return { embed, parts, files };
}
