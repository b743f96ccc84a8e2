/**
 * Fidelity of the JavaScript tracer against an independent recording. Each program below runs twice:
 * once through our tracer (QuickJS, the instrumented program, the guest's value rendering), and
 * once unmodified in plain Node, stepped statement by statement by V8's own debugger
 * (tests/fixtures/js-debugger-recorder.mjs, node:inspector). Both are reduced to the same shape —
 * per call, in call order: each variable's successive values with the line that gave each one, and
 * the return value — and must agree exactly.
 *
 * Reduction rules (the same for both sides): `undefined` values are left out, because V8 shows a
 * variable before its declaration ran (hoisting, the temporal dead zone) as `undefined` where the
 * tracer does not show it yet; a value equal to the variable's previous one is not a change. The
 * debugger pauses before a statement, so a change seen at a pause belongs to the frame's previous
 * pause's line; values present at a frame's first pause are its arguments (line 0).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../sandbox/protocol.ts';
import { traceOf } from '../contract/js-fixtures.ts';

interface Program {
  name: string;
  program: string;
  call: string;
  /** V8 does not pause at the return of a function whose finally block ran after its return statement. */
  v8MissesReturnOf?: string;
}

const PROGRAMS: Program[] = [
  {
    name: 'indexed for loop',
    program: 'function total(xs) {\n  let s = 0;\n  for (let i = 0; i < xs.length; i++) {\n    s += xs[i];\n  }\n  return s;\n}\n',
    call: 'total([3, 1, 4]);',
  },
  {
    name: 'for-of building an object',
    program: "function counts(words) {\n  const seen = {};\n  for (const w of words) {\n    const key = w.toLowerCase();\n    seen[key] = (seen[key] || 0) + 1;\n  }\n  return seen;\n}\n",
    call: "counts(['a', 'B', 'b', 'c']);",
  },
  {
    name: 'binary search with early return',
    program: 'function find(xs, target) {\n  let lo = 0;\n  let hi = xs.length - 1;\n  while (lo <= hi) {\n    const mid = Math.floor((lo + hi) / 2);\n    if (xs[mid] === target) return mid;\n    if (xs[mid] < target) lo = mid + 1;\n    else hi = mid - 1;\n  }\n  return -1;\n}\n',
    call: 'find([1, 3, 5, 7, 9, 11], 9); find([2, 4], 3);',
  },
  {
    name: 'recursion',
    program: 'function fact(n) {\n  if (n <= 1) return 1;\n  const rest = fact(n - 1);\n  return n * rest;\n}\n',
    call: 'fact(4);',
  },
  {
    name: 'closure over a counter',
    program: 'function makeCounter(start) {\n  let count = start;\n  function next(step) {\n    count += step;\n    return count;\n  }\n  return next;\n}\nfunction use() {\n  const next = makeCounter(10);\n  let a = next(1);\n  a = next(5);\n  return a;\n}\n',
    call: 'use();',
  },
  {
    name: 'array destructuring swap (gcd)',
    program: 'function gcd(a, b) {\n  while (b !== 0) {\n    [a, b] = [b, a % b];\n  }\n  return a;\n}\n',
    call: 'gcd(48, 18);',
  },
  {
    name: 'object destructuring and defaults',
    program: "function summary({ name, age = 30 }, ...tags) {\n  const [first, ...others] = tags;\n  const label = `${name} (${age})`;\n  return { label, first, others };\n}\n",
    call: "summary({ name: 'Ada' }, 'x', 'y', 'z');",
  },
  {
    name: 'class with methods',
    program: 'class Stack {\n  constructor() {\n    this.items = [];\n  }\n  push(x) {\n    this.items.push(x);\n    return this.items.length;\n  }\n  pop() {\n    const top = this.items[this.items.length - 1];\n    this.items.length -= 1;\n    return top;\n  }\n}\nfunction run() {\n  const s = new Stack();\n  s.push(1);\n  s.push(2);\n  const got = s.pop();\n  return got;\n}\n',
    call: 'run();',
  },
  {
    name: 'exception caught in a loop',
    program: "function toNumbers(texts) {\n  const out = [];\n  for (const t of texts) {\n    try {\n      const v = Number(t);\n      if (Number.isNaN(v)) throw new TypeError('not a number: ' + t);\n      out.push(v);\n    } catch (err) {\n      const note = err.message;\n      out.push(note);\n    }\n  }\n  return out;\n}\n",
    call: "toNumbers(['1', 'x', '2.5']);",
  },
  {
    name: 'exception out of a callee',
    program: "function check(x) {\n  if (x < 0) throw new RangeError('negative');\n  return Math.sqrt(x);\n}\nfunction safe(xs) {\n  let ok = 0;\n  let bad = 0;\n  for (const x of xs) {\n    try {\n      check(x);\n      ok += 1;\n    } catch (e) {\n      bad += 1;\n    }\n  }\n  return [ok, bad];\n}\n",
    call: 'safe([4, -1, 9]);',
  },
  {
    name: 'early return from nested loops',
    program: 'function pairSum(xs, target) {\n  for (let i = 0; i < xs.length; i++) {\n    for (let j = i + 1; j < xs.length; j++) {\n      const sum = xs[i] + xs[j];\n      if (sum === target) return [i, j];\n    }\n  }\n  return null;\n}\n',
    call: 'pairSum([1, 4, 6, 3], 9);',
  },
  {
    name: 'Map and Set',
    program: 'function groups(xs) {\n  const byLen = new Map();\n  const lens = new Set();\n  for (const x of xs) {\n    lens.add(x.length);\n    const list = byLen.get(x.length) || [];\n    list.push(x);\n    byLen.set(x.length, list);\n  }\n  return lens.size;\n}\n',
    call: "groups(['ab', 'c', 'de']);",
  },
  {
    name: 'array callbacks',
    program: 'function stats(xs) {\n  const doubled = xs.map((x) => x * 2);\n  const big = doubled.filter((x) => x > 4);\n  const sum = big.reduce((acc, x) => acc + x, 0);\n  return sum;\n}\n',
    call: 'stats([1, 2, 3, 4]);',
  },
  {
    name: 'string building',
    program: "function reverseWords(text) {\n  const words = text.split(' ');\n  let out = '';\n  for (let i = words.length - 1; i >= 0; i--) {\n    out += words[i];\n    if (i > 0) out += ' ';\n  }\n  return out;\n}\n",
    call: "reverseWords('one two three');",
  },
  {
    name: 'switch',
    program: "function apply(ops) {\n  let acc = 0;\n  for (const op of ops) {\n    switch (op) {\n      case 'inc':\n        acc += 1;\n        break;\n      case 'dbl':\n        acc *= 2;\n        break;\n      default:\n        acc = -acc;\n    }\n  }\n  return acc;\n}\n",
    call: "apply(['inc', 'inc', 'dbl', 'neg']);",
  },
  {
    name: 'recursion over a nested array',
    program: 'function flatten(xs) {\n  const out = [];\n  for (const x of xs) {\n    if (Array.isArray(x)) {\n      const inner = flatten(x);\n      out.push(...inner);\n    } else {\n      out.push(x);\n    }\n  }\n  return out;\n}\n',
    call: 'flatten([1, [2, [3]], 4]);',
  },
  {
    name: 'do-while and continue',
    program: 'function digits(n) {\n  const ds = [];\n  do {\n    const d = n % 10;\n    n = Math.floor(n / 10);\n    if (d === 0) continue;\n    ds.push(d);\n  } while (n > 0);\n  return ds;\n}\n',
    call: 'digits(4051);',
  },
  {
    name: 'for-in and a ternary',
    program: 'function keysAbove(obj, limit) {\n  const keys = [];\n  for (const k in obj) {\n    const v = obj[k];\n    const tag = v > limit ? k.toUpperCase() : k;\n    keys.push(tag);\n  }\n  return keys;\n}\n',
    call: 'keysAbove({ a: 1, b: 5, c: 3 }, 2);',
  },
  {
    name: 'else-if chain on lines of their own',
    program: "function grade(scores) {\n  const out = [];\n  for (const s of scores) {\n    let g;\n    if (s >= 90)\n      g = 'A';\n    else if (s >= 70)\n      g = 'B';\n    else\n      g = 'C';\n    out.push(g);\n  }\n  return out;\n}\n",
    call: 'grade([95, 72, 10]);',
  },
  {
    name: 'destructuring in a for-of head',
    program: 'function invert(obj) {\n  const out = {};\n  for (const [k, v] of Object.entries(obj)) {\n    out[v] = k;\n  }\n  return out;\n}\n',
    call: "invert({ a: 'x', b: 'y' });",
  },
  {
    name: 'try/finally around an early return',
    // V8 does not pause after a finally block ends a function: the finally ends on a statement that
    // changes nothing, and the caller shows the return value (`found`).
    program: "function firstEven(xs) {\n  let checked = 0;\n  try {\n    for (const x of xs) {\n      checked += 1;\n      if (x % 2 === 0) return x;\n    }\n    return null;\n  } finally {\n    checked = -checked;\n    void checked;\n  }\n}\nfunction run() {\n  const found = firstEven([3, 5, 6, 7]);\n  return found;\n}\n",
    call: 'run();',
    v8MissesReturnOf: 'firstEven',
  },
  {
    name: 'labeled continue out of an inner loop',
    program: 'function firstPrimes(n) {\n  const primes = [];\n  outer: for (let k = 2; primes.length < n; k++) {\n    for (const p of primes) {\n      if (k % p === 0) continue outer;\n    }\n    primes.push(k);\n  }\n  return primes;\n}\n',
    call: 'firstPrimes(4);',
  },
  {
    name: 'getter, static method and a field',
    program: 'class Rect {\n  sides = 4;\n  constructor(w, h) {\n    this.w = w;\n    this.h = h;\n  }\n  get area() {\n    const a = this.w * this.h;\n    return a;\n  }\n  static square(n) {\n    const r = new Rect(n, n);\n    return r.area;\n  }\n}\n',
    call: 'Rect.square(3);',
  },
  {
    name: 'a loop whose body never runs, and a missing return',
    program: 'function maxOf(xs) {\n  let best = -1;\n  for (let i = 1; i < xs.length; i++) {\n    if (xs[i] > best) best = xs[i];\n  }\n}\n',
    call: 'maxOf([7]);',
  },
];

