/**
 * Ranking verified candidates: passes all > passes more > smaller edit > earlier. "Earlier" is the
 * order candidates were proposed in (the program search first, most suspicious lines first), which is
 * the better prior when two candidates are otherwise equal.
 */
import { isImportLine } from '../model/python-source.ts';

export interface Ranked {
  passed: number;
  total: number;
  /** Characters changed relative to the original program. */
  editSize: number;
  /** Proposal order. */
  order: number;
}

export function compareCandidates(a: Ranked, b: Ranked): number {
  const aAll = a.total > 0 && a.passed === a.total ? 1 : 0;
  const bAll = b.total > 0 && b.passed === b.total ? 1 : 0;
  return bAll - aAll || b.passed - a.passed || a.editSize - b.editSize || a.order - b.order;
}

export function rankCandidates<T extends Ranked>(candidates: readonly T[]): T[] {
  return [...candidates].sort(compareCandidates);
}

/** Characters that differ between two programs, outside their common prefix and suffix. */
export function editSize(before: string, after: string): number {
  let head = 0;
  const max = Math.min(before.length, after.length);
  while (head < max && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < max - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return Math.max(before.length - head - tail, after.length - head - tail);
}

/** `after` without the Python import lines it adds: the import a fix needs (`math` for `math.pi`) is not
 * part of how much the fix changes, and would otherwise stretch its size from the top of the file. */
export function withoutAddedImports(before: string, after: string): string {
  const had = new Set(before.split('\n').map((l) => l.trim()));
  return after
    .split('\n')
    .filter((l) => !(isImportLine(l) && !had.has(l.trim())))
    .join('\n');
}

/** 1-based lines of `before` that an edit to `after` replaces or inserts next to. */
export function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  if (head === a.length && head === b.length) return [];
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const last = Math.max(head + 1, a.length - tail);
  const lines: number[] = [];
  for (let l = head + 1; l <= last && l <= a.length; l++) lines.push(l);
  return lines.length ? lines : [Math.min(head + 1, a.length)];
}
