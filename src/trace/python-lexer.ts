/**
 * The one Python lexer on the TypeScript side. Every place that must know where Python strings,
 * comments, brackets and line continuations are without running Python uses it: the NExT renderer (a
 * trace comment may only go at the end of a logical line), the answer parser (cut a program into
 * top-level statements, notice code cut off inside a string), the verdict (numbers written outside
 * strings and comments) and the paste cleaner (curly quotes outside strings).
 *
 * Why not a grammar: the callers run on pastes that are often not valid Python (cut-off answers, prose
 * around code, curly quotes), and only need the lexical level, so a scanner that never fails and is
 * linear on a megabyte is the better tool. It follows Python 3.12's tokenizer where it matters:
 * string prefixes, triple quotes, backslash escapes and continuations, f-string replacement fields
 * (which may reuse the enclosing quote, nest strings and brackets, and carry a format spec), comments.
 */

/** A string literal (the whole f-string, replacement fields included) or a comment, by offsets. */
export interface PythonSpan {
  kind: 'string' | 'comment';
  /** Offset of the first character (a string's prefix included). */
  start: number;
  /** Offset one past the last character (the closing quote, or the end of an unterminated string). */
  end: number;
  /** String only: the offset of the opening quote, after any prefix. */
  quoteStart?: number;
  /** String only: the quote as written in the source (one or three characters). */
  opener?: string;
  /** String only: offset of the closing quote, absent when the string is not closed. */
  closeStart?: number;
}

export interface PythonLineState {
  /** The logical line goes on past this physical line (open bracket, string or backslash). */
  open: boolean;
  /** Bracket depth at the end of the line, outside strings. */
  depth: number;
  /** A string is still open at the end of the line (a triple-quoted one, or a continued one). */
  inString: boolean;
  /** The line ends with a backslash continuation. */
  continued: boolean;
  /** A one-line string on this line was never closed (a syntax error, or a cut-off answer). */
  unterminated: boolean;
}

export interface PythonLexResult {
  /** Physical lines, split on '\n' (a '\r' of CRLF stays on its line). */
  lines: string[];
  /** State at the end of each physical line, 0-based like `lines`. */
  lineStates: PythonLineState[];
  /** Strings and comments in source order; outermost strings only (no spans inside f-strings). */
  spans: PythonSpan[];
  /** False when the source ends inside a string, a bracket or a continuation, or a string was left open on its line. */
  complete: boolean;
}

export interface PythonLexOptions {
  /**
   * Treat curly quotes (‘ ’ “ ”) outside strings as the straight quote they stand for: rich-text
   * editors put them in pasted code. A string opened by one also closes on one.
   */
  curlyQuotes?: boolean;
}

/** Curly quote -> the straight quote it stands for. */
export const CURLY_QUOTES: Readonly<Record<string, string>> = { '\u201C': '"', '\u201D': '"', '\u2018': "'", '\u2019': "'" };

