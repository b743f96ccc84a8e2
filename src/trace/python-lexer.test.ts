import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeOnly, lexPython, type PythonSpan } from './python-lexer.ts';

/** The text of each span, with its kind: what the lexer says is a string or a comment. */
function spans(source: string, options = {}): string[] {
  return lexPython(source, options).spans.map((s) => `${s.kind}:${source.slice(s.start, s.end)}`);
}

/** Which physical lines leave their logical line open, as a string of o (open) and . (closed). */
function openness(source: string): string {
  return lexPython(source)
    .lineStates.map((s) => (s.open ? 'o' : '.'))
    .join('');
}

describe('lexPython: strings and comments', () => {
  it('keeps # and brackets inside a triple-quoted string, and finds the comment after it', () => {
    const source = 's = """a # not a comment (\n] still the string\n"""  # a comment\nx = [1]';
    expect(spans(source)).toEqual(['string:"""a # not a comment (\n] still the string\n"""', 'comment:# a comment']);
    expect(openness(source)).toBe('oo..');
    const state = lexPython(source).lineStates[0];
    expect(state).toEqual({ open: true, depth: 0, inString: true, continued: false, unterminated: false });
  });

  it("does not take a quote inside a comment for a string, nor a # inside a string for a comment", () => {
    const source = "x = 1  # it's (fine\ny = '#' + \"#\"\nz = 2";
    expect(spans(source)).toEqual(["comment:# it's (fine", "string:'#'", 'string:"#"']);
    expect(openness(source)).toBe('...');
  });

  it('reads string prefixes (r, b, u, f, t and pairs, any case) as part of the string', () => {
    expect(spans("a = rb'\\'' + Rb\"x\" + u'#' + F'{1}' + t'x' + BR'''y'''")).toEqual([
      "string:rb'\\''",
      'string:Rb"x"',
      "string:u'#'",
      "string:F'{1}'",
      "string:t'x'",
      "string:BR'''y'''",
    ]);
    // A longer word before a quote is a name, not a prefix: the string starts at the quote.
    expect(spans("print'x'")).toEqual(["string:'x'"]);
    expect(spans("_r'x'")).toEqual(["string:'x'"]);
  });

  it('escapes: a backslash keeps a quote or another backslash inside the string', () => {
    expect(spans("s = 'it\\'s' + \"a\\\\\" + 'b'")).toEqual(["string:'it\\'s'", 'string:"a\\\\"', "string:'b'"]);
  });

  it('closes a triple-quoted string only on its own kind of triple quote', () => {
    const source = "s = '''one \"\"\" two\n' three'''\nt = 1";
    expect(spans(source)).toEqual(["string:'''one \"\"\" two\n' three'''"]);
    expect(openness(source)).toBe('o..');
  });

  it('ends a one-line string at the line break (unterminated), so it does not swallow the file', () => {
    const result = lexPython("x = 'oops\ny = (1,\n2)");
    expect(result.spans.map((s) => s.end)).toEqual([9]);
    expect(result.lineStates.map((s) => s.unterminated)).toEqual([true, false, false]);
    expect(result.lineStates.map((s) => s.open)).toEqual([false, true, false]);
    expect(result.complete).toBe(false);
    expect(result.spans[0]?.closeStart).toBeUndefined();
  });
});

describe('lexPython: f-strings', () => {
  it('takes a replacement field that reuses the enclosing quote as part of the string (Python 3.12)', () => {
    const source = 'a = f"{d["k"] + "x"}" + "y"\nb = 1';
    expect(spans(source)).toEqual(['string:f"{d["k"] + "x"}"', 'string:"y"']);
    expect(openness(source)).toBe('..');
  });

  it('reads a format spec as text (a quote there is a fill character) with nested fields', () => {
    expect(spans(`s = f"{x:'^10}" + f'{v:{w}.{p}f}' # c`)).toEqual([`string:f"{x:'^10}"`, "string:f'{v:{w}.{p}f}'", 'comment:# c']);
    // `!=` and a slice or lambda colon inside brackets are code, not the start of a spec.
    expect(spans(`s = f"{a != b}{xs[1:2]}{(lambda q: q)(1)}" + '"'`)).toEqual([`string:f"{a != b}{xs[1:2]}{(lambda q: q)(1)}"`, `string:'"'`]);
  });

  it('treats doubled braces as text and a dict inside a field as code', () => {
    expect(spans(`s = f"{{not a field: '" + f"{ {'a': 1}['a'] }" + '}'`)).toEqual([
      `string:f"{{not a field: '"`,
      `string:f"{ {'a': 1}['a'] }"`,
      "string:'}'",
    ]);
  });

  it('keeps brackets inside fields out of the line depth', () => {
    const source = 'x = f"{f(1, [2])}" + g(\n  3)';
    expect(openness(source)).toBe('o.');
    expect(lexPython(source).lineStates[0]?.depth).toBe(1);
  });

  it('spans a triple-quoted f-string with fields over several lines', () => {
    const source = 's = f"""{a}\n{b["k"]} # no comment\n"""\nz = 0';
    expect(spans(source)).toEqual(['string:f"""{a}\n{b["k"]} # no comment\n"""']);
    expect(openness(source)).toBe('oo..');
  });

  it('closes a one-line f-string whose field is cut off at the line break', () => {
    const result = lexPython('s = f"{x\ny = 1');
    expect(result.lineStates.map((s) => [s.open, s.unterminated])).toEqual([
      [false, true],
      [false, false],
    ]);
    expect(result.spans).toEqual([{ kind: 'string', start: 4, end: 8, quoteStart: 5, opener: '"' }]);
  });
});

