"""Calls and built-ins: a function or method confused with its sibling (`min`/`max`, `.upper()`/`.lower()`,
`.append`/`.extend`), an in-place method used for its (None) result, a missing or extra `reverse=`, an
extra call, arguments in the wrong order, a value that misses a built-in it needed (`abs`, `sorted`), a
result of another type than the tests expect (`str()`, `tuple()`), a sequence result one element too long
at an end (`[1:]`, `[:-1]`, where the failing comparison shows it), an operand of the wrong type where a
TypeError says so (`int(str(n), 8)`, `text.encode()` where bytes were wanted), a collection of mixed types passed to `min`/`max`/`sum`/`sorted`
where a TypeError names the two (its elements of one type), the result of a call that changes nothing
thrown away (`s.strip()` or `sorted(xs)` on a line of its own: `s = s.strip()`), and an aggregate of the
whole collection inside the loop over it where the running one was meant (`m = max(xs)` -> `m = max(m, x)`),
a bound overwritten where it should only grow or shrink (`if start <= last[1]: last[1] = end` ->
`last[1] = max(last[1], end)`), and a split unpacked into n names that splits more than n - 1 times
(`key, value = item.split('=')` where the value may hold `=`: `split('=', 1)`), a built-in shadowed by
the function's own name (`def sum(a, b): ... sum(divisors)` calls itself: `builtins.sum`), and the
yes/no part of a sort key ordered the wrong way (`key=lambda x: (isinstance(x, str), x)`: negated)."""

from __future__ import annotations

import ast
import builtins
import re

from . import ops_imports
from .edits import TIER_LAST, TIER_RARE, TIER_USUAL, TIGHT_NODES, Context, Edit, Source, apply_edits, called_name
from .ops_imports import bound_names

FUNC_SIBLINGS = {
    "min": ["max"], "max": ["min"], "any": ["all"], "all": ["any"], "int": ["round", "float"], "round": ["int"],
    "float": ["int"], "sorted": ["reversed"], "reversed": ["sorted"], "list": ["sorted"], "ord": ["chr"], "chr": ["ord"],
    "filter": ["map"], "map": ["filter"], "str": ["repr"],
}
METHOD_SIBLINGS = {
    "append": ["extend"], "extend": ["append"], "remove": ["pop"], "pop": ["remove"], "upper": ["lower"], "lower": ["upper"],
    "isupper": ["islower"], "islower": ["isupper"], "startswith": ["endswith"], "endswith": ["startswith"],
    "find": ["rfind", "index"], "rfind": ["find"], "index": ["rindex", "find"], "rindex": ["index"],
    "lstrip": ["rstrip", "strip"], "rstrip": ["lstrip", "strip"], "strip": ["lstrip", "rstrip"], "split": ["rsplit"],
    "rsplit": ["split"], "keys": ["values", "items"], "values": ["keys", "items"], "items": ["keys", "values"],
    "isdigit": ["isalpha", "isnumeric"], "isalpha": ["isdigit", "isalnum"], "isalnum": ["isalpha"], "floor": ["ceil"],
    "ceil": ["floor"], "title": ["capitalize"], "capitalize": ["title"], "add": ["discard"], "insert": ["append"],
    "popleft": ["pop"], "appendleft": ["append"],
}
_DEDUPED = ("sorted", "len", "list", "tuple", "sum")
NO_UNWRAP = ("range", "print", "len", "enumerate", "zip", "isinstance", "super", "iter", "next", "open")


