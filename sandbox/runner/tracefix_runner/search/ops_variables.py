"""Variables: one variable used (or assigned) where another of the same scope was meant (a number where
a sequence's length was meant, as a divisor, a bound or a comparison; a variable where the element at the
loop's index was meant, and the reverse: a loop's element tested where its position was meant, `ord(ch) % 2`
for the even positions; a `while` whose condition never reads the counter its body advances, over the whole
sequence where the part from the counter on was meant; a method that uses an attribute of its object as a
bare name, `count += 1` for `self.count += 1`), elements of a tuple or list in the wrong order
(`(j, i)` for `(i, j)`), two parameters each used where the other was meant (the arguments taken in
the other order: every use of the two swapped in the body), and a variable's name in quotes (`d['key']`
for `d[key]`)."""

from __future__ import annotations

import ast
import keyword

from .edits import TIER_RARE, TIER_USUAL, Context
from .ops_unused import changed_in, reads_of


def load(ctx: Context, node: ast.Name) -> None:
    parent = ctx.parent.get(node)
    if isinstance(parent, ast.Call) and parent.func is node:
        return  # a called name is the calls operator's job
    names = ctx.scope_names(node)
    if node.id not in names:
        return
    mine = ctx.type_of_name(node.id)
    for other in names:
        if other == node.id or other.startswith("_") or not ctx.seen_alive(other):
            continue
        theirs = ctx.type_of_name(other)
        if mine and theirs and not (mine & theirs):
            continue  # a variable of another kind would only raise
        ctx.add([(*ctx.src.span(node), other)], node.lineno, "variable", f"`{node.id}` -> `{other}`", TIER_USUAL)
    if not (isinstance(parent, ast.Subscript) and parent.value is node):
        for index, seq in _elements_at(ctx, node, names):
            ctx.add([(*ctx.src.span(node), f"{seq}[{index}]")], node.lineno, "variable", f"`{node.id}` -> `{seq}[{index}]`", TIER_RARE)
    if mine & {"int", "float"} and _counts_here(ctx, node):
        for other in names:
            if other != node.id and ctx.type_of_name(other) & {"seq", "str"}:
                ctx.add([(*ctx.src.span(node), f"len({other})")], node.lineno, "variable", f"`{node.id}` -> `len({other})`", TIER_RARE)


def _elements_at(ctx: Context, node: ast.Name, names: list[str]) -> list[tuple[str, str]]:
    """(index, sequence) pairs for `seq[i]` where `node` stands: `i` the variable of an enclosing
    `for i in range(...)`, `seq` a sequence of the function whose elements are of `node`'s kind."""
    mine = ctx.type_of_name(node.id)
    if mine and not mine & {"int", "float", "str", "bool"}:
        return []  # a collection stands here, not one element
    indices: list[str] = []
    cur = ctx.parent.get(node)
    while cur is not None and not isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if isinstance(cur, ast.For) and isinstance(cur.target, ast.Name) and isinstance(cur.iter, ast.Call) \
                and isinstance(cur.iter.func, ast.Name) and cur.iter.func.id == "range":
            indices.append(cur.target.id)
        cur = ctx.parent.get(cur)
    out: list[tuple[str, str]] = []
    for index in indices:
        if index == node.id:
            continue
        for seq in names:
            if seq != node.id and ctx.type_of_name(seq) & {"seq", "str"} and ("str" not in ctx.type_of_name(seq) or not mine or "str" in mine):
                out.append((index, seq))
    return out


def _counts_here(ctx: Context, node: ast.Name) -> bool:
    """Where a count is usual: a divisor, a range bound, a side of a comparison."""
    parent = ctx.parent.get(node)
    if isinstance(parent, ast.BinOp) and parent.right is node and isinstance(parent.op, (ast.Div, ast.FloorDiv, ast.Mod)):
        return True
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "range":
        return True
    return isinstance(parent, ast.Compare)


def store(ctx: Context, node: ast.Name) -> None:
    for other in ctx.scope_names(node):
        if other != node.id and not other.startswith("_"):
            ctx.add([(*ctx.src.span(node), other)], node.lineno, "variable", f"assign `{other}` instead of `{node.id}`", TIER_RARE)


