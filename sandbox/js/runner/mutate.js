// The JavaScript program search: general one-edit variants on the AST (operators, == / ===,
// off-by-one, < / <=, variables, var/let, missing return, an answer logged for returned, for…in for
// for…of, map/forEach, push/concat, slice/splice, a nested array handled one level deep where the
// function was to recurse into it, a walk that was to stop at the first item failing its `if`, a
// filter missing (or lacking one condition), a variable's name in quotes, a root compared with its
// number unraised, letters of one case where either counts, missing await, parseInt radix, sort
// comparator...), tried on the lines the failing test executed first, each screened on that test and
// then verified on every test, in one runner process. Answers
// in src/repair/search.ts's SearchResponse shape, so the engine reads both languages alike.
// Then probing: passing variants that disagree on inputs grown from the tests are reported, so the
// engine can say the tests do not pin the fix down instead of claiming one.
import { compileProgram, lineAtOf, parseJs, PrepareError } from './prepare.js';
import { instrument, patternNames } from './instrument.js';
import { casesFor, runIsolated, withoutInlineTests } from './service.js';

const SWAPS = {
  '<': ['<=', '>'],
  '<=': ['<', '>='],
  '>': ['>=', '<'],
  '>=': ['>', '<='],
  '==': ['===', '!='],
  '!=': ['!==', '=='],
  '===': ['!=='],
  '!==': ['==='],
  '+': ['-'],
  '-': ['+'],
  '*': ['/'],
  '/': ['*'],
  '%': ['/'],
  '&&': ['||'],
  '||': ['&&', '??'],
  '??': ['||'],
  '+=': ['-='],
  '-=': ['+='],
  '*=': ['/='],
  '++': ['--'],
  '--': ['++'],
};
const METHOD_SWAPS = {
  forEach: ['map'],
  map: ['forEach', 'flatMap', 'filter'],
  filter: ['find', 'map'],
  find: ['filter', 'findIndex'],
  push: ['concat', 'unshift'],
  concat: ['push'],
  slice: ['splice', 'substring'],
  splice: ['slice'],
  substring: ['slice', 'substr'],
  substr: ['substring'],
  indexOf: ['lastIndexOf', 'includes'],
  includes: ['indexOf'],
  some: ['every'],
  every: ['some'],
  floor: ['ceil', 'round'],
  ceil: ['floor', 'round'],
  round: ['floor', 'ceil'],
  max: ['min'],
  min: ['max'],
  toUpperCase: ['toLowerCase'],
  toLowerCase: ['toUpperCase'],
  startsWith: ['endsWith'],
  endsWith: ['startsWith'],
  keys: ['values', 'entries'],
  values: ['keys', 'entries'],
  entries: ['keys', 'values'],
  shift: ['pop'],
  pop: ['shift'],
  reduce: ['reduceRight'],
  trim: ['trimStart', 'trimEnd'],
};
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const FILTERS = ['{v} % 2 === 0', '{v} % 2 !== 0', '{v} > 0', '{v} < 0', '/^[a-z]$/i.test({v})', '/^[0-9]$/.test({v})'];
// The same filters as questions: a guard that asks one of a family (parity, sign) is not given another of it.
const FILTER_FAMILIES = [FILTERS.slice(0, 2), FILTERS.slice(2, 4), FILTERS.slice(4, 5), FILTERS.slice(5)];
const ROUNDING = new Set(['round', 'floor', 'ceil', 'trunc']);
const ROOTS = { sqrt: 2, cbrt: 3 };
const LOOP_TYPES = new Set(['ForStatement', 'ForOfStatement', 'ForInStatement', 'WhileStatement', 'DoWhileStatement']);

/** A string literal as a computed key (`obj['k']`) or a call's argument: where a quoted variable name shows. */
function quotedSlot(node, parent) {
  return node.type === 'Literal' && typeof node.value === 'string' &&
    ((parent?.type === 'MemberExpression' && parent.computed && parent.property === node) ||
      (parent?.type === 'CallExpression' && parent.arguments.includes(node)));
}

/** `Math.sqrt(x)`, `Math.cbrt(x)`, `x ** 0.5`, `x ** (1 / 3)`, also under Math.round/floor/ceil/trunc: x and the degree. */
function rootOf(node) {
  const mathCall = (n, names) => n.type === 'CallExpression' && n.callee.type === 'MemberExpression' && !n.callee.computed &&
    n.callee.object.type === 'Identifier' && n.callee.object.name === 'Math' && names.has(n.callee.property.name) && n.arguments.length === 1;
  while (mathCall(node, ROUNDING)) node = node.arguments[0];
  if (mathCall(node, new Set(Object.keys(ROOTS)))) return { of: node.arguments[0], degree: ROOTS[node.callee.property.name] };
  if (node.type === 'BinaryExpression' && node.operator === '**') {
    const e = node.right;
    if (e.type === 'Literal' && e.value === 0.5) return { of: node.left, degree: 2 };
    if (e.type === 'BinaryExpression' && e.operator === '/' && e.left.type === 'Literal' && e.left.value === 1 &&
        e.right.type === 'Literal' && Number.isInteger(e.right.value) && e.right.value >= 2 && e.right.value <= 9) {
      return { of: node.left, degree: e.right.value };
    }
  }
  return undefined;
}

