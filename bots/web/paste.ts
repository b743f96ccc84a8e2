import { TracefixError } from '../../src/errors.ts';
import type { ParsedPaste } from '../shared/flow.ts';

export interface WebPaste {
  code: string;
  tests?: string | undefined;
  description?: string | undefined;
  entryPoint?: string | undefined;
}

/** NUL, or many control characters: a file that is not text (an image pasted into the field). */
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  // eslint-disable-next-line no-control-regex
  const controls = text.match(/[\u0001-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0;
  return controls > 8 && controls > text.length / 100;
}

/**
 * The web form already separates code, tests and description, so chat-paste parsing (fences, telling
 * tests from code) does not apply; these are the same checks with the same sentences. Empty optional
 * fields count as absent. Syntax errors are the engine's to report: it has the Python parser.
 */
export function checkPaste(input: WebPaste, maxBytes: number): ParsedPaste {
  const code = input.code.replace(/\r\n/g, '\n');
  const tests = input.tests?.replace(/\r\n/g, '\n');
  const description = input.description?.trim();
  const size = Buffer.byteLength(code) + Buffer.byteLength(tests ?? '') + Buffer.byteLength(description ?? '');
  if (size > maxBytes) {
    throw new TracefixError('too_large', `That paste is too large (${size} bytes); the limit is ${maxBytes} bytes — paste just the failing function and its tests.`);
  }
  for (const text of [code, tests ?? '', description ?? '']) {
    if (looksBinary(text)) throw new TracefixError('binary_input', 'That looks like a binary file, not Python source; paste the code as text.');
  }
  if (code.trim() === '') {
    throw new TracefixError('empty_input', 'There is no code to fix: paste a Python function in the code box.');
  }
  const paste: ParsedPaste = { code };
  if (tests !== undefined && tests.trim() !== '') paste.tests = tests;
  if (description !== undefined && description !== '') paste.description = description;
  const entryPoint = input.entryPoint?.trim();
  if (entryPoint) paste.entryPoint = entryPoint;
  return paste;
}
