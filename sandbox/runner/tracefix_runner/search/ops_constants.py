"""Constants and off-by-one: a literal off by one (or the other boolean, another string of the program,
a string the tests write that it misspells or miscases), a range bound, slice bound or index off by one, a
range that starts at the wrong place, a difference that counts the values between two ends one off, a
mathematical constant written to another precision than the tests use (3.14 for `math.pi`), and a running
maximum or minimum that starts from a number the values may not pass (`best = 0` before a loop of
`best = max(best, x)`: the infinity on the right side, or the first value), a string with
`{name}` placeholders that lacks the `f` of an f-string, and a range walked one by one where the body
takes pieces of a width (`xs[i:i + size]`): the range stepped by that width, or walked from its other end,
a sequence cut in two at the wrong point (`xs[k:] + xs[:k]`): the point moved in both slices at once, the
first n even or odd numbers walked as the numbers up to n, and a set of letters written in one case where
either case counts (`"aeiou"` -> `"aeiouAEIOU"`)."""

from __future__ import annotations

import ast
import builtins
import math
import re

from . import ops_imports
from .edits import LOOPS, TIER_COMMON, TIER_LAST, TIER_RARE, TIER_USUAL, Context, edit_distance, shifted


def _string_literal(text: str, quote: str) -> str:
    lit = repr(text)
    if quote == '"' and '"' not in text and "\\" not in lit:
        lit = '"' + lit[1:-1] + '"'
    return lit


def _misspelt(word: str, written: list[str]) -> list[str]:
    """Strings the tests write that `word` is a typo of: the same but for case, or (for words of four or
    more letters) one or two letters off."""
    cap = 1 if len(word) < 8 else 2
    out = []
    for other in written:
        if other == word:
            continue
        if other.lower() == word.lower() or (len(word) >= 4 and edit_distance(word, other, cap) <= cap):
            out.append(other)
    return out


def constant(ctx: Context, node: ast.Constant, strings: list[str]) -> None:
    if isinstance(ctx.parent.get(node), (ast.Expr, ast.JoinedStr, ast.FormattedValue)):
        return  # a docstring, or a piece of an f-string (its span is not its own before 3.12)
    v = node.value
    s, e = ctx.src.span(node)
    old = ctx.src.text[s:e]
    alts: list[tuple[str, int]] = []
    if isinstance(v, bool):
        alts = [(str(not v), TIER_COMMON)]
    elif isinstance(v, int):
        alts = [(str(v + 1), TIER_COMMON), (str(v - 1), TIER_COMMON)]
        if v not in (0, 1):
            alts += [("0", TIER_USUAL), ("1", TIER_USUAL)]
        if v != 0:
            alts.append((str(-v), TIER_RARE))
        alts += [(str(v + 2), TIER_RARE), (str(v - 2), TIER_RARE)]
    elif isinstance(v, float):
        alts = [("0.0", TIER_USUAL), ("1.0", TIER_USUAL), (repr(-v), TIER_RARE)]
    elif isinstance(v, str) and len(v) <= 40:
        quote = old[0] if old[:1] in ("'", '"') else "'"
        outs = [(other, TIER_USUAL) for other in strings if other != v]
        outs += [(other, TIER_USUAL) for other in _misspelt(v, ctx.evidence.test_strings)]
        outs += [("", TIER_USUAL), (v.strip(), TIER_USUAL), (v.upper(), TIER_USUAL), (v.lower(), TIER_USUAL),
                 (v.capitalize(), TIER_RARE), (" ", TIER_LAST)]
        if len(v) > 1:
            outs += [(v[:-1], TIER_RARE), (v[1:], TIER_RARE)]
        seen: list[str] = []
        for text, tier in outs:
            if text != v and text not in seen:
                seen.append(text)
                alts.append((_string_literal(text, quote), tier))
    elif v is None:
        alts = [("0", TIER_RARE), ("[]", TIER_RARE), ("''", TIER_LAST)]
    parent = ctx.parent.get(node)
    # `n - 1` whose 1 becomes 0 is `n`, as a person writes it (not `n - 0`)
    dropped = (
        isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Add, ast.Sub)) and parent.right is node
        and type(v) is int
    )
    for text, tier in alts:
        if text == old:
            continue
        if dropped and text == "0":
            base = ctx.src.seg(parent.left)  # type: ignore[union-attr]
            ctx.replace(parent, base, "constant", f"`{ctx.src.seg(parent)}` -> `{base}`", tier)
        else:
            ctx.add([(s, e, text)], node.lineno, "constant", f"`{old}` -> `{text}`", tier)


