/**
 * splitMessage and the truncation helpers on exact inputs and outputs, and splitMessage's promises
 * checked on many generated texts: every part within the limit, fences balanced in each part, and
 * the text restored when the added fence lines are taken out again.
 */
import { describe, expect, it } from 'vitest';
import { displayDiff, splitMessage, truncate, truncateLines } from './split.ts';

/** Deterministic pseudo-random numbers (a small LCG), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function generatedText(next: () => number): string {
  const lines: string[] = [];
  let fenced = false;
  const count = 1 + Math.floor(next() * 40);
  for (let i = 0; i < count; i++) {
    const r = next();
    if (r < 0.12) {
      lines.push(fenced ? '```' : next() < 0.5 ? '```python' : '```');
      fenced = !fenced;
    } else {
      lines.push('w'.repeat(Math.floor(next() * (r < 0.2 ? 90 : 30))));
    }
  }
  if (fenced) lines.push('```');
  return lines.join('\n');
}

describe('splitMessage: promises on generated texts', () => {
  it('keeps every part within the limit, with balanced fences, and loses no text', () => {
    const next = random(11);
    for (let round = 0; round < 300; round++) {
      const text = generatedText(next);
      const limit = 16 + Math.floor(next() * 120);
      const parts = splitMessage(text, limit);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(limit);
        expect(part.trim()).not.toBe('');
        expect((part.match(/^```/gm) ?? []).length % 2).toBe(0);
      }
      // Every non-fence character of the text is in the parts, in order.
      const body = (s: string) => s.split('\n').filter((l) => !l.startsWith('```')).join('');
      expect(parts.map(body).join('')).toBe(body(text));
    }
  });
});

describe('splitMessage: exact cuts', () => {
  it('refuses a limit too small for a fence, and keeps text that fits whole', () => {
    expect(() => splitMessage('x', 15)).toThrow(RangeError);
    expect(splitMessage('x'.repeat(16), 16)).toEqual(['x'.repeat(16)]);
    expect(splitMessage('a\nb', 16)).toEqual(['a\nb']);
  });

  it('fills each part up to the limit exactly, counting the line breaks', () => {
    // 8 + 1 + 7 = 16: two lines fit one part of 16; the third goes on.
    expect(splitMessage('aaaaaaaa\nbbbbbbb\ncc', 16)).toEqual(['aaaaaaaa\nbbbbbbb', 'cc']);
    expect(splitMessage('aaaaaaaa\nbbbbbbbb\ncc', 16)).toEqual(['aaaaaaaa', 'bbbbbbbb\ncc']);
  });

  it('cuts a line too long for any part into pieces that fill the parts', () => {
    expect(splitMessage('x'.repeat(40), 16)).toEqual(['x'.repeat(16), 'x'.repeat(16), 'x'.repeat(8)]);
    // A long line after a short one starts a part of its own before it is cut.
    expect(splitMessage(`ab\n${'x'.repeat(30)}`, 16)).toEqual(['ab', 'x'.repeat(16), 'x'.repeat(14)]);
  });

  it('closes the fence at a cut and re-opens it with its opener, leaving room for the close', () => {
    const text = ['intro', '```py', 'aaaa', 'bbbb', 'cccc', '```', 'end'].join('\n');
    expect(splitMessage(text, 20)).toEqual(['intro\n```py\naaaa\n```', '```py\nbbbb\ncccc\n```', 'end']);
  });

  it('cuts a long line inside a fence with the fence around every piece', () => {
    expect(splitMessage(['```', 'y'.repeat(20), '```'].join('\n'), 16)).toEqual(['```\nyyyyyyyy\n```', '```\nyyyyyyyy\n```', '```\nyyyy\n```']);
  });

  it('treats only lines starting with ``` (after blanks) as fences', () => {
    const text = ['  ```js', 'q = 1', 'not ``` a fence', '  ```', 'zz'].join('\n');
    const parts = splitMessage(text, 20);
    // The opener is re-opened trimmed; a ``` inside a line neither opens nor closes (so that line is cut).
    expect(parts).toEqual(['  ```js\nq = 1\n```', '```js\nnot ``` a \n```', '```js\nfence\n  ```\nzz']);
  });

  it('drops a part that would hold only a re-opened fence, and parts of blanks', () => {
    const text = ['```', 'a'.repeat(12), '```'].join('\n');
    expect(splitMessage(text, 16)).toEqual(['```\naaaaaaaa\n```', '```\naaaa\n```']);
    expect(splitMessage(`${'x'.repeat(16)}\n \n   `, 16)).toEqual(['x'.repeat(16)]);
  });
});

describe('displayDiff', () => {
  it('drops only lines that start with the marker, and the trailing blank', () => {
    expect(displayDiff('-a\n+b \\ No newline at end of file\n\\ No newline at end of file\n\n')).toBe('-a\n+b \\ No newline at end of file');
  });
});

describe('truncate', () => {
  it('keeps text at the limit, and marks a cut with the marker inside the limit', () => {
    expect(truncate('abcd', 4)).toBe('abcd');
    expect(truncate('abcde', 4)).toBe('abc…');
    expect(truncate('abcdef', 5, ' [cut]')).toBe(' [cut]');
    expect(truncate('abcdefghij', 8, '[..]')).toBe('abcd[..]');
  });
});

describe('truncateLines', () => {
  it('keeps text within the limit as it is', () => {
    expect(truncateLines('a\nb', 3)).toEqual({ text: 'a\nb', omitted: 0 });
  });

  it('keeps whole lines while the note still fits, and counts the rest', () => {
    const text = ['line 1', 'line 2', 'line 3', 'line 4', 'line 5'].join('\n');
    expect(truncateLines(text, 34)).toEqual({ text, omitted: 0 });
    expect(truncateLines(text, 33)).toEqual({ text: 'line 1\nline 2\n… 3 more lines', omitted: 3 });
    // Keeping "line 2" needs 7 + 7 + the note and its break (15) = 29.
    expect(truncateLines(text, 29)).toEqual({ text: 'line 1\nline 2\n… 3 more lines', omitted: 3 });
    expect(truncateLines(text, 28)).toEqual({ text: 'line 1\n… 4 more lines', omitted: 4 });
  });

  it('says "1 more line" in the singular', () => {
    expect(truncateLines(`x\n${'y'.repeat(20)}`, 17)).toEqual({ text: 'x\n… 1 more line', omitted: 1 });
  });

  it('cuts a first line too long to keep whole, leaving room for the note', () => {
    const { text, omitted } = truncateLines(`${'x'.repeat(100)}\ny\nz`, 40);
    expect(omitted).toBe(2);
    expect(text).toBe(`${'x'.repeat(23)}…\n… 2 more lines`);
    expect(text.length).toBeLessThanOrEqual(40);
  });
});
