/**
 * Turn a chat message (and its attached files) into the code to run, its tests, and what the user said.
 *
 * Where the code is, in order of trust:
 *   1. fenced blocks (```python, ```py, ``` alone, ~~~), and attached .py files;
 *   2. text attachments (.txt, .md, no extension: Discord turns a long message into `message.txt`),
 *      read like a message;
 *   3. with no fence at all, the message itself when it reads as Python (or its tail, from the first
 *      top-level def/class/import, when it opens with a sentence).
 * Code vs tests: a file named test_*.py, *_test.py, test.py or tests.py is tests; a block whose
 * top-level statements are asserts, `def test_*`, `def check` / `check(fn)` is tests; a block with the
 * function followed by such statements is split there (setup lines before the first assert go with the
 * tests when the code under test is in another block). When nothing looks like tests, the second Python block is the tests if it
 * defines no function or class of its own (a driver like `print(add(2, 3))`); a second block with
 * definitions is more code (helpers), not tests.
 * Everything outside fences, minus mentions, the `/fix` command word and tracebacks, is the description.
 */
import { TracefixError } from '../errors.ts';
import type { Platform } from '../repair/types.ts';
import { splitFences } from './fences.ts';
import { parseJavaScriptPaste } from './js-paste.ts';
import { languageOfFence, type Language } from './language.ts';
import { splitPastedSource } from './split-source.ts';
import { cleanCodeCharacters, platformText, straightenQuotes, stripCommand } from './platform-text.ts';
import {
  TOP_LEVEL_START,
  dedent,
  extractTracebacks,
  findEntryPoint,
  isProse,
  isTestSource,
  looksLikePython,
  topLevelFunctions,
} from './python-heuristics.ts';

export interface PasteAttachment {
  name: string;
  /** Text as the platform delivered it, or the file's bytes (decoded here as UTF-8, strictly). */
  content: string | Uint8Array;
}

export interface PasteInput {
  text: string;
  attachments?: PasteAttachment[];
  platform: Platform;
}

export interface PasteLimits {
  /** The whole message plus attachments, in UTF-8 bytes. */
  maxBytes: number;
}

export interface ParsedPaste {
  code: string;
  tests?: string;
  description?: string;
  entryPoint?: string;
  language: Language;
  /** Python tracebacks found in the message (help channels paste them); context, never run. */
  traceback?: string;
}

const PY_LANGS = new Set([
  '',
  'python',
  'py',
  'python3',
  'py3',
  'ipython',
  'text',
  'txt',
  'plaintext',
  'plain',
]);
/** Fences that hold output, not code: their content is context. */
const OUTPUT_LANGS = new Set([
  'pytb',
  'py3tb',
  'console',
  'shell',
  'sh',
  'bash',
  'zsh',
  'log',
  'output',
  'stdout',
  'stderr',
  'none',
  'diff',
]);

const EXAMPLE = [
  '```python',
  'def add(a, b):',
  '    return a - b',
  '```',
  '```python',
  'assert add(2, 3) == 5',
  '```',
].join('\n');

interface Piece {
  source: string;
  /** Known to be tests from its file name. */
  testsByName: boolean;
}

interface Collected {
  pieces: Piece[];
  tracebacks: string[];
  description: string[];
  foreign: string[];
}

