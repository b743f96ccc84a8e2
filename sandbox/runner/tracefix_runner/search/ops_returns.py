"""Return values: the wrong variable returned, a function that falls off its end (returns None) where it
built a result, a value computed on a line of its own where it was to be returned (the forgotten `return`
of a recursive call, the most common), a recursive call whose result was meant to be added to what the
function collects (`flatten(item)` for `result.extend(flatten(item))`), a return value that is the
negation of the right one, an answer printed where it was to be returned, and a nested item (one whose type
the code tests: `isinstance(item, list)`) handled one level deep where the function was to recurse into it."""

from __future__ import annotations

import ast

from .edits import TIER_RARE, TIER_USUAL, Context, returns_a_value


def return_value(ctx: Context, node: ast.Return) -> None:
    value = node.value
    if value is None:
        return
    for other in ctx.scope_names(node):
        if isinstance(value, ast.Name) and value.id == other:
            continue
        if not ctx.seen_alive(other):
            continue
        ctx.replace(value, other, "return", f"return `{other}`", TIER_RARE, False)
    if "bool" in ctx.expr_type(value):
        text = ctx.src.seg(value)
        if not (isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)):
            ctx.replace(value, f"not ({text})" if not isinstance(value, (ast.Name, ast.Call)) else f"not {text}",
                        "return", "return the negation", TIER_USUAL, False)


def missing_return(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    last = fn.body[-1]
    if isinstance(last, (ast.Return, ast.Raise)) or not ctx.in_region(last):
        return
    if returns_a_value(fn):
        return  # it returns a value somewhere already: a missing return there is another bug
    at = ctx.src.line_end(last.end_lineno or last.lineno)
    indent = ctx.src.indent_of(fn.body[0].lineno)
    assigned = [n for n in ctx.scopes.get(fn, []) if n not in {a.arg for a in fn.args.args}]
    for name in assigned + [a.arg for a in fn.args.args]:
        if ctx.seen_alive(name):
            ctx.add([(at, at, f"{indent}return {name}\n")], last.lineno, "return", f"return `{name}` at the end", TIER_USUAL)


# Expressions that, as a statement, compute a value and drop it (a call may be kept for its effect).
_INERT = (ast.BinOp, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Name, ast.Attribute, ast.Subscript, ast.IfExp, ast.JoinedStr,
          ast.Tuple, ast.List, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp)


def unreturned(ctx: Context, stmt: ast.Expr) -> None:
    """`search(xs, lo, mid)` as a statement inside `search` itself, or an expression with no effect
    (`a + b`, an f-string, a comprehension), in a function that returns values: the value was meant to be
    returned."""
    fn = ctx.enclosing_func(stmt)
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or not ctx.in_region(stmt) or not ctx.src.starts_line(stmt):
        return
    value = stmt.value
    recursive = _calls_itself(fn, value)
    inert = isinstance(value, _INERT)
    if not (recursive or inert):
        return
    if inert and not returns_a_value(fn):
        return  # a function that returns nothing: a stray expression there is no forgotten answer
    s, _ = ctx.src.span(stmt)
    ctx.add([(s, s, "return ")], stmt.lineno, "return", f"return `{ctx.src.seg(value)}`", TIER_USUAL)


def _calls_itself(fn: ast.AST, value: ast.expr) -> bool:
    return isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
        and value.func.id == fn.name


def _started_as(v: ast.expr) -> str | None:
    """What an accumulator's first value makes it: "list", "dict", "set", "value" (a number or string), or None."""
    if isinstance(v, ast.List):
        return "list"
    if isinstance(v, ast.Dict):
        return "dict"
    if isinstance(v, ast.Set):
        return "set"
    if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in ("list", "dict", "set") and not v.args and not v.keywords:
        return v.func.id
    if isinstance(v, ast.Constant) and type(v.value) in (int, float, str):
        return "value"
    return None


# How a collected answer joins each kind of accumulator.
_JOIN = {"list": "{name}.extend({call})", "dict": "{name}.update({call})", "set": "{name}.update({call})", "value": "{name} += {call}"}


def _accumulators(fn: ast.AST) -> dict[str, str]:
    """{name: kind} for each name the function returns and starts as an empty-or-literal list, dict, set,
    number or string: what it collects (see `_JOIN` for how an answer joins it)."""
    returned = {n.value.id for n in ast.walk(fn) if isinstance(n, ast.Return) and isinstance(n.value, ast.Name)}
    out: dict[str, str] = {}
    for n in ast.walk(fn):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) and n.targets[0].id in returned:
            kind = _started_as(n.value)
            if kind is not None:
                out[n.targets[0].id] = kind
    return out


