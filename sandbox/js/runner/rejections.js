// Unhandled promise rejections, found from inside the guest. quickjs-emscripten 0.32 exposes no
// host rejection tracker (JS_SetHostPromiseRejectionTracker is neither in its FFI nor exported
// from the wasm), so the prelude (guest.js) watches promises itself: `new Promise`, the statics and
// every `.then`/`.catch`/`.finally` go through it. What it cannot see is the promise an `async`
// function returns: the engine makes that one from its intrinsic constructor. This rewrite gives it
// those too, by turning
//     async function load(x) { BODY }      into   function load(x) { return __tfi.track((async () => { BODY })()) }
//     async (x) => EXPR                    into   (x) => __tfi.track((async () => EXPR)())
// The inner arrow keeps `this`, `arguments`, `super` and `new.target` of the function it replaces,
// the parameters stay where they were (`f.length` is unchanged), and only text is inserted, never a
// newline: the program's line numbers stay the same, for verdicts and traces alike.
import MagicString from 'magic-string';
import { parseJs } from './prepare.js';

const SKIP_KEYS = new Set(['type', 'start', 'end', 'loc', 'range', 'raw', 'regex']);
const cache = new Map();
const CACHE_SIZE = 64;

/** `code` with every async function's promise handed to the guest's tracker; `code` itself when it has none. */
export function trackAsync(code) {
  if (!/\basync\b/.test(code)) return code;
  const hit = cache.get(code);
  if (hit !== undefined) return hit;
  const out = rewrite(code);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value);
  cache.set(code, out);
  return out;
}

function rewrite(code) {
  let ast;
  try {
    ast = parseJs(code).ast;
  } catch {
    return code; // the evaluation reports the syntax error
  }
  const s = new MagicString(code);
  const opening = (name) => (name ? `({${JSON.stringify(name)}:async () => ` : '(async () => ');
  const closing = (name) => (name ? `})[${JSON.stringify(name)}]()` : ')()');

  /** Removes the `async` keyword found in code[from, to); false when it is not there. */
  function dropAsync(from, to) {
    const m = /\basync\b/.exec(code.slice(from, to));
    if (!m) return false;
    s.remove(from + m.index, from + m.index + 5);
    return true;
  }

  function rewriteFunction(fn, keywordFrom, keywordTo, name) {
    if (!fn.async || fn.generator) return;
    if (!dropAsync(keywordFrom, keywordTo)) return;
    if (fn.body.type === 'BlockStatement') {
      // Closings go in front of what is already there: an inner function's closing comes first.
      s.appendLeft(fn.body.start + 1, `return __tfi.track(${opening(name)}{`);
      s.prependLeft(fn.body.end - 1, `}${closing(name)});`);
    } else {
      const paramsEnd = fn.params.length ? fn.params[fn.params.length - 1].end : keywordTo;
      const arrow = code.indexOf('=>', paramsEnd);
      s.appendLeft(arrow + 2, ` __tfi.track(${opening(name)}`);
      s.prependLeft(fn.end, `${closing(name)})`);
    }
  }

  function keyName(member) {
    if (member.computed) return undefined;
    return member.key.type === 'Identifier' ? member.key.name : typeof member.key.value === 'string' ? member.key.value : undefined;
  }

  function visit(node) {
    if (!node || typeof node.type !== 'string') return;
    if ((node.type === 'MethodDefinition' || (node.type === 'Property' && (node.method || node.kind !== 'init'))) && node.value?.type === 'FunctionExpression') {
      // `async m() {}` / `static async m() {}`: the keyword is in front of the key, not the function.
      rewriteFunction(node.value, node.start, node.key.start, keyName(node));
      visit(node.key);
      visit(node.value.body);
      for (const p of node.value.params) visit(p);
      return;
    }
    if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') {
      rewriteFunction(node, node.start, node.start + 5, node.id?.name);
    } else if (node.type === 'ArrowFunctionExpression') {
      rewriteFunction(node, node.start, node.start + 5, undefined);
    }
    for (const key of Object.keys(node)) {
      if (SKIP_KEYS.has(key)) continue;
      const v = node[key];
      if (Array.isArray(v)) for (const c of v) visit(c);
      else if (v && typeof v === 'object' && typeof v.type === 'string') visit(v);
    }
  }

  visit(ast);
  return s.toString();
}
