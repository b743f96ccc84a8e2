/**
 * A JavaScript or TypeScript paste: the fence says so (```js, ```ts), or the unfenced text reads as
 * JavaScript (language.ts). Returns undefined for Python, which the Python paste parser handles.
 * Code and tests may come in one block: the JS runner finds the top-level asserts and test() calls
 * itself, so nothing is split here.
 */
import { splitFences } from './fences.ts';
import { detectLanguage, languageOfFence, type Language } from './language.ts';

export interface JsPaste {
  code: string;
  tests?: string;
  language: Exclude<Language, 'python'>;
}

function blocksOf(text: string): { lang: string; content: string }[] | undefined {
  if (!/^[ \t]*(`{3,}|~{3,})/m.test(text)) return undefined;
  return splitFences(text).blocks.filter((b) => b.content.trim() !== '');
}

/** `text`: the paste (code, maybe with tests); `tests`: a separate tests field, if the front end has one. */
export function parseJavaScriptPaste(text: string, tests?: string): JsPaste | undefined {
  const blocks = blocksOf(text);
  let language: Language;
  let code: string;
  let inlineTests: string | undefined;
  if (blocks && blocks.length > 0) {
    const named = blocks.map((b) => languageOfFence(b.lang)).find((l) => l !== undefined);
    language = named ?? detectLanguage(blocks.map((b) => b.content).join('\n'));
    code = blocks[0]!.content;
    // A second block is the tests (the way people paste "my code" then "my tests").
    if (blocks.length > 1) inlineTests = blocks.slice(1).map((b) => b.content).join('\n\n');
  } else {
    language = detectLanguage(`${text}\n${tests ?? ''}`);
    code = text;
  }
  if (language === 'python') return undefined;
  const testBlocks = tests === undefined ? undefined : (blocksOf(tests)?.map((b) => b.content).join('\n\n') ?? tests);
  const allTests = [inlineTests, testBlocks].filter((t): t is string => t !== undefined && t.trim() !== '').join('\n\n');
  return { code: code.endsWith('\n') ? code : `${code}\n`, ...(allTests ? { tests: allTests } : {}), language };
}
