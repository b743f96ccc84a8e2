"""Trace fidelity: the runner's Tracer against an independent recorder, per executed line.

The reference below is deliberately naive and shares nothing with tracer.py or reprs.py: a
sys.settrace hook that snapshots every local of every program frame, in full, at every event, and
says a line changed a variable when the variable's full text differs between the snapshot taken when
the line started and the one taken at that frame's next event. Both sides yield, in order, one item
per event: ("call", func, line, arguments), ("line", func, line, {changed name: text}),
("return", func, line, value), ("exception", func, line). Texts compare equal when identical, or when
ours is a faithful cut of the full one (its head matches and a `… N items` count is the length).

Prints one JSON object: identical/total programs and, per differing program, the first differences.
Run by tests/bench/trace.bench.ts under python3 and Pyodide (tracefix_runner importable).
"""

import json
import re
import sys
from types import SimpleNamespace

from tracefix_runner.discover import PROGRAM_FILE
from tracefix_runner.tracer import Tracer
from tracefix_runner.watchdog import Watchdog

PROGRAMS = {
    "loop-sum": "def main():\n    s = 0\n    for i in range(5):\n        s += i\n    return s\n",
    "while-countdown": "def main():\n    n = 4\n    out = []\n    while n > 0:\n        out.append(n)\n        n -= 1\n    return out\n",
    "nested-loops": "def main():\n    grid = []\n    for i in range(3):\n        row = []\n        for j in range(3):\n            row.append(i * j)\n        grid.append(row)\n    return grid\n",
    "grid-mutation": "def main():\n    g = [[0] * 4 for _ in range(4)]\n    g[1][2] = 5\n    g[3][3] = 9\n    return g\n",
    "recursion-fact": "def fact(n):\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\n\ndef main():\n    return fact(5)\n",
    "recursion-fib": "def fib(n):\n    if n < 2:\n        return n\n    a = fib(n - 1)\n    b = fib(n - 2)\n    return a + b\n\ndef main():\n    return fib(5)\n",
    "mutual-recursion": "def even(n):\n    return True if n == 0 else odd(n - 1)\n\ndef odd(n):\n    return False if n == 0 else even(n - 1)\n\ndef main():\n    return [even(4), odd(3)]\n",
    "list-comprehension": "def main():\n    xs = [1, 2, 3, 4]\n    sq = [x * x for x in xs]\n    total = sum(sq)\n    return total\n",
    "dict-comprehension": "def main():\n    words = ['a', 'bb', 'ccc']\n    lens = {w: len(w) for w in words}\n    return lens\n",
    "set-and-genexpr": "def main():\n    seen = set()\n    for c in 'hello':\n        seen.add(c)\n    n = sum(1 for c in seen if c > 'f')\n    return n\n",
    "class-counter": "class Counter:\n    def __init__(self, start):\n        self.value = start\n        self.history = []\n\n    def bump(self, k):\n        self.history.append(self.value)\n        self.value += k\n        return self.value\n\ndef main():\n    c = Counter(3)\n    c.bump(2)\n    c.bump(5)\n    return c.value\n",
    "class-linked-list": "class Node:\n    def __init__(self, val, nxt=None):\n        self.val = val\n        self.nxt = nxt\n\ndef main():\n    head = None\n    for v in range(3):\n        head = Node(v, head)\n    total = 0\n    node = head\n    while node is not None:\n        total += node.val\n        node = node.nxt\n    return total\n",
    "class-inherit": "class Shape:\n    def area(self):\n        return 0\n\nclass Square(Shape):\n    def __init__(self, s):\n        self.s = s\n\n    def area(self):\n        a = self.s * self.s\n        return a\n\ndef main():\n    shapes = [Square(2), Square(3)]\n    areas = [s.area() for s in shapes]\n    return areas\n",
    "generator-simple": "def gen(n):\n    i = 0\n    while i < n:\n        yield i * 2\n        i += 1\n\ndef main():\n    out = []\n    for v in gen(3):\n        out.append(v)\n    return out\n",
    "generator-recursive": "def walk(t):\n    if t is None:\n        return\n    left, v, right = t\n    yield from walk(left)\n    yield v\n    yield from walk(right)\n\ndef main():\n    return list(walk(((None, 1, None), 2, (None, 3, None))))\n",
    "generator-send": "def acc():\n    total = 0\n    while True:\n        x = yield total\n        total += x\n\ndef main():\n    g = acc()\n    next(g)\n    g.send(5)\n    r = g.send(7)\n    return r\n",
    "exception-caught": "def main():\n    d = {}\n    try:\n        v = d['missing']\n    except KeyError:\n        v = -1\n    return v\n",
    "exception-propagates": "def inner(x):\n    return 10 // x\n\ndef outer(x):\n    y = inner(x)\n    return y\n\ndef main():\n    try:\n        outer(0)\n    except ZeroDivisionError as e:\n        msg = str(e)\n    return msg\n",
    "exception-finally": "def main():\n    log = []\n    try:\n        log.append('try')\n        raise ValueError('x')\n    except ValueError:\n        log.append('except')\n    finally:\n        log.append('finally')\n    return log\n",
    "dict-mutation": "def main():\n    counts = {}\n    for w in 'a b a c b a'.split():\n        counts[w] = counts.get(w, 0) + 1\n    return counts\n",
    "list-in-place": "def main():\n    xs = [5, 3, 1]\n    xs.sort()\n    xs.reverse()\n    xs[0] = 42\n    return xs\n",
    "aliasing": "def main():\n    a = [1, 2]\n    b = a\n    b.append(3)\n    c = list(a)\n    c.append(4)\n    return a, c\n",
    "swap": "def main():\n    x, y = 1, 2\n    x, y = y, x\n    return x - y\n",
    "bubble-sort": "def main():\n    xs = [4, 2, 3, 1]\n    n = len(xs)\n    for i in range(n):\n        for j in range(n - 1 - i):\n            if xs[j] > xs[j + 1]:\n                xs[j], xs[j + 1] = xs[j + 1], xs[j]\n    return xs\n",
    "binary-search": "def main():\n    xs = list(range(0, 40, 3))\n    lo, hi = 0, len(xs) - 1\n    target = 27\n    while lo <= hi:\n        mid = (lo + hi) // 2\n        if xs[mid] < target:\n            lo = mid + 1\n        elif xs[mid] > target:\n            hi = mid - 1\n        else:\n            return mid\n    return -1\n",
    "big-list-growth": "def main():\n    out = []\n    for i in range(40):\n        out.append(i * i)\n    return len(out)\n",
    "big-list-middle": "def main():\n    xs = [0] * 100\n    xs[60] = 1\n    xs[99] = 2\n    return sum(xs)\n",
    "long-string": "def main():\n    s = ''\n    for i in range(30):\n        s += 'abcdef'\n    return len(s)\n",
    "big-int": "def main():\n    x = 1\n    for i in range(5):\n        x = x * 10 ** 80\n    return x % 7\n",
    "big-dict": "def main():\n    d = {}\n    for i in range(50):\n        d[i] = str(i)\n    return len(d)\n",
    "nested-dicts": "def main():\n    tree = {'a': {'b': {}}}\n    tree['a']['b']['c'] = 1\n    tree['a']['d'] = [1, 2]\n    return tree\n",
    "tuples-and-unpacking": "def main():\n    pairs = [(1, 'a'), (2, 'b')]\n    out = {}\n    for k, v in pairs:\n        out[v] = k\n    first, *rest = [1, 2, 3]\n    return first, rest\n",
    "closures": "def make_adder(n):\n    def add(x):\n        return x + n\n    return add\n\ndef main():\n    add3 = make_adder(3)\n    r = add3(4)\n    return r\n",
    "lambda-sort-key": "def main():\n    people = [('bob', 30), ('al', 25)]\n    people.sort(key=lambda p: p[1])\n    names = [p[0] for p in people]\n    return names\n",
    "default-args": "def greet(name, greeting='hi'):\n    msg = greeting + ' ' + name\n    return msg\n\ndef main():\n    a = greet('x')\n    b = greet('y', 'yo')\n    return a, b\n",
    "floats": "def main():\n    x = 0.1\n    total = 0.0\n    for _ in range(3):\n        total += x\n    return round(total, 2)\n",
    "strings-methods": "def main():\n    s = 'Hello World'\n    lower = s.lower()\n    parts = lower.split()\n    joined = '-'.join(parts)\n    return joined\n",
    "early-return": "def find(xs, t):\n    for i, x in enumerate(xs):\n        if x == t:\n            return i\n    return -1\n\ndef main():\n    return find([3, 1, 4], 4), find([], 1)\n",
    "while-else-break": "def main():\n    n = 0\n    while n < 10:\n        n += 3\n        if n > 6:\n            break\n    else:\n        n = -1\n    return n\n",
    "matrix-transpose": "def main():\n    m = [[1, 2, 3], [4, 5, 6]]\n    t = [[row[i] for row in m] for i in range(3)]\n    return t\n",
    "custom-repr": "class P:\n    def __init__(self, x):\n        self.x = x\n\n    def __repr__(self):\n        return f'P<{self.x}>'\n\ndef main():\n    ps = [P(1)]\n    ps.append(P(2))\n    return ps\n",
}

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
COUNTED = re.compile(r"^(.*?)(?:, )?… (\d+) items([\])}]+)$", re.S)
BIG_INT = re.compile(r"^<int of ~(\d+) digits>$")


