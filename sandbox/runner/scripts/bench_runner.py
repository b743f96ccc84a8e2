"""Runner micro-benchmarks (not a test): untraced batch time and trace overhead.

    python3 sandbox/runner/scripts/bench_runner.py            # in-process serve() + one run.py spawn
    python3 sandbox/runner/scripts/bench_runner.py --emit DIR  # also write the requests as JSON (for Pyodide)

Prints medians of a few repetitions, in CPU time of the process. Loop-heavy code: an insertion sort of 400 reversed items
(~240k line events).
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from tracefix_runner import serve  # noqa: E402

LIMITS = {"testTimeoutMs": 2000, "stepBudget": 2_000_000, "outputBytes": 16384, "traceEvents": 4000,
          "valueChars": 120, "memoryMb": 512, "totalTimeoutMs": 60000}

SORT = """def insertion_sort(xs):
    xs = list(xs)
    for i in range(1, len(xs)):
        key = xs[i]
        j = i - 1
        while j >= 0 and xs[j] > key:
            xs[j + 1] = xs[j]
            j -= 1
        xs[j + 1] = key
    return xs
"""
SORT_TEST = "assert insertion_sort(range(400, 0, -1)) == list(range(1, 401))\n"

CANDIDATE = """def add_evens(xs):
    total = 0
    for i, x in enumerate(xs):
        if x % 2 == 0:
            total += x{bug}
    return total
"""
BATCH_TESTS = "\n".join(f"assert add_evens({list(range(k, k + 20))}) == {sum(x for x in range(k, k + 20) if x % 2 == 0)}"
                        for k in range(10)) + "\n"


def batch_request() -> dict:
    progs = [{"id": f"c{i}", "source": CANDIDATE.format(bug="" if i % 2 == 0 else f" + {i}")} for i in range(50)]
    return {"mode": "test", "programs": progs, "tests": BATCH_TESTS, "limits": LIMITS}


def sort_request(mode: str, cap: int) -> dict:
    lim = dict(LIMITS, traceEvents=cap, stepBudget=50_000_000, testTimeoutMs=60_000)
    if mode == "trace":
        return {"mode": "trace", "program": {"id": "p", "source": SORT}, "tests": SORT_TEST, "testId": "t0", "limits": lim}
    return {"mode": "test", "programs": [{"id": "p", "source": SORT}], "tests": SORT_TEST, "limits": lim}


# CPU time of this process, not wall time: the machine is shared, and wall time under contention
# measures the neighbours (the step counter and timeouts are wall-clock; the ratios are not)
_clock = time.process_time


def timed_serve(req: dict) -> tuple[float, list[dict]]:
    msgs: list[str] = []
    body = json.dumps(req)
    t0 = _clock()
    serve(body, msgs.append)
    return (_clock() - t0) * 1000, [json.loads(m) for m in msgs]


def median(fn, n: int = 5) -> float:
    return statistics.median(fn() for _ in range(n))


def main() -> None:
    if "--emit" in sys.argv:
        d = sys.argv[sys.argv.index("--emit") + 1]
        os.makedirs(d, exist_ok=True)
        for name, req in (("batch", batch_request()), ("sort-test", sort_request("test", 4000)),
                          ("sort-trace", sort_request("trace", 4000)), ("sort-trace-all", sort_request("trace", 10**7))):
            with open(os.path.join(d, f"{name}.json"), "w") as f:
                json.dump(req, f)
    ns: dict = {}
    exec(compile(SORT, "<native>", "exec"), ns)
    native = median(lambda: _t(lambda: ns["insertion_sort"](range(400, 0, -1))))
    batch = median(lambda: timed_serve(batch_request())[0])
    _, msgs = timed_serve(batch_request())
    statuses = [m["result"]["status"] for m in msgs if m["type"] == "result"]
    untraced = median(lambda: timed_serve(sort_request("test", 4000))[0])
    traced = median(lambda: timed_serve(sort_request("trace", 4000))[0], 3)
    _, tmsgs = timed_serve(sort_request("trace", 4000))
    end = [m for m in tmsgs if m["type"] == "trace_end"][0]
    traced_all = median(lambda: timed_serve(sort_request("trace", 10**7))[0], 3)
    body = json.dumps(batch_request()).encode()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-I", os.path.join(HERE, "..", "run.py")], input=body, capture_output=True, check=True)
    spawn = (time.perf_counter() - t0) * 1000
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    spawn_cpu = (child.ru_utime + child.ru_stime) * 1000
    print(f"python {sys.version.split()[0]}")
    print("times are CPU ms (medians), except the run.py wall time")
    print(f"batch 50 programs x 10 tests: {batch:.1f} ms in process; through run.py {spawn_cpu:.1f} ms CPU, "
          f"{spawn:.1f} ms wall "
          f"({statuses.count('passed')} passed, {statuses.count('failed')} failed)")
    print(f"insertion sort, native {native:.1f} ms; untraced test {untraced:.1f} ms; "
          f"traced (cap 4000, {end['totalEvents']} events) {traced:.1f} ms = {traced / untraced:.1f}x; "
          f"traced with every event kept {traced_all:.1f} ms = {traced_all / untraced:.1f}x")


def _t(fn) -> float:
    t0 = _clock()
    fn()
    return (_clock() - t0) * 1000


if __name__ == "__main__":
    main()
