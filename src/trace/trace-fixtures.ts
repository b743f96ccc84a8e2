/**
 * Hand-built traces, written the way sandbox/runner's tracer emits them under sys.settrace (Python
 * 3.11): every event of the user's frames gets the next global step; a `line` event carries the
 * variables the line changed (observed at the frame's next event); a call carries the arguments
 * (for methods, `self.attr` entries instead of `self`); frames are named by qualified name
 * (`Counter.bump`, `pairs.<listcomp>`); an exception is reported in each frame it unwinds through;
 * `.0`, dunders and (at module level) functions/classes/modules are already filtered out.
 * A few fixtures add what an older or different runner might send (`.0`, a `None` return after an
 * exception, module-level class bodies) to pin that the renderer copes.
 * Shared by the golden tests; not used by production code.
 */
import type { Trace, TraceEvent } from '../../sandbox/protocol.ts';

/** [kind, line, func, depth, vars?, value?]; the step is the event's position (plus `firstStep`). */
export type EventSpec = [
  TraceEvent['kind'],
  number,
  string,
  number,
  (Record<string, string> | undefined)?,
  string?,
];

export function makeTrace(
  specs: EventSpec[],
  options: {
    totalEvents?: number;
    truncated?: boolean;
    status?: 'passed' | 'failed' | 'error' | 'timeout';
    firstStep?: number;
  } = {},
): Trace {
  const first = options.firstStep ?? 0;
  const events: TraceEvent[] = specs.map(([kind, line, func, depth, vars, value], i) => ({
    step: first + i,
    kind,
    line,
    func,
    depth,
    ...(vars === undefined ? {} : { vars }),
    ...(value === undefined ? {} : { value }),
  }));
  return {
    program: 'p0',
    test: { id: 't0', name: 'assert f(...) == ...', kind: 'assert', line: 1, source: 'assert f(...) == ...' },
    result: { program: 'p0', test: 't0', status: options.status ?? 'failed', durationMs: 3 },
    events,
    totalEvents: options.totalEvents ?? first + events.length,
    truncated: options.truncated ?? false,
  };
}

export const LOOP_SOURCE = `def total(xs):
    s = 0
    for x in xs:  # walk the list
        s += x
    return s
`;

export const LOOP_TRACE = makeTrace([
  ['call', 1, 'total', 0, { xs: '[1, 2, 3, 4, 5]' }],
  ['line', 2, 'total', 0, { s: '0' }],
  ['line', 3, 'total', 0, { x: '1' }],
  ['line', 4, 'total', 0, { s: '1' }],
  ['line', 3, 'total', 0, { x: '2' }],
  ['line', 4, 'total', 0, { s: '3' }],
  ['line', 3, 'total', 0, { x: '3' }],
  ['line', 4, 'total', 0, { s: '6' }],
  ['line', 3, 'total', 0, { x: '4' }],
  ['line', 4, 'total', 0, { s: '10' }],
  ['line', 3, 'total', 0, { x: '5' }],
  ['line', 4, 'total', 0, { s: '15' }],
  ['line', 3, 'total', 0],
  ['line', 5, 'total', 0],
  ['return', 5, 'total', 0, undefined, '15'],
]);

export const RECURSION_SOURCE = `def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)
`;

export const RECURSION_TRACE = makeTrace([
  ['call', 1, 'fact', 1, { n: '3' }],
  ['line', 2, 'fact', 1],
  ['line', 4, 'fact', 1],
  ['call', 1, 'fact', 2, { n: '2' }],
  ['line', 2, 'fact', 2],
  ['line', 4, 'fact', 2],
  ['call', 1, 'fact', 3, { n: '1' }],
  ['line', 2, 'fact', 3],
  ['line', 3, 'fact', 3],
  ['return', 3, 'fact', 3, undefined, '1'],
  ['return', 4, 'fact', 2, undefined, '2'],
  ['return', 4, 'fact', 1, undefined, '6'],
]);

export const NESTED_CALLS_SOURCE = `def square(x):
    return x * x


def sum_squares(xs):
    total = 0
    for x in xs:
        total += square(x)
    return total
`;

