"""Missing guards and conditions, grown from what the failing run showed: a degenerate input the
function does not handle (empty, zero, one element: `if not xs: return ...` at its top); the
statement that raised, guarded against the exception's cause (`if k in d`, `if i < len(xs)`, a zero
divisor, `x is not None`, a sequence too short to unpack) or skipped in its loop; and a condition one
clause short, grown from that cause (`x is None or x.next is None`, an early exit that misses a case); and
an item counted, summed or collected in a loop without the filter the task asked for (only the even ones,
the positive ones, the letters): the common tests of a number's or a character's kind, as a guard of the
statement, a comprehension's `if`, or a filtered generator where a built-in took the collection whole
(`tuple(text)`, `sum(xs)`)."""

from __future__ import annotations

import ast
from typing import Any

from .edits import EXITS, TIER_LAST, TIER_RARE, Context, returns_a_value


def _degenerate(value: Any) -> list[str]:
    """Conditions, over a parameter `{p}`, that single out a degenerate input value."""
    out: list[str] = []
    try:
        if isinstance(value, bool):
            return out
        if isinstance(value, (int, float)):
            if value == 0:
                out.append("{p} == 0")
            if value < 0:
                out.append("{p} < 0")
            if 0 <= value <= 1:
                out.append("{p} <= 1")
        elif isinstance(value, (str, list, tuple, dict, set)):
            if len(value) == 0:
                out.append("not {p}")
            elif len(value) == 1:
                out.append("len({p}) == 1")
        elif value is None:
            out.append("{p} is None")
    except Exception:  # noqa: BLE001 - a user object's __len__ or __eq__ may raise anything
        pass
    return out


def _short_answers(values: list[Any]) -> list[str]:
    """The answers the tests expect, written as Python, short ones only, each once."""
    out: list[str] = []
    for v in values:
        text = repr(v)
        if len(text) <= 40 and text not in out:
            out.append(text)
    return out


