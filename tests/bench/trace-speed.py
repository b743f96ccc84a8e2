"""Tracer speed, every event kept: tracefix_runner's Tracer against a naive tracer that snapshots the
repr of every local on every event (what a tracer does without change detection). Same programs, same
interpreter, both on sys.settrace where it exists... the runner's Tracer uses sys.monitoring on 3.12+,
the naive one settrace on every version. Prints one JSON object: events/s of each and their ratio.

Run by tests/bench/trace.bench.ts under python3 and Pyodide (tracefix_runner importable).
"""

import json
import sys
import time
from types import SimpleNamespace

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
    assert not tracer.truncated
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
