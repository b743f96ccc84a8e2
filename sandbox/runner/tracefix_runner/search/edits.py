"""Source spans, edits, and the context every operator module works from.

Edits are located on the AST but applied to the text by character span, so the user's formatting and
comments survive outside the edited span. Every operator module exposes `generate(ctx)` and adds its
edits through `ctx.add` / `ctx.replace`, which refuse anything outside the editable region, inside a
frozen span (the tests' oracle functions), or inside an assert of the user's code.
"""

from __future__ import annotations

import ast
from typing import Any, Iterable

# Operators that bind tighter than anything an operator puts in their place: a replacement inside one
# of these is parenthesised.
TIGHT_NODES = (ast.BinOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.UnaryOp, ast.Lambda, ast.NamedExpr, ast.Tuple)
LOOSE_PARENT = (ast.Call, ast.keyword, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Return, ast.Assign, ast.AugAssign,
                ast.AnnAssign, ast.Expr, ast.If, ast.While, ast.For, ast.comprehension, ast.Slice, ast.FormattedValue)

# Methods that change the object they are called on (a list, dict or set changed in place).
MUTATING_METHODS = ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "add", "discard")

# Loops, and the statements that leave a block (an `if` whose body ends in one is a way out).
LOOPS = (ast.For, ast.While, ast.AsyncFor)
EXITS = (ast.Return, ast.Raise, ast.Break, ast.Continue)

# How common a kind of edit is as a real bug: lower tiers are tried first and rank first.
TIER_COMMON, TIER_USUAL, TIER_RARE, TIER_LAST = 0, 1, 2, 3


class Source:
    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        if lineno - 1 >= len(self.lines):
            return len(self.text)
        line = self.lines[lineno - 1]
        if not line.isascii():  # AST columns count UTF-8 bytes
            col = len(line.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return self.starts[lineno - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def seg(self, node: ast.AST) -> str:
        s, e = self.span(node)
        return self.text[s:e]

    def line_start(self, lineno: int) -> int:
        return self.starts[min(lineno - 1, len(self.lines))]

    def line_end(self, lineno: int) -> int:
        """Offset just past the line's newline."""
        return self.starts[min(lineno, len(self.lines))]

    def indent_of(self, lineno: int) -> str:
        line = self.lines[lineno - 1]
        return line[: len(line) - len(line.lstrip())]

    def starts_line(self, node: ast.AST) -> bool:
        """Nothing but indentation before the node on its first line."""
        lineno = node.lineno  # type: ignore[attr-defined]
        return self.text[self.line_start(lineno) : self.offset(lineno, node.col_offset)].strip() == ""  # type: ignore[attr-defined]


class Edit:
    __slots__ = ("spans", "line", "kind", "desc", "tier", "new_numbers")

    def __init__(self, spans: list[tuple[int, int, str]], line: int, kind: str, desc: str, tier: int, new_numbers: int = 0):
        self.spans = sorted(spans)
        self.line = line
        self.kind = kind
        self.desc = desc
        self.tier = tier
        # numeric literals the edit brings in that appear nowhere in the program or the tests (magic)
        self.new_numbers = new_numbers

    def overlaps(self, other: "Edit") -> bool:
        for s1, e1, _ in self.spans:
            for s2, e2, _ in other.spans:
                if s1 < e2 and s2 < e1:
                    return True
                if s1 == s2 and (s1 == e1 or s2 == e2):
                    return True  # two insertions at one point: their order would be arbitrary
        return False

    def size(self) -> int:
        return sum(max(e - s, len(t)) for s, e, t in self.spans)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    spans = sorted((s for e in edits for s in e.spans), key=lambda x: (x[0], x[1]), reverse=True)
    for s, e, new in spans:
        text = text[:s] + new + text[e:]
    return text


def shifted(text: str, delta: int) -> str:
    """`text` plus `delta`, written as a person would: `n - 1` moved up by one is `n`, not `n - 1 + 1`."""
    stripped = text.strip()
    try:
        node = ast.parse(stripped, mode="eval").body
    except SyntaxError:
        node = None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return str(node.value + delta)
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, (ast.Add, ast.Sub))
        and isinstance(node.right, ast.Constant)
        and type(node.right.value) is int
    ):
        base = ast.get_source_segment(stripped, node.left)
        if base is not None:
            total = (node.right.value if isinstance(node.op, ast.Add) else -node.right.value) + delta
            if total == 0:
                return base
            return f"{base} + {total}" if total > 0 else f"{base} - {-total}"
    if isinstance(node, (ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda)):
        text = f"({text})"
    return f"{text} + {delta}" if delta > 0 else f"{text} - {-delta}"