def range_call(ctx: Context, node: ast.Call) -> None:
    src = ctx.src
    for arg in node.args:
        if not isinstance(arg, ast.Constant):
            t = src.seg(arg)
            for delta in (1, -1):
                new = shifted(t, delta)
                ctx.replace(arg, new, "bound", f"range bound `{t}` -> `{new}`", TIER_COMMON)
    if len(node.args) == 1:
        s, _ = src.span(node.args[0])
        ctx.add([(s, s, "1, ")], node.lineno, "bound", "start the range at 1", TIER_USUAL)
    elif len(node.args) >= 2:
        s, _ = src.span(node.args[0])
        e, _ = src.span(node.args[1])
        ctx.add([(s, e, "")], node.lineno, "bound", "start the range at 0", TIER_USUAL)


def _count_name(stop: ast.expr) -> str | None:
    """`n` when a range's stop is `n`, `n + c` or `n - c` (n a name: a count the caller gives)."""
    if isinstance(stop, ast.Name):
        return stop.id
    if isinstance(stop, ast.BinOp) and isinstance(stop.op, (ast.Add, ast.Sub)) and isinstance(stop.left, ast.Name) \
            and isinstance(stop.right, ast.Constant) and type(stop.right.value) is int:
        return stop.left.id
    return None


def nth_values(ctx: Context, loop: ast.For) -> None:
    """"The first n even (odd) numbers" walked as the numbers up to n. A stepped range whose stop counts
    items where it bounds values (`range(2, n + 1, 2)`: the even numbers up to n, not the first n of them):
    the stop becomes `start + step * n`. A loop over `range(1, n + 1)` whose body uses the counter where
    the i-th even or odd number was meant: `(2 * i)` or `(2 * i - 1)` in every use."""
    it = loop.iter
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and not it.keywords
            and isinstance(loop.target, ast.Name)):
        return
    args = it.args
    if len(args) == 3 and isinstance(args[2], ast.Constant) and type(args[2].value) is int and args[2].value > 1 \
            and isinstance(args[0], ast.Constant) and type(args[0].value) is int:
        n = _count_name(args[1])
        if n is not None:
            start, step = args[0].value, args[2].value
            new = f"{start} + {step} * {n}" if start else f"{step} * {n}"
            ctx.replace(args[1], new, "bound", f"walk the first `{n}` values of the step, not those up to `{n}`", TIER_USUAL, False)
        return
    if len(args) == 2 and isinstance(args[0], ast.Constant) and args[0].value == 1 and _count_name(args[1]) is not None:
        name = loop.target.id
        uses = [n for stmt in loop.body for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id == name]
        if not uses or any(isinstance(u.ctx, ast.Store) for u in uses):
            return
        for new, which in ((f"(2 * {name})", "even"), (f"(2 * {name} - 1)", "odd")):
            ctx.add([(*ctx.src.span(u), new) for u in uses], loop.lineno, "variable",
                    f"the `{name}`-th {which} number, `{new.strip('()')}`, where `{name}` was used", TIER_RARE)


