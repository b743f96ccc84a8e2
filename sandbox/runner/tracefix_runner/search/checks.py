"""Running the user's tests for the search, through the runner's one harness (discover.py + harness.py +
watchdog.py): the same tests, the same namespaces and the same verdicts as test mode, plus a recorder
for the evidence (coverage, variable kinds, the failing call's arguments, values per line)."""

from __future__ import annotations

import ast
import sys
from dataclasses import replace
from typing import Any

from ..discover import PROGRAM_FILE, TestSpec
from ..harness import Limits, run_test
from ..reprs import safe_repr
from ..watchdog import TestTimeout, Watchdog
from .edits import value_kind

VALUE_CHARS = 80
_KEPT_VALUES = 6  # states kept per line of the first failing test
# Trace events one recorded test may use. The watchdog does not count steps while a tracer runs, and in
# mutate mode the host sends no interrupt, so the recorder stops a runaway loop itself (deterministically).
RECORD_EVENTS = 100_000


def _snapshot(value: Any) -> Any:
    """The argument as it was at call time: builtin containers copied, so later mutation does not show."""
    t = type(value)
    if t in (list, tuple, dict, set, frozenset):
        try:
            return t(value)
        except Exception:  # noqa: BLE001
            return value
    return value


class Recorder:
    """A harness tracer (start/stop) that records what one test did in the program."""

    def __init__(self, keep_values: bool, max_events: int = RECORD_EVENTS) -> None:
        self.keep_values = keep_values
        self.max_events = max_events
        self.lines: list[int] = []
        self._seen_lines: set[int] = set()
        self.order: dict[int, int] = {}
        self.values: dict[int, list[dict[str, str]]] = {}
        self.types: dict[str, set[str]] = {}
        self.returns: dict[int, str] = {}
        self.return_types: dict[str, set[str]] = {}
        self.first_call: dict[str, Any] | None = None
        self.step = 0

    def start(self) -> None:
        sys.settrace(self._global)

    def stop(self) -> None:
        sys.settrace(None)

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        if event != "call" or frame.f_code.co_filename != PROGRAM_FILE:
            return None
        if self.first_call is None:
            caller = frame.f_back
            if caller is None or caller.f_code.co_filename != PROGRAM_FILE:
                self.first_call = {"func": frame.f_code.co_name,
                                   "args": {k: _snapshot(v) for k, v in frame.f_locals.items()}}
        state: dict[str, Any] = {"line": None, "locals": {}}
        rec = self

        def snapshot() -> dict[str, str]:
            out: dict[str, str] = {}
            for k, v in frame.f_locals.items():
                rec.types.setdefault(k, set()).add(value_kind(v))
                if rec.keep_values:
                    out[k] = safe_repr(v, VALUE_CHARS)
            return out

        state["locals"] = snapshot()

        def local(fr: Any, ev: str, a: Any) -> Any:
            rec.step += 1
            if rec.step > rec.max_events:
                raise TestTimeout(f"step budget ({rec.max_events} trace events)")
            prev = state["line"]
            if ev in ("line", "return"):
                now = snapshot()
                if prev is not None and rec.keep_values:
                    changed = {k: v for k, v in now.items() if state["locals"].get(k) != v}
                    if changed:
                        kept = rec.values.setdefault(prev, [])
                        if len(kept) < _KEPT_VALUES:
                            kept.append(changed)
                        else:
                            kept[-1] = changed  # first few and the last
                state["locals"] = now
            if ev == "line":
                if fr.f_lineno not in rec._seen_lines:
                    rec._seen_lines.add(fr.f_lineno)
                    rec.lines.append(fr.f_lineno)
                rec.order[fr.f_lineno] = rec.step
                state["line"] = fr.f_lineno
            elif ev == "return":
                rec.returns[fr.f_lineno] = safe_repr(a, VALUE_CHARS)
                rec.return_types.setdefault(fr.f_code.co_name, set()).add(value_kind(a))
            return local

        return local


class Runner:
    """Runs compiled programs against the discovered tests, one harness call per test."""

    def __init__(self, specs: list[TestSpec], limits: Limits, tests_source: str | None) -> None:
        self.specs = specs
        self.limits = limits
        self.tests_source = tests_source
        self.wd = Watchdog()
        self.screen_limits = limits
        self.screen_timeout_ms = limits.testTimeoutMs

    def close(self) -> None:
        self.wd.release()

    def run(self, code: Any, spec: TestSpec, recorder: Recorder | None = None, screening: bool = False) -> dict[str, Any]:
        limits = self.screen_limits if screening else self.limits
        timeout = self.screen_timeout_ms if screening else None
        return run_test("search", code, spec, limits, self.wd, timeout_ms=timeout, tracer=recorder,
                        tests_source=self.tests_source).result

    def tune(self, slowest_ms: float, most_steps: int) -> None:
        """Screening limits scaled from the original's passing tests, so that a variant that loops stops
        soon. Steps (loop iterations) bind first where they are counted from the start (Pyodide), which
        keeps verdicts independent of the machine's load; the wall clock is the backstop."""
        self.screen_timeout_ms = int(min(self.limits.testTimeoutMs, max(250, slowest_ms * 20 + 100)))
        steps = min(self.limits.stepBudget, max(20_000, most_steps * 20))
        self.screen_limits = replace(self.limits, stepBudget=steps, outputBytes=min(self.limits.outputBytes, 4096))

    def passes(self, code: Any, order: list[int]) -> int:
        """Tests passed in `order` before the first that does not pass."""
        passed = 0
        for i in order:
            if self.run(code, self.specs[i], screening=True)["status"] != "passed":
                return passed
            passed += 1
        return passed


def literal(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