function children(node) {
  const out = [];
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'type' || key === 'start' || key === 'end') continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === 'string') out.push(c);
    } else if (v && typeof v.type === 'string') out.push(v);
  }
  return out;
}

/** Every one-edit variant: { start, end, text, line, kind, description, before }. */
export function generateEdits(code, ast) {
  const edits = [];
  const strings = programStrings(ast);
  const add = (node, start, end, text, kind, description) => edits.push({ start, end, text, line: node.loc.start.line, column: node.loc.start.column, kind, description, before: code.slice(start, end) });

  function opPosition(node) {
    // The operator sits between the operands, outside comments and parentheses.
    const between = code.slice(node.left.end, node.right.start);
    const i = between.indexOf(node.operator);
    return i === -1 ? -1 : node.left.end + i;
  }

  // Filled as `visit` walks down (before the nodes below are visited): the function a declarator names
  // (`const flat = (xs) => …`), and the loop a block is the body of.
  const declarators = new Map();
  const loopOf = new Map();

  function visit(node, fn, parent) {
    const inFn = FUNCTIONS.has(node.type) ? node : fn;
    if (node.type === 'VariableDeclarator' && node.init && FUNCTIONS.has(node.init.type)) declarators.set(node.init, node);
    if (LOOP_TYPES.has(node.type) && node.body?.type === 'BlockStatement') loopOf.set(node.body, node.type);
    switch (node.type) {
      case 'IfStatement':
        nestedItem(node, fn);
        stopAtFirstFailure(node, parent);
        break;
      case 'ForOfStatement':
        missingFilter(node);
        break;
      case 'BinaryExpression':
      case 'LogicalExpression': {
        if (node.type === 'BinaryExpression') roundTrip(node);
        const at = opPosition(node);
        if (at !== -1) for (const to of SWAPS[node.operator] ?? []) add(node, at, at + node.operator.length, to, 'operator', `\`${node.operator}\` → \`${to}\``);
        if (node.operator === '-' && node.right.type === 'Literal' && node.right.value === 1) add(node, node.left.end, node.end, '', 'off_by_one', 'drop `- 1`');
        if (node.operator === '+' && node.right.type === 'Literal' && node.right.value === 1) add(node, node.left.end, node.end, '', 'off_by_one', 'drop `+ 1`');
        break;
      }
      case 'AssignmentExpression': {
        const between = code.slice(node.left.end, node.right.start);
        const i = between.indexOf(node.operator);
        if (i !== -1) for (const to of SWAPS[node.operator] ?? []) add(node, node.left.end + i, node.left.end + i + node.operator.length, to, 'operator', `\`${node.operator}\` → \`${to}\``);
        break;
      }
      case 'UpdateExpression': {
        const at = node.prefix ? node.start : node.argument.end;
        add(node, at, at + 2, SWAPS[node.operator][0], 'operator', `\`${node.operator}\` → \`${SWAPS[node.operator][0]}\``);
        break;
      }
      case 'UnaryExpression':
        if (node.operator === '!') add(node, node.start, node.argument.start, '', 'negation', 'drop `!`');
        break;
      case 'Literal':
        if (typeof node.value === 'number' && Number.isInteger(node.value) && Math.abs(node.value) < 1000 && !(parent?.type === 'Property' && parent.key === node)) {
          add(node, node.start, node.end, String(node.value + 1), 'off_by_one', `${node.value} → ${node.value + 1}`);
          // `i + size - 1` → `- 0` does nothing the edit that drops `- 1` does not do more plainly.
          const term = parent?.type === 'BinaryExpression' && (parent.operator === '+' || parent.operator === '-') && parent.right === node;
          if (node.value > 0 && !(node.value === 1 && term)) add(node, node.start, node.end, String(node.value - 1), 'off_by_one', `${node.value} → ${node.value - 1}`);
        }
        // A string argument or operand replaced by another string of the program, or by '' (`join(',')`
        // for `join('')`, `split(' ')` for `split('')`): the string-constant analogue of a variable misuse.
        if (typeof node.value === 'string' && stringSlot(node, parent)) {
          for (const other of strings) {
            if (other === node.value) continue;
            const text = quoted(other, node.raw?.[0] === '"' ? '"' : "'");
            add(node, node.start, node.end, text, 'constant', `${node.raw} → ${text}`);
          }
        }
        if (typeof node.value === 'boolean') add(node, node.start, node.end, String(!node.value), 'constant', `${node.value} → ${!node.value}`);
        quotedName(node, parent, fn);
        oneCase(node, parent);
        break;
      case 'MemberExpression':
        if (!node.computed && node.property.type === 'Identifier') {
          const name = node.property.name;
          if (name === 'length' && !(parent?.type === 'BinaryExpression' && parent.operator === '-' && parent.left === node)) add(node, node.end, node.end, ' - 1', 'off_by_one', '`.length` → `.length - 1`');
          for (const to of METHOD_SWAPS[name] ?? []) add(node, node.property.start, node.property.end, to, 'method', `\`.${name}\` → \`.${to}\``);
        }
        if (node.computed && node.property.type !== 'Literal') {
          add(node, node.property.end, node.property.end, ' - 1', 'off_by_one', 'index `- 1`');
          add(node, node.property.end, node.property.end, ' + 1', 'off_by_one', 'index `+ 1`');
        }
        break;
      case 'CallExpression': {
        const callee = node.callee;
        if (callee.type === 'Identifier' && callee.name === 'parseInt' && node.arguments.length === 1) add(node, node.arguments[0].end, node.arguments[0].end, ', 10', 'radix', 'give `parseInt` radix 10');
        if (callee.type === 'MemberExpression' && !callee.computed && callee.property.name === 'sort' && node.arguments.length === 0) {
          add(node, node.end - 1, node.end - 1, '(a, b) => a - b', 'sort', 'sort numbers with `(a, b) => a - b`');
        }
        if (inFn?.async && parent?.type !== 'AwaitExpression' && callee.type !== 'Super') add(node, node.start, node.start, 'await ', 'await', 'add a missing `await`');
        break;
      }
      case 'VariableDeclaration':
        if (node.kind === 'var') add(node, node.start, node.start + 3, 'let', 'scope', '`var` → `let`');
        else if (node.kind === 'let' && parent?.type !== 'ForStatement') add(node, node.start, node.start + 3, 'var', 'scope', '`let` → `var`');
        break;
      case 'ForInStatement': {
        // `for (const x in xs)` walks an array's keys ('0', '1', …) where its items were meant.
        const between = code.slice(node.left.end, node.right.start);
        const i = between.search(/\bin\b/);
        if (i !== -1) add(node, node.left.end + i, node.left.end + i + 2, 'of', 'loop', '`for…in` → `for…of`: the items, not their keys');
        break;
      }
      case 'ExpressionStatement':
        discardedResult(node);
        loggedAnswer(node, fn);
        // `xs.forEach(...)` / `xs.map(...)` as a function's last statement: the result was meant to be returned.
        if (fn && fn.body.type === 'BlockStatement' && fn.body.body.at(-1) === node && node.expression.type !== 'AssignmentExpression') {
          const call = node.expression;
          const forEach = call.type === 'CallExpression' && call.callee.type === 'MemberExpression' && call.callee.property?.name === 'forEach';
          if (forEach) add(node, call.callee.property.start, call.callee.property.end, 'map', 'missing_return', 'return the `.map` of it');
          add(node, node.start, node.start, 'return ', 'missing_return', 'return the last expression');
        }
        break;
    }
    if (FUNCTIONS.has(node.type) && node.body.type === 'BlockStatement' && !hasReturn(node.body)) missingReturn(node);
    for (const c of children(node)) visit(c, inFn, node);
  }

  // `xs.concat(ys);` or `s.trim();` as a statement: the method returns a new value and changes nothing,
  // so its result was meant to be kept (`s = s.trim()`), or, for `concat`, the mutating sibling was
  // meant (`xs.push(...ys)`).
  function discardedResult(stmt) {
    const call = stmt.expression;
    if (call.type !== 'CallExpression' || call.callee.type !== 'MemberExpression' || call.callee.computed) return;
    const name = call.callee.property.name;
    if (!PURE_METHODS.has(name)) return;
    const target = call.callee.object;
    // For `concat`, `push` keeps both readings right: the same array, now longer.
    if (name !== 'concat' && (target.type === 'Identifier' || target.type === 'MemberExpression')) {
      const lhs = code.slice(target.start, target.end);
      add(stmt, call.start, call.start, `${lhs} = `, 'discarded', `keep the result: \`${lhs} = ${lhs}.${name}(…)\``);
    }
    if (name === 'concat' && call.arguments.length > 0) {
      const args = call.arguments.map((a) => (a.type === 'SpreadElement' ? code.slice(a.start, a.end) : `...${code.slice(a.start, a.end)}`)).join(', ');
      add(stmt, call.callee.property.start, call.end, `push(${args})`, 'discarded', '`.concat(…)` → `.push(...…)`');
    }
  }

  // `console.log(total)` in a function that returns nothing: the answer was shown, not handed back.
  function loggedAnswer(stmt, fn) {
    const call = stmt.expression;
    if (!fn || fn.body.type !== 'BlockStatement' || hasReturn(fn.body)) return;
    if (call.type !== 'CallExpression' || call.arguments.length !== 1 || call.arguments[0].type === 'SpreadElement') return;
    const callee = call.callee;
    if (callee.type !== 'MemberExpression' || callee.computed || callee.object.type !== 'Identifier' || callee.object.name !== 'console' || callee.property.name !== 'log') return;
    const arg = code.slice(call.arguments[0].start, call.arguments[0].end);
    add(stmt, call.start, call.end, `return ${arg}`, 'missing_return', `return \`${arg}\` instead of logging it`);
  }

  // `if (Array.isArray(x)) out.push(...x)` in a function that is to flatten or walk a nested array: the
  // item is handled one level deep; the function is called on it instead (its other parameters passed
  // along), where the item is an argument, spread, returned, or what a loop walks.
  function nestedItem(stmt, fn) {
    const test = stmt.test;
    if (!fn || test.type !== 'CallExpression' || test.arguments.length !== 1 || test.arguments[0].type !== 'Identifier') return;
    const callee = test.callee;
    if (callee.type !== 'MemberExpression' || callee.computed || callee.object.name !== 'Array' || callee.property.name !== 'isArray') return;
    const name = functionName(fn);
    const params = fn.params.map((p) => (p.type === 'Identifier' ? p.name : undefined));
    if (!name || params.length === 0 || params.includes(undefined)) return;
    const item = test.arguments[0].name;
    if (params.slice(1).includes(item)) return;
    const call = `${name}(${[item, ...params.slice(1)].join(', ')})`;
    const walk = (node, parent) => {
      if (node.type === 'Identifier' && node.name === item && parent) {
        const read =
          (parent.type === 'CallExpression' && parent.arguments.includes(node) && !(parent.callee.type === 'Identifier' && parent.callee.name === name)) ||
          parent.type === 'SpreadElement' || parent.type === 'ReturnStatement' || (parent.type === 'ForOfStatement' && parent.right === node) ||
          (parent.type === 'AssignmentExpression' && parent.right === node);
        if (read) add(node, node.start, node.end, call, 'recursion', `recurse into \`${item}\`: \`${call}\``);
      }
      if (FUNCTIONS.has(node.type)) return;
      for (const c of children(node)) walk(c, node);
    };
    walk(stmt.consequent, stmt);
  }

  // `for (const x of xs) total += x;` where only some items were to count: the statement that sums,
  // counts or collects (the loop's only statement, or one directly in its block) runs only if the item
  // passes a common test of its kind (even, odd, positive, negative; a letter, a digit).
  function missingFilter(loop) {
    const decl = loop.left.type === 'VariableDeclaration' ? loop.left.declarations[0]?.id : loop.left;
    if (decl?.type !== 'Identifier') return;
    const item = decl.name;
    const statements = loop.body.type === 'BlockStatement' ? loop.body.body : [loop.body];
    const counts = (stmt) => {
      const e = stmt?.type === 'ExpressionStatement' ? stmt.expression : undefined;
      return Boolean(e) && ((e.type === 'AssignmentExpression' && (e.operator === '+=' || e.operator === '-=')) ||
        e.type === 'UpdateExpression' ||
        (e.type === 'CallExpression' && e.callee.type === 'MemberExpression' && !e.callee.computed && ['push', 'add'].includes(e.callee.property.name)));
    };
    for (const stmt of statements) {
      if (stmt.type === 'IfStatement' && !stmt.alternate) {
        // already guarded: the guard may lack the one condition the task asked for (one it asks already is not added)
        const inner = stmt.consequent.type === 'BlockStatement' && stmt.consequent.body.length === 1 ? stmt.consequent.body[0] : stmt.consequent;
        if (!counts(inner)) continue;
        const have = code.slice(stmt.test.start, stmt.test.end);
        const base = stmt.test.type === 'LogicalExpression' && stmt.test.operator !== '&&' || stmt.test.type === 'ConditionalExpression' ? `(${have})` : have;
        for (const family of FILTER_FAMILIES) {
          if (family.some((t) => have.includes(t.replaceAll('{v}', item)))) continue;
          for (const test of family) {
            const cond = test.replaceAll('{v}', item);
            add(stmt, stmt.test.start, stmt.test.end, `${base} && ${cond}`, 'guard', `also require \`${cond}\``);
          }
        }
        continue;
      }
      if (!counts(stmt)) continue;
      const text = code.slice(stmt.start, stmt.end);
      for (const test of FILTERS) {
        const cond = test.replaceAll('{v}', item);
        add(stmt, stmt.start, stmt.end, `if (${cond}) ${text}`, 'guard', `count only the items where \`${cond}\``);
      }
    }
  }

  // `counts['word']`, `hash('text')`: a variable's name in quotes where its value was meant; where the
  // function quotes it more than once (`c['word'] = (c['word'] || 0) + 1`), also every copy at once.
  function quotedName(node, parent, fn) {
    if (!fn || !quotedSlot(node, parent) || !/^[A-Za-z_$][\w$]*$/.test(node.value)) return;
    const { names, quotes } = scopeOf(fn);
    if (!names.has(node.value)) return;
    const description = `the variable \`${node.value}\`, not the string ${node.raw}`;
    add(node, node.start, node.end, node.value, 'variable', description);
    const copies = quotes.filter((q) => q.raw === node.raw);
    if (copies.length > 1 && copies[0] === node) {
      const first = copies[0].start;
      const last = copies.at(-1).end;
      let text = code.slice(first, last);
      for (const q of [...copies].reverse()) text = text.slice(0, q.start - first) + node.value + text.slice(q.end - first);
      add(node, first, last, text, 'variable', `${description} (every copy)`);
    }
  }

  // Per function: the names it binds (parameters, declarations) and its string literals in quotable slots, in order.
  const scopes = new Map();
  function scopeOf(fn) {
    if (!scopes.has(fn)) {
      const names = new Set(fn.params.flatMap((p) => patternNames(p)));
      const quotes = [];
      const walk = (n, parent) => {
        if (n !== fn && FUNCTIONS.has(n.type)) return;
        if (n.type === 'VariableDeclarator') for (const x of patternNames(n.id)) names.add(x);
        if (quotedSlot(n, parent)) quotes.push(n);
        for (const c of children(n)) walk(c, n);
      };
      walk(fn.body, fn);
      quotes.sort((a, b) => a.start - b.start);
      scopes.set(fn, { names, quotes });
    }
    return scopes.get(fn);
  }

  // `Math.round(Math.sqrt(n)) === n` where n was to be a perfect square: the root raised back to the power.
  function roundTrip(node) {
    if (!['===', '==', '!==', '!='].includes(node.operator)) return;
    for (const [side, other] of [[node.left, node.right], [node.right, node.left]]) {
      const found = rootOf(side);
      if (found && code.slice(found.of.start, found.of.end) === code.slice(other.start, other.end)) {
        add(side, side.end, side.end, ` ** ${found.degree}`, 'comparison', `raise the root back to the power ${found.degree} before comparing`);
      }
    }
  }

  // `'aeiou'` held or tested as a set of letters in one case where either case counts.
  function oneCase(node, parent) {
    const t = node.value;
    if (typeof t !== 'string' || !/^([a-z]{2,26}|[A-Z]{2,26})$/.test(t) || new Set(t).size !== t.length) return;
    const held = parent?.type === 'VariableDeclarator' && parent.init === node;
    const tested = parent?.type === 'MemberExpression' && parent.object === node && !parent.computed && parent.property.name === 'includes';
    if (!held && !tested) return;
    const other = t === t.toLowerCase() ? t.toUpperCase() : t.toLowerCase();
    add(node, node.start, node.end, quoted(t + other, node.raw?.[0] === '"' ? '"' : "'"), 'constant', `the letters in both cases: \`${t + other}\``);
  }

  function functionName(fn) {
    if (fn.id?.name) return fn.id.name;
    const holder = declarators.get(fn);
    return holder?.id.type === 'Identifier' ? holder.id.name : undefined;
  }

  // `if (same) prefix += c;` in a loop where the walk was to end at the first item that fails (a common
  // prefix, a leading run): an `else break` after the branch.
  function stopAtFirstFailure(stmt, parent) {
    if (stmt.alternate || !parent) return;
    const inLoop = LOOP_TYPES.has(parent.type) || (parent.type === 'BlockStatement' && LOOP_TYPES.has(loopOf.get(parent) ?? ''));
    const exits = (s) => ['BreakStatement', 'ReturnStatement', 'ContinueStatement', 'ThrowStatement'].includes(s.type);
    const last = stmt.consequent.type === 'BlockStatement' ? stmt.consequent.body.at(-1) : stmt.consequent;
    if (!inLoop || !last || exits(last)) return;
    add(stmt, stmt.consequent.end, stmt.consequent.end, ' else break;', 'branch', 'stop at the first item that fails the condition');
  }

  function missingReturn(fn) {
    const locals = [];
    for (const s of fn.body.body) if (s.type === 'VariableDeclaration') for (const d of s.declarations) locals.push(...patternNames(d.id));
    const close = fn.body.end - 1;
    for (const name of locals.slice(-4)) add(fn.body, close, close, `return ${name};\n`, 'missing_return', `return \`${name}\``);
  }

  visit(ast, undefined, undefined);
  variableSwaps(ast, add);
  return edits;
}