def direction(ctx: Context, loop: ast.For) -> None:
    """A loop over `range(...)` walked the wrong way: a table filled from its start where each entry needs
    the ones after it, a list shifted in place from the wrong end, or a search that stops at the first
    match where the last was wanted. `reversed(range(...))`, the same values from the other end; only for
    a loop statement whose body writes into a subscript or leaves the loop early, where order can matter
    at all."""
    it = loop.iter
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and 1 <= len(it.args) <= 2
            and not it.keywords):
        return
    inner = [n for stmt in loop.body for n in ast.walk(stmt)]
    writes = any(isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) for n in inner)
    nested = {id(n) for x in inner if isinstance(x, LOOPS) for n in ast.walk(x) if n is not x}  # a break there ends that loop
    leaves = any(isinstance(n, ast.Return) or (isinstance(n, ast.Break) and id(n) not in nested) for n in inner)
    if writes or leaves:
        text = ctx.src.seg(it)
        ctx.replace(it, f"reversed({text})", "bound", f"walk `{text}` from its end", TIER_RARE, False)


def _offset_from(node: ast.expr, var: str) -> ast.expr | None:
    """`k` when `node` is `var + k` or `k + var` (k a name, an attribute or an integer above 1)."""
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.Add):
        return None
    for this, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(this, ast.Name) and this.id == var:
            if isinstance(other, (ast.Name, ast.Attribute)) and not (isinstance(other, ast.Name) and other.id == var):
                return other
            if isinstance(other, ast.Constant) and type(other.value) is int and other.value > 1:
                return other
    return None


def range_step(ctx: Context, target: ast.expr, it: ast.expr, body: list[ast.AST]) -> None:
    """`for i in range(len(xs))` whose body takes `xs[i:i + size]`: pieces of a width, walked one by one
    where stepping by the width was meant (every piece overlaps the next). The range gets that step:
    `range(0, len(xs), size)`. Also `xs[i]` and `xs[i + 1]` read together (pairs, triples): stepped by
    the count of items read."""
    if not (isinstance(target, ast.Name) and isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
            and it.func.id == "range" and 1 <= len(it.args) <= 2 and not it.keywords
            and not any(isinstance(a, ast.Starred) for a in it.args)):
        return
    var, src = target.id, ctx.src
    widths: list[str] = []
    reads: set[int] = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Subscript):
                continue
            sl = node.slice
            if isinstance(sl, ast.Slice):
                if isinstance(sl.lower, ast.Name) and sl.lower.id == var and sl.upper is not None and sl.step is None:
                    k = _offset_from(sl.upper, var)
                    if k is not None and src.seg(k) not in widths:
                        widths.append(src.seg(k))
            elif isinstance(sl, ast.Name) and sl.id == var:
                reads.add(0)
            elif (isinstance(sl, ast.BinOp) and isinstance(sl.op, ast.Add) and isinstance(sl.left, ast.Name)
                  and sl.left.id == var and isinstance(sl.right, ast.Constant) and type(sl.right.value) is int):
                reads.add(sl.right.value)
    steps = [(w, TIER_USUAL) for w in widths]
    if 0 in reads and len(reads) > 1 and reads == set(range(max(reads) + 1)) and str(max(reads) + 1) not in widths:
        steps.append((str(max(reads) + 1), TIER_RARE))  # `xs[i], xs[i + 1]`: a pair read at every i
    if not steps:
        return
    last = it.args[-1]
    _, e = src.span(last)
    open_at = src.span(it.func)[1]
    if len(it.args) == 1 and src.text[open_at:open_at + 1] != "(":
        return
    for width, tier in steps:
        spans = [(e, e, f", {width}")]
        if len(it.args) == 1:
            spans.insert(0, (open_at, open_at + 1, "(0, "))  # clear of the bound's own span: both may apply
        ctx.add(spans, it.lineno, "bound", f"step the range by `{width}`", tier)


