"""Finding the tests in a request and compiling each into code that runs after the program.

Every test becomes one code object (filename TESTS_FILE, original line numbers kept), compiled once
per request and run once per program in that program's fresh namespace:

* bare asserts: each top-level `assert` is a test; everything before it is its setup, earlier asserts
  included, so the tests run in order in one namespace as `python file.py` would (a mutable default
  that goes wrong on the second call fails the second assert); an earlier assert that fails does not
  stop the later ones, each keeps its own verdict.
* HumanEval: `def check(candidate): ...` + `check(entry_point)`. A straight-line body (only simple
  statements) is split into one test per assert, with the earlier body statements (asserts too) as setup and the
  parameter bound to the candidate; any loop/branch makes the whole `check(...)` call one test.
* pytest: top-level `def test_*()` and `class Test*` methods; the whole module (minus asserts and
  check calls) is the setup, then the function is called. Fixtures are not supported.
* doctest (tests is null): `>>>` examples in the program's docstrings; statement examples without
  output are setup for the later examples of the same docstring.
* script: no tests and no doctests: run the program top to bottom (and the tests source, if it had
  no recognisable test).

Asserts in test code are rewritten so both sides of a comparison are evaluated once and kept:
`assert a == b` becomes `__tf_left__ = a; __tf_right__ = b; if not (__tf_left__ == __tf_right__):
__tracefix_fail__(...)`, which raises `TestAssertion` with the two values.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

PROGRAM_FILE = "<program>"
TESTS_FILE = "<tests>"
DOCTEST_FILE = "<doctest>"
FAIL_NAME = "__tracefix_fail__"
_LEFT = "__tf_left__"
_RIGHT = "__tf_right__"
_VALUE = "__tf_value__"
_NAME_CHARS = 200


class TestAssertion(AssertionError):
    """The test's own assertion failed; carries the evaluated sides."""

    def __init__(self, message: str, left: Any = None, right: Any = None, compared: bool = False, op: str = "") -> None:
        super().__init__(message)
        self.left = left
        self.right = right
        self.compared = compared
        self.op = op


_OPS = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}


def fail(left: Any, right: Any, op: str, msg: Any, swapped: bool) -> None:
    """Called by rewritten asserts. `left` is the value under test (actual), `right` the expected."""
    if op:
        raise TestAssertion("" if msg is None else str(msg), left, right, True, op)
    raise TestAssertion("" if msg is None else str(msg), left, None, False, "")


@dataclass
class DoctestInfo:
    setup: list[Any]  # compiled setup examples
    source: str
    code: Any  # compiled example (mode 'single')
    want: str
    exc_msg: str | None
    options: dict[int, bool]


@dataclass
class TestSpec:
    id: str
    name: str
    kind: str
    line: int | None
    source: str
    code: Any = None  # code object run after the program (None: nothing after the program)
    # Tests that run in order in one namespace (bare asserts; the asserts of one check body): `code`
    # replays everything before the test, so it also runs alone; `step_code` is only what follows the
    # previous test of the same `group`, run in the namespace that test left (seq = its place there).
    step_code: Any = None
    group: str = ""
    seq: int = -1
    doctest: DoctestInfo | None = None
    public: dict[str, Any] = field(default_factory=dict)
    # Trace mode: (what runs before the test, the test's own statements) as AST, compiled only when a
    # test of a group is traced, so the replayed earlier tests run untraced and the NExT trace shows
    # only the traced test's calls.
    split: tuple[list[ast.stmt], list[ast.stmt]] | None = None

    def traced_parts(self) -> tuple[Any, Any] | None:
        if self.split is None:
            return None
        return _compile_module(list(self.split[0])), _compile_module(list(self.split[1]))

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind, "source": self.source}
        if self.line is not None:
            d["line"] = self.line
        return d


class TestsSyntaxError(Exception):
    def __init__(self, exc: BaseException, line: int | None) -> None:
        super().__init__(str(exc))
        self.exc = exc
        self.line = line


class _AssertRewriter(ast.NodeTransformer):
    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        self.generic_visit(node)
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        return node

    def visit_Assert(self, node: ast.Assert) -> Any:
        return rewrite_assert(node)




def _source(src: _Src, node: ast.AST) -> str:
    seg = src.segment(node)
    return seg if len(seg) <= 4000 else seg[:3997] + "..."


