/**
 * The NExT inline form (Ni et al., ICML 2024, arXiv 2404.14662, Fig. 2): the user's program, unchanged,
 * with an end-of-line comment on every executed line listing the states it produced:
 *
 *     def f(a, b):  # (0) a=1; b=2;
 *         for i in range(b):  # (1) i=0; (3) i=1;
 *             a += i  # (4) a=2;
 *         return a  # (5) __return__=2;
 *
 * Decisions the paper leaves open, fixed here and pinned by the golden tests in __golden__/:
 * - A state is one trace event: `(k)` is its global step, followed by `name=value;` for each variable
 *   it created or changed. Lines that ran but changed nothing get no state.
 * - A line that produced more than `firstStates` + 1 states keeps the first `firstStates` and the
 *   last, with `...;` standing for the run in between.
 * - Calls: the arguments are a state on the `def` line (after any decorators), one per call. A call
 *   of a function that already has a frame on the stack (recursion) carries `__depth__=n` first, n
 *   being how many frames of that function are below it, so interleaved recursive states stay legible.
 *   A generator resumed at its `yield` (the runner's `call` at that line) is not a new call: what the
 *   rest of that line binds (`x = yield total`) is a state of that line, with no `__depth__`.
 * - A container the runner cut carries its item count (`[0, 1, 4, … 40 items]`); shortening keeps it.
 * - `__return__=value` on the line that returned; in a function whose returning line holds `yield`,
 *   `__yield__=value` instead (generators "return" at every yield). `__exception__=Type(message)` on
 *   the line that raised it only: the same exception unwinding through callers is not repeated, nor
 *   is the `None` "return" of a frame that exited by that exception.
 * - Comprehensions and generator expressions (their own frames before Python 3.12) put their loop
 *   variable's states on the comprehension's own line, after the enclosing line's assignment (states
 *   are always in step order); their internal return values and their call "arguments" (the hidden
 *   `.0` iterator, closure cells) are left out. Imported modules (`<module ...>`) are never shown.
 * - Class bodies: class attributes are states of their lines; the names bound by `def`/`class`
 *   statements themselves (`f=<function f ...>`) and dunder bookkeeping (`__module__`, ...) are left out,
 *   as are the `None` "returns" of module and class bodies and the GeneratorExit thrown into a generator
 *   that is closed before it finished.
 * - Multi-line statements are annotated on their LAST physical line: after a backslash continuation a
 *   comment is a syntax error, and inside a triple-quoted string it would change the string. A line
 *   that already ends with a comment gets ours appended after it.
 * - Values are shown as the runner's reprs, with ` at 0x...` addresses removed (they differ on every
 *   run and carry no information for a reader) and newlines escaped so a comment stays on its line.
 *
 * Fitting a token budget (see estimateTokens): try, in order, until the whole text fits —
 *   1. shorten values to 80, then 40, then 20 characters;
 *   2. keep fewer first states per line (firstStates-1 ... 0, i.e. down to the last state only);
 *   3. drop states of frames deeper than the shallowest, deepest first;
 *   4. keep only exceptions and the top frame's arguments and return value (input, output, fault);
 *   5. no states at all.
 * The user's code itself is never cut: if the bare source is over budget, step 5 is returned and
 * `tokens` says by how much it is over. Any cut adds `# [trace cut: S of N states shown...]`, counting
 * states (steps that changed something), not bare steps; a trace the runner itself truncated adds
 * `# [trace incomplete: the runner recorded K of T steps]`.
 */
import type { Trace, TraceEvent } from '../../sandbox/protocol.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { defHeaderLine, definedName, logicalText, splitSource, type SourceLines } from './python-lines.ts';

export interface RenderOptions {
  /** Upper bound on estimateTokens(text); unset renders everything. */
  tokenBudget?: number;
  /** States kept at the start of a line executed many times (the last is always kept). Default 3. */
  firstStates?: number;
  /**
   * The program's language. JavaScript/TypeScript: comments start with `//`, and every physical line
   * stands alone (the JS runner already reports each state on a line where a comment is safe).
   */
  language?: 'python' | 'javascript' | 'typescript';
}

export interface RenderedTrace {
  text: string;
  /** True when the budget forced anything beyond the default elision, or the runner cut the trace. */
  truncated: boolean;
  tokens: number;
  /**
   * States (trace events that changed something) not in the text: elided behind `...;`, dropped by the
   * budget, or on no line of the source. Events that changed nothing are never counted.
   */
  omittedSteps: number;
}