export const NESTED_CALLS_TRACE = makeTrace([
  ['call', 5, 'sum_squares', 0, { xs: '[1, 2]' }],
  ['line', 6, 'sum_squares', 0, { total: '0' }],
  ['line', 7, 'sum_squares', 0, { x: '1' }],
  ['line', 8, 'sum_squares', 0, { total: '1' }],
  ['call', 1, 'square', 1, { x: '1' }],
  ['line', 2, 'square', 1],
  ['return', 2, 'square', 1, undefined, '1'],
  ['line', 7, 'sum_squares', 0, { x: '2' }],
  ['line', 8, 'sum_squares', 0, { total: '5' }],
  ['call', 1, 'square', 1, { x: '2' }],
  ['line', 2, 'square', 1],
  ['return', 2, 'square', 1, undefined, '4'],
  ['line', 7, 'sum_squares', 0],
  ['line', 9, 'sum_squares', 0],
  ['return', 9, 'sum_squares', 0, undefined, '5'],
]);

export const EXCEPTION_SOURCE = `def mean(xs):
    return sum(xs) / len(xs)


def report(xs):
    m = mean(xs)
    return f"mean={m}"
`;

export const EXCEPTION_TRACE = makeTrace(
  [
    ['call', 5, 'report', 0, { xs: '[]' }],
    ['line', 6, 'report', 0],
    ['call', 1, 'mean', 1, { xs: '[]' }],
    ['line', 2, 'mean', 1],
    ['exception', 2, 'mean', 1, undefined, 'ZeroDivisionError(division by zero)'],
    ['exception', 6, 'report', 0, undefined, 'ZeroDivisionError(division by zero)'],
  ],
  { status: 'error' },
);

/** Multi-line statements, a comprehension frame, an existing comment, a backslash continuation, a docstring-like string. */
export const MULTILINE_SOURCE = `def build(n):
    parts = [
        str(i)
        for i in range(n)
    ]
    text = ", ".join(parts) + \\
        "!"
    doc = """a
b"""  # two lines
    return text
`;

export const MULTILINE_TRACE = makeTrace([
  ['call', 1, 'build', 0, { n: '3' }],
  ['line', 2, 'build', 0, { parts: "['0', '1', '2']" }],
  // An older runner's comprehension frame, still carrying the hidden `.0` iterator.
  ['call', 2, '<listcomp>', 1, { '.0': '<range_iterator object at 0x7f3a2c1d>' }],
  ['line', 4, '<listcomp>', 1, { i: '0' }],
  ['line', 3, '<listcomp>', 1],
  ['line', 4, '<listcomp>', 1, { i: '1' }],
  ['line', 3, '<listcomp>', 1],
  ['line', 4, '<listcomp>', 1, { i: '2' }],
  ['line', 3, '<listcomp>', 1],
  ['line', 4, '<listcomp>', 1],
  ['return', 4, '<listcomp>', 1, undefined, "['0', '1', '2']"],
  ['line', 6, 'build', 0, { text: "'0, 1, 2!'" }],
  ['line', 8, 'build', 0, { doc: "'a\\nb'" }],
  ['line', 10, 'build', 0],
  ['return', 10, 'build', 0, undefined, "'0, 1, 2!'"],
]);

export const GENERATOR_SOURCE = `def countdown(n):
    while n > 0:
        yield n
        n -= 1


def first_two(n):
    out = []
    for v in countdown(n):
        out.append(v)
        if len(out) == 2:
            break
    return out
`;

export const GENERATOR_TRACE = makeTrace([
  ['call', 7, 'first_two', 0, { n: '5' }],
  ['line', 8, 'first_two', 0, { out: '[]' }],
  ['line', 9, 'first_two', 0, { v: '5' }],
  ['call', 1, 'countdown', 1, { n: '5' }],
  ['line', 2, 'countdown', 1],
  ['line', 3, 'countdown', 1],
  ['return', 3, 'countdown', 1, undefined, '5'],
  ['line', 10, 'first_two', 0, { out: '[5]' }],
  ['line', 11, 'first_two', 0],
  ['line', 9, 'first_two', 0, { v: '4' }],
  // A resumed generator: settrace reports a call at the line it resumes from, with no new arguments.
  ['call', 3, 'countdown', 1],
  ['line', 4, 'countdown', 1, { n: '4' }],
  ['line', 2, 'countdown', 1],
  ['line', 3, 'countdown', 1],
  ['return', 3, 'countdown', 1, undefined, '4'],
  ['line', 10, 'first_two', 0, { out: '[5, 4]' }],
  ['line', 11, 'first_two', 0],
  ['line', 12, 'first_two', 0],
  // `break` drops the generator: Python closes it by throwing GeneratorExit in at the yield.
  ['call', 3, 'countdown', 1],
  ['exception', 3, 'countdown', 1, undefined, 'GeneratorExit()'],
  ['line', 13, 'first_two', 0],
  ['return', 13, 'first_two', 0, undefined, '[5, 4]'],
]);

