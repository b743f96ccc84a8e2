/**
 * shortenValue (render-inline.ts) on the reprs the runner writes, the cut containers (`[0, 1, … 40 items]`)
 * above all; and the JavaScript rendering (`//` comments, one statement per physical line).
 */
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../sandbox/protocol.ts';
import { renderInline, shortenValue } from './render-inline.ts';

describe('shortenValue', () => {
  it('leaves a value that fits alone', () => {
    expect(shortenValue('[1, 2]', 6)).toBe('[1, 2]');
    expect(shortenValue('[0, 1, … 40 items]', 18)).toBe('[0, 1, … 40 items]');
  });

  it('keeps whole items of a cut container and its count, as many as fit', () => {
    const v = '[10, 20, 30, 40, … 400 items]';
    // room for `[10, 20` before `, … 400 items]`
    expect(shortenValue(v, 22)).toBe('[10, 20, … 400 items]');
    expect(shortenValue(v, 21)).toBe('[10, 20, … 400 items]');
    expect(shortenValue(v, 20)).toBe('[10, … 400 items]');
    expect(shortenValue(v, 17)).toBe('[10, … 400 items]');
    expect(shortenValue(v, 16)).toBe('[… 400 items]');
    expect(shortenValue(v, 1)).toBe('[… 400 items]');
    // the last item counts too
    expect(shortenValue('[10, 20, … 400 items]', 20)).toBe('[10, … 400 items]');
  });

  it('keeps nested containers and quoted commas whole, and a call-like opener', () => {
    expect(shortenValue('[[1, 2], [3, 4], … 9 items]', 24)).toBe('[[1, 2], … 9 items]');
    expect(shortenValue("['a, b', 'c', … 9 items]", 22)).toBe("['a, b', … 9 items]");
    expect(shortenValue('["x\\"y, z", 1, … 9 items]', 22)).toBe('["x\\"y, z", … 9 items]');
    expect(shortenValue('deque([1, 2, 3, … 9 items])', 24)).toBe('deque([1, 2, … 9 items])');
    expect(shortenValue('deque([1, 2, 3, … 9 items])', 10)).toBe('deque([… 9 items])');
    expect(shortenValue('{1: (2, 3), 4: 5, … 9 items}', 26)).toBe('{1: (2, 3), … 9 items}');
    expect(shortenValue('{(1, 2), (3, 4), … 7 items}', 20)).toBe('{(1, 2), … 7 items}');
    // an unclosed quote or bracket in the head ends no item
    expect(shortenValue("['abc, … 9 items]", 12)).toBe('[… 9 items]');
    expect(shortenValue('[(1, … 9 items]', 12)).toBe('[… 9 items]');
  });

  it('cuts other containers between elements and keeps their closer; strings and plain values just end in ...', () => {
    expect(shortenValue('[100, 200, 300, 400]', 15)).toBe('[100, 200, ...]');
    expect(shortenValue('[100, 200, 300, 400]', 14)).toBe('[100, ...]');
    expect(shortenValue("'abcdefghij'", 8)).toBe("'abc...'");
    expect(shortenValue('"a, b, c, d"', 8)).toBe('"a, ..."');
    expect(shortenValue('<Foo object at 0x7f>', 10)).toBe('<Foo o...>');
    expect(shortenValue('123456789', 6)).toBe('123...');
    expect(shortenValue('123456789', 2)).toBe('1...');
    expect(shortenValue('[1, 2, 3', 6)).toBe('[1,...');
    expect(shortenValue('[12345678]', 3)).toBe('[...]');
  });
});

