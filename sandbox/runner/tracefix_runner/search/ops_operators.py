"""Arithmetic and bitwise operators: the wrong operator (`^` written for a power among them), a missing or
extra operand, operands in the wrong order (of `-`, `/`, `%`, `**`, and of `+` joining strings or lists),
`=` where an accumulation (`+=`) was meant, and the reverse."""

from __future__ import annotations

import ast

from .edits import TIER_COMMON, TIER_RARE, TIER_USUAL, TIGHT_NODES, Context

BIN_SYM = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
    ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
}
ARITH = ["+", "-", "*", "/", "//", "%", "**"]
# the confusions people make most, tried before the rest of ARITH
NEAR = {
    "+": ["-", "*"], "-": ["+"], "*": ["/", "//", "+", "**"], "/": ["//", "*"], "//": ["/", "%"],
    "%": ["//"], "**": ["*"], "<<": [">>"], ">>": ["<<"], "|": ["&", "^"], "&": ["|", "^"],
    # `^` is exclusive or in Python, not the power it is in maths and other languages
    "^": ["**", "|", "&"],
}
NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


def _paren(ctx: Context, node: ast.expr) -> str:
    text = ctx.src.seg(node)
    return f"({text})" if isinstance(node, TIGHT_NODES) else text


def _alternatives(sym: str) -> list[tuple[str, int]]:
    out = [(alt, TIER_COMMON) for alt in NEAR.get(sym, [])]
    if sym in ARITH:
        out += [(alt, TIER_USUAL) for alt in ARITH if alt != sym and alt not in NEAR.get(sym, [])]
    return out


def _identity(node: ast.BinOp, sym: str) -> bool:
    """`sym` with one of the operands makes the operation a no-op (`x * 1`, `x + 0`, `1 * x`, `x ** 1`)."""
    def const(n: ast.expr) -> object:
        return n.value if isinstance(n, ast.Constant) and type(n.value) in (int, float) else None

    right, left = const(node.right), const(node.left)
    if sym in ("+", "-") and right == 0 or sym == "+" and left == 0:
        return True
    return sym in ("*", "/", "//", "**") and right == 1 or sym == "*" and left == 1


def binop(ctx: Context, node: ast.BinOp) -> None:
    src = ctx.src
    sym = BIN_SYM.get(type(node.op))
    if sym is None:
        return
    _, le = src.span(node.left)
    rs, _ = src.span(node.right)
    idx = src.text[le:rs].find(sym)
    if idx < 0:
        return
    at = le + idx
    for alt, tier in _alternatives(sym):
        if _identity(node, alt):
            continue  # `n - 1` -> `n * 1` is `n`: the drop below writes it as a person would
        ctx.add([(at, at + len(sym), alt)], node.lineno, "operator", f"`{sym}` -> `{alt}`", tier)
    # one operand too many (`a + b` -> `a`)
    ctx.replace(node, src.seg(node.left), "operator", f"drop `{sym} {src.seg(node.right)}`", TIER_RARE,
                isinstance(node.left, TIGHT_NODES))
    ctx.replace(node, src.seg(node.right), "operator", f"drop `{src.seg(node.left)} {sym}`", TIER_RARE,
                isinstance(node.right, TIGHT_NODES))
    # `+` of strings or lists is not commutative either: text built in the wrong order (`acc + ch`)
    joins = isinstance(node.op, ast.Add) and bool((ctx.expr_type(node.left) | ctx.expr_type(node.right)) & {"str", "seq"})
    if isinstance(node.op, NON_COMMUTATIVE) or joins:
        ctx.replace(node, f"{_paren(ctx, node.right)} {sym} {_paren(ctx, node.left)}", "operator", "swap the operands", TIER_USUAL)


