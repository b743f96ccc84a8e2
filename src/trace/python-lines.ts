/**
 * Just enough of Python's tokenizer to know where a logical line (a statement, or a compound
 * statement's header) starts and ends. The renderer needs this because a comment may only go where
 * Python allows one: after a backslash continuation it is a syntax error, and inside a triple-quoted
 * string it would silently become part of the string. Annotating the *last* physical line of a logical
 * line is always safe, so that is the one rule the renderer follows.
 *
 * Not a full tokenizer: f-string replacement fields that reuse the enclosing quote (allowed since
 * Python 3.12) are scanned as if the string ended and restarted, which still balances on the same line.
 */

export interface SourceLines {
  /** Physical lines without their terminators (a trailing `\r` of CRLF is kept). */
  lines: string[];
  /** 1-based line -> 1-based first line of its logical line. */
  startOf: number[];
  /** 1-based line -> 1-based last line of its logical line. */
  endOf: number[];
}

const STRING_PREFIX = /^(?:[rRbBuUfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;

export function splitSource(source: string): SourceLines {
  const lines = source.split('\n');
  const n = lines.length;
  const startOf = new Array<number>(n + 1).fill(0);
  const endOf = new Array<number>(n + 1).fill(0);

  let depth = 0;
  /** The quote that closes the string we are in ('' when outside a string). */
  let quote = '';
  let logicalStart = 1;

  for (let ln = 1; ln <= n; ln++) {
    const line = lines[ln - 1] ?? '';
    let continued = false;
    let i = 0;
    while (i < line.length) {
      const ch = line[i] ?? '';
      if (quote !== '') {
        if (ch === '\\') {
          i += 2;
          continue;
        }
        if (line.startsWith(quote, i)) {
          i += quote.length;
          quote = '';
          continue;
        }
        i++;
        continue;
      }
      if (ch === '#') break;
      if (ch === '"' || ch === "'") {
        const triple = line.startsWith(ch.repeat(3), i);
        quote = triple ? ch.repeat(3) : ch;
        i += quote.length;
        continue;
      }
      if (/[A-Za-z]/.test(ch)) {
        // A string prefix is a word of 1-2 letters glued to a quote; skip whole words either way.
        let j = i;
        while (j < line.length && /\w/.test(line[j] ?? '')) j++;
        const word = line.slice(i, j);
        const next = line[j];
        if ((next === '"' || next === "'") && STRING_PREFIX.test(word)) {
          const triple = line.startsWith(next.repeat(3), j);
          quote = triple ? next.repeat(3) : next;
          i = j + quote.length;
          continue;
        }
        i = j;
        continue;
      }
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
      else if (ch === '\\' && /^\s*$/.test(line.slice(i + 1))) continued = true;
      i++;
    }
    // A single-quoted string cannot span lines (unless backslash-continued); end it so one
    // unterminated quote does not swallow the rest of the file.
    if ((quote === "'" || quote === '"') && !line.endsWith('\\')) quote = '';

    startOf[ln] = logicalStart;
    const open = depth > 0 || quote !== '' || continued;
    if (!open) {
      for (let k = logicalStart; k <= ln; k++) endOf[k] = ln;
      logicalStart = ln + 1;
    }
  }
  // Unbalanced to the end (a syntax error in the paste): the rest is one logical line.
  for (let k = logicalStart; k <= n; k++) endOf[k] = n;
  return { lines, startOf, endOf };
}

const DEF_LINE = /^\s*(?:(?:async\s+)?def|class)\s+([A-Za-z_]\w*)/;
const DECORATOR_LINE = /^\s*@/;

/** The name a `def` or `class` statement on this line binds, if any. */
export function definedName(line: string): string | undefined {
  const m = /^\s*(?:(?:async\s+)?def|class)\s+([A-Za-z_]\w*)/.exec(line);
  return m?.[1];
}

/**
 * Where a `call` event goes: the end of the `def` (or `class`) header. The runner reports a frame's
 * first line (co_firstlineno), which is the first decorator's line for a decorated function or class,
 * so walk forward past decorators.
 */
export function defHeaderLine(src: SourceLines, line: number): number {
  let ln = src.startOf[line] ?? line;
  const limit = src.lines.length;
  while (ln <= limit && DECORATOR_LINE.test(src.lines[ln - 1] ?? '')) {
    ln = (src.endOf[ln] ?? ln) + 1;
  }
  if (ln <= limit && DEF_LINE.test(src.lines[ln - 1] ?? '')) return src.endOf[ln] ?? ln;
  return src.endOf[line] ?? line;
}

/** The text of the whole logical line containing `line`. */
export function logicalText(src: SourceLines, line: number): string {
  const start = src.startOf[line] ?? line;
  const end = src.endOf[line] ?? line;
  return src.lines.slice(start - 1, end).join('\n');
}
