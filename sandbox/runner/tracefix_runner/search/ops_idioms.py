"""Dict and list idioms: a lookup or update of a key that may be missing (`d.get(k, default)`,
`d.setdefault(k, []).append(v)`), a new list appended to through `d.get(k, [])` (it is never stored) or a
key's list replaced where it was to grow (`d[k] = [v]`), an argument mutated where a copy was meant, a
copy of a list of lists that shares its rows, a mutable default argument shared between calls, a list
changed while a loop walks it, rows made by repeating one list (`[[0] * n] * m`: every row the same
object) and keys all given one list (`dict.fromkeys(keys, [])`), pairs used as keys or compared where
their order was not to matter (`tuple(sorted(t))`), a list stored as one item where its items were to
take that place (`xs[i] = ys` for `xs[i:i + 1] = ys`), the guard of an append that keeps items once each
(`x not in out`), and the wrong view of a collection walked (`for k, v in d` for `d.items()`, `for i in len(xs)`)."""

from __future__ import annotations

import ast

from .edits import MUTATING_METHODS, TIER_RARE, TIER_USUAL, Context

_DEFAULTS = ("0", "None", "[]", "''")


def lookups(ctx: Context, node: ast.Subscript) -> None:
    src = ctx.src
    if isinstance(node.slice, ast.Slice) or not isinstance(node.ctx, ast.Load):
        return
    kinds = ctx.expr_type(node.value)
    if kinds and "dict" not in kinds:
        return
    base, key = src.seg(node.value), src.seg(node.slice)
    parent = ctx.parent.get(node)
    if isinstance(parent, ast.Attribute) and isinstance(ctx.parent.get(parent), ast.Call) and parent.attr in ("append", "add", "extend"):
        empty = "set()" if parent.attr == "add" else "[]"
        ctx.replace(node, f"{base}.setdefault({key}, {empty})", "idiom", f"`{base}[{key}]` -> `setdefault`", TIER_USUAL, False)
        return
    for default in _DEFAULTS:
        ctx.replace(node, f"{base}.get({key}, {default})", "idiom", f"`{base}[{key}]` -> `{base}.get({key}, {default})`", TIER_USUAL, False)


def updates(ctx: Context, node: ast.AugAssign) -> None:
    """`d[k] += v` on a key not there yet -> `d[k] = d.get(k, 0) + v`."""
    target = node.target
    if not isinstance(target, ast.Subscript) or isinstance(target.slice, ast.Slice):
        return
    kinds = ctx.expr_type(target.value)
    if kinds and "dict" not in kinds:
        return
    src = ctx.src
    from .ops_operators import BIN_SYM

    sym = BIN_SYM.get(type(node.op))
    if sym is None:
        return
    base, key, value = src.seg(target.value), src.seg(target.slice), src.seg(node.value)
    start = "''" if "str" in ctx.expr_type(node.value) else "[]" if "seq" in ctx.expr_type(node.value) else "0"
    ctx.replace(node, f"{base}[{key}] = {base}.get({key}, {start}) {sym} {value}", "idiom", "update with a default for a new key", TIER_USUAL, False)