export const DEFAULT_FIRST_STATES = 3;
const VALUE_CAPS = [80, 40, 20] as const;
const SMALLEST_CAP = 20;

interface State {
  step: number;
  kind: TraceEvent['kind'];
  /** Frame depth relative to the shallowest frame in the trace. */
  depth: number;
  pairs: [string, string][];
}

interface Level {
  valueCap: number;
  firstStates: number;
  maxDepth: number;
  /** Keep only exceptions and the top frame's arguments and returns. */
  minimal: boolean;
  /** Keep nothing. */
  none: boolean;
}

/** The runner names frames by qualified name: `pairs.<listcomp>`, `Counter.bump`. */
const COMPREHENSION_FRAME = /(?:^|\.)<(?:listcomp|dictcomp|setcomp|genexpr)>$/;
const CLASS_LINE = /^\s*class\s/;
const ADDRESS = / at 0x[0-9a-fA-F]+/g;

export function renderInline(trace: Trace, source: string, options: RenderOptions = {}): RenderedTrace {
  const js = options.language === 'javascript' || options.language === 'typescript';
  const src = js ? physicalLines(source) : splitSource(source);
  const marker = js ? '//' : '#';
  const { byLine, unplaced, maxDepth } = collectStates(trace.events, src);
  const firstStates = Math.max(0, Math.floor(options.firstStates ?? DEFAULT_FIRST_STATES));
  const runnerNote = runnerTruncationNote(trace);
  let stateCount = unplaced;
  for (const states of byLine.values()) stateCount += states.length;

  const base: Level = { valueCap: Infinity, firstStates, maxDepth, minimal: false, none: false };
  const levels: Level[] = [base];
  if (options.tokenBudget !== undefined) {
    for (const cap of VALUE_CAPS) levels.push({ ...base, valueCap: cap });
    for (let f = firstStates - 1; f >= 0; f--)
      levels.push({ ...base, valueCap: SMALLEST_CAP, firstStates: f });
    const squeezed = { ...base, valueCap: SMALLEST_CAP, firstStates: 0 };
    for (let d = maxDepth - 1; d >= 0; d--) levels.push({ ...squeezed, maxDepth: d });
    levels.push({ ...squeezed, minimal: true });
    levels.push({ ...squeezed, none: true });
  }

  let result: RenderedTrace | undefined;
  for (const [index, level] of levels.entries()) {
    const cut = index > 0;
    const drawn = draw(src, byLine, level, marker);
    const omitted = drawn.omitted + unplaced;
    const notes: string[] = [];
    if (cut)
      notes.push(cutNote(stateCount - omitted, stateCount, drawn.shortened ? level.valueCap : undefined, marker));
    if (runnerNote !== undefined) notes.push(`${marker}${runnerNote.slice(1)}`);
    const text = appendNotes(drawn.text, notes);
    const tokens = estimateTokens(text);
    result = { text, truncated: cut || runnerNote !== undefined, tokens, omittedSteps: omitted };
    if (options.tokenBudget === undefined || tokens <= options.tokenBudget) break;
  }
  // levels is never empty, so the loop ran at least once.
  return result as RenderedTrace;
}