def subscript(ctx: Context, node: ast.Subscript) -> None:
    src = ctx.src
    sl = node.slice
    if isinstance(sl, ast.Slice):
        for part, label in ((sl.lower, "start"), (sl.upper, "end")):
            if part is None:
                continue
            txt = src.seg(part)
            if not isinstance(part, ast.Constant):
                for delta in (1, -1):
                    new = shifted(txt, delta)
                    ctx.replace(part, new, "bound", f"slice {label} `{txt}` -> `{new}`", TIER_COMMON)
            s, e = src.span(part)
            ctx.add([(s, e, "")], node.lineno, "bound", f"drop the slice {label}", TIER_RARE)
        if sl.step is not None:
            s, e = src.span(sl.step)
            colon = src.text.rfind(":", 0, s)
            if colon >= 0:
                ctx.add([(colon, e, "")], node.lineno, "bound", "drop the slice step", TIER_RARE)
        return
    txt = src.seg(sl)
    if isinstance(sl, ast.Constant) or (isinstance(sl, ast.UnaryOp) and isinstance(sl.operand, ast.Constant)):
        return  # a constant index is the constants operator's job
    if "dict" in ctx.expr_type(node.value):
        return  # a key is not a position
    for delta in (1, -1):
        new = shifted(txt, delta)
        ctx.replace(sl, new, "index", f"index `{txt}` -> `{new}`", TIER_COMMON)


_SIMPLE_STMTS = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)


def split_point(ctx: Context, stmt: ast.stmt) -> None:
    """`xs[k:] + xs[:k]` (a rotation), `head, tail = xs[:k], xs[k:]`: one sequence cut in two at `k`. Where
    the cut is in the wrong place (a rotation the other way, one off), an edit of one slice alone breaks
    the two into pieces that no longer make up the sequence; the point is moved in both at once: `-k`,
    one off either way, or counted from the end (`len(xs) - k`)."""
    halves: dict[tuple[str, str], dict[str, list[ast.expr]]] = {}
    for node in ast.walk(stmt):
        if not (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) and node.slice.step is None):
            continue
        lo, hi = node.slice.lower, node.slice.upper
        if (lo is None) == (hi is None):
            continue
        part = lo if lo is not None else hi
        assert part is not None
        key = (ctx.src.seg(node.value), ctx.src.seg(part))
        halves.setdefault(key, {"start": [], "end": []})["start" if lo is not None else "end"].append(part)
    for (seq, point), sides in halves.items():
        if not sides["start"] or not sides["end"]:
            continue
        parts = sides["start"] + sides["end"]
        first = parts[0]
        if isinstance(first, ast.UnaryOp) and isinstance(first.op, ast.USub):
            negated = ctx.src.seg(first.operand)
        else:
            negated = f"-({point})" if isinstance(first, (ast.BinOp, ast.BoolOp, ast.IfExp, ast.Compare)) else f"-{point}"
        news = [negated, shifted(point, 1), shifted(point, -1)]
        if not (isinstance(first, ast.Constant) or point.startswith("len(")):
            news.append(f"len({seq}) - {point}" if not isinstance(first, (ast.BinOp, ast.BoolOp, ast.IfExp)) else f"len({seq}) - ({point})")
        for new in dict.fromkeys(news):
            if new in (point, "-0"):
                continue
            ctx.add([(*ctx.src.span(p), new) for p in parts], stmt.lineno, "bound", f"cut `{seq}` at `{new}` in both slices (was `{point}`)",
                    TIER_USUAL)