/** A string literal in the quotes the user chose. */
function quoted(value, quote) {
  const json = JSON.stringify(value);
  return quote === '"' ? json : `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** Methods that return a new value and leave their receiver alone. */
const PURE_METHODS = new Set(['concat', 'slice', 'map', 'filter', 'trim', 'trimStart', 'trimEnd', 'toUpperCase', 'toLowerCase', 'replace', 'replaceAll', 'padStart', 'padEnd', 'toSorted', 'toReversed', 'with']);

/** The distinct short string constants of a program, and '' (at most eight in all). */
function programStrings(ast) {
  const found = new Set(['']);
  const walk = (n, parent) => {
    if (found.size >= 8) return;
    if (n.type === 'Literal' && typeof n.value === 'string' && n.value.length <= 12 && stringSlot(n, parent)) found.add(n.value);
    for (const c of children(n)) walk(c, n);
  };
  walk(ast, undefined);
  return [...found];
}

/** A string literal that is a value (an argument, an operand, an initialiser), not a key, an import or a directive. */
function stringSlot(node, parent) {
  if (!parent) return false;
  if (parent.type === 'Property' && parent.key === node) return false;
  if (parent.type === 'MemberExpression' && parent.property === node) return false;
  if (parent.type === 'ImportDeclaration' || parent.type === 'ExportAllDeclaration' || parent.type === 'ExportNamedDeclaration') return false;
  if (parent.type === 'ExpressionStatement') return false;
  if (parent.type === 'CallExpression' && parent.callee.type === 'Identifier' && parent.callee.name === 'require') return false;
  return true;
}

function hasReturn(body) {
  let found = false;
  const walk = (n) => {
    if (found || !n || typeof n.type !== 'string') return;
    if (n.type === 'ReturnStatement') found = true;
    if (FUNCTIONS.has(n.type)) return;
    for (const c of children(n)) walk(c);
  };
  for (const s of body.body) walk(s);
  return found;
}

/** Variable misuse: a read of one local replaced by another local of the same function. */
function variableSwaps(ast, add) {
  const functions = [];
  const collect = (n) => {
    if (FUNCTIONS.has(n.type)) functions.push(n);
    for (const c of children(n)) collect(c);
  };
  collect(ast);
  for (const fn of functions) {
    const names = new Set(fn.params.flatMap((p) => patternNames(p)));
    const reads = [];
    const walk = (n, parent) => {
      if (n !== fn && FUNCTIONS.has(n.type)) return;
      if (n.type === 'VariableDeclarator') for (const x of patternNames(n.id)) names.add(x);
      if (n.type === 'Identifier' && parent && isRead(n, parent)) reads.push(n);
      for (const c of children(n)) walk(c, n);
    };
    walk(fn.body, fn);
    if (names.size > 8) continue;
    for (const r of reads) {
      if (!names.has(r.name)) continue;
      for (const other of names) if (other !== r.name) add(r, r.start, r.end, other, 'variable', `\`${r.name}\` → \`${other}\``);
    }
  }
}

