"""Screening compiles candidates with `**` and `<<` bounded.

A mutated operator easily turns `a * b ** c` into `a ** b ** c`: one integer power with billions of
digits, computed inside C where neither the step budget nor a signal reaches it. A forked screener (the
process backend) loses a kill and the candidate's timeout to it; Pyodide, which cannot fork, loses the
whole interpreter and a restart, and on a small budget the search ends before the fix. So the search
screens candidates with every `**` and `<<` going through a check that refuses, with an OverflowError,
an integer result of more than MAX_BITS bits, which no test's expected value needs and which takes more
than a few tens of milliseconds to compute. The same on every backend, so both screen the same
candidates; the program the user sees and the verification that follows run as written."""

from __future__ import annotations

import ast
import builtins
import operator
from typing import Any

MAX_BITS = 1 << 20
POW_NAME = "__tracefix_bounded_pow__"
LSHIFT_NAME = "__tracefix_bounded_lshift__"


def _too_big(bits: int) -> OverflowError:
    return OverflowError(f"integer result of about {bits} bits: more than screening allows ({MAX_BITS})")


def bounded_pow(base: Any, exp: Any) -> Any:
    if type(base) in (int, bool) and type(exp) in (int, bool) and exp > 1 and abs(base) > 1:
        bits = (abs(base).bit_length() - 1) * exp
        if bits > MAX_BITS:
            raise _too_big(bits)
    return operator.pow(base, exp)


def bounded_lshift(value: Any, shift: Any) -> Any:
    if type(value) in (int, bool) and type(shift) in (int, bool) and value and shift > MAX_BITS:
        raise _too_big(shift)
    return operator.lshift(value, shift)


_CALLS = {ast.Pow: POW_NAME, ast.LShift: LSHIFT_NAME}


class _Bound(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        name = _CALLS.get(type(node.op))
        if name is None:
            return node
        call = ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[node.left, node.right], keywords=[])
        return ast.copy_location(call, node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        name = _CALLS.get(type(node.op))
        if name is None or not isinstance(node.target, ast.Name):
            return node  # `x[i] **= n` would evaluate its target twice when rewritten: left as written
        load = ast.copy_location(ast.Name(id=node.target.id, ctx=ast.Load()), node.target)
        call = ast.copy_location(ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[load, node.value], keywords=[]), node)
        return ast.copy_location(ast.Assign(targets=[node.target], value=call), node)


def install() -> None:
    """Makes the two checks reachable from any module's code (as built-ins, under names no program uses)."""
    setattr(builtins, POW_NAME, bounded_pow)
    setattr(builtins, LSHIFT_NAME, bounded_lshift)


def bound(source: str, filename: str) -> Any:
    """`source` compiled with its `**` and `<<` bounded; None when it does not compile (or has neither)."""
    if "**" not in source and "<<" not in source:
        return None
    try:
        tree = ast.parse(source, filename)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    tree = ast.fix_missing_locations(_Bound().visit(tree))
    try:
        return compile(tree, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