def called_name(node: ast.Call) -> str | None:
    """`f` of `f(...)` or of `obj.f(...)`."""
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def returns_a_value(fn: ast.AST) -> bool:
    """The function has a `return` with a value somewhere (a nested function's counts too, as before)."""
    return any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(fn))


def value_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)):
        return "seq"
    if isinstance(value, (set, frozenset)):
        return "set"
    if isinstance(value, dict):
        return "dict"
    if value is None:
        return "none"
    return "other"


class Evidence:
    """What the run of the original program showed; operators read it, never the benchmark."""

    def __init__(self) -> None:
        self.types: dict[str, set[str]] = {}  # variable name -> kinds of values seen
        self.return_types: dict[str, set[str]] = {}  # function name -> kinds returned
        self.suspicious: list[int] = []  # lines, most suspicious first
        self.error_lines: list[int] = []  # program lines where a failing test raised
        self.error_types: dict[int, str] = {}  # line -> exception type raised there
        self.error_messages: dict[int, str] = {}  # line -> the message of the first exception raised there
        # failing calls of the function under test: {"func": name, "args": {param: value}}
        self.failing_calls: list[dict[str, Any]] = []
        self.expected: list[Any] = []  # expected values of failing comparisons (literals only)
        self.actual: list[Any] = []  # what the program gave in those comparisons, paired with `expected`
        self.raised_expected: list[Any] = []  # what tests that raised instead of comparing expected (literals)
        self.numbers: set[Any] = set()  # numbers written in the program or the tests
        self.test_strings: list[str] = []  # string literals written in the tests (inputs and expected values)
        self.missing_names: list[str] = []  # names the tests call that the program does not define