export function parsePaste(input: PasteInput, limits: PasteLimits): ParsedPaste {
  const attachments = input.attachments ?? [];
  // Measured on the text as the user typed it: Slack sends `&` as `&amp;`, five bytes for one.
  const typed = platformText(input.text, input.platform);
  const size = attachments.reduce((sum, a) => sum + byteLength(a.content), byteLength(typed));
  if (size > limits.maxBytes) {
    throw new TracefixError(
      'too_large',
      `That paste is ${sizes(size, limits.maxBytes)} limit. Paste only the function that fails and the tests that show it.`,
      { detail: `paste of ${size} bytes over maxBytes ${limits.maxBytes}` },
    );
  }
  if (isBinaryText(input.text)) {
    throw new TracefixError(
      'binary_input',
      'That message contains binary data (NUL or control bytes), so I can’t read it as Python. Paste the code as text in a ```python code block.',
    );
  }

  const text = stripCommand(typed);
  // A code block marked as JavaScript or TypeScript goes to the JS runner; an unmarked chat message is
  // read as Python, as before (prose around code makes guessing the language unreliable).
  const marked = splitFences(text).blocks.map((b) => languageOfFence(b.lang));
  if (attachments.length === 0 && marked.some((l) => l === 'javascript' || l === 'typescript')) {
    const js = parseJavaScriptPaste(text);
    if (js) return { code: js.code, language: js.language, ...(js.tests ? { tests: js.tests } : {}) };
  }
  const acc: Collected = { pieces: [], tracebacks: [], description: [], foreign: [] };
  collectFromMessage(text, acc);

  let attachedSomething = false;
  for (const attachment of attachments) {
    const kind = attachmentKind(attachment.name);
    if (kind === 'other') continue;
    const content = decodeAttachment(attachment);
    if (content.trim() === '') continue;
    attachedSomething = true;
    if (kind === 'python') {
      const base = attachment.name.split(/[\\/]/).pop() ?? attachment.name;
      const { rest, tracebacks } = extractTracebacks(content);
      acc.tracebacks.push(...tracebacks);
      acc.pieces.push({
        source: rest,
        testsByName: /^test_.*\.pyw?$|_test\.pyw?$|^tests?\.pyw?$/i.test(base),
      });
    } else {
      collectFromMessage(content, acc, false);
    }
  }

  if (text.trim() === '' && !attachedSomething) {
    throw new TracefixError(
      'empty_input',
      `That message had nothing to run. Paste the function that misbehaves in a code block, and its tests in a second one:\n${EXAMPLE}`,
    );
  }

  const codeParts: string[] = [];
  const testParts: string[] = [];
  const plainCode: number[] = [];
  const prepared = acc.pieces
    .map((piece) => ({ ...piece, source: tidy(piece.source) }))
    .filter((piece) => piece.source !== '')
    .map((piece) => ({ ...piece, split: splitPastedSource(piece.source) }));
  const someoneDefines = prepared.some((piece) => !piece.testsByName && defines(piece.split.code));
  for (const piece of prepared) {
    if (piece.testsByName) {
      testParts.push(piece.source);
      continue;
    }
    let code = tidy(piece.split.code);
    let tests = tidy(piece.split.tests ?? '');
    // `s = Stack()` then asserts: setup for the tests, when the code under test is elsewhere.
    if (tests !== '' && code !== '' && someoneDefines && !defines(code)) {
      tests = piece.source;
      code = '';
    }
    if (code !== '') {
      if (tests === '') plainCode.push(codeParts.length);
      codeParts.push(code);
    }
    if (tests !== '') testParts.push(tests);
  }
  // Nothing looked like tests: the second block is the tests if it only drives the first.
  const second = plainCode[1];
  if (testParts.length === 0 && second !== undefined) {
    const candidate = codeParts[second] ?? '';
    if (!defines(candidate)) {
      testParts.push(candidate);
      codeParts.splice(second, 1);
    }
  }

  const code = codeParts.join('\n\n');
  const tests = testParts.join('\n\n');
  if (code === '') throw noCode(tests !== '', acc.foreign, acc.tracebacks.length > 0);

  const parsed: ParsedPaste = { code: `${code}\n`, language: 'python' };
  if (tests !== '') parsed.tests = `${tests}\n`;
  const description = acc.description
    .join('\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (description !== '') parsed.description = description;
  const entryPoint = findEntryPoint(code, tests === '' ? undefined : tests);
  if (entryPoint !== undefined) parsed.entryPoint = entryPoint;
  if (acc.tracebacks.length > 0) parsed.traceback = acc.tracebacks.join('\n\n');
  return parsed;
}

/**
 * For help channels: offer help only on a post that both shows a Python traceback and carries a code
 * block with code in it (a traceback alone is not enough to run anything).
 */
export function looksLikeHelpRequest(text: string): boolean {
  const split = splitFences(
    text.replace(/\r\n?/g, '\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
  );
  let traceback = extractTracebacks(split.outside).tracebacks.length > 0;
  let code = false;
  for (const block of split.blocks) {
    const { rest, tracebacks } = extractTracebacks(block.content);
    if (tracebacks.length > 0) traceback = true;
    if (!OUTPUT_LANGS.has(block.lang) && looksLikePython(rest)) code = true;
  }
  return traceback && code;
}

function collectFromMessage(text: string, acc: Collected, isMessage = true): void {
  const split = splitFences(text);
  const before = acc.pieces.length;
  for (const block of split.blocks) {
    const { rest, tracebacks } = extractTracebacks(block.content);
    acc.tracebacks.push(...tracebacks);
    if (rest.trim() === '') continue;
    if (OUTPUT_LANGS.has(block.lang)) {
      acc.description.push(block.content);
      continue;
    }
    if (!PY_LANGS.has(block.lang)) {
      acc.foreign.push(block.lang);
      continue;
    }
    const repl = fromRepl(rest);
    if (repl !== undefined) {
      acc.pieces.push({ source: repl, testsByName: false });
      acc.description.push(block.content);
      continue;
    }
    const trusted = block.lang.startsWith('py') || block.lang === 'ipython';
    // An untagged block must read as Python (or tests): expected output like `[1, 2]` is context.
    if (trusted || looksLikePython(rest) || isTestSource(rest))
      acc.pieces.push({ source: rest, testsByName: false });
    else acc.description.push(block.content);
  }

  const { rest, tracebacks } = extractTracebacks(split.outside);
  acc.tracebacks.push(...tracebacks);
  // Fences that held no code (a stray closing ``` under code copied from a chat answer, and the
  // sentence after it): the code is outside them, read as if there were none.
  if (split.hadFence && acc.pieces.length > before) {
    acc.description.push(rest);
    return;
  }
  const repl = fromRepl(rest);
  if (repl !== undefined) {
    acc.pieces.push({ source: repl, testsByName: false });
    if (isMessage) acc.description.push(rest);
    return;
  }
  if (looksLikePython(rest)) {
    acc.pieces.push({ source: rest, testsByName: false });
    return;
  }
  // A sentence, then the code, then maybe another sentence: the code runs from the first top-level
  // def/class/import to the last line that is not prose.
  const lines = rest.split('\n');
  const start = lines.findIndex((l) => TOP_LEVEL_START.test(l));
  let end = lines.length;
  while (end > start + 1 && (lines[end - 1]?.trim() === '' || isProse(lines[end - 1] ?? ''))) end--;
  if (start >= 0 && looksLikePython(lines.slice(start, end).join('\n'))) {
    acc.description.push(lines.slice(0, start).join('\n'), lines.slice(end).join('\n'));
    acc.pieces.push({ source: lines.slice(start, end).join('\n'), testsByName: false });
    return;
  }
  if (isMessage) acc.description.push(rest);
}

/**
 * A REPL transcript (`>>> ` at the start of the first line): the statements typed, prompts removed.
 * The printed results are the user's observations and stay in the description.
 */
function fromRepl(text: string): string | undefined {
  const lines = text.split('\n');
  const first = lines.find((l) => l.trim() !== '');
  if (first === undefined || !first.startsWith('>>>')) return undefined;
  const code: string[] = [];
  for (const line of lines) {
    if (line.startsWith('>>> ') || line === '>>>') code.push(line.slice(4));
    else if (line.startsWith('... ') || line === '...') code.push(line.slice(4));
  }
  return code.join('\n');
}

function attachmentKind(name: string): 'python' | 'text' | 'other' {
  const base = name.split(/[\\/]/).pop() ?? name;
  if (/\.pyw?$/i.test(base)) return 'python';
  if (/\.(?:txt|md|markdown)$/i.test(base) || !base.includes('.')) return 'text';
  return 'other';
}

function decodeAttachment(attachment: PasteAttachment): string {
  let text: string;
  if (typeof attachment.content === 'string') {
    text = attachment.content;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(attachment.content);
    } catch (cause) {
      throw binaryFile(attachment.name, cause);
    }
  }
  if (isBinaryText(text)) throw binaryFile(attachment.name);
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

function binaryFile(name: string, cause?: unknown): TracefixError {
  return new TracefixError(
    'binary_input',
    `The file “${name}” is not UTF-8 text, so I can’t read it as Python. Attach a .py file saved as UTF-8, or paste the code in a code block.`,
    cause === undefined ? {} : { cause },
  );
}

function noCode(hadTests: boolean, foreign: string[], hadTraceback: boolean): TracefixError {
  const language = foreign[0];
  // A traceback alone is the most common half-paste: say what we got, so the next message has the rest.
  if (!hadTests && hadTraceback) {
    return new TracefixError(
      'bad_input',
      `I see the traceback, but not the code that raised it. Paste the function too, and a test that shows the failure, like this:\n${EXAMPLE}`,
    );
  }
  if (!hadTests && language !== undefined && language !== '') {
    return new TracefixError(
      'bad_input',
      `I can run Python, JavaScript and TypeScript, and the code block I found is marked as ${language}. Paste code in one of them and its tests, like this:\n${EXAMPLE}`,
    );
  }
  if (hadTests) {
    return new TracefixError(
      'bad_input',
      `I found tests but not the code they test. Paste the function too, in its own code block above the tests:\n${EXAMPLE}`,
    );
  }
  return new TracefixError(
    'bad_input',
    `I couldn’t find Python code to run in that message. Paste the function in one code block and its tests (asserts) in another, like this:\n${EXAMPLE}`,
  );
}

function defines(code: string): boolean {
  return topLevelFunctions(code).length > 0 || /^class\s+(?!Test)\w+/m.test(code);
}

/** Chat-safe code: no zero-width or non-breaking spaces, no shared indentation, no blank edges. */
function tidy(source: string): string {
  const cleaned = dedent(straightenQuotes(cleanCodeCharacters(source)));
  return cleaned.replace(/^(?:[ \t]*\n)+/, '').replace(/(?:\n[ \t]*)+$/, '');
}

function byteLength(content: string | Uint8Array): number {
  return typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
}

/** NUL, lone UTF-16 surrogates (a broken decode), or more than 1% control characters. */
function isBinaryText(text: string): boolean {
  if (text.includes('\u0000')) return true;
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) return true;
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Tab, newline, vertical tab, form feed, carriage return and escape (ANSI colours in pasted output) are text.
    if ((c < 32 && !(c >= 9 && c <= 13) && c !== 27) || c === 127) controls++;
  }
  return controls > 0 && controls > text.length / 100;
}

/** "1.2 MB, over the 1 MB": rounded, unless rounding makes the two look equal. */
function sizes(size: number, limit: number): string {
  const [a, b] = [formatBytes(size), formatBytes(limit)];
  if (a !== b) return `${a}, over the ${b}`;
  return `${size.toLocaleString('en-US')} bytes, over the ${limit.toLocaleString('en-US')}-byte`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${trimZero((n / 1024).toFixed(1))} KB`;
  return `${trimZero((n / (1024 * 1024)).toFixed(1))} MB`;
}

function trimZero(s: string): string {
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}
