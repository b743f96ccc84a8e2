/**
 * Where two traces part (divergence.ts), at the edges: a trace that ends first, events that differ only
 * in kind, frame or mapped line, what a line returned or raised, and calls of methods and class methods.
 */
import { describe, expect, it } from 'vitest';
import type { Trace, TraceEvent } from '../../sandbox/protocol.ts';
import { callAt, eventValues, findDivergence, lineMapper } from './divergence.ts';

const traceOf = (events: TraceEvent[], name = 'assert f(2) == 5'): Trace => ({
  program: 'p',
  test: { id: 't0', name, kind: 'assert', source: name },
  result: { program: 'p', test: 't0', status: 'failed', durationMs: 1 },
  events,
  totalEvents: events.length,
  truncated: false,
});
const ev = (step: number, kind: TraceEvent['kind'], line: number, extra: Partial<TraceEvent> = {}): TraceEvent => ({ step, kind, line, func: 'f', depth: 0, ...extra });
const SRC = 'a\nb\nc\nd\n';

describe('lineMapper', () => {
  it('maps a line inserted at the top to line 1, and lines past the end to themselves', () => {
    const map = lineMapper('a\nb\n', 'new\na\nb\n');
    expect([1, 2, 3, 9].map(map)).toEqual([1, 1, 2, 9]);
    expect([1, 2, 3].map(lineMapper('a\nb\nc\n', 'a\nc\n'))).toEqual([1, 3, 4]);
    expect([1, 2, 3].map(lineMapper('a\nb\nc\n', 'a\nB1\nB2\nc\n'))).toEqual([1, 2, 2]);
  });
});

describe('eventValues', () => {
  it('adds what a return returned and an exception raised', () => {
    expect(eventValues(ev(0, 'return', 1, { vars: { x: '1' }, value: '2' }))).toEqual({ x: '1', __return__: '2' });
    expect(eventValues(ev(0, 'exception', 1, { value: 'E()' }))).toEqual({ __exception__: 'E()' });
    expect(eventValues(ev(0, 'line', 1, { value: 'ignored' }))).toEqual({});
    expect(eventValues(ev(0, 'return', 1))).toEqual({});
  });
});

describe('callAt', () => {
  it('is the last call into the function at or before the step, arguments only', () => {
    const events = [ev(0, 'call', 1, { vars: { n: '1' } }), ev(1, 'line', 2), ev(2, 'call', 1, { vars: { n: '2' } }), ev(3, 'call', 5, { func: 'g', vars: { cls: '<C>', k: '3' } })];
    expect(callAt(events, 1, 'f')).toBe('f(n=1)');
    expect(callAt(events, 2, 'f')).toBe('f(n=2)');
    expect(callAt(events, 3, 'g')).toBe('g(k=3)');
    expect(callAt(events, 2, 'g')).toBeUndefined();
    expect(callAt([ev(0, 'call', 1, { func: 'A.B.m' })], 0, 'A.B.m')).toBe('m()');
  });

  it('is the call running at the step in a recursion, not the deeper one that returned before it', () => {
    const events = [
      ev(0, 'call', 1, { vars: { tree: '(1, None, None)' } }),
      ev(1, 'line', 4),
      ev(2, 'call', 1, { vars: { tree: 'None' }, depth: 1 }),
      ev(3, 'return', 3, { depth: 1, value: '0' }),
      ev(4, 'return', 5, { value: '1' }),
    ];
    expect(callAt(events, 4, 'f')).toBe('f(tree=(1, None, None))');
    expect(callAt(events, 3, 'f')).toBe('f(tree=None)');
  });
});