# -- the reference: plain settrace, full snapshots -------------------------------------------------
def full_text(v, depth=0):
    """The whole value as text: builtin repr, except that an object without its own __repr__ shows
    its attributes (what a reader of a trace needs, and what the runner shows too)."""
    if depth > 30:
        return "..."
    t = type(v)
    if t in (list, tuple, set) and v:
        inner = ", ".join(full_text(x, depth + 1) for x in v)
        if t is list:
            return "[" + inner + "]"
        if t is tuple:
            return "(" + inner + ("," if len(v) == 1 else "") + ")"
        return "{" + inner + "}"
    if t is dict and v:
        return "{" + ", ".join(full_text(k, depth + 1) + ": " + full_text(x, depth + 1) for k, x in v.items()) + "}"
    if t.__repr__ is object.__repr__ and isinstance(getattr(v, "__dict__", None), dict):
        return t.__qualname__ + "(" + ", ".join(f"{k}={full_text(x, depth + 1)}" for k, x in vars(v).items()) + ")"
    if isinstance(v, BaseException):  # NExT writes exceptions as Type(message)
        return f"{t.__name__}({v})"
    if callable(v) and hasattr(v, "__qualname__") and not isinstance(v, type):
        return "<function " + v.__qualname__ + ">"
    return ADDRESS.sub("", repr(v))


