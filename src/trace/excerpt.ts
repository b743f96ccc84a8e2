/**
 * A chat reply cannot hold a whole annotated program; it quotes the few lines the rationale talks about.
 * The rendering keeps the source's line numbering (comments are only appended), so source line n is
 * rendered line n. Trailing `# [trace ...]` notes are kept so an excerpt never hides that a trace was cut.
 */
const NOTE = /^# \[trace (?:cut|incomplete):/;

/**
 * The rendered lines within `context` lines (default 2) of each wanted source line (1-based), in
 * order; non-adjacent groups are separated by a `# ...` line, which keeps the excerpt valid Python.
 */
export function traceExcerpt(rendered: string, lines: number[], context = 2): string {
  const all = rendered.split('\n');
  if (all.at(-1) === '') all.pop();
  let sourceCount = all.length;
  while (sourceCount > 0 && NOTE.test(all[sourceCount - 1] ?? '')) sourceCount--;
  const notes = all.slice(sourceCount);

  const ctx = Math.max(0, Math.floor(context));
  const wanted = new Set<number>();
  for (const line of lines) {
    if (!Number.isInteger(line) || line < 1 || line > sourceCount) continue;
    for (let k = Math.max(1, line - ctx); k <= Math.min(sourceCount, line + ctx); k++) wanted.add(k);
  }
  const sorted = [...wanted].sort((a, b) => a - b);
  const out: string[] = [];
  let previous: number | undefined;
  for (const k of sorted) {
    if (previous !== undefined && k > previous + 1) out.push('# ...');
    out.push(all[k - 1] ?? '');
    previous = k;
  }
  if (out.length > 0) out.push(...notes);
  return out.join('\n');
}
