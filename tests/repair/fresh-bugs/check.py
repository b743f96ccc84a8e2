"""Validate a blind bug set (python3 check.py [FILE], default fresh-bugs.jsonl; task ids blind/…, blind2/… to blind7/…; blind6/… in the MBPP shape below); about 40 s, each program in its own subprocess.

For every task:
  * keys are exactly the required ones; task_id unique; bug_type allowed; prompt == ""
  * programs start at column 0 with def/class/import/from, buggy is 4-25 lines
  * given_tests: 2-3 single-line asserts; hidden test: 5-8 assert lines
  * canonical passes all given tests (together and each alone) and the hidden test
  * buggy FAILS the hidden test
  * at least one given test fails/raises on buggy when run on its own
    (also reported: whether the given tests run together fail)
Every program is run in a fresh subprocess with a 5 s timeout.

Task ids blind6/… (the MBPP shape) are checked instead with: prompt = def header + docstring, which
the buggy program starts with (body 3-20 lines); exactly 1 given test, equal to the first of 3-5
hidden assert lines; canonical passes given and hidden; buggy FAILS the hidden test. Whether buggy
fails the given test is reported, not required.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter

PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "fresh-bugs.jsonl")
KEYS = {"task_id", "bug_type", "prompt", "buggy_solution", "canonical_solution",
        "given_tests", "test", "entry_point"}
TYPES = {"off-by-one", "operator", "comparison", "condition", "missing-guard",
         "missing-statement", "wrong-variable", "wrong-call", "wrong-return",
         "mutation-aliasing", "init-value", "loop-logic", "string-handling",
         "dict-idiom", "recursion", "wrong-algorithm", "class-state"}
TIMEOUT = 5


def run(program, test_code):
    """Return (ok, detail). ok is True iff the script exits with status 0 within TIMEOUT."""
    src = program.rstrip("\n") + "\n\n\n" + test_code.rstrip("\n") + "\n"
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(src)
        name = f.name
    try:
        p = subprocess.run([sys.executable, name], capture_output=True, text=True,
                           timeout=TIMEOUT)
        if p.returncode == 0:
            return True, ""
        lines = p.stderr.strip().splitlines()
        return False, lines[-1] if lines else "rc=%d" % p.returncode
    except subprocess.TimeoutExpired:
        return False, "TIMEOUT"
    finally:
        os.unlink(name)


def check_task(t, seen_ids):
    errs, notes = [], []
    if set(t) != KEYS:
        errs.append("keys mismatch: %s" % sorted(set(t) ^ KEYS))
        return errs, notes
    tid = t["task_id"]
    if not isinstance(tid, str) or not re.match(r"blind\d*/[a-z0-9-]+$", tid):
        errs.append("bad task_id")
    if tid in seen_ids:
        errs.append("duplicate task_id")
    seen_ids.add(tid)
    if t["bug_type"] not in TYPES:
        errs.append("bad bug_type %r" % t["bug_type"])
    ep = t["entry_point"]
    if tid.startswith("blind6/"):
        return check_blind6(t, ep, errs, notes)
    if t["prompt"] != "":
        errs.append("prompt not empty")
    check_programs(t, ep, errs)
    n_lines = len(t["buggy_solution"].rstrip("\n").splitlines())
    if not 4 <= n_lines <= 25:
        errs.append("buggy_solution has %d lines" % n_lines)
    if t["buggy_solution"] == t["canonical_solution"]:
        errs.append("buggy == canonical")
    given = t["given_tests"]
    if not isinstance(given, list) or not 2 <= len(given) <= 3:
        errs.append("given_tests must be a list of 2-3 strings")
        return errs, notes
    for g in given:
        if not isinstance(g, str) or "\n" in g or not g.startswith("assert ") or ep not in g:
            errs.append("bad given test: %r" % g)
    hidden = t["test"]
    hlines = hidden.split("\n") if isinstance(hidden, str) else []
    if not 5 <= len(hlines) <= 8 or not all(h.startswith("assert ") for h in hlines):
        errs.append("hidden test must be 5-8 assert lines (got %d)" % len(hlines))
    if errs:
        return errs, notes

    canon, buggy = t["canonical_solution"], t["buggy_solution"]
    ok, d = run(canon, "\n".join(given))
    if not ok:
        errs.append("canonical fails given tests together: " + d)
    for g in given:
        ok, d = run(canon, g)
        if not ok:
            errs.append("canonical fails given test %r: %s" % (g, d))
    check_hidden(canon, buggy, hidden, errs, notes)
    failing = []
    for i, g in enumerate(given):
        ok, d = run(buggy, g)
        if not ok:
            failing.append("g%d(%s)" % (i + 1, d[:60]))
    if not failing:
        errs.append("no given test fails (alone) on buggy")
    else:
        notes.append("given failing alone: " + ", ".join(failing))
    ok, _ = run(buggy, "\n".join(given))
    if ok:
        errs.append("given tests together pass on buggy")
    return errs, notes


def check_hidden(canon, buggy, hidden, errs, notes, width=None):
    """The canonical program passes the hidden test and the buggy one fails it."""
    ok, d = run(canon, hidden)
    if not ok:
        errs.append("canonical fails hidden test: " + d)
    ok, d = run(buggy, hidden)
    if ok:
        errs.append("buggy PASSES hidden test")
    else:
        notes.append("hidden: buggy -> " + (d if width is None else d[:width]))


def check_programs(t, ep, errs):
    """Both programs start at column 0, define the entry point and compile."""
    for key in ("buggy_solution", "canonical_solution"):
        prog = t[key]
        if not isinstance(prog, str) or not prog.startswith(("def ", "class ", "import ", "from ")):
            errs.append("%s does not start with def/class/import/from at column 0" % key)
        elif ("def %s(" % ep) not in prog:
            errs.append("%s does not define %s" % (key, ep))
        try:
            compile(prog, key, "exec")
        except SyntaxError as e:
            errs.append("%s syntax error: %s" % (key, e))


def check_blind6(t, ep, errs, notes):
    """blind6/: MBPP shape, one given test (the first hidden one), 3-5 hidden asserts."""
    prompt, canon, buggy = t["prompt"], t["canonical_solution"], t["buggy_solution"]
    if not isinstance(prompt, str) or not prompt.startswith("def %s(" % ep) or '"""' not in prompt:
        errs.append("prompt is not a def %s( header with a docstring" % ep)
    elif not isinstance(buggy, str) or not buggy.startswith(prompt):
        errs.append("buggy_solution does not start with the prompt")
    check_programs(t, ep, errs)
    if errs:
        return errs, notes
    body = buggy[len(prompt):].rstrip("\n").splitlines()
    if not 3 <= len(body) <= 20:
        errs.append("buggy body has %d lines" % len(body))
    if buggy == canon:
        errs.append("buggy == canonical")
    given = t["given_tests"]
    if not isinstance(given, list) or len(given) != 1:
        errs.append("given_tests must be a list of exactly 1 string")
        return errs, notes
    g = given[0]
    if not isinstance(g, str) or "\n" in g or not g.startswith("assert ") or ep not in g:
        errs.append("bad given test: %r" % g)
    hidden = t["test"]
    hlines = hidden.split("\n") if isinstance(hidden, str) else []
    if not 3 <= len(hlines) <= 5 or not all(h.startswith("assert ") and ep in h for h in hlines):
        errs.append("hidden test must be 3-5 assert lines (got %d)" % len(hlines))
    elif hlines[0] != g:
        errs.append("first hidden assert is not the given test")
    if errs:
        return errs, notes
    ok, d = run(canon, g)
    if not ok:
        errs.append("canonical fails given test: " + d)
    check_hidden(canon, buggy, hidden, errs, notes, 60)
    ok, d = run(buggy, g)
    t["_given_fails"] = not ok
    notes.append("given fails on buggy (%s)" % d[:50] if not ok else "given PASSES on buggy")
    return errs, notes


def main():
    tasks, errors = [], 0
    with open(PATH) as f:
        for ln, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                tasks.append(json.loads(line))
            except json.JSONDecodeError as e:
                print("line %d: invalid JSON: %s" % (ln, e))
                errors += 1
    seen = set()
    for t in tasks:
        errs, notes = check_task(t, seen)
        tid = t.get("task_id", "?")
        if errs:
            errors += 1
            print("FAIL %-32s %s" % (tid, " | ".join(errs)))
        else:
            print("ok   %-32s %s" % (tid, " ; ".join(notes)))
    print()
    print("bug_type counts:")
    for bt, c in sorted(Counter(t.get("bug_type") for t in tasks).items()):
        print("  %-18s %d" % (bt, c))
    print()
    b6 = [t for t in tasks if str(t.get("task_id", "")).startswith("blind6/")]
    if b6:
        print("blind6: buggy fails the given test in %d of %d tasks"
              % (sum(1 for t in b6 if t.get("_given_fails")), len(b6)))
    print("%d tasks, %d rejected" % (len(tasks), errors))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
