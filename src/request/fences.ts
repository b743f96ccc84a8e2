/**
 * Code fences as chat platforms actually send them, which is looser than CommonMark:
 * - Slack puts the fence right against the code, with no language and no newline: "```def f():\n  ...```";
 * - Discord and the web chat use "```py\n...\n```", and users forget the closing fence;
 * - `~~~` fences, which we only accept at the start of a line (a `~~~` inside code is more likely content).
 * A word alone after the opening fence is its language; anything else there is already code.
 */

export interface FencedBlock {
  /** Lower-cased info word after the opening fence; '' when there is none. */
  lang: string;
  content: string;
}

export interface FenceSplit {
  blocks: FencedBlock[];
  /** The text outside every fence, fences removed, blocks replaced by a blank line. */
  outside: string;
  /** At least one fence was found (even an empty one). */
  hadFence: boolean;
}

const INFO_WORD = /^[ \t]*([\w+#.-]*)[ \t]*$/;
/** `python title="x.py"`: an info string with attributes, recognised by a known language first. */
const INFO_WITH_ATTRIBUTES = /^[ \t]*([\w+#.-]+)[ \t]+\S/;
const KNOWN_LANGS = new Set([
  'python',
  'py',
  'python3',
  'py3',
  'ipython',
  'pycon',
  'pytb',
  'text',
  'txt',
  'plaintext',
  'console',
  'shell',
  'sh',
  'bash',
  'js',
  'javascript',
  'ts',
  'typescript',
  'java',
  'c',
  'cpp',
  'go',
  'rust',
  'ruby',
  'json',
  'yaml',
  'toml',
  'diff',
]);
/** A keyword alone on the fence line is code, not a language tag. */
const STATEMENT_WORDS = new Set([
  'pass',
  'break',
  'continue',
  'return',
  'else',
  'try',
  'finally',
  'raise',
  'yield',
]);

export function splitFences(text: string): FenceSplit {
  const blocks: FencedBlock[] = [];
  const outside: string[] = [];
  let i = 0;
  let hadFence = false;
  while (i < text.length) {
    const open = findOpening(text, i);
    if (open === undefined) break;
    hadFence = true;
    outside.push(text.slice(i, open.index));

    const afterRun = open.index + open.run.length;
    let eol = text.indexOf('\n', afterRun);
    if (eol === -1) eol = text.length;
    const firstLine = text.slice(afterRun, eol);
    const info = INFO_WORD.exec(firstLine);
    const attributed =
      info === null && !firstLine.includes('`') ? INFO_WITH_ATTRIBUTES.exec(firstLine) : null;
    let lang = '';
    let contentStart = afterRun;
    if (info !== null && !STATEMENT_WORDS.has(info[1] ?? '')) {
      lang = (info[1] ?? '').toLowerCase();
      contentStart = Math.min(text.length, eol + 1);
    } else if (attributed !== null && KNOWN_LANGS.has((attributed[1] ?? '').toLowerCase())) {
      lang = (attributed[1] ?? '').toLowerCase();
      contentStart = Math.min(text.length, eol + 1);
    }

    const close = findClosing(text, contentStart, open.run);
    const contentEnd = close?.index ?? text.length;
    let content = text.slice(contentStart, contentEnd);
    if (content.endsWith('\n')) content = content.slice(0, -1);
    blocks.push({ lang, content });
    outside.push('\n\n');
    i = close === undefined ? text.length : close.index + close.length;
  }
  outside.push(text.slice(i));
  return { blocks, outside: outside.join(''), hadFence };
}

function findOpening(text: string, from: number): { index: number; run: string } | undefined {
  const re = /`{3,}|(?<=^|\n)[ \t]{0,3}~{3,}/g;
  re.lastIndex = from;
  const m = re.exec(text);
  if (m === null) return undefined;
  const run = m[0].trimStart();
  return { index: m.index + (m[0].length - run.length), run };
}

function findClosing(text: string, from: number, run: string): { index: number; length: number } | undefined {
  if (run.startsWith('`')) {
    const re = new RegExp(`\`{${run.length},}`, 'g');
    re.lastIndex = from;
    const m = re.exec(text);
    return m === null ? undefined : { index: m.index, length: m[0].length };
  }
  const re = new RegExp(`(?<=^|\\n)[ \\t]{0,3}~{${run.length},}[ \\t]*(?=\\n|$)`, 'g');
  re.lastIndex = from;
  const m = re.exec(text);
  return m === null ? undefined : { index: m.index, length: m[0].length };
}
