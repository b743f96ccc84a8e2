"""Statements: one too many (delete it), two in the wrong order (swap with the next one), one at the
wrong depth (out of the loop or `if` it should be in, or in one it should follow), one missing that the
same function already writes elsewhere (insert a copy next to a suspicious line), the bookkeeping a
membership test relies on (`if x in seen` with nothing ever added to `seen`), the last group a loop
collects never handed over after it ends (`words.append(word)` only when a separator comes), and the item
a walk over `xs[:-1]` (or `xs[1:]`) leaves out never added after (or before) it."""

from __future__ import annotations

import ast

from .edits import EXITS, LOOPS, TIER_LAST, TIER_RARE, Context

_SHORT = (ast.Assign, ast.AugAssign, ast.Expr, ast.Break, ast.Continue, ast.Return)


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def delete(ctx: Context, node: ast.stmt, body: list[ast.stmt]) -> None:
    start, end = ctx.stmt_span(node)
    if len(body) > 1:
        ctx.add([(start, end, "")], node.lineno, "delete", "delete the statement", TIER_RARE)
    else:
        ctx.add([(start, end, ctx.src.indent_of(node.lineno) + "pass\n")], node.lineno, "delete", "delete the statement", TIER_RARE)


def swap_next(ctx: Context, node: ast.stmt, body: list[ast.stmt]) -> None:
    idx = body.index(node)
    if idx + 1 >= len(body):
        return
    nxt = body[idx + 1]
    if isinstance(nxt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not ctx.src.starts_line(nxt):
        return
    start, end = ctx.stmt_span(node)
    n_start, n_end = ctx.stmt_span(nxt)
    if n_start != end:
        return  # comments or blank lines between: leave them where they are
    a, b = ctx.src.text[start:end], ctx.src.text[n_start:n_end]
    if not b.endswith("\n"):
        b, a = b + "\n", a.rstrip("\n")
    ctx.add([(start, n_end, b + a)], node.lineno, "order", "swap with the next statement", TIER_RARE)


_INTO_IF = (ast.Assign, ast.AugAssign, ast.Expr, ast.Break, ast.Continue)


def depth(ctx: Context, node: ast.stmt, body: list[ast.stmt]) -> None:
    """A statement one block off: the last statement of a loop body moved after the loop, or the statement
    after a loop moved into it; the same for an `if` with no `else` (`count += 1` counted for every item
    where only the matching ones should count, or the other way round). A way out (`return`, `break`...)
    ending an `if` stays where it is: that is what the `if` is for."""
    parent = ctx.parent.get(node)
    src = ctx.src
    if isinstance(parent, (*LOOPS, ast.If)) and body is parent.body and node is body[-1] and len(body) > 1 and not parent.orelse:
        block = "if" if isinstance(parent, ast.If) else "loop"
        if block == "loop" or not isinstance(node, EXITS):
            moved = ctx.dedented([node], src.indent_of(parent.lineno))
            if moved is not None:
                start, end = ctx.stmt_span(node)
                ctx.add([(start, end, moved)], node.lineno, "depth", f"move the statement out of the {block}", TIER_RARE)
    idx = body.index(node)
    if isinstance(node, (*LOOPS, ast.If)) and idx + 1 < len(body) and not node.orelse:
        nxt = body[idx + 1]
        block = "if" if isinstance(node, ast.If) else "loop"
        if isinstance(nxt, _INTO_IF if block == "if" else _SHORT) and src.starts_line(nxt) and src.starts_line(node.body[-1]) \
                and not (block == "if" and isinstance(node.body[-1], EXITS)):  # after its way out it would never run
            moved = ctx.dedented([nxt], src.indent_of(node.body[-1].lineno))
            if moved is not None:
                start, end = ctx.stmt_span(nxt)
                ctx.add([(start, end, moved)], nxt.lineno, "depth", f"move the statement into the {block} above", TIER_RARE)


def transplant(ctx: Context, lines: list[int]) -> None:
    src = ctx.src
    simple: list[ast.stmt] = []
    targets: list[ast.stmt] = []
    for node in ast.walk(ctx.tree):
        if isinstance(node, _SHORT) and node.lineno == node.end_lineno and not _is_docstring(node) and ctx.in_region(node):
            simple.append(node)
        if isinstance(node, ast.stmt) and node.lineno in lines and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            targets.append(node)
    for target in targets:
        if not src.starts_line(target) or ctx.body_of(target) is None:
            continue
        fn = ctx.enclosing_func(target)
        indent = src.indent_of(target.lineno)
        before, after = ctx.stmt_span(target)
        for stmt in simple:
            if stmt is target or ctx.enclosing_func(stmt) is not fn:
                continue
            text = src.seg(stmt)
            ctx.add([(before, before, indent + text + "\n")], target.lineno, "insert", f"insert `{text}` before line {target.lineno}", TIER_LAST)
            if not isinstance(target, (ast.Return, ast.Break, ast.Continue)) and not isinstance(target, (ast.If, ast.For, ast.While)):
                ctx.add([(after, after, indent + text + "\n")], target.lineno, "insert", f"insert `{text}` after line {target.lineno}", TIER_LAST)


_ADDS = {"set": "add", "list": "append"}
_GROWERS = ("add", "append", "update", "extend", "insert", "setdefault", "appendleft")


def _empty_kind(value: ast.expr) -> str | None:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("set", "list") and not value.args:
        return value.func.id
    if isinstance(value, ast.List) and not value.elts:
        return "list"
    return None


def bookkeeping(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """A collection that starts empty and is only ever asked `x in seen`: what was seen is never added.
    `seen.add(x)` (`append` for a list) inserted after the statement that asks, and as the last statement
    of the loop around it."""
    empties: dict[str, str] = {}
    grown: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            kind = _empty_kind(node.value)
            if kind and node.targets[0].id not in empties:
                empties[node.targets[0].id] = kind
            elif node.targets[0].id in empties:
                grown.add(node.targets[0].id)  # rebound: not simply never filled
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and node.func.attr in _GROWERS:
            grown.add(node.func.value.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            grown.add(node.target.id)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
            grown.add(node.value.id)
        elif isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id in empties for a in node.args):
            grown.update(a.id for a in node.args if isinstance(a, ast.Name))  # handed to a call that may fill it
    src = ctx.src
    done: set[tuple[str, str]] = set()
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn))):
            continue
        coll = node.comparators[0]
        if not isinstance(coll, ast.Name) or coll.id not in empties or coll.id in grown:
            continue
        elem = src.seg(node.left)
        stmt: ast.AST | None = node
        while stmt is not None and not (isinstance(stmt, ast.stmt) and ctx.body_of(stmt) is not None):
            stmt = ctx.parent.get(stmt)
        if not isinstance(stmt, ast.stmt) or not ctx.in_region(stmt) or not src.starts_line(stmt) or (coll.id, elem) in done:
            continue
        done.add((coll.id, elem))
        text = f"{coll.id}.{_ADDS[empties[coll.id]]}({elem})"
        _, after = ctx.stmt_span(stmt)
        ctx.add([(after, after, src.indent_of(stmt.lineno) + text + "\n")], stmt.lineno, "insert",
                f"insert `{text}` after line {stmt.lineno}: `{coll.id}` is asked but never filled", TIER_RARE)
        loop = ctx.enclosing_loop(stmt)
        if loop is not None and loop.body[-1] is not stmt and src.starts_line(loop.body[-1]):
            last = loop.body[-1]
            if not isinstance(last, EXITS):
                _, end = ctx.stmt_span(last)
                ctx.add([(end, end, src.indent_of(last.lineno) + text + "\n")], last.lineno, "insert",
                        f"insert `{text}` at the end of the loop: `{coll.id}` is asked but never filled", TIER_RARE)