function collectStates(
  events: readonly TraceEvent[],
  src: SourceLines,
): { byLine: Map<number, State[]>; unplaced: number; maxDepth: number } {
  const byLine = new Map<number, State[]>();
  let unplaced = 0;
  let minDepth = Infinity;
  for (const e of events) minDepth = Math.min(minDepth, e.depth);
  if (!Number.isFinite(minDepth)) minDepth = 0;
  let maxDepth = 0;

  /** Function names by relative depth: enough to see recursion without trusting return events. */
  const stack: string[] = [];
  /** Per depth: is that frame a module or class body, whose "return" is bookkeeping, not a result. */
  const bodyFrame: boolean[] = [];
  /** Last event kind seen per depth, to recognise the `None` return of a frame unwound by an exception. */
  const lastKind = new Map<number, TraceEvent['kind']>();
  let lastException: { value: string; depth: number } | undefined;

  for (const e of events) {
    const depth = e.depth - minDepth;
    let recursion = 0;
    if (e.kind === 'call') {
      stack.length = Math.min(stack.length, depth);
      recursion = stack.filter((f) => f === e.func).length;
      while (stack.length < depth) stack.push('');
      stack.push(e.func);
      const header = src.lines[(src.startOf[defHeaderLine(src, e.line)] ?? e.line) - 1] ?? '';
      bodyFrame[depth] =
        e.func === '<module>' || (CLASS_LINE.test(header) && definedName(header) === e.func.split('.').pop());
    }
    const previousKind = lastKind.get(depth);
    lastKind.set(depth, e.kind);

    if (e.line < 1 || e.line > src.lines.length) {
      if (hasContent(e)) unplaced++;
      continue;
    }
    const statementText = logicalText(src, e.line);
    let target = src.endOf[e.line] ?? e.line;
    let pairs: [string, string][] = [];

    switch (e.kind) {
      case 'call': {
        // A comprehension's "arguments" are its hidden iterator and the closure cells it reads:
        // neither is news on that line, where the loop variable's states follow.
        if (COMPREHENSION_FRAME.test(e.func)) pairs = [];
        else if (isResume(statementText)) {
          // A generator resumed at its `yield`: no arguments, but what the rest of that line binds
          // (`x = yield total` sets x now), on that line. No `__depth__`: a resumed recursive
          // generator is not a new call, and a bare `__depth__=1;` said nothing.
          pairs = cleanVars(e.vars, definedName(statementText));
        } else {
          target = defHeaderLine(src, e.line);
          pairs = cleanVars(e.vars, definedName(src.lines[target - 1] ?? ''));
        }
        if (recursion > 0 && !isResume(statementText)) pairs.unshift(['__depth__', String(recursion)]);
        break;
      }
      case 'line': {
        lastException = undefined;
        pairs = cleanVars(e.vars, definedName(statementText));
        break;
      }
      case 'return': {
        if (COMPREHENSION_FRAME.test(e.func) || bodyFrame[depth] === true) break;
        const value = e.value ?? 'None';
        if (previousKind === 'exception' && value === 'None') break;
        const name = /\byield\b/.test(statementText) ? '__yield__' : '__return__';
        pairs = [[name, cleanValue(value)]];
        break;
      }
      case 'exception': {
        const value = e.value ?? 'Exception()';
        // Closing an unfinished generator throws GeneratorExit into it: cleanup, not a fault.
        if (value.startsWith('GeneratorExit')) break;
        if (lastException !== undefined && lastException.value === value && depth < lastException.depth) {
          lastException.depth = depth;
          break;
        }
        lastException = { value, depth };
        pairs = [['__exception__', cleanValue(value)]];
        break;
      }
    }
    if (pairs.length === 0) continue;
    maxDepth = Math.max(maxDepth, depth);
    const list = byLine.get(target) ?? [];
    list.push({ step: e.step, kind: e.kind, depth, pairs });
    byLine.set(target, list);
  }
  for (const list of byLine.values()) list.sort((a, b) => a.step - b.step);
  return { byLine, unplaced, maxDepth };
}

/**
 * The runner reports a generator's resumption as a `call` at the line it resumes from, a `yield` (or
 * `await`); a first call is reported at the `def` (or a decorator, or line 1 of a module).
 */
function isResume(statementText: string): boolean {
  return definedName(statementText) === undefined && /\b(?:yield|await)\b/.test(statementText);
}

function hasContent(e: TraceEvent): boolean {
  return e.kind !== 'line' || Object.keys(e.vars ?? {}).length > 0;
}

function cleanVars(
  vars: Record<string, string> | undefined,
  boundByStatement: string | undefined,
): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(vars ?? {})) {
    if (name.startsWith('.')) continue; // a comprehension's hidden iterator argument
    if (/^__\w+__$/.test(name)) continue; // class-body and module bookkeeping
    if (name === boundByStatement) continue; // `def f` binds f: the function object says nothing
    if (/^<module\b/.test(value)) continue; // `import x`, or a module seen through a closure
    out.push([name, cleanValue(value)]);
  }
  return out;
}

function cleanValue(value: string): string {
  return value.replace(ADDRESS, '').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

const CLOSERS: Record<string, string> = { '[': ']', '(': ')', '{': '}', "'": "'", '"': '"', '<': '>' };

/** The runner's cut container repr: `[0, 1, 4, … 40 items]`. */
const COUNTED = /^(.*?)(?:, )?(… \d+ items)([\])}]+)$/s;

/**
 * Keep the head of a long repr, and its closing bracket or quote so it still reads as that kind of value;
 * a container the runner already cut keeps its item count (`[0, 1, … 40 items]`), even if nothing else fits.
 */