def call(ctx: Context, node: ast.Call) -> None:
    src = ctx.src
    f = node.func
    line = node.lineno
    if isinstance(f, ast.Name):
        for alt in FUNC_SIBLINGS.get(f.id, []):
            ctx.add([(*src.span(f), alt)], line, "builtin", f"`{f.id}` -> `{alt}`", TIER_USUAL)
    if isinstance(f, ast.Attribute):
        _, ve = src.span(f.value)
        _, fe = src.span(f)
        for alt in METHOD_SIBLINGS.get(f.attr, []):
            ctx.add([(ve, fe, "." + alt)], line, "builtin", f"`.{f.attr}` -> `.{alt}`", TIER_USUAL)
        if f.attr == "sort" and not node.args and not isinstance(ctx.parent.get(node), ast.Expr):
            # `x.sort()` returns None: the sorted copy was meant
            kws = "".join(", " + src.seg(k) for k in node.keywords)
            ctx.replace(node, f"sorted({src.seg(f.value)}{kws})", "builtin", "`.sort()` -> `sorted()`", TIER_USUAL)
        if not node.args and not node.keywords and not isinstance(ctx.parent.get(node), ast.Expr):
            ctx.replace(node, src.seg(f.value), "call", f"drop `.{f.attr}()`", TIER_RARE, isinstance(f.value, TIGHT_NODES))
    name = called_name(node)
    if name in ("sorted", "sort"):
        reverse = [k for k in node.keywords if k.arg == "reverse"]
        if reverse:
            s, e = src.span(reverse[0])
            before = src.span(node.args[-1])[1] if node.args else None
            if before is not None and before < s:
                ctx.add([(before, e, "")], line, "keyword", "drop `reverse=`", TIER_USUAL)
        else:
            close = src.text.rfind(")", 0, src.span(node)[1])
            sep = ", " if (node.args or node.keywords) else ""
            ctx.add([(close, close, f"{sep}reverse=True")], line, "keyword", "add `reverse=True`", TIER_USUAL)
    if isinstance(f, ast.Name) and len(node.args) == 1 and not node.keywords and f.id not in NO_UNWRAP:
        arg = node.args[0]
        ctx.replace(node, src.seg(arg), "call", f"drop the call to `{f.id}`", TIER_RARE, isinstance(arg, TIGHT_NODES))
    for a, b in zip(node.args, node.args[1:]):
        if isinstance(a, ast.Starred) or isinstance(b, ast.Starred):
            continue
        sa, ea = src.span(a)
        sb, eb = src.span(b)
        ctx.add([(sa, ea, src.seg(b)), (sb, eb, src.seg(a))], line, "order", f"swap the arguments `{src.seg(a)}` and `{src.seg(b)}`", TIER_USUAL)


def wrap(ctx: Context, node: ast.expr) -> None:
    """A value that needed one built-in applied: `abs` of a difference, `sorted` of a collection, the
    string normalised (`.strip()`, `.lower()`), a sequence reversed, its duplicates dropped where it is
    compared, sorted or counted (`set()`)."""
    parent = ctx.parent.get(node)
    if not isinstance(parent, (ast.Return, ast.Assign, ast.Compare)) and not (isinstance(parent, ast.Call) and node in parent.args):
        return
    if isinstance(node, ast.Constant) or (isinstance(parent, ast.Assign) and node is not parent.value):
        return
    kinds = ctx.expr_type(node)
    text = ctx.src.seg(node)
    inner = f"({text})" if isinstance(node, TIGHT_NODES) else text
    outs: list[tuple[str, str, int]] = []
    if kinds & {"int", "float"} or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)):
        outs.append((f"abs({text})", "wrap in `abs()`", TIER_RARE))
    if "str" in kinds:
        for method in ("lower", "upper", "strip"):
            outs.append((f"{inner}.{method}()", f"apply `.{method}()`", TIER_RARE))
    if kinds & {"seq", "set", "str"} or isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        if "str" not in kinds:
            outs.append((f"sorted({text})", "sort it", TIER_RARE))
        outs.append((f"{inner}[::-1]", "reverse it", TIER_LAST))
        counted = isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _DEDUPED
        if counted or isinstance(parent, ast.Compare):
            outs.append((f"set({text})", "drop duplicates (`set()`)", TIER_RARE))
    if isinstance(parent, ast.Return):
        for conv in _conversions(ctx.evidence):
            outs.append((f"{conv}({text})", f"convert to {conv}", TIER_RARE))
        for view in _dict_views(ctx.evidence):
            outs.append((f"list({inner}.{view}())", f"return the dict's {view} as a list", TIER_RARE))
        for at, desc in _one_of_many(ctx.evidence):
            outs.append((f"{inner}[{at}]", desc, TIER_RARE))
        for cut, desc in _extra_end(ctx.evidence):
            # Cutting the result to the example fits it rather than mends the computation: it ranks behind
            # an edit of the computation that passes too, as a new constant would.
            before = len(ctx.edits)
            ctx.replace(node, f"{inner}{cut}", "wrap", desc, TIER_RARE, False)
            if len(ctx.edits) > before:
                ctx.edits[-1].new_numbers += 1
    if isinstance(parent, ast.Return) and not isinstance(node, ast.Call):
        # a float result the tests state to a few decimals: rounded to that precision
        for digits in _decimals(ctx.evidence.expected):
            outs.append((f"round({text}, {digits})", f"round to {digits} decimals", TIER_RARE))
    for new, desc, tier in outs:
        ctx.replace(node, new, "wrap", desc, tier, False)


