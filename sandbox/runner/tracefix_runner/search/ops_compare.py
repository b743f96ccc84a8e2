"""Comparisons and conditions: the wrong comparison operator, `and` for `or`, a condition that is one
clause too many, a condition negated, comparison operands the wrong way round, `and`/`or` written
where a bitwise `&`/`|` of two numbers was meant, two collections compared as sets where repeated items
count (`sorted(a) == sorted(b)`), and a root compared with its number without being raised back to the power."""

from __future__ import annotations

import ast
import re

from .edits import TIER_COMMON, TIER_RARE, TIER_USUAL, TIGHT_NODES, Context, called_name

CMP_SYM = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Is: "is",
    ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
CMP_ALT = {
    "==": ["!=", "<=", ">=", "<", ">"], "!=": ["==", "<", ">"], "<": ["<=", ">", ">=", "!=", "=="],
    "<=": ["<", ">=", ">", "=="], ">": [">=", "<", "<=", "!=", "=="], ">=": [">", "<=", "<", "=="],
    "is": ["is not", "=="], "is not": ["is", "!="], "in": ["not in"], "not in": ["in"],
}
CMP_RE = re.compile(r"==|!=|<=|>=|<|>|\bis\s+not\b|\bnot\s+in\b|\bis\b|\bin\b")


def compare(ctx: Context, node: ast.Compare) -> None:
    src = ctx.src
    prev = node.left
    for op, comp in zip(node.ops, node.comparators):
        _, pe = src.span(prev)
        cs, _ = src.span(comp)
        sym = CMP_SYM[type(op)]
        m = CMP_RE.search(src.text[pe:cs])
        if m:
            for i, alt in enumerate(CMP_ALT.get(sym, [])):
                # the boundary slip (`<` for `<=`) and the flip come first
                tier = TIER_COMMON if i < 2 else TIER_USUAL
                ctx.add([(pe + m.start(), pe + m.end(), alt)], node.lineno, "comparison", f"`{sym}` -> `{alt}`", tier)
        prev = comp
    if len(node.ops) == 1 and not isinstance(node.ops[0], (ast.In, ast.NotIn)):
        left, right = src.seg(node.left), src.seg(node.comparators[0])
        ctx.replace(node, f"{right} {CMP_SYM[type(node.ops[0])]} {left}", "comparison", "swap the comparison's operands", TIER_RARE)


def _set_of(node: ast.expr) -> ast.expr | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "set" and len(node.args) == 1 \
            and not node.keywords and not isinstance(node.args[0], ast.Starred):
        return node.args[0]
    return None


def multiset(ctx: Context, node: ast.Compare) -> None:
    """`set(a) == set(b)` where how often each item occurs matters (an anagram, a permutation, the same
    items): sets drop the repeats, sorted lists keep them. An ordering of sets (`<`, a subset test) in that
    place was an equality too."""
    if len(node.ops) != 1:
        return
    left, right = _set_of(node.left), _set_of(node.comparators[0])
    if left is None or right is None:
        return
    syms = [CMP_SYM[type(node.ops[0])]] if isinstance(node.ops[0], (ast.Eq, ast.NotEq)) else ["=="]
    a, b = ctx.src.seg(left), ctx.src.seg(right)
    for sym in syms:
        ctx.replace(node, f"sorted({a}) {sym} sorted({b})", "comparison", "compare as sorted lists: repeated items count", TIER_USUAL)


# Calls that round a number (the root is compared rounded), and the roots the math module names, by degree.
_ROUNDING = ("int", "round", "floor", "ceil")
_ROOTS = {"sqrt": 2, "isqrt": 2, "cbrt": 3}


def _root_of(node: ast.expr) -> tuple[ast.expr, int] | None:
    """`x ** 0.5`, `x ** (1 / 3)`, `math.sqrt(x)`, `isqrt(x)`, `math.cbrt(x)`, also under `int()`, `round()`,
    `floor()` or `ceil()`: the number whose root it is, and the root's degree."""
    while isinstance(node, ast.Call) and len(node.args) == 1 and called_name(node) in _ROUNDING:
        node = node.args[0]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exp = node.right
        if isinstance(exp, ast.Constant) and exp.value == 0.5:
            return node.left, 2
        if isinstance(exp, ast.BinOp) and isinstance(exp.op, ast.Div) and isinstance(exp.left, ast.Constant) \
                and exp.left.value == 1 and isinstance(exp.right, ast.Constant) and type(exp.right.value) is int \
                and 2 <= exp.right.value <= 9:
            return node.left, exp.right.value
        return None
    if isinstance(node, ast.Call) and len(node.args) == 1:
        degree = _ROOTS.get(called_name(node) or "")
        if degree:
            return node.args[0], degree
    return None


