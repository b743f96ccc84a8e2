/**
 * Where a logical line (a statement, or a compound statement's header) starts and ends. The renderer
 * needs this because a comment may only go where Python allows one: after a backslash continuation it
 * is a syntax error, and inside a triple-quoted string it would silently become part of the string.
 * Annotating the *last* physical line of a logical line is always safe, so that is the one rule the
 * renderer follows. The lexing is python-lexer.ts's.
 */
import { lexPython } from './python-lexer.ts';

export interface SourceLines {
  /** Physical lines without their terminators (a trailing `\r` of CRLF is kept). */
  lines: string[];
  /** 1-based line -> 1-based first line of its logical line. */
  startOf: number[];
  /** 1-based line -> 1-based last line of its logical line. */
  endOf: number[];
}

export function splitSource(source: string): SourceLines {
  const { lines, lineStates } = lexPython(source);
  const n = lines.length;
  const startOf = new Array<number>(n + 1).fill(0);
  const endOf = new Array<number>(n + 1).fill(0);
  let logicalStart = 1;
  for (let ln = 1; ln <= n; ln++) {
    startOf[ln] = logicalStart;
    if (lineStates[ln - 1]?.open !== true) {
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
