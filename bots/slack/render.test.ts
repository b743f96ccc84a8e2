import { describe, expect, it } from 'vitest';
import { SLACK_DOCUMENTED as DOC } from '../../tests/bots/documented-limits.ts';
import { awkwardResult, notPinnedResult } from '../../tests/bots/results.ts';
import { brokenResult, hugeResult, smallResult } from '../../tests/fixtures/sample-result.ts';
import { ACTION, escapedParts, escapeWithin, parseChoiceValue, renderAnswer } from './render.ts';

function texts(blocks: Record<string, unknown>[]): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    const text = (block.text as { text?: string } | undefined)?.text;
    if (text !== undefined) out.push(text);
    for (const element of (block.elements as { text?: string | { text: string } }[] | undefined) ?? []) {
      if (typeof element.text === 'string') out.push(element.text);
    }
  }
  return out;
}

/** Every `&` of escaped mrkdwn starts a whole entity: nothing was cut inside one. */
function entitiesWhole(text: string): boolean {
  return text.replace(/&(amp|lt|gt);/g, '').match(/[&<>]/) === null;
}

function withinDocumentedLimits(answer: ReturnType<typeof renderAnswer>): void {
  expect(answer.blocks.length).toBeLessThanOrEqual(DOC.blocksPerMessage);
  expect(answer.text.length).toBeLessThanOrEqual(DOC.messageText);
  const header = answer.blocks[0] as { text: { text: string } };
  expect(header.text.text.length).toBeLessThanOrEqual(DOC.headerText);
  for (const text of texts(answer.blocks)) {
    expect(text.length).toBeLessThanOrEqual(DOC.sectionText);
    expect(entitiesWhole(text)).toBe(true);
    expect((text.match(/```/g) ?? []).length % 2).toBe(0);
  }
  for (const block of answer.blocks.filter((b) => b.type === 'actions')) {
    const elements = block.elements as { text: { text: string }; value: string; action_id: string }[];
    expect(elements.length).toBeLessThanOrEqual(DOC.actionsElements);
    for (const button of elements) {
      expect(button.text.text.length).toBeLessThanOrEqual(DOC.buttonText);
      expect(button.value.length).toBeLessThanOrEqual(DOC.buttonValue);
      expect(button.action_id.length).toBeLessThanOrEqual(DOC.actionId);
    }
  }
}

describe('Slack answer rendering', () => {
  it('renders a small fix whole, with the buttons, and no files', () => {
    const answer = renderAnswer(smallResult(), 'req_small');
    expect(answer.files).toEqual([]);
    const all = texts(answer.blocks).join('\n');
    expect(all).toContain('+    return a + b');
    expect(all).toContain('__return__=-1');
    expect(JSON.stringify(answer.blocks.at(-1))).toContain('tracefix_full_trace');
    withinDocumentedLimits(answer);
  });

  it('stays within every documented limit on a huge result, escapes, and attaches what does not fit', () => {
    const answer = renderAnswer(hugeResult(), 'req_huge');
    withinDocumentedLimits(answer);
    expect(answer.text).toContain('&lt;big&gt; &amp; friends');
    expect(answer.files.map((f) => f.filename).sort()).toEqual(['fixed.py', 'trace.py', 'why.txt']);
    expect(answer.files.find((f) => f.filename === 'trace.py')?.content).toBe(hugeResult().trace?.rendered);
  });

  it('splits before escaping: a text of nothing but & never breaks an entity across sections', () => {
    const raw = `${'&'.repeat(5000)}\n${'<>'.repeat(2000)}`;
    const parts = escapedParts(raw, DOC.sectionText);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(DOC.sectionText);
      expect(entitiesWhole(part)).toBe(true);
    }
    expect(parts.join('').replace(/\n/g, '')).toBe(`${'&amp;'.repeat(5000)}${'&lt;&gt;'.repeat(2000)}`);
    const cut = escapeWithin('&'.repeat(100), 22);
    expect(cut.length).toBeLessThanOrEqual(22);
    expect(cut).toBe('&amp;&amp;&amp;&amp;…');
  });

  it('cuts a long rationale with a visible marker and attaches the whole of it', () => {
    const answer = renderAnswer(awkwardResult(), 'req_awkward');
    withinDocumentedLimits(answer);
    const all = texts(answer.blocks).join('\n');
    expect(all).toContain('shortened: the whole explanation is in the attached why.txt');
    expect(all).not.toContain('END');
    expect(answer.files.find((f) => f.filename === 'why.txt')?.content).toContain('END');
  });

  it('keeps a test name holding ``` inside one code span, so fences stay balanced', () => {
    const answer = renderAnswer(awkwardResult(), 'req_awkward');
    const all = texts(answer.blocks).join('\n');
    expect(all).toContain('`test_ˋˋˋfenceˋˋˋ &amp; &lt;tag&gt;`');
    expect(all).toContain('expected `True`, got `False` at line 2');
    expect(all).toContain('part ways at step 1');
  });

  it('asks which fix is right when the tests do not pin it down, one button per option', () => {
    const answer = renderAnswer(notPinnedResult(), 'req_leap');
    withinDocumentedLimits(answer);
    const all = texts(answer.blocks).join('\n');
    expect(all).toContain('they disagree on `is_leap(1900)`');
    expect(all).toContain('Your code as it is gives `False`');
    expect(all).toContain('B. `True` — every fourth year is a leap year');
    const choice = answer.blocks.find((b) => b.block_id === 'tracefix_choice') as { elements: { action_id: string; value: string; text: { text: string } }[] };
    expect(choice.elements.map((e) => e.text.text)).toEqual(['A: False', 'B: True']);
    expect(choice.elements.map((e) => e.action_id)).toEqual([`${ACTION.choose}_0`, `${ACTION.choose}_1`]);
    expect(parseChoiceValue(choice.elements[1]?.value ?? '')).toEqual({ interactionId: 'req_leap', index: 1 });
  });

  it('says code that does not compile did not load, with no unrun trace and no "tried 0 candidates"', () => {
    const answer = renderAnswer(brokenResult(), 'req_broken');
    const all = texts(answer.blocks).join('\n');
    expect(all).toContain('Python could not load your code');
    expect(all).not.toContain('0 candidate');
    expect(all).not.toContain('*Trace*');
    expect(JSON.stringify(answer.blocks.at(-1))).not.toContain('tracefix_full_trace');
  });
});
