"""Running one test of one program: fresh namespace, captured output, watchdog, verdict."""

from __future__ import annotations

import builtins
import io
import linecache
import os
import sys
import time
import traceback
import types
from dataclasses import dataclass
from typing import Any, Callable

from .capture import Capture, CaptureStream, _Budget
from .discover import (
    DOCTEST_FILE,
    FAIL_NAME,
    PROGRAM_FILE,
    TESTS_FILE,
    TestAssertion,
    TestSpec,
    doctest_matches,
    fail,
)
from .reprs import exception_message, safe_repr, shorten
from .watchdog import HAS_ITIMER, TestTimeout, Watchdog

# as the interpreter spells our code's filenames (not normalised: that is what co_filename holds)
_RUNNER_DIR = os.path.dirname(__file__)
_TRACEBACK_CHARS = 6000
_MESSAGE_CHARS = 2000
_DOCTEST_OUTPUT_BYTES = 65536
_FORMAT_TIMEOUT_S = 1.0


@dataclass
class Limits:
    testTimeoutMs: int
    stepBudget: int
    outputBytes: int
    traceEvents: int
    valueChars: int
    memoryMb: int
    totalTimeoutMs: int


# protocol.ts DEFAULT_LIMITS: what a request's `limits` start from.
DEFAULT_LIMITS = {
    "testTimeoutMs": 2_000,
    "stepBudget": 2_000_000,
    "outputBytes": 16_384,
    "traceEvents": 4_000,
    "valueChars": 120,
    "memoryMb": 512,
    "totalTimeoutMs": 60_000,
}


def merge_limits(raw: Any, on_bad: Callable[[str], None] | None = None) -> dict[str, int]:
    """DEFAULT_LIMITS with the positive integers `raw` sets. Any other value of a known key goes to
    `on_bad` (the request parser refuses the request there) or, without it, leaves the default."""
    merged = dict(DEFAULT_LIMITS)
    if isinstance(raw, dict):
        for k, v in raw.items():
            if k not in merged:
                continue
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                if on_bad is not None:
                    on_bad(k)
                continue
            merged[k] = v
    return merged


class DoctestMismatch(TestAssertion):
    """A doctest example printed something other than its expected output (texts, not values)."""


@dataclass
class Compiled:
    code: Any
    error: dict[str, Any] | None


def compile_program(source: str) -> Compiled:
    try:
        return Compiled(compile(source, PROGRAM_FILE, "exec", dont_inherit=True), None)
    except SyntaxError as e:  # includes IndentationError, TabError
        info: dict[str, Any] = {"type": type(e).__name__, "message": shorten(str(e.msg), _MESSAGE_CHARS), "where": "program"}
        if e.lineno is not None:
            info["line"] = int(e.lineno)
        info["traceback"] = shorten("".join(traceback.format_exception_only(type(e), e)), _TRACEBACK_CHARS)
        return Compiled(None, info)
    except (ValueError, UnicodeError, MemoryError, RecursionError, OverflowError) as e:
        # null bytes (ValueError on 3.11), lone surrogates, absurd nesting
        return Compiled(None, {"type": type(e).__name__, "message": shorten(str(e), _MESSAGE_CHARS), "where": "program"})


def register_source(filename: str, source: str) -> None:
    """Tracebacks and error messages show the user's lines, not '<unknown>'."""
    lines = source.splitlines(keepends=True)
    # mtime None: linecache.checkcache leaves the entry alone
    linecache.cache[filename] = (len(source), None, lines, filename)


@dataclass
class _Frame:
    filename: str
    lineno: int
    name: str

    @property
    def line(self) -> str:
        return linecache.getline(self.filename, self.lineno) if self.filename.startswith("<") else ""


def _user_frames(exc: BaseException) -> list[_Frame]:
    """The traceback's frames outside the runner, innermost last, without reading any source (cheap:
    3.11's traceback module re-parses every line to place its carets)."""
    out: list[_Frame] = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if not code.co_filename.startswith(_RUNNER_DIR):
            out.append(_Frame(code.co_filename, tb.tb_lineno or 0, code.co_name))
        tb = tb.tb_next
    return out


def error_info(exc: BaseException, value_chars: int, with_traceback: bool = True) -> dict[str, Any]:
    info: dict[str, Any] = {"type": type(exc).__name__, "message": exception_message(exc, _MESSAGE_CHARS)}
    try:
        frames = _user_frames(exc)
    except BaseException:  # noqa: BLE001 - e.g. MemoryError
        frames = []
    prog = [f for f in frames if f.filename == PROGRAM_FILE]
    info["where"] = "program" if prog else "test"
    if prog:
        info["line"] = int(prog[-1].lineno)
    if with_traceback:
        try:
            summary = traceback.StackSummary.from_list([(f.filename, f.lineno, f.name, f.line.strip()) for f in frames])
            text = "Traceback (most recent call last):\n" + "".join(summary.format())
            text += "".join(traceback.format_exception_only(type(exc), exc))
            info["traceback"] = text if len(text) <= _TRACEBACK_CHARS else "..." + text[-(_TRACEBACK_CHARS - 3):]
        except BaseException:  # noqa: BLE001
            pass
    return info