def assigned(ctx: Context, node: ast.Assign) -> None:
    """An integer assigned one off (`lo = mid` where `lo = mid + 1` was meant): the value plus or minus one."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], (ast.Name, ast.Attribute)):
        return
    value = node.value
    simple = isinstance(value, (ast.Name, ast.Attribute)) or (
        isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub)) and isinstance(value.right, ast.Constant)
    )
    if not simple or "int" not in ctx.expr_type(value):
        return
    text = ctx.src.seg(value)
    for delta in (1, -1):
        new = shifted(text, delta)
        ctx.replace(value, new, "bound", f"`{text}` -> `{new}`", TIER_USUAL)


def _extreme_of(name: str, loop: ast.stmt) -> str | None:
    """"max" or "min" when `loop` keeps `name` as a running maximum or minimum: `name = max(name, e)`, or
    `if e > name: name = e` (either way round); None otherwise."""
    for node in ast.walk(loop):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id == name and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                and node.value.func.id in ("max", "min") and any(isinstance(a, ast.Name) and a.id == name for a in node.value.args):
            return node.value.func.id
        if isinstance(node, ast.If) and any(isinstance(s, ast.Assign) and name in _assigned_names(s) for s in node.body):
            # `if x > best:`, or one clause of a filtered test (`if x < 0 and x > best:`)
            clauses = node.test.values if isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.And) else [node.test]
            for clause in clauses:
                if not (isinstance(clause, ast.Compare) and len(clause.ops) == 1):
                    continue
                left, op, right = clause.left, clause.ops[0], clause.comparators[0]
                bigger = isinstance(op, (ast.Gt, ast.GtE))
                if isinstance(op, (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
                    if isinstance(right, ast.Name) and right.id == name:
                        return "max" if bigger else "min"
                    if isinstance(left, ast.Name) and left.id == name:
                        return "min" if bigger else "max"
    return None


def _filtered(name: str, loop: ast.stmt) -> bool:
    """The running extreme is taken only over the items that pass a filter (`if x < 0 and x > best`)."""
    return any(isinstance(n, ast.If) and isinstance(n.test, ast.BoolOp) and isinstance(n.test.op, ast.And)
               and any(isinstance(s, ast.Assign) and name in _assigned_names(s) for s in n.body) for n in ast.walk(loop))


def _assigned_names(stmt: ast.Assign) -> set[str]:
    """Names an assignment binds, through tuple targets (`best, at = x, i`)."""
    return {t.id for target in stmt.targets for t in ([*target.elts] if isinstance(target, ast.Tuple) else [target]) if isinstance(t, ast.Name)}


def _number_starts(stmt: ast.stmt) -> list[tuple[str, ast.Constant]]:
    """(name, literal) for each name `stmt` starts at a number: `best = 0`, or one of `best_day, best = None, 0`."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return []
    target, value = stmt.targets[0], stmt.value
    pairs = [(target, value)]
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        pairs = list(zip(target.elts, value.elts))
    return [(t.id, v) for t, v in pairs
            if isinstance(t, ast.Name) and isinstance(v, ast.Constant) and type(v.value) in (int, float)]


def running_extreme(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """`best = 0` (any number, also within `best_day, best = None, 0`) and then a loop keeping `best` as a
    running maximum: values all below the start never win (a list of negatives). The start becomes
    `float('-inf')` (`inf` for a minimum), or the first value of the sequence the loop walks. Started at
    the first item (`best = xs[0]`) where only the items passing a filter compete, the first item wins
    when it fails the filter: the start becomes the infinity there."""
    body = fn.body
    for i, stmt in enumerate(body):
        if not ctx.in_region(stmt):
            continue
        first = stmt.value if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) else None
        if isinstance(first, ast.Subscript) and isinstance(first.slice, ast.Constant) and first.slice.value in (0, -1):
            name = stmt.targets[0].id  # type: ignore[union-attr]
            loop = next((n for n in body[i + 1:] if isinstance(n, (ast.For, ast.While))), None)
            kind = _extreme_of(name, loop) if loop is not None else None
            if loop is not None and kind is not None and _filtered(name, loop):
                start = "float('-inf')" if kind == "max" else "float('inf')"
                ctx.replace(first, start, "constant", f"start the running {kind} `{name}` at {start}, not an item the filter may reject",
                            TIER_USUAL, False)
        for name, literal in _number_starts(stmt):
            for loop in body[i + 1:]:
                if isinstance(loop, ast.Assign) and name in _assigned_names(loop):
                    break  # set again before any loop
                if not isinstance(loop, (ast.For, ast.While)):
                    continue
                kind = _extreme_of(name, loop)
                if kind is None:
                    continue
                start = "float('-inf')" if kind == "max" else "float('inf')"
                ctx.replace(literal, start, "constant", f"start the running {kind} `{name}` at {start}", TIER_USUAL, False)
                # the first value only where the loop's variable is the value itself (not a pair it unpacks)
                if isinstance(loop, ast.For) and isinstance(loop.iter, ast.Name) and isinstance(loop.target, ast.Name):
                    first = f"{loop.iter.id}[0]"
                    ctx.replace(literal, first, "constant", f"start the running {kind} `{name}` at the first value, `{first}`", TIER_USUAL, False)
                break


