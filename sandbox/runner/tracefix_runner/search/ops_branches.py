"""Branches: a condition that should not be there (keep the body), the wrong arm kept, two `if`s that
should exclude each other (`if`/`elif`) or not, and a loop that should stop or skip once a branch ran
(a missing `break`, `continue` or early `return`, or an `else: break` where the walk was to end at the first
item that fails), and a loop that decides with early boolean returns
answering the opposite question (both answers swapped) or the other quantifier ("some" for "every": the
condition negated and both answers swapped), and an `if`/`elif` chain tested in the wrong order (a later,
narrower test shadowed by an earlier, broader one: `% 15` after `% 3`, `>= 90` after `>= 60`), and an `if`
that should have been a `while` (its body changes what it tests)."""

from __future__ import annotations

import ast

from .edits import EXITS, LOOPS, TIER_LAST, TIER_RARE, TIER_USUAL, Context
from .ops_unused import changed_in, reads_of



def _is_elif(ctx: Context, node: ast.If) -> bool:
    """The `if` goes on in an `elif` (its `else` is one `if` written as `elif`)."""
    return len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If) and ctx.is_elif(node.orelse[0])


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
    if not node.orelse and not ctx.is_elif(node) and ctx.parent.get(node) is ctx.enclosing_loop(node):
        # `if same: prefix += c` where the walk was to end at the first item that fails (a common prefix,
        # a leading run): the items after a mismatch were never to count
        head = ctx.src.indent_of(node.lineno)
        ctx.add([(at, at, f"{head}else:\n{indent}break\n")], node.lineno, "branch", "stop at the first item that fails the condition",
                TIER_RARE)


def repeat(ctx: Context, node: ast.If) -> None:
    """`if x in items: items.remove(x)` where every occurrence should go: an `if` whose body changes what
    its condition reads (a name assigned, or a collection changed in place) runs once where it should run
    until the condition fails. `while` for `if`; the screening's step bound stops one that never ends."""
    if node.orelse or ctx.is_elif(node) or isinstance(node.body[-1], EXITS):
        return
    at = ctx.src.offset(node.lineno, node.col_offset)
    read, changed = set(reads_of(node.test)), changed_in(node.body)
    hit = sorted(read & changed)
    if hit:
        ctx.add([(at, at + 2, "while")], node.lineno, "branch", f"repeat while the condition holds (`{hit[0]}` changes in the body)",
                TIER_RARE)


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
    ctx.add([(*src.span(test), ctx.negated(test))] + swaps, branch.lineno, "branch",
            f"the other quantifier: return {final} as soon as one item fails the condition", TIER_USUAL)


# Longest `if`/`elif` chain whose order is questioned: each branch moved to the front is one candidate.
MAX_CHAIN = 6


def _chain_of(ctx: Context, node: ast.If) -> list[ast.If]:
    """The `if` and its `elif`s, in order."""
    branches = [node]
    while _is_elif(ctx, branches[-1]):
        branches.append(branches[-1].orelse[0])  # type: ignore[arg-type]
    return branches


def reorder(ctx: Context, node: ast.If) -> None:
    """An `if`/`elif` chain whose branches are tested in the wrong order: a later, narrower test can never
    run behind an earlier, broader one (`% 3` before `% 15`, `>= 60` before `>= 90`). A later branch,
    test and body, moved to the front (the old `if` becomes an `elif`; the `else` stays last); for three
    branches or more also two neighbours swapped and the whole chain reversed (thresholds written
    from the wrong end)."""
    parent = ctx.parent.get(node)
    if isinstance(parent, ast.If) and parent.orelse == [node] and _is_elif(ctx, parent):
        return  # an `elif`: its chain is taken from the head
    branches = _chain_of(ctx, node)
    if not 2 <= len(branches) <= MAX_CHAIN:
        return
    src = ctx.src
    indent = src.indent_of(node.lineno)
    text = src.text
    # each branch's whole lines, header to the line before the next header; the `else` part after them
    starts = [src.line_start(b.lineno) for b in branches]
    last = branches[-1]
    body_end = src.line_end(last.body[-1].end_lineno or last.body[-1].lineno)
    end = src.line_end(node.end_lineno or node.lineno)
    if body_end > end:
        return
    bounds = starts[1:] + [body_end]
    heads: list[str] = []
    for k, (b, s, e) in enumerate(zip(branches, starts, bounds)):
        word = "if" if k == 0 else "elif"
        seg = text[s:e]
        if not seg.startswith(indent + word) or src.indent_of(b.lineno) != indent:
            return
        heads.append(seg[len(indent) + len(word):])
    tail = text[body_end:end]
    if tail and not tail.endswith("\n"):
        tail += "\n"
    heads = [h if h.endswith("\n") else h + "\n" for h in heads]

    def rebuilt(order: list[int]) -> str:
        return "".join(indent + ("if" if pos == 0 else "elif") + heads[k] for pos, k in enumerate(order)) + tail

    n = len(branches)
    tests = [src.seg(b.test) for b in branches]
    for k in range(1, n):
        order = [k] + [j for j in range(n) if j != k]
        ctx.add([(starts[0], end, rebuilt(order))], node.lineno, "branch", f"test `{tests[k]}` first", TIER_USUAL)
    if n >= 3:
        for k in range(1, n - 1):  # (0, 1) swapped is branch 1 moved to the front, offered above
            order = list(range(n))
            order[k], order[k + 1] = order[k + 1], order[k]
            ctx.add([(starts[0], end, rebuilt(order))], branches[k].lineno, "branch",
                    f"test `{tests[k + 1]}` before `{tests[k]}`", TIER_RARE)
        ctx.add([(starts[0], end, rebuilt(list(range(n - 1, -1, -1))))], node.lineno, "branch",
                "test the chain's branches in the reverse order", TIER_USUAL)


def generate(ctx: Context) -> None:
    for node in ast.walk(ctx.tree):
        if not isinstance(node, ast.If) or not ctx.in_region(node) or not ctx.src.starts_line(node):
            continue
        body = ctx.body_of(node)
        unwrap(ctx, node)
        if body is not None:
            chain(ctx, node, body)
        stop_loop(ctx, node)
        reorder(ctx, node)
        repeat(ctx, node)
    for node in ast.walk(ctx.tree):
        if isinstance(node, LOOPS) and ctx.in_region(node):
            body = ctx.body_of(node)
            if body is not None:
                decision_loop(ctx, node, body)