def copies(ctx: Context, node: ast.Assign) -> None:
    """`y = x` then `y` mutated: the caller's `x` changes too; a copy was meant."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) or not isinstance(node.value, (ast.Name, ast.Attribute)):
        return
    kinds = ctx.expr_type(node.value)
    if kinds and not kinds & {"seq", "dict", "set"}:
        return
    text = ctx.src.seg(node.value)
    for new in (f"{text}.copy()", f"list({text})"):
        if new.startswith("list(") and kinds and "seq" not in kinds:
            continue
        ctx.replace(node.value, new, "idiom", f"copy `{text}` before changing it", TIER_USUAL, False)


def mutated_argument(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """A parameter changed in place (`xs.sort()`, `xs.append(...)`, `xs[i] = ...`): work on a copy."""
    params = {a.arg for a in fn.args.posonlyargs + fn.args.args}
    mutated: list[str] = []
    for n in ast.walk(fn):
        name = None
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name):
            if n.func.attr in MUTATING_METHODS:
                name = n.func.value.id
        elif isinstance(n, (ast.Assign, ast.AugAssign)):
            for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                    name = t.value.id
        if name in params and name not in mutated:
            mutated.append(name)
    first = ctx.first_statement(fn)
    if not ctx.in_region(first) or not ctx.src.starts_line(first):
        return
    at = ctx.src.line_start(first.lineno)
    indent = ctx.src.indent_of(first.lineno)
    for name in mutated:
        kinds = ctx.type_of_name(name)
        if kinds and not kinds & {"seq", "dict", "set"}:
            continue
        copy = f"list({name})" if kinds == {"seq"} else f"{name}.copy()"
        ctx.add([(at, at, f"{indent}{name} = {copy}\n")], first.lineno, "idiom", f"work on a copy of `{name}`", TIER_USUAL)


def mutable_default(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """`def f(x, seen=[])`: the list is made once and shared by every call."""
    args = fn.args
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    first = ctx.first_statement(fn)
    if not ctx.src.starts_line(first):
        return
    for arg, default in pairs:
        if not isinstance(default, (ast.List, ast.Dict, ast.Set)) and not (
            isinstance(default, ast.Call) and isinstance(default.func, ast.Name) and default.func.id in ("list", "dict", "set")
        ):
            continue
        s, e = ctx.src.span(default)
        text = ctx.src.seg(default)
        at = ctx.src.line_start(first.lineno)
        indent = ctx.src.indent_of(first.lineno)
        ctx.add([(s, e, "None"), (at, at, f"{indent}if {arg.arg} is None:\n{indent}    {arg.arg} = {text}\n")], fn.lineno,
                "idiom", f"a fresh `{text}` per call for `{arg.arg}`", TIER_USUAL)


def loop_over_copy(ctx: Context, node: ast.For) -> None:
    """`for x in xs:` whose body removes from or adds to `xs`: the loop skips or repeats items; walk a copy."""
    it = node.iter
    if not isinstance(it, ast.Name):
        return
    changed = any(
        (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
         and n.func.value.id == it.id and n.func.attr in MUTATING_METHODS)
        or (isinstance(n, ast.Delete) and any(isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == it.id
                                              for t in n.targets))
        for stmt in node.body for n in ast.walk(stmt)
    )
    if not changed:
        return
    kinds = ctx.expr_type(it)
    copy = f"{it.id}.copy()" if kinds and not kinds & {"seq"} else f"list({it.id})"
    ctx.replace(it, copy, "idiom", f"loop over a copy of `{it.id}` (the loop changes it)", TIER_USUAL, False)


_MUTABLE = (ast.List, ast.ListComp, ast.Dict, ast.DictComp, ast.Set, ast.SetComp)


def repeated_rows(ctx: Context, node: ast.BinOp) -> None:
    """`[[0] * n] * m` (or `[[]] * m`, `[{}] * m`): m references to one list, so a change to one row
    shows in all. Meant: m separate rows, `[[0] * n for _ in range(m)]`."""
    if not isinstance(node.op, ast.Mult):
        return
    for seq, count in ((node.left, node.right), (node.right, node.left)):
        if isinstance(seq, ast.List) and len(seq.elts) == 1 and (
                isinstance(seq.elts[0], _MUTABLE) or isinstance(seq.elts[0], ast.BinOp) and isinstance(seq.elts[0].left, ast.List)):
            row, n = ctx.src.seg(seq.elts[0]), ctx.src.seg(count)
            ctx.replace(node, f"[{row} for _ in range({n})]", "idiom", f"build `{row}` anew for each of the `{n}` rows, not one row repeated", TIER_USUAL, False)
            return


def shared_value(ctx: Context, node: ast.Call) -> None:
    """`dict.fromkeys(keys, [])`: every key holds the same list, so what is added under one key shows
    under all. Meant: a new one for each key, `{k: [] for k in keys}`."""
    f = node.func
    if not (isinstance(f, ast.Attribute) and f.attr == "fromkeys" and isinstance(f.value, ast.Name) and f.value.id == "dict"
            and len(node.args) == 2 and not node.keywords and isinstance(node.args[1], _MUTABLE)):
        return
    keys, value = ctx.src.seg(node.args[0]), ctx.src.seg(node.args[1])
    var = ctx.fresh_name(node, ("k", "key", "_k"))
    if var is not None:
        ctx.replace(node, f"{{{var}: {value} for {var} in {keys}}}", "idiom", f"a new `{value}` for each key, not one shared by all",
                    TIER_USUAL, False)


def spliced(ctx: Context, node: ast.Assign) -> None:
    """`xs[-1] = ys`: the list goes in as one item where its items were to replace the one at that place
    (`xs[-1:] = ys`, `xs[i:i + 1] = ys`)."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Subscript) or isinstance(node.targets[0].slice, ast.Slice):
        return
    target = node.targets[0]
    if not (ctx.expr_type(node.value) & {"seq"} and ctx.expr_type(target.value) & {"seq"}):
        return
    index = target.slice
    text = ctx.src.seg(index)
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) and isinstance(index.operand, ast.Constant) and index.operand.value == 1:
        new = "-1:"
    else:
        new = f"{text}:{text} + 1" if not isinstance(index, (ast.BinOp, ast.IfExp, ast.BoolOp)) else f"{text}:({text}) + 1"
    ctx.replace(index, new, "idiom", f"put the items of `{ctx.src.seg(node.value)}` in place of the one at `{text}`", TIER_RARE, False)


