"""Quick check (not a unit test): HumanEvalFix through run.py with the machine's python3.

    python3 sandbox/runner/scripts/check_humanevalfix.py [path/to/humanevalfix-python.jsonl] [--jobs N]
    python3 sandbox/runner/scripts/check_humanevalfix.py --trace    # trace mode on every buggy program

One runner process per task, carrying both programs (prompt + canonical_solution, prompt +
buggy_solution) and the task's tests. Expected: every canonical program passes all its tests, every
buggy one fails at least one. Prints mismatches and the wall time.
"""

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "run.py")
DEFAULT_DATA = "/work/shared/data/humanevalfix-python.jsonl"
# protocol.ts DEFAULT_LIMITS
LIMITS = {"testTimeoutMs": 2000, "stepBudget": 2_000_000, "outputBytes": 16384, "traceEvents": 4000,
          "valueChars": 120, "memoryMb": 512, "totalTimeoutMs": 120000}


def run_task(row: dict) -> tuple[str, str, str, float]:
    req = {
        "mode": "test",
        "programs": [
            {"id": "canonical", "source": row["prompt"] + row["canonical_solution"]},
            {"id": "buggy", "source": row["prompt"] + row["buggy_solution"]},
        ],
        "tests": row["test"],
        "entryPoint": row["entry_point"],
        # as src/repair screens candidates: a buggy program stops at its first non-passing test
        "stopOnFirstFailure": True,
        "limits": LIMITS,
    }
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-I", RUN], input=json.dumps(req).encode(), capture_output=True, timeout=300)
    dt = time.perf_counter() - t0
    msgs = [json.loads(line) for line in p.stdout.splitlines()]
    statuses: dict[str, list[str]] = {"canonical": [], "buggy": []}
    for m in msgs:
        if m["type"] == "result":
            statuses[m["result"]["program"]].append(m["result"]["status"])
        if m["type"] == "fatal":
            return row["task_id"], "fatal", json.dumps(m), dt
    if msgs[-1]["type"] != "done":
        return row["task_id"], "no done", p.stdout.decode()[-500:], dt
    canon_ok = bool(statuses["canonical"]) and all(s == "passed" for s in statuses["canonical"])
    buggy_ok = any(s != "passed" for s in statuses["buggy"])
    detail = f"canonical={statuses['canonical']} buggy={statuses['buggy']}"
    verdict = "ok" if canon_ok and buggy_ok else ("canonical-failed" if not canon_ok else "buggy-passed")
    return row["task_id"], verdict, detail, dt


def trace_task(row: dict) -> tuple[str, str, str, float]:
    """Trace mode on the buggy program: a trace_end for a non-passing test, with events."""
    req = {
        "mode": "trace",
        "program": {"id": "buggy", "source": row["prompt"] + row["buggy_solution"]},
        "tests": row["test"],
        "entryPoint": row["entry_point"],
        "limits": LIMITS,
    }
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-I", RUN], input=json.dumps(req).encode(), capture_output=True, timeout=300)
    dt = time.perf_counter() - t0
    msgs = [json.loads(line) for line in p.stdout.splitlines()]
    ends = [m for m in msgs if m["type"] == "trace_end"]
    events = sum(len(m["events"]) for m in msgs if m["type"] == "trace_events")
    if not ends:
        return row["task_id"], "no trace_end", p.stdout.decode()[-300:], dt
    end = ends[0]
    status = end["result"]["status"]
    detail = f"{status} events={events} total={end['totalEvents']} truncated={end['truncated']}"
    ok = status != "passed" and events > 0 and events == min(end["totalEvents"], LIMITS["traceEvents"])
    return row["task_id"], "ok" if ok else "bad-trace", detail, dt


def main() -> int:
    if "--trace" in sys.argv:
        return main_trace()
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    jobs = 2
    if "--jobs" in sys.argv:
        jobs = int(sys.argv[sys.argv.index("--jobs") + 1])
        args = [a for a in args if a != str(jobs)]
    path = args[0] if args else DEFAULT_DATA
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(run_task, rows))
    wall = time.perf_counter() - t0
    bad = [r for r in results if r[1] != "ok"]
    canon = sum(1 for r in results if r[1] in ("ok", "buggy-passed"))
    buggy = sum(1 for r in results if r[1] in ("ok", "canonical-failed"))
    for task, verdict, detail, _ in bad:
        print(f"{task}: {verdict} {detail[:300]}")
    slow = sorted(results, key=lambda r: -r[3])[:3]
    print(f"canonical pass {canon}/{len(rows)}, buggy fail {buggy}/{len(rows)}; wall {wall:.1f} s with {jobs} jobs;"
          f" slowest: {', '.join(f'{t} {d:.2f}s' for t, _, _, d in slow)}")
    return 0 if not bad else 1




def main_trace() -> int:
    rows = [json.loads(line) for line in open(DEFAULT_DATA, encoding="utf-8")]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(trace_task, rows))
    wall = time.perf_counter() - t0
    bad = [r for r in results if r[1] != "ok"]
    for task, verdict, detail, _ in bad:
        print(f"{task}: {verdict} {detail[:300]}")
    print(f"buggy programs traced: {len(rows) - len(bad)}/{len(rows)} with a non-passing traced test and events;"
          f" wall {wall:.1f} s")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
