// Turns pasted JavaScript or TypeScript into what the QuickJS context evaluates: TypeScript stripped
// (esbuild) with a line map back to what the user wrote, ES module syntax flattened into a global
// script (QuickJS evaluates the program once per test, then the test code, in one global scope), and
// the tests found: top-level asserts, jest/vitest/node:test registrations, JSDoc @example lines, or
// the program run top to bottom.
import { parse } from 'acorn';
import MagicString from 'magic-string';
import { createRequire } from 'node:module';
import { decode } from '@jridgewell/sourcemap-codec';

// esbuild is loaded on the first TypeScript request only: JavaScript requests start faster without it.
const require = createRequire(import.meta.url);
let esbuild;
export function transformSync(code, options) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(code, options);
}

export const ACORN = { ecmaVersion: 'latest', locations: true, allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true, allowHashBang: true };

/** Modules the sandbox provides; any other import fails with ModuleNotFoundError when it runs. */
export const PROVIDED_MODULES = ['assert', 'node:assert', 'assert/strict', 'node:assert/strict', 'vitest', '@jest/globals', 'node:test'];

export class PrepareError extends Error {
  constructor(info) {
    super(info.message);
    this.info = info;
  }
}

/** acorn with a module-then-script fallback (sloppy-mode code such as `with` parses only as a script). */
export function parseJs(code, onComment) {
  const comments = [];
  const opts = (sourceType) => ({ ...ACORN, sourceType, onComment: onComment ? comments : undefined });
  try {
    return { ast: parse(code, opts('module')), comments };
  } catch (moduleError) {
    comments.length = 0;
    try {
      return { ast: parse(code, opts('script')), comments };
    } catch {
      throw moduleError;
    }
  }
}

/**
 * TypeScript → JavaScript. Returns the JS and `lineOf(jsLine) → tsLine` from esbuild's source map.
 * esbuild does not type-check: a type error never stops a run (the issue asks exactly that).
 */
export function stripTypes(source) {
  let out;
  try {
    out = transformSync(source, { loader: 'ts', sourcemap: 'external', sourcefile: 'program.ts', target: 'es2022', format: 'esm', supported: { 'top-level-await': true } });
  } catch (e) {
    const first = e.errors?.[0];
    throw new PrepareError({ type: 'SyntaxError', message: first ? first.text : String(e.message).split('\n')[0], line: first?.location?.line, where: 'program' });
  }
  const mappings = decode(JSON.parse(out.map).mappings);
  const table = mappings.map((segments) => (segments.length && segments[0].length >= 4 ? segments[0][2] + 1 : undefined));
  // Lines esbuild generated on its own (no segment) take the next mapped line's source line.
  let next;
  for (let i = table.length - 1; i >= 0; i--) {
    if (table[i] === undefined) table[i] = next;
    else next = table[i];
  }
  // esbuild reprints: a statement the user spread over lines (`return s\n  .split(' ')\n  .map(...)`)
  // becomes one line. `lineAt` maps a position, not a line, to the TypeScript line it came from.
  const lineAt = (jsLine, column) => {
    const segments = mappings[jsLine - 1];
    let found;
    for (const seg of segments ?? []) {
      if (seg.length < 4) continue;
      if (seg[0] > column && found !== undefined) break;
      found = seg[2] + 1;
      if (seg[0] > column) break;
    }
    return found ?? table[jsLine - 1] ?? jsLine;
  };
  return { code: out.code, lineOf: (jsLine) => table[jsLine - 1] ?? jsLine, lineAt };
}

export function identityLines() {
  return (line) => line;
}

/** A program's `lineAt(line, column)`: the user's line for a position of the JavaScript that runs. */
export function lineAtOf(program) {
  return program.lineAt ?? ((line) => program.lineOf(line));
}

/** Pasted source → { js, lineOf } or throws PrepareError (a compile error of the user's program). */
export function compileProgram(source, language) {
  let js = source;
  let lineOf = identityLines();
  let lineAt;
  if (language === 'typescript') ({ code: js, lineOf, lineAt } = stripTypes(source));
  let parsed;
  try {
    parsed = parseJs(js, true);
  } catch (e) {
    throw new PrepareError({ type: 'SyntaxError', message: String(e.message).replace(/ \(\d+:\d+\)$/, ''), line: e.loc ? lineOf(e.loc.line) : undefined, where: 'program' });
  }
  const flat = flattenModule(js, parsed.ast);
  // Positions below refer to the flattened text: parse it again when flattening changed it.
  const final = flat === js ? parsed : parseJs(flat, true);
  return { js: flat, ast: final.ast, comments: final.comments, lineOf, ...(lineAt ? { lineAt } : {}), original: source };
}

