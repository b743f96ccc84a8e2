"""NExT execution traces of the user's program: what every executed line changed.

Events (protocol.ts TraceEvent) are recorded only for code compiled from the program (filename
PROGRAM_FILE): the test code, the runner and the stdlib are invisible, but calls between the
program's own functions, recursion, generators (resume = `call`, yield = `return` with the yielded
value), methods, class bodies and comprehensions are all frames of the program and are recorded.

"Changed" is decided on the value, not on its (bounded) repr: a list that grows past the repr window
keeps producing states, and its cut repr says how long it is (`[0, 1, 4, … 40 items]`). Per variable
the tracer keeps the previous value of an immutable scalar (compared with ==, safe on exact builtin
types) or a fingerprint of a container / plain object: its item count and references to everything a
repr would show, walked without recursion and bounded (_FP_ITEMS); past that bound, and for objects
with their own __repr__, the visible repr decides.

Cost control (STACK.md: a full locals snapshot per line is 470-750x slower than the plain run):
* identity and fingerprint checks first; a repr is built only for a value that changed;
* once `traceEvents` events are kept, recording stops and only counting goes on (totalEvents), with
  the cheapest hook available;
* events are streamed in chunks (`flush`), so a hard kill keeps what was seen.

The tracer must not change the outcome: near the recursion limit its own frames would push a
program that passes untraced into RecursionError. So while tracing, the interpreter's limit is raised
by HEADROOM, and the program's own limit is enforced by the tracer itself: start() measures (through
exec, as user code is reached) how deep a frame can start untraced, and a program frame deeper than
that raises RecursionError as it starts. A sys.setrecursionlimit() by the program moves both.

`step` is the global event counter (NExT's `(k)`). A `line` event's vars are the changes made by
executing that line, observed at the frame's next event (child calls happen in between, so a line
event is emitted only once the line has finished). `call` carries the arguments; the `call` of a
resumed generator (at its yield's line) carries what the rest of that line changed, like a `line`.
Python 3.12+ uses sys.monitoring; 3.11 uses sys.settrace.
"""

from __future__ import annotations

import operator
import sys
import time
import types
from typing import Any, Callable

from .discover import PROGRAM_FILE
from .reprs import exception_text, safe_repr
from .watchdog import TestTimeout, Watchdog

# compared by value (==): exact builtin types whose __eq__ runs no user code
_SCALARS = frozenset({int, float, complex, str, bytes, bool, type(None), range})
_SKIP_TYPES = (types.FunctionType, types.ModuleType, type, types.BuiltinFunctionType, types.MethodType)
_CONTAINERS = frozenset({list, tuple, dict, set, frozenset})
_GEN_FLAGS = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
CHUNK = 200
FLUSH_S = 0.05
# events between two looks at the clock (perf_counter on every event was a measurable share)
_CLOCK_EVERY = 64
# references a fingerprint may hold; past it, the visible repr decides
_FP_ITEMS = 4096
# frames the tracer itself may need on top of the deepest user frame (reprs nest ~3 frames a level, 20 levels)
HEADROOM = 150
_TOOL_NAME = "tracefix-trace"
_REAL_GET_LIMIT = sys.getrecursionlimit
_REAL_SET_LIMIT = sys.setrecursionlimit
_is = operator.is_


_NAMES: dict[Any, str] = {}


def _func_name(code: types.CodeType) -> str:
    name = _NAMES.get(code)
    if name is None:
        name = _NAMES[code] = getattr(code, "co_qualname", code.co_name).replace(".<locals>", "")
    return name


_LINES: dict[Any, list[tuple[int, int, int | None]]] = {}


def _line_at(code: Any, offset: int) -> int | None:
    table = _LINES.get(code)
    if table is None:
        table = _LINES[code] = list(code.co_lines())
    for start, end, line in table:
        if start <= offset < end:
            return line
    return None


