"""Running the user's tests for the search, through the runner's one harness (discover.py + harness.py +
watchdog.py): the same tests, the same namespaces and the same verdicts as test mode, plus a recorder
for the evidence (coverage, variable kinds, the failing call's arguments, values per line)."""

from __future__ import annotations

import ast
import sys
from dataclasses import replace
from typing import Any

from ..discover import PROGRAM_FILE, TestSpec
from ..harness import InOrder, Limits, run_test
from ..reprs import safe_repr
from ..watchdog import TestTimeout, Watchdog
from .edits import value_kind

VALUE_CHARS = 80
_KEPT_VALUES = 6  # states kept per line of the first failing test
# Trace events one recorded test may use. The watchdog does not count steps while a tracer runs, and in
# mutate mode the host sends no interrupt, so the recorder stops a runaway loop itself (deterministically).
RECORD_EVENTS = 30_000
# Once one test of a run has used all its events (a hang, or a long run), the later tests of that run get
# this many: enough for which lines they reach, and a program that hangs on every input stays cheap.
RECORD_EVENTS_AFTER_CAP = 3_000


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

    def __init__(self, keep_values: bool, max_events: int = RECORD_EVENTS, capped: list[bool] | None = None) -> None:
        self.keep_values = keep_values
        self.max_events = max_events
        # shared by the recorders of one run: set when one of them ran out of events
        self.capped = capped if capped is not None else [False]
        self.ran_out = False  # this test used all its events (and was stopped)
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
        if self.capped[0]:
            self.max_events = min(self.max_events, RECORD_EVENTS_AFTER_CAP)
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
                rec.ran_out = rec.capped[0] = True
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
    """Runs compiled programs against the discovered tests through the harness, in file order with the
    namespaces test mode uses (harness.InOrder), so the search's verdicts are test mode's."""

    def __init__(self, specs: list[TestSpec], limits: Limits, tests_source: str | None) -> None:
        self.specs = specs
        self.limits = limits
        self.tests_source = tests_source
        self.wd = Watchdog()
        self.screen_limits = limits
        self.screen_timeout_ms = limits.testTimeoutMs

    def close(self) -> None:
        self.wd.release()

    def run_all(self, code: Any, recorders: list[Recorder] | None = None, screening: bool = False,
                stop_early: bool = False) -> list[dict[str, Any]]:
        """Every test in order (one namespace per group, as test mode); `stop_early`: stop at the first
        test that does not pass."""
        limits = self.screen_limits if screening else self.limits
        timeout = self.screen_timeout_ms if screening else None
        in_order = InOrder()
        results: list[dict[str, Any]] = []
        broken: dict[str, Any] | None = None
        try:
            for i, spec in enumerate(self.specs):
                if broken is not None:
                    results.append(dict(broken, test=spec.id))
                    continue
                run = in_order.run("search", code, spec, limits, self.wd, timeout_ms=timeout,
                                   tracer=recorders[i] if recorders else None, tests_source=self.tests_source,
                                   eager_steps=screening)
                results.append(run.result)
                if run.failed_in_program_phase:
                    broken = run.result
                if stop_early and run.result["status"] != "passed":
                    break
        finally:
            in_order.close()
        return results

    def run_alone(self, code: Any, spec: TestSpec) -> dict[str, Any]:
        """One test on its own under the screening limits (it replays what precedes it in the file)."""
        return run_test("search", code, spec, self.screen_limits, self.wd, timeout_ms=self.screen_timeout_ms,
                        tests_source=self.tests_source, eager_steps=True).result

    def tune(self, slowest_ms: float, most_steps: int) -> None:
        """Screening limits scaled from the original's passing tests, so that a variant that loops stops
        soon. Loop iterations are counted from the start while screening, so the step budget binds first
        and the verdict does not depend on the machine's load; the wall clock is only the backstop."""
        self.screen_timeout_ms = int(min(self.limits.testTimeoutMs, max(1000, slowest_ms * 20 + 200)))
        steps = min(self.limits.stepBudget, max(20_000, most_steps * 20))
        self.screen_limits = replace(self.limits, stepBudget=steps, outputBytes=min(self.limits.outputBytes, 4096))

    def generous(self) -> None:
        """Screening with ten times the floor of the scaled limits (200,000 loop iterations, a second):
        room for a long wrong answer, while a hang still costs little."""
        self.tune(0.0, 10_000)

    def unscaled(self) -> None:
        """Screening with the request's own limits: every step and the whole time limit of a test (the
        step budget binds first, so the verdict still does not depend on the machine's load)."""
        self.tune(self.limits.testTimeoutMs / 20, self.limits.stepBudget // 20)

    def score(self, code: Any, failing: list[int]) -> tuple[int, bool]:
        """How far a candidate gets: each test that failed on the original is tried alone first (a
        candidate that still fails one of them is rejected after one run); then every test in order.
        Returns the tests passed (all of them: a fix), and whether the screening's step budget cut a test
        off (it may have needed more steps than the original did, or it loops)."""
        fixed = 0
        for i in failing:
            result = self.run_alone(code, self.specs[i])
            if result["status"] != "passed":
                return fixed, out_of_steps(result)
            fixed += 1
        results = self.run_all(code, screening=True, stop_early=True)
        passed = sum(1 for r in results if r["status"] == "passed")
        if passed == len(self.specs):
            return passed, False
        return min(passed, len(self.specs) - 1), bool(results) and out_of_steps(results[-1])


def out_of_steps(result: dict[str, Any]) -> bool:
    """The test was stopped by its step budget: a count, the same on every backend and under any load
    (a stop by the clock, or a memory error where integers grow in C, is neither)."""
    error = result.get("error")
    return result["status"] == "timeout" and isinstance(error, dict) and "step budget" in str(error.get("message"))


def literal(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
