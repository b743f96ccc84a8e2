import { describe, expect, it } from 'vitest';
import { displayDiff, splitMessage, truncate, truncateLines } from './split.ts';

describe('splitMessage', () => {
  it('keeps short text whole', () => {
    expect(splitMessage('hello\nworld', 100)).toEqual(['hello\nworld']);
  });

  it('cuts on line boundaries within the limit', () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const parts = splitMessage(text, 60);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(60);
    expect(parts.join('\n')).toBe(text);
  });

  it('closes a cut fence and re-opens it with its language', () => {
    const code = Array.from({ length: 40 }, (_, i) => `x${i} = ${i}`).join('\n');
    const text = `Here is the fix:\n\`\`\`python\n${code}\n\`\`\`\nDone.`;
    const parts = splitMessage(text, 120);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(120);
      // Every part has balanced fences.
      expect((part.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(parts[1]?.startsWith('```python\n')).toBe(true);
    expect(parts.at(-1)?.endsWith('Done.')).toBe(true);
    const joined = parts.map((p) => p.split('\n').filter((l) => !l.startsWith('```')).join('\n')).join('\n');
    expect(joined).toContain('x39 = 39');
  });

  it('cuts a line longer than the limit', () => {
    const parts = splitMessage('a'.repeat(250), 100);
    expect(parts.every((p) => p.length <= 100)).toBe(true);
    expect(parts.join('')).toBe('a'.repeat(250));
  });

  it('cuts a long line inside a fence and keeps the fences balanced', () => {
    const parts = splitMessage('```\n' + 'b'.repeat(300) + '\n```', 100);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(100);
      expect((part.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
  });
});

describe('displayDiff', () => {
  it('drops the no-newline markers', () => {
    expect(displayDiff('-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n')).toBe('-a\n+b');
  });
});

describe('truncate', () => {
  it('marks what it cut', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('truncateLines keeps whole lines and counts the rest', () => {
    const text = Array.from({ length: 20 }, (_, i) => `row ${i}`).join('\n');
    const cut = truncateLines(text, 50);
    expect(cut.text.length).toBeLessThanOrEqual(50);
    expect(cut.omitted).toBeGreaterThan(0);
    expect(cut.text).toMatch(/… \d+ more lines$/);
  });
});