def _plain_dict(v: Any, t: type) -> dict[str, Any] | None:
    """The __dict__ of an object whose repr reprs.py builds from it (no __repr__ of its own)."""
    if t.__repr__ is not object.__repr__:
        return None
    try:
        d = object.__getattribute__(v, "__dict__")
    except Exception:  # noqa: BLE001
        return None
    return d if type(d) is dict else None


def fingerprint(v: Any) -> tuple[list[Any], int]:
    """References to what a repr of `v` shows (items, keys, attributes, nested), with counts, walked
    with an explicit stack. Two fingerprints holding the same objects in the same places mean the same
    repr. Complete: 0 when cut at _FP_ITEMS or when a part has its own __repr__ (it may show anything),
    _FLAT for one container of scalars, else 1."""
    out: list[Any] = []
    todo = [v]
    seen: set[int] = set()
    complete = 1
    while todo:
        x = todo.pop()
        t = type(x)
        if t in _CONTAINERS:
            items = [*x, *x.values()] if t is dict else [*x]
        else:
            d = _plain_dict(x, t)
            if d is None:
                complete = 0
                continue
            items = [*d, *d.values()]
        i = id(x)
        if i in seen:
            continue
        seen.add(i)
        out.append(len(x) if t in _CONTAINERS else len(items))
        out += items
        if len(out) > _FP_ITEMS:
            return out, 0
        if not set(map(type, items)) <= _SCALARS:
            todo += [y for y in items if type(y) not in _SCALARS]
        elif x is v and t in _CONTAINERS:
            return items, _FLAT
    return out, complete