const STRING_PREFIX = /^(?:[rRbBuUfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;

interface StringFrame {
  type: 'string';
  /** The straight quote that closes it ('"', "'", '"""' or "'''"). */
  quote: string;
  /** Opened by a curly quote: a curly quote standing for the same straight one closes it. */
  curly: boolean;
  /** f- or t-string: `{` opens a replacement field. */
  formatted: boolean;
  span: PythonSpan | undefined;
}

interface FieldFrame {
  type: 'field';
  /** Brackets opened inside the replacement field. */
  depth: number;
  /** In the format spec (after a top-level ':'), which is text up to '}' with nested fields. */
  spec: boolean;
}

type Frame = StringFrame | FieldFrame;

/** A character of a name or a number (curly quotes are not: they may stand for quotes). */
function isWordChar(code: number): boolean {
  if (code >= 0x2018 && code <= 0x201d) return false;
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code > 127;
}

/** Lexes Python source. Never throws; unbalanced input runs to the end. */
export function lexPython(source: string, options: PythonLexOptions = {}): PythonLexResult {
  const curlyQuotes = options.curlyQuotes === true;
  const lines = source.split('\n');
  const lineStates: PythonLineState[] = [];
  const spans: PythonSpan[] = [];
  const stack: Frame[] = [];
  let depth = 0;
  let complete = true;
  let unterminated = false;
  let continued = false;
  const n = source.length;

  const quoteAt = (i: number): { quote: string; curly: boolean } | undefined => {
    const ch = source[i] ?? '';
    if (ch === '"' || ch === "'") return { quote: source.startsWith(ch + ch + ch, i) ? ch + ch + ch : ch, curly: false };
    if (curlyQuotes) {
      const straight = CURLY_QUOTES[ch];
      if (straight !== undefined) return { quote: straight, curly: true };
    }
    return undefined;
  };

  const openString = (start: number, quoteStart: number, quote: string, curly: boolean, formatted: boolean): number => {
    const outermost = !stack.some((f) => f.type === 'string');
    const opener = source.slice(quoteStart, quoteStart + (curly ? 1 : quote.length));
    const span: PythonSpan | undefined = outermost ? { kind: 'string', start, end: n, quoteStart, opener } : undefined;
    if (span) spans.push(span);
    stack.push({ type: 'string', quote, curly, formatted, span });
    return quoteStart + opener.length;
  };

  /**
   * A one-line string cannot cross a line break, and neither can a replacement field inside one
   * (Python 3.11 rejects it; where 3.12 allows it, it is rare): close them at the break, so that one
   * unterminated quote does not swallow the rest of the file.
   */
  const closeOneLineStrings = (at: number): void => {
    const k = stack.findIndex((f) => f.type === 'string' && f.quote.length === 1);
    if (k === -1) return;
    for (const frame of stack.slice(k)) if (frame.type === 'string' && frame.span) frame.span.end = at;
    stack.length = k;
    unterminated = true;
    complete = false;
  };

  const endLine = (): void => {
    const inString = stack.length > 0;
    lineStates.push({ open: depth > 0 || inString || continued, depth, inString, continued, unterminated });
    continued = false;
    unterminated = false;
  };

  let i = 0;
  while (i < n) {
    const top = stack.at(-1);
    const ch = source[i] ?? '';

    if (top?.type === 'string') {
      if (ch === '\\') {
        // An escaped character (a quote, a backslash, a line break, CRLF too) never ends the string.
        const next = source[i + 1] === '\r' && source[i + 2] === '\n' ? i + 2 : i + 1;
        if (source[next] === '\n') {
          continued = true;
          endLine();
        }
        i = next + 1;
        continue;
      }
      if (ch === '\n') {
        closeOneLineStrings(i);
        endLine();
        i += 1;
        continue;
      }
      const closesCurly = top.curly && CURLY_QUOTES[ch] === top.quote;
      if (source.startsWith(top.quote, i) || closesCurly) {
        const length = closesCurly ? 1 : top.quote.length;
        if (top.span) {
          top.span.closeStart = i;
          top.span.end = i + length;
        }
        stack.pop();
        i += length;
        continue;
      }
      if (top.formatted && ch === '{') {
        if (source[i + 1] === '{') {
          i += 2;
          continue;
        }
        stack.push({ type: 'field', depth: 0, spec: false });
        i += 1;
        continue;
      }
      i += 1;
      continue;
    }

    if (top?.type === 'field' && top.spec) {
      // A format spec is text: only a nested field or the field's end matters.
      if (ch === '{') stack.push({ type: 'field', depth: 0, spec: false });
      else if (ch === '}') stack.pop();
      else if (ch === '\n') {
        closeOneLineStrings(i);
        endLine();
      }
      i += 1;
      continue;
    }

    // Code: at the top level, or inside an f-string's replacement field.
    if (ch === '\n') {
      closeOneLineStrings(i);
      endLine();
      i += 1;
      continue;
    }
    if (ch === '#') {
      let end = source.indexOf('\n', i);
      if (end === -1) end = n;
      if (top === undefined) spans.push({ kind: 'comment', start: i, end });
      i = end;
      continue;
    }
    const quote = quoteAt(i);
    if (quote) {
      i = openString(i, i, quote.quote, quote.curly, false);
      continue;
    }
    const code = source.charCodeAt(i);
    if (isWordChar(code)) {
      // A whole word: a string prefix when it is 1-2 letters glued to a quote, else a name or a number.
      let j = i + 1;
      while (j < n && isWordChar(source.charCodeAt(j))) j += 1;
      const after = j - i <= 2 ? quoteAt(j) : undefined;
      const word = source.slice(i, j);
      if (after && STRING_PREFIX.test(word)) {
        i = openString(i, j, after.quote, after.curly, /[fFtT]/.test(word));
        continue;
      }
      i = j;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') {
      if (top?.type === 'field') top.depth += 1;
      else depth += 1;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      if (top?.type === 'field') {
        if (ch === '}' && top.depth === 0) stack.pop();
        else top.depth = Math.max(0, top.depth - 1);
      } else depth = Math.max(0, depth - 1);
    } else if (ch === ':' && top?.type === 'field' && top.depth === 0) {
      top.spec = true;
    } else if (ch === '\\') {
      // A continuation: the backslash ends the line (trailing blanks and a CR tolerated).
      let j = i + 1;
      while (j < n && (source[j] === ' ' || source[j] === '\t' || source[j] === '\r')) j += 1;
      if (j >= n || source[j] === '\n') {
        continued = true;
        i = j;
        continue;
      }
    }
    i += 1;
  }
  endLine();
  const last = lineStates.at(-1);
  if (stack.length > 0 || depth > 0 || last?.continued === true) complete = false;
  return { lines, lineStates, spans, complete };
}

/**
 * The source with every string and comment blanked out (replaced by spaces, line breaks kept), so
 * that patterns over code cannot match inside them and offsets and line numbers stay the same.
 */
export function codeOnly(source: string): string {
  const { spans } = lexPython(source);
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    out += source.slice(cursor, span.start);
    out += source.slice(span.start, span.end).replace(/[^\n]/g, ' ');
    cursor = span.end;
  }
  return out + source.slice(cursor);
}
