"""Program search for tracefix's repair engine (mode 'mutate'; the payload is owned by src/repair).

One call does the whole search inside the sandbox, because the cheap part of a program search is
running thousands of small variants of one program, and a process (or a WebAssembly start) per variant
would cost more than the variants themselves:

  1. split the tests into atomic checks (each assert of a `check(candidate)` body, each top-level
     assert, each `test_*` function, each docstring example) and run them on the program with line
     coverage, recording for the failing ones the inputs, expected vs actual values and the values the
     program's variables took at each line;
  2. rank lines by suspiciousness (Ochiai over the checks' coverage, plus the line that raised and the
     line that produced the wrong return value);
  3. generate small AST-located edits at the most suspicious lines first, applied to the source by
     span so the user's formatting survives outside the edited span; dedupe on the normalised AST;
  4. screen each variant against the checks in process (the failing checks first, stopping at the
     first check that still fails), then pairs of edits seeded by variants that fixed some checks;
  5. return the variants that pass every check (and the best partial ones) with the evidence the
     rationale needs. The engine verifies the survivors again through the runner's ordinary test mode.

Only the standard library; runs under CPython and Pyodide (where there is no SIGALRM, a step counter
in a trace function stops runaway loops instead).
"""

from __future__ import annotations

import ast
import builtins
import doctest
import io
import itertools
import math
import os
import re
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterable, Iterator

PROGRAM_FILE = "<tracefix-program>"
TEST_FILE = "<tracefix-tests>"
VALUE_CHARS = 80



def _entry_from_tests(tests: str | None) -> str | None:
    """HumanEval style: `check(find_zero)`, calling a `check` the tests define, names the function under test."""
    if not tests:
        return None
    try:
        test_tree = ast.parse(tests)
    except SyntaxError:
        return None
    defined = {n.name for n in test_tree.body if isinstance(n, ast.FunctionDef)}
    for stmt in test_tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in defined:
            if call.args and isinstance(call.args[0], ast.Name):
                return call.args[0].id
    return None


def _unbounded_pows(tree: ast.AST) -> int:
    """`a ** b` with a computed exponent: one C call that no interrupt reaches, and that can run for ever."""
    return sum(
        1
        for n in ast.walk(tree)
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) and not isinstance(n.right, (ast.Constant, ast.UnaryOp))
    )


def _oracle_spans(tree: ast.Module, tests: str | None, entry: str | None) -> list[tuple[int, int]]:
    """Line spans of the program's top-level functions and classes the tests themselves call, other than
    the one under test. Those are the test's oracle (HumanEval's `poly` checks `find_zero`'s answer,
    `encode_cyclic` checks `decode_cyclic`): editing them makes the tests pass without fixing anything."""
    if not tests:
        return []
    try:
        test_tree = ast.parse(tests)
    except SyntaxError:
        return []
    entry = entry or _entry_from_tests(tests)
    if not entry:
        return []
    used = {n.id for n in ast.walk(test_tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    spans: list[tuple[int, int]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name != entry and node.name in used:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans.append((first, node.end_lineno or node.lineno))
    return spans


def _shifted(text: str, delta: int) -> str:
    """`text` plus `delta`, written as a person would: `n - 1` moved up by one is `n`, not `n - 1 + 1`."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
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
        base = ast.get_source_segment(text.strip(), node.left)
        if base is not None:
            total = (node.right.value if isinstance(node.op, ast.Add) else -node.right.value) + delta
            if total == 0:
                return base
            return f"{base} + {total}" if total > 0 else f"{base} - {-total}"
    return f"{text} + {delta}" if delta > 0 else f"{text} - {-delta}"

class _Timeout(BaseException):
    """BaseException so that a user's `except Exception:` cannot swallow the time limit."""


class _Sink(io.TextIOBase):
    def write(self, s: str) -> int:  # noqa: D401 - discard user output while screening
        return len(s)

    def writable(self) -> bool:
        return True


def _short(value: Any, limit: int = VALUE_CHARS) -> str:
    try:
        text = repr(value)
    except Exception:  # a user __repr__ may raise anything (but never swallow our time limit)
        text = "<unrepresentable>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _type_of(value: Any) -> str:
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
    return "other"


# ---------------------------------------------------------------------------------------------------
# Running code with limits


class Limiter:
    """Wall-clock limit per call: SIGALRM where it exists (CPython main thread), else a step counter."""

    def __init__(self) -> None:
        self.use_alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        self._old_handler: Any = None
        self._deadline = 0.0
        self._steps = 0

    def __enter__(self) -> "Limiter":
        if self.use_alarm:
            def on_alarm(_signum: int, _frame: Any) -> None:
                raise _Timeout()

            try:
                self._old_handler = signal.signal(signal.SIGALRM, on_alarm)
            except (ValueError, OSError):
                self.use_alarm = False
        return self

    def __exit__(self, *_exc: Any) -> None:
        if self.use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old_handler or signal.SIG_DFL)

    def call(self, fn: Callable[[], Any], seconds: float, tracer: Any = None) -> Any:
        """Run fn under the limit; `tracer` (a sys.settrace function) is chained when given."""
        if self.use_alarm:
            if tracer is not None:
                sys.settrace(tracer)
            # the interval re-fires the alarm if user code swallowed the first one (a bare `except:`)
            signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001), 0.05)
            try:
                return fn()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                if tracer is not None:
                    sys.settrace(None)
        self._deadline = time.monotonic() + seconds
        self._steps = 0

        def counting(frame: Any, event: str, arg: Any) -> Any:
            inner = tracer(frame, event, arg) if tracer is not None else None

            def local(frame2: Any, event2: str, arg2: Any) -> Any:
                self._steps += 1
                if self._steps % 256 == 0 and time.monotonic() > self._deadline:
                    raise _Timeout()
                if inner is not None:
                    inner(frame2, event2, arg2)
                return local

            return local

        sys.settrace(counting)
        try:
            return fn()
        finally:
            sys.settrace(None)


class Quiet:
    """User output is not ours to print while screening; stdin is empty."""

    def __enter__(self) -> None:
        self._saved = (sys.stdout, sys.stderr, sys.stdin)
        sys.stdout = _Sink()
        sys.stderr = _Sink()
        sys.stdin = io.StringIO("")

    def __exit__(self, *_exc: Any) -> None:
        sys.stdout, sys.stderr, sys.stdin = self._saved


# ---------------------------------------------------------------------------------------------------
# Tests -> atomic checks


class Check:
    def __init__(self, cid: str, name: str, line: int | None, kind: str, code: Any, compare: Any = None, want: str | None = None):
        self.id = cid
        self.name = name
        self.line = line
        self.kind = kind
        self.code = code
        # (lhs_code, rhs_code, op_callable) for `assert lhs <op> rhs`: lets a failure report both sides
        self.compare = compare
        self.want = want


_CMP = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _compile_stmt(stmt: ast.stmt) -> Any:
    module = ast.Module(body=[stmt], type_ignores=[])
    return compile(module, TEST_FILE, "exec")


def _compare_parts(stmt: ast.stmt) -> Any:
    if not isinstance(stmt, ast.Assert):
        return None
    test = stmt.test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _CMP:
        left: ast.expr = test.left
        right = test.comparators[0]
        # `assert abs(f(x) - y) < eps` reads as "f(x) should be y"
        if (
            isinstance(left, ast.Call)
            and isinstance(left.func, ast.Name)
            and left.func.id == "abs"
            and len(left.args) == 1
            and isinstance(left.args[0], ast.BinOp)
            and isinstance(left.args[0].op, ast.Sub)
            and isinstance(test.ops[0], (ast.Lt, ast.LtE))
        ):
            inner = left.args[0]
            return (
                compile(ast.Expression(inner.left), TEST_FILE, "eval"),
                compile(ast.Expression(inner.right), TEST_FILE, "eval"),
                None,
                compile(ast.Expression(test), TEST_FILE, "eval"),
            )
        return (
            compile(ast.Expression(left), TEST_FILE, "eval"),
            compile(ast.Expression(right), TEST_FILE, "eval"),
            _CMP[type(test.ops[0])],
            None,
        )
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return (compile(ast.Expression(test.operand), TEST_FILE, "eval"), None, lambda a, _b: not a, None)
    return (compile(ast.Expression(test), TEST_FILE, "eval"), None, lambda a, _b: bool(a), None)


def _contains_assert(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Assert) for n in ast.walk(node))