def flush(ctx: Context, loop: ast.For | ast.While) -> None:
    """A loop that builds `cur` piece by piece (`cur += ch`, `cur.append(x)`), hands it over with
    `out.append(cur)` and starts it again (`cur = ''`) only when a boundary comes: the last group, with no
    boundary after it, is dropped. After the loop: `out.append(cur)`, or only `if cur`."""
    body = ctx.body_of(loop)
    if body is None or not ctx.src.starts_line(loop):
        return
    body_nodes = [n for stmt in loop.body for n in ast.walk(stmt)]
    reset = {t.id for n in body_nodes if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    grown = {n.target.id for n in body_nodes if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    grown |= {n.func.value.id for n in body_nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
              and isinstance(n.func.value, ast.Name) and n.func.attr in ("append", "extend", "add")}
    after = body[body.index(loop) + 1:]
    _, end = ctx.stmt_span(loop)
    indent = ctx.src.indent_of(loop.lineno)
    lead = "" if ctx.src.text[:end].endswith("\n") else "\n"  # the loop may end the file without a newline
    done: set[tuple[str, str]] = set()
    for n in body_nodes:
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "append" and len(n.args) == 1
                and isinstance(n.args[0], ast.Name) and isinstance(n.func.value, ast.Name)):
            continue
        cur, out = n.args[0].id, n.func.value.id
        if cur not in reset or cur not in grown or cur == out or (out, cur) in done:
            continue
        if any(isinstance(m, ast.Name) and m.id == cur for stmt in after for m in ast.walk(stmt)):
            continue  # the code after the loop does something with the last group already
        done.add((out, cur))
        text = f"{out}.append({cur})"
        ctx.add([(end, end, f"{lead}{indent}{text}\n")], loop.lineno, "insert", f"after this loop, hand over the last `{cur}`: `{text}`", TIER_RARE)
        ctx.add([(end, end, f"{lead}{indent}if {cur}:\n{indent}    {text}\n")], loop.lineno, "insert",
                f"after this loop, hand over the last `{cur}` if it holds anything", TIER_RARE)


def _end_cut(it: ast.expr) -> tuple[str, str] | None:
    """`xs[:-1]` -> (`xs`, "last"), `xs[1:]` -> (`xs`, "first"): a walk that leaves one end's item out."""
    if not (isinstance(it, ast.Subscript) and isinstance(it.value, ast.Name) and isinstance(it.slice, ast.Slice)):
        return None
    sl = it.slice
    if sl.step is not None:
        return None
    if sl.lower is None and isinstance(sl.upper, ast.UnaryOp) and isinstance(sl.upper.op, ast.USub) \
            and isinstance(sl.upper.operand, ast.Constant) and sl.upper.operand.value == 1:
        return it.value.id, "last"
    if sl.upper is None and isinstance(sl.lower, ast.Constant) and sl.lower.value == 1:
        return it.value.id, "first"
    return None


def end_item(ctx: Context, loop: ast.For) -> None:
    """`for x in xs[:-1]: out.append(x); out.append(sep)`: the walk leaves the last item out (so that no
    separator follows it) and nothing adds it after the loop: `out.append(xs[-1])` after it (or, for
    `xs[1:]`, `out.append(xs[0])` before it), also only `if xs`."""
    cut = _end_cut(loop.iter)
    body = ctx.body_of(loop)
    if cut is None or body is None or not isinstance(loop.target, ast.Name) or not ctx.src.starts_line(loop):
        return
    seq, which = cut
    outs = [n.func.value.id for stmt in loop.body for n in ast.walk(stmt)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
            and isinstance(n.func.value, ast.Name) and len(n.args) == 1 and isinstance(n.args[0], ast.Name)
            and n.args[0].id == loop.target.id]
    if not outs:
        return
    indent = ctx.src.indent_of(loop.lineno)
    start, end = ctx.stmt_span(loop)
    lead = "" if ctx.src.text[:end].endswith("\n") else "\n"
    text = f"{outs[0]}.append({seq}[{-1 if which == 'last' else 0}])"
    at, pre = (end, lead) if which == "last" else (start, "")
    where = "after" if which == "last" else "before"
    ctx.add([(at, at, f"{pre}{indent}{text}\n")], loop.lineno, "insert", f"the loop leaves the {which} item out: `{text}` {where} it", TIER_RARE)
    ctx.add([(at, at, f"{pre}{indent}if {seq}:\n{indent}    {text}\n")], loop.lineno, "insert",
            f"the loop leaves the {which} item out: `{text}` {where} it, if there is one", TIER_RARE)


def generate(ctx: Context) -> None:
    for node in ast.walk(ctx.tree):
        if isinstance(node, LOOPS) and ctx.in_region(node):
            flush(ctx, node)
        if isinstance(node, ast.For) and ctx.in_region(node):
            end_item(ctx, node)
    for node in ast.walk(ctx.tree):
        if not isinstance(node, ast.stmt) or not ctx.in_region(node):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or _is_docstring(node):
            continue
        body = ctx.body_of(node)
        if body is None or not ctx.src.starts_line(node):
            continue
        delete(ctx, node, body)
        swap_next(ctx, node, body)
        depth(ctx, node, body)
    transplant(ctx, ctx.evidence.suspicious[:3])
    for node in ast.walk(ctx.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bookkeeping(ctx, node)
