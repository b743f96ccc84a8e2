"""Per-test time limit and step budget.

Both stop a test with `TestTimeout` (a BaseException, so `except Exception` in user code does not
swallow it). Once a test has expired, the watchdog also raises at every new line user code runs
(settrace / sys.monitoring LINE hook), so a bare `except:` around a sleep cannot keep it alive.

* Wall clock, CPython (process backend, E2B): `signal.setitimer(ITIMER_REAL)`. The SIGALRM handler
  raises `TestTimeout` in whatever Python frame is running; if user code swallows it, a short
  re-arming timer (20 ms) and the line hook raise again until the harness sees it. C-level work that
  never returns to the interpreter is not interruptible here: the backend's hard kill (it watches
  the `start` message's timeoutMs) is the last resort.

* Wall clock, Pyodide (no setitimer): the HOST enforces the time. It reads `timeoutMs` in the `start`
  message and, once it has passed, writes SIGINT (2) into Pyodide's interrupt buffer; the interpreter
  then calls the Python-level SIGINT handler, which we own: while a test is armed, an interrupt at or
  after the deadline raises `TestTimeout`; one that arrives while no test is armed raced with the end
  of the test and is ignored; one before the deadline only starts step counting (already on in
  Pyodide). A KeyboardInterrupt that still reaches the harness while armed (user code replaced our
  handler) is reported as a timeout too. One interrupt is enough: the line hook does the rest.

* Step budget: counting costs 2-9x (measured on a tight loop: CPython 3.11 settrace ~8x, Pyodide
  3.14 sys.monitoring LINE 4.2x, JUMP 2.1x), so on CPython tests do not count
  steps from the start. Only when a test has used `armAfter` of CPU time (ITIMER_PROF: min(250 ms,
  timeout/4), independent of the machine's load) does the watchdog start counting loop iterations: sys.monitoring JUMP events (loop
  back-edges, self-loops included) on 3.12+; on 3.11, settrace line events that do not move forward
  in their frame (the same back-edges, seen through line numbers). When the count passes `stepBudget`
  the test stops with a timeout ("step budget"), unless the wall-clock limit comes first. Tests that
  finish within `armAfter` run at native speed. Runaway loops therefore always end (at the budget or
  the time limit), but iterations run before arming are not counted, so the budget only binds tests
  that run longer than `armAfter`.
  Known gap on 3.11: a loop that jumps back to its own instruction (`while True: pass` on one line)
  produces no settrace line events; only the time limit stops it there.
  Pyodide has no timer to arm the counter later, so there it counts back-edges from the start of
  every test (about 2x on the tightest loops, exact and load-independent). Trace mode counts every
  recorded event from the start instead (the tracer is on anyway).
"""

from __future__ import annotations

import signal
import sys
import time
from typing import Any, Callable

_RUNNER_DIR = __file__.rsplit("/", 1)[0]