def folded(ctx: Context, stmt: ast.Expr) -> None:
    """`flatten(item)` as a statement inside `flatten`, which returns the `result` it builds: the recursive
    call's answer was meant to join it (`result.extend(...)`, `flat.update(...)`, `total += ...`)."""
    fn = ctx.enclosing_func(stmt)
    value = stmt.value
    if not (_calls_itself(fn, value) and ctx.in_region(stmt) and ctx.src.starts_line(stmt)):
        return
    call = ctx.src.seg(value)
    for name, kind in sorted(_accumulators(fn).items()):
        ctx.replace(value, _JOIN[kind].format(name=name, call=call), "return", f"add what `{call}` returns to `{name}`", TIER_USUAL, False)


def printed(ctx: Context, stmt: ast.Expr) -> None:
    """`print(total)` in a function that returns nothing: the answer was shown instead of handed back
    (the tests then see None). `return total` in its place; a function that returns values elsewhere
    prints for show, and its prints are left alone."""
    call = stmt.value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print" and len(call.args) == 1
            and not call.keywords and not isinstance(call.args[0], ast.Starred)):
        return
    fn = ctx.enclosing_func(stmt)
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or returns_a_value(fn) or not ctx.in_region(stmt) \
            or not ctx.src.starts_line(stmt):
        return
    text = ctx.src.seg(call.args[0])
    ctx.replace(call, f"return {text}", "return", f"return `{text}` instead of printing it", TIER_USUAL, False)


_COLLECTIONS = {"list", "tuple", "dict", "set"}
_MEASURES = {"sum", "len", "max", "min", "list", "sorted", "tuple", "set"}


def _collection_tested(test: ast.expr) -> tuple[set[str], bool]:
    """Names a condition tests to be a collection (`isinstance(x, list)`, `isinstance(x, (list, tuple))`,
    `type(x) == list`, `type(x) is dict`), and whether it holds when they are one (False under a `not`)."""
    holds = True
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, holds = test.operand, not holds

    def kinds(node: ast.expr) -> set[str]:
        items = node.elts if isinstance(node, ast.Tuple) else [node]
        return {n.id for n in items if isinstance(n, ast.Name)}

    names: set[str] = set()
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance" and len(test.args) == 2 \
            and isinstance(test.args[0], ast.Name) and kinds(test.args[1]) & _COLLECTIONS:
        names.add(test.args[0].id)
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.Is, ast.NotEq, ast.IsNot)):
        left, right = test.left, test.comparators[0]
        if isinstance(right, ast.Call):
            left, right = right, left
        if isinstance(left, ast.Call) and isinstance(left.func, ast.Name) and left.func.id == "type" and len(left.args) == 1 \
                and isinstance(left.args[0], ast.Name) and kinds(right) & _COLLECTIONS:
            names.add(left.args[0].id)
            holds = holds == isinstance(test.ops[0], (ast.Eq, ast.Is))
    return names, holds


def nested(ctx: Context, node: ast.If) -> None:
    """`if isinstance(item, list): result.extend(item)` in a function that is to flatten or walk a nested
    structure: the item is handled one level deep. The function called on it instead (`flatten(item)`),
    its other parameters passed along as they are; where the item is read as an argument, a returned or
    yielded value, a sum's operand or what a loop walks."""
    fn = ctx.enclosing_func(node)
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    if not params or isinstance(ctx.parent.get(fn), ast.ClassDef):
        return
    names, holds = _collection_tested(node.test)
    body = node.body if holds else node.orelse
    if not names or not body:
        return
    for stmt in body:
        for n in ast.walk(stmt):
            if not (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in names and ctx.in_region(n)):
                continue
            up = ctx.parent.get(n)
            if isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id == fn.name:
                continue  # already recursing
            read = (isinstance(up, ast.Call) and n in up.args) or isinstance(up, (ast.Return, ast.Yield, ast.YieldFrom, ast.BinOp)) \
                or (isinstance(up, ast.AugAssign) and up.value is n) or (isinstance(up, (ast.For, ast.comprehension)) and up.iter is n)
            if not read or n.id in params[1:]:
                continue
            call = f"{fn.name}({', '.join([n.id] + params[1:])})"
            ctx.replace(n, call, "recursion", f"recurse into `{n.id}`: `{call}`", TIER_USUAL, False)
            if isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and up.func.id in _MEASURES and len(up.args) == 1 \
                    and not up.keywords:
                # `total += sum(item)`, `n += len(item)`: the built-in measures one level; the function measures all
                ctx.replace(up, call, "recursion", f"`{ctx.src.seg(up)}` -> `{call}`: recurse into `{n.id}`", TIER_USUAL, False)


def generate(ctx: Context) -> None:
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.If):
            nested(ctx, node)
        if isinstance(node, ast.Return) and ctx.in_region(node):
            return_value(ctx, node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            missing_return(ctx, node)
        elif isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
            unreturned(ctx, node)
            folded(ctx, node)
            printed(ctx, node)