describe('findDivergence', () => {
  const call = ev(0, 'call', 1, { vars: { n: '2' } });

  it('parts where one trace ends: its last event is its side, with what that line returned', () => {
    const original = traceOf([call, ev(1, 'line', 2, { vars: { y: '6' } }), ev(2, 'return', 2, { value: '6' })]);
    const fixed = traceOf([call, ev(1, 'line', 2, { vars: { y: '6' } }), ev(2, 'return', 2, { value: '6' }), ev(3, 'line', 3, { vars: { z: '1' } })]);
    expect(findDivergence(original, fixed, SRC, SRC)).toEqual({
      testName: 'assert f(2) == 5',
      step: 3,
      original: { line: 2, vars: { __return__: '6' } },
      fixed: { line: 3, vars: { z: '1' } },
      call: 'f(n=2)',
    });
    expect(findDivergence(fixed, original, SRC, SRC)).toMatchObject({ step: 3, original: { line: 3 }, fixed: { line: 2 } });
  });

  it('joins a line with the return or exception that follows it on the same line of the same frame', () => {
    const o = traceOf([call, ev(1, 'line', 2, { vars: { y: '6' } }), ev(2, 'exception', 2, { value: 'E(x)' })]);
    const f = traceOf([call, ev(1, 'line', 2, { vars: { y: '5' } }), ev(2, 'return', 2, { value: '5' })]);
    expect(findDivergence(o, f, SRC, SRC)).toMatchObject({ step: 1, original: { vars: { y: '6', __exception__: 'E(x)' } }, fixed: { vars: { y: '5', __return__: '5' } } });
    // not across lines, frames, or from another kind of event
    const o2 = traceOf([call, ev(1, 'line', 2, { vars: { y: '6' } }), ev(2, 'return', 3, { value: '6' })]);
    const f2 = traceOf([call, ev(1, 'line', 2, { vars: { y: '5' } }), ev(2, 'return', 2, { func: 'g', value: '5' })]);
    expect(findDivergence(o2, f2, SRC, SRC)).toMatchObject({ original: { vars: { y: '6' } }, fixed: { vars: { y: '5' } } });
    const o3 = traceOf([call, ev(1, 'call', 2, { vars: { y: '6' } }), ev(2, 'return', 2, { value: '6' })]);
    const f3 = traceOf([call, ev(1, 'call', 2, { vars: { y: '5' } }), ev(2, 'return', 2, { value: '5' })]);
    expect(findDivergence(o3, f3, SRC, SRC)).toMatchObject({ original: { vars: { y: '6' } }, fixed: { vars: { y: '5' } } });
  });

  it('sees a different kind, frame, line or set of values as parting; a line moved by the edit is the same line', () => {
    const base = [call, ev(1, 'line', 2, { vars: { y: '6' } })];
    const o = traceOf(base);
    expect(findDivergence(o, traceOf([call, ev(1, 'return', 2, { vars: { y: '6' } })]), SRC, SRC)?.step).toBe(1);
    expect(findDivergence(o, traceOf([call, ev(1, 'line', 2, { func: 'g', vars: { y: '6' } })]), SRC, SRC)?.step).toBe(1);
    expect(findDivergence(o, traceOf([call, ev(1, 'line', 3, { vars: { y: '6' } })]), SRC, SRC)?.step).toBe(1);
    expect(findDivergence(o, traceOf([call, ev(1, 'line', 2, { vars: { y: '6', z: '1' } })]), SRC, SRC)?.step).toBe(1);
    expect(findDivergence(o, traceOf([call, ev(1, 'line', 2, { vars: { x: '6' } })]), SRC, SRC)?.step).toBe(1);
    // an inserted line 1 moves line 2 to 3: the same event
    expect(findDivergence(o, traceOf([call, ev(1, 'line', 3, { vars: { y: '6' } })]), SRC, 'import x\n' + SRC)).toBeUndefined();
    expect(findDivergence(traceOf([]), traceOf([]), SRC, SRC)).toBeUndefined();
    expect(findDivergence(traceOf([]), o, SRC, SRC)).toBeUndefined();
  });

  it('names the call running where they part in the fixed trace when the original has none', () => {
    const o = traceOf([ev(0, 'line', 4, { func: '<module>' })]);
    const f = traceOf([ev(0, 'call', 1, { vars: { n: '2' } })]);
    expect(findDivergence(o, f, SRC, SRC)?.call).toBe('f(n=2)');
    expect(findDivergence(o, traceOf([ev(0, 'line', 3, { func: '<module>' })]), SRC, SRC)).not.toHaveProperty('call');
  });
});