/** `import`/`export` → plain script statements, without moving any line. */
export function flattenModule(code, ast) {
  const s = new MagicString(code);
  for (const node of ast.body) {
    if (node.type === 'ImportDeclaration') s.overwrite(node.start, node.end, importAsRequire(node));
    else if (node.type === 'ExportNamedDeclaration') {
      if (node.declaration) s.remove(node.start, node.declaration.start);
      else s.overwrite(node.start, node.end, blankLike(code.slice(node.start, node.end)));
    } else if (node.type === 'ExportDefaultDeclaration') {
      const d = node.declaration;
      if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) s.remove(node.start, d.start);
      else s.overwrite(node.start, d.start, 'globalThis.__default = ');
    } else if (node.type === 'ExportAllDeclaration') s.overwrite(node.start, node.end, blankLike(code.slice(node.start, node.end)));
  }
  return s.toString();
}

function blankLike(text) {
  return text.replace(/[^\n]/g, ' ');
}

function importAsRequire(node) {
  const from = JSON.stringify(node.source.value);
  const parts = [];
  const named = [];
  for (const spec of node.specifiers) {
    if (spec.type === 'ImportDefaultSpecifier' || spec.type === 'ImportNamespaceSpecifier') parts.push(`const ${spec.local.name} = require(${from});`);
    else {
      const imported = spec.imported.type === 'Identifier' ? spec.imported.name : JSON.stringify(spec.imported.value);
      named.push(imported === spec.local.name ? imported : `${imported}: ${spec.local.name}`);
    }
  }
  if (named.length) parts.push(`const { ${named.join(', ')} } = require(${from});`);
  if (!parts.length) parts.push(`require(${from});`);
  // Keep the statement's line count: the rest of the program must not move.
  const lines = node.loc.end.line - node.loc.start.line;
  return parts.join(' ') + '\n'.repeat(lines);
}

// ---------------------------------------------------------------- test discovery

/** A script's own timers run to the end (an interval that never stops is a timeout). */
export const DRAIN_TIMERS = 'while (__tfi.timers.length > 0) await new Promise((r) => setTimeout(r, 1e15));';

const ASSERT_ROOTS = new Set(['assert', 'expect']);
const REGISTRARS = new Set(['test', 'it', 'describe']);

function rootOf(node) {
  let n = node;
  for (;;) {
    if (n.type === 'AwaitExpression') n = n.argument;
    else if (n.type === 'CallExpression') n = n.callee;
    else if (n.type === 'MemberExpression') n = n.object;
    else if (n.type === 'ChainExpression') n = n.expression;
    else return n;
  }
}

/** 'assert' | 'registrar' | 'setup' for a top-level statement. */
export function classify(node) {
  if (node.type !== 'ExpressionStatement') return 'setup';
  let e = node.expression;
  if (e.type === 'AwaitExpression') e = e.argument;
  if (e.type !== 'CallExpression') return 'setup';
  const callee = e.callee;
  if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'console' && !callee.computed && callee.property.name === 'assert') return 'assert';
  const root = rootOf(e);
  if (root.type !== 'Identifier') return 'setup';
  if (ASSERT_ROOTS.has(root.name)) return 'assert';
  if (REGISTRARS.has(root.name)) return 'registrar';
  return 'setup';
}

const COMPARISONS = new Set(['===', '!==', '==', '!=']);

/** `console.assert(a === b)` / `assert(a === b)`: both sides are worth reporting, so compare through the harness. */
function assertCode(code, node) {
  const call = node.expression.type === 'AwaitExpression' ? node.expression.argument : node.expression;
  const callee = call.callee;
  const plain = (callee.type === 'Identifier' && callee.name === 'assert') || (callee.type === 'MemberExpression' && !callee.computed && ['console', 'assert'].includes(callee.object.name) && ['assert', 'ok'].includes(callee.property.name));
  const arg = call.arguments[0];
  if (plain && arg && arg.type === 'BinaryExpression' && COMPARISONS.has(arg.operator)) {
    const message = call.arguments[1] ? `, ${code.slice(call.arguments[1].start, call.arguments[1].end)}` : '';
    return `__tfi.cmp((${code.slice(arg.left.start, arg.left.end)}), ${JSON.stringify(arg.operator)}, (${code.slice(arg.right.start, arg.right.end)})${message});`;
  }
  return code.slice(node.start, node.end);
}

function label(text) {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? one.slice(0, 117) + '...' : one;
}

function stringArg(node) {
  const a = node?.arguments?.[0];
  if (a && a.type === 'Literal' && typeof a.value === 'string') return a.value;
  if (a && a.type === 'TemplateLiteral' && a.expressions.length === 0) return a.quasis[0].value.cooked;
  return undefined;
}

/**
 * Statically visible registrations (`test('name', …)`, inside `describe` blocks), so the names are
 * known before anything runs. Registration order at run time matches this walk for literal calls.
 */