function isRead(id, parent) {
  if (parent.type === 'MemberExpression' && parent.property === id && !parent.computed) return false;
  if (parent.type === 'Property' && parent.key === id && !parent.computed) return false;
  if (parent.type === 'VariableDeclarator' && parent.id === id) return false;
  if (FUNCTIONS.has(parent.type)) return false;
  if (parent.type === 'CallExpression' && parent.callee === id) return false;
  if ((parent.type === 'AssignmentExpression' && parent.left === id) || parent.type === 'UpdateExpression') return false;
  if (parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') return false;
  return true;
}

function apply(code, edit) {
  return code.slice(0, edit.start) + edit.text + code.slice(edit.end);
}

/**
 * TypeScript: the edit was made on esbuild's JavaScript. Find the same text on the mapped line of
 * the TypeScript source and keep the placement whose stripped form equals the edited JavaScript.
 */
function toTypeScript(tsSource, edit, jsCandidate, js) {
  const tsLines = tsSource.split('\n');
  const line = edit.userLine;
  const text = tsLines[line - 1];
  // An insertion has no text of its own to find: anchor it on the JavaScript that follows it.
  const needle = edit.before !== '' ? edit.before : js.slice(edit.start, edit.start + 24).split('\n')[0];
  if (text === undefined || !needle) return undefined;
  const lineStart = tsLines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) {
    const start = lineStart + i;
    const candidate = tsSource.slice(0, start) + edit.text + tsSource.slice(start + edit.before.length);
    try {
      if (compileProgram(candidate, 'typescript').js === jsCandidate) return { source: candidate, line };
    } catch {
      // not this occurrence
    }
  }
  return undefined;
}