describe('lexPython: continuations and brackets', () => {
  it('joins lines on a backslash continuation (trailing blanks and CRLF tolerated)', () => {
    expect(openness('x = 1 + \\\n  2\ny = 3')).toBe('o..');
    expect(openness('x = 1 + \\  \r\n  2\r\ny = 3')).toBe('o..');
    expect(lexPython('x = 1 + \\\n  2').lineStates[0]?.continued).toBe(true);
    // A backslash in the middle of a line is not a continuation.
    expect(openness('x = a \\ b\ny')).toBe('..');
  });

  it('continues a one-line string past an escaped line break, CRLF too', () => {
    const source = "s = 'abc\\\ndef' + 'x'\nt = 1";
    expect(spans(source)).toEqual(["string:'abc\\\ndef'", "string:'x'"]);
    expect(lexPython(source).lineStates.map((s) => [s.open, s.inString, s.unterminated])).toEqual([
      [true, true, false],
      [false, false, false],
      [false, false, false],
    ]);
    expect(spans("s = 'abc\\\r\ndef'\r\n")).toEqual(["string:'abc\\\r\ndef'"]);
  });

  it('counts nested brackets of every kind, across lines, ignoring those in strings and comments', () => {
    const source = 'f(a[1], {"k": (2,  # )]}\n  3)}, ")",\n  [\n  ])\nnext = 1';
    expect(openness(source)).toBe('ooo..');
    expect(lexPython(source).lineStates.map((s) => s.depth)).toEqual([3, 1, 2, 0, 0]);
  });

  it('never lets a stray closing bracket drive the depth below zero', () => {
    expect(lexPython(')]\nx = (\n1)').lineStates.map((s) => s.depth)).toEqual([0, 1, 0]);
  });

  it('says whether the source ends complete', () => {
    expect(lexPython('def f():\n    return 1\n').complete).toBe(true);
    expect(lexPython('x = (1,\n').complete).toBe(false);
    expect(lexPython('x = 1 + \\').complete).toBe(false);
    expect(lexPython('s = """never closed\n').complete).toBe(false);
    expect(lexPython("s = 'one line\nx = 1").complete).toBe(false);
    expect(lexPython('').complete).toBe(true);
  });

  it('has one line state per physical line', () => {
    for (const source of ['', '\n', 'a\nb', 'a\n\n', 's = """\n\n"""', "x = 'a\\\nb'\n"]) {
      const result = lexPython(source);
      expect(result.lineStates).toHaveLength(source.split('\n').length);
      expect(result.lines).toEqual(source.split('\n'));
    }
  });
});

describe('lexPython: curly quotes', () => {
  it('takes curly quotes outside strings for straight ones only when asked', () => {
    const source = 'print(“hi”) # “c”\ns = "“in”"';
    expect(spans(source)).toEqual(['comment:# “c”', 'string:"“in”"']);
    const curly = lexPython(source, { curlyQuotes: true }).spans;
    expect(curly.map((s) => source.slice(s.start, s.end))).toEqual(['“hi”', '# “c”', '"“in”"']);
    expect(curly[0]).toMatchObject({ opener: '“', quoteStart: 6, closeStart: 9 });
  });

  it('closes a string a curly quote opened on a straight quote of the same kind, not on the other kind', () => {
    const source = "x = ‘it\" is’ + 'y'";
    expect(lexPython(source, { curlyQuotes: true }).spans.map((s) => source.slice(s.start, s.end))).toEqual(['‘it" is’', "'y'"]);
    expect(lexPython("x = ‘a'", { curlyQuotes: true }).spans[0]?.closeStart).toBe(6);
  });
});