def _innermost(exc: BaseException) -> _Frame | None:
    try:
        frames = _user_frames(exc)
    except BaseException:  # noqa: BLE001
        return None
    return frames[-1] if frames else None


class TestRun:
    """State of one test while it runs; `result` is the protocol's TestResult."""

    def __init__(self, program_id: str, spec: TestSpec, limits: Limits, tests_source: str | None) -> None:
        self.program_id = program_id
        self.spec = spec
        self.limits = limits
        self.tests_source = tests_source
        self.phase = "program"
        self.result: dict[str, Any] = {}
        self.stdout = ""
        # the namespace the test left, when the next test of its group runs on in it
        self.module: types.ModuleType | None = None

    @property
    def failed_in_program_phase(self) -> bool:
        """The program's own module code failed: every test of this program would fail the same way."""
        return self.phase == "program" and self.spec.kind != "script" and self.result.get("status") != "passed"


def run_test(
    program_id: str,
    code: Any,
    spec: TestSpec,
    limits: Limits,
    wd: Watchdog,
    *,
    timeout_ms: int | None = None,
    tracer: Any = None,
    tests_source: str | None = None,
    shared: types.ModuleType | None = None,
    keep: bool = False,
    eager_steps: bool = False,
    count_steps: bool | None = None,
) -> TestRun:
    """`shared`: the module the previous test of spec.group left; then only spec.step_code runs in it
    (the program is not run again). `keep`: leave the namespace intact for the next test of the group.
    `count_steps`: the step budget (and, on Pyodide, the time limit) also under a `tracer` that does not use
    settrace/monitoring itself (a profile hook); default: only without a tracer."""
    run = TestRun(program_id, spec, limits, tests_source)
    is_script = spec.kind == "script"
    mod_name = "__main__" if is_script else "solution"
    module = shared if shared is not None else types.ModuleType(mod_name)
    ns = module.__dict__
    if shared is None:
        ns["__builtins__"] = builtins
        ns[FAIL_NAME] = fail
    cap = Capture(limits.outputBytes)
    saved_modules = sys.modules.get(mod_name)
    saved = (sys.stdout, sys.stderr, sys.stdin, sys.displayhook, sys.getrecursionlimit(), _cwd())
    sys.stdout, sys.stderr, sys.stdin = cap.stdout, cap.stderr, io.StringIO("")
    sys.displayhook = sys.__displayhook__
    sys.modules[mod_name] = module
    timeout_s = (timeout_ms if timeout_ms is not None else limits.testTimeoutMs) / 1000
    exc: BaseException | None = None
    timed_out: TestTimeout | None = None
    steps = 0
    t0 = time.perf_counter()
    try:
        try:
            wd.arm(timeout_s, limits.stepBudget, count_steps=tracer is None if count_steps is None else count_steps, eager=eager_steps)
            if tracer is not None and is_script:
                tracer.start()
            if shared is None:
                exec(code, ns)
            run.phase = "test"
            # traced alone, a test of a group replays the tests before it untraced: the trace is its own
            parts = spec.traced_parts() if tracer is not None and not is_script and shared is None else None
            if parts is not None:
                exec(parts[0], ns)
            if tracer is not None and not is_script:
                tracer.start()
            if spec.doctest is not None:
                _run_doctest(spec, ns, cap)
            elif shared is not None:
                exec(spec.step_code, ns)
            elif parts is not None:
                exec(parts[1], ns)
            elif spec.code is not None:
                exec(spec.code, ns)
        finally:
            wd.disarm()
            steps = wd.steps
            if tracer is not None:
                tracer.stop()
    except TestTimeout as e:
        timed_out = e
    except KeyboardInterrupt as e:
        # Pyodide: the host's interrupt (see watchdog.py) is how time runs out
        if not HAS_ITIMER:
            timed_out = TestTimeout(f"time limit ({int(timeout_s * 1000)} ms)")
            timed_out.__traceback__ = e.__traceback__
        else:
            exc = e
    except BaseException as e:  # noqa: BLE001 - user code may raise anything, SystemExit included
        exc = e
    finally:
        duration = (time.perf_counter() - t0) * 1000
        sys.stdout, sys.stderr, sys.stdin, sys.displayhook = saved[0], saved[1], saved[2], saved[3]
        if sys.getrecursionlimit() != saved[4]:
            sys.setrecursionlimit(saved[4])
        if saved[5] is not None and _cwd() != saved[5]:
            try:
                os.chdir(saved[5])
            except OSError:
                pass
        if saved_modules is not None:
            sys.modules[mod_name] = saved_modules
        else:
            sys.modules.pop(mod_name, None)
    res: dict[str, Any] = {"program": program_id, "test": spec.id, "status": "passed", "durationMs": round(duration, 3)}
    vc = limits.valueChars
    if timed_out is not None:
        res["status"] = "timeout"
        info = error_info(timed_out, vc, with_traceback=False)
        info["type"] = "Timeout"
        info["message"] = timed_out.reason
        res["error"] = info
    elif exc is not None:
        # str() of the exception and reprs of the compared values run user code: under the watchdog too
        try:
            wd.arm(_FORMAT_TIMEOUT_S, limits.stepBudget)
            try:
                _classify(exc, spec, res, vc, tests_source)
            finally:
                wd.disarm()
        except (TestTimeout, KeyboardInterrupt):
            res["status"] = "failed" if isinstance(exc, AssertionError) else "error"
            res["error"] = {"type": type(exc).__name__, "message": "(its message did not finish formatting)", "where": "test"}
    if steps:
        res["steps"] = steps
    out = cap.stdout.getvalue()
    err = cap.stderr.getvalue()
    run.stdout = out
    if out:
        res["stdout"] = out
    if err:
        res["stderr"] = err
    if cap.dropped:
        res["outputDroppedBytes"] = cap.dropped
    run.result = res
    if keep:
        run.module = module
    else:
        ns.clear()  # drop references to user objects now, not at the next gc
    return run