def order(ctx: Context, node: ast.Tuple | ast.List) -> None:
    src = ctx.src
    for a, b in zip(node.elts, node.elts[1:]):
        sa, ea = src.span(a)
        sb, eb = src.span(b)
        ctx.add([(sa, ea, src.seg(b)), (sb, eb, src.seg(a))], node.lineno, "order", f"swap `{src.seg(a)}` and `{src.seg(b)}`", TIER_USUAL)


_INDEX_NAMES = ("i", "idx", "index", "pos")


def positions(ctx: Context, loop: ast.For | ast.comprehension, conditions: list[ast.expr], program_names: set[str]) -> None:
    """`for x in xs: if cond(x): ...` where the condition was about x's position: the loop walks
    `enumerate(xs)` and the condition tests the index (`x` itself, or a call of it such as `ord(x)`)."""
    target, it = loop.target, loop.iter
    if not isinstance(target, ast.Name) or ctx.expr_type(it) & {"set", "dict", "int"}:
        return
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in ("range", "enumerate", "zip"):
        return  # already a position, or already paired with one
    taken = program_names.union(ctx.scope_names(target))
    index = next((n for n in _INDEX_NAMES if n not in taken), None)
    if index is None:
        return
    header = [(*ctx.src.span(target), f"{index}, {target.id}"), (*ctx.src.span(it), f"enumerate({ctx.src.seg(it)})")]
    for cond in conditions:
        for node in ast.walk(cond):
            own = isinstance(node, ast.Name) and node.id == target.id and isinstance(ctx.parent.get(node), (ast.Compare, ast.BinOp))
            called = (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1 and not node.keywords
                      and isinstance(node.args[0], ast.Name) and node.args[0].id == target.id)
            if own or called:
                ctx.add(header + [(*ctx.src.span(node), index)], cond.lineno, "variable",
                        f"`{ctx.src.seg(node)}` -> its position `{index}` (walk `enumerate({ctx.src.seg(it)})`)", TIER_RARE)


def _loop_conditions(loop: ast.For) -> list[ast.expr]:
    out: list[ast.expr] = []
    stack: list[ast.AST] = list(loop.body)
    while stack:
        n = stack.pop(0)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.While)):
            continue  # another scope, or another loop's element
        if isinstance(n, (ast.If, ast.IfExp)):
            out.append(n.test)
        stack.extend(ast.iter_child_nodes(n))
    return out


def stuck_loop(ctx: Context, loop: ast.While) -> None:
    """`while not done(text): k += 1`: the body advances `k` but the condition never reads it, so the
    loop cannot end unless `done` changes its mind. Meant: the condition looks at the part the counter
    has reached (`text[k:]`, or `text[:k]`)."""
    if set(reads_of(loop.test)) & changed_in(loop.body):
        return  # the body changes what the condition reads: not stuck (ops_unused's stuck_while shares this test)
    counters = [n.target.id for stmt in loop.body for n in ast.walk(stmt)
                if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) and isinstance(n.op, (ast.Add, ast.Sub))]
    for k in dict.fromkeys(counters):
        if ctx.type_of_name(k) and "int" not in ctx.type_of_name(k):
            continue
        for n in ast.walk(loop.test):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and ctx.type_of_name(n.id) & {"str", "seq"}:
                parent = ctx.parent.get(n)
                if isinstance(parent, ast.Call) and parent.func is n:
                    continue
                for part in (f"{n.id}[{k}:]", f"{n.id}[:{k}]"):
                    ctx.add([(*ctx.src.span(n), part)], loop.lineno, "variable",
                            f"the loop's condition reads `{part}` (its body advances `{k}`)", TIER_RARE)