# expected type -> the types of returned values one built-in turns into it with the same content
_CONVERTIBLE = {
    str: (int, float, list, tuple, dict, set, bool),
    tuple: (list,),
    list: (tuple,),
    int: (str,),
}


def _conversions(ev: Any) -> list[str]:
    """The tests expected a value of one type and the program returned the same content as another: a
    list where the tests wrote its repr as a string, a list for a tuple. Read off the failing comparisons."""
    out: list[str] = []
    for want, got in zip(ev.expected, ev.actual):
        for target, sources in _CONVERTIBLE.items():
            if type(want) is target and type(got) in sources and target.__name__ not in out:
                out.append(target.__name__)
    return out


def _dict_views(ev: Any) -> list[str]:
    """The tests expected a list and the program returned a dict holding it: its pairs (a dict built in
    sorted order where a sorted list of `(key, value)` was asked for), its keys or its values."""
    out: list[str] = []
    for want, got in zip(ev.expected, ev.actual):
        if type(want) is not list or type(got) is not dict:
            continue
        for view, items in (("items", list(got.items())), ("keys", list(got)), ("values", list(got.values()))):
            try:
                same = sorted(map(repr, items)) == sorted(map(repr, want))
            except RecursionError:
                same = False
            if same and view not in out:
                out.append(view)
    return out


def _one_of_many(ev: Any) -> list[tuple[str, str]]:
    """Every match returned where the tests expect one (a filter where a search was meant): read off a
    failing comparison that expected one value and got a list or tuple that starts (or ends) with it."""
    out: list[tuple[str, str]] = []
    for want, got in zip(ev.expected, ev.actual):
        if isinstance(want, (list, tuple, dict, set)) or not isinstance(got, (list, tuple)) or len(got) < 2:
            continue
        for at, desc in ((0, "return the first match, not all of them"), (-1, "return the last match, not all of them")):
            if type(got[at]) is type(want) and got[at] == want and (str(at), desc) not in out:
                out.append((str(at), desc))
    return out


def _extra_end(ev: Any) -> list[tuple[str, str]]:
    """A sequence result with one element too many at an end (an off-by-one in its extent): read off a
    failing comparison where the expected value is the result without its first or last element."""
    out: list[tuple[str, str]] = []
    for want, got in zip(ev.expected, ev.actual):
        if type(want) is not type(got) or not isinstance(want, (list, tuple, str)) or len(got) != len(want) + 1:
            continue
        if got[1:] == want and ("[1:]", "drop its first element") not in out:
            out.append(("[1:]", "drop its first element"))
        if got[:-1] == want and ("[:-1]", "drop its last element") not in out:
            out.append(("[:-1]", "drop its last element"))
    return out


def _decimals(expected: list[object]) -> list[int]:
    out: list[int] = []
    for v in expected:
        if isinstance(v, float) and v == v and abs(v) < 1e15:
            text = repr(v)
            if "e" not in text and "." in text:
                digits = len(text.split(".")[1])
                if 0 < digits <= 4 and digits not in out:
                    out.append(digits)
    return out


# What a TypeError's message says the value should have been; the conversion that makes it so.
_WANTS = (
    (re.compile(r"can't convert non-string|must be str\b|expected str\b|can only concatenate str|expected string"), ("str",)),
    (re.compile(r"cannot be interpreted as an integer|must be int\b|must be an integer|multiply sequence by non-int of type 'str'"), ("int",)),
    (re.compile(r"unsupported operand type\(s\) for .*'(int|float)' and 'str'|unsupported operand type\(s\) for .*'str' and '(int|float)'"), ("int", "str")),
    (re.compile(r"unhashable type: 'list'"), ("tuple",)),
    # text where bytes were wanted (hashing, a binary file, a socket) and the reverse: the method that turns one into the other
    (re.compile(r"must be encoded|bytes-like object is required, not 'str'"), (".encode",)),
    (re.compile(r"""not 'bytes'|\(not "bytes"\)|str, not bytes"""), (".decode",)),
)


