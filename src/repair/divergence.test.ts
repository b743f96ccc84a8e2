import { describe, expect, it } from 'vitest';
import type { Trace, TraceEvent } from '../../sandbox/protocol.ts';
import { callAt, findDivergence, lineMapper } from './divergence.ts';

const traceOf = (events: TraceEvent[]): Trace => ({
  program: 'p',
  test: { id: 't0', name: 'assert f([1, -2]) == [1]', kind: 'assert', source: 'assert f([1, -2]) == [1]' },
  result: { program: 'p', test: 't0', status: 'failed', durationMs: 1 },
  events,
  totalEvents: events.length,
  truncated: false,
});
const ev = (step: number, kind: TraceEvent['kind'], line: number, extra: Partial<TraceEvent> = {}): TraceEvent => ({ step, kind, line, func: 'f', depth: 0, ...extra });

describe('lineMapper', () => {
  it('maps lines after an inserted line back to the original numbering (the inserted one to the line before it)', () => {
    const map = lineMapper('a\nb\nc\n', 'a\nguard\nb\nc\n');
    expect([1, 2, 3, 4].map(map)).toEqual([1, 1, 2, 3]);
  });

  it('maps across several edits: an import added at the top and a line changed further down', () => {
    const map = lineMapper('def f(w):\n    return g(w, 3)\n', 'import g\ndef f(w):\n    return g(w, 4)\n');
    expect([1, 2, 3, 4].map(map)).toEqual([1, 1, 2, 3]);
    // a replaced line maps to the line it replaced, and lines after a removal move up
    const removed = lineMapper('a\nx\ny\nb\n', 'a\nz\nb\n');
    expect([1, 2, 3, 4].map(removed)).toEqual([1, 2, 4, 5]);
  });
});

describe('findDivergence', () => {
  it('finds the first step whose line or values differ, with the call as it was made', () => {
    const call = ev(0, 'call', 1, { vars: { nums: '[1, -2]' } });
    const original = traceOf([call, ev(1, 'line', 2, { vars: { x: '1' } }), ev(2, 'line', 3, { vars: { nums: '[1]' } }), ev(3, 'return', 4, { value: '[1]' })]);
    const fixed = traceOf([call, ev(1, 'line', 2, { vars: { x: '1' } }), ev(2, 'line', 2, { vars: { x: '-2' } }), ev(3, 'return', 4, { value: '[1]' })]);
    expect(findDivergence(original, fixed, 'a\nb\nc\nd\n', 'a\nb\nc\nd\n')).toEqual({
      testName: 'assert f([1, -2]) == [1]',
      step: 2,
      original: { line: 3, vars: { nums: '[1]' } },
      fixed: { line: 2, vars: { x: '-2' } },
      call: 'f(nums=[1, -2])',
    });
    expect(findDivergence(original, original, 'a\n', 'a\n')).toBeUndefined();
  });

  it('leaves self and attributes out of a method call', () => {
    const events = [ev(0, 'call', 5, { func: 'Account.withdraw', vars: { self: '<Account>', amount: '30', 'self.balance': '100' } })];
    expect(callAt(events, 3, 'Account.withdraw')).toBe('withdraw(amount=30)');
  });
});