function registrations(node, prefix, out) {
  const call = node.expression.type === 'AwaitExpression' ? node.expression.argument : node.expression;
  const root = rootOf(call);
  const name = stringArg(call);
  if (root.name === 'describe') {
    const fn = call.arguments[1];
    if (fn && (fn.type === 'FunctionExpression' || fn.type === 'ArrowFunctionExpression') && fn.body.type === 'BlockStatement') {
      for (const inner of fn.body.body) if (classify(inner) === 'registrar') registrations(inner, prefix.concat(name ?? 'describe'), out);
    }
    return;
  }
  const skipped = call.callee.type === 'MemberExpression' && !call.callee.computed && call.callee.property.name === 'skip';
  if (skipped) return;
  out.push({ name: prefix.concat(name ?? `test ${out.length + 1}`).join(' > '), line: node.loc.start.line });
}

/**
 * The tests of a request. `tests` null: the program's own top-level asserts/registrations if it has
 * some (a paste of code and tests together), else its JSDoc @example lines, else the program as a script.
 * Each case carries what the runner needs to run it: `code` (evaluated after the program) and, for
 * registered tests, `index` into the registrations.
 */
export function discoverTests(testsSource, program) {
  if (testsSource !== null && testsSource.trim() !== '') return fromTestsFile(testsSource, 'test');
  const inline = fromTestsFile(program.js, 'program', program.ast);
  if (inline.cases.length > 0) return inline;
  const examples = fromExamples(program);
  if (examples.length > 0) return { cases: examples, programSkip: [] };
  return { cases: [{ id: 't0', name: 'run the program', kind: 'script', line: 1, source: '', code: '' }], programSkip: [] };
}

function fromTestsFile(code, where, given) {
  let ast = given;
  if (!ast) {
    try {
      ast = parseJs(code).ast;
    } catch (e) {
      throw new PrepareError({ type: 'SyntaxError', message: String(e.message), line: e.loc?.line, where: 'test', traceback: e.loc ? `tests line ${e.loc.line}` : undefined });
    }
  }
  const text = (node) => (node.type === 'ImportDeclaration' ? importAsRequire(node).trim() : code.slice(node.start, node.end));
  const setup = [];
  const registrars = [];
  const cases = [];
  const programSkip = [];
  const found = [];
  for (const node of ast.body) {
    const kind = classify(node);
    if (kind === 'setup') {
      if (where === 'test') setup.push(text(node));
      continue;
    }
    if (where === 'program') programSkip.push([node.start, node.end]);
    if (kind === 'assert') {
      found.push({ kind: 'assert', node, code: [...setup, assertCode(code, node)].join('\n') });
    } else {
      registrars.push(text(node));
      const names = [];
      registrations(node, [], names);
      for (const n of names) found.push({ kind: 'registered', name: n.name, line: n.line });
    }
  }
  let index = 0;
  for (const f of found) {
    const id = `t${cases.length}`;
    if (f.kind === 'assert') {
      const source = code.slice(f.node.start, f.node.end);
      cases.push({ id, name: label(source), kind: 'assert', line: f.node.loc.start.line, source, code: f.code });
    } else {
      cases.push({ id, name: f.name, kind: 'pytest', line: f.line, source: f.name, code: [...setup, ...registrars].join('\n'), index: index++ });
    }
  }
  if (cases.length === 0 && where === 'test' && ast.body.length > 0) {
    // Tests without any assert or test(): run them as a script that must not throw.
    const source = code.trim();
    cases.push({ id: 't0', name: label(source.split('\n')[0] ?? 'the tests'), kind: 'script', line: 1, source, code: `${setup.join('\n')}\n${DRAIN_TIMERS}` });
  }
  return { cases, programSkip };
}

const EXAMPLE = /^(.*?);?\s*\/\/\s*(?:=>|→|->|returns?:?|=)?\s*(.+)$/;

/** JSDoc `@example` lines: `f(2) // => 4`, `f(2); // 4`, `f(2) //=> 4`. */
function fromExamples(program) {
  const out = [];
  for (const c of program.comments) {
    if (c.type !== 'Block' || !c.value.startsWith('*') || !c.value.includes('@example')) continue;
    const lines = c.value.split('\n');
    let inExample = false;
    lines.forEach((raw, i) => {
      let text = raw.replace(/^\s*\*?\s?/, '');
      if (/^@example\b/.test(text)) {
        inExample = true;
        text = text.replace(/^@example\s*/, '');
      } else if (/^@\w+/.test(text)) inExample = false;
      if (!inExample || !text.trim()) return;
      const m = EXAMPLE.exec(text.trim());
      if (!m) return;
      const [, expr, expected] = m;
      const line = program.lineOf(c.loc.start.line + i);
      out.push({
        id: `t${out.length}`,
        name: `${expr.trim()} // => ${expected.trim()}`,
        kind: 'doctest',
        line,
        source: text.trim(),
        code: `__tfi.example((${expr}), (${expected}));`,
      });
    });
  }
  return out;
}
