/**
 * Unified diff (the `diff -u` / `git diff` hunk format) of two texts, line by line, computed by jsdiff
 * (Myers' algorithm) and printed as diff(1) prints it: a one-line range without its count, an empty
 * range named by the line before it, and the "\ No newline at end of file" marker.
 */
import { structuredPatch } from 'diff';

export interface DiffOptions {
  fromFile?: string;
  toFile?: string;
  /** Unchanged lines kept around each change. Default 3. */
  context?: number;
}

/** `start` is jsdiff's 1-based first line; an empty range names the line before it. */
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, options: DiffOptions = {}): string {
  if (before === after) return '';
  const context = Math.max(0, options.context ?? 3);
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context });
  const out = [`--- ${options.fromFile ?? 'a'}`, `+++ ${options.toFile ?? 'b'}`];
  for (const hunk of patch.hunks) {
    out.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`, ...hunk.lines);
  }
  return out.join('\n') + '\n';
}
