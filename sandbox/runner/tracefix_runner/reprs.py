"""Bounded, protected reprs of user values.

Why not plain repr(): user objects may define a __repr__ that raises, loops or is huge; builtin
containers may hold millions of items (repr would build the whole string before we cut it), and
CPython 3.11+ refuses to str() an int of more than 4300 digits. Everything here stops working as
soon as `limit` characters are produced, so a repr costs O(limit), not O(size of the value).

A user-defined __repr__ is still called (it is often the only readable form of a user class), but
inside try/except; a hang inside it is ended by the test's watchdog like any other hang.
"""

from __future__ import annotations

import itertools
import types
from typing import Any

__all__ = ["cut_suffix", "safe_repr", "shorten"]

_SCALARS = (bool, int, float, complex, type(None), type(Ellipsis), type(NotImplemented))
_SEQ_BRACKETS = {list: ("[", "]"), tuple: ("(", ")"), set: ("{", "}"), frozenset: ("frozenset({", "})")}
_ELLIPSIS = "..."
# bit length above which int reprs are approximated (~300 decimal digits)
_BIG_INT_BITS = 1000
_SMALL_INT = 1 << 64


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= len(_ELLIPSIS):
        return text[:limit]
    return text[: limit - len(_ELLIPSIS)] + _ELLIPSIS


class _Full(Exception):
    """Raised internally once the output budget is spent."""


class _Out:
    __slots__ = ("parts", "size", "limit", "marks", "close")

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        # (len(parts), size) after each item of the outermost container, and what closes it: a cut
        # repr ends on an item boundary followed by how many items there are (`[0, 1, … 40 items]`)
        self.marks: list[tuple[int, int]] = []
        self.close = ""

    def add(self, s: str) -> None:
        self.parts.append(s)
        self.size += len(s)
        if self.size > self.limit:
            raise _Full


def _int_repr(v: int) -> str:
    if -(1 << _BIG_INT_BITS) < v < (1 << _BIG_INT_BITS):
        return int.__repr__(v)
    digits = int(v.bit_length() * 0.30103) + 1
    return f"<int of ~{digits} digits>"


def _user_repr(v: object) -> str:
    try:
        r = repr(v)
    except (Exception, RecursionError) as e:  # noqa: BLE001 - a user __repr__ may raise anything
        return f"<{_type_name(v)} object (repr raised {type(e).__name__})>"
    if not isinstance(r, str):
        return f"<{_type_name(v)} object>"
    return r


def _type_name(v: object) -> str:
    try:
        return type(v).__qualname__
    except Exception:  # noqa: BLE001
        return "object"


def _default_repr_type(t: type) -> bool:
    return t.__repr__ is object.__repr__


def _emit(v: object, out: _Out, depth: int, seen: set[int]) -> None:
    t = type(v)
    if t is str:
        s: str = v  # type: ignore[assignment]
        room = out.limit - out.size + 2
        out.add(repr(s[:room]) if len(s) > room else repr(s))
        return
    if t is int or t is bool:
        out.add(_int_repr(v) if t is int else repr(v))  # type: ignore[arg-type]
        return
    if t in _SCALARS:
        out.add(repr(v))
        return
    if t is bytes or t is bytearray:
        room = out.limit - out.size + 3
        out.add(repr(v[:room]))  # type: ignore[index]
        return
    if id(v) in seen:
        out.add("[...]" if isinstance(v, list) else "{...}" if isinstance(v, dict) else "(...)")
        return
    if depth > 20:
        out.add(_ELLIPSIS)
        return
    if t in _SEQ_BRACKETS or t is dict or t is range:
        _emit_container(v, t, out, depth, seen)
        return
    # dict/list/tuple subclasses from the stdlib (Counter, OrderedDict, defaultdict, namedtuple, deque)
    if isinstance(v, tuple) and hasattr(t, "_fields") and _default_or_stdlib(t):
        seen.add(id(v))
        out.add(t.__name__ + "(")
        for i, (name, item) in enumerate(zip(t._fields, v)):  # type: ignore[attr-defined]
            if i:
                out.add(", ")
            out.add(f"{name}=")
            _emit(item, out, depth + 1, seen)
        out.add(")")
        seen.discard(id(v))
        return
    if isinstance(v, (dict, list, set, frozenset, tuple)) and _default_or_stdlib(t):
        out.add(t.__name__ + "(")
        base = next(b for b in (dict, list, set, frozenset, tuple) if isinstance(v, b))
        _emit_container(v, base, out, depth, seen, ")")
        out.add(")")
        return
    if t.__module__ == "collections" and t.__name__ == "deque":
        out.add("deque(")
        _emit_container(v, list, out, depth, seen, ")")
        out.add(")")
        return
    if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        out.add(f"<function {getattr(v, '__qualname__', '?')}>")
        return
    if isinstance(v, type):
        out.add(f"<class {v.__qualname__}>")
        return
    if isinstance(v, types.ModuleType):
        out.add(f"<module {v.__name__}>")
        return
    if isinstance(v, BaseException):
        out.add(exception_text(v, out.limit))
        return
    if _default_repr_type(t):
        _emit_object(v, t, out, depth, seen)
        return
    out.add(shorten(_user_repr(v), max(out.limit - out.size + 1, 8)))