def split_tests(tests: str | None, entry: str | None, program_tree: ast.Module | None) -> tuple[list[Any], list[Check], dict[str, str]]:
    """-> (prelude codes, checks, aliases {name bound to the function under test: entry point})."""
    prelude: list[Any] = []
    checks: list[Check] = []
    aliases: dict[str, str] = {}
    if tests is None or not tests.strip():
        if program_tree is None:
            return prelude, checks, aliases
        parser = doctest.DocTestParser()
        for node in ast.walk(program_tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
                doc = ast.get_docstring(node, clean=True)
                if not doc:
                    continue
                for example in parser.get_examples(doc):
                    try:
                        code = compile(example.source, TEST_FILE, "single")
                    except SyntaxError:
                        continue
                    src = example.source.strip()
                    checks.append(Check(f"doctest-{len(checks) + 1}", ">>> " + src.splitlines()[0], None, "doctest", code, want=example.want))
        return prelude, checks, aliases

    tree = ast.parse(tests)
    has_unittest = any(isinstance(n, ast.ClassDef) for n in tree.body)
    if has_unittest:
        checks.append(Check("script", "tests", 1, "script", compile(tree, TEST_FILE, "exec")))
        return prelude, checks, aliases
    check_funcs: dict[str, ast.FunctionDef] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and _contains_assert(stmt) and stmt.args.args and not stmt.name.startswith("test"):
            check_funcs[stmt.name] = stmt
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name in check_funcs:
            param = stmt.args.args[0].arg
            if entry:
                aliases[param] = entry
            for inner in stmt.body:
                if _contains_assert(inner):
                    line = inner.lineno
                    name = ast.get_source_segment(tests, inner) or f"line {line}"
                    checks.append(Check(f"check-{len(checks) + 1}", name.strip().splitlines()[0], line, "check", _compile_stmt(inner), _compare_parts(inner)))
                elif isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Constant):
                    continue
                else:
                    prelude.append(_compile_stmt(inner))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in check_funcs:
            continue
        elif isinstance(stmt, ast.FunctionDef) and stmt.name.startswith("test"):
            call = ast.parse(f"{stmt.name}()").body[0]
            prelude.append(_compile_stmt(stmt))
            checks.append(Check(f"test-{len(checks) + 1}", stmt.name, stmt.lineno, "pytest", _compile_stmt(call)))
        elif isinstance(stmt, ast.Assert):
            name = ast.get_source_segment(tests, stmt) or f"line {stmt.lineno}"
            checks.append(Check(f"assert-{len(checks) + 1}", name.strip().splitlines()[0], stmt.lineno, "assert", _compile_stmt(stmt), _compare_parts(stmt)))
        elif _contains_assert(stmt):
            name = ast.get_source_segment(tests, stmt) or f"line {stmt.lineno}"
            checks.append(Check(f"assert-{len(checks) + 1}", name.strip().splitlines()[0], stmt.lineno, "assert", _compile_stmt(stmt)))
        else:
            prelude.append(_compile_stmt(stmt))
    if not checks and tests.strip():
        checks.append(Check("script", "tests", 1, "script", compile(tree, TEST_FILE, "exec")))
    return prelude, checks, aliases


# ---------------------------------------------------------------------------------------------------
# Executing a program against the checks


class Outcome:
    __slots__ = ("status", "expected", "actual", "error", "error_line")

    def __init__(self, status: str, expected: str | None = None, actual: str | None = None, error: str | None = None, error_line: int | None = None):
        self.status = status
        self.expected = expected
        self.actual = actual
        self.error = error
        self.error_line = error_line

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        for key in ("expected", "actual", "error"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.error_line is not None:
            out["errorLine"] = self.error_line
        return out


def _program_line(tb: Any) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == PROGRAM_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _raised_in_test(tb: Any) -> bool:
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last == TEST_FILE


class Harness:
    def __init__(self, prelude: list[Any], checks: list[Check], aliases: dict[str, str], limiter: Limiter, check_seconds: float):
        self.prelude = prelude
        self.checks = checks
        self.aliases = aliases
        self.limiter = limiter
        self.check_seconds = check_seconds

    def load(self, code: Any, tracer: Any = None) -> tuple[dict[str, Any] | None, Outcome | None]:
        ns: dict[str, Any] = {"__name__": "__tracefix_program__", "__builtins__": builtins}
        try:
            self.limiter.call(lambda: exec(code, ns), self.check_seconds, tracer)
            for pre in self.prelude:
                self.limiter.call(lambda pre=pre: exec(pre, ns), self.check_seconds)
            for alias, entry in self.aliases.items():
                if entry in ns:
                    ns[alias] = ns[entry]
        except _Timeout:
            return None, Outcome("timeout", error="program did not finish loading")
        except BaseException as exc:  # the user's program is data: anything it raises is an outcome
            return None, Outcome("error", error=f"{type(exc).__name__}: {_short(str(exc), 120)}", error_line=_program_line(exc.__traceback__))
        return ns, None

    def run(self, ns: dict[str, Any], check: Check, tracer: Any = None) -> Outcome:
        holder: dict[str, Any] = {}

        def body() -> None:
            if check.kind == "doctest":
                buf = io.StringIO()
                saved = sys.stdout
                sys.stdout = buf
                try:
                    exec(check.code, ns)
                finally:
                    sys.stdout = saved
                got = buf.getvalue()
                holder["got"] = got
                if check.want is not None and not doctest.OutputChecker().check_output(check.want, got, doctest.NORMALIZE_WHITESPACE):
                    holder["failed"] = True
                return
            if check.compare is not None:
                lhs, rhs, op, whole = check.compare
                left = eval(lhs, ns)
                holder["actual"] = left
                right = eval(rhs, ns) if rhs is not None else None
                if rhs is not None:
                    holder["expected"] = right
                ok = eval(whole, ns) if whole is not None else op(left, right)
                if not ok:
                    holder["failed"] = True
                return
            exec(check.code, ns)

        try:
            self.limiter.call(body, self.check_seconds, tracer)
            if not holder.get("failed"):
                return Outcome("passed")
            expected = actual = None
            if check.kind == "doctest":
                expected = (check.want or "").strip()
                actual = holder.get("got", "").strip()
            else:
                if "expected" in holder:
                    expected = _short(holder["expected"])
                if "actual" in holder:
                    actual = _short(holder["actual"])
            return Outcome("failed", expected=expected, actual=actual)
        except _Timeout:
            return Outcome("timeout", error="time limit")
        except AssertionError as exc:
            if _raised_in_test(exc.__traceback__):
                expected = actual = None
                if check.kind == "doctest":
                    expected = (check.want or "").strip()
                    actual = holder.get("got", "").strip()
                else:
                    if "expected" in holder:
                        expected = _short(holder["expected"])
                    if "actual" in holder:
                        actual = _short(holder["actual"])
                return Outcome("failed", expected=expected, actual=actual)
            return Outcome("error", error=f"AssertionError: {_short(str(exc), 120)}", error_line=_program_line(exc.__traceback__))
        except RecursionError:
            return Outcome("error", error="RecursionError: maximum recursion depth exceeded", error_line=None)
        except BaseException as exc:
            return Outcome("error", error=f"{type(exc).__name__}: {_short(str(exc), 120)}", error_line=_program_line(exc.__traceback__))


# ---------------------------------------------------------------------------------------------------
# Evidence: coverage, values, inputs


class Recorder:
    """settrace function recording program lines executed, the values variables take, and calls."""

    def __init__(self, keep_values: bool):
        self.lines: set[int] = set()
        self.order: dict[int, int] = {}  # line -> last step it ran
        self.values: dict[int, list[tuple[int, dict[str, str]]]] = {}
        self.types: dict[str, set[str]] = {}
        self.returns: dict[int, str] = {}  # line -> repr of the value returned there (last)
        self.return_types: dict[str, set[str]] = {}
        self.first_call: tuple[str, dict[str, str]] | None = None
        self.keep_values = keep_values
        self.step = 0

    def __call__(self, frame: Any, event: str, arg: Any) -> Any:
        if event != "call" or frame.f_code.co_filename != PROGRAM_FILE:
            return None
        if self.first_call is None:
            self.first_call = (frame.f_code.co_name, {k: _short(v) for k, v in frame.f_locals.items()})
        state: dict[str, Any] = {"line": None, "locals": {}}

        def snapshot() -> dict[str, str]:
            out = {}
            for k, v in frame.f_locals.items():
                self.types.setdefault(k, set()).add(_type_of(v))
                if self.keep_values:
                    out[k] = _short(v)
            return out

        state["locals"] = snapshot() if self.keep_values else {}

        def local(fr: Any, ev: str, a: Any) -> Any:
            self.step += 1
            prev = state["line"]
            if ev in ("line", "return"):
                now = snapshot()
                if prev is not None and self.keep_values:
                    changed = {k: v for k, v in now.items() if state["locals"].get(k) != v}
                    if changed:
                        lst = self.values.setdefault(prev, [])
                        if len(lst) < 3:
                            lst.append((self.step, changed))
                        elif len(lst) < 6:
                            lst[-1:] = [lst[-1], (self.step, changed)] if len(lst) < 4 else [(self.step, changed)]
                state["locals"] = now
            if ev == "line":
                self.lines.add(fr.f_lineno)
                self.order[fr.f_lineno] = self.step
                state["line"] = fr.f_lineno
            elif ev == "return":
                self.returns[fr.f_lineno] = _short(a)
                self.return_types.setdefault(fr.f_code.co_name, set()).add(_type_of(a))
            return local

        return local


# ---------------------------------------------------------------------------------------------------
# Source spans and edits


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
        if not line.isascii():
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

    def indent_of(self, lineno: int) -> str:
        line = self.lines[lineno - 1]
        return line[: len(line) - len(line.lstrip())]


class Edit:
    __slots__ = ("spans", "line", "kind", "desc", "tier")

    def __init__(self, spans: list[tuple[int, int, str]], line: int, kind: str, desc: str, tier: int):
        self.spans = sorted(spans)
        self.line = line
        self.kind = kind
        self.desc = desc
        self.tier = tier

    def overlaps(self, other: "Edit") -> bool:
        for s1, e1, _ in self.spans:
            for s2, e2, _ in other.spans:
                if s1 < e2 and s2 < e1:
                    return True
                if s1 == s2 == e1 == e2:
                    return True
        return False


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    spans = sorted((s for e in edits for s in e.spans), key=lambda x: (x[0], x[1]), reverse=True)
    for s, e, new in spans:
        text = text[:s] + new + text[e:]
    return text


BIN_SYM = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
    ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
}
ARITH = ["+", "-", "*", "/", "//", "%", "**"]
BIN_ALT = {
    "+": ["-", "*"], "-": ["+", "*"], "*": ["/", "//", "+", "**", "-"], "/": ["//", "*", "%"], "//": ["/", "%", "*"],
    "%": ["//", "/", "*"], "**": ["*", "//"], "<<": [">>"], ">>": ["<<"], "|": ["&", "^"], "&": ["|", "^"], "^": ["|", "&"],
}
CMP_SYM = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Is: "is", ast.IsNot: "is not",
    ast.In: "in", ast.NotIn: "not in",
}
CMP_ALT = {
    "==": ["!=", "<=", ">=", "<", ">", "is"], "!=": ["==", "<", ">", "is not"], "<": ["<=", ">", ">=", "!=", "=="],
    "<=": ["<", ">=", ">", "=="], ">": [">=", "<", "<=", "!=", "=="], ">=": [">", "<=", "<", "=="],
    "is": ["is not", "=="], "is not": ["is", "!="], "in": ["not in"], "not in": ["in"],
}
CMP_RE = re.compile(r"==|!=|<=|>=|<|>|\bis\s+not\b|\bnot\s+in\b|\bis\b|\bin\b")
FUNC_SIBLINGS = {
    "min": ["max"], "max": ["min"], "any": ["all"], "all": ["any"], "int": ["round", "float"], "round": ["int"],
    "float": ["int"], "sorted": ["reversed", "set"], "reversed": ["sorted"], "list": ["set", "sorted"], "set": ["list", "sorted"],
    "sum": ["len", "max"], "len": ["sum"], "ord": ["chr"], "chr": ["ord"], "str": ["repr"], "filter": ["map"], "map": ["filter"],
}
METHOD_SIBLINGS = {
    "append": ["extend"], "extend": ["append"], "remove": ["pop"], "pop": ["remove"], "upper": ["lower", "swapcase"], "lower": ["upper", "swapcase"],
    "isupper": ["islower"], "islower": ["isupper"], "startswith": ["endswith"], "endswith": ["startswith"], "find": ["rfind", "index"],
    "rfind": ["find"], "index": ["rindex", "find"], "rindex": ["index"], "lstrip": ["rstrip", "strip"], "rstrip": ["lstrip", "strip"],
    "strip": ["lstrip", "rstrip"], "split": ["rsplit"], "keys": ["values", "items"], "values": ["keys", "items"], "items": ["keys", "values"],
    "isdigit": ["isalpha", "isnumeric"], "isalpha": ["isdigit", "isalnum"], "isalnum": ["isalpha"], "floor": ["ceil"], "ceil": ["floor"],
    "title": ["capitalize", "upper"], "capitalize": ["title", "upper"], "swapcase": ["upper", "lower"], "add": ["discard"],
    "insert": ["append"], "count": ["index"], "popleft": ["pop"], "sort": ["reverse"], "reverse": ["sort"], "get": ["pop"],
}
LOOSE_PARENT = (ast.Call, ast.keyword, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Return, ast.Assign, ast.AugAssign,
                ast.AnnAssign, ast.Expr, ast.If, ast.While, ast.For, ast.comprehension, ast.Index if hasattr(ast, "Index") else ast.Slice,
                ast.Slice, ast.FormattedValue, ast.Assert)