def input_guards(ctx: Context) -> None:
    ev = ctx.evidence
    for fn in ast.walk(ctx.tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        first = ctx.first_statement(fn)
        if not ctx.in_region(first) or not ctx.src.starts_line(first):
            continue
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        conds: list[str] = []
        for call in ev.failing_calls:
            if call.get("func") != fn.name:
                continue
            for p in params:
                if p in call["args"]:
                    for c in _degenerate(call["args"][p]):
                        cond = c.format(p=p)
                        if cond not in conds:
                            conds.append(cond)
        if not conds:
            continue
        # the answer for a degenerate input: a neutral value of the kind the tests expect, or the input
        values = _short_answers(ev.expected)
        for v in ("[]", "0", "''", "None", "False", "True", "-1", *params):
            if v not in values:
                values.append(v)
        indent = ctx.src.indent_of(first.lineno)
        at = ctx.src.line_start(first.lineno)
        literals = [repr(v) for v in ev.expected]
        for cond in conds:
            # The expected value is the answer for an empty or zero input; returned for any other input
            # the failing test happened to use, it would only memorise that test.
            empty = cond.startswith("not ") or cond.endswith("== 0") or cond.endswith("is None")
            for v in values:
                if v in literals and not empty:
                    continue
                ctx.add([(at, at, f"{indent}if {cond}:\n{indent}    return {v}\n")], first.lineno, "guard",
                        f"add the guard `if {cond}: return {v}`", TIER_RARE)


def _object(node: ast.expr) -> bool:
    """A name or a chain of attributes of one (`node`, `node.next`): safe to evaluate twice."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


_CONTAINERS = {"dict": "dict", "seq": "(list, tuple)", "set": "set", "str": "str"}


def _causes(ctx: Context, node: ast.AST, error: str) -> list[tuple[str, str]]:
    """(condition, its negation) pairs under which `node` does not raise `error`."""
    src = ctx.src
    out: list[tuple[str, str]] = []
    for n in ast.walk(node):
        if error == "ZeroDivisionError" and isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            out.append((f"{src.seg(n.right)} != 0", f"{src.seg(n.right)} == 0"))
        elif error == "KeyError" and isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load) and not isinstance(n.slice, ast.Slice):
            out.append((f"{src.seg(n.slice)} in {src.seg(n.value)}", f"{src.seg(n.slice)} not in {src.seg(n.value)}"))
        elif error == "IndexError" and isinstance(n, ast.Subscript) and not isinstance(n.slice, ast.Slice):
            out.append((f"{src.seg(n.slice)} < len({src.seg(n.value)})", f"{src.seg(n.slice)} >= len({src.seg(n.value)})"))
            out.append((f"{src.seg(n.value)}", f"not {src.seg(n.value)}"))
        elif error in ("TypeError", "AttributeError") and isinstance(n, (ast.Attribute, ast.Subscript)) and _object(n.value):
            out.append((f"{src.seg(n.value)} is not None", f"{src.seg(n.value)} is None"))
        elif (error == "TypeError" and isinstance(n, ast.Compare) and len(n.ops) == 1 and isinstance(n.ops[0], (ast.In, ast.NotIn))
              and _object(n.comparators[0])):
            # `key in cur` where `cur` is sometimes not a container: only the containers it was seen to be
            kinds = [_CONTAINERS[k] for k in sorted(ctx.expr_type(n.comparators[0])) if k in _CONTAINERS]
            if kinds:
                where = src.seg(n.comparators[0])
                types = kinds[0] if len(kinds) == 1 else f"({', '.join(kinds)})"
                out.append((f"isinstance({where}, {types})", f"not isinstance({where}, {types})"))
        elif (error == "ValueError" and isinstance(n, ast.Assign) and len(n.targets) == 1
              and isinstance(n.targets[0], (ast.Tuple, ast.List)) and isinstance(n.value, ast.Name)):
            # unpacking `first, *rest = xs` of too short a sequence
            fixed = sum(1 for t in n.targets[0].elts if not isinstance(t, ast.Starred))
            starred = fixed != len(n.targets[0].elts)
            name = n.value.id
            if starred and fixed == 1:
                out.append((name, f"not {name}"))
            elif starred:
                out.append((f"len({name}) >= {fixed}", f"len({name}) < {fixed}"))
    unique: list[tuple[str, str]] = []
    for pair in out:
        if pair not in unique and "\n" not in pair[0]:
            unique.append(pair)
    return unique[:4]


def _grouped(node: ast.expr, text: str) -> str:
    return f"({text})" if isinstance(node, (ast.BoolOp, ast.IfExp, ast.Lambda, ast.NamedExpr)) else text


def _early_exit(ctx: Context, stmt: ast.stmt) -> ast.If | None:
    """The nearest `if C: return ...` (no else) before `stmt` in its block: the function's way out for
    inputs it cannot handle, which the input that raised at `stmt` should have taken too."""
    body = ctx.body_of(stmt)
    if not body:
        return None
    for prev in reversed(body[: body.index(stmt)]):
        if isinstance(prev, ast.If) and not prev.orelse and isinstance(prev.body[-1], EXITS):
            return prev
    return None


def grown_conditions(ctx: Context, stmt: ast.stmt, error: str) -> None:
    """A condition that misses a clause, grown from the exception's cause: the test of an `if`/`while`
    that itself raised (`node.next is None` where `node` is None) gets the guard before it, and the
    early exit before a statement that raised (`if words is None: return 0` before `first, *rest = words`
    on an empty list) gets the case that statement cannot handle."""
    src = ctx.src
    if isinstance(stmt, (ast.If, ast.While)):
        test = stmt.test
        text = _grouped(test, src.seg(test))
        exits = isinstance(stmt, ast.If) and isinstance(stmt.body[-1], EXITS)
        for cond, neg in _causes(ctx, test, error):
            ctx.replace(test, f"{cond} and {text}", "condition", f"evaluate the condition only `if {cond}`", TIER_RARE)
            if exits:
                ctx.replace(test, f"{neg} or {text}", "condition", f"also take the branch when `{neg}`", TIER_RARE)
        return
    exit_if = _early_exit(ctx, stmt)
    if exit_if is None or not ctx.in_region(exit_if.test):
        return
    text = _grouped(exit_if.test, src.seg(exit_if.test))
    for _cond, neg in _causes(ctx, stmt, error):
        ctx.replace(exit_if.test, f"{text} or {neg}", "condition",
                    f"add `or {neg}` to the early exit at line {exit_if.lineno} (line {stmt.lineno} raised {error})", TIER_RARE)


def exit_before(ctx: Context, stmt: ast.stmt, error: str) -> None:
    """The input `stmt` cannot handle needed a way out before it (`if not parts: return ''` before
    `parts[0]`), in a function that returns values and has none there yet. The answer returned is one the
    tests expect or None; the early exit grown by `grown_conditions` covers a function that has one."""
    fn = ctx.enclosing_func(stmt)
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or _early_exit(ctx, stmt) is not None:
        return
    if not returns_a_value(fn):
        return
    values = _short_answers([*ctx.evidence.raised_expected, *ctx.evidence.expected])
    if "None" not in values:
        values.append("None")
    indent = ctx.src.indent_of(stmt.lineno)
    at = ctx.src.line_start(stmt.lineno)
    for _cond, neg in _causes(ctx, stmt, error):
        for v in values[:4]:
            ctx.add([(at, at, f"{indent}if {neg}:\n{indent}    return {v}\n")], stmt.lineno, "guard",
                    f"return {v} before line {stmt.lineno} when `{neg}` (it raised {error})", TIER_RARE)


def error_guards(ctx: Context) -> None:
    src = ctx.src
    for line, error in ctx.evidence.error_types.items():
        stmts = [n for n in ast.walk(ctx.tree) if isinstance(n, ast.stmt) and n.lineno == line
                 and not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        if not stmts:
            continue
        stmt = stmts[-1]
        for header in stmts:  # a one-line `if c: return x` raised in its test or in its body
            if isinstance(header, (ast.If, ast.While)) and header is not stmt:
                grown_conditions(ctx, header, error)
        grown_conditions(ctx, stmt, error)
        if isinstance(stmt, (ast.If, ast.While, ast.For)):
            continue  # the raise is in its header; wrapping the whole block is a different fix
        if not src.starts_line(stmt) or ctx.body_of(stmt) is None:
            continue
        indent = src.indent_of(stmt.lineno)
        start, end = ctx.stmt_span(stmt)
        text = src.text[start:end]
        block = "".join("    " + ln if ln.strip() else ln for ln in text.splitlines(keepends=True))
        in_loop = any(isinstance(p, (ast.For, ast.While)) for p in _ancestors(ctx, stmt))
        if not in_loop:
            exit_before(ctx, stmt, error)
        for cond, neg in _causes(ctx, stmt, error):
            ctx.add([(start, end, f"{indent}if {cond}:\n{block}")], stmt.lineno, "guard", f"run line {stmt.lineno} only `if {cond}`", TIER_RARE)
            if in_loop:
                ctx.add([(start, start, f"{indent}if {neg}:\n{indent}    continue\n")], stmt.lineno, "guard",
                        f"skip the iteration when `{neg}`", TIER_LAST)


def _ancestors(ctx: Context, node: ast.AST) -> list[ast.AST]:
    out = []
    cur = ctx.parent.get(node)
    while cur is not None and not isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef)):
        out.append(cur)
        cur = ctx.parent.get(cur)
    return out


_NUMBER_TESTS = ("{v} % 2 == 0", "{v} % 2 != 0", "{v} > 0", "{v} < 0")
_TEXT_TESTS = ("{v}.isalpha()", "{v}.isdigit()", "{v}.isupper()", "{v}.islower()", "{v}.isalnum()", "not {v}.isspace()")
# Tests that ask the same question (parity, sign, case): a filter that asks one of them is not given another.
_FAMILIES = (_NUMBER_TESTS[:2], _NUMBER_TESTS[2:], _TEXT_TESTS[2:4])
# Built-ins that take a whole collection at once (`tuple(s)`, `sum(xs)`): a filter goes into a generator there.
_WHOLE = ("tuple", "list", "set", "sorted", "sum", "max", "min")
_COLLECTS = ("append", "add", "extend", "insert")


def _item_of(ctx: Context, target: ast.expr, iterated: ast.expr) -> tuple[str, ast.expr] | None:
    """The item a loop visits, as text, and a node of it for its kind: the loop name, or `xs[i]` for an
    index walked over `range(len(xs))` (with any start or step)."""
    if not isinstance(target, ast.Name):
        return None
    if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Name) and iterated.func.id == "range":
        for arg in iterated.args[:2]:
            if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "len" and len(arg.args) == 1 \
                    and isinstance(arg.args[0], ast.Name):
                seq = arg.args[0]
                sub = ast.Subscript(value=seq, slice=ast.Name(id=target.id, ctx=ast.Load()), ctx=ast.Load())
                return f"{seq.id}[{target.id}]", sub
        return None
    return target.id, target


def _item_tests(ctx: Context, item: ast.expr, used_as_number: bool) -> tuple[str, ...]:
    kinds = ctx.expr_type(item)
    if isinstance(item, ast.Subscript) and not kinds:
        seq_kinds = ctx.expr_type(item.value)
        if "str" in seq_kinds:
            kinds = {"str"}
        elif "seq" in seq_kinds:
            used_as_number = True  # an item of a list whose items the run did not type: numbers are the common case
    if kinds & {"int", "float"} or (not kinds and used_as_number):
        return _NUMBER_TESTS
    if kinds == {"str"}:
        return _TEXT_TESTS
    return ()


def missing_filter(ctx: Context, loop: ast.For | ast.comprehension, owner: ast.AST) -> None:
    """`for x in xs: total += x` where only some items were to count. The statement that counts, sums or
    collects (directly in the loop, unguarded) runs only `if` the item passes a common test of its kind; a
    comprehension (`sum(x for x in xs)`) gets it as its `if`."""
    found = _item_of(ctx, loop.target, loop.iter)
    if found is None:
        return
    text, node = found
    if isinstance(loop, ast.comprehension):
        if loop.is_async or not isinstance(owner, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return
        used_as_number = ctx.src.seg(owner.elt) == text
        if loop.ifs:
            _conjoined(ctx, loop.ifs[-1], text, node, used_as_number)
            return
        _, end = ctx.src.span(loop.iter)
        for test in _item_tests(ctx, node, used_as_number):
            cond = test.format(v=text)
            ctx.add([(end, end, f" if {cond}")], loop.iter.lineno, "guard", f"keep only the items where `{cond}`", TIER_RARE)
        return
    for stmt in loop.body:
        if isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1 and ctx.in_region(stmt.test):
            # already guarded: the guard may lack the one condition the task asked for
            used_as_number = _counts(ctx, stmt.body[0], text)
            if used_as_number is not None:
                _conjoined(ctx, stmt.test, text, node, used_as_number)
            continue
        if not ctx.src.starts_line(stmt) or not ctx.in_region(stmt) or (stmt.end_lineno or stmt.lineno) != stmt.lineno:
            continue
        used_as_number = _counts(ctx, stmt, text)
        if used_as_number is None:
            continue
        indent = ctx.src.indent_of(stmt.lineno)
        start, end = ctx.stmt_span(stmt)
        body = "    " + ctx.src.text[start:end]
        for test in _item_tests(ctx, node, used_as_number):
            cond = test.format(v=text)
            ctx.add([(start, end, f"{indent}if {cond}:\n{body}")], stmt.lineno, "guard", f"count only the items where `{cond}`", TIER_RARE)


def _counts(ctx: Context, stmt: ast.stmt, text: str) -> bool | None:
    """Whether a loop statement counts or sums the item (True: it is used as a number) or collects it
    (False); None for any other statement."""
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, (ast.Add, ast.Sub)):
        return ctx.src.seg(stmt.value) == text or isinstance(stmt.value, ast.Constant)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute) \
            and stmt.value.func.attr in _COLLECTS and text in ctx.src.seg(stmt):
        return False
    return None


def _conjoined(ctx: Context, test: ast.expr, text: str, node: ast.expr, used_as_number: bool) -> None:
    """A filter that is there but lacks one condition: `if x > 0` where the odd positive items were meant
    becomes `if x > 0 and x % 2 != 0`. A condition the filter already states (or its opposite) is not added."""
    have = ctx.src.seg(test)
    # an `and` chain takes one more clause as it is; anything else that binds looser than `and` is bracketed
    looser = isinstance(test, (ast.IfExp, ast.Lambda, ast.NamedExpr)) or (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or))
    base = f"({have})" if looser else have
    for t in _item_tests(ctx, node, used_as_number):
        cond = t.format(v=text)
        family = next((f for f in _FAMILIES if t in f), (t,))
        if any(other.format(v=text).removeprefix("not ") in have for other in family):
            continue
        ctx.replace(test, f"{base} and {cond}", "guard", f"also require `{cond}`", TIER_RARE, False)


def whole_filter(ctx: Context, call: ast.Call) -> None:
    """`tuple(text)`, `sum(xs)`: a collection taken whole where only items of one kind were wanted (the
    characters that are no spaces, the positive numbers); no loop holds the guard, so the argument becomes
    a generator with the filter."""
    if not (isinstance(call.func, ast.Name) and call.func.id in _WHOLE and len(call.args) == 1 and not call.keywords
            and isinstance(call.args[0], ast.Name)):
        return
    arg = call.args[0]
    kinds = ctx.expr_type(arg)
    var = ctx.fresh_name(call, ("x", "v", "item", "ch"))
    if var is None:
        return
    if kinds & {"str"}:
        tests = _TEXT_TESTS
    elif kinds & {"seq", "set"} and call.func.id in ("sum", "max", "min"):
        tests = _NUMBER_TESTS
    else:
        return
    for test in tests:
        cond = test.format(v=var)
        ctx.replace(arg, f"{var} for {var} in {arg.id} if {cond}", "guard", f"keep only the items of `{arg.id}` where `{cond}`",
                    TIER_RARE, False)


def generate(ctx: Context) -> None:
    input_guards(ctx)
    error_guards(ctx)
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Call) and ctx.in_region(node):
            whole_filter(ctx, node)
    for node in ast.walk(ctx.tree):
        if not ctx.in_region(node):
            continue
        if isinstance(node, ast.For):
            missing_filter(ctx, node, node)
        elif isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)) and len(node.generators) == 1:
            missing_filter(ctx, node.generators[0], node)
