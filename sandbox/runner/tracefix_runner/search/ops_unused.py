"""Names that are bound and then never used as they should be — what a linter flags as dead, and a
common shape of missing logic:

- a loop variable the body never reads: the body was meant to run only when it matches another value
  (`for b in ys: if a == b: ...`);
- an int parameter the function never reads: the bound it was meant to put on a sequence (`xs[:k]`);
- a counter initialised and never updated while a sibling counter is: the sibling's update, renamed,
  in the `else` the `if` lacks or beside the sibling's;
- a `while` loop whose condition nothing in its body changes: the step that was left out;
- a list of allowed (or banned) values never read: the membership check it was written for.
"""

from __future__ import annotations

import ast
from typing import Iterator

from .edits import MUTATING_METHODS, TIER_LAST, TIER_RARE, Context

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_MUTATORS = MUTATING_METHODS + ("setdefault", "appendleft", "popleft")


def _walk_own(node: ast.AST) -> Iterator[ast.AST]:
    """The node and its descendants, not descending into nested functions, lambdas or classes."""
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        for child in ast.iter_child_nodes(cur):
            if not isinstance(child, (*_FUNCS, ast.Lambda, ast.ClassDef)):
                stack.append(child)


def reads_of(nodes: list[ast.stmt] | ast.AST) -> list[str]:
    out: list[str] = []
    for root in nodes if isinstance(nodes, list) else [nodes]:
        for n in _walk_own(root):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in out:
                out.append(n.id)
    return out


def changed_in(nodes: list[ast.stmt]) -> set[str]:
    """Names a block assigns, augments, deletes, or changes through a mutating method or an item store."""
    out: set[str] = set()
    for root in nodes:
        for n in _walk_own(root):
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                out.add(n.id)
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) \
                    and n.func.attr in _MUTATORS:
                out.add(n.func.value.id)
            elif isinstance(n, ast.Subscript) and isinstance(n.ctx, (ast.Store, ast.Del)) and isinstance(n.value, ast.Name):
                out.add(n.value.id)
    return out


def _compatible(ctx: Context, a: str, b: str) -> bool:
    ta, tb = ctx.type_of_name(a), ctx.type_of_name(b)
    return not ta or not tb or bool(ta & tb)


def _block(ctx: Context, body: list[ast.stmt]) -> tuple[int, int, str] | None:
    """The whole lines of a block, one level deeper: what goes under a new `if`."""
    if not ctx.src.starts_line(body[0]):
        return None
    start = ctx.src.line_start(body[0].lineno)
    end = ctx.src.line_end(body[-1].end_lineno or body[-1].lineno)
    text = ctx.src.text[start:end]
    return start, end, "".join("    " + ln if ln.strip() else ln for ln in text.splitlines(keepends=True))


def unread_loop_variable(ctx: Context, loop: ast.For | ast.AsyncFor) -> None:
    if not isinstance(loop.target, ast.Name) or loop.target.id.startswith("_"):
        return
    var = loop.target.id
    if var in reads_of(loop.body + loop.orelse):
        return
    block = _block(ctx, loop.body)
    if block is None:
        return
    start, end, inner = block
    indent = ctx.src.indent_of(loop.body[0].lineno)
    for other in reads_of(loop.body):
        if other == var or other.startswith("_") or other not in ctx.scope_names(loop) or not _compatible(ctx, var, other):
            continue
        if ctx.type_of_name(other) & {"dict", "set", "none"}:
            continue
        for op in ("==", "!="):
            ctx.add([(start, end, f"{indent}if {var} {op} {other}:\n{inner}")], loop.lineno, "guard",
                    f"the loop never reads `{var}`: run its body only `if {var} {op} {other}`", TIER_RARE)


def unread_parameter(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    reads = reads_of(fn.body)
    for arg in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs:
        p = arg.arg
        if p in reads or p in ("self", "cls") or p.startswith("_") or ctx.type_of_name(p) != {"int"}:
            continue
        for n in _walk_own(fn):
            if not (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and ctx.in_region(n)):
                continue
            parent = ctx.parent.get(n)
            if isinstance(parent, ast.Call) and parent.func is n or isinstance(parent, (ast.Attribute, ast.Subscript)):
                continue
            if not ctx.type_of_name(n.id) & {"seq", "str"}:
                continue
            for cut, what in ((f"{n.id}[:{p}]", "the first"), (f"{n.id}[{p}:]", "all but the first")):
                ctx.replace(n, cut, "unused", f"`{p}` is never read: use {what} `{p}` of `{n.id}`", TIER_RARE, False)


def _probes(ctx: Context, fn: ast.AST, kind: str, skip: str) -> list[str]:
    """Values in the function an unread collection of `kind` items could have been checked against: names
    of that kind, and the items of a sequence at its ends (`parts[-1]`, `parts[0]`, `parts[1]`)."""
    names: list[str] = []
    items: list[str] = []
    for n in _walk_own(fn):
        if not (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)) or n.id == skip:
            continue
        kinds = ctx.type_of_name(n.id)
        if kinds == {kind} and n.id not in names:
            names.append(n.id)
        elif kinds == {"seq"}:
            items += [f"{n.id}[{i}]" for i in (-1, 0, 1) if f"{n.id}[{i}]" not in items]
    return (names + items)[:8]