def snapshot(frame):
    out = {}
    for k, v in frame.f_locals.items():
        if k.startswith("__") or k == ".0":
            continue
        if k == "self" and isinstance(getattr(v, "__dict__", None), dict):
            for a, x in vars(v).items():
                out["self." + a] = (full_text(x), _size(x))
            continue
        out[k] = (full_text(v), _size(v))
    return out


def _size(v):
    try:
        return len(v)
    except TypeError:
        return None


def _name(frame):
    code = frame.f_code
    return getattr(code, "co_qualname", code.co_name).replace(".<locals>", "")


def reference_trace(fn):
    items = []
    open_line = {}  # frame -> (index in items, snapshot when its current line started)
    generators = set()

    def close(frame):
        pending = open_line.pop(frame, None)
        if pending is not None:
            index, before = pending
            after = snapshot(frame)
            items[index][3].update({k: v for k, v in after.items() if before.get(k) != v})
        return pending

    raised = set()  # frames whose last event was an exception: their "return None" is the unwinding

    def local(frame, event, arg):
        name = _name(frame)
        close(frame)
        if event == "line":
            raised.discard(frame)
            items.append(["line", name, frame.f_lineno, {}])
            open_line[frame] = (len(items) - 1, snapshot(frame))
        elif event == "return":
            if frame in raised and arg is None:
                raised.discard(frame)
            else:
                items.append(["return", name, frame.f_lineno, full_text(arg)])
        elif event == "exception" and arg[0] is StopIteration and frame.f_code.co_flags & 0x20:
            pass  # 3.12+ settrace shows `yield from` ending its sub-generator: machinery, not the program's
        elif event == "exception":
            raised.add(frame)
            items.append(["exception", name, frame.f_lineno, type(arg[1]).__name__])
        return local

    def glob(frame, event, arg):
        if frame.f_code.co_filename != PROGRAM_FILE:
            return None
        name = _name(frame)
        # only generator frames are remembered: holding any other frame would keep its locals (a
        # generator object among them) alive past its return, and change when generators close
        if frame.f_code.co_flags & 0x20 and frame in generators:
            # a resumed generator: the rest of its yield line runs now, like a line of its own
            items.append(["call", name, frame.f_lineno, {}])
            open_line[frame] = (len(items) - 1, snapshot(frame))
        else:
            if frame.f_code.co_flags & 0x20:
                generators.add(frame)
            items.append(["call", name, frame.f_code.co_firstlineno, snapshot(frame)])
        return local

    sys.settrace(glob)
    try:
        fn()
    except Exception:  # noqa: BLE001 - a program's own error is part of its trace
        pass
    finally:
        sys.settrace(None)
    return items


