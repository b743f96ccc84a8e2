/**
 * The offline explanation of a fix, written from facts only: the failing check as the test table shows
 * it, the divergence of the two traces, and the edit. Every number in it comes from the same results
 * the table is built from, and every line is named once.
 */
import type { TestCase, TestResult } from '../../sandbox/protocol.ts';
import type { Divergence, RepairFacts } from './types.ts';

/** The first test that does not pass, as the test table shows it. */
export function failingFact(cases: readonly TestCase[], results: readonly TestResult[]): RepairFacts['failing'] {
  const f = results.find((r) => r.status !== 'passed');
  const fc = f && cases.find((c) => c.id === f.test);
  if (!f || !fc) return undefined;
  return {
    testId: fc.id,
    name: fc.name,
    status: f.status,
    ...(f.expected === undefined ? {} : { expected: f.expected }),
    ...(f.actual === undefined ? {} : { actual: f.actual }),
    ...(f.error ? { error: f.error.message ? `${f.error.type}: ${f.error.message}` : f.error.type } : {}),
    ...(f.error?.line === undefined ? {} : { line: f.error.line }),
  };
}

export interface RationaleInput {
  /** The whole original program (frozen prefix included), for quoting lines. */
  program: string;
  /** The whole fixed program. */
  fixed: string;
  failing?: RepairFacts['failing'];
  divergence?: Divergence;
  /** One line per edit: `` `*` -> `/` ``. */
  edits: string[];
  passed: number;
  total: number;
}

const MAX_VALUES = 3;
const MAX_VALUE_CHARS = 60;

function shortValue(v: string): string {
  return v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS - 1)}…` : v;
}

/** `x=4, total=10`, or `it returns 12` / `it raises IndexError(...)`. */
export function describeValues(vars: Record<string, string>): string {
  const parts: string[] = [];
  const plain = Object.entries(vars).filter(([k]) => !k.startsWith('__'));
  if (plain.length) {
    parts.push(
      `sets ${plain
        .slice(0, MAX_VALUES)
        .map(([k, v]) => `${k}=${shortValue(v)}`)
        .join(', ')}`,
    );
  }
  if (vars.__return__ !== undefined) parts.push(`returns ${shortValue(vars.__return__)}`);
  if (vars.__exception__ !== undefined) parts.push(`raises ${shortValue(vars.__exception__)}`);
  return parts.join(' and ');
}

/** One sentence on how the original's failing test went wrong, from the same fields as the test table. */
export function failureSentence(f: NonNullable<RepairFacts['failing']>): string {
  const name = `\`${f.name}\``;
  if (f.status === 'timeout') return `The test ${name} did not finish: ${f.error?.replace(/^Timeout: /, '') ?? 'time limit'}${f.line ? `, inside line ${f.line}` : ''}.`;
  if (f.error?.startsWith('MemoryError')) return `The test ${name} ran out of memory${f.line ? ` at line ${f.line}` : ''}.`;
  if (f.status === 'failed' && f.expected !== undefined) return `The test ${name} expected ${f.expected} but got ${f.actual ?? '?'}.`;
  if (f.status === 'failed' && f.actual !== undefined) return `The test ${name} failed: the checked value was ${f.actual}.`;
  if (f.error) return `The test ${name} raised ${f.error}${f.line ? ` at line ${f.line}` : ''}.`;
  return `The test ${name} ${f.status}.`;
}

function quote(program: string, line: number): string {
  const text = program.split('\n')[line - 1]?.trim();
  return text ? ` (\`${text}\`)` : '';
}

export function divergenceSentence(d: Divergence, program: string, fixed: string): string {
  const before = describeValues(d.original.vars);
  const after = describeValues(d.fixed.vars);
  const step = `step ${d.step}`;
  if (d.original.line === d.fixed.line && program.split('\n')[d.original.line - 1] === fixed.split('\n')[d.fixed.line - 1]) {
    return `The two traces part at ${step}, line ${d.original.line}${quote(program, d.original.line)}: there your code ${before || 'does nothing new'}, while the fixed code ${after || 'does nothing new'}.`;
  }
  const isDef = (src: string, line: number) => /^\s*(async\s+)?def\s/.test(src.split('\n')[line - 1] ?? '');
  if (isDef(program, d.original.line) && isDef(fixed, d.fixed.line)) {
    const args = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k}=${shortValue(v)}`).join(', ');
    return `The two traces part at ${step}, as the function is called: your code starts it with ${args(d.original.vars) || 'no arguments'}; with the fix (${quote(fixed, d.fixed.line).slice(2, -1)}) it starts with ${args(d.fixed.vars) || 'no arguments'}.`;
  }
  const mine = `your code runs line ${d.original.line}${quote(program, d.original.line)}${before ? ` and ${before}` : ''}`;
  const theirs =
    d.fixed.line === d.original.line
      ? `the fixed line${quote(fixed, d.fixed.line)} ${after || 'runs instead'}`
      : `the fixed code runs line ${d.fixed.line}${quote(fixed, d.fixed.line)}${after ? ` and ${after}` : ''}`;
  return `The two traces part at ${step}: ${mine}; ${theirs}.`;
}

/** Statements on one line, as Python would accept them: `if b == 0: return None`. */
function oneLine(lines: string[]): string {
  return lines.reduce((acc, l, k) => (k === 0 ? l : acc.endsWith(':') ? `${acc} ${l}` : `${acc}; ${l}`), '');
}

function changeSentence(program: string, fixed: string, edits: string[]): string {
  const a = program.split('\n');
  const b = fixed.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail).map((l) => l.trim()).filter(Boolean);
  const added = b.slice(head, b.length - tail).map((l) => l.trim()).filter(Boolean);
  const what = edits.length ? ` (${[...new Set(edits)].join('; ')})` : '';
  const where = `line ${head + 1}`;
  if (removed.length === 1 && added.length === 1) return `The fix${what} turns \`${removed[0]}\` into \`${added[0]}\` at ${where}.`;
  if (added.length && !removed.length) return `The fix${what} adds \`${oneLine(added)}\` at ${where}.`;
  if (removed.length && !added.length) return `The fix${what} removes \`${oneLine(removed)}\` at ${where}.`;
  if (removed.length === 1 && added.length > 1) {
    return `The fix${what} turns \`${removed[0]}\` into \`${added[0]}\` at ${where} and adds \`${oneLine(added.slice(1))}\` after it.`;
  }
  const last = a.length - tail;
  const span = last > head + 1 ? `lines ${head + 1}–${last}` : where;
  return `The fix${what} turns \`${oneLine(removed)}\` into \`${oneLine(added)}\` at ${span}.`;
}

export function writeRationale(input: RationaleInput): string {
  const parts: string[] = [];
  if (input.failing) parts.push(failureSentence(input.failing));
  const d = input.divergence;
  const atCall = d !== undefined && /^\s*(async\s+)?def\s/.test(input.program.split('\n')[d.original.line - 1] ?? '');
  // a divergence at the call names the arguments itself
  if (d?.call && !atCall) parts.push(`It called \`${d.call}\`.`);
  if (d) parts.push(divergenceSentence(d, input.program, input.fixed));
  parts.push(changeSentence(input.program, input.fixed, input.edits));
  const all = input.passed === input.total;
  const everyTest = input.total === 1 ? 'the test passes' : input.total === 2 ? 'both tests pass' : `all ${input.total} tests pass`;
  parts.push(all ? `With it, ${everyTest}.` : `With it, ${input.passed} of ${input.total} tests pass.`);
  return parts.join(' ');
}
