/**
 * Cuts a program into its top-level statements without a Python process: strings (including
 * triple-quoted ones spanning lines), comments, brackets and backslash continuations decide where a
 * statement really ends (the lexing is src/trace/python-lexer.ts's). Used to merge a function the model returned into
 * the user's program, and to reject code that stops in the middle of a string or a bracket (an answer
 * cut off by the token limit).
 */

import { lexPython } from '../trace/python-lexer.ts';

export type TopLevelKind = 'def' | 'class' | 'import' | 'other';

export interface TopLevelItem {
  kind: TopLevelKind;
  /** Name of a def or class. */
  name?: string;
  /** First line (its decorators included), 0-based. */
  start: number;
  /** One past the last line that belongs to it; trailing blank and comment-only lines excluded. */
  end: number;
  text: string;
}

export interface SplitResult {
  lines: string[];
  items: TopLevelItem[];
  /** False when the source ends inside a string, a bracket or a backslash continuation. */
  complete: boolean;
}

/** A column-0 line that starts a Python statement (rather than prose or a markdown leftover). */
const PY_TOP_LINE =
  /^(?:(?:async\s+)?def\s|class\s|import\s|from\s+[\w.]+\s+import\s|@|#|if\s|elif\s|else\s*:|for\s|while\s|try\s*:|except\b|finally\s*:|with\s|return\b|raise\b|assert\s|print\(|[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*(?:[-+*/%|&^]|\/\/|\*\*|<<|>>)?=(?!=)|[A-Za-z_][\w.]*\(|[A-Za-z_]\w*\s*:\s*[\w.[\], ]+=[^=]|[)\]}])/;

export function looksLikeCodeLine(line: string): boolean {
  return PY_TOP_LINE.test(line);
}

/** Text at column 0 that is not Python: a stray ``` fence, "[Task End", a sentence pasted along. */
function isJunk(item: TopLevelItem): boolean {
  return item.kind === 'other' && !PY_TOP_LINE.test(item.text.split('\n')[0] ?? '');
}

const CONTINUATION = /^(else|elif|except|finally|case)\b/;

/** An `import …` or `from … import …` statement, at any indent. */
export function isImportLine(line: string): boolean {
  return /^\s*(import\s|from\s+\S+\s+import\b)/.test(line);
}

function classify(line: string): { kind: TopLevelKind; name?: string } {
  const def = /^(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(line);
  if (def?.[1]) return { kind: 'def', name: def[1] };
  const cls = /^class\s+([A-Za-z_]\w*)/.exec(line);
  if (cls?.[1]) return { kind: 'class', name: cls[1] };
  if (isImportLine(line)) return { kind: 'import' };
  return { kind: 'other' };
}

/** Cuts Python source (LF line breaks) into top-level statements. Never throws. */
export function splitTopLevel(source: string): SplitResult {
  const { lines, lineStates, complete } = lexPython(source);
  const items: TopLevelItem[] = [];
  let current: { kind: TopLevelKind; name?: string; start: number; lastCode: number } | undefined;
  let decoratorStart: number | undefined;

  const close = () => {
    if (!current) return;
    const end = current.lastCode + 1;
    const item: TopLevelItem = {
      kind: current.kind,
      start: current.start,
      end,
      text: lines.slice(current.start, end).join('\n'),
    };
    if (current.name !== undefined) item.name = current.name;
    items.push(item);
    current = undefined;
  };

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const atStatementStart = lineStates[index - 1]?.open !== true;
    const trimmed = line.trim();
    if (atStatementStart && trimmed !== '' && !/^\s/.test(line)) {
      if (trimmed.startsWith('#')) {
        // A column-0 comment is trivia: it neither ends nor extends the statement before it.
      } else if (trimmed.startsWith('@')) {
        close();
        decoratorStart ??= index;
      } else if (CONTINUATION.test(trimmed) && current) {
        current.lastCode = index;
      } else {
        close();
        const kind = classify(trimmed);
        current = { ...kind, start: decoratorStart ?? index, lastCode: index };
        decoratorStart = undefined;
      }
    } else if (trimmed !== '' && current && !(atStatementStart && trimmed.startsWith('#'))) {
      current.lastCode = index;
    }
  }
  if (decoratorStart !== undefined) {
    // Decorators with nothing under them: keep them as an item so no line is lost.
    current = { kind: 'other', start: decoratorStart, lastCode: lines.length - 1 };
  }
  close();
  return { lines, items, complete };
}

/** Names of the top-level functions and classes, in order. */
export function definedNames(items: TopLevelItem[]): string[] {
  return items.flatMap((item) => (item.name !== undefined ? [item.name] : []));
}

function normaliseStatement(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export interface MergeResult {
  code: string;
  /** True when the fragment replaced parts of the original rather than standing alone. */
  merged: boolean;
}

/**
 * Folds a model's partial answer into the user's program: each def/class in the fragment replaces the
 * original one of the same name (decorators included), new defs go just before the first replaced one,
 * new imports go after the original's imports. Everything else in the original keeps its exact text,
 * so the diff the user sees is only the fix. Returns the fragment unchanged when it is a whole program
 * already (it loses nothing of the original) or when it shares no definition with the original.
 */
export function mergeIntoProgram(original: string, fragment: string): MergeResult {
  const base = splitTopLevel(original);
  const part = splitTopLevel(fragment);
  const partNames = new Set(definedNames(part.items));
  const baseNames = definedNames(base.items);
  const shared = baseNames.filter((name) => partNames.has(name));
  if (shared.length === 0) return { code: fragment, merged: false };

  const partStatements = new Set(part.items.map((item) => normaliseStatement(item.text)));
  const lost = base.items.filter((item) => !isJunk(item)).filter((item) =>
    item.name !== undefined ? !partNames.has(item.name) : !partStatements.has(normaliseStatement(item.text)),
  );
  if (lost.length === 0) return { code: fragment, merged: false };
  const partHasOwnStatements = part.items.some((item) => item.kind === 'other');
  const missingDefs = lost.some((item) => item.name !== undefined);
  // A fragment with its own top-level statements that still holds every original def is a rewritten
  // program (the model may have dropped a crashing top-level call on purpose): take it as it is.
  if (partHasOwnStatements && !missingDefs) return { code: fragment, merged: false };

  const byName = new Map(part.items.flatMap((item) => (item.name !== undefined ? [[item.name, item] as const] : [])));
  const baseNameSet = new Set(baseNames);
  const additions = part.items.filter((item) => item.name !== undefined && !baseNameSet.has(item.name));
  const baseImports = new Set(base.items.filter((item) => item.kind === 'import').map((item) => normaliseStatement(item.text)));
  const newImports = part.items.filter((item) => item.kind === 'import' && !baseImports.has(normaliseStatement(item.text)));

  const out: string[] = [];
  let cursor = 0;
  let added = false;
  const lastImport = base.items.filter((item) => item.kind === 'import').at(-1);
  if (newImports.length > 0 && !lastImport) out.push(...newImports.map((item) => item.text));
  for (const item of base.items) {
    out.push(...base.lines.slice(cursor, item.start));
    const replacement = item.name !== undefined ? byName.get(item.name) : undefined;
    if (isJunk(item)) {
      // Leftovers that stop the program from compiling are not worth keeping byte for byte.
    } else if (replacement) {
      if (!added && additions.length > 0) {
        for (const addition of additions) out.push(addition.text, '', '');
        added = true;
      }
      out.push(replacement.text);
    } else {
      out.push(item.text);
    }
    if (item === lastImport) out.push(...newImports.map((imp) => imp.text));
    cursor = item.end;
  }
  out.push(...base.lines.slice(cursor));
  return { code: out.join('\n'), merged: true };
}

const TEST_LIKE = /^(assert\b|print\s*\(|if\s+__name__\s*==|check\s*\(|(unittest|doctest|pytest)\.)/;

/**
 * Removes the test code a model appended despite being asked not to: top-level asserts, prints,
 * `if __name__ == "__main__":` blocks and bare calls of the program's functions that the original
 * program did not have. One wrong assert of the model's own would otherwise fail every user test at
 * import time. Scripts (no functions) are left alone: their top-level code is the program.
 */
export function dropAddedTestCode(original: string, code: string): string {
  const base = splitTopLevel(original);
  if (definedNames(base.items).length === 0) return code;
  const part = splitTopLevel(code);
  const names = new Set(definedNames(part.items));
  const kept = new Set(base.items.map((item) => normaliseStatement(item.text)));
  const drop = part.items.filter((item) => {
    if (item.kind !== 'other' || kept.has(normaliseStatement(item.text))) return false;
    const call = /^([A-Za-z_]\w*)\s*\(/.exec(item.text)?.[1];
    const bareCall = call !== undefined && names.has(call) && !item.text.includes('\n');
    return TEST_LIKE.test(item.text) || bareCall;
  });
  if (drop.length === 0) return code;
  const lines = [...part.lines];
  for (const item of [...drop].reverse()) {
    // The blank lines after a removed statement go with it; those before it still separate the rest.
    let end = item.end;
    while (end < lines.length && lines[end]?.trim() === '') end += 1;
    lines.splice(item.start, end - item.start);
  }
  return lines.join('\n').trimEnd();
}