def _default_or_stdlib(t: type) -> bool:
    mod = getattr(t, "__module__", "")
    return t.__repr__ in (dict.__repr__, list.__repr__, set.__repr__, tuple.__repr__, frozenset.__repr__) or mod in (
        "collections",
        "builtins",
    )


def _emit_container(v: object, t: type, out: _Out, depth: int, seen: set[int], wrap: str = "") -> None:
    if t is range:
        out.add(repr(v))
        return
    seen.add(id(v))
    marks = out.marks if depth == 0 else None
    try:
        if t is dict or isinstance(v, dict):
            if not v:
                out.add("{}")
                return
            out.add("{")
            if marks is not None:
                out.close = "}" + wrap
                marks.append((len(out.parts), out.size))
            for i, (k, item) in enumerate(dict.items(v)):  # type: ignore[arg-type]
                if i:
                    out.add(", ")
                _emit(k, out, depth + 1, seen)
                out.add(": ")
                _emit(item, out, depth + 1, seen)
                if marks is not None:
                    marks.append((len(out.parts), out.size))
            out.add("}")
            return
        if (t is set or t is frozenset) and not v:
            out.add("set()" if t is set else "frozenset()")
            return
        open_, close = _SEQ_BRACKETS.get(t, ("[", "]"))
        out.add(open_)
        if marks is not None:
            out.close = close + wrap
            marks.append((len(out.parts), out.size))
        n = 0
        for item in v:  # type: ignore[attr-defined]
            if n:
                out.add(", ")
            _emit(item, out, depth + 1, seen)
            n += 1
            if marks is not None:
                marks.append((len(out.parts), out.size))
        if t is tuple and n == 1:
            out.add(",")
        out.add(close)
    finally:
        seen.discard(id(v))


def _emit_object(v: object, t: type, out: _Out, depth: int, seen: set[int]) -> None:
    """Objects without their own __repr__: show `Name(attr=value, ...)` from __dict__, which runs no user code."""
    try:
        d = object.__getattribute__(v, "__dict__")
    except Exception:  # noqa: BLE001
        d = None
    if type(d) is not dict:
        out.add(f"<{t.__qualname__} object>")
        return
    seen.add(id(v))
    try:
        out.add(t.__qualname__ + "(")
        for i, (k, item) in enumerate(d.items()):
            if i:
                out.add(", ")
            out.add(f"{k}=")
            _emit(item, out, depth + 1, seen)
        out.add(")")
    finally:
        seen.discard(id(v))


_FAST_ITEMS = frozenset({int, float, bool, str, type(None)})


def cut_suffix(count: int, close: str) -> str:
    """How a container repr cut short ends: `[0, 1, 4, … 40 items]` says the list goes on, and how far."""
    return f"… {count} items{close}"


def _join_cut(open_: str, items: list[str], count: int, close: str, limit: int) -> str:
    """As many leading item reprs as fit in `limit` together with the count of all items."""
    tail = cut_suffix(count, close)
    room = limit - len(open_) - len(tail)
    kept = 0
    used = 0
    for s in items:
        used += len(s) + 2  # with its ", "
        if used > room:
            break
        kept += 1
    if kept == 0:
        return shorten(open_ + tail, limit)
    return open_ + ", ".join(items[:kept]) + ", " + tail