def rewrite_assert(node: ast.Assert) -> list[ast.stmt]:
    test = node.test
    msg = node.msg if node.msg is not None else ast.Constant(None)
    stmts: list[ast.stmt]
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _OPS:
        left, right = test.left, test.comparators[0]
        op = _OPS[type(test.ops[0])]
        # `assert 3 == f(x)`: the literal is the expected value
        swapped = isinstance(left, ast.Constant) and not isinstance(right, ast.Constant) and op in ("==", "!=")
        cond = ast.Compare(ast.Name(_LEFT, ast.Load()), [test.ops[0]], [ast.Name(_RIGHT, ast.Load())])
        actual, expected = (_RIGHT, _LEFT) if swapped else (_LEFT, _RIGHT)
        call = ast.Call(
            ast.Name(FAIL_NAME, ast.Load()),
            [ast.Name(actual, ast.Load()), ast.Name(expected, ast.Load()), ast.Constant(op), msg, ast.Constant(swapped)],
            [],
        )
        stmts = [
            ast.Assign([ast.Name(_LEFT, ast.Store())], left),
            ast.Assign([ast.Name(_RIGHT, ast.Store())], right),
            ast.If(ast.UnaryOp(ast.Not(), cond), [ast.Expr(call)], []),
        ]
    else:
        call = ast.Call(
            ast.Name(FAIL_NAME, ast.Load()),
            [ast.Name(_VALUE, ast.Load()), ast.Constant(None), ast.Constant(""), msg, ast.Constant(False)],
            [],
        )
        stmts = [
            ast.Assign([ast.Name(_VALUE, ast.Store())], test),
            ast.If(ast.UnaryOp(ast.Not(), ast.Name(_VALUE, ast.Load())), [ast.Expr(call)], []),
        ]
    for s in stmts:
        ast.copy_location(s, node)  # fix_missing_locations gives the new inner nodes this location
    return stmts


def soft_assert(node: ast.Assert) -> ast.stmt:
    """An earlier assert as the setup of the later ones: it runs (its calls' side effects happen, in
    order, in the one namespace), but its own verdict is its own test's, so a failure does not stop here."""
    handler = ast.ExceptHandler(type=ast.Name("Exception", ast.Load()), name=None, body=[ast.Pass()])
    soft = ast.Try(body=rewrite_assert(node), handlers=[handler], orelse=[], finalbody=[])
    for n in (soft, handler, handler.body[0]):
        ast.copy_location(n, node)
    return soft


def _compile_module(body: list[ast.stmt]) -> Any:
    mod = ast.Module(body=body, type_ignores=[])
    ast.fix_missing_locations(mod)
    return compile(mod, TESTS_FILE, "exec", dont_inherit=True)