export async function handleMutate(payload, limits, { qjs, language }) {
  const began = Date.now();
  const op = payload?.op ?? 'search';
  if (op === 'probe') return probe(payload, limits, qjs, language);
  const source = String(payload?.source ?? '');
  const tests = payload?.tests ?? null;
  const budget = { candidates: payload?.budget?.candidates ?? 200, ms: payload?.budget?.ms ?? 20_000 };
  const returnLimit = payload?.returnLimit ?? 1;
  const editable = payload?.editable ?? [1, Number.MAX_SAFE_INTEGER];
  let program;
  try {
    program = compileProgram(source, language);
  } catch (e) {
    if (e instanceof PrepareError) return { ok: false, reason: 'compile_error', error: `${e.info.type}: ${e.info.message}` };
    throw e;
  }
  const { cases, inline } = casesFor({ tests, language }, source);
  const runAll = async (prog, order = cases, stopEarly = false, timeoutMs = limits.testTimeoutMs) => {
    const out = [];
    for (const c of order) {
      const run = await runIsolated(qjs, prog, c, limits, { timeoutMs });
      out.push({ c, r: run.result });
      if (stopEarly && run.result.status !== 'passed') break;
    }
    return out;
  };
  const prepared = (p) => withoutInlineTests(p, inline);
  const original = prepared(program);
  const baseline = await runAll(original);
  const checks = baseline.map(({ c, r }) => ({
    id: c.id,
    name: c.name,
    kind: c.kind,
    status: r.status,
    ...(r.expected === undefined ? {} : { expected: r.expected }),
    ...(r.actual === undefined ? {} : { actual: r.actual }),
    ...(r.error ? { error: `${r.error.type}: ${r.error.message}` } : {}),
    ...(r.error?.line === undefined ? {} : { errorLine: r.error.line }),
    ...(c.line === undefined ? {} : { line: c.line }),
    lines: [],
  }));
  const firstFailing = baseline.find(({ r }) => r.status !== 'passed');
  const response = { ok: true, checks, suspicious: [], inputs: [], candidates: [], tried: 0, exhausted: false, elapsedMs: 0 };
  if (firstFailing) {
    const f = checks.find((c) => c.id === firstFailing.c.id);
    response.failing = { check: f.id, name: f.name, status: f.status, ...(f.expected ? { expected: f.expected } : {}), ...(f.actual ? { actual: f.actual } : {}), ...(f.error ? { error: f.error } : {}), values: {}, returns: {} };
  }
  if (op === 'analyze' || !firstFailing) {
    response.elapsedMs = Date.now() - began;
    return response;
  }

  // Spectrum: the lines the failing test ran come first.
  // Lines here are the user's (TypeScript: mapped by position, as the trace's are).
  const lineAt = lineAtOf(program);
  const traced = await runIsolated(qjs, { ...original, js: instrument(original.js, parseJs(original.js).ast, lineAt) }, firstFailing.c, limits, { timeoutMs: limits.testTimeoutMs, trace: true });
  const hits = new Map();
  for (const e of traced.trace?.events ?? []) if (e.kind === 'line' || e.kind === 'return' || e.kind === 'exception') hits.set(e.line, (hits.get(e.line) ?? 0) + 1);
  response.suspicious = [...hits.keys()].map((line) => ({ line, score: 1 }));
  const fail = checks.find((c) => c.id === firstFailing.c.id);
  fail.lines = [...hits.keys()];

  const js = program.js;
  const edits = generateEdits(js, program.ast)
    .map((e) => ({ ...e, userLine: lineAt(e.line, e.column) }))
    .filter((e) => e.userLine >= editable[0] && e.userLine <= editable[1]);
  // Executed lines first; among them the edit classes that are rarely wrong when they pass.
  const FIRST = new Set(['await', 'radix', 'sort', 'missing_return']);
  const rank = (e) => (hits.has(e.userLine) ? 0 : 2) + (FIRST.has(e.kind) ? 0 : 1);
  edits.sort((a, b) => rank(a) - rank(b));
  const order = [firstFailing.c, ...cases.filter((c) => c !== firstFailing.c)];
  // A variant that loops for ever would cost the user's whole test time limit; the original's own
  // run says how long a test takes here (and under this load), so a variant gets twenty times that.
  const baselineMs = Math.max(...baseline.map(({ r }) => r.durationMs ?? 0), 0);
  const candidateTimeoutMs = Math.min(limits.testTimeoutMs, Math.max(750, 20 * baselineMs));
  const seen = new Set();
  const passing = [];
  // An edit's `before` is the whole line as the user wrote it, as the Python search reports it.
  const originalLines = source.split('\n');
  // Resumable in slices (src/repair/search.ts): the stream of distinct variants is the same on every
  // call; a resumed call skips the `skip.count` screened before and keeps those that passed (`scores`).
  const skip = payload?.skip ?? { count: 0, scores: [] };
  const earlier = new Map(skip.scores ?? []);
  response.scores = [...(skip.scores ?? [])];
  let screened = 0;
  let stop = 'done';
  // The backend's hard stop follows budget.ms closely: stop while one more candidate still fits.
  let slowest = 0;
  for (const edit of edits) {
    if (passing.length >= returnLimit) {
      stop = 'enough';
      break;
    }
    const resumed = screened < (skip.count ?? 0);
    if (!resumed && screened >= budget.candidates) {
      stop = 'candidates';
      break;
    }
    if (!resumed && Date.now() - began + slowest > budget.ms) {
      stop = 'time';
      break;
    }
    const jsCandidate = apply(js, edit);
    if (seen.has(jsCandidate)) continue;
    seen.add(jsCandidate);
    let userSource = jsCandidate;
    let line = edit.line;
    if (language === 'typescript') {
      const mapped = toTypeScript(source, edit, jsCandidate, js);
      if (!mapped) continue;
      ({ source: userSource, line } = mapped);
    }
    let candidate;
    try {
      candidate = prepared(compileProgram(userSource, language));
    } catch {
      continue;
    }
    const index = screened++;
    const found = () => ({ source: userSource, passed: cases.length, total: cases.length, edits: [{ line, kind: edit.kind, description: edit.description, before: originalLines[line - 1] ?? '' }], size: Math.max(1, edit.text.length + edit.before.length) });
    if (resumed) {
      if (earlier.get(index) === cases.length) passing.push(found());
      continue;
    }
    const startedAt = Date.now();
    const results = await runAll(candidate, order, true, candidateTimeoutMs);
    slowest = Math.max(slowest, Date.now() - startedAt);
    const passed = results.filter(({ r }) => r.status === 'passed').length;
    if (passed > 0) response.scores.push([index, passed]);
    if (passed === cases.length) passing.push(found());
  }
  response.tried = screened;
  response.stop = stop;
  response.exhausted = stop === 'done';
  response.candidates = passing;
  response.elapsedMs = Date.now() - began;
  return response;
}

