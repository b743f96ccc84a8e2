/**
 * Unified diff (the `diff -u` / `git diff` hunk format) of two texts, line by line. Small inputs
 * (a pasted snippet and its fix), so a plain LCS table is enough and keeps the hunks minimal.
 */
export interface DiffOptions {
  fromFile?: string;
  toFile?: string;
  /** Unchanged lines kept around each change. Default 3. */
  context?: number;
}

type Op = { kind: ' ' | '-' | '+'; text: string; a: number; b: number };

function splitLines(text: string): { lines: string[]; noFinalNewline: boolean } {
  if (text === '') return { lines: [], noFinalNewline: false };
  const lines = text.split('\n');
  const noFinalNewline = lines.at(-1) !== '';
  if (!noFinalNewline) lines.pop();
  return { lines, noFinalNewline };
}

function script(a: string[], b: string[]): Op[] {
  // Trim the common head and tail first: most fixes change a line or two of a long program.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = table[i]!;
    const below = table[i + 1]!;
    for (let j = m - 1; j >= 0; j--) row[j] = am[i] === bm[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
  }
  const ops: Op[] = [];
  for (let k = 0; k < head; k++) ops.push({ kind: ' ', text: a[k]!, a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ kind: ' ', text: am[i]!, a: head + i, b: head + j });
      i++;
      j++;
    } else if (j < m && (i === n || table[i]![j + 1]! >= table[i + 1]![j]!)) {
      ops.push({ kind: '+', text: bm[j]!, a: head + i, b: head + j });
      j++;
    } else {
      ops.push({ kind: '-', text: am[i]!, a: head + i, b: head + j });
      i++;
    }
  }
  for (let k = 0; k < tail; k++) ops.push({ kind: ' ', text: a[a.length - tail + k]!, a: a.length - tail + k, b: b.length - tail + k });
  // Deletions before insertions inside a change block, as diff(1) prints them.
  for (let s = 0; s < ops.length; ) {
    if (ops[s]!.kind === ' ') {
      s++;
      continue;
    }
    let e = s;
    while (e < ops.length && ops[e]!.kind !== ' ') e++;
    const block = ops.slice(s, e);
    const sorted = [...block.filter((o) => o.kind === '-'), ...block.filter((o) => o.kind === '+')];
    ops.splice(s, e - s, ...sorted);
    s = e;
  }
  // Positions follow the final order (the reordering above moved deletions first).
  let ai = 0;
  let bi = 0;
  for (const o of ops) {
    o.a = ai;
    o.b = bi;
    if (o.kind !== '+') ai++;
    if (o.kind !== '-') bi++;
  }
  return ops;
}

function range(start: number, count: number): string {
  // diff(1): an empty range names the line before it
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

/** '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, options: DiffOptions = {}): string {
  if (before === after) return '';
  const context = Math.max(0, options.context ?? 3);
  const A = splitLines(before);
  const B = splitLines(after);
  const ops = script(A.lines, B.lines);
  const changed = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  const out = [`--- ${options.fromFile ?? 'a'}`, `+++ ${options.toFile ?? 'b'}`];
  const lastA = A.lines.length - 1;
  const lastB = B.lines.length - 1;
  if (changed.length === 0) {
    // Only the final newline differs: show the last line as changed.
    const k = ops.length - 1;
    const line = ops[k]!.text;
    out.push(`@@ -${range(lastA, 1)} +${range(lastB, 1)} @@`, `-${line}`);
    if (A.noFinalNewline) out.push('\\ No newline at end of file');
    out.push(`+${line}`);
    if (B.noFinalNewline) out.push('\\ No newline at end of file');
    return out.join('\n') + '\n';
  }
  let g = 0;
  while (g < changed.length) {
    const start = Math.max(0, changed[g]! - context);
    let end = Math.min(ops.length - 1, changed[g]! + context);
    let h = g + 1;
    while (h < changed.length && changed[h]! - context <= end + 1) {
      end = Math.min(ops.length - 1, changed[h]! + context);
      h++;
    }
    const hunk = ops.slice(start, end + 1);
    const aStart = hunk[0]!.a;
    const bStart = hunk[0]!.b;
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`);
    for (const o of hunk) {
      out.push(o.kind + o.text);
      const lastOfA = o.kind !== '+' && o.a === lastA && A.noFinalNewline;
      const lastOfB = o.kind !== '-' && o.b === lastB && B.noFinalNewline;
      if ((o.kind === '-' && lastOfA) || (o.kind === '+' && lastOfB) || (o.kind === ' ' && (lastOfA || lastOfB))) {
        out.push('\\ No newline at end of file');
      }
    }
    g = h;
  }
  return out.join('\n') + '\n';
}
