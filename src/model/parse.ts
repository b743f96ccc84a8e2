import type { Candidate } from './types.ts';
import { definedNames, dropAddedTestCode, looksLikeCodeLine, mergeIntoProgram, splitTopLevel } from './python-source.ts';

/**
 * Turns a model's free-form answer into a Candidate. Models drift from the requested format in
 * predictable ways (no fence, several fences, prose after the code, only the changed function, other
 * fence labels, CRLF); each is handled here so the repair engine sees one shape. An answer with no
 * usable program is a discarded candidate (null), never an exception: one bad sample out of k must
 * not cost the other k-1.
 */

export interface ParseOptions {
  /** The program the model was asked to fix: fragments are merged into it. */
  program: string;
  /** The function the tests call; a block defining it wins over other blocks. */
  entryPoint?: string;
}

export type ParseOutcome =
  | { candidate: Candidate; merged: boolean; source: 'fence' | 'unfenced' }
  | { candidate: null; reason: 'empty' | 'no_code' | 'incomplete_code' | 'missing_entry' };

export interface Block {
  lang: string;
  body: string;
  /** Line span in the normalised answer, fence lines included. */
  start: number;
  end: number;
  closed: boolean;
  /** Prose before a fence opened mid-line ("Here is the fix: ```python"). */
  lead: string;
}

const PYTHON_LANGS = new Set(['', 'python', 'py', 'python3', 'py3', 'ipython', 'python2', 'sage']);

export function normalise(answer: string): string {
  return (
    answer
      .replace(/^\uFEFF/, '')
      .replace(/\r\n?/g, '\n')
      // Reasoning models (DeepSeek-R1, Qwen3 through Ollama) may put their scratch work in the content.
      .replace(/<think>[\s\S]*?<\/think>/g, '')
      .replace(/^\s*<think>[\s\S]*$/, '')
  );
}

export function findBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let open: { fence: string; indent: number; lang: string; start: number; lead: string } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (!open) {
      // Also "Here is the fix: ```python", the fence opened at the end of a line of prose.
      const start = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/.exec(line);
      const inline = start ? undefined : /^([^`~]*\S)\s*(`{3,}|~{3,})([\w+-]+)\s*$/.exec(line);
      if (start) {
        const [, indent = '', fence = '', info = ''] = start;
        open = { fence, indent: indent.length, lang: info.replace(/^\{?\.?/, '').replace(/\}$/, '').toLowerCase(), start: index, lead: '' };
      } else if (inline) {
        const [, lead = '', fence = '', info = ''] = inline;
        open = { fence, indent: 0, lang: info.toLowerCase(), start: index, lead };
      }
      continue;
    }
    const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
    if (close?.[1] && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      blocks.push(makeBlock(lines, open, index, true));
      open = undefined;
    }
  }
  if (open) blocks.push(makeBlock(lines, open, lines.length, false));
  return blocks;
}

function makeBlock(lines: string[], open: { indent: number; lang: string; start: number; lead: string }, end: number, closed: boolean): Block {
  let body = lines.slice(open.start + 1, end);
  // A fence indented under a list item indents its code too; take that indentation off again.
  if (open.indent > 0) {
    const prefix = ' '.repeat(open.indent);
    if (body.every((line) => line.trim() === '' || line.startsWith(prefix))) body = body.map((line) => line.slice(open.indent));
  }
  return { lang: open.lang, body: body.join('\n'), start: open.start, end: closed ? end + 1 : end, closed, lead: open.lead };
}

/** A block that is Python code rather than a console session, a traceback or an echo of the trace. */
function looksLikePython(body: string): boolean {
  const code = body.split('\n').filter((line) => line.trim() !== '');
  if (code.length === 0) return false;
  if (code.every((line) => /^\s*(>>>|\.\.\.)/.test(line))) return false;
  if (/^Traceback \(most recent call last\)/m.test(body)) return false;
  return true;
}

/** Code annotated with NExT comments is the trace echoed back, not a fix. */
function isTraceEcho(body: string): boolean {
  return /#\s*\(\d+\)\s*[\w.]+=/.test(body) || /#\s*\(\d+\)\s*__(return|exception)__=/.test(body);
}

/** Removes `  # (k) name=value; ...` comments that a model copied from the trace into its fix. */
function stripTraceComments(code: string): string {
  return code.replace(/[ \t]*#\s*\(\d+\)\s*(?:[\w.]+=|__(?:return|exception)__=|$)[^\n]*$/gm, '');
}

const PY_STATEMENT =
  /^(?:(?:async\s+)?def\s+\w+\s*\(|class\s+\w+|import\s+[\w.]+|from\s+[\w.]+\s+import\s|@[\w.]+|if\s+__name__\s*==)/;

/**
 * An answer without fences: the code is the run of lines from the first def/class/import to the first
 * column-0 line that reads as prose. The rationale is what came before (and any prose after).
 */
function unfenced(lines: string[]): { code: string; start: number; end: number } | undefined {
  let start = lines.findIndex((line) => PY_STATEMENT.test(line));
  if (start < 0) return undefined;
  // Constants the code defines before its first def (`MAX = 1000`) belong to it; prose does not look
  // like an assignment.
  for (let index = start - 1; index >= 0; index--) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;
    if (!/^[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_]\w*)*\s*=(?!=)\s*\S/.test(line)) break;
    start = index;
  }
  let end = start + 1;
  let lastCode = start;
  for (; end < lines.length; end++) {
    const line = lines[end] ?? '';
    if (line.trim() === '') continue;
    if (/^\s/.test(line) || looksLikeCodeLine(line)) {
      lastCode = end;
      continue;
    }
    break;
  }
  return { code: lines.slice(start, lastCode + 1).join('\n'), start, end: lastCode + 1 };
}