export const CLASS_SOURCE = `class Counter:
    step = 2

    def __init__(self, start):
        self.value = start

    def bump(self):
        self.value += self.step
        return self.value


def run(n):
    c = Counter(n)
    c.bump()
    return c.bump()
`;

/**
 * Script mode under a runner that also traces the class body (Python 3.12+ sees it start), so the
 * renderer's filtering of class-body bookkeeping is pinned; then the test's call of run(3).
 */
export const CLASS_TRACE = makeTrace([
  ['call', 1, 'Counter', 0],
  ['line', 1, 'Counter', 0, { __module__: "'__main__'", __qualname__: "'Counter'" }],
  ['line', 2, 'Counter', 0, { step: '2' }],
  ['line', 4, 'Counter', 0, { __init__: '<function Counter.__init__ at 0x7f3a2c1e0040>' }],
  ['line', 7, 'Counter', 0, { bump: '<function Counter.bump at 0x7f3a2c1e00e0>' }],
  ['return', 7, 'Counter', 0, undefined, 'None'],
  ['call', 12, 'run', 0, { n: '3' }],
  ['line', 13, 'run', 0, { c: 'Counter(value=3)' }],
  ['call', 4, 'Counter.__init__', 1, { start: '3' }],
  ['line', 5, 'Counter.__init__', 1, { 'self.value': '3' }],
  ['return', 5, 'Counter.__init__', 1, undefined, 'None'],
  ['line', 14, 'run', 0, { c: 'Counter(value=5)' }],
  ['call', 7, 'Counter.bump', 1, { 'self.value': '3' }],
  ['line', 8, 'Counter.bump', 1, { 'self.value': '5' }],
  ['line', 9, 'Counter.bump', 1],
  ['return', 9, 'Counter.bump', 1, undefined, '5'],
  ['line', 15, 'run', 0, { c: 'Counter(value=7)' }],
  ['call', 7, 'Counter.bump', 1, { 'self.value': '5' }],
  ['line', 8, 'Counter.bump', 1, { 'self.value': '7' }],
  ['line', 9, 'Counter.bump', 1],
  ['return', 9, 'Counter.bump', 1, undefined, '7'],
  ['return', 15, 'run', 0, undefined, '7'],
]);

export const COMPREHENSION_SOURCE = `def pairs(n):
    grid = []
    for i in range(n):
        for j in range(i):
            grid.append((i, j))
    evens = [x * 2 for x in range(n) if x % 2 == 0]
    lookup = {k: v for k, v in grid}
    return grid, evens, lookup
`;