def converted(ctx: Context) -> None:
    """A value of the wrong type where the program raised a TypeError (`int(n, 8)` on an int, `range(s)`
    on a string, a list as a dict key): each operand on that line converted to the type the message asks
    for."""
    for line, message in ctx.evidence.error_messages.items():
        if ctx.evidence.error_types.get(line) != "TypeError":
            continue
        wanted = [conv for pattern, convs in _WANTS if pattern.search(message) for conv in convs]
        if not wanted:
            continue
        operands: list[ast.expr] = []
        for node in ast.walk(ctx.tree):
            if getattr(node, "lineno", None) != line:
                continue
            if isinstance(node, ast.Call):
                operands += [a for a in node.args if not isinstance(a, ast.Starred)]
            elif isinstance(node, ast.BinOp):
                operands += [node.left, node.right]
            elif isinstance(node, ast.Subscript):
                operands.append(node.slice)  # a key read or written
        seen: set[tuple[int, int]] = set()
        for op in operands:
            literal = isinstance(op, ast.Constant) and isinstance(op.value, (str, bytes))
            if not (isinstance(op, (ast.Name, ast.Subscript, ast.Attribute, ast.Call)) or literal) or ctx.src.span(op) in seen:
                continue
            seen.add(ctx.src.span(op))
            text = ctx.src.seg(op)
            for conv in wanted:
                if conv.startswith("."):
                    # a method after the operand (an insertion, so that it combines with an edit of the operand)
                    end = ctx.src.span(op)[1]
                    ctx.add([(end, end, f"{conv}()")], line, "call", f"`{text}{conv}()`: {'bytes' if conv == '.encode' else 'text'}, as the TypeError asks",
                            TIER_USUAL)
                elif not literal and not text.startswith(f"{conv}("):
                    ctx.replace(op, f"{conv}({text})", "call", f"convert `{text}` to {conv}", TIER_USUAL, False)


# A comparison or sum over values of two types that do not mix: the message names both.
_MIXED = re.compile(r"not supported between instances of '(\w+)' and '(\w+)'|unsupported operand type\(s\) for \+: '(\w+)' and '(\w+)'")
_AGGREGATES = ("min", "max", "sum", "sorted")


def filtered(ctx: Context) -> None:
    """`min`, `max`, `sum` or `sorted` over a collection that mixes types (`[3, 'a', 1]`) raised a
    TypeError naming the two: the collection's elements of one of those types, taken where it is passed."""
    for line, message in ctx.evidence.error_messages.items():
        found = _MIXED.search(message) if ctx.evidence.error_types.get(line) == "TypeError" else None
        if not found:
            continue
        kinds = [k for k in dict.fromkeys(g for g in found.groups() if g) if k in ("int", "float", "str", "tuple", "list")]
        for node in ast.walk(ctx.tree):
            if not (isinstance(node, ast.Call) and getattr(node, "lineno", None) == line and isinstance(node.func, ast.Name)
                    and node.func.id in _AGGREGATES and len(node.args) == 1 and not isinstance(node.args[0], ast.Starred)):
                continue
            arg = node.args[0]
            var = ctx.fresh_name(node, ("x", "v", "item", "elem"))
            if var is None:
                continue
            text = ctx.src.seg(arg)
            for kind in kinds:
                gen = f"{var} for {var} in {text} if isinstance({var}, {kind})"
                ctx.replace(arg, f"({gen})" if node.keywords else gen, "call", f"only the {kind} elements of `{text}`", TIER_USUAL, False)


def renamed(ctx: Context) -> None:
    """The tests call a function the program does not define: one of its functions under another name."""
    defined = set(ctx.module_funcs)
    for missing in ctx.evidence.missing_names:
        if missing in defined:
            continue
        for fn in ctx.tree.body:
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and ctx.in_region(fn):
                start = ctx.src.offset(fn.lineno, fn.col_offset)
                at = ctx.src.text.find(fn.name, start)
                if at >= 0:
                    ctx.add([(at, at + len(fn.name), missing)], fn.lineno, "call", f"rename `{fn.name}` to `{missing}`, the name the tests call", TIER_USUAL)