class _Src:
    """Source text with its lines split once (ast.get_source_segment re-splits on every call)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)

    def segment(self, node: ast.AST) -> str:
        try:
            l0, l1 = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
            c0, c1 = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return ""
        if l1 is None or c1 is None:
            return ""
        if l0 == l1:
            return _cut_utf8(self.lines[l0], c0, c1)
        first = _cut_utf8(self.lines[l0], c0, None)
        last = _cut_utf8(self.lines[l1], 0, c1)
        return first + "".join(self.lines[l0 + 1 : l1]) + last


def _cut_utf8(line: str, start: int, end: int | None) -> str:
    # AST column offsets count UTF-8 bytes
    if line.isascii():
        return line[start:end]
    b = line.encode("utf-8")
    return b[start:end].decode("utf-8", "replace")


def _label(src: _Src, node: ast.AST) -> str:
    # lines joined, each one's indentation dropped; the spaces within a line (a string's `'  hi'`) are kept
    seg = src.segment(node)
    text = " ".join(part for part in (line.strip() for line in seg.splitlines()) if part)
    return text if len(text) <= _NAME_CHARS else text[: _NAME_CHARS - 3] + "..."


_SIMPLE = (ast.Assert, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Import, ast.ImportFrom, ast.Pass)


def _is_check_call(stmt: ast.stmt, check_names: set[str]) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Name)
        and stmt.value.func.id in check_names
    )


def _is_pytest_def(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return stmt.name.startswith("test")
    if isinstance(stmt, ast.ClassDef):
        return stmt.name.startswith("Test")
    return False


def discover(tests: str | None, entry_point: str | None, first_program: str) -> list[TestSpec]:
    if tests is None or not tests.strip():
        found = discover_doctests(first_program)
        if found:
            return found
        return [TestSpec("t0", "script", "script", None, "", None)]
    try:
        tree = ast.parse(tests, TESTS_FILE)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        raise TestsSyntaxError(e, getattr(e, "lineno", None)) from None
    body = tree.body
    specs: list[TestSpec] = []
    src = _Src(tests)
    # a second parse is the cheap deep copy: NodeTransformer rewrites in place, and the original
    # statements are still needed for labels and for splitting check()
    rw_body = ast.parse(tests, TESTS_FILE).body
    # statement by statement: a rewritten top-level assert becomes several statements
    rewritten = {
        id(o): r if isinstance(r, ast.Assert) else _AssertRewriter().visit(r) for o, r in zip(tree.body, rw_body)
    }

    def _rewritten(stmt: ast.stmt) -> Any:
        return rewritten[id(stmt)]

    def add(name: str, kind: str, line: int | None, source: str, code: Any, step: Any = None, group: str = "", seq: int = -1,
            split: tuple[list[ast.stmt], list[ast.stmt]] | None = None) -> None:
        specs.append(TestSpec(f"t{len(specs)}", name, kind, line, source, code, step_code=step, group=group, seq=seq, split=split))

    check_defs = {s.name: s for s in body if isinstance(s, ast.FunctionDef) and s.name == "check"}
    has_check_call = any(_is_check_call(s, set(check_defs)) for s in body)
    if check_defs and not has_check_call and entry_point:
        # `def check(candidate)` without the call: call it on the entry point
        last = body[-1]
        call = ast.Expr(ast.Call(ast.Name("check", ast.Load()), [ast.Name(entry_point, ast.Load())], []))
        ast.copy_location(call, last)
        call.lineno = call.end_lineno = getattr(last, "end_lineno", last.lineno) or last.lineno
        body = [*body, call]
        has_check_call = True

    # setup statements shared by later tests: everything that is not itself a test
    module_setup_all = [
        _rewritten(s) for s in body if not isinstance(s, ast.Assert) and not _is_check_call(s, set(check_defs))
    ]
    setup_so_far: list[ast.stmt] = []
    since_last: list[ast.stmt] = []
    seq = 0
    for stmt in body:
        if isinstance(stmt, ast.Assert):
            add(_label(src, stmt), "assert", stmt.lineno, _source(src, stmt), _compile_module([*setup_so_far, *rewrite_assert(stmt)]),
                _compile_module([*since_last, *rewrite_assert(stmt)]), "asserts", seq,
                split=(list(setup_so_far), rewrite_assert(stmt)))
            seq += 1
            since_last = []
            # the later tests run after this one, in the same namespace, as `python file.py` would
            setup_so_far.append(soft_assert(stmt))
            continue
        if _is_check_call(stmt, set(check_defs)):
            call = stmt.value  # type: ignore[attr-defined]
            check_def = check_defs[call.func.id]
            cand_expr: ast.expr
            if entry_point:
                cand_expr = ast.Name(entry_point, ast.Load())
            elif call.args:
                cand_expr = call.args[0]
            else:
                cand_expr = ast.Constant(None)
            ast.copy_location(cand_expr, stmt)
            _add_check_tests(src, stmt, check_def, cand_expr, list(setup_so_far), add)
            continue
        if _is_pytest_def(stmt):
            for name, call_src in _pytest_calls(stmt):
                call_node = ast.parse(call_src).body[0]
                ast.increment_lineno(call_node, stmt.lineno - 1)
                add(name, "pytest", stmt.lineno, _source(src, stmt),
                    _compile_module([*module_setup_all, call_node]))
        setup_so_far.append(_rewritten(stmt))
        since_last.append(_rewritten(stmt))
    if not specs:
        # tests source with no recognisable test: run it after the program like a script
        add("script", "script", None, tests[:4000], _compile_module(module_setup_all))
    return specs


def _pytest_calls(stmt: ast.stmt) -> list[tuple[str, str]]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if isinstance(stmt, ast.AsyncFunctionDef):
            return [(stmt.name, f"__import__('asyncio').run({stmt.name}())")]
        return [(stmt.name, f"{stmt.name}()")]
    out: list[tuple[str, str]] = []
    assert isinstance(stmt, ast.ClassDef)
    for m in stmt.body:
        if isinstance(m, ast.FunctionDef) and m.name.startswith("test"):
            out.append((f"{stmt.name}.{m.name}", f"{stmt.name}().{m.name}()"))
    return out


def _add_check_tests(src: _Src, call_stmt: ast.stmt, check_def: ast.FunctionDef, cand: ast.expr,
                     module_setup: list[ast.stmt], add: Any) -> None:
    body = list(check_def.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    params = [a.arg for a in check_def.args.args]
    straight = (
        len(params) == 1
        and all(isinstance(s, _SIMPLE) for s in body)
        and sum(isinstance(s, ast.Assert) for s in body) > 0
        and not any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await)) for s in body for n in ast.walk(s))
    )
    if not straight:
        call = ast.Expr(ast.Call(ast.Name(check_def.name, ast.Load()), [cand], []))
        ast.copy_location(call, call_stmt)
        add(_label(src, call_stmt), "check", call_stmt.lineno, _source(src, check_def), _compile_module([*module_setup, call]))
        return
    # the split tests inline the body, so `def check` itself is not needed (compiling it once per
    # assert made discovery quadratic on HumanEval's 100-assert checks)
    module_setup = [s for s in module_setup if not (isinstance(s, ast.FunctionDef) and s.name == check_def.name)]
    bind = ast.Assign([ast.Name(params[0], ast.Store())], cand)
    ast.copy_location(bind, call_stmt)
    before: list[ast.stmt] = []
    since_last: list[ast.stmt] = [*module_setup, bind]
    group = f"check@{call_stmt.lineno}"
    seq = 0
    for s in body:
        if isinstance(s, ast.Assert):
            add(_label(src, s), "check", s.lineno, _source(src, s), _compile_module([*module_setup, bind, *before, *rewrite_assert(s)]),
                _compile_module([*since_last, *rewrite_assert(s)]), group, seq,
                split=([*module_setup, bind, *before], rewrite_assert(s)))
            seq += 1
            since_last = []
            before.append(soft_assert(s))
        else:
            before.append(s)  # simple statements: no assert inside to rewrite
            since_last.append(s)


# ---- doctests -----------------------------------------------------------------------------------

def discover_doctests(program: str) -> list[TestSpec]:
    try:
        tree = ast.parse(program, PROGRAM_FILE)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    import doctest  # lazily: 30 ms of imports that test mode with explicit tests never needs

    parser = doctest.DocTestParser()
    specs: list[TestSpec] = []
    nodes: list[ast.AST] = [tree]
    nodes.extend(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    for node in nodes:
        body = getattr(node, "body", None)
        if not body or not isinstance(body[0], ast.Expr):
            continue
        const = body[0].value
        if not isinstance(const, ast.Constant) or not isinstance(const.value, str) or ">>>" not in const.value:
            continue
        try:
            examples = parser.get_examples(const.value)
        except ValueError:
            continue
        setup: list[Any] = []
        for ex in examples:
            try:
                code = compile(ex.source, DOCTEST_FILE, "single", dont_inherit=True)
            except (SyntaxError, ValueError):
                continue
            is_expr = _is_expression(ex.source)
            if not ex.want and ex.exc_msg is None and not is_expr:
                setup.append(code)
                continue
            first = ex.source.strip().splitlines()[0] if ex.source.strip() else ""
            line = const.lineno + ex.lineno
            src = ">>> " + ex.source.rstrip("\n").replace("\n", "\n... ") + ("\n" + ex.want.rstrip("\n") if ex.want else "")
            spec = TestSpec(f"t{len(specs)}", (">>> " + first)[:_NAME_CHARS], "doctest", line, src)
            spec.doctest = DoctestInfo(list(setup), ex.source, code, ex.want, ex.exc_msg, dict(ex.options))
            specs.append(spec)
    return specs


def _is_expression(source: str) -> bool:
    try:
        mod = ast.parse(source)
    except SyntaxError:
        return False
    return len(mod.body) == 1 and isinstance(mod.body[0], ast.Expr)


def doctest_matches(want: str, got: str, options: dict[int, bool]) -> bool:
    import doctest

    flags = doctest.NORMALIZE_WHITESPACE
    for flag, on in options.items():
        flags = flags | flag if on else flags & ~flag
    return doctest.OutputChecker().check_output(want, got, flags)