TIGHT_NODES = (ast.BinOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.UnaryOp, ast.Lambda, ast.NamedExpr, ast.Tuple)


class Generator:
    """Builds single edits for one program, in the editable region only."""

    def __init__(
        self,
        src: Source,
        tree: ast.Module,
        editable: tuple[int, int],
        rec: Recorder | None,
        evidence: dict[str, Any],
        frozen: list[tuple[int, int]] | None = None,
    ):
        self.src = src
        # Character ranges no edit may touch (the tests' oracle functions).
        self.frozen = [(src.offset(lo, 0), src.starts[min(hi, len(src.lines))]) for lo, hi in (frozen or [])]
        self.tree = tree
        self.lo = src.offset(editable[0], 0) if editable[0] - 1 < len(src.lines) else len(src.text)
        self.hi = src.starts[min(editable[1], len(src.lines))]
        self.editable = editable
        self.rec = rec
        self.evidence = evidence
        self.parent: dict[ast.AST, ast.AST] = {}
        self.func_of: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self.scopes: dict[ast.AST, list[str]] = {}
        self.str_consts: list[str] = []
        self.module_funcs = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                names: list[str] = []
                args = fn.args
                for a in args.posonlyargs + args.args + args.kwonlyargs:
                    names.append(a.arg)
                for node in ast.walk(fn):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
                        names.append(node.id)
                self.scopes[fn] = names
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) <= 20 and node.value not in self.str_consts:
                if not (isinstance(self.parent.get(node), ast.Expr)):  # docstrings are not values
                    self.str_consts.append(node.value)
        self.edits: list[Edit] = []

    # -- helpers
    def ok(self, s: int, e: int) -> bool:
        return self.lo <= s and e <= self.hi and not any(s < fe and fs < e or fs <= s < fe for fs, fe in self.frozen)

    def add(self, spans: list[tuple[int, int, str]], line: int, kind: str, desc: str, tier: int) -> None:
        if all(self.ok(s, e) for s, e, _ in spans):
            self.edits.append(Edit(spans, line, kind, desc, tier))

    def enclosing_func(self, node: ast.AST) -> ast.AST | None:
        cur = self.parent.get(node)
        while cur is not None and not isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cur = self.parent.get(cur)
        return cur

    def scope_names(self, node: ast.AST) -> list[str]:
        fn = self.enclosing_func(node)
        names = list(self.scopes.get(fn, [])) if fn is not None else []
        # comprehension variables are in scope inside their comprehension
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
        if self.rec is None:
            return set()
        return self.rec.types.get(name, set())

    def expr_type(self, node: ast.expr) -> set[str]:
        if isinstance(node, ast.Name):
            return self.type_of_name(node.id)
        if isinstance(node, ast.Constant):
            return {_type_of(node.value)}
        if isinstance(node, (ast.List, ast.ListComp, ast.Tuple)):
            return {"seq"}
        if isinstance(node, (ast.Set, ast.SetComp)):
            return {"set"}
        if isinstance(node, ast.JoinedStr):
            return {"str"}
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                if f.id in ("len", "int", "sum", "ord", "round", "abs", "min", "max") and f.id not in ("min", "max"):
                    return {"int"}
                if f.id in ("sorted", "list", "tuple"):
                    return {"seq"}
                if f.id in ("str", "chr"):
                    return {"str"}
                if f.id == "set":
                    return {"set"}
                if self.rec is not None and f.id in self.rec.return_types:
                    return set(self.rec.return_types[f.id])
            if isinstance(f, ast.Attribute):
                if f.attr in ("lower", "upper", "strip", "lstrip", "rstrip", "replace", "join", "swapcase", "capitalize", "title"):
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
            if lt & {"int", "float"} or rt & {"int", "float"} or isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)):
                return {"int"} if not ({"float"} & (lt | rt)) and not isinstance(node.op, ast.Div) else {"float"}
        if isinstance(node, ast.Subscript):
            vt = self.expr_type(node.value)
            if "str" in vt:
                return {"str"}
            if isinstance(node.slice, ast.Slice):
                return vt
        if isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
            return {"bool"}
        return set()

    def replace(self, node: ast.AST, text: str, kind: str, desc: str, tier: int, new_tight: bool = True) -> None:
        s, e = self.src.span(node)
        parent = self.parent.get(node)
        if new_tight and parent is not None and not isinstance(parent, LOOSE_PARENT) and not isinstance(parent, ast.stmt):
            text = f"({text})"
        self.add([(s, e, text)], node.lineno, kind, desc, tier)  # type: ignore[attr-defined]

    # -- operators
    def generate(self) -> list[Edit]:
        for node in ast.walk(self.tree):
            if not hasattr(node, "lineno"):
                continue
            line = node.lineno  # type: ignore[attr-defined]
            end_line = getattr(node, "end_lineno", line) or line
            if end_line < self.editable[0] or line > self.editable[1]:
                continue
            try:
                self.visit(node)
            except (ValueError, IndexError, KeyError):
                continue
        return self.edits

    def visit(self, node: ast.AST) -> None:
        src = self.src
        if isinstance(node, ast.BinOp):
            self.binop(node)
        elif isinstance(node, ast.AugAssign):
            ts, te = src.span(node.target)
            vs, _ = src.span(node.value)
            gap = src.text[te:vs]
            sym = BIN_SYM.get(type(node.op))
            if sym and gap.strip() == sym + "=":
                for alt in BIN_ALT.get(sym, []):
                    self.add([(te, vs, gap.replace(sym + "=", alt + "="))], node.lineno, "operator", f"`{sym}=` -> `{alt}=`", 0)
                if sym in ARITH:
                    for alt in ARITH:
                        if alt != sym and alt not in BIN_ALT.get(sym, []):
                            self.add([(te, vs, gap.replace(sym + "=", alt + "="))], node.lineno, "operator", f"`{sym}=` -> `{alt}=`", 1)
                self.add([(te, vs, " = ")], node.lineno, "operator", f"`{sym}=` -> `=`", 1)
                self.add([(te, vs, " = " + src.seg(node.target) + " " + sym + " ")], node.lineno, "operator", "expand", 3)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            # `x = e` -> `x += e`: an accumulation the author forgot
            ts, te = src.span(node.targets[0])
            vs, _ = src.span(node.value)
            if src.text[te:vs].strip() == "=" and isinstance(node.targets[0], (ast.Name, ast.Subscript)):
                for sym in ("+", "-", "*"):
                    self.add([(te, vs, f" {sym}= ")], node.lineno, "operator", f"`=` -> `{sym}=`", 2)
        elif isinstance(node, ast.Compare):
            self.compare(node)
        elif isinstance(node, ast.BoolOp):
            self.boolop(node)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                self.replace(node, src.seg(node.operand), "negation", "drop `not`", 0)
            elif isinstance(node.op, ast.USub) and not isinstance(node.operand, ast.Constant):
                self.replace(node, src.seg(node.operand), "operator", "drop unary minus", 1)
        elif isinstance(node, ast.Constant):
            self.constant(node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self.name(node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            for other in self.scope_names(node):
                if other != node.id and not other.startswith("_"):
                    self.add([(*src.span(node), other)], node.lineno, "variable", f"assign `{other}` instead of `{node.id}`", 2)
        elif isinstance(node, ast.Subscript):
            self.subscript(node)
        elif isinstance(node, (ast.Tuple, ast.List)) and isinstance(node.ctx, ast.Load) and 2 <= len(node.elts) <= 4:
            # elements in the wrong order (`(j, i)` -> `(i, j)`)
            for a, b in zip(node.elts, node.elts[1:]):
                sa, ea = src.span(a)
                sb, eb = src.span(b)
                self.add([(sa, ea, src.seg(b)), (sb, eb, src.seg(a))], node.lineno, "swap", f"swap `{src.seg(a)}` and `{src.seg(b)}`", 1)
        elif isinstance(node, ast.Call):
            self.call(node)
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            self.negate(node.test)
        elif isinstance(node, ast.comprehension):
            for cond in node.ifs:
                self.negate(cond)
                # drop a filter of a comprehension (excess logic)
                s, e = src.span(cond)
                prev_end = src.span(node.iter)[1] if cond is node.ifs[0] else src.span(node.ifs[node.ifs.index(cond) - 1])[1]
                self.add([(prev_end, e, "")], cond.lineno, "delete", "drop the comprehension's condition", 2)
        if isinstance(node, ast.Return) and node.value is not None:
            self.return_value(node)
        if isinstance(node, ast.stmt):
            self.statement(node)
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Constant,)):
            self.wrappers(node)

    def binop(self, node: ast.BinOp) -> None:
        src = self.src
        _, le = src.span(node.left)
        rs, _ = src.span(node.right)
        gap = src.text[le:rs]
        sym = BIN_SYM.get(type(node.op))
        if sym is None:
            return
        idx = gap.find(sym)
        if idx < 0:
            return
        line = node.lineno
        primary = BIN_ALT.get(sym, [])
        for alt in primary:
            self.add([(le + idx, le + idx + len(sym), alt)], line, "operator", f"`{sym}` -> `{alt}`", 0)
        if sym in ARITH:
            for alt in ARITH:
                if alt != sym and alt not in primary:
                    self.add([(le + idx, le + idx + len(sym), alt)], line, "operator", f"`{sym}` -> `{alt}`", 1)
        # drop the last two terms of a chain (`a * b * c * d` -> `a * b`)
        if isinstance(node.left, ast.BinOp) and type(node.left.op) is type(node.op):
            self.replace(node, src.seg(node.left.left), "delete", "drop the last two terms", 2, isinstance(node.left.left, TIGHT_NODES))
        # off by one on an operand that is itself a computation (`x / (m - n)` -> `x / (m - n + 1)`)
        for operand in (node.left, node.right):
            if isinstance(operand, ast.BinOp) and isinstance(operand.op, (ast.Add, ast.Sub)):
                t = src.seg(operand)
                for delta in (1, -1):
                    new = _shifted(t, delta)
                    self.replace(operand, new, "bound", f"`{t}` -> `{new}`", 2)
        # drop one operand (excess logic): `a + b` -> `a`, -> `b`
        self.replace(node, src.seg(node.left), "delete", f"drop `{sym} {src.seg(node.right)}`", 2, isinstance(node.left, TIGHT_NODES))
        self.replace(node, src.seg(node.right), "delete", f"drop `{src.seg(node.left)} {sym}`", 2, isinstance(node.right, TIGHT_NODES))
        if isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)):
            left, right = src.seg(node.left), src.seg(node.right)
            if isinstance(node.left, TIGHT_NODES):
                left = f"({left})"
            if isinstance(node.right, TIGHT_NODES):
                right = f"({right})"
            self.replace(node, f"{right} {sym} {left}", "swap", "swap operands", 1)

    def compare(self, node: ast.Compare) -> None:
        src = self.src
        prev = node.left
        for op, comp in zip(node.ops, node.comparators):
            _, pe = src.span(prev)
            cs, _ = src.span(comp)
            gap = src.text[pe:cs]
            sym = CMP_SYM[type(op)]
            m = CMP_RE.search(gap)
            if m:
                for alt in CMP_ALT.get(sym, []):
                    self.add([(pe + m.start(), pe + m.end(), alt)], node.lineno, "comparison", f"`{sym}` -> `{alt}`", 0)
            prev = comp
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            # compare both sides the same other way (`a == b` -> `set(a) == set(b)`)
            left, right = src.seg(node.left), src.seg(node.comparators[0])
            sym = CMP_SYM[type(node.ops[0])]
            for f in ("set", "sorted", "len"):
                self.replace(node, f"{f}({left}) {sym} {f}({right})", "wrap", f"compare `{f}()` of both sides", 2)
            if "str" in self.expr_type(node.left) or "str" in self.expr_type(node.comparators[0]):
                lw = f"({left})" if isinstance(node.left, TIGHT_NODES) else left
                rw = f"({right})" if isinstance(node.comparators[0], TIGHT_NODES) else right
                self.replace(node, f"{lw}.lower() {sym} {rw}.lower()", "wrap", "compare both sides ignoring case", 2)
        if len(node.ops) == 1:
            left, right = src.seg(node.left), src.seg(node.comparators[0])
            sym = CMP_SYM[type(node.ops[0])]
            if sym in ("in", "not in"):
                return
            self.replace(node, f"{right} {sym} {left}", "swap", "swap the comparison's operands", 2)

    def boolop(self, node: ast.BoolOp) -> None:
        src = self.src
        word = "and" if isinstance(node.op, ast.And) else "or"
        other = "or" if word == "and" else "and"
        for i in range(1, len(node.values)):
            _, pe = src.span(node.values[i - 1])
            cs, _ = src.span(node.values[i])
            gap = src.text[pe:cs]
            m = re.search(rf"\b{word}\b", gap)
            if m:
                self.add([(pe + m.start(), pe + m.end(), other)], node.lineno, "boolean", f"`{word}` -> `{other}`", 0)
        for i, value in enumerate(node.values):
            if i == 0:
                s, _ = src.span(value)
                e, _ = src.span(node.values[1])
            else:
                _, s = src.span(node.values[i - 1])
                _, e = src.span(value)
            self.add([(s, e, "")], node.lineno, "delete", f"drop the condition `{src.seg(value)}`", 1)

    def negate(self, test: ast.expr) -> None:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return
        text = self.src.seg(test)
        if isinstance(test, (ast.Name, ast.Call, ast.Attribute, ast.Subscript)):
            self.replace(test, f"not {text}", "negation", "negate the condition", 0)
        else:
            self.replace(test, f"not ({text})", "negation", "negate the condition", 0)

    def constant(self, node: ast.Constant) -> None:
        v = node.value
        parent = self.parent.get(node)
        if isinstance(parent, ast.Expr):
            return  # docstring
        line = node.lineno
        s, e = self.src.span(node)
        old = self.src.text[s:e]
        alts: list[tuple[str, int]] = []
        if isinstance(v, bool):
            alts = [(str(not v), 0)]
        elif isinstance(v, int):
            alts = [(str(v + 1), 0), (str(v - 1), 0)]
            if abs(v) < 1000:
                alts += [(str(v + 2), 2), (str(v - 2), 2)]
            if v not in (0, 1):
                alts += [("0", 1), ("1", 1)]
            if v > 1:
                alts += [(str(v * 2), 2), (str(v // 2), 2)]
        elif isinstance(v, float):
            alts = [(repr(v + 1), 1), (repr(v - 1), 1), (repr(v * 2), 1), (repr(v / 2), 1), ("0.0", 2), ("1.0", 2)]
            if v != 0:
                alts.append((repr(1 / v), 1))
        elif isinstance(v, str) and len(v) <= 40:
            q = old[0] if old[:1] in ("'", '"') else "'"
            outs = []
            for other in self.str_consts:
                if other != v:
                    outs.append((other, 1))
            outs += [("", 1), (" ", 2), (v.upper(), 1), (v.lower(), 1), (v.capitalize(), 1), (v[::-1], 2), (v.strip(), 1)]
            if v.isalpha() and len(v) > 1:
                outs += [(v + v.upper(), 2), (v + v.lower(), 2)]
            if len(v) > 1:
                outs += [(v[:-1], 1), (v[1:], 1)]
                for i in range(len(v)):
                    outs.append((v[:i] + v[i + 1 :], 2))
            seen = set()
            for text, tier in outs:
                if text == v or text in seen:
                    continue
                seen.add(text)
                lit = repr(text)
                if q == '"' and '"' not in text and "\\" not in lit:
                    lit = '"' + lit[1:-1] + '"'
                alts.append((lit, tier))
        for text, tier in alts:
            if text != old:
                self.add([(s, e, text)], line, "constant", f"`{old}` -> `{text}`", tier)

    def name(self, node: ast.Name) -> None:
        parent = self.parent.get(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            sib = FUNC_SIBLINGS.get(node.id)
            if sib:
                for alt in sib:
                    self.add([(*self.src.span(node), alt)], node.lineno, "builtin", f"`{node.id}` -> `{alt}`", 1)
            return
        names = self.scope_names(node)
        if node.id not in names:
            return
        mytypes = self.type_of_name(node.id)
        for other in names:
            if other == node.id:
                continue
            ot = self.type_of_name(other)
            if mytypes and ot and not (mytypes & ot):
                continue
            if not ot and self.rec is not None and self.rec.types:
                # never seen alive in the failing run: probably out of reach here
                continue
            self.add([(*self.src.span(node), other)], node.lineno, "variable", f"`{node.id}` -> `{other}`", 1)
        # a count that should have been a length (`/ mean` -> `/ len(numbers)`)
        if mytypes & {"int", "float"}:
            for other in names:
                if other != node.id and self.type_of_name(other) & {"seq", "str", "set", "dict"}:
                    self.add([(*self.src.span(node), f"len({other})")], node.lineno, "variable", f"`{node.id}` -> `len({other})`", 2)
        # a variable where a literal of the function was meant (`ord(ch)` -> `ord("a")`)
        if mytypes == {"str"}:
            for lit in self.str_consts:
                if 0 < len(lit) <= 3:
                    self.add([(*self.src.span(node), repr(lit))], node.lineno, "variable", f"`{node.id}` -> `{lit!r}`", 3)

    def subscript(self, node: ast.Subscript) -> None:
        src = self.src
        sl = node.slice
        line = node.lineno
        if isinstance(sl, ast.Slice):
            for part, label in ((sl.lower, "start"), (sl.upper, "end")):
                if part is None:
                    continue
                txt = src.seg(part)
                if not isinstance(part, ast.Constant):
                    for delta in (1, -1):
                        new = _shifted(txt, delta)
                        self.replace(part, new, "bound", f"slice {label} `{txt}` -> `{new}`", 1)
                s, e = src.span(part)
                # drop the bound
                self.add([(s, e, "")], line, "bound", f"drop the slice {label}", 2)
            if sl.step is not None:
                s, _ = src.span(sl.step)
                _, e = src.span(sl.step)
                colon = src.text.rfind(":", 0, s)
                if colon >= 0:
                    self.add([(colon, e, "")], line, "bound", "drop the slice step", 2)
            self.replace(node, src.seg(node.value), "delete", "drop the slice", 2, isinstance(node.value, TIGHT_NODES))
        else:
            txt = src.seg(sl)
            if not isinstance(sl, ast.Constant) and not (isinstance(sl, ast.UnaryOp) and isinstance(sl.operand, ast.Constant)):
                for delta in (1, -1):
                    new = _shifted(txt, delta)
                    self.replace(sl, new, "index", f"index `{txt}` -> `{new}`", 1)
                if "seq" in self.expr_type(node.value) or "str" in self.expr_type(node.value):
                    self.replace(sl, f"-{txt} - 1" if isinstance(sl, ast.Name) else f"-({txt}) - 1", "index", "index from the end", 2)

    def call(self, node: ast.Call) -> None:
        src = self.src
        line = node.lineno
        f = node.func
        if isinstance(f, ast.Attribute):
            for alt in METHOD_SIBLINGS.get(f.attr, []):
                _, ve = src.span(f.value)
                _, fe = src.span(f)
                self.add([(ve, fe, "." + alt)], line, "builtin", f"`.{f.attr}` -> `.{alt}`", 1)
            if f.attr == "sort" and not node.args:
                # `x.sort()` returns None: the sorted copy was meant
                kws = "".join(", " + src.seg(k) for k in node.keywords)
                self.replace(node, f"sorted({src.seg(f.value)}{kws})", "builtin", "`.sort()` -> `sorted()`", 1)
            # unwrap a method call: `x.strip()` -> `x`
            if not node.args and not node.keywords:
                self.replace(node, src.seg(f.value), "delete", f"drop `.{f.attr}()`", 2, isinstance(f.value, TIGHT_NODES))
        if isinstance(f, (ast.Name, ast.Attribute)):
            fname = f.id if isinstance(f, ast.Name) else f.attr
            if fname in ("sorted", "sort"):
                has_rev = [k for k in node.keywords if k.arg == "reverse"]
                if has_rev:
                    k = has_rev[0]
                    s, e = src.span(k)
                    # drop `, reverse=...`
                    prev_end = src.span(node.args[-1])[1] if node.args else None
                    if prev_end is not None and prev_end < s:
                        self.add([(prev_end, e, "")], line, "keyword", "drop `reverse=`", 1)
                else:
                    _, e = src.span(node)
                    close = src.text.rfind(")", 0, e)
                    sep = ", " if (node.args or node.keywords) else ""
                    self.add([(close, close, f"{sep}reverse=True")], line, "keyword", "add `reverse=True`", 1)
            if isinstance(f, ast.Name) and fname == "range":
                for arg in node.args:
                    if not isinstance(arg, ast.Constant):
                        t = src.seg(arg)
                        for delta in (1, -1):
                            new = _shifted(t, delta)
                            self.replace(arg, new, "bound", f"range bound `{t}` -> `{new}`", 0)
                if len(node.args) == 1:
                    s, _ = src.span(node.args[0])
                    for start in ("1", "2"):
                        self.add([(s, s, start + ", ")], line, "bound", f"start the range at {start}", 1)
                elif len(node.args) >= 2:
                    s, _ = src.span(node.args[0])
                    e, _ = src.span(node.args[1])
                    self.add([(s, e, "")], line, "bound", "start the range at 0", 1)
            # unwrap a one-argument call: `f(x)` -> `x`; apply a user function twice
            if len(node.args) == 1 and not node.keywords and fname not in ("range", "print"):
                self.replace(node, src.seg(node.args[0]), "delete", f"drop the call to `{fname}`", 2, isinstance(node.args[0], TIGHT_NODES))
                if isinstance(f, ast.Name) and fname in self.module_funcs:
                    a = node.args[0]
                    s, e = src.span(a)
                    self.add([(s, e, f"{fname}({src.seg(a)})")], line, "call", f"apply `{fname}` twice", 2)
        if len(node.args) >= 2:
            for i in range(len(node.args) - 1):
                a, b = node.args[i], node.args[i + 1]
                sa, ea = src.span(a)
                sb, eb = src.span(b)
                self.add([(sa, ea, src.seg(b)), (sb, eb, src.seg(a))], line, "swap", f"swap arguments `{src.seg(a)}` and `{src.seg(b)}`", 1)

    def return_value(self, node: ast.Return) -> None:
        value = node.value
        assert value is not None
        names = self.scope_names(node)
        for other in names:
            if isinstance(value, ast.Name) and value.id == other:
                continue
            if self.rec is not None and self.rec.types and other not in self.rec.types:
                continue
            self.replace(value, other, "return", f"return `{other}`", 2, False)

    def wrappers(self, node: ast.expr) -> None:
        parent = self.parent.get(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            return
        if isinstance(parent, ast.Attribute) or isinstance(node, (ast.Starred, ast.Slice)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            return
        if isinstance(node, (ast.Tuple, ast.List)) and isinstance(getattr(node, "ctx", None), ast.Store):
            return
        if isinstance(parent, ast.comprehension) and parent.target is node:
            return
        if isinstance(parent, (ast.For,)) and parent.target is node:
            return
        if isinstance(parent, ast.keyword):
            return
        types = self.expr_type(node)
        text = self.src.seg(node)
        tight = isinstance(node, TIGHT_NODES)
        inner = f"({text})" if tight else text
        important = isinstance(parent, (ast.Return, ast.Assign, ast.Call, ast.Compare, ast.For, ast.comprehension)) or isinstance(node, ast.Name)
        if not important:
            return
        outs: list[tuple[str, str, int]] = []
        if types & {"int", "float"} or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)):
            outs += [(f"abs({text})", "wrap in `abs()`", 2)]
            if isinstance(parent, (ast.Return, ast.Assign)):
                outs += [(f"{inner} // 2", "halve", 3), (f"{inner} / 2", "halve", 3), (f"{inner} * 2", "double", 3), (f"{inner} ** 2", "square", 3),
                         (f"{inner} + 1", "add one", 2), (f"{inner} - 1", "subtract one", 2), (f"-{inner}", "negate", 3)]
            if isinstance(parent, ast.Compare) and not isinstance(node, ast.Constant):
                outs += [(f"{inner} + 1", "add one", 2), (f"{inner} - 1", "subtract one", 2)]
        if "str" in types:
            for m in ("lower", "upper", "strip", "swapcase"):
                outs.append((f"{inner}.{m}()", f"apply `.{m}()`", 2))
            outs.append((f"{inner}[::-1]", "reverse the string", 3))
        if types & {"seq", "set"} or isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            outs += [(f"sorted({text})", "sort it", 2), (f"set({text})", "make it a set", 3), (f"sorted(set({text}))", "sort the distinct values", 3),
                     (f"len({text})", "take its length", 3), (f"list(reversed({text}))", "reverse it", 3)]
            outs.append((f"sorted({text}, key=len)", "sort it by length", 3))
            if types & {"seq"}:
                outs += [(f"{inner}[1:]", "drop the first element", 3), (f"{inner}[:-1]", "drop the last element", 3), (f"{inner}[::-1]", "reverse it", 3)]
                # only the first k, for an integer k in scope
                for k in self.scope_names(node):
                    if self.type_of_name(k) == {"int"} and k != text:
                        outs.append((f"{inner}[:{k}]", f"take the first `{k}`", 3))
        if types & {"bool"} and isinstance(parent, (ast.Return, ast.Assign)):
            outs.append((f"not {inner}", "negate it", 1))
        if isinstance(parent, ast.Return) and isinstance(node, ast.Call) is False and "int" in types and self.evidence.get("expected_type") == "str":
            outs.append((f"str({text})", "convert to str", 2))
        for new, desc, tier in outs:
            self.replace(node, new, "wrap", desc, tier, False)

    def statement(self, node: ast.stmt) -> None:
        src = self.src
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        parent = self.parent.get(node)
        body = None
        for field in ("body", "orelse", "finalbody"):
            seq = getattr(parent, field, None)
            if isinstance(seq, list) and node in seq:
                body = seq
        if body is None:
            return
        line_start = src.starts[node.lineno - 1]
        end = src.starts[min(node.end_lineno or node.lineno, len(src.lines))]
        indent = src.indent_of(node.lineno)
        same_line = src.text[line_start : src.offset(node.lineno, node.col_offset)].strip() != ""
        is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        if is_docstring or same_line:
            return
        # delete the statement (a `pass` keeps the block valid)
        if len(body) > 1:
            self.add([(line_start, end, "")], node.lineno, "delete", "delete the statement", 2)
        else:
            self.add([(line_start, end, indent + "pass\n")], node.lineno, "delete", "delete the statement", 2)
        # unwrap an `if`: keep the body, drop the condition (excess logic); or keep only the `else`
        if isinstance(node, ast.If) and node.body and not same_line:
            body_text = self._dedented(node.body, indent)
            if body_text is not None and not node.orelse:
                self.add([(line_start, end, body_text)], node.lineno, "delete", "drop the `if` and keep its body", 2)
            if node.orelse and not (len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If) and node.orelse[0].col_offset == node.col_offset + 0 and src.text[src.offset(node.orelse[0].lineno, 0):].lstrip().startswith("elif")):
                else_text = self._dedented(node.orelse, indent)
                if body_text is not None:
                    self.add([(line_start, end, body_text)], node.lineno, "delete", "drop the `else`", 2)
                if else_text is not None:
                    self.add([(line_start, end, else_text)], node.lineno, "delete", "keep only the `else`", 3)
            if not node.orelse and len(node.body) == 1 and isinstance(node.body[0], (ast.Assign, ast.AugAssign, ast.Expr)):
                # add an `else` doing the mirror of the body with another variable (missing branch)
                inner = node.body[0]
                ilo = src.starts[inner.lineno - 1]
                ihi = src.starts[min(inner.end_lineno or inner.lineno, len(src.lines))]
                inner_text = src.text[ilo:ihi]
                if src.text[ilo : src.offset(inner.lineno, inner.col_offset)].strip() == "":
                    targets = [n for n in ast.walk(inner) if isinstance(n, ast.Name)]
                    names = self.scope_names(node)
                    done = set()
                    for t in targets:
                        for other in names:
                            if other == t.id or (t.id, other) in done:
                                continue
                            done.add((t.id, other))
                            mirrored = re.sub(rf"\b{re.escape(t.id)}\b", other, inner_text)
                            if not mirrored.endswith("\n"):
                                mirrored += "\n"
                            self.add([(end, end, indent + "else:\n" + mirrored)], node.lineno, "insert", f"add an `else` that updates `{other}`", 3)
        # swap with the next statement (order bugs)
        idx = body.index(node)
        if idx + 1 < len(body):
            nxt = body[idx + 1]
            if not isinstance(nxt, (ast.FunctionDef, ast.ClassDef)) and (nxt.end_lineno or nxt.lineno) < len(src.lines) + 1:
                n_start = src.starts[nxt.lineno - 1]
                n_end = src.starts[min(nxt.end_lineno or nxt.lineno, len(src.lines))]
                if n_start == end and src.indent_of(nxt.lineno) == indent:
                    a = src.text[line_start:end]
                    b = src.text[n_start:n_end]
                    if not b.endswith("\n"):
                        b += "\n"
                        a = a.rstrip("\n")
                    self.add([(line_start, n_end, b + a)], node.lineno, "swap", "swap with the next statement", 3)

    def _dedented(self, stmts: list[ast.stmt], indent: str) -> str | None:
        src = self.src
        first, last = stmts[0], stmts[-1]
        lo = src.starts[first.lineno - 1]
        hi = src.starts[min(last.end_lineno or last.lineno, len(src.lines))]
        if src.text[lo : src.offset(first.lineno, first.col_offset)].strip():
            return None
        text = src.text[lo:hi]
        inner_indent = src.indent_of(first.lineno)
        out = []
        for ln in text.splitlines(keepends=True):
            if ln.startswith(inner_indent):
                out.append(indent + ln[len(inner_indent) :])
            elif not ln.strip():
                out.append(ln)
            else:
                return None
        result = "".join(out)
        return result if result.endswith("\n") else result + "\n"

    # -- insertions driven by the failing input
    def guards(self, failing_inputs: list[dict[str, Any]], expected_values: list[str]) -> None:
        """`if <degenerate input>: return <value>` at the top of the function the failing test called."""
        src = self.src
        for fn in ast.walk(self.tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            body = fn.body
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str) and len(body) > 1:
                first = body[1]
            if first.lineno < self.editable[0] or first.lineno > self.editable[1]:
                continue
            params = [a.arg for a in fn.args.args]
            conds: list[str] = []
            for inp in failing_inputs:
                if inp.get("func") != fn.name:
                    continue
                for p in params:
                    kind = inp["kinds"].get(p)
                    if kind is None:
                        continue
                    for c in kind:
                        cond = c.format(p=p)
                        if cond not in conds:
                            conds.append(cond)
            if not conds:
                continue
            values: list[str] = []
            for v in expected_values:
                if v not in values and len(v) <= 40:
                    values.append(v)
            for v in ("[]", "0", "''", "None", "False", "True", "-1", "1") + tuple(params):
                if v not in values:
                    values.append(v)
            indent = src.indent_of(first.lineno)
            at = src.starts[first.lineno - 1]
            literals = set(expected_values)
            for cond in conds:
                # The test's expected value is the answer for an empty or zero input; returning it for any
                # other input the failing test happened to use would be memorising that test.
                degenerate = cond.startswith("not ") or cond.endswith("== 0")
                for v in values:
                    if v in literals and not degenerate and v not in params:
                        continue
                    self.add([(at, at, f"{indent}if {cond}:\n{indent}    return {v}\n")], first.lineno, "guard", f"add the guard `if {cond}: return {v}`", 3)

    def transplants(self, lines: list[int]) -> None:
        """Insert a copy of a short statement of the same function next to a suspicious statement."""
        src = self.src
        simple: list[ast.stmt] = []
        targets: list[ast.stmt] = []
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr, ast.Break, ast.Continue, ast.Return)) and node.lineno == node.end_lineno:
                if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                    continue
                if self.editable[0] <= node.lineno <= self.editable[1]:
                    simple.append(node)
            if isinstance(node, ast.stmt) and node.lineno in lines and not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                targets.append(node)
        for target in targets:
            if src.text[src.starts[target.lineno - 1] : src.offset(target.lineno, target.col_offset)].strip():
                continue
            fn = self.enclosing_func(target)
            indent = src.indent_of(target.lineno)
            before = src.starts[target.lineno - 1]
            after = src.starts[min(target.end_lineno or target.lineno, len(src.lines))]
            for stmt in simple:
                if stmt is target or self.enclosing_func(stmt) is not fn:
                    continue
                text = src.seg(stmt)
                self.add([(before, before, indent + text + "\n")], target.lineno, "insert", f"insert `{text}` before line {target.lineno}", 3)
                if not isinstance(target, (ast.Return, ast.Break, ast.Continue)):
                    self.add([(after, after, indent + text + "\n")], target.lineno, "insert", f"insert `{text}` after line {target.lineno}", 3)


# ---------------------------------------------------------------------------------------------------
# The search


class Screener:
    """Scores candidate programs in a forked child where fork exists, so that a variant stuck inside C
    code (a huge `**`, a giant allocation), where no signal reaches Python, costs one candidate and a
    kill rather than the whole search. Without fork (Pyodide) it scores in process."""

    def __init__(self, score: Callable[[str], int], per_candidate: float):
        self.score = score
        self.per_candidate = per_candidate
        self.forking = hasattr(os, "fork") and sys.platform != "emscripten"

    def screen(self, texts: list[str]) -> Iterator[tuple[int, int]]:
        if not self.forking:
            for k, text in enumerate(texts):
                yield k, self.score(text)
            return
        i = 0
        while i < len(texts):
            import select  # only where fork exists (not in Pyodide)

            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # child: score from i on, one line per candidate, never return into the runner
                try:
                    os.close(r)
                    for k in range(i, len(texts)):
                        os.write(w, f"{k} {self.score(texts[k])}\n".encode())
                finally:
                    os._exit(0)
            os.close(w)
            expected = i
            buf = b""
            try:
                while True:
                    ready, _, _ = select.select([r], [], [], self.per_candidate)
                    if not ready:
                        yield expected, 0
                        i = expected + 1
                        break
                    chunk = os.read(r, 65536)
                    if not chunk:
                        if expected < len(texts):
                            yield expected, 0  # the child died on this one (memory, crash)
                        i = expected + 1
                        break
                    buf += chunk
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        k_text, p_text = line.split()
                        expected = int(k_text) + 1
                        yield int(k_text), int(p_text)
            finally:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    os.waitpid(pid, 0)
                except OSError:
                    pass
                os.close(r)


def _input_kinds(args: dict[str, str], arg_values: dict[str, Any]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for name, value in arg_values.items():
        out: list[str] = []
        try:
            if isinstance(value, bool):
                pass
            elif isinstance(value, (int, float)):
                if value == 0:
                    out += ["{p} == 0", "not {p}"]
                if value < 0:
                    out.append("{p} < 0")
                if 0 <= value <= 1:
                    out += ["{p} <= 1", "{p} < 2"]
            elif isinstance(value, (str, list, tuple, dict, set)):
                if len(value) == 0:
                    out.append("not {p}")
                if len(value) == 1:
                    out += ["len({p}) == 1", "len({p}) <= 1"]
                if len(value) == 2:
                    out.append("len({p}) <= 2")
        except BaseException:
            pass
        if out:
            kinds[name] = out
    return kinds


def _literal(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        ast.literal_eval(text)
        return text
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _norm(tree: ast.AST) -> str:
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def search(payload: dict[str, Any], limits: dict[str, Any], report: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    started = time.monotonic()
    source: str = payload["source"]
    tests = payload.get("tests")
    entry = payload.get("entryPoint") or _entry_from_tests(tests)
    budget = payload.get("budget") or {}
    max_candidates = int(budget.get("candidates", 3000))
    max_seconds = float(budget.get("ms", 20000)) / 1000.0
    want_search = payload.get("op", "search") == "search"
    return_limit = int(payload.get("returnLimit", 1))
    check_seconds = min(float(limits.get("testTimeoutMs", 2000)) / 1000.0, float(budget.get("checkMs", 1000)) / 1000.0)
    nlines = len(source.splitlines())
    editable = payload.get("editable") or [1, nlines]
    editable = (max(1, int(editable[0])), min(nlines, int(editable[1])))
    deadline = started + max_seconds

    out: dict[str, Any] = {"ok": True, "checks": [], "suspicious": [], "candidates": [], "tried": 0, "exhausted": False}
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        out.update(ok=False, reason="syntax", error=f"SyntaxError: {exc.msg}", line=exc.lineno)
        return out
    try:
        prelude, checks, aliases = split_tests(tests, entry, tree)
    except SyntaxError as exc:
        out.update(ok=False, reason="tests_syntax", error=f"SyntaxError in the tests: {exc.msg}", line=exc.lineno)
        return out
    if not checks:
        out.update(ok=False, reason="no_checks")
        return out

    limiter = Limiter()
    with limiter, Quiet():
        harness = Harness(prelude, checks, aliases, limiter, min(check_seconds, 1.0))
        code = compile(tree, PROGRAM_FILE, "exec")
        # ---- evidence on the original program
        recs: list[Recorder] = []
        outcomes: list[Outcome] = []
        first_failing: int | None = None
        inputs: list[dict[str, Any]] = []
        slowest = 0.0
        ns, load_err = harness.load(code)
        for i, check in enumerate(checks):
            keep = first_failing is None
            rec = Recorder(keep_values=True)
            if ns is None:
                outcome = load_err or Outcome("error")
                # the whole program failed to load: every check fails the same way
                ns2 = None
            else:
                ns2 = ns
                arg_values: dict[str, Any] = {}

                def capture(frame: Any, event: str, arg: Any, rec: Recorder = rec, arg_values: dict[str, Any] = arg_values) -> Any:
                    if event == "call" and frame.f_code.co_filename == PROGRAM_FILE and "func" not in arg_values:
                        caller = frame.f_back
                        if caller is None or caller.f_code.co_filename != PROGRAM_FILE:
                            arg_values["func"] = frame.f_code.co_name
                            arg_values["values"] = dict(frame.f_locals)
                    return rec(frame, event, arg)

                t0 = time.monotonic()
                outcome = harness.run(ns2, check, tracer=capture)
                if outcome.status == "passed":
                    slowest = max(slowest, time.monotonic() - t0)
                elif outcome.status == "timeout":
                    # one runaway check is evidence enough; the others get a shorter leash
                    harness.check_seconds = min(harness.check_seconds, 0.25)
                if outcome.status != "passed" and "values" in arg_values:
                    inputs.append({"func": arg_values["func"], "args": {k: _short(v) for k, v in arg_values["values"].items()},
                                   "kinds": _input_kinds({}, arg_values["values"]), "check": check.id})
            if outcome.status != "passed" and first_failing is None:
                first_failing = i
            del keep
            recs.append(rec)
            outcomes.append(outcome)
            # a fresh namespace per check keeps one check's side effects from leaking into the next
            if ns is not None:
                ns, load_err = harness.load(code)
        for check, outcome, rec in zip(checks, outcomes, recs):
            entry_json = {"id": check.id, "name": check.name, "kind": check.kind, **outcome.as_json(), "lines": sorted(rec.lines)}
            if check.line is not None:
                entry_json["line"] = check.line
            out["checks"].append(entry_json)
        failing = [i for i, o in enumerate(outcomes) if o.status != "passed"]
        out["inputs"] = inputs
        if not failing:
            out["elapsedMs"] = int((time.monotonic() - started) * 1000)
            return out

        # ---- localisation: Ochiai over the checks, plus the raising line and the returning line
        nf = len(failing)
        cover: dict[int, list[int]] = {}
        for i, rec in enumerate(recs):
            for ln in rec.lines:
                cover.setdefault(ln, []).append(i)
        fail_set = set(failing)
        scores: dict[int, float] = {}
        first_rec = recs[failing[0]]
        last_step = max(first_rec.order.values()) if first_rec.order else 1
        for ln, who in cover.items():
            ef = sum(1 for i in who if i in fail_set)
            ep = len(who) - ef
            if ef == 0:
                continue
            score = ef / math.sqrt(nf * (ef + ep))
            # later in the failing run = closer to where the wrong value surfaced
            score += 0.05 * first_rec.order.get(ln, 0) / max(last_step, 1)
            scores[ln] = score
        for i in failing:
            line = outcomes[i].error_line
            if line is not None:
                scores[line] = scores.get(line, 0.0) + 0.3
        for ln in first_rec.returns:
            if ln in scores:
                scores[ln] += 0.1
        ranked_lines = sorted((ln for ln in scores if editable[0] <= ln <= editable[1]), key=lambda ln: -scores[ln])
        # lines of the editable region the failing check never reached still get a chance (missing calls)
        for ln in range(editable[0], editable[1] + 1):
            if ln not in scores:
                scores[ln] = 0.0
        out["suspicious"] = [{"line": ln, "score": round(scores[ln], 3)} for ln in ranked_lines[:10]]
        ff = failing[0]
        out["failing"] = {
            "check": checks[ff].id,
            "name": checks[ff].name,
            **outcomes[ff].as_json(),
            "values": {str(ln): [v for _, v in vals] for ln, vals in first_rec.values.items() if ln in ranked_lines[:6]},
            "returns": {str(ln): v for ln, v in first_rec.returns.items()},
        }
        if not want_search:
            out["elapsedMs"] = int((time.monotonic() - started) * 1000)
            return out

        # ---- candidate edits
        # a variant that loops forever must not eat the budget: screen with a limit scaled from how long
        # the original's passing checks took (traced, so already slow), never above the test limit
        harness.check_seconds = min(check_seconds, max(0.05, slowest * 3 if slowest else 0.25))
        src = Source(source)
        expected_values = [v for v in (_literal(outcomes[i].expected) for i in failing) if v is not None]
        evidence = {"expected_type": None}
        if expected_values:
            try:
                evidence["expected_type"] = _type_of(ast.literal_eval(expected_values[0]))
            except BaseException:
                pass
        merged = Recorder(keep_values=False)
        for rec in recs:
            for k, v in rec.types.items():
                merged.types.setdefault(k, set()).update(v)
            for k, v in rec.return_types.items():
                merged.return_types.setdefault(k, set()).update(v)
        gen = Generator(src, tree, editable, merged, evidence, _oracle_spans(tree, tests, entry))
        edits = gen.generate()
        gen.guards(inputs, expected_values)
        gen.transplants(ranked_lines[:3])
        edits = gen.edits

        def edit_score(e: Edit) -> float:
            return scores.get(e.line, 0.0) * 3.0 - e.tier

        order = sorted(range(len(edits)), key=lambda i: (-edit_score(edits[i]), i))
        edits = [edits[i] for i in order]

        seen: set[str] = {_norm(tree)}
        tried = 0
        passing: list[dict[str, Any]] = []
        partial: list[tuple[int, int, list[Edit], str]] = []  # (-passed, order, edits, source)
        base_passed = len(checks) - len(failing)
        # checks that failed first: a candidate that still fails them is rejected after one run
        run_order = failing + [i for i in range(len(checks)) if i not in fail_set]

        def score(text: str) -> int:
            try:
                cand_code = compile(text, PROGRAM_FILE, "exec")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return 0
            passed = 0
            for idx in run_order:
                cns, _err = harness.load(cand_code)
                if cns is None or harness.run(cns, checks[idx]).status != "passed":
                    return passed
                passed += 1
            return passed

        def prepare(combos: Iterable[list[Edit]], limit: int) -> list[tuple[list[Edit], str]]:
            batch: list[tuple[list[Edit], str]] = []
            for chosen in combos:
                if len(batch) >= limit:
                    break
                text = apply_edits(source, chosen)
                try:
                    parsed = ast.parse(text)
                    key = _norm(parsed)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
                # Screening in process (no fork: Pyodide), a variant that hangs in C costs the whole
                # search, so variants that add an exponent nothing bounds are not tried there.
                if not screener.forking and _unbounded_pows(parsed) > original_pows:
                    continue
                if key in seen:
                    continue
                seen.add(key)
                batch.append((chosen, text))
            return batch

        per_candidate = max(1.0, harness.check_seconds * len(run_order) * 1.5 + 0.5)
        screener = Screener(score, per_candidate)
        original_pows = _unbounded_pows(tree)

        def over() -> bool:
            return tried >= max_candidates or time.monotonic() > deadline

        def found() -> list[dict[str, Any]]:
            best = sorted(partial, key=lambda t: (t[0], t[1]))
            results = [(c["source"], c["edits"], c["passed"]) for c in passing] + [(t[3], t[2], -t[0]) for t in best[:3] if -t[0] > base_passed]
            return [
                {
                    "source": text,
                    "passed": passed,
                    "total": len(checks),
                    "edits": [
                        {"line": e.line, "kind": e.kind, "description": e.desc,
                         "before": src.lines[e.line - 1].rstrip("\n") if e.line - 1 < len(src.lines) else ""}
                        for e in chosen
                    ],
                    "size": sum(max(en - st, len(t)) for e in chosen for st, en, t in e.spans),
                }
                for text, chosen, passed in results
            ]

        # Where a variant can hang in C (Pyodide: no fork, no signals), the host's only stop is killing
        # the runner; what was reported before the kill (the evidence, the variants found so far) is kept.
        last_report = [0.0]

        def report_progress(force: bool = False) -> None:
            now = time.monotonic()
            if report is None or (not force and now - last_report[0] < 0.5):
                return
            last_report[0] = now
            report(dict(out, candidates=found(), tried=tried, exhausted=False, partial=True,
                        elapsedMs=int((now - started) * 1000)))

        report_progress(force=True)

        def run(batch: list[tuple[list[Edit], str]]) -> bool:
            nonlocal tried
            results = screener.screen([t for _, t in batch])
            try:
                for k, passed in results:
                    tried += 1
                    chosen, text = batch[k]
                    if passed == len(checks):
                        passing.append({"source": text, "edits": chosen, "passed": passed})
                        if len(passing) >= return_limit:
                            return True
                    elif passed > 0:
                        partial.append((-passed, len(partial), chosen, text))
                    report_progress()
                    if over():
                        return False
            finally:
                results.close()
            return False

        stop = False
        singles = iter([e] for e in edits)
        while not stop and not over():
            batch = prepare(singles, 400)
            if not batch:
                break
            stop = run(batch)
        singles_done = not over()
        # ---- pairs: seeded by edits that fixed some failing checks, then the top lines
        if not stop and not passing and not over():
            partial.sort(key=lambda t: (t[0], t[1]))
            seeds = [p[2][0] for p in partial[:30]]
            top6 = set(ranked_lines[:6])
            cheap = [e for e in edits if e.line in top6 and e.tier == 0][:80]
            top = set(ranked_lines[:3])
            top_edits = [e for e in edits if e.line in top and e.tier <= 2][:150]
            others = [e for e in edits if e.tier <= 2][:600]
            pairs = (
                [a, b]
                for a, b in itertools.chain(itertools.combinations(cheap, 2), ((s, o) for s in seeds for o in others), itertools.combinations(top_edits, 2))
                if a is not b and not a.overlaps(b)
            )
            while not stop and not over():
                batch = prepare(pairs, 400)
                if not batch:
                    break
                stop = run(batch)
        out["exhausted"] = singles_done and not over()
        out["tried"] = tried
        out["candidates"] = found()
    out["elapsedMs"] = int((time.monotonic() - started) * 1000)
    return out


def handle(payload: Any, limits: Any, report: Callable[[Any], None] | None = None) -> Any:
    """Entry point for the runner's `mutate` mode; `report` sends an interim payload (the last one sent wins)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("source"), str):
        return {"ok": False, "reason": "bad_payload"}
    if not isinstance(limits, dict):
        limits = {}
    return search(payload, limits, report)


if __name__ == "__main__":  # development: python3 mutate.py < request.json
    import json

    request = json.load(sys.stdin)
    print(json.dumps(handle(request["payload"], request.get("limits", {}))))