def rename_to_called(source: str, tests: str | None, editable: tuple[int, int]) -> tuple[str, int, str] | None:
    """The tests call one name the program never defines, and the program has exactly one top-level function
    that nothing calls: it is that function under another name. Renamed (its definition and its own
    recursive calls) before the search, as a missing import is, since until then every test stops at the
    NameError and shows nothing of the other bugs. None when that is not clearly the case."""
    if not tests:
        return None
    try:
        tree, test_tree = ast.parse(source), ast.parse(tests)
    except SyntaxError:
        return None
    def called(t: ast.AST) -> set[str]:
        return {n.func.id for n in ast.walk(t) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}

    bound = bound_names(tree) | bound_names(test_tree)
    missing = {name for name in called(test_tree) if name not in bound and not hasattr(builtins, name)}
    if len(missing) != 1:
        return None
    funcs = [f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
    outside = called(test_tree) | {name for stmt in tree.body if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) for name in called(stmt)}
    # a function's calls of itself do not count: a recursive function nothing else calls is still unused
    unused = [f for f in funcs if f.name not in outside and not any(g is not f and f.name in called(g) for g in funcs)]
    if len(unused) != 1 or not editable[0] <= unused[0].lineno <= editable[1]:
        return None
    fn, new = unused[0], missing.pop()
    src = Source(source)
    spans: list[tuple[int, int]] = []
    at = src.text.find(fn.name, src.offset(fn.lineno, fn.col_offset))
    spans.append((at, at + len(fn.name)))
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and n.id == fn.name and isinstance(n.ctx, ast.Load):
            if not editable[0] <= n.lineno <= editable[1]:
                return None
            start = src.offset(n.lineno, n.col_offset)
            spans.append((start, start + len(fn.name)))
    desc = f"rename `{fn.name}` to `{new}`, the name the tests call"
    return apply_edits(source, [Edit([(a, b, new) for a, b in spans], fn.lineno, "rename", desc, 0)]), fn.lineno, desc


# methods of str (immutable) and built-ins that return a new value and leave their argument as it was
_PURE_METHODS = ("strip", "lstrip", "rstrip", "lower", "upper", "casefold", "swapcase", "title", "capitalize",
                 "replace", "removeprefix", "removesuffix", "zfill", "center", "ljust", "rjust", "expandtabs")
_PURE_FUNCS = ("sorted", "reversed", "abs", "round", "int", "float", "str", "list", "tuple", "set")


def discarded(ctx: Context, stmt: ast.Expr) -> None:
    """`name.strip()` or `sorted(name)` as a statement: a new value computed and dropped, the variable left
    as it was. Meant: the variable takes it (`name = name.strip()`); for `sorted`, also the sort in place."""
    value = stmt.value
    if not isinstance(value, ast.Call) or not ctx.src.starts_line(stmt) or stmt.lineno != stmt.end_lineno:
        return
    f = value.func
    target = None
    if isinstance(f, ast.Attribute) and f.attr in _PURE_METHODS and isinstance(f.value, ast.Name):
        target = f.value.id
    elif isinstance(f, ast.Name) and f.id in _PURE_FUNCS and len(value.args) == 1 and isinstance(value.args[0], ast.Name):
        if f.id in bound_names(ctx.tree):
            return  # the program's own function of that name
        target = value.args[0].id
    if target is None:
        return
    text = ctx.src.seg(value)
    if isinstance(f, ast.Name) and f.id == "reversed":
        text = f"list({text})"
    ctx.replace(value, f"{target} = {text}", "call", f"keep the result: `{target} = {text}`", TIER_USUAL, False)
    if isinstance(f, ast.Name) and f.id == "sorted":
        kws = ", ".join(ctx.src.seg(k) for k in value.keywords)
        ctx.replace(value, f"{target}.sort({kws})", "call", f"sort `{target}` in place", TIER_USUAL, False)


_RUNNING = {"max": "max({acc}, {x})", "min": "min({acc}, {x})", "sum": "{acc} + {x}"}