def _fast(v: object, t: type, limit: int) -> str | None:
    """The builtin repr, for the common case of a list/tuple/dict/set of scalars and short strings:
    C speed, on a slice just long enough to fill `limit` (an item takes >= 3 characters with its
    separator). None when the contents need the careful path."""
    n = limit // 3 + 2
    size = len(v)  # type: ignore[arg-type]
    if t is dict:
        pairs: Any = list(itertools.islice(dict.items(v), n)) if size > n else list(dict.items(v))  # type: ignore[arg-type]
        flat: Any = [x for pair in pairs for x in pair]
    elif t is list or t is tuple:
        flat = v[:n] if size > n else v  # type: ignore[index]
    else:
        flat = list(itertools.islice(v, n)) if size > n else v  # type: ignore[call-overload]
    kinds = set(map(type, flat))
    if not kinds <= _FAST_ITEMS:
        return None
    if str in kinds and max(len(x) for x in flat if type(x) is str) > limit:
        return None
    try:
        if size <= n:
            r = repr(v)
            if len(r) <= limit:
                return r
        if t is dict:
            items = [f"{k!r}: {x!r}" for k, x in pairs]
        else:
            items = list(map(repr, flat))
    except ValueError:  # an int beyond the int-to-str digit limit
        return None
    if t is set and size == 0:
        return "set()"
    open_, close = ("{", "}") if t is dict else _SEQ_BRACKETS[t]
    return _join_cut(open_, items, size, close, limit)


def safe_repr(v: object, limit: int) -> str:
    """A repr of at most `limit` characters that never raises. A cut container ends with its item
    count (`[0, 1, 4, … 40 items]`), anything else cut ends in '...'."""
    t = type(v)
    # the tracer's common case, several times cheaper than the careful path below
    if t is int and -_SMALL_INT < v < _SMALL_INT:  # type: ignore[operator]
        r = int.__repr__(v)  # type: ignore[arg-type]
        return r if len(r) <= limit else shorten(r, limit)
    if t is str and len(v) <= limit:  # type: ignore[arg-type]
        r = repr(v)
        if len(r) <= limit:
            return r
    if t is float or t is bool or v is None:
        return shorten(repr(v), limit)
    if t is list or t is tuple or t is dict or t is set or t is frozenset:
        fast = _fast(v, t, limit)
        if fast is not None:
            return fast
    out = _Out(limit)
    try:
        _emit(v, out, 0, set())
    except _Full:
        if out.close and len(out.marks) > 0:
            return _cut_at_mark(v, out, limit)
    except (Exception, RecursionError):  # noqa: BLE001 - e.g. a dict mutated while we iterate it
        out.parts.append(_ELLIPSIS)
    return shorten("".join(out.parts), limit)


def _cut_at_mark(v: object, out: _Out, limit: int) -> str:
    try:
        count = len(v)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - a container subclass with its own __len__
        return shorten("".join(out.parts), limit)
    tail = cut_suffix(count, out.close)
    for i in range(len(out.marks) - 1, -1, -1):
        nparts, size = out.marks[i]
        if size + len(tail) + (2 if i else 0) <= limit:
            head = "".join(out.parts[:nparts])
            return head + (", " if i else "") + tail
    return shorten("".join(out.parts), limit)


def exception_text(e: BaseException, limit: int) -> str:
    """`Type(message)` as NExT writes exceptions."""
    return f"{type(e).__name__}({shorten(exception_message(e, limit), max(limit - len(type(e).__name__) - 2, 8))})"


def exception_message(e: BaseException, limit: int) -> str:
    try:
        if isinstance(e, KeyError) and len(e.args) == 1:
            msg = safe_repr(e.args[0], limit)
        else:
            msg = str(e)
    except (Exception, RecursionError):  # noqa: BLE001 - a user __str__ may raise
        msg = f"<{type(e).__name__} (str raised)>"
    if not isinstance(msg, str):
        msg = ""
    return shorten(msg, limit)