describe('codeOnly', () => {
  it('blanks strings and comments, keeping every offset and line break', () => {
    const source = 'x = 10  # 20\ns = """30\n40""" + f"{50}"\ny = 60';
    const code = codeOnly(source);
    expect(code).toHaveLength(source.length);
    expect(code.split('\n')).toEqual(['x = 10      ', 's =      ', '      +        ', 'y = 60']);
    expect(code.match(/\d+/g)).toEqual(['10', '60']);
    expect(code.startsWith('x = 10  ')).toBe(true);
  });
});

/**
 * The oracle: Python's own tokenize, on tricky snippets and on every Python file in this repository.
 * For each physical line, whether its logical line goes on; and the string and comment tokens.
 */
const ORACLE = String.raw`
import io, json, sys, tokenize
out = []
for source in json.load(sys.stdin):
    lines = source.split('\n')
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len((line + '\n').encode('utf-16-le')) // 2)
    def offset(row, col):
        return starts[row - 1] + len(lines[row - 1][:col].encode('utf-16-le')) // 2
    closed = set()
    spans = []
    depth = 0
    fstring = 0
    fstart = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            name = tokenize.tok_name[tok.type]
            if name == 'FSTRING_START':
                if fstring == 0:
                    fstart = tok.start
                fstring += 1
            elif name == 'FSTRING_END':
                fstring -= 1
                if fstring == 0:
                    spans.append(['string', offset(*fstart), offset(*tok.end)])
            elif fstring > 0:
                continue
            elif name == 'STRING':
                spans.append(['string', offset(*tok.start), offset(*tok.end)])
            elif name == 'COMMENT':
                spans.append(['comment', offset(*tok.start), offset(*tok.end)])
            elif name == 'OP' and tok.string in '([{':
                depth += 1
            elif name == 'OP' and tok.string in ')]}':
                depth -= 1
            elif name in ('NEWLINE', 'ENDMARKER') or (name == 'NL' and depth == 0):
                closed.add(tok.start[0])
        out.append({'open': [i + 1 not in closed for i in range(len(lines))], 'spans': spans})
    except (tokenize.TokenError, SyntaxError) as error:
        out.append({'error': str(error)})
print(json.dumps(out))
`;

const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const available = python.status === 0;
const skipReason = available ? undefined : 'python3 is not on this machine';
if (skipReason) console.warn(`[skip] src/trace/python-lexer.test.ts: the tokenize oracle needs python3 (${skipReason})`);

const SNIPPETS = [
  's = """a # not a comment (\n] still\n"""  # c\nx = [1]',
  "x = 1  # it's (fine\ny = '#' + \"#\"\n",
  "a = rb'\\'' + Rb\"x\" + u'#' + BR'''y\n'''\n",
  'f(a[1], {"k": (2,  # )]}\n  3)}, ")",\n  [\n  ])\nnext = 1\n',
  'x = 1 + \\\n  2\ny = 3\n',
  "s = 'abc\\\ndef' + 'x'\nt = 1\n",
  's = f"{x!r:>10}" + f\'{v:{w}.{p}f}\' + f"{{lit}}"  # c\n',
  'def f(\n    a,  # first\n    b=")",\n):\n    return a\n',
  'class A:\n    """Doc with \'quotes\' and # hash."""\n\n    def m(self):\n        return {1: [2, (3,\n                       4)]}\n',
];

function repoPythonFiles(): string[] {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules' && entry.name !== '__pycache__') walk(full);
      else if (entry.isFile() && entry.name.endsWith('.py')) found.push(full);
    }
  };
  for (const top of ['sandbox', 'tests', 'prompts', 'src']) walk(path.join(root, top));
  return found;
}

describe.skipIf(skipReason !== undefined)(`lexPython agrees with Python's tokenize${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it("on tricky snippets and on every Python file in the repository: logical line ends, strings, comments", () => {
    const files = repoPythonFiles();
    expect(files.length).toBeGreaterThan(10);
    const sources = [...SNIPPETS, ...files.map((f) => readFileSync(f, 'utf8'))];
    const run = spawnSync('python3', ['-c', ORACLE], { input: JSON.stringify(sources), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(run.stderr).toBe('');
    const oracle = JSON.parse(run.stdout) as ({ open: boolean[]; spans: [PythonSpan['kind'], number, number][] } | { error: string })[];
    let compared = 0;
    sources.forEach((source, i) => {
      const expected = oracle[i];
      const label = i < SNIPPETS.length ? `snippet ${i}` : files[i - SNIPPETS.length];
      if (expected === undefined || 'error' in expected) throw new Error(`tokenize rejected ${label}: ${JSON.stringify(expected)}`);
      const lexed = lexPython(source);
      expect({ label, open: lexed.lineStates.map((s) => s.open) }).toEqual({ label, open: expected.open });
      expect({ label, spans: lexed.spans.map((s) => [s.kind, s.start, s.end]) }).toEqual({ label, spans: expected.spans });
      compared++;
    });
    expect(compared).toBe(sources.length);
  });
});