def running(ctx: Context, loop: ast.For) -> None:
    """`for x in xs: ... acc = max(xs)`: each step recomputes the aggregate of the whole collection, which
    the loop was there to build one element at a time (a running maximum, minimum or total)."""
    if not (isinstance(loop.target, ast.Name) and isinstance(loop.iter, ast.Name)):
        return
    x, xs = loop.target.id, loop.iter.id
    for n in (n for stmt in loop.body for n in ast.walk(stmt)):
        if not (isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)):
            continue
        v = n.value
        if (isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in _RUNNING and len(v.args) == 1
                and not v.keywords and isinstance(v.args[0], ast.Name) and v.args[0].id == xs and ctx.in_region(v)):
            text = _RUNNING[v.func.id].format(acc=n.targets[0].id, x=x)
            ctx.replace(v, text, "builtin", f"`{ctx.src.seg(v)}` -> the running `{text}`", TIER_USUAL, False)


def extended(ctx: Context, branch: ast.If) -> None:
    """`if start <= last_end: last_end = end`: the test reads a bound and the branch overwrites it with
    another value, where it was meant to grow (`max(last_end, end)`) or shrink (`min`). The running-maximum
    idiom `if v > best: best = v` assigns the value it compared, so it is left alone."""
    if not isinstance(branch.test, ast.Compare):
        return
    compared = {ctx.src.seg(n) for n in [branch.test.left, *branch.test.comparators]}
    for stmt in branch.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and ctx.in_region(stmt)):
            continue
        target, value = stmt.targets[0], stmt.value
        t, v = ctx.src.seg(target), ctx.src.seg(value)
        if not isinstance(target, (ast.Name, ast.Subscript, ast.Attribute)) or t not in compared:
            continue
        if v in compared or isinstance(value, ast.Constant):
            continue
        for f in ("max", "min"):
            ctx.replace(value, f"{f}({t}, {v})", "builtin", f"`{t} = {v}` -> `{t} = {f}({t}, {v})`", TIER_USUAL, False)


def split_limit(ctx: Context, node: ast.Assign) -> None:
    """`key, value = text.split(sep)`: a value holding the separator too is split again and the unpacking
    fails; the limit `n - 1` (or splitting from the right) keeps the rest whole."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], (ast.Tuple, ast.List)):
        return
    names = node.targets[0].elts
    call = node.value
    if (len(names) < 2 or any(isinstance(n, ast.Starred) for n in names) or not isinstance(call, ast.Call)
            or not isinstance(call.func, ast.Attribute) or call.func.attr not in ("split", "rsplit")
            or len(call.args) != 1 or call.keywords):
        return
    sep = ctx.src.seg(call.args[0])
    _, e = ctx.src.span(call.args[0])
    limit = len(names) - 1
    ctx.add([(e, e, f", {limit}")], node.lineno, "call", f"split at most {limit} time{'s' if limit > 1 else ''}", TIER_USUAL)
    other = "rsplit" if call.func.attr == "split" else "split"
    _, fe = ctx.src.span(call.func)
    ctx.add([(fe - len(call.func.attr), fe, other), (e, e, f", {limit}")], node.lineno, "call",
            f"`{call.func.attr}({sep})` -> `{other}({sep}, {limit})`", TIER_RARE)


_COUNTERS = ("Counter", "set", "frozenset", "sorted", "sum", "max", "min")


def flattened(ctx: Context) -> None:
    """`Counter(rows)` over a list of lists raised `unhashable type: 'list'`: the items of the inner lists
    were to be counted (or collected, summed). The call's argument flattened one level."""
    for line, message in ctx.evidence.error_messages.items():
        if ctx.evidence.error_types.get(line) != "TypeError" or "unhashable type: 'list'" not in message \
                and "unsupported operand type(s) for +: 'int' and 'list'" not in message:
            continue
        for node in ast.walk(ctx.tree):
            if not (isinstance(node, ast.Call) and getattr(node, "lineno", None) == line and len(node.args) == 1
                    and isinstance(node.args[0], ast.Name)):
                continue
            if called_name(node) not in _COUNTERS:
                continue
            arg = node.args[0]
            inner, item = ctx.fresh_name(node, ("row", "sub", "part")), ctx.fresh_name(node, ("x", "v", "item"))
            if inner is None or item is None:
                continue
            ctx.replace(arg, f"{item} for {inner} in {arg.id} for {item} in {inner}", "call",
                        f"the items of the lists in `{arg.id}`, one level down", TIER_USUAL, False)