class TestTimeout(BaseException):
    """Private: the test ran out of time or steps. Never raised for other reasons."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


HAS_ITIMER = hasattr(signal, "setitimer") and sys.platform != "emscripten"
HAS_MONITORING = hasattr(sys, "monitoring")
# CPU time (ITIMER_PROF, so load on the machine does not change it) a test may use before its loop
# iterations start to count. Tests shorter than this run at native speed; longer ones pay for the
# counter (3.11: several x), which under a wall-clock limit would turn slow-but-fine tests into
# timeouts, so it is kept well above what unit tests need.
ARM_AFTER_CPU_S = 0.25
RETRY_INTERVAL = 0.02
_MON_TOOL_NAME = "tracefix-steps"


class Watchdog:
    """One per runner process. `arm()` before a test's user code, `disarm()` right after."""

    def __init__(self) -> None:
        self.armed = False
        self.expired: str | None = None
        self.deadline = 0.0
        self.started = 0.0
        self.step_budget = 0
        self.steps = 0
        self.count_steps = True
        self.count_calls = False
        self._counting = False
        self._mon_tool: int | None = None
        self._prev_trace: Any = None
        self._arm_after = 0.0
        self._hooked = False
        self._jump_registered = False
        if HAS_ITIMER:
            signal.signal(signal.SIGALRM, self._on_alarm)
            signal.signal(signal.SIGPROF, self._on_cpu)
        try:
            signal.signal(signal.SIGINT, self._on_interrupt)
        except (ValueError, OSError, AttributeError):  # not the main thread, or no signals at all
            pass

    # -- arming ---------------------------------------------------------------------------------
    def arm(self, timeout_s: float, step_budget: int, count_steps: bool = True, eager: bool = False,
            count_calls: bool = False) -> None:
        """`eager`: count loop iterations from the start, as Pyodide always does (the program search's
        screening: a verdict set by the step budget does not depend on the machine's load). `count_calls`:
        every start or resumption of a Python frame of user code is a step too, so a recursion with no loop
        in it (an exponential `fib`) also ends on a count, not on the clock (the probe's calls)."""
        now = time.perf_counter()
        self.count_calls = count_calls
        self.started = now
        self.deadline = now + timeout_s
        self.step_budget = step_budget
        self.steps = 0
        self.expired = None
        self.count_steps = count_steps
        self._counting = False
        self._arm_after = min(ARM_AFTER_CPU_S, timeout_s / 4)
        self.armed = True
        if HAS_ITIMER:
            if signal.getsignal(signal.SIGALRM) != self._on_alarm:
                signal.signal(signal.SIGALRM, self._on_alarm)  # an earlier test replaced our handler
            if signal.getsignal(signal.SIGPROF) != self._on_cpu:
                signal.signal(signal.SIGPROF, self._on_cpu)
            signal.setitimer(signal.ITIMER_REAL, max(timeout_s, 0.0005))
            if count_steps and eager:
                self._start_counting(sys._getframe(1))
            elif count_steps:
                signal.setitimer(signal.ITIMER_PROF, self._arm_after)
        elif count_steps:
            # no timer to arm the counter later (Pyodide): count back-edges from the start
            self._start_counting(sys._getframe(1))

    def disarm(self) -> None:
        self.armed = False
        if HAS_ITIMER:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.setitimer(signal.ITIMER_PROF, 0)
        if self._counting or self._hooked:
            self._stop_counting()
            self._hooked = False

    # -- expiry -----------------------------------------------------------------------------------
    def expire(self, reason: str, frame: Any = None) -> None:
        """Raise TestTimeout now, and again at every line user code runs from here on (so a bare
        `except:` around a sleep cannot keep the test alive), plus a short re-arming timer, until the
        harness disarms."""
        self.expired = reason
        if HAS_ITIMER:
            signal.setitimer(signal.ITIMER_REAL, RETRY_INTERVAL, RETRY_INTERVAL)
        self._install_raiser(frame if frame is not None else sys._getframe(1))
        raise TestTimeout(reason)

    def _install_raiser(self, frame: Any) -> None:
        self._hooked = True
        expired = self.expired or "time limit"
        if HAS_MONITORING:
            mon = sys.monitoring
            tool = self._tool()
            if tool is None:
                return

            def on_line(code: Any, line: int) -> Any:
                if code.co_filename.startswith(_RUNNER_DIR):
                    return mon.DISABLE
                raise TestTimeout(expired)

            mon.register_callback(tool, mon.events.LINE, on_line)
            mon.set_events(tool, mon.events.LINE)
            return

        def raiser(f: Any, event: str, arg: Any) -> Any:
            if event == "line":
                raise TestTimeout(expired)
            return raiser

        def glob(f: Any, event: str, arg: Any) -> Any:
            return None if f.f_code.co_filename.startswith(_RUNNER_DIR) else raiser

        sys.settrace(glob)
        _hook_user_frames(frame, raiser)

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if not self.armed:
            return
        if self.expired is not None:
            # an exception inside a settrace hook unsets it: put the raiser back
            self._install_raiser(frame)
            raise TestTimeout(self.expired)
        now = time.perf_counter()
        if now >= self.deadline - 0.001:
            self.expire(f"time limit ({self._limit_ms()} ms)", frame)
        signal.setitimer(signal.ITIMER_REAL, max(self.deadline - now, 0.0005))

    def _on_cpu(self, signum: int, frame: Any) -> None:
        # the test has used `armAfter` of CPU time: from now on its loop iterations count
        if self.armed and self.expired is None and self.count_steps and not self._counting:
            self._start_counting(frame)

    def _on_interrupt(self, signum: int, frame: Any) -> None:
        # Pyodide's interrupt buffer, or a real Ctrl-C in a terminal
        if not self.armed:
            if HAS_ITIMER and sys.stdin is not None and _interactive():
                raise KeyboardInterrupt
            return
        if self.expired is not None:
            self._install_raiser(frame)
            raise TestTimeout(self.expired)
        if time.perf_counter() >= self.deadline - 0.005 or not self.count_steps:
            self.expire(f"time limit ({self._limit_ms()} ms)", frame)
        if not self._counting:
            self._start_counting(frame)

    def _limit_ms(self) -> int:
        return int(round((self.deadline - self.started) * 1000))

    # -- step counting ----------------------------------------------------------------------------
    def _start_counting(self, frame: Any) -> None:
        self._counting = True
        if HAS_MONITORING:
            self._start_monitoring()
        else:
            self._start_settrace(frame)

    def _over_budget(self) -> None:
        self.expire(f"step budget ({self.step_budget} steps)")

    def _counted(self) -> None:
        """One more loop iteration. Without interval timers (Pyodide) nothing else interrupts code the host
        was not told about (the probe's calls, the search's screening runs), so the wall-clock limit is
        checked here too, every 4096 iterations."""
        self.steps += 1
        if self.steps > self.step_budget:
            self._over_budget()
        if not HAS_ITIMER and not self.steps & 4095 and time.perf_counter() >= self.deadline:
            self.expire(f"time limit ({self._limit_ms()} ms)")

    def _tool(self) -> int | None:
        if self._mon_tool is None:
            mon = sys.monitoring
            for candidate in (4, 3, 5):
                if mon.get_tool(candidate) is None:
                    mon.use_tool_id(candidate, _MON_TOOL_NAME)
                    self._mon_tool = candidate
                    break
        return self._mon_tool

    def _start_monitoring(self) -> None:
        mon = sys.monitoring
        tool = self._tool()
        if tool is None:
            return
        if not self._jump_registered:
            self._jump_registered = True
            budget_ref = self

            def on_jump(code: Any, src: int, dst: int) -> Any:
                if dst <= src:  # only back-edges (a self-loop jumps to itself): loop iterations
                    budget_ref._counted()
                    return None
                return mon.DISABLE

            mon.register_callback(tool, mon.events.JUMP, on_jump)

            def on_start(code: Any, offset: int) -> Any:
                # as settrace's "call" event, which fires for a new frame and for a resumed generator
                if code.co_filename.startswith(_RUNNER_DIR):
                    return mon.DISABLE
                budget_ref._counted()
                return None

            mon.register_callback(tool, mon.events.PY_START, on_start)
            mon.register_callback(tool, mon.events.PY_RESUME, on_start)
        events = mon.events.JUMP | (mon.events.PY_START | mon.events.PY_RESUME if self.count_calls else 0)
        mon.set_events(tool, events)
        mon.restart_events()  # forward jumps disabled during an earlier test

    def _start_settrace(self, frame: Any) -> None:
        """3.11: count loop iterations as 3.12+ does (back-edges), seen through settrace as a line
        event whose line is not after the frame's previous one. Counting every line instead would
        make the budget several times tighter on 3.11 than on 3.12+."""
        wd = self

        def make_local(last: int) -> Callable[..., Any]:
            def local(f: Any, event: str, arg: Any) -> Callable[..., Any] | None:
                nonlocal last
                if event == "line":
                    line = f.f_lineno
                    if line <= last:
                        wd._counted()
                    last = line
                return local

            return local

        def glob(f: Any, event: str, arg: Any) -> Callable[..., Any] | None:
            if f.f_code.co_filename.startswith(_RUNNER_DIR):
                return None
            if wd.count_calls:
                wd._counted()
            return make_local(0)

        self._prev_trace = sys.gettrace()
        sys.settrace(glob)
        while frame is not None and frame.f_code.co_filename.startswith(_RUNNER_DIR):
            frame = frame.f_back
        while frame is not None and not frame.f_code.co_filename.startswith(_RUNNER_DIR):
            frame.f_trace = make_local(frame.f_lineno)
            frame = frame.f_back

    def _stop_counting(self) -> None:
        self._counting = False
        if HAS_MONITORING and self._mon_tool is not None:
            sys.monitoring.set_events(self._mon_tool, 0)
        else:
            sys.settrace(None)

    def release(self) -> None:
        """Free the monitoring tool id (end of a request)."""
        if HAS_MONITORING and self._mon_tool is not None:
            try:
                sys.monitoring.set_events(self._mon_tool, 0)
                sys.monitoring.register_callback(self._mon_tool, sys.monitoring.events.JUMP, None)
                sys.monitoring.register_callback(self._mon_tool, sys.monitoring.events.LINE, None)
                sys.monitoring.register_callback(self._mon_tool, sys.monitoring.events.PY_START, None)
                sys.monitoring.register_callback(self._mon_tool, sys.monitoring.events.PY_RESUME, None)
                sys.monitoring.free_tool_id(self._mon_tool)
            except ValueError:
                pass
            self._mon_tool = None


def _hook_user_frames(frame: Any, fn: Any) -> None:
    """Trace the running user frames, innermost to the runner's frame that called them."""
    while frame is not None and frame.f_code.co_filename.startswith(_RUNNER_DIR):
        frame = frame.f_back  # the signal handler / tracer frames themselves
    while frame is not None and not frame.f_code.co_filename.startswith(_RUNNER_DIR):
        frame.f_trace = fn
        frame = frame.f_back


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except Exception:  # noqa: BLE001
        return False