def round_trip(ctx: Context, node: ast.Compare) -> None:
    """`int(n ** 0.5) == n` where the test was whether n is a perfect square: the (rounded) root is to be
    raised back to the power before it is compared with the number, `int(n ** 0.5) ** 2 == n`."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        return
    sides = (node.left, node.comparators[0])
    for side, other in (sides, sides[::-1]):
        found = _root_of(side)
        if found is not None and ast.dump(found[0]) == ast.dump(other):
            text = ctx.src.seg(side)
            if isinstance(side, (ast.BinOp, ast.UnaryOp)):
                text = f"({text})"
            ctx.replace(side, f"{text} ** {found[1]}", "comparison", f"raise the root back to the power {found[1]} before comparing",
                        TIER_RARE, False)


def boolop(ctx: Context, node: ast.BoolOp) -> None:
    src = ctx.src
    word = "and" if isinstance(node.op, ast.And) else "or"
    other = "or" if word == "and" else "and"
    for i in range(1, len(node.values)):
        _, pe = src.span(node.values[i - 1])
        cs, _ = src.span(node.values[i])
        m = re.search(rf"\b{word}\b", src.text[pe:cs])
        if m:
            ctx.add([(pe + m.start(), pe + m.end(), other)], node.lineno, "boolean", f"`{word}` -> `{other}`", TIER_COMMON)
    # one clause too many
    for i, value in enumerate(node.values):
        if i == 0:
            s, _ = src.span(value)
            e, _ = src.span(node.values[1])
        else:
            _, s = src.span(node.values[i - 1])
            _, e = src.span(value)
        ctx.add([(s, e, "")], node.lineno, "condition", f"drop the clause `{src.seg(value)}`", TIER_USUAL)
    bitwise(ctx, node)


# where a value is only ever asked "true or false?": `and` there is a condition, never a bitwise and
_TEST_PARENTS = (ast.If, ast.While, ast.IfExp, ast.Assert, ast.comprehension, ast.BoolOp)


def bitwise(ctx: Context, node: ast.BoolOp) -> None:
    """`a and b` whose value is used as a number (`int(x and y)`, `return a or b` of two ints) where the
    author meant the bits of both: `a & b`. Not where the result is a condition, and not over operands
    that are themselves conditions (there `&` would answer the same as `and`)."""
    parent = ctx.parent.get(node)
    if isinstance(parent, _TEST_PARENTS) or isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return
    if any(isinstance(v, (ast.Compare, ast.BoolOp)) or ctx.expr_type(v) & {"bool", "str", "seq", "set", "dict"} for v in node.values):
        return
    sym = "&" if isinstance(node.op, ast.And) else "|"
    parts = [f"({ctx.src.seg(v)})" if isinstance(v, TIGHT_NODES) else ctx.src.seg(v) for v in node.values]
    ctx.replace(node, f" {sym} ".join(parts), "boolean", f"`{'and' if sym == '&' else 'or'}` -> `{sym}` (bitwise)", TIER_RARE)


def negate(ctx: Context, test: ast.expr) -> None:
    dropped = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    ctx.replace(test, ctx.negated(test), "negation", "drop `not`" if dropped else "negate the condition", TIER_COMMON)


def generate(ctx: Context) -> None:
    for node in ast.walk(ctx.tree):
        if not ctx.in_region(node):
            continue
        if isinstance(node, ast.Compare):
            compare(ctx, node)
            multiset(ctx, node)
            round_trip(ctx, node)
        elif isinstance(node, ast.BoolOp):
            boolop(ctx, node)
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            negate(ctx, node.test)
        elif isinstance(node, ast.comprehension):
            for cond in node.ifs:
                negate(ctx, cond)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and not isinstance(
            ctx.parent.get(node), (ast.If, ast.While, ast.IfExp, ast.comprehension)
        ):
            negate(ctx, node)