/**
 * op 'probe': run programs on the tests' calls with their arguments grown (numbers ±1 and doubled,
 * arrays reversed and extended), and report where their outputs disagree.
 * payload: { op: 'probe', programs: [{ id, source }], tests, limit? }
 * answer: { ok, seeds, inputs: [{ call, outputs: { [programId]: repr | 'Error: …' } }], disagree: [index] }
 */
async function probe(payload, limits, qjs, language) {
  const programs = (payload.programs ?? []).map((p) => ({ id: p.id, prog: safeCompile(p.source, language) }));
  const calls = grownCalls(String(payload.tests ?? ''), payload.limit ?? 12, absentValues(String(payload.programs?.[0]?.source ?? '')));
  const outputs = {};
  for (const { id, prog } of programs) {
    outputs[id] = [];
    for (const call of calls) {
      if (!prog) {
        outputs[id].push('CompileError');
        continue;
      }
      const c = { id: 'probe', kind: 'assert', code: `__tfi.example((${call}), Symbol.for('tracefix.probe'));` };
      const run = await runIsolated(qjs, prog, c, limits, { timeoutMs: limits.testTimeoutMs });
      outputs[id].push(run.result.actual ?? (run.result.error ? `${run.result.error.type}: ${run.result.error.message}` : run.result.status));
    }
  }
  const disagree = calls.map((_, i) => i).filter((i) => new Set(Object.values(outputs).map((o) => o[i])).size > 1);
  // The engine's probe schema (src/repair/probe.ts): per input, each program's output.
  const inputs = calls.map((call, i) => ({ call, outputs: Object.fromEntries(programs.map(({ id }) => [id, outputs[id][i]])) }));
  return { ok: true, seeds: 0, inputs, disagree };
}

