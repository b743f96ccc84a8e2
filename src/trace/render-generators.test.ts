/**
 * Generators in the NExT rendering: a resumed generator is reported by the runner as a `call` at its
 * `yield`, with no arguments. In a recursive generator that used to render as a bare `__depth__=1;`;
 * it is dropped now (the resumed frame's own states follow on their lines).
 * The events are the runner's (CPython 3.11, settrace) for the program below.
 */
import { describe, expect, it } from 'vitest';
import type { Trace, TraceEvent } from '../../sandbox/protocol.ts';
import { renderInline } from './index.ts';

const SOURCE = `def walk(tree):
    if tree is None:
        return
    left, value, right = tree
    yield from walk(left)
    yield value
    yield from walk(right)


def inorder(tree):
    return list(walk(tree))
`;

type Row = [TraceEvent['kind'], number, string, number, (Record<string, string> | undefined)?, string?];

const ROWS: Row[] = [
  ['call', 10, 'inorder', 0, { tree: '((None, 1, None), 2, None)' }],
  ['line', 11, 'inorder', 0],
  ['call', 1, 'walk', 1, { tree: '((None, 1, None), 2, None)' }],
  ['line', 2, 'walk', 1],
  ['line', 4, 'walk', 1, { left: '(None, 1, None)', value: '2', right: 'None' }],
  ['line', 5, 'walk', 1],
  ['call', 1, 'walk', 2, { tree: '(None, 1, None)' }],
  ['line', 2, 'walk', 2],
  ['line', 4, 'walk', 2, { left: 'None', value: '1', right: 'None' }],
  ['line', 5, 'walk', 2],
  ['call', 1, 'walk', 3, { tree: 'None' }],
  ['line', 2, 'walk', 3],
  ['line', 3, 'walk', 3],
  ['return', 3, 'walk', 3, undefined, 'None'],
  ['line', 6, 'walk', 2],
  ['return', 6, 'walk', 2, undefined, '1'],
  ['return', 5, 'walk', 1, undefined, '1'],
  ['call', 5, 'walk', 1],
  ['call', 6, 'walk', 2],
  ['line', 7, 'walk', 2],
  ['call', 1, 'walk', 3, { tree: 'None' }],
  ['line', 2, 'walk', 3],
  ['line', 3, 'walk', 3],
  ['return', 3, 'walk', 3, undefined, 'None'],
  ['return', 7, 'walk', 2, undefined, 'None'],
  ['line', 6, 'walk', 1],
  ['return', 6, 'walk', 1, undefined, '2'],
  ['call', 6, 'walk', 1],
  ['line', 7, 'walk', 1],
  ['call', 1, 'walk', 2, { tree: 'None' }],
  ['line', 2, 'walk', 2],
  ['line', 3, 'walk', 2],
  ['return', 3, 'walk', 2, undefined, 'None'],
  ['return', 7, 'walk', 1, undefined, 'None'],
  ['return', 11, 'inorder', 0, undefined, '[1, 2]'],
];

const TRACE: Trace = {
  program: 'p',
  test: {
    id: 't0',
    name: 'assert inorder(((None, 1, None), 2, None)) == [2, 1]',
    kind: 'assert',
    line: 1,
    source: 'assert inorder(((None, 1, None), 2, None)) == [2, 1]',
  },
  result: { program: 'p', test: 't0', status: 'failed', durationMs: 1 },
  events: ROWS.map(([kind, line, func, depth, vars, value], step) => ({
    step,
    kind,
    line,
    func,
    depth,
    ...(vars === undefined ? {} : { vars }),
    ...(value === undefined ? {} : { value }),
  })),
  totalEvents: ROWS.length,
  truncated: false,
};

describe('renderInline: generators', () => {
  it('a recursive generator renders its yields and arguments, and no bare resume markers', async () => {
    const out = renderInline(TRACE, SOURCE);
    expect(out.text).not.toMatch(/__depth__=\d+; (?:\(|$)/m);
    expect(out.text).not.toMatch(/__depth__=\d+;$/m);
    // Recursion into the generator is still marked where it brings arguments.
    expect(out.text.split('\n')[0]).toBe(
      'def walk(tree):  # (2) tree=((None, 1, None), 2, None); (6) __depth__=1; tree=(None, 1, None); (10) __depth__=2; tree=None; ...; (29) __depth__=1; tree=None;',
    );
    expect(out.text).toContain('    yield value  # (15) __yield__=1; (26) __yield__=2;');
    await expect(out.text).toMatchFileSnapshot('__golden__/generator-recursive.txt');
  });
});
