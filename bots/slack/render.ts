/**
 * Block Kit rendering of a repair, within Slack's limits: fallback text ≤ 4,000 characters, ≤ 50 blocks,
 * section text ≤ 3,000, header ≤ 150. Slack's code fences take no language, and `&`, `<`, `>` must be
 * escaped everywhere, code included. What does not fit goes into files (uploaded by the caller).
 */
import type { RepairResult } from '../../src/repair/types.ts';
import { displayDiff, splitMessage, truncate, truncateLines } from '../shared/split.ts';
import { headline, presentable, testTable } from '../shared/wording.ts';

export const SLACK_LIMITS = { text: 4000, blocks: 50, section: 3000, header: 150, buttonValue: 2000 } as const;

/** Slack's three control characters; everything else is literal text in mrkdwn. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A ``` fence for Slack: no language, content escaped, and no fence inside that could close it early. */
function fence(code: string): string {
  return '```\n' + escapeSlack(code.replace(/```/g, 'ˋˋˋ')) + '\n```';
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
} as const;

function sections(markdown: string, maxSections: number): { blocks: Block[]; cut: boolean } {
  const parts = splitMessage(markdown, SLACK_LIMITS.section);
  const kept = parts.slice(0, maxSections);
  return {
    blocks: kept.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    cut: parts.length > kept.length,
  };
}

/** A code section that fits `maxSections`, cutting whole lines, and says whether it had to. */
function codeSections(title: string, code: string, maxSections: number): { blocks: Block[]; cut: boolean } {
  const whole = sections(`${title}\n${fence(code)}`, maxSections);
  if (!whole.cut) return whole;
  // Leave room for the title, the fences and the escaping that can grow the text.
  const budget = Math.floor((maxSections * (SLACK_LIMITS.section - 40) - title.length) / 1.3);
  const short = truncateLines(code, budget).text;
  return { blocks: sections(`${title}\n${fence(short)}`, maxSections).blocks, cut: true };
}

export function buttons(interactionId: string, options: { withTrace: boolean }): Block {
  const value = truncate(interactionId, SLACK_LIMITS.buttonValue);
  const elements: Block[] = [
    { type: 'button', action_id: ACTION.up, text: { type: 'plain_text', text: '👍', emoji: true }, value },
    { type: 'button', action_id: ACTION.down, text: { type: 'plain_text', text: '👎', emoji: true }, value },
    { type: 'button', action_id: ACTION.retry, text: { type: 'plain_text', text: 'Try again' }, value },
  ];
  if (options.withTrace) {
    elements.push({ type: 'button', action_id: ACTION.trace, text: { type: 'plain_text', text: 'Show full trace' }, value });
  }
  return { type: 'actions', block_id: 'tracefix_feedback', elements };
}

/** The final answer: status, rationale, fix as a diff, test table, trace excerpt, buttons. */
export function renderAnswer(raw: RepairResult, interactionId: string): SlackAnswer {
  const result = presentable(raw);
  const blocks: Block[] = [];
  const files: SlackFile[] = [];
  const title = headline(result);
  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.header), emoji: true } });
  // The summary already counts the candidates.
  const facts = [`${(result.timings.totalMs / 1000).toFixed(1)} s`, `ref ${interactionId}`];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`${escapeSlack(result.summary)} · ${facts.join(' · ')}`, SLACK_LIMITS.section) }] });

  if (result.rationale !== undefined && result.rationale.trim() !== '') {
    blocks.push(...sections(`*Why it fails*\n${escapeSlack(result.rationale.trim())}`, 3).blocks);
  }
  if (result.diff !== undefined && result.diff.trim() !== '') {
    const diff = codeSections('*The fix*', displayDiff(result.diff), 4);
    blocks.push(...diff.blocks);
    if (diff.cut && result.fixedCode !== undefined) {
      files.push({ filename: 'fixed.py', title: 'The whole fixed file', content: result.fixedCode });
    }
  }
  if (result.tests.length > 0) {
    blocks.push(...codeSections('*Tests*, before → after', testTable(result.tests), 2).blocks);
  }
  if (result.trace !== undefined) {
    const traceTitle = `*Trace* of \`${escapeSlack(result.trace.testName)}\``;
    const full = sections(`${traceTitle}\n${fence(result.trace.rendered.trimEnd())}`, 1);
    if (!full.cut && result.trace.rendered.length <= SLACK_LIMITS.section - 200) {
      blocks.push(...full.blocks);
    } else {
      blocks.push(...codeSections(`${traceTitle} (excerpt; the whole trace is attached)`, result.trace.excerpt.trimEnd(), 2).blocks);
      files.push({ filename: 'trace.py', title: 'Full NExT execution trace', content: result.trace.rendered });
    }
  }
  blocks.push(buttons(interactionId, { withTrace: result.trace !== undefined }));

  const text = truncate(escapeSlack(`${title}\n${result.summary}`), SLACK_LIMITS.text);
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks), files };
}

/** A one-section status message (edited as progress arrives); `mrkdwn` is already escaped. */
export function statusBlocks(mrkdwn: string): Block[] {
  return [{ type: 'section', text: { type: 'mrkdwn', text: truncate(mrkdwn, SLACK_LIMITS.section) } }];
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
