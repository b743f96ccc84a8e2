"""Dict and list idioms: a lookup or update of a key that may be missing (`d.get(k, default)`,
`d.setdefault(k, []).append(v)`), an argument mutated where a copy was meant, a mutable default
argument shared between calls, a list changed while a loop walks it, and rows made by repeating one list
(`[[0] * n] * m`: every row the same object)."""

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
        elif isinstance(node, ast.For):
            loop_over_copy(ctx, node)
        elif isinstance(node, ast.BinOp):
            repeated_rows(ctx, node)