def _same(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(map(_is, a, b))


# a fingerprint's `complete` when it is just the items of one container of scalars (dict: keys, values)
_FLAT = 2


def _same_flat(v: Any, t: type, fp: list[Any]) -> bool:
    if t is dict:
        n = len(v)
        return 2 * n == len(fp) and all(map(_is, v, fp)) and all(map(_is, v.values(), fp[n:]))
    return len(v) == len(fp) and all(map(_is, v, fp))


class _FrameState:
    __slots__ = ("snap", "pending", "depth", "func", "exc", "module", "pydepth", "flatten")

    def __init__(self, depth: int, func: str, module: bool, pydepth: int, flatten: bool) -> None:
        # name -> (type, value if a scalar else (id, fingerprint, complete), repr)
        self.snap: dict[str, tuple[type, Any, str]] = {}
        self.pending: dict[str, Any] | None = None
        self.depth = depth
        self.func = func
        self.exc = False
        self.module = module
        self.pydepth = pydepth
        # locals need filtering or `self.x` expansion (see Tracer._locals); known from the code object,
        # because `"self" in frame.f_locals` costs a whole proxy lookup on 3.13+
        self.flatten = flatten


def _frame_depth(frame: Any) -> int:
    n = 0
    while frame is not None:
        n += 1
        frame = frame.f_back
    return n


_PROBE = compile(
    "def _probe(d):\n"
    "    try:\n"
    "        return _probe(d + 1)\n"
    "    except RecursionError:\n"
    "        return d\n"
    "_reached = _probe(1)\n",
    "<tracefix-probe>",
    "exec",
)


def _deepest_start(caller: Any) -> int:
    """How deep (frames from the bottom) a user frame can start before RecursionError, untraced:
    measured by recursing through exec from here, as user code is reached from the harness."""
    ns: dict[str, Any] = {}
    exec(_PROBE, ns)  # noqa: S102 - our own probe
    # caller, start(), this function and the probe's module frame are below _probe(1)
    return _frame_depth(caller) + 3 + ns["_reached"]


class Tracer:
    def __init__(self, limits: Any, wd: Watchdog, flush: Callable[[list[dict[str, Any]]], None]) -> None:
        self.cap = limits.traceEvents
        self.vc = limits.valueChars
        self.budget = limits.stepBudget
        self.wd = wd
        self._flush = flush
        self.events: list[dict[str, Any]] = []
        self.flushed = 0
        self.total = 0
        self.frames: dict[Any, _FrameState] = {}
        self.stack: list[Any] = []
        self.recording = True
        self.running = False
        self.use_monitoring = hasattr(sys, "monitoring")
        self._tool: int | None = None
        self._count_local: Any = None
        self._count_global: Any = None
        # bound once: settrace gets this back on every event
        self._local = self._local_trace
        # count-only mode: frame depths by id(frame) (ints: no frame is kept alive)
        self._depths: dict[int, int] = {}
        self._sync: Callable[[], None] | None = None
        self._last_flush = time.perf_counter()
        self._saved_limit = 0
        self._limit = 0
        self.max_depth = 1 << 30

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.running = True
        self._saved_limit = sys.getrecursionlimit()
        # called from the harness frame that then execs user code: the probe is measured from there
        self.max_depth = _deepest_start(sys._getframe(1))
        self._limit = self._saved_limit + HEADROOM
        sys.setrecursionlimit(self._limit)
        # the program asks for and sets its own limit, not ours (`depth(sys.getrecursionlimit() - 50)`)
        sys.getrecursionlimit = self._get_user_limit
        sys.setrecursionlimit = self._set_user_limit
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
            sys.setprofile(None)
        sys.getrecursionlimit = _REAL_GET_LIMIT
        sys.setrecursionlimit = _REAL_SET_LIMIT
        if _REAL_GET_LIMIT() == self._limit:
            _REAL_SET_LIMIT(self._saved_limit)
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
        events = self.events
        events.append(ev)
        n = len(events) - self.flushed
        # by size, or every FLUSH_S when events trickle in (a hard kill then loses at most that much)
        if n >= CHUNK or (n % _CLOCK_EVERY == 0 and time.perf_counter() - self._last_flush > FLUSH_S):
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
            if final:
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
        if st.flatten:
            loc = self._locals(frame, st)
        scalars = _SCALARS
        for k, v in loc.items():
            t = type(v)
            prev = snap.get(k)
            if t in scalars:
                if prev is not None and prev[0] is t:
                    pv = prev[1]
                    if pv is v or pv == v:
                        continue
                elif k[0] in "_." and (k[:2] == "__" or k == ".0"):
                    continue
                if t is int:
                    try:
                        r = repr(v)
                    except ValueError:  # past the int-to-str digit limit
                        r = safe_repr(v, vc)
                    else:
                        if len(r) > vc:
                            r = safe_repr(v, vc)
                else:
                    r = safe_repr(v, vc)
                snap[k] = (t, v, r)
            else:
                if prev is None and k[0] in "_." and (k[:2] == "__" or k == ".0"):
                    continue
                vid = id(v)
                if prev is not None and prev[0] is t:
                    pid, pfp, pcomplete = prev[1]
                    # the same container of scalars holding the same objects: no need to walk it again
                    if pid == vid and pcomplete == _FLAT:
                        if t is list:
                            if len(v) == len(pfp) and all(map(_is, v, pfp)):
                                continue
                        elif _same_flat(v, t, pfp):
                            continue
                    fp, complete = fingerprint(v)
                    if pid == vid and complete and complete == pcomplete and _same(fp, pfp):
                        continue
                    r = safe_repr(v, vc)
                    if r == prev[2] and complete == pcomplete and _same(fp, pfp):
                        # same visible repr and the same parts: a copy, or a change we cannot see
                        snap[k] = (t, (vid, fp, complete), r)
                        continue
                else:
                    fp, complete = fingerprint(v)
                    r = safe_repr(v, vc)
                snap[k] = (t, (vid, fp, complete), r)
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
        del ev["_p"]

    def on_call(self, frame: Any, code: Any) -> None:
        st = self.frames.get(frame)
        first = st is None
        if st is None:
            parent = self.frames.get(frame.f_back)
            pydepth = parent.pydepth + 1 if parent is not None else _frame_depth(frame)
            if pydepth > self.max_depth and not self._limit_moved(pydepth):
                self._recursion_error(frame)
            module = code.co_name == "<module>"
            flatten = module or "self" in code.co_varnames or "self" in code.co_freevars
            st = _FrameState(len(self.stack), _func_name(code), module, pydepth, flatten)
            self.frames[frame] = st
        else:
            st.depth = len(self.stack)
        self.stack.append(frame)
        if not self._tick():
            return
        ev: dict[str, Any] = {"step": self.total - 1, "kind": "call", "line": frame.f_lineno if not first else code.co_firstlineno,
                              "func": st.func, "depth": st.depth}
        if first:
            if not st.module:
                ch = self._diff(frame, st)
                if ch:
                    ev["vars"] = ch
        else:
            # A resumed generator finishes its `yield` line first (`x = yield total` binds x now): like
            # a line event, the changes it makes are this event's, observed at the frame's next event.
            self._finish(st, frame)
            ev["_p"] = 1
            st.pending = ev
        self._add(ev)

    def _count_depth(self, frame: Any) -> None:
        back = frame.f_back
        parent = self._depths.get(id(back)) if back is not None and back.f_code.co_filename == PROGRAM_FILE else None
        d = parent + 1 if parent is not None else _frame_depth(frame)
        if d > self.max_depth and not self._limit_moved(d):
            self._recursion_error(frame)
        self._depths[id(frame)] = d

    def _get_user_limit(self) -> int:
        return self._saved_limit

    def _set_user_limit(self, limit: int) -> None:
        _REAL_SET_LIMIT(limit)  # the interpreter's own checks and errors (type, range, too low)
        self.max_depth += limit - self._saved_limit
        self._saved_limit = limit
        self._limit = limit + HEADROOM
        _REAL_SET_LIMIT(self._limit)

    def _limit_moved(self, pydepth: int) -> bool:
        """The program set its limit through a reference to sys.setrecursionlimit taken before tracing
        started (`from sys import setrecursionlimit`): its new limit counts, with our headroom on top."""
        limit = _REAL_GET_LIMIT()
        if limit == self._limit:
            return False
        self._set_user_limit(limit)
        return pydepth <= self.max_depth

    def _recursion_error(self, frame: Any) -> None:
        """Fail the new frame as the interpreter would have without us; the caller's line raised it."""
        err = RecursionError("maximum recursion depth exceeded")
        caller = frame.f_back
        if caller is not None and caller in self.frames:
            self.on_exception(caller, err)
        if not self.use_monitoring:
            # an exception out of a settrace hook unsets it: the profile hook puts it back
            sys.setprofile(self._reinstall)
        raise err

    def _reinstall(self, frame: Any, event: str, arg: Any) -> None:
        sys.setprofile(None)
        if not self.running or self.wd.expired is not None:
            return
        sys.settrace(self._global_trace if self.recording else self._count_global)
        if event == "return" and frame in self.frames:
            self.on_unwind(frame)  # the frame the error went through: its own events were missed
        f = frame
        local = self._local_trace if self.recording else self._count_local
        while f is not None:
            if f in self.frames or (not self.recording and f.f_code.co_filename == PROGRAM_FILE):
                f.f_trace = local
            f = f.f_back

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
        return self._local

    def _local_trace(self, frame: Any, event: str, arg: Any) -> Any:
        """settrace's local hook; sys.monitoring's LINE callback calls it too (the hottest path, so
        counting, finishing the frame's previous line and flushing are written out here)."""
        if event == "line":
            st = self.frames.get(frame)
            if st is None:  # a frame that started before tracing did (script's module frame on 3.11)
                return self._local
            st.exc = False
            total = self.total = self.total + 1
            if total > self.budget:
                self.wd.expire(f"step budget ({self.budget} steps)")
            events = self.events
            if len(events) >= self.cap:
                if self.recording:
                    self._stop_recording()
                return self._count_local
            ev = st.pending
            if ev is not None:
                ch = self._diff(frame, st)
                if ch:
                    ev["vars"] = ch
                del ev["_p"]
            st.pending = ev = {"step": total - 1, "kind": "line", "line": frame.f_lineno, "func": st.func,
                               "depth": st.depth, "_p": 1}
            events.append(ev)
            n = len(events) - self.flushed
            if n >= CHUNK or (n % _CLOCK_EVERY == 0 and time.perf_counter() - self._last_flush > FLUSH_S):
                self.flush()
            return self._local
        if event == "return":
            st = self.frames.get(frame)
            if st is not None and st.exc:
                self.on_unwind(frame)  # leaving by exception: settrace reports it as return None
            else:
                gen = bool(frame.f_code.co_flags & _GEN_FLAGS)
                self.on_return(frame, arg, final=not gen)
        elif event == "exception":
            self.on_exception(frame, arg[1])
        return self._local if self.recording else self._count_local

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
            tracer._count_depth(frame)
            return count_local

        def sync() -> None:
            tracer.total = n

        self._sync = sync
        self._count_global = count_global

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
        local = self._local

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
            local(getframe(1), "line", None)
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
            local(getframe(1), "line", None)  # f_lineno is line_src at the jump
            return None

        def raise_(code: Any, off: int, exc: BaseException) -> Any:
            if mine(code):
                t.on_exception(getframe(1), exc)
            return None

        def unwind(code: Any, off: int, exc: BaseException) -> Any:
            if mine(code):
                t.on_unwind(getframe(1))
            return None

        def py_throw(code: Any, off: int, exc: BaseException) -> Any:
            # gen.throw() / close(): a resumption too (settrace reports it as a call)
            if mine(code):
                t.on_call(getframe(1), code)
            return None

        for ev, cb in ((E.PY_START, py_start), (E.PY_RESUME, py_resume), (E.PY_THROW, py_throw), (E.PY_RETURN, py_return),
                       (E.PY_YIELD, py_yield), (E.LINE, line), (E.RAISE, raise_), (E.PY_UNWIND, unwind),
                       (E.JUMP, jump)):
            mon.register_callback(tool, ev, cb)
        mon.set_events(tool, E.PY_START | E.PY_RESUME | E.PY_THROW | E.PY_RETURN | E.PY_YIELD | E.LINE | E.RAISE
                       | E.PY_UNWIND | E.JUMP)
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

        getframe = sys._getframe

        def count_start(code: Any, off: int) -> Any:
            # a new (or resumed) frame: counted, and held to the program's recursion limit
            if count(code) is DISABLE:
                return DISABLE
            t._count_depth(getframe(1))
            return None

        def count_nodisable(code: Any, *args: Any) -> Any:
            nonlocal n
            if code.co_filename == PROGRAM_FILE:
                n += 1
            return None

        def sync() -> None:
            t.total = n

        self._sync = sync

        for ev in (E.PY_RETURN, E.PY_YIELD, E.LINE):
            mon.register_callback(tool, ev, count)
        mon.register_callback(tool, E.PY_START, count_start)
        mon.register_callback(tool, E.PY_RESUME, count_start)
        mon.register_callback(tool, E.RAISE, count_nodisable)
        mon.register_callback(tool, E.PY_UNWIND, None)
        mon.register_callback(tool, E.JUMP, None)
        mon.register_callback(tool, E.PY_THROW, None)
        mon.set_events(tool, E.PY_START | E.PY_RESUME | E.PY_RETURN | E.PY_YIELD | E.LINE | E.RAISE)

    def _stop_monitoring(self) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        if self._tool is None:
            return
        mon.set_events(self._tool, 0)
        for ev in (mon.events.PY_START, mon.events.PY_RESUME, mon.events.PY_RETURN, mon.events.PY_YIELD,
                   mon.events.LINE, mon.events.RAISE, mon.events.PY_UNWIND, mon.events.JUMP, mon.events.PY_THROW):
            mon.register_callback(self._tool, ev, None)
        mon.free_tool_id(self._tool)
        mon.restart_events()
        self._tool = None