def span_count(ctx: Context, node: ast.BinOp) -> None:
    """`b - a` counting the values from `a` to `b` misses one end (`b - a + 1`), or counts one too many."""
    if not isinstance(node.op, ast.Sub) or isinstance(node.left, ast.Constant) or isinstance(node.right, ast.Constant):
        return
    parent = ctx.parent.get(node)
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Add, ast.Sub)):
        return  # part of a longer sum: its terms are the constants operator's and the operators' job
    if isinstance(parent, (ast.Slice, ast.Subscript)) or (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "range"):
        return  # bounds and indices are shifted by their own operators
    if not ctx.expr_type(node) & {"int"}:
        return
    text = ctx.src.seg(node)
    for delta in (1, -1):
        new = shifted(text, delta)
        # `b - a ± 1` binds like `b - a`: where a tighter operator holds it, it is in parentheses already
        ctx.replace(node, new, "bound", f"`{text}` -> `{new}`", TIER_RARE, False)


def scaled_count(ctx: Context, node: ast.BinOp) -> None:
    """`page * size` where the page is counted from 1 and the offset from 0: a factor of a product one off
    (`(page - 1) * size`, the nth term `a + (n - 1) * d`). Only integer names (or name ± constant) as the
    factor: a literal factor is the constants operator's, and a whole sum is not a count."""
    if not isinstance(node.op, ast.Mult):
        return
    for factor in (node.left, node.right):
        simple = isinstance(factor, (ast.Name, ast.Attribute)) or (
            isinstance(factor, ast.BinOp) and isinstance(factor.op, (ast.Add, ast.Sub)) and isinstance(factor.right, ast.Constant)
            and isinstance(factor.left, (ast.Name, ast.Attribute)))
        if not simple or "int" not in ctx.expr_type(factor):
            continue
        text = ctx.src.seg(factor)
        for delta in (-1, 1):
            new = shifted(text, delta)
            ctx.replace(factor, new, "bound", f"factor `{text}` -> `{new}`", TIER_USUAL)


# Mathematical constants and the ways people write them: the module's exact value, the usual roundings
# and (for pi) the fraction taught at school. A test computed with one of them fails, to the last digits,
# against a program that wrote another.
_WRITTEN = {
    "pi": ("math.pi", "3.14", "3.1416", "3.14159", "3.1415", "22 / 7"),
    "e": ("math.e", "2.718", "2.71828"),
}


