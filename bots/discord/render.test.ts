import { describe, expect, it } from 'vitest';
import { brokenResult, hugeResult, smallResult } from '../../tests/fixtures/sample-result.ts';
import { buttonId, buttonRow, DISCORD_LIMITS, parseButtonId, renderAnswer } from './render.ts';

function embedLength(embed: ReturnType<typeof renderAnswer>['embed']): number {
  return embed.title.length + (embed.description?.length ?? 0) + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
}

describe('Discord answer rendering', () => {
  it('renders a small fix in one message with a diff and a python trace', () => {
    const answer = renderAnswer(smallResult(), 'req_small');
    expect(answer.parts).toHaveLength(1);
    expect(answer.parts[0]).toContain('```diff\n');
    expect(answer.parts[0]).toContain('```python\n');
    expect(answer.files).toEqual([]);
    expect(answer.embed.title).toContain('Fixed');
  });

  it('keeps every message, the embed and the fences within the limits on a huge result', () => {
    const answer = renderAnswer(hugeResult(), 'req_huge');
    expect(answer.parts.length).toBeLessThanOrEqual(DISCORD_LIMITS.parts);
    for (const part of answer.parts) {
      expect(part.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
      const fences = part.match(/^```.*$/gm) ?? [];
      expect(fences.length % 2).toBe(0);
      // A re-opened fence keeps its language.
      if (part.startsWith('```')) expect(part).toMatch(/^```(diff|python)\n/);
    }
    expect(answer.embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(answer.embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    for (const field of answer.embed.fields) expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(embedLength(answer.embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(answer.files.map((f) => f.name).sort()).toEqual(['fixed.py', 'trace.py']);
  });

  it('round-trips button ids within 100 characters', () => {
    expect(parseButtonId(buttonId('retry', 'req_abc'))).toEqual({ kind: 'retry', interactionId: 'req_abc' });
    expect(buttonId('up', 'x'.repeat(200)).length).toBeLessThanOrEqual(100);
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