def unread_collection(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """`allowed = ['txt', 'exe']` bound and never read: the check it was written for is missing. Before the
    function's last `return`, return what it returns elsewhere for a rejection when a value of the items'
    kind is not in the collection (or, for a list of what is banned, when it is)."""
    last = fn.body[-1]
    if not isinstance(last, ast.Return) or not ctx.in_region(last) or not ctx.src.starts_line(last):
        return
    reads = reads_of(fn.body)
    accepted = ctx.src.seg(last.value) if last.value is not None else "None"
    fails: list[str] = []  # the constants the function returns elsewhere: its answers for a rejection
    for n in _walk_own(fn):
        if isinstance(n, ast.Return) and n is not last and isinstance(n.value, ast.Constant) \
                and ctx.src.seg(n.value) not in fails and ctx.src.seg(n.value) != accepted:
            fails.append(ctx.src.seg(n.value))
    if not fails:
        return
    indent = ctx.src.indent_of(last.lineno)
    at = ctx.src.line_start(last.lineno)
    for stmt in fn.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        name = stmt.targets[0].id
        items = stmt.value.elts if isinstance(stmt.value, (ast.List, ast.Tuple, ast.Set)) else []
        kinds = {type(e.value) for e in items if isinstance(e, ast.Constant)}
        if name in reads or len(items) < 2 or len(kinds) != 1 or not all(isinstance(e, ast.Constant) for e in items):
            continue
        kind = {str: "str", int: "int"}.get(kinds.pop())
        if kind is None:
            continue
        for probe in _probes(ctx, fn, kind, name):
            for fail in fails[:2]:
                for test in (f"{probe} not in {name}", f"{probe} in {name}"):
                    ctx.add([(at, at, f"{indent}if {test}:\n{indent}    return {fail}\n")], last.lineno, "unused",
                            f"`{name}` is never read: return {fail} when `{test}`", TIER_RARE)


def _init_kind(value: ast.expr) -> str | None:
    if isinstance(value, ast.Constant) and not isinstance(value.value, bool) and isinstance(value.value, (int, float, str)):
        return type(value.value).__name__
    if isinstance(value, (ast.List, ast.Tuple, ast.Dict, ast.Set)) and not getattr(value, "elts", getattr(value, "keys", None)):
        return type(value).__name__
    return None


def _renamed(ctx: Context, stmt: ast.stmt, old: str, new: str) -> str:
    start, _ = ctx.src.span(stmt)
    text = ctx.src.seg(stmt)
    spans = sorted((ctx.src.span(n) for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id == old), reverse=True)
    for s, e in spans:
        text = text[: s - start] + new + text[e - start :]
    return text


def never_updated(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    inits: dict[str, str] = {}
    for stmt in fn.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            kind = _init_kind(stmt.value)
            if kind is not None:
                inits[stmt.targets[0].id] = kind
    if len(inits) < 2:
        return
    stores: dict[str, int] = {}
    for n in _walk_own(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            stores[n.id] = stores.get(n.id, 0) + 1
    changed_later = changed_in([s for s in fn.body if not (isinstance(s, ast.Assign) and _init_kind(s.value))])
    reads = reads_of(fn.body)
    stale = [v for v in inits if stores.get(v) == 1 and v not in changed_later and v in reads]
    for var in stale:
        for sibling, kind in inits.items():
            if sibling == var or kind != inits[var] or sibling not in changed_later:
                continue
            for upd in _walk_own(fn):
                if not isinstance(upd, (ast.AugAssign, ast.Assign, ast.Expr)) or upd.lineno != upd.end_lineno:
                    continue
                if sibling not in changed_in([upd]) or not ctx.src.starts_line(upd) or ctx.body_of(upd) is None:
                    continue
                text = _renamed(ctx, upd, sibling, var)
                at = ctx.src.line_end(upd.lineno)
                parent = ctx.parent.get(upd)
                if isinstance(parent, ast.If) and upd is parent.body[-1] and not parent.orelse:
                    if_indent = ctx.src.indent_of(parent.lineno)
                    ctx.add([(at, at, f"{if_indent}else:\n{if_indent}    {text}\n")], upd.lineno, "insert",
                            f"`{var}` is never updated: add `else: {text}`", TIER_RARE)
                ctx.add([(at, at, f"{ctx.src.indent_of(upd.lineno)}{text}\n")], upd.lineno, "insert",
                        f"`{var}` is never updated: insert `{text}` after line {upd.lineno}", TIER_LAST)


def stuck_while(ctx: Context, loop: ast.While) -> None:
    names = [n for n in reads_of(loop.test) if not ctx.type_of_name(n) or ctx.type_of_name(n) & {"int"}]
    if not names or any(isinstance(n, (ast.Break, ast.Return, ast.Raise)) for s in loop.body for n in _walk_own(s)):
        return
    changed = changed_in(loop.body)
    if any(n in changed for n in reads_of(loop.test)):
        return
    last = loop.body[-1]
    if not ctx.src.starts_line(loop.body[0]):
        return
    at = ctx.src.line_end(last.end_lineno or last.lineno)
    indent = ctx.src.indent_of(loop.body[0].lineno)
    for name in names:
        if name in ctx.module_funcs or name not in ctx.scope_names(loop):
            continue
        for step in (f"{name} -= 1", f"{name} += 1"):
            ctx.add([(at, at, f"{indent}{step}\n")], loop.lineno, "insert",
                    f"nothing in the loop changes `{name}`: add `{step}` at the end of its body", TIER_RARE)


def generate(ctx: Context) -> None:
    for node in ast.walk(ctx.tree):
        if not ctx.in_region(node):
            continue
        if isinstance(node, (ast.For, ast.AsyncFor)):
            unread_loop_variable(ctx, node)
        elif isinstance(node, ast.While):
            stuck_while(ctx, node)
        elif isinstance(node, _FUNCS):
            unread_parameter(ctx, node)
            never_updated(ctx, node)
            unread_collection(ctx, node)
