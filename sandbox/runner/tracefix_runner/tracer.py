"""NExT execution traces of the user's program: what every executed line changed.

Events (protocol.ts TraceEvent) are recorded only for code compiled from the program (filename
PROGRAM_FILE): the test code, the runner and the stdlib are invisible, but calls between the
program's own functions, recursion, generators (resume = `call`, yield = `return` with the yielded
value), methods, class bodies and comprehensions are all frames of the program and are recorded.

Cost control (STACK.md: a full locals snapshot per line is 470-750x slower than the plain run):
* a line's changes are found by comparing the frame's locals with the previous snapshot: identity
  first, then, only for values that are not immutable scalars, the bounded repr (reprs.safe_repr),
  which is also what is shown, so "changed" means "looks different";
* once `traceEvents` events are kept, recording stops and only counting goes on (totalEvents), with
  the cheapest hook available;
* events are streamed in chunks (`flush`), so a hard kill keeps what was seen.

`step` is the global event counter (NExT's `(k)`). A `line` event's vars are the changes made by
executing that line, observed at the frame's next event (child calls happen in between, so a line
event is emitted only once the line has finished). `call` carries the arguments.
Python 3.12+ uses sys.monitoring; 3.11 uses sys.settrace.
"""

from __future__ import annotations

import sys
import time
import types
from typing import Any, Callable

from .discover import PROGRAM_FILE
from .reprs import exception_text, list_repr_key, list_unchanged, safe_repr
from .watchdog import TestTimeout, Watchdog

_IMMUTABLE = frozenset({int, float, complex, str, bytes, bool, type(None), range, frozenset})
_SKIP_TYPES = (types.FunctionType, types.ModuleType, type, types.BuiltinFunctionType, types.MethodType)
_GEN_FLAGS = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
CHUNK = 200
FLUSH_S = 0.05
_TOOL_NAME = "tracefix-trace"


def _func_name(code: types.CodeType) -> str:
    name = getattr(code, "co_qualname", code.co_name)
    return name.replace(".<locals>", "")


_LINES: dict[Any, list[tuple[int, int, int | None]]] = {}


def _line_at(code: Any, offset: int) -> int | None:
    table = _LINES.get(code)
    if table is None:
        table = _LINES[code] = list(code.co_lines())
    for start, end, line in table:
        if start <= offset < end:
            return line
    return None


class _FrameState:
    __slots__ = ("snap", "pending", "depth", "func", "exc", "module")

    def __init__(self, depth: int, func: str, module: bool) -> None:
        self.snap: dict[str, tuple[int, str, Any]] = {}
        self.pending: dict[str, Any] | None = None
        self.depth = depth
        self.func = func
        self.exc = False
        self.module = module


