/**
 * Block Kit rendering of a repair, within Slack's limits (bots/shared/platform-limits.ts). Slack's code
 * fences take no language, and `&`, `<`, `>` must be escaped everywhere, code included. Text is split
 * into sections BEFORE it is escaped, then each part is escaped and measured, so an entity (`&amp;`) is
 * never cut in two. What does not fit is cut with a visible marker and goes into files (uploaded by the
 * caller).
 */
import type { RepairResult } from '../../src/repair/types.ts';
import { SLACK_LIMITS } from '../shared/platform-limits.ts';
import { displayDiff, splitMessage, truncate } from '../shared/split.ts';
import { choiceLabel, choiceWording, factLines, FOLLOW_UP_HINT, headline, inlineCode, presentable, testTable } from '../shared/wording.ts';

export { SLACK_LIMITS };

/** Slack's three control characters; everything else is literal text in mrkdwn. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The longest prefix of `raw` (plus `marker` when cut) whose escaped form fits `limit`; never splits an entity. */
export function escapeWithin(raw: string, limit: number, marker = '…'): string {
  const whole = escapeSlack(raw);
  if (whole.length <= limit) return whole;
  let keep = Math.min(raw.length, limit);
  while (keep > 0 && escapeSlack(raw.slice(0, keep) + marker).length > limit) keep -= 1;
  return escapeSlack(raw.slice(0, keep) + marker);
}

/** A ``` fence for Slack: no language, and no fence inside that could close it early. Raw: escaped later. */
function fence(code: string): string {
  return '```\n' + code.replace(/```/g, 'ˋˋˋ') + '\n```';
}

/** Splits raw mrkdwn into escaped parts of at most `limit` characters each. */
export function escapedParts(raw: string, limit: number): string[] {
  const out: string[] = [];
  for (const part of splitMessage(raw, limit)) {
    const escaped = escapeSlack(part);
    if (escaped.length <= limit) out.push(escaped);
    else if (limit > 64) out.push(...escapedParts(part, Math.max(64, Math.floor((limit * limit) / escaped.length) - 8)));
    else {
      // A short part made almost only of `&<>`: cut it by characters, each piece escaped whole.
      let rest = part;
      while (rest !== '') {
        let take = Math.min(rest.length, limit);
        while (take > 1 && escapeSlack(rest.slice(0, take)).length > limit) take -= 1;
        out.push(escapeSlack(rest.slice(0, take)));
        rest = rest.slice(take);
      }
    }
  }
  return out;
}

export type Block = Record<string, unknown>;

export interface SlackFile {
  filename: string;
  title: string;
  content: string;
}

export interface SlackAnswer {
  text: string;
  blocks: Block[];
  files: SlackFile[];
}

export const ACTION = {
  up: 'tracefix_vote_up',
  down: 'tracefix_vote_down',
  retry: 'tracefix_retry',
  trace: 'tracefix_full_trace',
  /** Followed by `_N`, the option's index: action ids must differ within a block. */
  choose: 'tracefix_choose',
} as const;

/** A choice button's value: the interaction and the option's index (bounded, unlike an option id). */
export function choiceValue(interactionId: string, index: number): string {
  return `${truncate(interactionId, SLACK_LIMITS.buttonValue - 8)}|${index}`;
}

export function parseChoiceValue(value: string): { interactionId: string; index: number } | undefined {
  const match = /^(.+)\|(\d+)$/.exec(value);
  if (match === null) return undefined;
  return { interactionId: match[1] ?? '', index: Number(match[2]) };
}

/** Sections of raw mrkdwn; when more than `maxSections` are needed, the last ends with `marker`. */
function sections(raw: string, maxSections: number, marker: string): { blocks: Block[]; cut: boolean } {
  const toBlocks = (parts: string[]): Block[] => parts.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
  const parts = escapedParts(raw, SLACK_LIMITS.section);
  if (parts.length <= maxSections) return { blocks: toBlocks(parts), cut: false };
  const shown = escapeSlack(marker);
  const kept = escapedParts(raw, SLACK_LIMITS.section - shown.length - 1).slice(0, maxSections);
  const last = kept.length - 1;
  kept[last] = `${kept[last] ?? ''}\n${shown}`;
  return { blocks: toBlocks(kept), cut: true };
}

export function buttons(interactionId: string, options: { withTrace: boolean }): Block {
  const value = truncate(interactionId, SLACK_LIMITS.buttonValue);
  const elements: Block[] = [
    { type: 'button', action_id: ACTION.up, text: { type: 'plain_text', text: '👍', emoji: true }, value },
    { type: 'button', action_id: ACTION.down, text: { type: 'plain_text', text: '👎', emoji: true }, value },
    { type: 'button', action_id: ACTION.retry, text: { type: 'plain_text', text: 'Try again' }, value },
  ];
  if (options.withTrace) {
    elements.push({ type: 'button', action_id: ACTION.trace, text: { type: 'plain_text', text: 'Why? (full trace)' }, value });
  }
  return { type: 'actions', block_id: 'tracefix_feedback', elements };
}

/** The not-pinned question as a section, and one button per option. */
function choiceBlocks(result: RepairResult, interactionId: string): Block[] {
  if (result.choice === undefined) return [];
  const wording = choiceWording(result.choice);
  const options = wording.options.slice(0, Math.min(5, SLACK_LIMITS.actionsElements));
  const raw = [`*${wording.question}*`, wording.original ?? '', ...options.map((option) => option.line)].filter((line) => line !== '').join('\n');
  return [
    ...sections(raw, 1, '… (more in the attached fixed file)').blocks,
    {
      type: 'actions',
      block_id: 'tracefix_choice',
      elements: options.map((option, index) => ({
        type: 'button',
        action_id: `${ACTION.choose}_${index}`,
        text: { type: 'plain_text', text: choiceLabel(option, SLACK_LIMITS.buttonText) },
        value: choiceValue(interactionId, index),
        ...(index === 0 ? { style: 'primary' } : {}),
      })),
    },
  ];
}

/** The final answer: status, facts, the question (not pinned), rationale, fix as a diff, tests, trace, buttons. */
export function renderAnswer(raw: RepairResult, interactionId: string): SlackAnswer {
  const result = presentable(raw);
  const blocks: Block[] = [];
  const files: SlackFile[] = [];
  const title = headline(result);
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.header), emoji: true } });
  // The summary already counts the candidates.
  const meta = ` · ${(result.timings.totalMs / 1000).toFixed(1)} s · ref ${interactionId}`;
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeWithin(result.summary, SLACK_LIMITS.section - meta.length - 20) + escapeSlack(meta) }] });

  const facts = factLines(result);
  if (facts.length > 0) blocks.push(...sections(facts.join('\n'), 1, '… (shortened)').blocks);
  blocks.push(...choiceBlocks(result, interactionId));

  if (result.rationale !== undefined && result.rationale.trim() !== '') {
    const rationale = sections(`*Why it fails*\n${result.rationale.trim()}`, 3, '_… (shortened: the whole explanation is in the attached why.txt)_');
    blocks.push(...rationale.blocks);
    if (rationale.cut) files.push({ filename: 'why.txt', title: 'The whole explanation', content: result.rationale });
  }
  if (result.diff !== undefined && result.diff.trim() !== '') {
    const label = result.status === 'not_pinned' ? '*Option A, the fix I would pick*' : '*The fix*';
    const diff = sections(`${label}\n${fence(displayDiff(result.diff))}`, 4, '_… (shortened: the whole fixed file is attached)_');
    blocks.push(...diff.blocks);
    if (diff.cut && result.fixedCode !== undefined) {
      files.push({ filename: 'fixed.py', title: 'The whole fixed file', content: result.fixedCode });
    }
  }
  if (result.tests.length > 0) {
    blocks.push(...sections(`*Tests*, before → after\n${fence(testTable(result.tests))}`, 2, '_… (more tests not shown)_').blocks);
  }
  if (result.trace !== undefined) {
    const traceTitle = `*Trace* of ${inlineCode(result.trace.testName)}`;
    const full = sections(`${traceTitle}\n${fence(result.trace.rendered.trimEnd())}`, 1, '');
    if (!full.cut && result.trace.rendered.length <= SLACK_LIMITS.section - 200) {
      blocks.push(...full.blocks);
    } else {
      blocks.push(...sections(`${traceTitle} (excerpt; the whole trace is attached)\n${fence(result.trace.excerpt.trimEnd())}`, 2, '_… (see the attached trace)_').blocks);
      files.push({ filename: 'trace.py', title: 'Full NExT execution trace', content: result.trace.rendered });
    }
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(FOLLOW_UP_HINT) }] });
  blocks.push(buttons(interactionId, { withTrace: result.trace !== undefined }));

  const text = escapeWithin(`${title}\n${result.summary}`, SLACK_LIMITS.text);
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks), files };
}