def _as_key(n: ast.Name, up: ast.AST | None) -> bool:
    """`n` used as a key: `d[n]`, `n in seen`, `seen.add(n)`, `d.get(n)`, `d.setdefault(n, ...)`, `xs.count(n)`."""
    if isinstance(up, ast.Subscript):
        return up.slice is n
    if isinstance(up, ast.Compare):
        return up.left is n and isinstance(up.ops[0], (ast.In, ast.NotIn))
    return isinstance(up, ast.Call) and isinstance(up.func, ast.Attribute) and up.func.attr in ("add", "get", "setdefault", "count") \
        and n in up.args


def unordered_key(ctx: Context, loop: ast.For) -> None:
    """`for pair in pairs: counts[pair] += 1` where `(1, 2)` and `(2, 1)` are the same pair: the item is
    put in one order (`pair = tuple(sorted(pair))`) before it is used as a key, a set member or looked up."""
    if not (isinstance(loop.target, ast.Name) and loop.body and ctx.src.starts_line(loop.body[0])):
        return
    name = loop.target.id
    if not ctx.type_of_name(name) & {"seq"}:
        return
    uses = [n for stmt in loop.body for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id == name]
    if any(isinstance(n.ctx, ast.Store) for n in uses):
        return
    if any(_as_key(n, ctx.parent.get(n)) for n in uses):
        first = loop.body[0]
        at = ctx.src.line_start(first.lineno)
        indent = ctx.src.indent_of(first.lineno)
        ctx.add([(at, at, f"{indent}{name} = tuple(sorted({name}))\n")], first.lineno, "idiom",
                f"put `{name}` in one order before it is used as a key", TIER_RARE)