type Changes = Record<string, [number, string][]>;
interface Call {
  func: string;
  values: Changes;
  returned?: string;
}

function note(values: Changes, name: string, line: number, value: string): void {
  if (value === 'undefined') return;
  const list = (values[name] ??= []);
  if (list.at(-1)?.[1] === value) return;
  list.push([line, value]);
}

/** Our tracer's events → calls. The program's top level (`<module>`) is not a call the debugger sees. */
function fromTrace(trace: Trace): Call[] {
  const calls: Call[] = [];
  const open = new Map<number, Call>();
  for (const e of trace.events) {
    if (e.func === '<module>') continue;
    if (e.kind === 'call') {
      const name = e.func.endsWith('.constructor') ? e.func.slice(0, -'.constructor'.length) : (e.func.split('.').at(-1) ?? '');
      const call: Call = { func: name === '<anonymous>' ? '' : name, values: {} };
      calls.push(call);
      open.set(e.depth, call);
      for (const [k, v] of Object.entries(e.vars ?? {})) note(call.values, k, 0, v);
      continue;
    }
    const call = open.get(e.depth);
    if (!call) throw new Error(`event at depth ${e.depth} outside any call: ${JSON.stringify(e)}`);
    if (e.kind === 'line') for (const [k, v] of Object.entries(e.vars ?? {})) note(call.values, k, e.line, v);
    if (e.kind === 'return') call.returned = e.value ?? 'undefined';
    if (e.kind === 'return' || e.kind === 'exception') open.delete(e.depth);
  }
  return calls;
}