# -- ours ------------------------------------------------------------------------------------------
def our_trace(fn):
    events = []
    tracer = Tracer(SimpleNamespace(traceEvents=10**6, valueChars=120, stepBudget=10**7), Watchdog(), events.extend)
    tracer.start()
    try:
        fn()
    except Exception:  # noqa: BLE001
        pass
    finally:
        tracer.stop()
    items = []
    for e in events:
        kind = e["kind"]
        if kind in ("call", "line"):
            items.append([kind, e["func"], e["line"], {k: ADDRESS.sub("", v) for k, v in e.get("vars", {}).items()}])
        elif kind == "return":
            items.append(["return", e["func"], e["line"], ADDRESS.sub("", e.get("value", ""))])
        else:
            items.append(["exception", e["func"], e["line"], e["value"].split("(", 1)[0]])
    return items


# -- comparison ------------------------------------------------------------------------------------
def same_text(ours, full, size):
    if ours == full:
        return True
    m = COUNTED.match(ours)
    if m:
        head, count, _ = m.groups()
        return size == int(count) and (len(head) <= 1 or full.startswith(head + ","))
    m = BIG_INT.match(ours)
    if m:
        return full.lstrip("-").isdigit() and abs(len(full.lstrip("-")) - int(m.group(1))) <= 1
    if ours.endswith("..."):
        return full.startswith(ours[:-3])
    return False


def same_item(a, b):
    """a: ours, b: the reference."""
    if a[0] != b[0] or a[1] != b[1]:
        return False
    if a[0] == "call" and a[2] != b[2]:
        return False
    if a[0] in ("line", "return", "exception") and a[2] != b[2]:
        return False
    if a[0] in ("call", "line"):
        ref = b[3]
        if set(a[3]) != set(ref):
            return False
        return all(same_text(a[3][k], ref[k][0], ref[k][1]) for k in a[3])
    if a[0] == "return":
        return a[3] == b[3] or same_text(a[3] or "", b[3], None)
    if a[0] == "exception":
        return a[3] == b[3]
    return True


def compare(ours, ref):
    diffs = []
    n = max(len(ours), len(ref))
    for i in range(n):
        a = ours[i] if i < len(ours) else None
        b = ref[i] if i < len(ref) else None
        if a is None or b is None or not same_item(a, b):
            diffs.append({"at": i, "ours": _show(a), "reference": _show(b)})
            if len(diffs) >= 3:
                break
    return diffs


def _show(item):
    if item is None:
        return None
    kind, func, line, data = item
    if isinstance(data, dict):
        data = {k: (v[0] if isinstance(v, tuple) else v) for k, v in data.items()}
    return f"{kind} {func}:{line} {json.dumps(data)[:160]}"


def main():
    results = {}
    for name, source in PROGRAMS.items():
        ns = {"__name__": "fidelity"}
        exec(compile(source, PROGRAM_FILE, "exec"), ns)
        ref = reference_trace(ns["main"])
        ours = our_trace(ns["main"])
        results[name] = compare(ours, ref)
    identical = sorted(k for k, v in results.items() if not v)
    print(json.dumps({
        "python": sys.version.split()[0],
        "identical": len(identical),
        "total": len(results),
        "differences": {k: v for k, v in results.items() if v},
    }))


if __name__ == "__main__":
    main()
