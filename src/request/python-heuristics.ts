/**
 * Line-based guesses about pasted text: is it Python, is it tests, is it a traceback, which function do
 * the tests call. Regexes per line only, so a 1 MB paste stays linear.
 */

const KEYWORD_START =
  /^\s*(?:async\s+def|def|class|import|from|return|if|elif|else|for|while|try|except|finally|with|raise|assert|yield|pass|break|continue|global|nonlocal|del|lambda|print|match|case)\b/;
const ANCHOR =
  /^\s*(?:(?:async\s+)?def\s+\w+\s*\(|class\s+\w+|import\s+\w|from\s+[\w.]+\s+import\b|assert\b|print\s*\(|[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*(?:[-+*/%&|^]|\/\/|\*\*|<<|>>)?=[^=]|[A-Za-z_][\w.]*\s*\(.*\)\s*$|@[A-Za-z_])/;
const CODE_PUNCTUATION = /[=()[\]{}]|:\s*$/;

/** A prose sentence: several plain words, no code punctuation, not a Python statement. */
export function isProse(line: string): boolean {
  if (/^\s/.test(line) || KEYWORD_START.test(line) || /^\s*#/.test(line)) return false;
  if (/[=()[\]{}]/.test(line)) return false;
  const words = line.trim().split(/\s+/);
  if (!words.every((w) => /^["'‘“]?[A-Za-z'’-]+[,.;:!?"'’”]*$/.test(w))) return false;
  // Three plain words, or two ending a sentence ("Thanks everyone!", "why though?").
  return words.length >= 3 || (words.length === 2 && /[.?!]$/.test(line.trim()));
}

function isPythonLike(line: string): boolean {
  return (
    KEYWORD_START.test(line) ||
    /^\s*[#@]/.test(line) ||
    /^\s+\S/.test(line) ||
    CODE_PUNCTUATION.test(line) ||
    /^\s*["']{3}/.test(line)
  );
}

/**
 * Enough to run: at least one statement-shaped line (a def, an import, an assignment, a call...) and at
 * least 80% of the non-blank lines code-shaped, not prose.
 */
export function looksLikePython(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  if (!lines.some((l) => ANCHOR.test(l))) return false;
  let codeLike = 0;
  for (const line of lines) if (isPythonLike(line) && !isProse(line)) codeLike++;
  return codeLike / lines.length >= 0.8;
}

/** A line that starts a top-level Python definition: where unfenced code most likely begins. */
export const TOP_LEVEL_START =
  /^(?:(?:async\s+)?def\s+\w+\s*\(|class\s+\w+|import\s+\w|from\s+[\w.]+\s+import\b|@[A-Za-z_])/;

const TRACEBACK_HEAD = /^Traceback \(most recent call last\):\s*$/;
const TRACEBACK_FILE = /^\s+File "[^"]*", line \d+/;
/** The last line: `Type` or `Type: message` (dotted for exceptions from modules). */
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?::.*)?$/;

export interface TextWithTracebacks {
  /** The text with each traceback removed. */
  rest: string;
  tracebacks: string[];
}

/**
 * Python tracebacks: "Traceback (most recent call last):", the indented frame lines, and the final
 * `Type: message` line. Also the SyntaxError form with no header (File line, source, caret, error).
 */
export function extractTracebacks(text: string): TextWithTracebacks {
  const lines = text.split('\n');
  const rest: string[] = [];
  const tracebacks: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const headed = TRACEBACK_HEAD.test(line.trim());
    const bare = !headed && TRACEBACK_FILE.test(line) && /^\s*File "/.test(line);
    if (!headed && !bare) {
      rest.push(line);
      i++;
      continue;
    }
    let j = i + 1;
    // Frame lines are indented; chained exceptions repeat the header after a blank line and a sentence.
    while (
      j < lines.length &&
      (/^\s+\S/.test(lines[j] ?? '') || TRACEBACK_HEAD.test((lines[j] ?? '').trim()))
    )
      j++;
    const last = lines[j] ?? '';
    const hasFrames = lines.slice(i, j).some((l) => TRACEBACK_FILE.test(l));
    if (hasFrames && j < lines.length && EXCEPTION_LINE.test(last.trim())) {
      tracebacks.push(lines.slice(i, j + 1).join('\n'));
      i = j + 1;
      continue;
    }
    if (hasFrames && headed) {
      // Cut off before the exception line (a truncated paste): still a traceback.
      tracebacks.push(lines.slice(i, j).join('\n'));
      i = j;
      continue;
    }
    rest.push(line);
    i++;
  }
  return { rest: rest.join('\n'), tracebacks };
}

export function hasTraceback(text: string): boolean {
  return extractTracebacks(text).tracebacks.length > 0;
}

/** A top-level statement that belongs to tests rather than to the code under test. */
const TEST_STATEMENT =
  /^(?:assert\b|def\s+test\w*\s*\(|async\s+def\s+test\w*\s*\(|def\s+check\s*\(|check\s*\(|class\s+Test\w*|if\s+__name__\s*==|test\w*\s*\(\s*\)\s*$|import\s+(?:pytest|unittest)\b|from\s+(?:pytest|unittest)\b|unittest\.main\s*\(|pytest\.main\s*\()/;
/** Top-level lines allowed among tests without making them code. */
const TEST_COMPANION = /^(?:import\s|from\s+[\w.]+\s+import\s|print\s*\(|[A-Za-z_]\w*\s*=)/;

export function isTestSource(text: string): boolean {
  return /^(?:assert\b|def\s+test\w*\s*\(|def\s+check\s*\(|check\s*\(|class\s+Test\w*)/m.test(text);
}

/** Top-level function names, except the tests' own (test_*, check). */
export function topLevelFunctions(code: string): string[] {
  const names: string[] = [];
  for (const m of code.matchAll(/^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/gm)) {
    const name = m[1] ?? '';
    if (!/^test/.test(name) && name !== 'check') names.push(name);
  }
  return names;
}

function hasCodeDefinitions(text: string): boolean {
  return topLevelFunctions(text).length > 0 || /^class\s+(?!Test)\w+/m.test(text);
}

export interface CodeAndTests {
  code: string;
  tests: string;
}

/**
 * One block holding both the function and its tests (the usual single paste): the tests are the tail
 * that starts at the first top-level test statement, provided nothing after it is code (a def, a class,
 * a statement that is neither test nor setup). Otherwise the whole block is code.
 */
export function splitCodeAndTests(block: string): CodeAndTests {
  const lines = block.split('\n');
  const start = lines.findIndex((l) => TEST_STATEMENT.test(l));
  if (start === -1) return { code: block, tests: '' };
  let inTestDef = false;
  for (let k = start; k < lines.length; k++) {
    const line = lines[k] ?? '';
    if (line.trim() === '' || /^\s/.test(line) || /^\s*#/.test(line)) continue;
    if (/^(?:else|elif|except|finally)\b/.test(line) && inTestDef) continue;
    if (TEST_STATEMENT.test(line)) {
      inTestDef = true;
      continue;
    }
    if (TEST_COMPANION.test(line) && !hasCodeDefinitions(line)) continue;
    return { code: block, tests: '' };
  }
  // Comments and blank lines just above the first test belong with the tests.
  let cut = start;
  while (cut > 0 && /^\s*(?:#.*)?$/.test(lines[cut - 1] ?? '')) cut--;
  return { code: lines.slice(0, cut).join('\n'), tests: lines.slice(cut).join('\n') };
}

/**
 * The function the tests exercise: the argument of a top-level `check(fn)` (HumanEval), else the one
 * top-level function of the code that the tests call; with no tests, the code's only function.
 */
export function findEntryPoint(code: string, tests: string | undefined): string | undefined {
  const functions = [...new Set(topLevelFunctions(code))];
  if (tests !== undefined && tests.trim() !== '') {
    const check = /^check\s*\(\s*([A-Za-z_]\w*)\s*\)/m.exec(tests);
    if (check?.[1] !== undefined) return check[1];
    // Names the tests call (not methods: `x.f(` is someone else's f).
    const calls = new Set<string>();
    for (const m of tests.matchAll(/(?<![\w.])([A-Za-z_]\w*)\s*\(/g)) calls.add(m[1] ?? '');
    const called = functions.filter((name) => calls.has(name));
    return called.length === 1 ? called[0] : undefined;
  }
  return functions.length === 1 ? functions[0] : undefined;
}

/** Remove the indentation every non-blank line shares (code copied from inside a class or a list). */
export function dedent(text: string): string {
  const lines = text.split('\n');
  let common: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (common === undefined) common = indent;
    else {
      let n = 0;
      while (n < common.length && n < indent.length && common[n] === indent[n]) n++;
      common = common.slice(0, n);
    }
    if (common === '') return text;
  }
  if (common === undefined || common === '') return text;
  const width = common.length;
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(width))).join('\n');
}