class Context:
    """One program being edited: parent links, scopes, the editable region, and the edit list."""

    def __init__(self, src: Source, tree: ast.Module, editable: tuple[int, int], evidence: Evidence,
                 frozen: list[tuple[int, int]] | None = None):
        self.src = src
        self.tree = tree
        self.editable = editable
        self.evidence = evidence
        self.lo = src.offset(editable[0], 0) if editable[0] - 1 < len(src.lines) else len(src.text)
        self.hi = src.line_end(editable[1])
        blocked = list(frozen or [])
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
            if isinstance(node, ast.Assert):
                # asserts in the user's code are their statement of intent: never edited
                blocked.append((node.lineno, node.end_lineno or node.lineno))
        self.frozen = [(src.line_start(lo), src.line_end(hi)) for lo, hi in blocked]
        self.scopes: dict[ast.AST, list[str]] = {}
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                names: list[str] = []
                args = fn.args
                for a in args.posonlyargs + args.args + args.kwonlyargs:
                    names.append(a.arg)
                for extra in (args.vararg, args.kwarg):
                    if extra is not None:
                        names.append(extra.arg)
                for node in ast.walk(fn):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
                        names.append(node.id)
                self.scopes[fn] = names
        self.module_funcs = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        self.edits: list[Edit] = []

    # -- where edits may go
    def ok(self, s: int, e: int) -> bool:
        if not (self.lo <= s and e <= self.hi):
            return False
        return not any((s < fe and fs < e) or fs <= s < fe for fs, fe in self.frozen)

    def in_region(self, node: ast.AST) -> bool:
        line = getattr(node, "lineno", None)
        if line is None:
            return False
        end = getattr(node, "end_lineno", line) or line
        return end >= self.editable[0] and line <= self.editable[1]

    def add(self, spans: list[tuple[int, int, str]], line: int, kind: str, desc: str, tier: int) -> None:
        if spans and all(self.ok(s, e) for s, e, _ in spans):
            self.edits.append(Edit(spans, line, kind, desc, tier, self._magic(spans)))

    def replace(self, node: ast.AST, text: str, kind: str, desc: str, tier: int, wrap_if_needed: bool = True) -> None:
        s, e = self.src.span(node)
        parent = self.parent.get(node)
        loose = isinstance(parent, LOOSE_PARENT) or isinstance(parent, ast.stmt) or (isinstance(parent, ast.Subscript) and parent.slice is node)
        if wrap_if_needed and parent is not None and not loose:
            text = f"({text})"
        self.add([(s, e, text)], node.lineno, kind, desc, tier)  # type: ignore[attr-defined]

    def _magic(self, spans: list[tuple[int, int, str]]) -> int:
        count = 0
        for _s, _e, text in spans:
            for tok in _numbers_in(text):
                if tok not in self.evidence.numbers and tok not in (0, 1, -1):
                    count += 1
        return count

    # -- scopes and types
    def enclosing_func(self, node: ast.AST) -> ast.AST | None:
        cur = self.parent.get(node)
        while cur is not None and not isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cur = self.parent.get(cur)
        return cur

    def enclosing_loop(self, node: ast.AST) -> ast.For | ast.While | ast.AsyncFor | None:
        """The innermost loop around `node` within its function, if any."""
        cur = self.parent.get(node)
        while cur is not None and not isinstance(cur, (*LOOPS, ast.FunctionDef, ast.AsyncFunctionDef)):
            cur = self.parent.get(cur)
        return cur if isinstance(cur, LOOPS) else None

    def scope_names(self, node: ast.AST) -> list[str]:
        fn = self.enclosing_func(node)
        names = list(self.scopes.get(fn, [])) if fn is not None else []
        cur = self.parent.get(node)
        while cur is not None and cur is not fn:
            if isinstance(cur, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                for gen in cur.generators:
                    for n in ast.walk(gen.target):
                        if isinstance(n, ast.Name) and n.id not in names:
                            names.append(n.id)
            if isinstance(cur, ast.Lambda):
                for a in cur.args.args:
                    if a.arg not in names:
                        names.append(a.arg)
            cur = self.parent.get(cur)
        return names

    def type_of_name(self, name: str) -> set[str]:
        return self.evidence.types.get(name, set())

    def seen_alive(self, name: str) -> bool:
        """The name held a value during the run (no evidence at all counts as alive)."""
        return not self.evidence.types or name in self.evidence.types

    def expr_type(self, node: ast.expr) -> set[str]:
        if isinstance(node, ast.Name):
            return self.type_of_name(node.id)
        if isinstance(node, ast.Constant):
            return {value_kind(node.value)}
        if isinstance(node, (ast.List, ast.ListComp, ast.Tuple)):
            return {"seq"}
        if isinstance(node, (ast.Set, ast.SetComp)):
            return {"set"}
        if isinstance(node, (ast.Dict, ast.DictComp)):
            return {"dict"}
        if isinstance(node, ast.JoinedStr):
            return {"str"}
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                if f.id in ("len", "int", "ord", "round", "abs"):
                    return {"int"}
                if f.id in ("sorted", "list", "tuple"):
                    return {"seq"}
                if f.id in ("str", "chr"):
                    return {"str"}
                if f.id == "set":
                    return {"set"}
                if f.id in self.evidence.return_types:
                    return set(self.evidence.return_types[f.id])
            if isinstance(f, ast.Attribute):
                if f.attr in ("lower", "upper", "strip", "lstrip", "rstrip", "replace", "join", "capitalize", "title"):
                    return {"str"}
                if f.attr in ("split",):
                    return {"seq"}
                if f.attr in ("count", "index", "find"):
                    return {"int"}
        if isinstance(node, ast.BinOp):
            lt, rt = self.expr_type(node.left), self.expr_type(node.right)
            if "str" in lt or "str" in rt:
                return {"str"}
            if "seq" in lt or "seq" in rt:
                return {"seq"}
            if lt & {"int", "float"} or rt & {"int", "float"}:
                return {"float"} if "float" in (lt | rt) or isinstance(node.op, ast.Div) else {"int"}
        if isinstance(node, ast.Subscript):
            vt = self.expr_type(node.value)
            if "str" in vt:
                return {"str"}
            if isinstance(node.slice, ast.Slice):
                return vt
        if isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
            return {"bool"}
        return set()

    def fresh_name(self, node: ast.AST, choices: tuple[str, ...]) -> str | None:
        """The first of `choices` that names nothing in `node`'s scope or inside `node`: a variable an edit
        can introduce there (a generator's loop name)."""
        taken = set(self.scope_names(node)) | {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        return next((c for c in choices if c not in taken), None)

    def negated(self, test: ast.expr) -> str:
        """The text of `not test`: a `not` dropped, a simple operand negated bare, anything else in brackets."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self.src.seg(test.operand)
        text = self.src.seg(test)
        return f"not {text}" if isinstance(test, (ast.Name, ast.Call, ast.Attribute, ast.Subscript)) else f"not ({text})"

    def is_elif(self, node: ast.If) -> bool:
        """The `if` node is an `elif` of a chain (its keyword, not the node, says so)."""
        at = self.src.offset(node.lineno, node.col_offset)
        return self.src.text[at : at + 4] == "elif"

    def body_of(self, node: ast.stmt) -> list[ast.stmt] | None:
        parent = self.parent.get(node)
        for field in ("body", "orelse", "finalbody", "handlers"):
            seq = getattr(parent, field, None)
            if isinstance(seq, list) and node in seq:
                return seq
        return None

    @staticmethod
    def first_statement(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.stmt:
        """The function's first statement after its docstring: where code added at its top goes."""
        first = fn.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str) and len(fn.body) > 1:
            first = fn.body[1]
        return first

    def stmt_span(self, node: ast.stmt) -> tuple[int, int]:
        """Whole lines of the statement, newline included."""
        return self.src.line_start(node.lineno), self.src.line_end(node.end_lineno or node.lineno)

    def dedented(self, stmts: list[ast.stmt], indent: str) -> str | None:
        """The statements' lines re-indented to `indent`, or None when they do not start their lines."""
        src = self.src
        first, last = stmts[0], stmts[-1]
        if not src.starts_line(first):
            return None
        lo, hi = src.line_start(first.lineno), src.line_end(last.end_lineno or last.lineno)
        inner_indent = src.indent_of(first.lineno)
        out = []
        for ln in src.text[lo:hi].splitlines(keepends=True):
            if ln.startswith(inner_indent):
                out.append(indent + ln[len(inner_indent):])
            elif not ln.strip():
                out.append(ln)
            else:
                return None
        result = "".join(out)
        return result if result.endswith("\n") else result + "\n"


def _numbers_in(text: str) -> list[Any]:
    try:
        tree = ast.parse(text.strip() or "0", mode="exec")
    except SyntaxError:
        return []
    out: list[Any] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
            out.append(n.value)
    return out


def numbers_of(*texts: str | None) -> set[Any]:
    found: set[Any] = set()
    for text in texts:
        if not text:
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for n in ast.walk(tree):
            if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
                found.add(n.value)
                found.add(-n.value)
    return found


def strings_of(text: str | None, longest: int = 40) -> list[str]:
    """The string literals of `text` (not docstrings), in order of appearance, each once."""
    if not text:
        return []
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    found: list[str] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Expr):
            continue
        for c in ast.iter_child_nodes(n):  # a constant's parent is not a bare expression: no docstrings
            if isinstance(c, ast.Constant) and isinstance(c.value, str) and 0 < len(c.value) <= longest and c.value not in found:
                found.append(c.value)
    return found


def edit_distance(a: str, b: str, cap: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from `a` to `b`, or `cap + 1` once it is known
    to exceed `cap`: the optimal-string-alignment distance, in which a typo like `grene` is one edit."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    before: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i]
        for j in range(1, len(b) + 1):
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d = min(d, before[j - 2] + 1)
            cur.append(d)
        if min(cur) > cap:
            return cap + 1
        before, prev = prev, cur
    return prev[-1]