class InOrder:
    """Runs one program's tests one after another, handing each test of a group (tests that run in order
    in one namespace, see discover.TestSpec) the namespace the previous test of that group left. A test
    whose predecessor did not run just before it runs alone, replaying what precedes it."""

    def __init__(self) -> None:
        self._left: tuple[str, int, types.ModuleType] | None = None

    def run(self, program_id: str, code: Any, spec: TestSpec, limits: Limits, wd: Watchdog, **kwargs: Any) -> TestRun:
        left = self._left
        shared = None
        if spec.step_code is not None and left is not None and left[0] == spec.group and left[1] == spec.seq - 1:
            shared = left[2]
        elif left is not None:
            left[2].__dict__.clear()
        self._left = None
        run = run_test(program_id, code, spec, limits, wd, shared=shared, keep=spec.step_code is not None, **kwargs)
        if run.module is not None:
            self._left = (spec.group, spec.seq, run.module)
        return run

    def close(self) -> None:
        if self._left is not None:
            self._left[2].__dict__.clear()
            self._left = None


def _cwd() -> str | None:
    try:
        return os.getcwd()
    except OSError:
        return None


def _classify(exc: BaseException, spec: TestSpec, res: dict[str, Any], vc: int, tests_source: str | None) -> None:
    inner = _innermost(exc)
    if isinstance(exc, SystemExit) and spec.kind == "script" and exc.code in (None, 0):
        return  # a script that exits cleanly passed
    own_assert = isinstance(exc, AssertionError) and inner is not None and (
        inner.filename in (TESTS_FILE, DOCTEST_FILE)
        or isinstance(exc, DoctestMismatch)
        or (spec.kind == "script" and inner.filename == PROGRAM_FILE and inner.name == "<module>")
    )
    if isinstance(exc, DoctestMismatch):
        own_assert = True
    if not own_assert:
        res["status"] = "error"
        res["error"] = error_info(exc, vc)
        return
    res["status"] = "failed"
    info = error_info(exc, vc, with_traceback=not isinstance(exc, TestAssertion))
    info["where"] = "test" if spec.kind != "script" else "program"
    msg = info.get("message") or ""
    if not msg and inner is not None and inner.line:
        msg = inner.line.strip()
        if not msg.startswith("assert"):
            msg = "assert " + msg
    info["message"] = msg
    info["type"] = "AssertionError"
    res["error"] = info
    if isinstance(exc, DoctestMismatch):
        res["expected"] = shorten(str(exc.right), max(vc, 200))
        res["actual"] = shorten(str(exc.left), max(vc, 200))
    elif isinstance(exc, TestAssertion):
        res["actual"] = safe_repr(exc.left, vc)
        if exc.compared:
            res["expected"] = safe_repr(exc.right, vc)
            if not msg:
                info["message"] = f"{res['actual']} {exc.op} {res['expected']} is false"


def _run_doctest(spec: TestSpec, ns: dict[str, Any], cap: Capture) -> None:
    info = spec.doctest
    assert info is not None
    for setup in info.setup:
        exec(setup, ns)
    buf = CaptureStream(_Budget(_DOCTEST_OUTPUT_BYTES), "<stdout>")
    raised: BaseException | None = None
    sys.stdout = buf
    try:
        exec(info.code, ns)
    except (TestTimeout, KeyboardInterrupt):
        raise
    except BaseException as e:  # noqa: BLE001
        if info.exc_msg is None:
            raise
        raised = e
    finally:
        sys.stdout = cap.stdout
        cap.stdout.write(buf.getvalue())
    got = buf.getvalue()
    if info.exc_msg is not None:
        if raised is None:
            raise DoctestMismatch("expected an exception", got, info.exc_msg, True, "")
        got_exc = traceback.format_exception_only(type(raised), raised)[-1]
        if not doctest_matches(info.exc_msg, got_exc, info.options):
            raise DoctestMismatch("wrong exception", got_exc.strip(), info.exc_msg.strip(), True, "")
        return
    if not doctest_matches(info.want, got, info.options):
        raise DoctestMismatch(f"{spec.name}: output differs", got.rstrip("\n"), info.want.rstrip("\n"), True, "")


EmitFn = Callable[[dict[str, Any]], None]