class Tracer:
    def __init__(self, limits: Any, wd: Watchdog, flush: Callable[[list[dict[str, Any]]], None]) -> None:
        self.cap = limits.traceEvents
        self.vc = limits.valueChars
        self.budget = limits.stepBudget
        self.wd = wd
        self._flush = flush
        self.events: list[dict[str, Any]] = []
        self.flushed = 0
        self.npending = 0
        self.total = 0
        self.frames: dict[Any, _FrameState] = {}
        self.stack: list[Any] = []
        self.recording = True
        self.running = False
        self.use_monitoring = hasattr(sys, "monitoring")
        self._tool: int | None = None
        self._count_local: Any = None
        self._sync: Callable[[], None] | None = None
        self._last_flush = time.perf_counter()

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.running = True
        if self.use_monitoring:
            self._start_monitoring()
        else:
            sys.settrace(self._global_trace)
            # the test's own frames are not traced; new program frames are picked up by 'call'

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        if self.use_monitoring:
            self._stop_monitoring()
        else:
            sys.settrace(None)
        if self._sync is not None:
            self._sync()
        for st in self.frames.values():
            if st.pending is not None:
                self._finish(st, None)
        self.frames.clear()
        self.stack.clear()
        self.flush(final=True)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.events)

    # -- recording core (shared by both hooks) -------------------------------------------------------
    def _tick(self) -> bool:
        """Count one event; True if it should be recorded."""
        self.total += 1
        if self.total > self.budget:
            self.wd.expire(f"step budget ({self.budget} steps)")
        if len(self.events) >= self.cap:
            if self.recording:
                self._stop_recording()
            return False
        return True

    def _add(self, ev: dict[str, Any]) -> None:
        self.events.append(ev)
        n = len(self.events) - self.flushed
        # by size, or every FLUSH_S when events trickle in (a hard kill then loses at most that much)
        if n >= CHUNK or (n >= 8 and time.perf_counter() - self._last_flush > FLUSH_S):
            self.flush()

    def flush(self, final: bool = False) -> None:
        ev = self.events
        end = len(ev)
        if not final:
            i = self.flushed
            while i < end and "_p" not in ev[i]:
                i += 1
            end = i
        if end > self.flushed:
            chunk = ev[self.flushed : end]
            for e in chunk:
                e.pop("_p", None)
            self.flushed = end
            self._last_flush = time.perf_counter()
            self._flush(chunk)

    def _locals(self, frame: Any, st: _FrameState) -> dict[str, Any]:
        loc = frame.f_locals
        out: dict[str, Any] = {}
        for k, v in loc.items():
            if k[:2] == "__" or k == ".0" or (st.module and isinstance(v, _SKIP_TYPES)):
                continue
            out[k] = v
        s = out.get("self")
        if s is not None:
            try:
                d = object.__getattribute__(s, "__dict__")
            except Exception:  # noqa: BLE001
                d = None
            if type(d) is dict:
                # `self.x` entries say more than one long repr of self, and say it once
                del out["self"]
                for k, v in d.items():
                    if type(k) is str:
                        out["self." + k] = v
        return out

    def _diff(self, frame: Any, st: _FrameState) -> dict[str, str] | None:
        snap = st.snap
        changed: dict[str, str] | None = None
        vc = self.vc
        loc = frame.f_locals
        if st.module or "self" in loc:
            loc = self._locals(frame, st)
        for k, v in loc.items():
            if k[:2] == "__" or k == ".0":
                continue
            prev = snap.get(k)
            vid = id(v)
            t = type(v)
            if prev is not None and prev[0] == vid:
                if t in _IMMUTABLE:
                    continue
                if prev[2] is not None and list_unchanged(v, prev[2], vc):
                    continue
            key = None
            if t is list:
                r, key = list_repr_key(v, vc)
            else:
                r = safe_repr(v, vc)
            if prev is not None and prev[1] == r:
                if prev[0] != vid or prev[2] is not key:
                    snap[k] = (vid, r, key)
                continue
            snap[k] = (vid, r, key)
            if changed is None:
                changed = {}
            changed[k] = r
        return changed

    def _finish(self, st: _FrameState, frame: Any) -> None:
        ev = st.pending
        if ev is None:
            return
        st.pending = None
        if frame is not None:
            ch = self._diff(frame, st)
            if ch:
                ev["vars"] = ch
        ev.pop("_p", None)
        self.npending -= 1

    def on_call(self, frame: Any, code: Any) -> None:
        st = self.frames.get(frame)
        first = st is None
        if st is None:
            st = _FrameState(len(self.stack), _func_name(code), code.co_name == "<module>")
            self.frames[frame] = st
        else:
            st.depth = len(self.stack)
        self.stack.append(frame)
        if not self._tick():
            return
        ev: dict[str, Any] = {"step": self.total - 1, "kind": "call", "line": frame.f_lineno if not first else code.co_firstlineno,
                              "func": st.func, "depth": st.depth}
        if first and not st.module:
            ch = self._diff(frame, st)
            if ch:
                ev["vars"] = ch
        self._add(ev)

    def on_line(self, frame: Any, line: int) -> None:
        st = self.frames.get(frame)
        if st is None:  # a frame that started before tracing did (script's module frame on 3.11)
            return
        if not self._tick():
            return
        self._finish(st, frame)
        ev = {"step": self.total - 1, "kind": "line", "line": line, "func": st.func, "depth": st.depth, "_p": 1}
        st.pending = ev
        self.npending += 1
        self._add(ev)

    def on_return(self, frame: Any, value: Any, final: bool) -> None:
        st = self.frames.get(frame)
        if st is None:
            return
        if self.stack and self.stack[-1] is frame:
            self.stack.pop()
        if self._tick():
            self._finish(st, frame)
            self._add({"step": self.total - 1, "kind": "return", "line": frame.f_lineno, "func": st.func,
                       "depth": st.depth, "value": safe_repr(value, self.vc)})
        if final:
            self.frames.pop(frame, None)

    def on_exception(self, frame: Any, exc: BaseException) -> None:
        if isinstance(exc, TestTimeout):
            return
        st = self.frames.get(frame)
        if st is None:
            return
        st.exc = True
        if not self._tick():
            return
        self._finish(st, frame)
        self._add({"step": self.total - 1, "kind": "exception", "line": frame.f_lineno, "func": st.func,
                   "depth": st.depth, "value": exception_text(exc, self.vc)})

    def on_unwind(self, frame: Any) -> None:
        st = self.frames.pop(frame, None)
        if self.stack and self.stack[-1] is frame:
            self.stack.pop()
        if st is not None and st.pending is not None:
            self._finish(st, frame)

    def _stop_recording(self) -> None:
        """Event cap reached: keep only counting, as cheaply as the hook allows."""
        self.recording = False
        for st in self.frames.values():
            if st.pending is not None:
                st.pending.pop("_p", None)
                st.pending = None
        self.npending = 0
        self.flush()
        self.frames.clear()
        self.stack.clear()
        if self.use_monitoring:
            self._monitoring_count_only()
        else:
            self._settrace_count_only()

    # -- sys.settrace (3.11) -------------------------------------------------------------------------
    def _global_trace(self, frame: Any, event: str, arg: Any) -> Any:
        code = frame.f_code
        if code.co_filename != PROGRAM_FILE:
            return None
        if self.wd.expired is not None:
            raise TestTimeout(self.wd.expired)
        self.on_call(frame, code)
        return self._local_trace

    def _local_trace(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            st = self.frames.get(frame)
            if st is not None and st.exc:
                st.exc = False
            self.on_line(frame, frame.f_lineno)
        elif event == "return":
            st = self.frames.get(frame)
            if st is not None and st.exc:
                self.on_unwind(frame)  # leaving by exception: settrace reports it as return None
            else:
                gen = bool(frame.f_code.co_flags & _GEN_FLAGS)
                self.on_return(frame, arg, final=not gen)
        elif event == "exception":
            self.on_exception(frame, arg[1])
        return self._local_trace if self.recording else self._count_local

    def _settrace_count_only(self) -> None:
        tracer = self
        # closure ints, not attributes: this runs for every remaining event (hundreds of thousands)
        n = self.total
        budget = self.budget

        def count_local(frame: Any, event: str, arg: Any) -> Any:
            nonlocal n
            n += 1
            if n > budget:
                tracer.total = n
                tracer.wd.expire(f"step budget ({budget} steps)")
            return count_local

        def count_global(frame: Any, event: str, arg: Any) -> Any:
            nonlocal n
            if frame.f_code.co_filename != PROGRAM_FILE:
                return None
            n += 1
            return count_local

        def sync() -> None:
            tracer.total = n

        self._sync = sync

        sys.settrace(count_global)
        f = sys._getframe(1)
        while f is not None:
            if f.f_code.co_filename == PROGRAM_FILE:
                f.f_trace = count_local
            f = f.f_back
        self._count_local = count_local

    # -- sys.monitoring (3.12+) ----------------------------------------------------------------------
    def _start_monitoring(self) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        tool = None
        for candidate in (2, 1, 3, 5):
            if mon.get_tool(candidate) is None:
                mon.use_tool_id(candidate, _TOOL_NAME)
                tool = candidate
                break
        if tool is None:
            raise RuntimeError("no free sys.monitoring tool id")
        self._tool = tool
        E = mon.events
        DISABLE = mon.DISABLE
        getframe = sys._getframe
        t = self

        def mine(code: Any) -> bool:
            return code.co_filename == PROGRAM_FILE

        def py_start(code: Any, off: int) -> Any:
            if not mine(code):
                return DISABLE
            if t.wd.expired is not None:
                raise TestTimeout(t.wd.expired)
            t.on_call(getframe(1), code)
            return None

        def py_resume(code: Any, off: int) -> Any:
            if not mine(code):
                return DISABLE
            t.on_call(getframe(1), code)
            return None

        def py_return(code: Any, off: int, value: Any) -> Any:
            if not mine(code):
                return DISABLE
            t.on_return(getframe(1), value, final=True)
            return None

        def py_yield(code: Any, off: int, value: Any) -> Any:
            if not mine(code):
                return DISABLE
            t.on_return(getframe(1), value, final=False)
            return None

        def line(code: Any, lineno: int) -> Any:
            if not mine(code):
                return DISABLE
            t.on_line(getframe(1), lineno)
            return None

        def jump(code: Any, src: int, dst: int) -> Any:
            # A loop whose back-edge stays on one line (comprehensions, `while x: x -= 1`) gets no
            # LINE event on 3.12+; settrace reports each iteration. Report it here too. Whether a
            # jump instruction qualifies never changes, so every other one is disabled for good.
            if not mine(code) or dst > src:
                return DISABLE
            line_src = _line_at(code, src)
            if line_src is None or line_src != _line_at(code, dst):
                return DISABLE
            t.on_line(getframe(1), line_src)
            return None

        def raise_(code: Any, off: int, exc: BaseException) -> Any:
            if mine(code):
                t.on_exception(getframe(1), exc)
            return None

        def unwind(code: Any, off: int, exc: BaseException) -> Any:
            if mine(code):
                t.on_unwind(getframe(1))
            return None

        for ev, cb in ((E.PY_START, py_start), (E.PY_RESUME, py_resume), (E.PY_RETURN, py_return),
                       (E.PY_YIELD, py_yield), (E.LINE, line), (E.RAISE, raise_), (E.PY_UNWIND, unwind),
                       (E.JUMP, jump)):
            mon.register_callback(tool, ev, cb)
        mon.set_events(tool, E.PY_START | E.PY_RESUME | E.PY_RETURN | E.PY_YIELD | E.LINE | E.RAISE | E.PY_UNWIND
                       | E.JUMP)
        mon.restart_events()

    def _monitoring_count_only(self) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        E = mon.events
        DISABLE = mon.DISABLE
        t = self
        tool = self._tool

        n = self.total
        budget = self.budget

        def count(code: Any, *args: Any) -> Any:
            nonlocal n
            if code.co_filename != PROGRAM_FILE:
                return DISABLE
            n += 1
            if n > budget:
                t.total = n
                t.wd.expire(f"step budget ({budget} steps)")
            return None

        def count_nodisable(code: Any, *args: Any) -> Any:
            nonlocal n
            if code.co_filename == PROGRAM_FILE:
                n += 1
            return None

        def sync() -> None:
            t.total = n

        self._sync = sync

        for ev in (E.PY_START, E.PY_RESUME, E.PY_RETURN, E.PY_YIELD, E.LINE):
            mon.register_callback(tool, ev, count)
        mon.register_callback(tool, E.RAISE, count_nodisable)
        mon.register_callback(tool, E.PY_UNWIND, None)
        mon.register_callback(tool, E.JUMP, None)
        mon.set_events(tool, E.PY_START | E.PY_RESUME | E.PY_RETURN | E.PY_YIELD | E.LINE | E.RAISE)

    def _stop_monitoring(self) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        if self._tool is None:
            return
        mon.set_events(self._tool, 0)
        for ev in (mon.events.PY_START, mon.events.PY_RESUME, mon.events.PY_RETURN, mon.events.PY_YIELD,
                   mon.events.LINE, mon.events.RAISE, mon.events.PY_UNWIND, mon.events.JUMP):
            mon.register_callback(self._tool, ev, None)
        mon.free_tool_id(self._tool)
        mon.restart_events()
        self._tool = None
