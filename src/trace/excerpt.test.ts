import { describe, expect, it } from 'vitest';
import { traceExcerpt } from './excerpt.ts';

const rendered = Array.from({ length: 12 }, (_, i) => `line${i + 1}`).join('\n');

describe('traceExcerpt', () => {
  it('keeps the wanted lines with two lines of context, in order, marking each gap', () => {
    expect(traceExcerpt(rendered, [10, 2])).toBe(['line1', 'line2', 'line3', 'line4', '# ...', 'line8', 'line9', 'line10', 'line11', 'line12'].join('\n'));
  });

  it('joins groups that touch, and takes the context it is given (floored, never negative)', () => {
    expect(traceExcerpt(rendered, [3, 5], 1)).toBe(['line2', 'line3', 'line4', 'line5', 'line6'].join('\n'));
    expect(traceExcerpt(rendered, [3, 6], 1)).toBe(['line2', 'line3', 'line4', 'line5', 'line6', 'line7'].join('\n'));
    expect(traceExcerpt(rendered, [3, 7], 1)).toBe(['line2', 'line3', 'line4', '# ...', 'line6', 'line7', 'line8'].join('\n'));
    expect(traceExcerpt(rendered, [5], 0)).toBe('line5');
    expect(traceExcerpt(rendered, [5], -3)).toBe('line5');
    expect(traceExcerpt(rendered, [5], 1.9)).toBe('line4\nline5\nline6');
  });

  it('ignores lines outside the program and not whole numbers; nothing wanted gives nothing', () => {
    expect(traceExcerpt(rendered, [0, 13, 2.5, -1])).toBe('');
    expect(traceExcerpt(rendered, [])).toBe('');
    expect(traceExcerpt(rendered, [1], 1)).toBe('line1\nline2');
    expect(traceExcerpt(rendered, [12], 1)).toBe('line11\nline12');
  });

  it('keeps the trailing notes that say the trace was cut, and never counts them as source lines', () => {
    const cut = `${rendered}\n# [trace cut: 1000 events]\n# [trace incomplete: timeout]\n`;
    expect(traceExcerpt(cut, [12], 0)).toBe('line12\n# [trace cut: 1000 events]\n# [trace incomplete: timeout]');
    expect(traceExcerpt(cut, [13, 14], 0)).toBe('');
    // A note-like line in the middle is source.
    expect(traceExcerpt('# [trace cut: x]\nline2', [1], 0)).toBe('# [trace cut: x]');
  });
});