interface Recorded {
  frames: { func: string; pauses: { line: number; vars: Record<string, string>; returned?: boolean; returnValue?: string }[] }[];
  error?: string;
}

function fromDebugger(recorded: Recorded): Call[] {
  // V8's own frames for class field initializers (`<instance_members_initializer>`) are not calls in the program's text.
  return recorded.frames.filter((frame) => !frame.func.startsWith('<')).map((frame) => {
    // V8 names an accessor `get area`; the tracer names it after its class and key, like a method.
    const call: Call = { func: frame.func.replace(/^[gs]et /, ''), values: {} };
    let previousLine = 0;
    for (const pause of frame.pauses) {
      for (const [k, v] of Object.entries(pause.vars)) note(call.values, k, previousLine, v);
      previousLine = pause.line;
      if (pause.returned) call.returned = pause.returnValue ?? 'undefined';
    }
    return call;
  });
}

function record(programs: Program[]): Recorded[] {
  const recorder = fileURLToPath(new URL('../fixtures/js-debugger-recorder.mjs', import.meta.url));
  const input = JSON.stringify(programs.map(({ program, call }) => ({ program, call })));
  return JSON.parse(execFileSync(process.execPath, [recorder], { input, encoding: 'utf8', timeout: 60_000 })) as Recorded[];
}

function changeCount(calls: Call[]): number {
  return calls.reduce((n, c) => n + Object.values(c.values).reduce((m, list) => m + list.length, 0), 0);
}

describe('the JavaScript tracer agrees with V8 debugger stepping', () => {
  const recorded = record(PROGRAMS);

  it('covers enough programs to mean something', () => {
    expect(PROGRAMS.length).toBeGreaterThanOrEqual(15);
    expect(recorded.map((r) => r.error)).toEqual(PROGRAMS.map(() => undefined));
  });

  PROGRAMS.forEach((p, i) => {
    it(p.name, async () => {
      const trace = await traceOf(p.program, p.call);
      expect(trace.truncated).toBe(false);
      const ours = fromTrace(trace);
      const theirs = fromDebugger(recorded[i] as Recorded);
      for (const [k, call] of ours.entries()) {
        if (call.func !== p.v8MissesReturnOf) continue;
        expect(theirs[k]?.returned).toBeUndefined();
        delete call.returned;
      }
      // Not vacuous: calls were made and values changed.
      expect(theirs.length).toBeGreaterThan(0);
      expect(changeCount(theirs)).toBeGreaterThanOrEqual(3);
      expect(ours).toEqual(theirs);
    });
  });

  it('notices a disagreement (the comparison can fail)', async () => {
    const p = PROGRAMS[0] as Program;
    const trace = await traceOf(p.program, p.call);
    const theirs = fromDebugger(record([p])[0] as Recorded);
    expect(fromTrace(trace)).toEqual(theirs);
    const forged = structuredClone(trace);
    const event = forged.events.find((e) => e.vars?.s === '3');
    if (!event?.vars) throw new Error('the trace of total([3, 1, 4]) has no s=3');
    event.vars.s = '4';
    expect(fromTrace(forged)).not.toEqual(theirs);
    const moved = structuredClone(trace);
    const onLine = moved.events.find((e) => e.vars?.s === '3');
    if (!onLine) throw new Error('no s=3');
    onLine.line += 1;
    expect(fromTrace(moved)).not.toEqual(theirs);
  });
});