def unordered_sets(ctx: Context, node: ast.BinOp | ast.Compare) -> None:
    """`set(a) & set(b)` (or `==`) of lists of pairs where a pair's order was not to matter: each pair put
    in one order on both sides."""
    sides = [node.left, node.right] if isinstance(node, ast.BinOp) else [node.left, *node.comparators]
    if isinstance(node, ast.BinOp) and not isinstance(node.op, (ast.BitAnd, ast.BitOr, ast.Sub, ast.BitXor)):
        return
    if isinstance(node, ast.Compare) and not (len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq))):
        return
    if not all(isinstance(x, ast.Call) and isinstance(x.func, ast.Name) and x.func.id == "set" and len(x.args) == 1
               and isinstance(x.args[0], ast.Name) and ctx.type_of_name(x.args[0].id) & {"seq"} for x in sides):
        return
    var = ctx.fresh_name(node, ("t", "pair", "item"))
    if var is None:
        return
    spans = [(*ctx.src.span(x), f"set(tuple(sorted({var})) for {var} in {x.args[0].id})") for x in sides]  # type: ignore[attr-defined]
    ctx.add(spans, node.lineno, "idiom", "compare the pairs in one order on both sides", TIER_RARE)


_GROWERS = ("append", "add", "extend", "update", "insert")


def stored(ctx: Context, node: ast.Call) -> None:
    """`d.get(k, []).append(v)`: the empty list `get` hands back is not in `d`, so the append is lost;
    `setdefault` stores it first. Written as `d[k] = d.get(k, []).append(v)` it also stores the `None` that
    `append` returns: the statement becomes the `setdefault` call alone."""
    f = node.func
    if not (isinstance(f, ast.Attribute) and f.attr in _GROWERS and isinstance(f.value, ast.Call)):
        return
    inner = f.value
    g = inner.func
    if not (isinstance(g, ast.Attribute) and g.attr == "get" and len(inner.args) == 2 and not inner.keywords):
        return
    desc = "`.get(...)` -> `.setdefault(...)`: keep the new list in the dict"
    _, e = ctx.src.span(g)
    parent = ctx.parent.get(node)
    if isinstance(parent, ast.Assign) and parent.value is node and ctx.src.starts_line(parent):
        s, _ = ctx.src.span(parent)
        call_s, call_e = ctx.src.span(node)
        text = ctx.src.text[call_s:e - 3] + "setdefault" + ctx.src.text[e:call_e]
        ctx.add([(s, call_e, text)], parent.lineno, "idiom", desc, TIER_USUAL)
        return
    ctx.add([(e - 3, e, "setdefault")], node.lineno, "idiom", desc, TIER_USUAL)


# In-place methods that return None (`pop` changes its object too, but answers the value it took).
_RETURN_NONE = tuple(m for m in MUTATING_METHODS if m != "pop")


def assigned_none(ctx: Context, node: ast.Assign) -> None:
    """`xs = xs.append(v)` or `xs = xs.sort()`: the method changes `xs` in place and returns None, which the
    assignment then stores; the call alone was meant (for `sort`, also `sorted(xs)`)."""
    value = node.value
    if not (len(node.targets) == 1 and isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr in _RETURN_NONE and ctx.src.starts_line(node)):
        return
    if isinstance(value.func.value, ast.Call):
        return  # `d[k] = d.get(k, []).append(v)` is `stored`'s
    s, _ = ctx.src.span(node)
    call_s, call_e = ctx.src.span(value)
    obj = ctx.src.seg(value.func.value)
    if ctx.src.seg(node.targets[0]) == obj:  # `total = data.sort()`: dropping the store would leave `total` unset
        ctx.add([(s, call_e, ctx.src.text[call_s:call_e])], node.lineno, "idiom",
                f"`{obj}.{value.func.attr}(...)` changes `{obj}` and returns None: call it, do not store its answer", TIER_USUAL)
    if value.func.attr == "sort" and not value.args:
        keywords = "".join(f", {ctx.src.seg(k)}" for k in value.keywords)
        ctx.replace(value, f"sorted({obj}{keywords})", "idiom", f"`{obj}.sort()` returns None -> `sorted({obj})`", TIER_USUAL, False)