def _which_constant(ctx: Context, node: ast.expr) -> str | None:
    """The constant `node` writes: `math.pi`, a float within a rounding of it, or `22 / 7`."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "math" and node.attr in _WRITTEN:
        return node.attr
    if isinstance(node, ast.Constant) and type(node.value) is float:
        for name in _WRITTEN:
            exact = getattr(math, name)
            if node.value != exact and abs(node.value - exact) < 0.002:
                return name
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.left, ast.Constant)
            and isinstance(node.right, ast.Constant) and (node.left.value, node.right.value) == (22, 7)):
        return "pi"
    return None


def approximate(ctx: Context, node: ast.expr) -> None:
    """`3.14` where the tests' figures come from `math.pi` (or the other way round, or another rounding):
    the constant in each of its usual writings, with `import math` added where the program lacks it."""
    name = _which_constant(ctx, node)
    if name is None:
        return
    old = ctx.src.seg(node)
    for text in _WRITTEN[name]:
        if text == old or text.replace(" ", "") == old.replace(" ", ""):
            continue
        s, e = ctx.src.span(node)
        new = f"({text})" if "/" in text and not isinstance(ctx.parent.get(node), (ast.Call, ast.Assign, ast.Return, ast.keyword)) else text
        spans = [(s, e, new)]
        if text.startswith("math."):
            extra = ops_imports.import_span(ctx, "math")
            if extra is not None:
                spans.insert(0, extra)
        ctx.add(spans, node.lineno, "constant", f"`{old}` -> `{text}`", TIER_USUAL)


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def missing_f(ctx: Context, node: ast.Constant) -> None:
    """`'Hello {name}'` where `name` is a variable there: the author meant an f-string. Every placeholder
    must be an expression over names the scope has (or built-ins), so `'{0}'.format(x)` and JSON text
    are left alone."""
    text, parent = node.value, ctx.parent.get(node)
    if not isinstance(text, str) or "{" not in text or isinstance(parent, (ast.Expr, ast.JoinedStr, ast.FormattedValue)):
        return
    if isinstance(parent, ast.Attribute) and parent.attr in ("format", "format_map"):
        return
    holes = _PLACEHOLDER.findall(text)
    if not holes:
        return
    scope = set(ctx.scope_names(node)) | set(ctx.module_funcs)
    for hole in holes:
        expr = re.split(r"(?<![=!<>])[=!:](?![=])", hole, maxsplit=1)[0].strip()  # `x!r`, `x:>5`, `x=`
        try:
            tree = ast.parse(expr, mode="eval")
        except SyntaxError:
            return
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        if not names or any(n not in scope and not hasattr(builtins, n) for n in names):
            return
    s, _ = ctx.src.span(node)
    head = ctx.src.text[s:s + 2].lower()
    if head[:1] in ("b", "u", "f") or head == "rb":
        return
    ctx.add([(s, s, "f")], node.lineno, "constant", "make the string an f-string", TIER_USUAL)


def one_case(ctx: Context, node: ast.Constant) -> None:
    """`vowels = "aeiou"` (or `c in "xyz"`, `for c in "abc"`), a set of letters written in one case where a
    letter of either case counts: the same letters in the other case added."""
    text = node.value
    if not isinstance(text, str) or not 2 <= len(text) <= 26 or not text.isascii() or not text.isalpha() \
            or len(set(text)) != len(text) or not (text.islower() or text.isupper()):
        return
    parent = ctx.parent.get(node)
    as_set = (isinstance(parent, ast.Assign) and parent.value is node and all(isinstance(t, ast.Name) for t in parent.targets)) \
        or (isinstance(parent, ast.Compare) and node in parent.comparators
            and isinstance(parent.ops[parent.comparators.index(node)], (ast.In, ast.NotIn))) \
        or (isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node)
    seg = ctx.src.seg(node)
    if not as_set or seg[:1] not in ("'", '"') or seg[1:2] == seg[:1]:
        return  # a prefixed, triple-quoted or empty literal
    both = text + text.swapcase()
    ctx.replace(node, f"{seg[0]}{both}{seg[0]}", "constant", f"the letters in both cases: `{both}`", TIER_RARE, False)


def generate(ctx: Context) -> None:
    strings: list[str] = []
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 20:
            if not isinstance(ctx.parent.get(node), ast.Expr) and node.value not in strings:
                strings.append(node.value)
    for node in ast.walk(ctx.tree):
        if not ctx.in_region(node):
            continue
        if isinstance(node, ast.Constant):
            constant(ctx, node, strings)
            missing_f(ctx, node)
            one_case(ctx, node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
            range_call(ctx, node)
        elif isinstance(node, ast.Subscript):
            subscript(ctx, node)
        elif isinstance(node, ast.Assign):
            assigned(ctx, node)
        elif isinstance(node, ast.BinOp):
            span_count(ctx, node)
            scaled_count(ctx, node)
        if isinstance(node, _SIMPLE_STMTS):
            split_point(ctx, node)
        if isinstance(node, ast.For):
            range_step(ctx, node.target, node.iter, node.body)
            direction(ctx, node)
            nth_values(ctx, node)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and len(node.generators) == 1:
            gen = node.generators[0]
            parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            range_step(ctx, gen.target, gen.iter, [*parts, *gen.ifs])
        if isinstance(node, (ast.Constant, ast.Attribute, ast.BinOp)):
            approximate(ctx, node)
    for node in ast.walk(ctx.tree):  # the `def` line may be frozen; the start value is checked on its own
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            running_extreme(ctx, node)