def missing_self(ctx: Context, cls: ast.ClassDef) -> None:
    """In a method, `total += x` or `return total` where `total` is never a local of the method (only ever
    updated in place, or only read) but is an attribute the class sets (`self.total = 0`): the object's
    attribute was meant, every bare use of it in that method becomes `self.total`."""
    attrs: set[str] = set()
    for n in ast.walk(cls):
        if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store) and isinstance(n.value, ast.Name) and n.value.id == "self":
            attrs.add(n.attr)
    for fn in cls.body:
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or not fn.args.args or fn.args.args[0].arg != "self":
            continue
        params = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
        uses: dict[str, list[ast.Name]] = {}
        assigned: set[str] = set()
        for n in ast.walk(fn):
            if isinstance(n, ast.Name) and n.id in attrs and n.id not in params:
                uses.setdefault(n.id, []).append(n)
                parent = ctx.parent.get(n)
                if isinstance(n.ctx, ast.Store) and not (isinstance(parent, ast.AugAssign) and parent.target is n):
                    assigned.add(n.id)  # a real local of this method
        for name, nodes in uses.items():
            if name in assigned or not all(ctx.in_region(n) for n in nodes):
                continue
            ctx.add([(*ctx.src.span(n), f"self.{name}") for n in nodes], nodes[0].lineno, "variable",
                     f"`{name}` -> the attribute `self.{name}`", TIER_USUAL)


# Functions with more parameters than this are not searched for a swapped pair (their pairs grow fast).
MAX_SWAPPED_PARAMS = 5


def swapped_params(ctx: Context, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """`def loss(cost, sale)` whose body uses `cost` where the sale was meant and the other way round: the
    arguments read in the other order. Every use of the two in the body swapped at once (the signature, the
    caller's contract, stays), for two parameters neither of which the body assigns."""
    params = [a.arg for a in fn.args.posonlyargs + fn.args.args if a.arg not in ("self", "cls")]
    if not 2 <= len(params) <= MAX_SWAPPED_PARAMS:
        return
    uses: dict[str, list[ast.Name]] = {p: [] for p in params}
    assigned: set[str] = set()
    for stmt in fn.body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name) and n.id in uses and isinstance(n.ctx, ast.Load):
                uses[n.id].append(n)
            elif isinstance(n, ast.Name) and n.id in uses:
                assigned.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and n is not fn:
                return  # a nested scope may rebind either name: left alone
    for i, a in enumerate(params):
        for b in params[i + 1:]:
            if a in assigned or b in assigned or not uses[a] or not uses[b]:
                continue
            spans = [(*ctx.src.span(n), b if n.id == a else a) for n in uses[a] + uses[b]]
            ctx.add(spans, min(n.lineno for n in uses[a] + uses[b]), "variable",
                    f"`{a}` and `{b}` each used where the other was meant (arguments in the other order)", TIER_RARE)


def quoted(ctx: Context, node: ast.Constant) -> None:
    """`counts['word'] += 1`, `md5('text')`: a variable's name written in quotes where its value was meant."""
    name = node.value
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        return
    if isinstance(ctx.parent.get(node), (ast.Expr, ast.JoinedStr, ast.FormattedValue)):
        return  # a docstring, or a piece of an f-string
    if name not in ctx.scope_names(node) or not ctx.seen_alive(name):
        return
    ctx.replace(node, name, "variable", f"the variable `{name}`, not the string {ctx.src.seg(node)}", TIER_RARE)


def generate(ctx: Context) -> None:
    program_names = {n.id for n in ast.walk(ctx.tree) if isinstance(n, ast.Name)}  # an index must shadow none
    for node in ast.walk(ctx.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            swapped_params(ctx, node)
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.ClassDef):
            missing_self(ctx, node)
        if isinstance(node, ast.While) and ctx.in_region(node):
            stuck_loop(ctx, node)
        if isinstance(node, ast.For) and ctx.in_region(node):
            positions(ctx, node, _loop_conditions(node), program_names)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)) and ctx.in_region(node) and len(node.generators) == 1:
            positions(ctx, node.generators[0], list(node.generators[0].ifs), program_names)
    for node in ast.walk(ctx.tree):
        if not ctx.in_region(node):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            load(ctx, node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            store(ctx, node)
        elif isinstance(node, (ast.Tuple, ast.List)) and isinstance(node.ctx, ast.Load) and 2 <= len(node.elts) <= 4:
            order(ctx, node)
        elif isinstance(node, ast.Constant):
            quoted(ctx, node)