def replaced(ctx: Context, node: ast.Assign) -> None:
    """`groups[k] = [v]` in a loop: each value for a key replaces the ones before it, where the key's list
    was meant to grow (`groups.setdefault(k, []).append(v)`)."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Subscript) or isinstance(node.targets[0].slice, ast.Slice):
        return
    value = node.value
    if not (isinstance(value, (ast.List, ast.Set)) and len(value.elts) == 1 and not isinstance(value.elts[0], ast.Starred)):
        return
    if ctx.enclosing_loop(node) is None:
        return
    target = node.targets[0]
    kinds = ctx.expr_type(target.value)
    if kinds and "dict" not in kinds:
        return
    base, key, item = ctx.src.seg(target.value), ctx.src.seg(target.slice), ctx.src.seg(value.elts[0])
    empty, grow = ("[]", "append") if isinstance(value, ast.List) else ("set()", "add")
    text = f"{base}.setdefault({key}, {empty}).{grow}({item})"
    ctx.replace(node, text, "idiom", f"add to the list of `{key}`: `{text}`", TIER_USUAL, False)


def shared_rows(ctx: Context, node: ast.Assign) -> None:
    """`out = grid[:]` (or `list(grid)`, `grid.copy()`) and then `out`'s rows changed in place: the copy is
    a new outer list holding the same rows, so the caller's grid changes too. Each row copied was meant."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return
    v = node.value
    if isinstance(v, ast.Subscript) and isinstance(v.slice, ast.Slice) and v.slice.lower is None and v.slice.upper is None and v.slice.step is None:
        source = v.value
    elif isinstance(v, ast.Call) and not v.keywords and isinstance(v.func, ast.Name) and v.func.id == "list" and len(v.args) == 1:
        source = v.args[0]
    elif isinstance(v, ast.Call) and not v.args and isinstance(v.func, ast.Attribute) and v.func.attr == "copy":
        source = v.func.value
    else:
        return
    if not isinstance(source, (ast.Name, ast.Attribute)):
        return
    name = node.targets[0].id
    fn = ctx.enclosing_func(node) or ctx.tree
    if not _rows_changed(fn, name):
        return
    text = f"[row[:] for row in {ctx.src.seg(source)}]"
    ctx.replace(v, text, "idiom", f"copy each row: `{text}`", TIER_USUAL, False)


def _rows_changed(fn: ast.AST, name: str) -> bool:
    """A row of `name` changed in place: `name[i][j] = ...`, or `row[j] = ...` / `row.append(...)` with
    `row` a loop variable over `name`."""
    rows = {n.target.id for n in ast.walk(fn) if isinstance(n, ast.For) and isinstance(n.target, ast.Name)
            and isinstance(n.iter, ast.Name) and n.iter.id == name}
    for n in ast.walk(fn):
        targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, ast.AugAssign) else []
        for t in targets:
            if isinstance(t, ast.Subscript):
                inner = t.value
                if isinstance(inner, ast.Name) and inner.id in rows:
                    return True
                if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name) and inner.value.id == name:
                    return True
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in MUTATING_METHODS
                and isinstance(n.func.value, ast.Name) and n.func.value.id in rows):
            return True
    return False


def unique_guard(ctx: Context, node: ast.If) -> None:
    """`if xs.count(x) == 1: out.append(x)` where the items were to be kept once each, in order: the guard
    of an append that is the only thing its `if` does, asked the usual way, `x not in out`."""
    if node.orelse or len(node.body) != 1 or not isinstance(node.body[0], ast.Expr):
        return
    call = node.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append"
            and isinstance(call.func.value, ast.Name) and len(call.args) == 1 and not call.keywords):
        return
    if ctx.is_elif(node):
        return  # the chain decides more than this
    guard = f"{ctx.src.seg(call.args[0])} not in {call.func.value.id}"
    if ctx.src.seg(node.test) != guard:
        ctx.replace(node.test, guard, "idiom", f"append only what `{call.func.value.id}` lacks: `{guard}`", TIER_RARE, False)


