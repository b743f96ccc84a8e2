"""Branches: a condition that should not be there (keep the body), the wrong arm kept, two `if`s that
should exclude each other (`if`/`elif`) or not, and a loop that should stop or skip once a branch ran
(a missing `break`, `continue` or early `return`), and a loop that decides with early boolean returns
answering the opposite question (both answers swapped) or the other quantifier ("some" for "every": the
condition negated and both answers swapped)."""

from __future__ import annotations

import ast

from .edits import EXITS, LOOPS, TIER_LAST, TIER_RARE, TIER_USUAL, Context



def _is_elif(ctx: Context, node: ast.If) -> bool:
    if len(node.orelse) != 1 or not isinstance(node.orelse[0], ast.If):
        return False
    inner = node.orelse[0]
    return ctx.src.text[ctx.src.line_start(inner.lineno):].lstrip().startswith("elif")


def unwrap(ctx: Context, node: ast.If) -> None:
    indent = ctx.src.indent_of(node.lineno)
    start, end = ctx.stmt_span(node)
    body = ctx.dedented(node.body, indent)
    if _is_elif(ctx, node):
        return
    if body is not None:
        desc = "drop the `if` and keep its body" if not node.orelse else "drop the `if` and its `else`, keep the body"
        ctx.add([(start, end, body)], node.lineno, "branch", desc, TIER_RARE)
    if node.orelse:
        orelse = ctx.dedented(node.orelse, indent)
        if orelse is not None:
            ctx.add([(start, end, orelse)], node.lineno, "branch", "keep only the `else`", TIER_LAST)


def chain(ctx: Context, node: ast.If, body: list[ast.stmt]) -> None:
    """`if a: ...` followed by `if b: ...` -> `elif b:`, and an `elif` -> a separate `if`."""
    src = ctx.src
    idx = body.index(node)
    if idx + 1 < len(body) and not node.orelse:
        nxt = body[idx + 1]
        if isinstance(nxt, ast.If) and src.indent_of(nxt.lineno) == src.indent_of(node.lineno) and src.starts_line(nxt):
            at = src.offset(nxt.lineno, nxt.col_offset)
            if src.text[at : at + 2] == "if":
                ctx.add([(at, at + 2, "elif")], nxt.lineno, "branch", "make the next `if` an `elif`", TIER_USUAL)
    if _is_elif(ctx, node):
        inner = node.orelse[0]
        at = src.offset(inner.lineno, inner.col_offset)
        if src.text[at : at + 4] == "elif":
            ctx.add([(at, at + 4, "if")], inner.lineno, "branch", "make the `elif` a separate `if`", TIER_RARE)


def stop_loop(ctx: Context, node: ast.If) -> None:
    """A branch inside a loop that should end the iteration or the loop once it ran."""
    if ctx.enclosing_loop(node) is None:
        return
    last = node.body[-1]
    if isinstance(last, EXITS) or not ctx.src.starts_line(last):
        return
    at = ctx.src.line_end(last.end_lineno or last.lineno)
    indent = ctx.src.indent_of(last.lineno)
    for word in ("break", "continue"):
        ctx.add([(at, at, f"{indent}{word}\n")], last.lineno, "branch", f"add `{word}` after the branch", TIER_USUAL)


def _bool_return(stmt: ast.stmt) -> bool | None:
    if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Constant) and type(stmt.value.value) is bool:
        return stmt.value.value
    return None


def decision_loop(ctx: Context, loop: ast.stmt, body: list[ast.stmt]) -> None:
    """`for x in xs: if c: return A` then `return not A` right after the loop: a predicate written as a
    search. Its answers swapped (an `is_prime` that answers "composite"), and the other quantifier: the
    condition negated as well (`any` where `all` was meant, or the reverse)."""
    if not isinstance(loop, LOOPS) or loop.orelse:
        return
    idx = body.index(loop)
    if idx + 1 >= len(body) or len(loop.body) != 1 or not isinstance(loop.body[0], ast.If):
        return
    branch, after = loop.body[0], body[idx + 1]
    early, final = (_bool_return(branch.body[0]) if len(branch.body) == 1 else None), _bool_return(after)
    if branch.orelse or early is None or final is None or early == final:
        return
    src = ctx.src
    swaps = [(*src.span(branch.body[0].value), str(final)), (*src.span(after.value), str(early))]  # type: ignore[attr-defined]
    ctx.add(swaps, branch.body[0].lineno, "branch", "swap the loop's two answers", TIER_USUAL)
    test = branch.test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        negated = src.seg(test.operand)
    else:
        text = src.seg(test)
        negated = f"not {text}" if isinstance(test, (ast.Name, ast.Call, ast.Attribute, ast.Subscript)) else f"not ({text})"
    ctx.add([(*src.span(test), negated)] + swaps, branch.lineno, "branch",
            f"the other quantifier: return {final} as soon as one item fails the condition", TIER_USUAL)


def generate(ctx: Context) -> None:
    for node in ast.walk(ctx.tree):
        if not isinstance(node, ast.If) or not ctx.in_region(node) or not ctx.src.starts_line(node):
            continue
        body = ctx.body_of(node)
        unwrap(ctx, node)
        if body is not None:
            chain(ctx, node, body)
        stop_loop(ctx, node)
    for node in ast.walk(ctx.tree):
        if isinstance(node, LOOPS) and ctx.in_region(node):
            body = ctx.body_of(node)
            if body is not None:
                decision_loop(ctx, node, body)