def augassign(ctx: Context, node: ast.AugAssign) -> None:
    src = ctx.src
    _, te = src.span(node.target)
    vs, _ = src.span(node.value)
    gap = src.text[te:vs]
    sym = BIN_SYM.get(type(node.op))
    if not sym or gap.strip() != sym + "=":
        return
    for alt, tier in _alternatives(sym):
        ctx.add([(te, vs, gap.replace(sym + "=", alt + "="))], node.lineno, "operator", f"`{sym}=` -> `{alt}=`", tier)
    # an accumulation that should have been a plain assignment
    ctx.add([(te, vs, " = ")], node.lineno, "operator", f"`{sym}=` -> `=`", TIER_USUAL)



def assign(ctx: Context, node: ast.Assign) -> None:
    """`x = e` where `x += e` was meant: an accumulation the author forgot."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], (ast.Name, ast.Subscript, ast.Attribute)):
        return
    src = ctx.src
    _, te = src.span(node.targets[0])
    vs, _ = src.span(node.value)
    if src.text[te:vs].strip() != "=":
        return
    for sym in ("+", "-", "*"):
        ctx.add([(te, vs, f" {sym}= ")], node.lineno, "operator", f"`=` -> `{sym}=`", TIER_RARE)


def dropped(ctx: Context, stmt: ast.Expr) -> None:
    """A statement that computes a value and drops it, where an assignment was meant: `i + 1` on a line of
    its own for `i += 1`, `found == True` for `found = True`. Only a plain name or attribute on the left (the
    variable the statement looks like it changes), and only a whole line (a docstring or a call is not it)."""
    value = stmt.value
    if not ctx.src.starts_line(stmt) or stmt.lineno != stmt.end_lineno:
        return
    if isinstance(value, ast.BinOp) and isinstance(value.left, (ast.Name, ast.Attribute)):
        sym = BIN_SYM.get(type(value.op))
        if sym:
            name, rhs = ctx.src.seg(value.left), ctx.src.seg(value.right)
            ctx.replace(value, f"{name} {sym}= {rhs}", "operator", f"`{name} {sym} {rhs}` -> `{name} {sym}= {rhs}`", TIER_USUAL, False)
    elif (isinstance(value, ast.Compare) and len(value.ops) == 1 and isinstance(value.ops[0], ast.Eq)
            and isinstance(value.left, (ast.Name, ast.Attribute))):
        name, rhs = ctx.src.seg(value.left), ctx.src.seg(value.comparators[0])
        ctx.replace(value, f"{name} = {rhs}", "operator", f"`{name} == {rhs}` -> `{name} = {rhs}`", TIER_USUAL, False)


def unary(ctx: Context, node: ast.UnaryOp) -> None:
    """The unary minus dropped; and the unary operators confused with each other: `-x` for the bitwise
    inversion `~x` (which is `-x - 1`), `~flag` for `not flag`."""
    operand = ctx.src.seg(node.operand)
    literal = isinstance(node.operand, ast.Constant)  # `-1` is a number, not an operator applied to one
    if isinstance(node.operand, TIGHT_NODES):
        operand = f"({operand})"
    if isinstance(node.op, ast.USub):
        ctx.replace(node, ctx.src.seg(node.operand), "operator", "drop the unary minus", TIER_USUAL,
                    isinstance(node.operand, TIGHT_NODES))
        # the same precedence as the operator it replaces: no brackets around it
        if not literal:
            ctx.replace(node, f"~{operand}", "operator", "`-` -> `~` (the bitwise inversion, `-x - 1`)", TIER_RARE, False)
    elif isinstance(node.op, ast.Invert):
        ctx.replace(node, f"-{operand}", "operator", "`~` -> `-`", TIER_RARE, False)
        ctx.replace(node, f"not {operand}", "operator", "`~` -> `not`", TIER_RARE)


def generate(ctx: Context) -> None:
    for node in ast.walk(ctx.tree):
        if not ctx.in_region(node):
            continue
        if isinstance(node, ast.BinOp):
            binop(ctx, node)
        elif isinstance(node, ast.AugAssign):
            augassign(ctx, node)
        elif isinstance(node, ast.Assign):
            assign(ctx, node)
        elif isinstance(node, ast.UnaryOp):
            unary(ctx, node)
        elif isinstance(node, ast.Expr):
            dropped(ctx, node)