def _yes_no(node: ast.expr) -> bool:
    return isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)) or (
        isinstance(node, ast.Call) and ((isinstance(node.func, ast.Name) and node.func.id in ("isinstance", "callable", "bool"))
                                        or (isinstance(node.func, ast.Attribute) and node.func.attr.startswith(("is", "startswith", "endswith")))))


def key_order(ctx: Context, node: ast.Call) -> None:
    """`sorted(xs, key=lambda x: (isinstance(x, str), x))` where the other group was to come first: False
    sorts before True, so the yes/no part of the key (alone, or one element of a tuple key) is negated."""
    if called_name(node) not in ("sorted", "sort", "min", "max"):
        return
    for kw in node.keywords:
        if kw.arg != "key" or not isinstance(kw.value, ast.Lambda):
            continue
        body = kw.value.body
        for part in (body.elts if isinstance(body, ast.Tuple) else [body]):
            if _yes_no(part):
                new = ctx.negated(part)
                ctx.replace(part, new, "call", f"the other group first: `{new}` in the sort key", TIER_RARE, False)


def _nested_repeat(ev: Any) -> list[str]:
    """"tuple" or "list" when a failing comparison expected n copies of a sequence as items and got its
    elements repeated (`t * n` where `(t,) * n` was meant)."""
    out: list[str] = []
    for want, got in zip(ev.expected, ev.actual):
        if isinstance(want, (list, tuple)) and len(want) >= 2 and isinstance(want[0], (list, tuple, str)) \
                and all(w == want[0] for w in want) and isinstance(got, type(want[0])) and got == want[0] * len(want):
            kind = type(want).__name__
            if kind not in out:
                out.append(kind)
    return out


def repeated_whole(ctx: Context, node: ast.BinOp) -> None:
    """`t * n` that repeats a sequence's elements where n copies of the sequence itself were to be the
    items, as the failing comparison shows: `(t,) * n` (or `[t] * n`)."""
    if not isinstance(node.op, ast.Mult):
        return
    kinds = _nested_repeat(ctx.evidence)
    for seq in (node.left, node.right):
        if isinstance(seq, (ast.Name, ast.Attribute, ast.Subscript)) and ctx.expr_type(seq) & {"seq", "str"}:
            text = ctx.src.seg(seq)
            for kind in kinds:
                ctx.replace(seq, f"({text},)" if kind == "tuple" else f"[{text}]", "operator",
                            f"`{text}` repeated as a whole item, not its elements", TIER_USUAL, False)


def shadowed_builtin(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """`def sum(a, b): ... return sum(divisors)`: a function named after a built-in that calls the name
    meaning the built-in calls itself instead (a TypeError for the arguments, or no end). The call made to
    the built-in (`builtins.sum(divisors)`), the import added with it."""
    if not callable(getattr(builtins, fn.name, None)):
        return
    arity = len(fn.args.posonlyargs + fn.args.args)
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == fn.name and ctx.in_region(node)):
            continue
        if len(node.args) == arity and not any(isinstance(a, ast.Starred) for a in node.args):
            continue  # called with the function's own arity: perhaps meant as recursion
        extra = ops_imports.import_span(ctx, "builtins")
        s, e = ctx.src.span(node.func)
        ctx.add([(s, e, f"builtins.{fn.name}")] + ([extra] if extra else []), node.lineno, "call",
                f"call the built-in `{fn.name}`, which the function's own name hides", TIER_USUAL)


def generate(ctx: Context) -> None:
    renamed(ctx)
    filtered(ctx)
    flattened(ctx)
    converted(ctx)
    for node in ast.walk(ctx.tree):
        if not ctx.in_region(node):
            continue
        if isinstance(node, ast.Call):
            call(ctx, node)
            key_order(ctx, node)
        if isinstance(node, ast.Expr):
            discarded(ctx, node)
        if isinstance(node, ast.For):
            running(ctx, node)
        if isinstance(node, ast.If):
            extended(ctx, node)
        if isinstance(node, ast.BinOp):
            repeated_whole(ctx, node)
        if isinstance(node, ast.Assign):
            split_limit(ctx, node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            shadowed_builtin(ctx, node)
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Starred, ast.Slice)):
            wrap(ctx, node)