export const COMPREHENSION_TRACE = makeTrace([
  ['call', 1, 'pairs', 0, { n: '4' }],
  ['line', 2, 'pairs', 0, { grid: '[]' }],
  ['line', 3, 'pairs', 0, { i: '0' }],
  ['line', 4, 'pairs', 0],
  ['line', 3, 'pairs', 0, { i: '1' }],
  ['line', 4, 'pairs', 0, { j: '0' }],
  ['line', 5, 'pairs', 0, { grid: '[(1, 0)]' }],
  ['line', 4, 'pairs', 0],
  ['line', 3, 'pairs', 0, { i: '2' }],
  ['line', 4, 'pairs', 0, { j: '0' }],
  ['line', 5, 'pairs', 0, { grid: '[(1, 0), (2, 0)]' }],
  ['line', 4, 'pairs', 0, { j: '1' }],
  ['line', 5, 'pairs', 0, { grid: '[(1, 0), (2, 0), (2, 1)]' }],
  ['line', 4, 'pairs', 0],
  ['line', 3, 'pairs', 0, { i: '3' }],
  ['line', 4, 'pairs', 0, { j: '0' }],
  ['line', 5, 'pairs', 0, { grid: '[(1, 0), (2, 0), (2, 1), (3, 0)]' }],
  ['line', 4, 'pairs', 0, { j: '1' }],
  ['line', 5, 'pairs', 0, { grid: '[(1, 0), (2, 0), (2, 1), (3, 0), (3, 1)]' }],
  ['line', 4, 'pairs', 0, { j: '2' }],
  ['line', 5, 'pairs', 0, { grid: '[(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]' }],
  ['line', 4, 'pairs', 0],
  ['line', 3, 'pairs', 0],
  ['line', 6, 'pairs', 0, { evens: '[0, 4]' }],
  ['call', 6, 'pairs.<listcomp>', 1],
  ['line', 6, 'pairs.<listcomp>', 1, { x: '0' }],
  ['line', 6, 'pairs.<listcomp>', 1, { x: '1' }],
  ['line', 6, 'pairs.<listcomp>', 1, { x: '2' }],
  ['line', 6, 'pairs.<listcomp>', 1, { x: '3' }],
  ['line', 6, 'pairs.<listcomp>', 1],
  ['return', 6, 'pairs.<listcomp>', 1, undefined, '[0, 4]'],
  ['line', 7, 'pairs', 0, { lookup: '{1: 0, 2: 1, 3: 2}' }],
  ['call', 7, 'pairs.<dictcomp>', 1],
  ['line', 7, 'pairs.<dictcomp>', 1, { k: '1', v: '0' }],
  ['line', 7, 'pairs.<dictcomp>', 1, { k: '2' }],
  ['line', 7, 'pairs.<dictcomp>', 1, { v: '1' }],
  ['line', 7, 'pairs.<dictcomp>', 1, { k: '3', v: '0' }],
  ['line', 7, 'pairs.<dictcomp>', 1, { v: '1' }],
  ['line', 7, 'pairs.<dictcomp>', 1, { v: '2' }],
  ['line', 7, 'pairs.<dictcomp>', 1],
  ['return', 7, 'pairs.<dictcomp>', 1, undefined, '{1: 0, 2: 1, 3: 2}'],
  ['line', 8, 'pairs', 0],
  [
    'return',
    8,
    'pairs',
    0,
    undefined,
    '([(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)], [0, 4], {1: 0, 2: 1, 3: 2})',
  ],
]);

/** A loop-heavy trace with long values and a helper one frame deeper: what the budget tests squeeze. */
export const BUDGET_SOURCE = `def clamp(v, lo, hi):
    return max(lo, min(v, hi))


def running(xs):
    seen = []
    acc = 0
    for x in xs:
        acc = clamp(acc + x, -50, 50)
        seen.append(acc)
    return seen
`;

export function budgetTrace(n: number): Trace {
  const xs = Array.from({ length: n }, (_, i) => ((i * 37) % 23) - 11);
  const specs: EventSpec[] = [['call', 5, 'running', 0, { xs: `[${xs.join(', ')}]` }]];
  specs.push(['line', 6, 'running', 0, { seen: '[]' }], ['line', 7, 'running', 0, { acc: '0' }]);
  let acc = 0;
  const seen: number[] = [];
  for (const x of xs) {
    specs.push(['line', 8, 'running', 0, { x: String(x) }]);
    const next = Math.max(-50, Math.min(acc + x, 50));
    specs.push(['line', 9, 'running', 0, next === acc ? undefined : { acc: String(next) }]);
    specs.push(['call', 1, 'clamp', 1, { v: String(acc + x), lo: '-50', hi: '50' }]);
    specs.push(['line', 2, 'clamp', 1], ['return', 2, 'clamp', 1, undefined, String(next)]);
    acc = next;
    seen.push(acc);
    specs.push(['line', 10, 'running', 0, { seen: `[${seen.join(', ')}]` }]);
  }
  specs.push(['line', 8, 'running', 0], ['line', 11, 'running', 0]);
  specs.push(['return', 11, 'running', 0, undefined, `[${seen.join(', ')}]`]);
  return makeTrace(specs);
}
