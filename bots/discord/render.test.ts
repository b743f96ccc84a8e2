import { describe, expect, it } from 'vitest';
import { DISCORD_DOCUMENTED as DOC } from '../../tests/bots/documented-limits.ts';
import { awkwardResult, notPinnedResult } from '../../tests/bots/results.ts';
import { brokenResult, hugeResult, smallResult } from '../../tests/fixtures/sample-result.ts';
import { buttonId, buttonRow, choiceButtonId, choiceRow, parseButtonId, renderAnswer } from './render.ts';

function embedLength(embed: ReturnType<typeof renderAnswer>['embed']): number {
  return embed.title.length + (embed.description?.length ?? 0) + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
}

function withinDocumentedLimits(answer: ReturnType<typeof renderAnswer>): void {
  for (const part of answer.parts) {
    expect(part.length).toBeLessThanOrEqual(DOC.content);
    expect((part.match(/```/g) ?? []).length % 2).toBe(0);
  }
  expect(answer.embed.title.length).toBeLessThanOrEqual(DOC.embedTitle);
  expect(answer.embed.description?.length ?? 0).toBeLessThanOrEqual(DOC.embedDescription);
  expect(answer.embed.fields.length).toBeLessThanOrEqual(DOC.embedFields);
  for (const field of answer.embed.fields) {
    expect(field.value.length).toBeLessThanOrEqual(DOC.embedFieldValue);
    expect(field.name.length).toBeLessThanOrEqual(DOC.embedFieldName);
  }
  expect(answer.embed.footer.text.length).toBeLessThanOrEqual(DOC.embedFooter);
  expect(embedLength(answer.embed)).toBeLessThanOrEqual(DOC.embedTotal);
}

describe('Discord answer rendering', () => {
  it('renders a small fix in one message with a diff and a python trace', () => {
    const answer = renderAnswer(smallResult(), 'req_small');
    expect(answer.parts).toHaveLength(1);
    expect(answer.parts[0]).toContain('```diff\n');
    expect(answer.parts[0]).toContain('```python\n');
    expect(answer.files).toEqual([]);
    expect(answer.embed.title).toContain('Fixed');
    withinDocumentedLimits(answer);
  });

  it('keeps every message, the embed and the fences within the documented limits on a huge result', () => {
    const answer = renderAnswer(hugeResult(), 'req_huge');
    withinDocumentedLimits(answer);
    for (const part of answer.parts) {
      // A re-opened fence keeps its language.
      if (part.startsWith('```')) expect(part).toMatch(/^```(diff|python)\n/);
    }
    expect(answer.files.map((f) => f.name).sort()).toEqual(['fixed.py', 'trace.py', 'why.txt']);
  });

  it('keeps a test name holding ``` in one code span, and marks a shortened explanation', () => {
    const answer = renderAnswer(awkwardResult(), 'req_awkward');
    withinDocumentedLimits(answer);
    expect(answer.parts.join('\n')).toContain('**Trace** of `test_ˋˋˋfenceˋˋˋ & <tag>`');
    expect(answer.embed.description).toContain('expected `True`, got `False` at line 2');
    expect(answer.embed.description).toMatch(/… \(shortened: the whole explanation is attached\)$/);
    expect(answer.files.find((f) => f.name === 'why.txt')?.content).toContain('END');
  });

  it('asks which fix is right, with a button per option within the documented sizes', () => {
    const answer = renderAnswer(notPinnedResult(), 'req_leap');
    withinDocumentedLimits(answer);
    expect(answer.embed.description).toContain('they disagree on `is_leap(1900)`');
    expect(answer.embed.description).toContain('A. `False` (my best guess, shown below) — centuries are leap years only when divisible by 400');
    const row = choiceRow(notPinnedResult(), 'req_leap') as { components: { custom_id: string; label: string }[] };
    expect(row.components.length).toBeLessThanOrEqual(DOC.buttonsPerRow);
    expect(row.components.map((c) => c.label)).toEqual(['A: False', 'B: True']);
    for (const button of row.components) {
      expect(button.custom_id.length).toBeLessThanOrEqual(DOC.customId);
      expect(button.label.length).toBeLessThanOrEqual(DOC.buttonLabel);
    }
    expect(parseButtonId(row.components[1]?.custom_id ?? '')).toEqual({ kind: 'choose', index: 1, interactionId: 'req_leap' });
    expect(choiceRow(smallResult(), 'req_small')).toBeUndefined();
  });

  it('round-trips button ids within the documented custom_id length', () => {
    expect(parseButtonId(buttonId('retry', 'req_abc'))).toEqual({ kind: 'retry', interactionId: 'req_abc' });
    expect(buttonId('up', 'x'.repeat(200)).length).toBeLessThanOrEqual(DOC.customId);
    expect(choiceButtonId(3, 'x'.repeat(200)).length).toBeLessThanOrEqual(DOC.customId);
    expect(parseButtonId('other:thing')).toBeUndefined();
    expect(JSON.stringify(buttonRow('req_abc', false))).not.toContain('tracefix:trace:');
  });

  it('says code that does not compile did not load, with no unrun trace', () => {
    const answer = renderAnswer(brokenResult(), 'req_broken');
    expect(answer.embed.title).toContain('Python could not load your code');
    expect(answer.embed.description).not.toContain('0 candidate');
    expect(answer.parts.join('\n')).not.toContain('**Trace**');
  });
});