_WALKERS = ("enumerate", "zip", "range")


def iterated(ctx: Context, target: ast.expr, it: ast.expr) -> None:
    """The wrong view of a collection walked: key and value unpacked from a dict itself (`for k, v in d`,
    or from `d.keys()`), index and item from a list (`enumerate`), a number walked as if it were a range
    (`for i in len(xs)`, `for i in n`), or a list handed to `range` (`range(xs)`: its indexes, or the list
    itself). The kinds seen in the run choose the edit; with none seen, each is tried, last."""
    src = ctx.src
    text = src.seg(it)
    kinds = ctx.expr_type(it)
    call = it if isinstance(it, ast.Call) else None
    fname = call.func.id if call is not None and isinstance(call.func, ast.Name) else None
    attr = call.func.attr if call is not None and isinstance(call.func, ast.Attribute) else None
    plain = isinstance(it, (ast.Name, ast.Attribute, ast.Subscript))
    if isinstance(target, ast.Tuple) and len(target.elts) == 2:
        if fname in _WALKERS or attr == "items":
            return
        if attr in ("keys", "values") and call is not None and not call.args and isinstance(call.func, ast.Attribute):
            base = src.seg(call.func.value)
            ctx.replace(it, f"{base}.items()", "idiom", f"walk `{base}.items()`: keys with their values", TIER_USUAL, False)
        elif plain and (not kinds or "dict" in kinds):
            ctx.replace(it, f"{text}.items()", "idiom", f"walk `{text}.items()`: keys with their values",
                        TIER_USUAL if "dict" in kinds else TIER_RARE, False)
        if plain and (not kinds or kinds & {"seq", "str"}):
            ctx.replace(it, f"enumerate({text})", "idiom", f"walk `enumerate({text})`: positions with the items", TIER_RARE, False)
        return
    if not isinstance(target, ast.Name):
        return
    if fname == "len" or (plain and kinds == {"int"}):
        ctx.replace(it, f"range({text})", "idiom", f"walk `range({text})`: a number is not a sequence", TIER_USUAL, False)
    if fname == "range" and call is not None and len(call.args) == 1:
        arg = call.args[0]
        arg_kinds = ctx.expr_type(arg)
        if isinstance(arg, (ast.Name, ast.Attribute)) and (not arg_kinds or arg_kinds & {"seq", "str", "set", "dict"}):
            tier = TIER_USUAL if arg_kinds else TIER_RARE
            inner = src.seg(arg)
            ctx.replace(it, f"range(len({inner}))", "idiom", f"walk `range(len({inner}))`: the positions of `{inner}`", tier, False)
            ctx.replace(it, inner, "idiom", f"walk `{inner}` itself", tier, False)


def generate(ctx: Context) -> None:
    for node in ast.walk(ctx.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            mutable_default(ctx, node)
            mutated_argument(ctx, node)
            continue
        if not ctx.in_region(node):
            continue
        if isinstance(node, ast.Subscript):
            lookups(ctx, node)
        elif isinstance(node, ast.AugAssign):
            updates(ctx, node)
        elif isinstance(node, ast.Assign):
            copies(ctx, node)
            spliced(ctx, node)
            assigned_none(ctx, node)
            replaced(ctx, node)
            shared_rows(ctx, node)
        elif isinstance(node, ast.Call):
            stored(ctx, node)
            shared_value(ctx, node)
        elif isinstance(node, ast.For):
            loop_over_copy(ctx, node)
            unordered_key(ctx, node)
            iterated(ctx, node.target, node.iter)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for gen in node.generators:
                iterated(ctx, gen.target, gen.iter)
        elif isinstance(node, ast.If):
            unique_guard(ctx, node)
        elif isinstance(node, ast.BinOp):
            repeated_rows(ctx, node)
            unordered_sets(ctx, node)
        elif isinstance(node, ast.Compare):
            unordered_sets(ctx, node)
