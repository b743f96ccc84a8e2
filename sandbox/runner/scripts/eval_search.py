"""Measure the program search alone on a repair data set, judged on the hidden tests (not a unit test).

    python3 sandbox/runner/scripts/eval_search.py DATA.jsonl [--every N] [--jobs J] [--candidates C]
                                                 [--ms MS] [--out results.json]

Each task goes through run.py's mutate mode (the process backend's runner, one process per task) with
what a user would paste: HumanEvalFix's prompt is frozen and its `test` shown; Mbpp-R shows its
`given_tests` only. Every passing candidate the search returns (ranked, best first) is then run against
the hidden `test` in test mode. Per task:

  fixed            the best candidate passes the hidden test
  wrong            the best candidate passes what was shown and fails the hidden test ("wrong but fixed"
                   if the engine said fixed without probing)
  wrong_flaggable  of the wrong ones: another returned candidate disagrees with it on the hidden test, so
                   the engine's probing has an alternative to show (not pinned) instead of a wrong fix
  no_fix           no candidate passes what was shown

Until `tracefix eval` reports wrong-but-fixed itself, this is how the search's figures are judged.
Deterministic: the search's budget is in candidates; --ms is only a safety stop.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "run.py")
LIMITS = {"testTimeoutMs": 2000, "stepBudget": 2_000_000, "outputBytes": 16384, "traceEvents": 4000,
          "valueChars": 120, "memoryMb": 512, "totalTimeoutMs": 120000}


def _runner(request: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
    try:
        p = subprocess.run([sys.executable, "-I", RUN], input=json.dumps(request).encode(), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout or b""
        return [json.loads(line) for line in out.splitlines() if line.strip()]
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def shown(task: dict[str, Any]) -> tuple[str, str, int]:
    """(program, shown tests, first editable line) as src/eval/dataset.ts requestFor builds them."""
    buggy = task["buggy_solution"]
    whole = not buggy.startswith(" ") and any(buggy.lstrip().startswith(k) for k in ("def ", "class ", "import ", "from "))
    tests = "\n".join(task["given_tests"]) + "\n" if task.get("given_tests") else task["test"]
    if whole:
        return buggy, tests, 1
    prefix = task["prompt"]
    return prefix + buggy, tests, prefix.count("\n") + 1


def hidden_passes(task: dict[str, Any], program: str) -> bool:
    msgs = _runner({"mode": "test", "programs": [{"id": "p", "source": program}], "tests": task["test"],
                    "entryPoint": task.get("entry_point"), "limits": LIMITS}, 120)
    results = [m["result"]["status"] for m in msgs if m.get("type") == "result"]
    return bool(results) and all(s == "passed" for s in results)


def run_task(task: dict[str, Any], candidates: int, ms: int, keep: int = 5) -> dict[str, Any]:
    program, tests, first = shown(task)
    total_lines = len(program.splitlines())
    payload = {"op": "search", "source": program, "tests": tests, "entryPoint": task.get("entry_point"),
               "editable": [first, max(first, total_lines)], "budget": {"candidates": candidates, "ms": ms}, "returnLimit": keep}
    t0 = time.perf_counter()
    msgs = _runner({"mode": "mutate", "payload": payload, "limits": LIMITS}, ms / 1000 + 60)
    seconds = time.perf_counter() - t0
    payloads = [m["payload"] for m in msgs if m.get("type") == "payload"]
    entry: dict[str, Any] = {"task_id": task["task_id"], "bug_type": task.get("bug_type") or task.get("source_model", ""),
                             "seconds": round(seconds, 2)}
    if not payloads:
        entry.update(outcome="no_fix", error="no payload")
        return entry
    res = payloads[-1]
    entry["tried"] = res.get("tried", 0)
    entry["stop"] = res.get("stop")
    passing = [c for c in res.get("candidates", []) if c["passed"] == c["total"]]
    if not passing:
        entry["outcome"] = "no_fix"
        return entry
    verdicts = [hidden_passes(task, c["source"]) for c in passing]
    best = passing[0]
    entry["fix"] = best["source"][len(program) - len(task["buggy_solution"]):] if first > 1 else best["source"]
    entry["edits"] = [e["description"] for e in best["edits"]]
    entry["alternatives"] = len(passing) - 1
    entry["any_correct"] = any(verdicts)
    entry["correct_at"] = [i for i, v in enumerate(verdicts) if v]
    if verdicts[0]:
        entry["outcome"] = "fixed"
    else:
        entry["outcome"] = "wrong"
        entry["flaggable"] = any(v != verdicts[0] for v in verdicts[1:])
    return entry


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--candidates", type=int, default=4000)
    ap.add_argument("--ms", type=int, default=30000)
    ap.add_argument("--limit", type=int, default=0, help="only the first N tasks (after --offset/--every)")
    ap.add_argument("--keep", type=int, default=5, help="passing candidates returned per task (all judged on the hidden test)")
    ap.add_argument("--out")
    args = ap.parse_args()
    with open(args.data) as f:
        tasks = [json.loads(line) for line in f if line.strip()]
    tasks = tasks[args.offset :: args.every]
    if args.limit:
        tasks = tasks[: args.limit]
    started = time.time()
    with ThreadPoolExecutor(args.jobs) as pool:
        entries = list(pool.map(lambda t: run_task(t, args.candidates, args.ms, args.keep), tasks))
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        for key in (e["bug_type"], "all"):
            by_type[key]["tasks"] += 1
            by_type[key][e["outcome"]] += 1
            if e.get("flaggable"):
                by_type[key]["wrong_flaggable"] += 1
    n = len(entries)
    summary = {k: dict(v) for k, v in sorted(by_type.items())}
    report = {"dataset": os.path.basename(args.data), "tasks": n, "every": args.every, "offset": args.offset,
              "budget": {"candidates": args.candidates, "ms": args.ms}, "backend": "process (run.py, python3 " + sys.version.split()[0] + ")",
              "wallSeconds": round(time.time() - started, 1), "summary": summary, "entries": entries}
    all_ = summary["all"]
    print(f"{report['dataset']}: {n} tasks; fixed {all_.get('fixed', 0)} ({100 * all_.get('fixed', 0) / max(n, 1):.1f}%), "
          f"wrong {all_.get('wrong', 0)} ({100 * all_.get('wrong', 0) / max(n, 1):.1f}%; flaggable {all_.get('wrong_flaggable', 0)}), "
          f"no fix {all_.get('no_fix', 0)}; {report['wallSeconds']} s")
    for k, v in summary.items():
        if k != "all":
            print(f"  {k}: {dict(v)}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
