// Trace instrumentation on the AST (acorn + magic-string): every statement of a statement list gets a
// hook in front of it, loops a hook at the top of their body, functions an enter/leave frame and their
// returns a wrapper. The hooks (guest.js `__tf`) diff the frame's visible locals to record what each
// line changed. Only text is inserted, never a newline: line numbers of the program stay the same.
import MagicString from 'magic-string';

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const LOOP_TYPES = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const SKIP_KEYS = new Set(['type', 'start', 'end', 'loc', 'range', 'raw', 'regex']);

/** Identifiers bound by a pattern (`a`, `{ b, c: [d] }`, `...rest`, `e = 1`). */
export function patternNames(node, out = []) {
  if (!node) return out;
  switch (node.type) {
    case 'Identifier':
      out.push(node.name);
      break;
    case 'ObjectPattern':
      for (const p of node.properties) patternNames(p.type === 'RestElement' ? p.argument : p.value, out);
      break;
    case 'ArrayPattern':
      for (const e of node.elements) patternNames(e, out);
      break;
    case 'RestElement':
      patternNames(node.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(node.left, out);
      break;
  }
  return out;
}

function declaredBy(stmt) {
  if (stmt.type === 'VariableDeclaration') return stmt.declarations.flatMap((d) => patternNames(d.id));
  if (stmt.type === 'ExportNamedDeclaration' && stmt.declaration) return declaredBy(stmt.declaration);
  return [];
}

/** Lines whose end lies inside a multi-line template literal or block comment: no `//` comment may go there. */
export function unsafeLines(ast, comments) {
  const bad = new Set();
  const mark = (loc) => {
    for (let l = loc.start.line; l < loc.end.line; l++) bad.add(l);
  };
  for (const c of comments ?? []) if (c.type === 'Block') mark(c.loc);
  walk(ast, (n) => {
    if (n.type === 'TemplateLiteral') for (const q of n.quasis) mark(q.loc);
    if (n.type === 'Literal' && typeof n.value === 'string' && n.loc.end.line > n.loc.start.line) mark(n.loc);
  });
  return bad;
}

function walk(node, visit) {
  if (!node || typeof node.type !== 'string') return;
  visit(node);
  for (const key of Object.keys(node)) {
    if (SKIP_KEYS.has(key)) continue;
    const v = node[key];
    if (Array.isArray(v)) for (const c of v) walk(c, visit);
    else if (v && typeof v === 'object' && typeof v.type === 'string') walk(v, visit);
  }
}

/** The last character of a node (its `loc.end` is one past it). */
function lastOf(node) {
  return { line: node.loc.end.line, column: Math.max(0, node.loc.end.column - 1) };
}

/** Where a statement's state is written: a compound statement's header, else its last line. */
function targetPos(stmt) {
  switch (stmt.type) {
    case 'IfStatement':
      return stmt.consequent.loc.start;
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement':
    case 'WhileStatement':
      return stmt.body.loc.start;
    case 'DoWhileStatement':
      return stmt.loc.start;
    case 'TryStatement':
      return stmt.block.loc.start;
    case 'SwitchStatement':
      return lastOf(stmt.discriminant);
    case 'BlockStatement':
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      return stmt.loc.start;
    case 'LabeledStatement':
      return targetPos(stmt.body);
    default:
      return lastOf(stmt);
  }
}

/**
 * @param {string} code the flattened program (prepare.js)
 * @param {object} ast acorn AST of `code`
 * @param {(line: number, column: number) => number} [lineAt] the user's line for a position of `code`
 *   (TypeScript: through esbuild's source map; the hooks then carry the user's lines)
 * @returns {string} instrumented code, same lines
 */
export function instrument(code, ast, lineAt = (line) => line) {
  const s = new MagicString(code);
  const at = (pos) => lineAt(pos.line, pos.column);
  const targetLine = (stmt) => at(targetPos(stmt));
  const lit = (names) => JSON.stringify(names);
  const getter = (names) => `()=>[${names.join(',')}]`;

  function visitList(list, names, fnCtx) {
    const visible = names.slice();
    for (const stmt of list) {
      const directive = stmt.type === 'ExpressionStatement' && typeof stmt.directive === 'string';
      if (!directive && fnCtx) {
        s.appendLeft(stmt.start, `__tf.l(__f,${targetLine(stmt)},${lit(visible)},${getter(visible)});`);
      }
      visitStatement(stmt, visible, fnCtx);
      for (const n of declaredBy(stmt)) if (!visible.includes(n)) visible.push(n);
    }
  }

  function visitStatement(stmt, names, fnCtx) {
    if (LOOP_TYPES.has(stmt.type)) return visitLoop(stmt, names, fnCtx);
    if (stmt.type === 'BlockStatement') return visitList(stmt.body, names, fnCtx);
    if (stmt.type === 'ReturnStatement' && fnCtx) {
      const line = at(lastOf(stmt));
      if (stmt.argument) {
        s.appendLeft(stmt.argument.start, `__tf.ret(__f,${line},(`);
        visitNode(stmt.argument, names, fnCtx);
        s.appendLeft(stmt.argument.end, '))');
      } else {
        s.appendLeft(stmt.start + 'return'.length, ` __tf.ret(__f,${line},undefined)`);
      }
      return;
    }
    if (stmt.type === 'TryStatement') {
      visitList(stmt.block.body, names, fnCtx);
      if (stmt.handler) visitList(stmt.handler.body.body, names.concat(patternNames(stmt.handler.param)), fnCtx);
      if (stmt.finalizer) visitList(stmt.finalizer.body, names, fnCtx);
      return;
    }
    if (stmt.type === 'SwitchStatement') {
      visitNode(stmt.discriminant, names, fnCtx);
      for (const c of stmt.cases) {
        if (c.test) visitNode(c.test, names, fnCtx);
        visitList(c.consequent, names, fnCtx);
      }
      return;
    }
    if (stmt.type === 'IfStatement') {
      visitNode(stmt.test, names, fnCtx);
      visitStatement(stmt.consequent, names, fnCtx);
      if (stmt.alternate) {
        // `else hi = mid - 1;` (or `else if …`) on a line of its own: its changes belong to its line,
        // not to the `if` line, where the hook in front of the whole statement put them.
        const alt = stmt.alternate;
        if (fnCtx && alt.type !== 'BlockStatement' && targetLine(alt) !== targetLine(stmt)) {
          s.appendLeft(alt.start, `{__tf.l(__f,${targetLine(alt)},${lit(names)},${getter(names)});`);
          s.prependLeft(alt.end, '}');
        }
        visitStatement(alt, names, fnCtx);
      }
      return;
    }
    if (stmt.type === 'LabeledStatement') return visitStatement(stmt.body, names, fnCtx);
    visitNode(stmt, names, fnCtx);
  }

  function visitLoop(loop, names, fnCtx) {
    const head = [];
    if (loop.type === 'ForStatement') {
      if (loop.init) {
        if (loop.init.type === 'VariableDeclaration') head.push(...declaredBy(loop.init));
        visitNode(loop.init, names, fnCtx);
      }
      if (loop.update) {
        walk(loop.update, (n) => {
          if (n.type === 'UpdateExpression' && n.argument.type === 'Identifier') head.push(n.argument.name);
          if (n.type === 'AssignmentExpression' && n.left.type === 'Identifier') head.push(n.left.name);
        });
      }
    } else if (loop.type === 'ForInStatement' || loop.type === 'ForOfStatement') {
      head.push(...(loop.left.type === 'VariableDeclaration' ? declaredBy(loop.left) : patternNames(loop.left)));
      visitNode(loop.right, names, fnCtx);
    }
    if (loop.test) visitNode(loop.test, names, fnCtx);
    if (loop.update) visitNode(loop.update, names, fnCtx);
    const inner = names.concat(head.filter((n) => !names.includes(n)));
    const line = at(loop.type === 'DoWhileStatement' ? loop.loc.start : loop.body.loc.start);
    if (fnCtx) {
      const hook = `__tf.loop(__f,${line},${lit(inner)},${getter(inner)},${lit([...new Set(head)])})`;
      if (loop.type === 'ForStatement' && loop.test) {
        // In the test, which runs after the init and after every update: the init's values show even
        // when the body never runs (`for (let i = 1; i < 1; i++)`), and so does the last update
        // (`i` = 3 when `i < 3` ends the loop), as a debugger stepping the loop would see them.
        s.appendLeft(loop.test.start, `(${hook},`);
        s.prependLeft(loop.test.end, ')');
      } else if (loop.body.type === 'BlockStatement') s.appendLeft(loop.body.start + 1, `${hook};`);
      else {
        s.appendLeft(loop.body.start, `{${hook};`);
        s.appendLeft(loop.body.end, '}');
      }
    }
    visitStatement(loop.body, inner, fnCtx);
  }

  /** Any node: finds the functions inside expressions. */
  function visitNode(node, names, fnCtx, nameHint) {
    if (!node || typeof node.type !== 'string') return;
    if (FUNCTION_TYPES.has(node.type)) return visitFunction(node, nameHint);
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      for (const m of node.body.body) {
        const key = m.key && (m.key.name ?? m.key.value);
        const cls = node.id?.name ?? nameHint ?? 'class';
        if (m.type === 'MethodDefinition') visitFunction(m.value, `${cls}.${key}`);
        else if (m.type === 'StaticBlock') visitList(m.body, [], null);
        else if (m.value) visitNode(m.value, names, fnCtx);
      }
      return;
    }
    if (node.type === 'VariableDeclarator') {
      visitNode(node.init, names, fnCtx, node.id.type === 'Identifier' ? node.id.name : undefined);
      return;
    }
    if (node.type === 'Property' && node.value && FUNCTION_TYPES.has(node.value.type)) {
      visitFunction(node.value, node.key.name ?? String(node.key.value));
      return;
    }
    if (node.type === 'AssignmentExpression' && FUNCTION_TYPES.has(node.right.type)) {
      visitFunction(node.right, node.left.type === 'Identifier' ? node.left.name : node.left.property?.name);
      return;
    }
    for (const key of Object.keys(node)) {
      if (SKIP_KEYS.has(key)) continue;
      const v = node[key];
      if (Array.isArray(v)) for (const c of v) visitNode(c, names, fnCtx);
      else if (v && typeof v === 'object' && typeof v.type === 'string') visitNode(v, names, fnCtx);
    }
  }

  function visitFunction(fn, nameHint) {
    const name = fn.id?.name ?? nameHint ?? '<anonymous>';
    const params = fn.params.flatMap((p) => patternNames(p));
    const fnCtx = { name };
    const enter = (line) => `const __f=__tf.enter(${JSON.stringify(name)},${line},${lit(params)},${getter(params)});try{`;
    const close = (endLine) => `}catch(__e){__tf.thr(__f,__e);throw __e}finally{__tf.leave(__f,${endLine})}`;
    for (const p of fn.params) visitNode(p, params, null);
    if (fn.body.type === 'BlockStatement') {
      s.appendLeft(fn.body.start + 1, enter(at(fn.body.loc.start)));
      visitList(fn.body.body, params, fnCtx);
      s.appendLeft(fn.body.end - 1, close(at(lastOf(fn.body))));
    } else {
      const arrow = code.lastIndexOf('=>', fn.body.start);
      const line = at(lastOf(fn.body));
      s.appendLeft(arrow + 2, `{${enter(at(fn.loc.start))}return __tf.ret(__f,${line},(`);
      visitNode(fn.body, params, fnCtx);
      s.appendLeft(fn.end, `))${close(0)}}`);
    }
  }

  // The program's top level is a frame of its own, like Python's <module>.
  s.prepend(`const __f=__tf.enter("<module>",1,[],()=>[]);`);
  visitList(ast.body, [], { name: '<module>' });
  return s.toString();
}
