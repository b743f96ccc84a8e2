/**
 * Which language a paste or a file is in: a fence's info string or the file name says so outright;
 * otherwise the text's own signs decide. Python stays the default: a guess must be confident before
 * it sends code to another runner.
 */
export type Language = 'python' | 'javascript' | 'typescript';

const FENCE_NAMES: Record<string, Language> = {
  py: 'python',
  python: 'python',
  python3: 'python',
  js: 'javascript',
  javascript: 'javascript',
  node: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  typescript: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
};

/** `js`, `TypeScript`, `py` (a fence's info string) → the language, if it names one. */
export function languageOfFence(info: string | undefined): Language | undefined {
  const word = info?.trim().split(/\s+/)[0]?.toLowerCase();
  return word ? FENCE_NAMES[word] : undefined;
}

/** By extension: `buggy.ts` → typescript; undefined when the name does not say. */
export function languageOfFile(path: string): Language | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? FENCE_NAMES[m[1]!.toLowerCase()] : undefined;
}

const JS_SIGNS = [
  /^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*[A-Za-z_$][\w$]*\s*\(/m,
  /^\s*(?:export\s+)?(?:const|let|var)\s+[A-Za-z_$][\w$]*\s*=/m,
  /=>\s*[{(]?/,
  /\bconsole\.(?:log|assert|error)\s*\(/,
  /^\s*import\s+.+\s+from\s+['"]/m,
  /\brequire\(\s*['"]/,
  /;\s*$/m,
  /^\s*}\s*$/m,
  /\b(?:test|it|describe)\(\s*['"`]/,
  /\bexpect\(.+\)\.(?:to|not)/,
];
const TS_SIGNS = [
  /^\s*(?:export\s+)?(?:interface|type)\s+[A-Z]\w*\s*[={<]/m,
  /\)\s*:\s*(?:string|number|boolean|void|any|unknown|never|[A-Z]\w*(?:<[^>]*>)?(?:\[\])?)\s*(?:\{|=>)/,
  /\b[a-z]\w*\s*:\s*(?:string|number|boolean|any|unknown)(?:\[\])?\s*[,)=;]/,
  /\bas\s+(?:const|string|number|any|unknown)\b/,
  /<[A-Z]\w*>\s*\(/,
];
const PY_SIGNS = [/^\s*def\s+\w+\s*\(.*\)\s*(?:->\s*[^:]+)?:\s*$/m, /^\s*(?:from\s+\w+\s+)?import\s+\w+\s*$/m, /^\s*(?:elif|except|with)\b.*:\s*$/m, /^\s*assert\s+[^(]/m, /\bself\b/, /^\s*class\s+\w+(?:\(.*\))?:\s*$/m, /\bprint\(/, /^\s*#/m];

/** Language of unlabelled text, by counting signs; Python unless JavaScript clearly wins. */
export function detectLanguage(text: string): Language {
  const count = (signs: RegExp[]) => signs.filter((re) => re.test(text)).length;
  const py = count(PY_SIGNS);
  const js = count(JS_SIGNS);
  if (js < 2 || js <= py) return 'python';
  return count(TS_SIGNS) > 0 ? 'typescript' : 'javascript';
}

/** The language of a file or paste: the name or fence first, then the text. */
export function languageOf(text: string, hint?: { file?: string; fence?: string }): Language {
  return (hint?.fence ? languageOfFence(hint.fence) : undefined) ?? (hint?.file ? languageOfFile(hint.file) : undefined) ?? detectLanguage(text);
}
