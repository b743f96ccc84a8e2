"""Tracer speed and tracing overhead, printed as one JSON object.

1. Every event kept: tracefix_runner's Tracer against a naive tracer that snapshots the repr of every
   local on every event (what a tracer does without change detection), same program, same interpreter
   (the runner's Tracer uses sys.monitoring on 3.12+, the naive one settrace everywhere).
2. Tracing overhead as the runner reports it (durationMs of a test run vs the traced run of the same
   test, default limits), measured the same way on every interpreter: the untraced run counts loop
   iterations from its start, as Pyodide always does (CPython normally starts counting only after
   250 ms of CPU, so its untraced figure would be a different measurement); the uncounted CPython
   figure is reported too.

Run by tests/bench/trace.bench.ts under python3 and Pyodide (tracefix_runner importable).
"""

import json
import statistics
import sys
import time
from types import SimpleNamespace

from tracefix_runner import serve, watchdog

from tracefix_runner.discover import PROGRAM_FILE
from tracefix_runner.tracer import Tracer
from tracefix_runner.watchdog import Watchdog

PROGRAM = '''
def bubble(xs):
    xs = list(xs)
    n = len(xs)
    for i in range(n):
        swapped = False
        for j in range(n - 1 - i):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
                swapped = True
        if not swapped:
            break
    return xs


def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


class Acc:
    def __init__(self):
        self.total = 0
        self.seen = {}

    def add(self, k, v):
        self.total += v
        self.seen[k] = v


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def work():
    out = bubble([(i * 37) % 101 for i in range(60)])
    acc = Acc()
    for k in range(1, 120):
        acc.add(k % 17, collatz(k))
    words = {}
    for w in "the quick brown fox jumps over the lazy dog the end".split():
        words[w] = words.get(w, 0) + 1
    return out[0] + acc.total + fib(12) + len(words)
'''


def naive_run(fn):
    events = []

    def local(frame, event, arg):
        events.append((event, frame.f_lineno, frame.f_code.co_name, {k: repr(v) for k, v in frame.f_locals.items()}))
        return local

    def glob(frame, event, arg):
        if frame.f_code.co_filename != PROGRAM_FILE:
            return None
        return local(frame, event, arg)

    sys.settrace(glob)
    try:
        fn()
    finally:
        sys.settrace(None)
    return len(events)


def ours_run(fn):
    chunks = []
    limits = SimpleNamespace(traceEvents=10**7, valueChars=120, stepBudget=10**8)
    wd = Watchdog()
    tracer = Tracer(limits, wd, chunks.append)
    tracer.start()
    try:
        fn()
    finally:
        tracer.stop()
    kept = sum(map(len, chunks))
    assert kept == tracer.total, f"{kept} of {tracer.total} events kept"
    return tracer.total


def plain_run(fn):
    fn()
    return 0


# CPU time where the platform has it: the machine may be shared, and both tracers run on one core
clock = time.process_time if sys.platform != "emscripten" else time.perf_counter


def best(run, fn, repeat):
    times = []
    n = 0
    for _ in range(repeat):
        t0 = clock()
        n = run(fn)
        times.append(clock() - t0)
    return min(times), n


LOOPY = """def collatz_total(n):
    total = 0
    for start in range(1, n):
        x = start
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            total += 1
    return total
"""
LIMITS = {"testTimeoutMs": 10000, "stepBudget": 2000000, "outputBytes": 16384, "traceEvents": 4000, "valueChars": 120,
          "memoryMb": 512, "totalTimeoutMs": 120000}


def served_ms(mode, repeat):
    if mode == "trace":
        req = {"mode": "trace", "program": {"id": "p", "source": LOOPY}, "tests": "assert collatz_total(300) == 0\n",
               "limits": LIMITS}
    else:
        req = {"mode": "test", "programs": [{"id": "p", "source": LOOPY}], "tests": "assert collatz_total(300) == 0\n",
               "limits": LIMITS}
    times = []
    steps = 0
    for _ in range(repeat):
        out = []
        serve(json.dumps(req), out.append)
        for line in out:
            m = json.loads(line)
            if (mode == "trace" and m["type"] == "trace_end") or (mode != "trace" and m["type"] == "result"):
                times.append(m["result"]["durationMs"])
                steps = m["result"].get("steps", 0)
    return statistics.median(times), steps


def overhead(repeat):
    native = served_ms("test", repeat)[0] if watchdog.HAS_ITIMER else None
    saved = watchdog.HAS_ITIMER
    # Pyodide's path through Watchdog.arm: count loop iterations from the start (no timer to arm it
    # later). Safe here: this program ends on its own, so the wall-clock alarm is not needed.
    watchdog.HAS_ITIMER = False
    try:
        counted, counted_steps = served_ms("test", repeat)
    finally:
        watchdog.HAS_ITIMER = saved
    traced, events = served_ms("trace", repeat)
    assert counted_steps > 0, "the untraced run did not count its steps"
    return {"plainMs": counted, "tracedMs": traced, "overhead": traced / counted, "events": events,
            "nativePlainMs": native, "overheadVsNative": traced / native if native else None}


def main():
    ns = {}
    exec(compile(PROGRAM, PROGRAM_FILE, "exec"), ns)
    fn = ns["work"]
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    t_plain, _ = best(plain_run, fn, repeat)
    # interleaved, best of each: a burst of load on a shared machine then hits both alike
    t_naive = t_ours = float("inf")
    n_naive = n_ours = 0
    for _ in range(repeat):
        t, n_naive = best(naive_run, fn, 1)
        t_naive = min(t_naive, t)
        t, n_ours = best(ours_run, fn, 1)
        t_ours = min(t_ours, t)
    print(json.dumps({
        "python": sys.version.split()[0],
        "loopy": overhead(repeat),
        "events": n_ours,
        "naiveEvents": n_naive,
        "oursPerS": n_ours / t_ours,
        "naivePerS": n_naive / t_naive,
        "slowdown": (t_ours / n_ours) / (t_naive / n_naive),
        "plainMs": t_plain * 1000,
        "oursMs": t_ours * 1000,
        "naiveMs": t_naive * 1000,
    }))


if __name__ == "__main__":
    main()
