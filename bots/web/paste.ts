import { TracefixError, isTracefixError } from '../../src/errors.ts';
import { parseJavaScriptPaste, parsePaste, splitFences } from '../../src/request/index.ts';
import type { ParsedPaste } from '../shared/flow.ts';

export interface WebPaste {
  code: string;
  tests?: string | undefined;
  description?: string | undefined;
  entryPoint?: string | undefined;
  /** Tests the user added by picking an offered answer on the page (see RepairRequest.confirmedTests). */
  confirmedTests?: string[] | undefined;
}

/** Answers the user picked on the page count only while they are still among the tests. */
function keepConfirmed(paste: ParsedPaste, picked: readonly string[] | undefined): ParsedPaste {
  const confirmed = (picked ?? []).map((t) => t.trim()).filter((t) => t !== '' && (paste.tests ?? '').includes(t));
  if (confirmed.length) paste.confirmedTests = confirmed;
  return paste;
}

/** NUL, or many control characters: a file that is not text (an image pasted into the field). */
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  // eslint-disable-next-line no-control-regex
  const controls = text.match(/[\u0001-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0;
  return controls > 8 && controls > text.length / 100;
}

/**
 * People paste tests the way they paste code, often straight from a chat or a README: in a ```python
 * fence, sometimes with a sentence around it. Python cannot read the fence, so keep what is inside the
 * fences. Only a fence at the start of a line counts: three backticks inside a test's string are data.
 */
export function unfenceTests(text: string): string {
  if (!/^[ \t]*(`{3,}|~{3,})/m.test(text)) return text;
  const { blocks } = splitFences(text);
  return blocks
    .map((block) => block.content)
    .filter((content) => content.trim() !== '')
    .join('\n\n');
}

/**
 * The form separates code, tests and description, but people still paste fenced code, or the function
 * and its asserts together into the code box: the code box goes through the chat paste parser
 * (src/request), which strips fences, splits trailing tests off and finds the entry point. The size,
 * binary and empty checks come first, worded for the form. Empty optional fields count as absent.
 * Syntax errors are the engine's to report: it has the Python parser.
 */
export function checkPaste(input: WebPaste, maxBytes: number): ParsedPaste {
  const code = input.code.replace(/\r\n/g, '\n');
  const tests = input.tests === undefined ? undefined : unfenceTests(input.tests.replace(/\r\n/g, '\n'));
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
  const js = parseJavaScriptPaste(code, tests);
  if (js) {
    const jsPaste: ParsedPaste = { code: js.code, language: js.language, ...(js.tests ? { tests: js.tests } : {}) };
    if (description) jsPaste.description = description;
    if (input.entryPoint?.trim()) jsPaste.entryPoint = input.entryPoint.trim();
    return keepConfirmed(jsPaste, input.confirmedTests);
  }
  let parsed;
  try {
    parsed = parsePaste({ text: code, platform: 'web' }, { maxBytes });
  } catch (error) {
    if (isTracefixError(error) && error.code === 'bad_input') {
      const sentence = /^Traceback \(most recent call last\):/m.test(code)
        ? 'I see a traceback in the code box, but not the code that raised it: paste the function there, and a test that shows the failure in the tests box.'
        : 'I couldn’t find Python code in the code box: paste the function that fails there, and its tests (asserts) in the tests box.';
      throw new TracefixError('bad_input', sentence, { cause: error });
    }
    throw error;
  }
  const paste: ParsedPaste = { code: parsed.code };
  const allTests = [parsed.tests, tests].filter((t): t is string => t !== undefined && t.trim() !== '').join('\n\n');
  if (allTests !== '') paste.tests = allTests;
  if (description !== undefined && description !== '') paste.description = description;
  // HumanEval-style `check(fn)` in the tests box names the function under test.
  const checked = tests === undefined ? undefined : /^check\s*\(\s*([A-Za-z_]\w*)\s*\)/m.exec(tests)?.[1];
  const entryPoint = input.entryPoint?.trim() || checked || parsed.entryPoint;
  if (entryPoint) paste.entryPoint = entryPoint;
  return keepConfirmed(paste, input.confirmedTests);
}