export function shortenValue(value: string, cap: number): string {
  if (value.length <= cap) return value;
  const counted = COUNTED.exec(value);
  if (counted) {
    const [, head = '', count = '', closer = ''] = counted;
    const room = cap - count.length - closer.length - 2;
    const { opener, ends } = topLevelItems(head);
    // Whole items only, as many as fit; at least the opener and the count.
    const end = ends.filter((i) => i <= room).at(-1);
    return end === undefined ? `${opener}${count}${closer}` : `${head.slice(0, end)}, ${count}${closer}`;
  }
  const first = value[0] ?? '';
  const closer = CLOSERS[first];
  if (closer !== undefined && value.endsWith(closer)) {
    let head = value.slice(0, Math.max(1, cap - 4));
    // Cut between elements, not inside one: `[1, 2, ...]` rather than `[1, 2, -...]`.
    const comma = head.lastIndexOf(', ');
    if (first !== "'" && first !== '"' && comma > 0) head = head.slice(0, comma + 2);
    return `${head}...${closer}`;
  }
  return `${value.slice(0, Math.max(1, cap - 3))}...`;
}

/** Where the items of a container repr's head end (after the opening bracket), quotes and nesting respected. */
function topLevelItems(head: string): { opener: string; ends: number[] } {
  const open = /^(?:[A-Za-z_][\w.]*\()?[[({]/.exec(head);
  const opener = open?.[0] ?? '';
  const ends: number[] = [];
  let depth = 0;
  let quote = '';
  for (let i = opener.length; i < head.length; i++) {
    const c = head[i] ?? '';
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if ('[({'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) ends.push(i);
  }
  if (depth === 0 && !quote && head.length > opener.length) ends.push(head.length);
  return { opener, ends };
}

/** Each physical line its own statement: JavaScript needs no logical-line joining (see RenderOptions.language). */
function physicalLines(source: string): SourceLines {
  const lines = source.split('\n');
  const index = Array.from({ length: lines.length + 1 }, (_, i) => i);
  return { lines, startOf: index, endOf: index };
}

function draw(
  src: SourceLines,
  byLine: Map<number, State[]>,
  level: Level,
  marker: string,
): { text: string; omitted: number; shortened: boolean } {
  let omitted = 0;
  let shortened = false;
  const out = src.lines.slice();
  for (const [line, states] of byLine) {
    const eligible: number[] = [];
    states.forEach((s, i) => {
      if (level.none) return;
      if (s.depth > level.maxDepth) return;
      if (level.minimal && !(s.kind === 'exception' || (s.kind !== 'line' && s.depth === 0))) return;
      eligible.push(i);
    });
    const keep = new Set<number>(eligible.slice(0, level.firstStates));
    const last = eligible.at(-1);
    if (last !== undefined) keep.add(last);

    const parts: string[] = [];
    let inGap = false;
    states.forEach((s, i) => {
      if (!keep.has(i)) {
        omitted++;
        if (!inGap) parts.push('...;');
        inGap = true;
        return;
      }
      inGap = false;
      const assignments = s.pairs.map(([name, value]) => {
        const short = shortenValue(value, level.valueCap);
        if (short !== value) shortened = true;
        return `${name}=${short};`;
      });
      parts.push(`(${s.step}) ${assignments.join(' ')}`);
    });
    // A line whose every state was dropped gets no comment: a bare `...;` would cost tokens and say little.
    if (keep.size === 0) continue;
    const original = out[line - 1] ?? '';
    out[line - 1] = appendComment(original, parts.join(' '), marker);
  }
  return { text: out.join('\n'), omitted, shortened };
}

function appendComment(line: string, comment: string, marker: string): string {
  if (line.endsWith('\r')) return `${line.slice(0, -1)}  ${marker} ${comment}\r`;
  return `${line}  ${marker} ${comment}`;
}

function appendNotes(text: string, notes: string[]): string {
  if (notes.length === 0) return text;
  const block = notes.join('\n');
  return text.endsWith('\n') ? `${text}${block}\n` : `${text}\n${block}`;
}

const count = (n: number): string => n.toLocaleString('en-US');

function cutNote(shown: number, total: number, valueCap: number | undefined, marker: string): string {
  const values = valueCap === undefined ? '' : `; values shortened to ${valueCap} chars`;
  return `${marker} [trace cut: ${count(shown)} of ${count(total)} states shown${values}]`;
}

function runnerTruncationNote(trace: Trace): string | undefined {
  if (!trace.truncated && trace.totalEvents <= trace.events.length) return undefined;
  const total = Math.max(trace.totalEvents, trace.events.length);
  const why = trace.result.status === 'timeout' ? '; the test timed out' : '';
  const of = total > trace.events.length ? ` of ${count(total)}` : '';
  return `# [trace incomplete: the runner recorded ${count(trace.events.length)}${of} steps${why}]`;
}