function safeCompile(source, language) {
  try {
    return compileProgram(source, language);
  } catch {
    return undefined;
  }
}

/** Calls of user functions found in the tests, with their literal arguments varied. */
/**
 * `null` / `undefined` when the program itself tests for them (`s === null`, `x == null`,
 * `typeof x === 'undefined'`): inputs its author had in mind, so candidates that disagree on them
 * are not pinned down by tests that never pass one.
 */
export function absentValues(program) {
  const out = [];
  if (/[=!]==?\s*null\b|\bnull\s*[=!]==?/.test(program)) out.push('null');
  if (/[=!]==?\s*(?:undefined\b|'undefined'|"undefined")|\bundefined\s*[=!]==?/.test(program)) out.push('undefined');
  return out;
}

export function grownCalls(tests, limit, absent = []) {
  let ast;
  try {
    ast = parseJs(tests).ast;
  } catch {
    return [];
  }
  const calls = [];
  const ignore = new Set(['expect', 'assert', 'test', 'it', 'describe', 'require']);
  const walk = (n) => {
    if (!n || typeof n.type !== 'string') return;
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && !ignore.has(n.callee.name) && n.arguments.every(isLiteralish)) calls.push(n);
    for (const c of children(n)) walk(c);
  };
  walk(ast);
  const out = new Set();
  for (const call of calls) {
    const args = call.arguments.map((a) => tests.slice(a.start, a.end));
    out.add(`${call.callee.name}(${args.join(', ')})`);
    call.arguments.forEach((a, i) => {
      for (const v of [...variants(a, tests), ...absent]) {
        const next = args.slice();
        next[i] = v;
        out.add(`${call.callee.name}(${next.join(', ')})`);
      }
    });
  }
  return [...out].slice(0, limit);
}

function isLiteralish(n) {
  if (n.type === 'Literal') return true;
  if (n.type === 'UnaryExpression' && n.argument.type === 'Literal') return true;
  if (n.type === 'ArrayExpression') return n.elements.every((e) => e && isLiteralish(e));
  if (n.type === 'ObjectExpression') return n.properties.every((p) => p.type === 'Property' && isLiteralish(p.value));
  return false;
}

function variants(node, text) {
  const src = text.slice(node.start, node.end);
  if (node.type === 'Literal' && typeof node.value === 'number') return [String(node.value + 1), String(node.value * 2), '0'];
  if (node.type === 'Literal' && typeof node.value === 'string') return [JSON.stringify(node.value + node.value), "''"];
  if (node.type === 'ArrayExpression') {
    const extra = node.elements.length > 0 && node.elements.every((e) => e.type === 'Literal' && typeof e.value === 'string') ? "'zz'" : '99';
    return [`${src}.slice().reverse()`, `[]`, `${src}.concat(${src})`, `[...${src}, ${extra}]`, `[${extra}, ...${src}]`];
  }
  return [];
}
