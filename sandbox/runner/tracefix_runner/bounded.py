"""Screening and probing compile programs with `**` and `<<` bounded.

A mutated operator easily turns `a * b ** c` into `a ** b ** c`: one integer power with billions of
digits, computed inside C where neither the step budget nor a signal reaches it. A forked screener (the
process backend) loses a kill and the candidate's timeout to it; Pyodide, which cannot fork, loses the
whole interpreter and a restart, and on a small budget the search ends before the fix. So the search
screens candidates with every `**` and `<<` going through a check that refuses, with an OverflowError,
an integer result of more than MAX_BITS bits, which no test's expected value needs and which takes more
than a few tens of milliseconds to compute. The same on every backend, so both screen the same
candidates. The probe (probe.py) runs every program on its grown inputs bounded the same way. The program
the user sees and the verification of a fix against the tests run as written. A call of `eval` on a
string is bounded the same way (a calculator that builds its expression)."""

from __future__ import annotations

import ast
import builtins
import operator
import sys
from typing import Any

from .discover import PROGRAM_FILE
from .harness import compile_program

MAX_BITS = 1 << 20
POW_NAME = "__tracefix_bounded_pow__"
LSHIFT_NAME = "__tracefix_bounded_lshift__"
EVAL_NAME = "__tracefix_bounded_eval__"


def _too_big(bits: int) -> OverflowError:
    return OverflowError(f"integer result of about {bits} bits: more than the search and the probe compute ({MAX_BITS})")


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


def bounded_eval(expression: Any, globals_: Any = None, locals_: Any = None) -> Any:
    """`eval` of a string with its `**` and `<<` bounded too (a program that builds an expression and
    evaluates it), in the caller's namespaces when none are given, as `eval` itself does."""
    caller = sys._getframe(1)
    if globals_ is None:
        globals_, locals_ = caller.f_globals, caller.f_locals if locals_ is None else locals_
    if isinstance(expression, str):
        try:
            tree = ast.parse(expression.lstrip(" \t"), "<string>", "eval")
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            pass  # eval itself raises the error the program would see
        else:
            expression = compile(ast.fix_missing_locations(_Bound().visit(tree)), "<string>", "eval", dont_inherit=True)
    return builtins.eval(expression, globals_, locals_)


_CALLS = {ast.Pow: POW_NAME, ast.LShift: LSHIFT_NAME}


class _Bound(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        name = _CALLS.get(type(node.op))
        if name is None:
            return node
        call = ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[node.left, node.right], keywords=[])
        return ast.copy_location(call, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "eval":
            node.func = ast.copy_location(ast.Name(id=EVAL_NAME, ctx=ast.Load()), node.func)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        name = _CALLS.get(type(node.op))
        if name is None or not isinstance(node.target, ast.Name):
            return node  # `x[i] **= n` would evaluate its target twice when rewritten: left as written
        load = ast.copy_location(ast.Name(id=node.target.id, ctx=ast.Load()), node.target)
        call = ast.copy_location(ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[load, node.value], keywords=[]), node)
        return ast.copy_location(ast.Assign(targets=[node.target], value=call), node)


def install() -> None:
    """Makes the checks reachable from any module's code (as built-ins, under names no program uses)."""
    setattr(builtins, POW_NAME, bounded_pow)
    setattr(builtins, LSHIFT_NAME, bounded_lshift)
    setattr(builtins, EVAL_NAME, bounded_eval)


def compiled(source: str, plain: Any = None) -> Any:
    """The program's code as the search and the probe run it: bounded where it has `**`, `<<` or `eval`,
    else `plain` (its code compiled as it is, compiled here when not given; None when it does not compile)."""
    return bound(source, PROGRAM_FILE) or (plain if plain is not None else compile_program(source).code)


def bound(source: str, filename: str) -> Any:
    """`source` compiled with its `**`, `<<` and `eval` bounded; None when it does not compile (or has none)."""
    if "**" not in source and "<<" not in source and "eval" not in source:
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
