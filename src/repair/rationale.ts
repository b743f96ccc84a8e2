/**
 * The offline explanation of a fix, written from facts only: the failing check as the test table shows
 * it, the divergence of the two traces, and the edit. Every number in it comes from the same results
 * the table is built from, and every line is named once.
 */
import type { Divergence, RepairFacts } from './types.ts';

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
  const mine = `your code runs line ${d.original.line}${quote(program, d.original.line)}${before ? ` and ${before}` : ''}`;
  const theirs =
    d.fixed.line === d.original.line
      ? `the fixed line${quote(fixed, d.fixed.line)} ${after || 'runs instead'}`
      : `the fixed code runs line ${d.fixed.line}${quote(fixed, d.fixed.line)}${after ? ` and ${after}` : ''}`;
  return `The two traces part at ${step}: ${mine}; ${theirs}.`;
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
  if (added.length && !removed.length) return `The fix${what} adds \`${added.join('; ')}\` at ${where}.`;
  if (removed.length && !added.length) return `The fix${what} removes \`${removed.join('; ')}\` at ${where}.`;
  return `The fix${what} rewrites lines ${head + 1}–${a.length - tail} as \`${added.join('; ')}\`.`;
}

export function writeRationale(input: RationaleInput): string {
  const parts: string[] = [];
  if (input.failing) parts.push(failureSentence(input.failing));
  const d = input.divergence;
  if (d?.call) parts.push(`It called \`${d.call}\`.`);
  if (d) parts.push(divergenceSentence(d, input.program, input.fixed));
  parts.push(changeSentence(input.program, input.fixed, input.edits));
  const all = input.passed === input.total;
  parts.push(all ? (input.total === 1 ? 'With it, the test passes.' : `With it, all ${input.total} tests pass.`) : `With it, ${input.passed} of ${input.total} tests pass.`);
  return parts.join(' ');
}
