import { chooseBlock, findBlocks, normalise, tidyRationale, type Block, type ParseOptions, type ParseOutcome } from './parse.ts';

/**
 * A model's answer to the JavaScript/TypeScript prompt → a Candidate. The prompt asks for one ```js
 * (or ```ts) block holding the whole program; models also label it `javascript`, `typescript`,
 * `jsx`, leave it unlabelled, add a usage block, or echo the annotated trace. No unfenced fallback:
 * prose and JavaScript are too alike to cut apart without fences.
 */

const JS_LANGS = new Set(['', 'js', 'javascript', 'jsx', 'mjs', 'cjs', 'node', 'ts', 'typescript', 'tsx']);

/** Top-level names a program declares (`function f`, `const f =`, `class C`, with `export`/`async`). */
function declaredNames(code: string): string[] {
  const names = new Set<string>();
  const pattern = /^(?:export\s+(?:default\s+)?)?(?:(?:async\s+)?function\s*\*?\s*([\w$]+)|(?:const|let|var)\s+([\w$]+)|(?:abstract\s+)?class\s+([\w$]+))/gm;
  for (const m of code.matchAll(pattern)) {
    const name = m[1] ?? m[2] ?? m[3];
    if (name) names.add(name);
  }
  return [...names];
}

/** The annotated program echoed back (`// (3) i=1;`), not a fix. */
function isTraceEcho(body: string): boolean {
  return /\/\/\s*\(\d+\)\s*(?:[\w$.]+=|__(?:return|exception)__=)/.test(body);
}

function stripTraceComments(code: string): string {
  return code.replace(/[ \t]*\/\/\s*\(\d+\)\s*(?:[\w$.]+=|__(?:return|exception)__=|$)[^\n]*$/gm, '');
}

/** Braces, brackets and parentheses close (outside strings and comments): a block cut off by the token limit does not. */
function balanced(code: string): boolean {
  const stripped = code
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, '""');
  let depth = 0;
  for (const ch of stripped) {
    if (ch === '{' || ch === '[' || ch === '(') depth++;
    else if (ch === '}' || ch === ']' || ch === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

function pick(blocks: Block[], originalNames: string[], entry: string | undefined): Block | undefined {
  const code = blocks.filter((b) => JS_LANGS.has(b.lang) && b.body.trim() !== '');
  return chooseBlock(code, isTraceEcho, declaredNames, originalNames, entry);
}

export function analyseJsAnswer(answer: string, options: ParseOptions): ParseOutcome {
  try {
    const text = normalise(answer);
    if (text.trim() === '') return { candidate: null, reason: 'empty' };
    const lines = text.split('\n');
    const original = options.program.replace(/\r\n?/g, '\n');
    const originalNames = declaredNames(original);
    const entry = options.entryPoint ?? (originalNames.length === 1 ? originalNames[0] : undefined);
    const block = pick(findBlocks(lines), originalNames, entry);
    if (!block) return { candidate: null, reason: 'no_code' };
    let code = isTraceEcho(block.body) ? stripTraceComments(block.body) : block.body;
    code = code.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
    if (code.trim() === '') return { candidate: null, reason: 'no_code' };
    if (!block.closed && !balanced(code)) return { candidate: null, reason: 'incomplete_code' };
    const defined = new Set(declaredNames(code));
    if (entry !== undefined && originalNames.includes(entry) && !defined.has(entry)) return { candidate: null, reason: 'missing_entry' };
    if (originalNames.length > 0 && defined.size === 0) return { candidate: null, reason: 'missing_entry' };
    const rationale = `${[...lines.slice(0, block.start), block.lead].join('\n')}\n\n${lines.slice(block.end).join('\n')}`;
    const ending = original.endsWith('\n') ? '\n' : '';
    return { candidate: { rationale: tidyRationale(rationale), code: `${code}${ending}` }, merged: false, source: 'fence' };
  } catch {
    // Heuristics over arbitrary text: whatever slipped through is only a bad sample.
    return { candidate: null, reason: 'no_code' };
  }
}