describe('renderInline in JavaScript', () => {
  const source = 'function f(n) {\n  const y = n * 3;\n  return y;\n}\n';
  const trace = (events: Trace['events'], extra: Partial<Trace> = {}): Trace => ({
    program: 'p',
    test: { id: 't0', name: 'f(2) === 5', kind: 'assert', source: '' },
    result: { program: 'p', test: 't0', status: 'failed', durationMs: 1 },
    events,
    totalEvents: events.length,
    truncated: false,
    ...extra,
  });

  it('writes // comments on the physical lines, the return and the exception as pseudo-variables', () => {
    const out = renderInline(
      trace([
        { step: 0, kind: 'call', line: 1, func: 'f', depth: 0, vars: { n: '2' } },
        { step: 1, kind: 'line', line: 2, func: 'f', depth: 0, vars: { y: '6' } },
        { step: 2, kind: 'return', line: 3, func: 'f', depth: 0 },
      ]),
      source,
      { language: 'javascript' },
    );
    expect(out.text.split('\n')).toEqual(['function f(n) {  // (0) n=2;', '  const y = n * 3;  // (1) y=6;', '  return y;  // (2) __return__=None;', '}', '']);
    const ts = renderInline(trace([{ step: 0, kind: 'exception', line: 2, func: 'f', depth: 0 }]), source, { language: 'typescript' });
    expect(ts.text).toContain('  const y = n * 3;  // (0) __exception__=Exception();');
  });

  it('says how many steps the runner recorded when it stopped early, and the notes keep the last line end', () => {
    const events = [{ step: 0, kind: 'call' as const, line: 1, func: 'f', depth: 0, vars: { n: '2' } }];
    const cut = renderInline(trace(events, { truncated: true, totalEvents: 1 }), source.trimEnd(), { language: 'javascript' });
    expect(cut.text).toBe('function f(n) {  // (0) n=2;\n  const y = n * 3;\n  return y;\n}\n// [trace incomplete: the runner recorded 1 steps]');
    const withEnd = renderInline(trace(events, { truncated: true, totalEvents: 1 }), source, { language: 'javascript' });
    expect(withEnd.text).toBe('function f(n) {  // (0) n=2;\n  const y = n * 3;\n  return y;\n}\n// [trace incomplete: the runner recorded 1 steps]\n');
  });
});

describe('what a line shows', () => {
  const src = 'def f(n):\n    y = n\n    return y\n';
  const trace = (events: Trace['events']): Trace => ({
    program: 'p',
    test: { id: 't0', name: 'f(2)', kind: 'assert', source: '' },
    result: { program: 'p', test: 't0', status: 'failed', durationMs: 1 },
    events,
    totalEvents: events.length,
    truncated: false,
  });

  it('leaves out hidden iterators, dunder bookkeeping and modules, and writes line breaks as escapes', () => {
    const out = renderInline(
      trace([
        { step: 0, kind: 'call', line: 1, func: 'f', depth: 0, vars: { n: '2' } },
        { step: 1, kind: 'line', line: 2, func: 'f', depth: 0, vars: { '.0': '<iter>', __name__: "'m'", os: "<module 'os'>", y: "'a\nb\rc'", x__: '1', __y: '2', z: "'<module>'" } },
      ]),
      src,
    );
    expect(out.text.split('\n')[1]).toBe("    y = n  # (1) y='a\\nb\\rc'; x__=1; __y=2; z='<module>';");
  });

  it('gives no comment to a line whose event changed nothing, and keeps the states in step order', () => {
    const out = renderInline(
      trace([
        { step: 0, kind: 'call', line: 1, func: 'f', depth: 0, vars: { n: '2' } },
        { step: 3, kind: 'line', line: 2, func: 'f', depth: 0, vars: { y: '3' } },
        { step: 1, kind: 'line', line: 2, func: 'f', depth: 0, vars: { y: '1' } },
        { step: 2, kind: 'line', line: 3, func: 'f', depth: 0 },
        { step: 4, kind: 'line', line: 3, func: 'f', depth: 0, vars: {} },
      ]),
      src,
    );
    expect(out.text.split('\n')).toEqual(['def f(n):  # (0) n=2;', '    y = n  # (1) y=1; (3) y=3;', '    return y', '']);
  });
});