export function tidyRationale(text: string): string {
  const lines = text.replace(/\n{3,}/g, '\n\n').trim().split('\n');
  // "Here is the fixed program:" or a "### Fix" heading only introduced the code we took away.
  while (lines.length > 0) {
    const last = (lines.at(-1) ?? '').trim();
    if (last === '' || (last.length <= 80 && (/:\s*$/.test(last) || /^#{1,6}\s/.test(last) || /^\*\*[^*]+\*\*$/.test(last)))) {
      lines.pop();
      continue;
    }
    break;
  }
  return lines.join('\n').trim();
}

function pickBlock(blocks: Block[], originalNames: string[], entry: string | undefined): Block | undefined {
  const python = blocks.filter((block) => PYTHON_LANGS.has(block.lang) && looksLikePython(block.body));
  return chooseBlock(python, isTraceEcho, (body) => definedNames(splitTopLevel(body).items), originalNames, entry);
}

/**
 * The code block an answer's fix is in, among the blocks in the program's language: the trace echoed
 * back is not a fix unless it is all there is (a model that edited the annotated program in place; its
 * trace comments are stripped later); a block cut off by the token limit only when nothing complete
 * came back; then the last block that defines the entry point, else the one defining most of the
 * original's names (the last of equals).
 */
export function chooseBlock(
  code: Block[],
  echoesTrace: (body: string) => boolean,
  namesOf: (body: string) => string[],
  originalNames: string[],
  entry: string | undefined,
): Block | undefined {
  const fresh = code.filter((block) => !echoesTrace(block.body));
  const usable = fresh.length > 0 ? fresh : code;
  const pool = usable.some((block) => block.closed) ? usable.filter((block) => block.closed) : usable;
  if (pool.length === 0) return undefined;
  const names = pool.map((block) => new Set(namesOf(block.body)));
  if (entry !== undefined) {
    for (let index = pool.length - 1; index >= 0; index--) if (names[index]?.has(entry)) return pool[index];
  }
  let best: Block | undefined;
  let bestScore = -1;
  pool.forEach((block, index) => {
    const defined = names[index] ?? new Set<string>();
    const score = originalNames.filter((name) => defined.has(name)).length * 2 + (defined.size > 0 ? 1 : 0);
    if (score >= bestScore) {
      best = block;
      bestScore = score;
    }
  });
  return best;
}

/** Like parseAnswer, with the reason an answer was dropped (for logs and tests). */
export function analyseAnswer(answer: string, options: ParseOptions): ParseOutcome {
  try {
    const text = normalise(answer);
    if (text.trim() === '') return { candidate: null, reason: 'empty' };
    const lines = text.split('\n');
    const original = options.program.replace(/\r\n?/g, '\n');
    const originalNames = definedNames(splitTopLevel(original).items);
    const entry = options.entryPoint ?? (originalNames.length === 1 ? originalNames[0] : undefined);

    let code: string;
    let rationale: string;
    let source: 'fence' | 'unfenced';
    const blocks = findBlocks(lines);
    let block = pickBlock(blocks, originalNames, entry);
    if (block && entry !== undefined && !definedNames(splitTopLevel(block.body).items).includes(entry)) {
      // The fences hold a test or a snippet; the program itself may stand outside them.
      const outside = [...lines];
      for (const b of blocks) for (let index = b.start; index < b.end; index++) outside[index] = '';
      const bare = unfenced(outside);
      if (bare && definedNames(splitTopLevel(bare.code).items).includes(entry)) block = undefined;
    }
    if (block) {
      code = isTraceEcho(block.body) ? stripTraceComments(block.body) : block.body;
      rationale = `${[...lines.slice(0, block.start), block.lead].join('\n')}\n\n${lines.slice(block.end).join('\n')}`;
      source = 'fence';
    } else {
      // Fences present but none usable (```text, a traceback), or only snippets: bare code outside them.
      const outside = [...lines];
      for (const b of blocks) for (let index = b.start; index < b.end; index++) outside[index] = '';
      const found = unfenced(outside.some((line, index) => line !== lines[index]) ? outside : lines);
      if (!found) return { candidate: null, reason: 'no_code' };
      code = found.code;
      rationale = `${lines.slice(0, found.start).join('\n')}\n\n${lines.slice(found.end).join('\n')}`;
      source = 'unfenced';
    }
    code = code.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
    if (code.trim() === '') return { candidate: null, reason: 'no_code' };
    if (!splitTopLevel(code).complete) return { candidate: null, reason: 'incomplete_code' };

    const merge = originalNames.length > 0 ? mergeIntoProgram(original.trimEnd(), code) : { code, merged: false };
    merge.code = dropAddedTestCode(original, merge.code);
    const codeNames = new Set(definedNames(splitTopLevel(merge.code).items));
    if (entry !== undefined && originalNames.includes(entry) && !codeNames.has(entry)) {
      return { candidate: null, reason: 'missing_entry' };
    }
    if (originalNames.length > 0 && codeNames.size === 0) return { candidate: null, reason: 'missing_entry' };
    // Same ending as the user's program, so the diff does not flag the last line.
    const ending = original.endsWith('\n') ? '\n' : '';
    return { candidate: { rationale: tidyRationale(rationale), code: `${merge.code.trimEnd()}${ending}` }, merged: merge.merged, source };
  } catch {
    // The parser is heuristic over arbitrary text; whatever slipped through is still only a bad sample.
    return { candidate: null, reason: 'no_code' };
  }
}

/** The candidate in a model's answer, or null when the answer holds no usable program. Never throws. */
export function parseAnswer(answer: string, options: ParseOptions): Candidate | null {
  return analyseAnswer(answer, options).candidate;
}
