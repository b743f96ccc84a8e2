import { describe, expect, it } from 'vitest';
import { brokenResult, hugeResult, smallResult } from '../../tests/fixtures/sample-result.ts';
import { renderAnswer, SLACK_LIMITS } from './render.ts';

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

describe('Slack answer rendering', () => {
  it('renders a small fix whole, with the buttons, and no files', () => {
    const answer = renderAnswer(smallResult(), 'req_small');
    expect(answer.files).toEqual([]);
    const all = texts(answer.blocks).join('\n');
    expect(all).toContain('+    return a + b');
    expect(all).toContain('__return__=-1');
    expect(JSON.stringify(answer.blocks.at(-1))).toContain('tracefix_full_trace');
  });

  it('stays within every limit on a huge result, escapes, and attaches what does not fit', () => {
    const answer = renderAnswer(hugeResult(), 'req_huge');
    expect(answer.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(answer.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    const header = answer.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    for (const text of texts(answer.blocks)) {
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
      // Only escaped control characters: no raw < or > outside the entities.
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[<>]/);
      expect((text.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(answer.text).toContain('&lt;big&gt; &amp; friends');
    expect(answer.files.map((f) => f.filename).sort()).toEqual(['fixed.py', 'trace.py']);
    expect(answer.files.find((f) => f.filename === 'trace.py')?.content).toBe(hugeResult().trace?.rendered);
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
