/**
 * Where the trace of the original and the trace of the fix, on the same failing test, first part ways:
 * the evidence an explanation is built on (issue 10). Both traces count steps the same way (NExT `(k)`),
 * so they are compared event by event; line numbers of the fix are mapped back to the original's
 * across the edit, so that an inserted line does not make every later line look different.
 */
import { diffArrays } from 'diff';
import type { Trace, TraceEvent } from '../../sandbox/protocol.ts';
import type { Divergence } from './types.ts';

/**
 * Maps a 1-based line of `after` to the line of `before` it corresponds to, across any number of edits:
 * unchanged lines to themselves, a replaced line to the first line it replaced, an inserted line to the
 * line before it (the first line when it is inserted at the top).
 */
export function lineMapper(before: string, after: string): (line: number) => number {
  const map: number[] = [];
  let a = 0; // lines of `before` passed
  let pendingRemoved: number | undefined; // first line of a removal an addition may replace
  for (const part of diffArrays(before.split('\n'), after.split('\n'))) {
    const n = part.count ?? part.value.length;
    if (part.removed) {
      pendingRemoved = a + 1;
      a += n;
      continue;
    }
    for (let i = 0; i < n; i++) map.push(part.added ? (pendingRemoved ?? Math.max(1, a)) : a + i + 1);
    if (!part.added) a += n;
    pendingRemoved = undefined;
  }
  return (line) => map[line - 1] ?? line;
}

/** What an event shows: the variables it set, or what it returned or raised. */
export function eventValues(e: TraceEvent): Record<string, string> {
  const vars: Record<string, string> = { ...e.vars };
  if (e.kind === 'return' && e.value !== undefined) vars.__return__ = e.value;
  if (e.kind === 'exception' && e.value !== undefined) vars.__exception__ = e.value;
  return vars;
}

/** An event's values, plus what its line then returned or raised (the next event, same line and frame). */
function withOutcome(events: readonly TraceEvent[], i: number): Record<string, string> {
  const e = events[i]!;
  const next = events[i + 1];
  const vars = eventValues(e);
  if (e.kind === 'line' && next && next.line === e.line && next.func === e.func && (next.kind === 'exception' || next.kind === 'return')) {
    return { ...vars, ...eventValues(next) };
  }
  return vars;
}

const same = (x: Record<string, string>, y: Record<string, string>) => {
  const kx = Object.keys(x);
  return kx.length === Object.keys(y).length && kx.every((k) => x[k] === y[k]);
};

/**
 * The call into `func` that was running at `step`, with its arguments as the call received them. In a
 * recursion the last call before `step` may have returned already: the running one is the last call at
 * the depth of the event at `step`.
 */
export function callAt(events: readonly TraceEvent[], step: number, func: string): string | undefined {
  const depth = events.find((e) => e.step === step)?.depth;
  let call: TraceEvent | undefined;
  for (const e of events) {
    if (e.step > step) break;
    if (e.kind === 'call' && e.func === func && (depth === undefined || e.depth === depth)) call = e;
  }
  if (!call) return undefined;
  const name = call.func.includes('.') ? call.func.split('.').pop()! : call.func;
  const args = Object.entries(call.vars ?? {})
    // the tracer also shows `self.balance`-style attributes at a method's call: arguments only
    .filter(([k]) => k !== 'self' && k !== 'cls' && !k.includes('.'))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${name}(${args})`;
}

export function findDivergence(
  original: Trace,
  fixed: Trace,
  originalSource: string,
  fixedSource: string,
): Divergence | undefined {
  const map = lineMapper(originalSource, fixedSource);
  const o = original.events;
  const f = fixed.events;
  const n = Math.max(o.length, f.length);
  for (let i = 0; i < n; i++) {
    const a = o[i];
    const b = f[i];
    if (a && b && a.kind === b.kind && a.func === b.func && a.line === map(b.line) && same(eventValues(a), eventValues(b))) continue;
    // One trace ended (the original crashed, or was cut): its last event is its side of the story.
    const left = a ?? o.at(-1);
    const right = b ?? f.at(-1);
    if (!left || !right) return undefined;
    const step = (a ?? b)!.step;
    const divergence: Divergence = {
      testName: original.test.name,
      step,
      original: { line: left.line, vars: withOutcome(o, a ? i : o.length - 1) },
      fixed: { line: right.line, vars: withOutcome(f, b ? i : f.length - 1) },
    };
    // the call that was running where they part: the function the bug is in, not the test's first call
    const call = callAt(o, left.step, left.func) ?? callAt(f, right.step, right.func);
    if (call) divergence.call = call;
    return divergence;
  }
  return undefined;
}