/** A one-section status message (edited as progress arrives); `mrkdwn` is already escaped. */
export function statusBlocks(mrkdwn: string): Block[] {
  return [{ type: 'section', text: { type: 'mrkdwn', text: cutEscaped(mrkdwn, SLACK_LIMITS.section) } }];
}

/** Shortens already escaped mrkdwn without leaving half an entity (`&am`) at the cut. */
export function cutEscaped(mrkdwn: string, limit: number): string {
  if (mrkdwn.length <= limit) return mrkdwn;
  const head = mrkdwn.slice(0, limit - 1);
  const partial = /&[a-z]{0,3}$/.exec(head);
  return `${partial === null ? head : head.slice(0, partial.index)}…`;
}

/** The modal that `/fix` with nothing after it opens. */
export function fixModal(privateMetadata: string): Block {
  const input = (blockId: string, label: string, optional: boolean, placeholder: string): Block => ({
    type: 'input',
    block_id: blockId,
    optional,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: true,
      placeholder: { type: 'plain_text', text: placeholder },
    },
  });
  return {
    type: 'modal',
    callback_id: MODAL_CALLBACK,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: 'tracefix' },
    submit: { type: 'plain_text', text: 'Fix it' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      input('code', 'Code', false, 'def add(a, b):\n    return a - b'),
      input('tests', 'Tests', true, 'assert add(2, 2) == 4'),
      input('description', 'What should it do?', true, 'add should return the sum'),
    ],
  };
}

export const MODAL_CALLBACK = 'tracefix_fix_modal';
