"""Copies: an expression written out twice in one function (a test and the assignment it guards, `if
a[i] - a[j] > best: best = a[i] - a[j]`) where the fix belongs to both. Runs after every other module: each
edit that replaces one whole expression (`abs(...)` around it, a bound one off, another call) is offered
once more, applied at every identical copy of that expression in its function as one edit."""

from __future__ import annotations

import ast

from .edits import TIER_LAST, Context, Edit

# Copies beyond this many are another pattern (a value recomputed in a loop), not one slip written twice.
MAX_COPIES = 3


def generate(ctx: Context) -> None:
    by_span: dict[tuple[int, int], ast.expr] = {}
    groups: dict[tuple[int, str], list[ast.expr]] = {}
    for node in ast.walk(ctx.tree):
        if not isinstance(node, (ast.BinOp, ast.Call, ast.Subscript, ast.Attribute, ast.Compare, ast.UnaryOp)):
            continue
        if not ctx.in_region(node):
            continue
        span = ctx.src.span(node)
        by_span.setdefault(span, node)
        fn = ctx.enclosing_func(node)
        groups.setdefault((id(fn), ast.dump(node)), []).append(node)
    for edit in list(ctx.edits):
        if len(edit.spans) != 1:
            continue
        s, e, new = edit.spans[0]
        node = by_span.get((s, e))
        if node is None:
            continue
        copies = groups.get((id(ctx.enclosing_func(node)), ast.dump(node)), [])
        text = ctx.src.seg(node)
        others = [c for c in copies if c is not node and ctx.src.seg(c) == text]
        if not others or len(copies) > MAX_COPIES:
            continue
        spans = sorted([(s, e, new)] + [(*ctx.src.span(c), new) for c in others])
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
            continue  # one copy inside another
        if all(ctx.ok(a, b) for a, b, _ in spans):
            ctx.edits.append(Edit(spans, edit.line, edit.kind, f"{edit.desc}, at every copy of `{text}`", min(edit.tier + 1, TIER_LAST),
                                  edit.new_numbers))
