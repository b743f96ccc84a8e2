"""The program search: evidence from the original run, a deterministic stream of candidate programs,
screening against the user's tests, and the ranked survivors.

Determinism: the stream of candidates depends only on the paste (no set or hash order, no clock), and
the budget counts candidates; `budget.ms` only stops a search early, reported as `exhausted: false`.
Resuming: the payload's `skip` ({count, scores}) says how far an earlier run of the same search got
and how the candidates it screened scored; the run regenerates the same stream, takes those scores as
given and screens from `count` on. src/repair/search.ts re-issues a search that was cut short (time, or
a runner killed by a candidate stuck in C) this way, so the answer is the one an uninterrupted search
would give. A candidate the screening limits stopped is reported with a negative score (-1 - passed):
after the stream, the first few of those are screened once more with the request's own limits, by
whichever run gets there.
"""

from __future__ import annotations

import ast
import itertools
import math
import os
import re
import signal
import sys
import time
from typing import Any, Callable, Iterable, Iterator

from ..discover import TestsSyntaxError, discover
from ..harness import Limits, compile_program, merge_limits, register_source
from ..discover import PROGRAM_FILE, TESTS_FILE
from .. import bounded
from . import (ops_branches, ops_calls, ops_compare, ops_constants, ops_copies, ops_guards, ops_idioms, ops_imports,
               ops_operators, ops_returns, ops_statements, ops_syntax, ops_unused, ops_variables)
from .checks import Recorder, Runner, literal, out_of_steps
from .edits import Context, Edit, Evidence, Source, apply_edits, numbers_of, strings_of

OPERATORS = (ops_operators, ops_compare, ops_constants, ops_variables, ops_calls, ops_returns, ops_branches,
             ops_idioms, ops_statements, ops_guards, ops_unused)
REPORT_EVERY_S = 0.5
PARTIAL_KEPT = 3
RETRY_CUT_OFF = 6  # candidates stopped by the screening limits that get the whole step budget once


def _norm(tree: ast.AST) -> str:
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


_CANCELLING = (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.BitXor)
_UNDOES: dict[type, tuple[type, ...]] = {ast.Div: (ast.Mult,), ast.FloorDiv: (ast.Mult,), ast.Sub: (ast.Add,), ast.Add: (ast.Sub,),
                                         ast.Mult: (ast.Div,)}


def _runs_once(loop: ast.While) -> bool:
    """`while x >= y:` (or `>`) whose body, at its top level, reduces `x` modulo `y`."""
    test = loop.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Gt, ast.GtE))):
        return False
    x, y = ast.unparse(test.left), ast.unparse(test.comparators[0])
    for stmt in loop.body:
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Mod):
            target, value = stmt.target, stmt.value
        elif (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, ast.BinOp)
              and isinstance(stmt.value.op, ast.Mod) and ast.unparse(stmt.value.left) == ast.unparse(stmt.targets[0])):
            target, value = stmt.targets[0], stmt.value.right
        else:
            continue
        if ast.unparse(target) == x and ast.unparse(value) == y:
            return True
    return False


def _degenerate(tree: ast.AST) -> int:
    """Operations whose two sides are the same expression (`a / a`, `n - n`, `x % x`, `a < a`, `a or a`) or that undo
    the step before them (`x * a / a`, `x + a - a`). An edit that
    makes one more than the program had writes a constant (or a crash at zero) the long way round: a
    deletion in disguise, never what a person meant, so the search does not screen it. So is a `while x >= y:`
    whose body takes `x %= y`: the first pass leaves `x < y`, a loop that can never run twice is an `if`."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and _runs_once(node):
            count += 1
        if isinstance(node, ast.BoolOp):
            # `a or a`, `x and y and x`: an operand said twice adds nothing (a deletion in disguise)
            seen = [_norm(v) for v in node.values]
            count += len(seen) - len(set(seen))
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.left, ast.BinOp) and type(node.op) in _UNDOES \
                and isinstance(node.left.op, _UNDOES[type(node.op)]):
            left, right = node.left.right, node.right  # `x * a / a`, `x + a - a`: the last step undoes the one before
        elif isinstance(node, ast.BinOp) and isinstance(node.op, _CANCELLING):
            left, right = node.left, node.right
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = node.left, node.comparators[0]
        else:
            continue
        if not isinstance(left, ast.Constant) and _norm(left) == _norm(right):
            count += 1
    return count


def entry_from_tests(tests: str | None) -> str | None:
    """HumanEval style: `check(find_zero)` names the function under test."""
    if not tests:
        return None
    try:
        tree = ast.parse(tests)
    except SyntaxError:
        return None
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in defined:
            if call.args and isinstance(call.args[0], ast.Name):
                return call.args[0].id
    return None


def oracle_spans(tree: ast.Module, tests: str | None, entry: str | None) -> list[tuple[int, int]]:
    """Top-level functions and classes the tests call besides the one under test: the tests' oracle
    (a `poly` the test uses to check `find_zero`). Editing them makes tests pass without fixing anything."""
    if not tests or not entry:
        return []
    try:
        test_tree = ast.parse(tests)
    except SyntaxError:
        return []
    used = {n.id for n in ast.walk(test_tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    spans = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name != entry and node.name in used:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans.append((first, node.end_lineno or node.lineno))
    return spans


class Screener:
    """Scores candidates in a forked child where fork exists: a variant stuck in C (a giant `**`, an
    allocation that never ends), which no signal reaches, then costs one candidate and a kill. Without
    fork (Pyodide) it scores in process; there the host's kill and a resumed search do the same job."""

    def __init__(self, score: Callable[[str], int], per_candidate_s: float):
        self.score = score
        self.per_candidate_s = per_candidate_s
        self.forking = hasattr(os, "fork") and sys.platform != "emscripten"

    def screen(self, texts: list[str], before: Callable[[int], None]) -> Iterator[tuple[int, int]]:
        if not self.forking:
            for k, text in enumerate(texts):
                before(k)
                yield k, self.score(text)
            return
        import select

        i = 0
        while i < len(texts):
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child scores from i on and never returns into the runner
                try:
                    os.close(r)
                    for k in range(i, len(texts)):
                        os.write(w, f"{k} {self.score(texts[k])}\n".encode())
                finally:
                    os._exit(0)
            os.close(w)
            expected = i
            buf = b""
            try:
                while True:
                    ready, _, _ = select.select([r], [], [], self.per_candidate_s)
                    if not ready:
                        yield expected, 0  # stuck: killed below
                        i = expected + 1
                        break
                    chunk = os.read(r, 65536)
                    if not chunk:
                        if expected < len(texts):
                            yield expected, 0  # the child died on this one
                        i = expected + 1
                        break
                    buf += chunk
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        k_text, p_text = line.split()
                        expected = int(k_text) + 1
                        yield int(k_text), int(p_text)
                    if expected >= len(texts):
                        i = expected
                        break
            finally:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    os.waitpid(pid, 0)
                except OSError:
                    pass
                os.close(r)


def _limits(raw: Any) -> Limits:
    return Limits(**merge_limits(raw))


def _error_text(result: dict[str, Any]) -> str | None:
    err = result.get("error")
    if not isinstance(err, dict):
        return None
    return f"{err.get('type')}: {err.get('message', '')}"[:200]


def search(payload: dict[str, Any], raw_limits: Any, report: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    started = time.monotonic()
    source: str = payload["source"]
    tests = payload.get("tests") if isinstance(payload.get("tests"), str) else None
    entry = payload.get("entryPoint") or entry_from_tests(tests)
    budget = payload.get("budget") if isinstance(payload.get("budget"), dict) else {}
    max_candidates = int(budget.get("candidates", 3000))
    deadline = started + float(budget.get("ms", 20000)) / 1000.0
    want_search = payload.get("op", "search") == "search"
    return_limit = max(1, int(payload.get("returnLimit", 5)))
    skip = payload.get("skip") if isinstance(payload.get("skip"), dict) else {}
    skip_count = int(skip.get("count", 0))
    skip_scores = {int(i): int(p) for i, p in skip.get("scores", []) if isinstance(i, int) and isinstance(p, int)}
    limits = _limits(raw_limits)
    nlines = len(source.splitlines())
    editable_raw = payload.get("editable") or [1, nlines]
    editable = (max(1, int(editable_raw[0])), max(1, min(nlines, int(editable_raw[1]))))

    out: dict[str, Any] = {"ok": True, "checks": [], "suspicious": [], "inputs": [], "candidates": [], "tried": 0,
                           "exhausted": False, "scores": []}
    try:
        specs = discover(tests, entry, source)
    except TestsSyntaxError as exc:
        out.update(ok=False, reason="tests_syntax", error=f"SyntaxError in the tests: {exc}")
        return out
    if tests:
        register_source(TESTS_FILE, tests)
    runner = Runner(specs, limits, tests)
    try:
        base_edits: list[Edit] = []
        try:
            ast.parse(source)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            out["syntax"] = {"line": line, "error": f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}"}
            repaired, out["syntax"]["tried"] = _syntax_base(source, line, editable, runner)
            if repaired is None:
                out.update(ok=False, reason="syntax", error=out["syntax"]["error"], line=line)
                return out
            source, base_edits = repaired
        # A NameError for a standard-library name hides every other bug: import it, then search on.
        imported = ops_imports.add_imports(source, tests, editable)
        if imported is not None:
            source, at, added = imported
            base_edits = base_edits + [Edit([], at, "import", f"add `{line}`", 0) for line in added]
            editable = (editable[0], editable[1] + len(added))
        # Likewise when the tests call a name the program has only under another one.
        renamed = ops_calls.rename_to_called(source, tests, editable)
        if renamed is not None:
            source, at, desc = renamed
            base_edits = base_edits + [Edit([], at, "rename", desc, 0)]
        return _search(source, tests, entry, editable, runner, out, want_search, max_candidates, deadline, return_limit,
                       skip_count, skip_scores, base_edits, report, started)
    finally:
        runner.close()


def _syntax_base(source: str, line: int | None, editable: tuple[int, int],
                 runner: Runner) -> tuple[tuple[str, list[Edit]] | None, int]:
    """The syntax repair to search from (the one that passes most tests, nearest the named line first), and
    how many repairs were run to find it."""
    best: tuple[int, int, str, Edit] | None = None
    tried = 0
    for k, (text, ln, desc) in enumerate(ops_syntax.repairs(source, line)):
        if not editable[0] <= ln <= editable[1]:
            continue
        compiled = compile_program(text)
        if compiled.code is None:
            continue
        tried += 1
        register_source(PROGRAM_FILE, text)
        passed = sum(1 for r in runner.run_all(compiled.code, screening=True) if r["status"] == "passed")
        if best is None or passed > best[0]:
            best = (passed, k, text, Edit([], ln, "syntax", desc, 0))
    if best is None:
        return None, tried
    return (best[2], [best[3]]), tried


def _search(source: str, tests: str | None, entry: str | None, editable: tuple[int, int], runner: Runner,
            out: dict[str, Any], want_search: bool, max_candidates: int, deadline: float, return_limit: int,
            skip_count: int, skip_scores: dict[int, int], base_edits: list[Edit],
            report: Callable[[dict[str, Any]], None] | None, started: float) -> dict[str, Any]:
    specs = runner.specs
    tree = ast.parse(source)
    # The evidence runs are bounded as the screening is (bounded.py): an original whose bug is a
    # power with billions of digits then shows an OverflowError at once instead of stalling the runner.
    # The user's own test results come from the engine's runs of the program as written, not from these.
    bounded.install()
    code = bounded.compiled(source)
    register_source(PROGRAM_FILE, source)
    if report is not None:
        report(dict(out, partial=True, elapsedMs=_ms(started)))  # a kill from here on still leaves an answer
    # ---- evidence on the original program
    recs: list[Recorder] = []
    results: list[dict[str, Any]] = []
    first_failing: int | None = None
    slowest_ms, most_steps = 0.0, 0
    capped = [False]
    recs = [Recorder(keep_values=True, capped=capped) for _ in specs]
    results = runner.run_all(code, recorders=recs)
    for i, res in enumerate(results):
        if res["status"] != "passed" and first_failing is None:
            first_failing = i
        elif i != first_failing:
            recs[i].values.clear()  # values are reported for the first failing test only
    # the passing tests' cost untraced, loop iterations counted: what screening limits scale from (the
    # traced durations bound it from above meanwhile, so a test that loops stops soon here too)
    traced_ms = max([float(r.get("durationMs", 0)) for r in results if r["status"] == "passed"] or [0.0])
    runner.tune(traced_ms, 0)
    screened = runner.run_all(code, screening=True)
    cut = [i for i, (r, s) in enumerate(zip(results, screened)) if out_of_steps(s) and (r["status"] == "failed" or recs[i].ran_out)]
    if cut:
        # A failing test the screening limits cut off may be a wrong answer that takes long, not a hang:
        # its input is bigger than every passing test's, and limits scaled from those alone would cut
        # every candidate off, the fix too. The first such test runs once more on a longer leash: if it
        # ends, the work it does is work a fix may do as well. (A resumed search pays this again, so the
        # leash is ten times the usual, not the request's whole budget.)
        runner.generous()
        screened[cut[0]] = runner.run_alone(code, specs[cut[0]])
    for res in screened:
        if res["status"] in ("passed", "failed"):
            slowest_ms = max(slowest_ms, float(res.get("durationMs", 0)))
            most_steps = max(most_steps, int(res.get("steps", 0)))
    for spec, res, rec in zip(specs, results, recs):
        entry_json: dict[str, Any] = {"id": spec.id, "name": spec.name, "kind": spec.kind, "status": res["status"],
                                      "lines": sorted(rec.lines)}
        for key in ("expected", "actual"):
            if key in res:
                entry_json[key] = res[key]
        error = _error_text(res)
        if error and res["status"] != "failed":
            entry_json["error"] = error
        if isinstance(res.get("error"), dict) and isinstance(res["error"].get("line"), int) and res["status"] == "error":
            entry_json["errorLine"] = res["error"]["line"]
        if spec.line is not None:
            entry_json["line"] = spec.line
        out["checks"].append(entry_json)
    failing = [i for i, r in enumerate(results) if r["status"] != "passed"]
    evidence = Evidence()
    evidence.numbers = numbers_of(source, tests)
    evidence.test_strings = strings_of(tests)
    for i in failing:
        call = recs[i].first_call
        if call is not None:
            evidence.failing_calls.append(call)
            out["inputs"].append({"func": call["func"], "args": {k: _short(v) for k, v in call["args"].items()}, "check": specs[i].id})
        expected = _literal(results[i].get("expected"))
        if expected is not _UNKNOWN:
            evidence.expected.append(expected)
            evidence.actual.append(_literal(results[i].get("actual")))
        elif results[i]["status"] == "error":
            # it raised before comparing: what it was to answer, if the test writes it (`assert f(x) == ''`)
            written = _asserted(specs[i].source)
            if written is not _UNKNOWN:
                evidence.raised_expected.append(written)
        err = results[i].get("error")
        if results[i]["status"] == "error" and isinstance(err, dict) and err.get("type") == "NameError" and err.get("where") == "test":
            missing = re.match(r"name '(\w+)' is not defined", str(err.get("message", "")))
            if missing and missing.group(1) not in evidence.missing_names:
                evidence.missing_names.append(missing.group(1))
        if results[i]["status"] == "error" and isinstance(err, dict) and isinstance(err.get("line"), int):
            evidence.error_lines.append(err["line"])
            evidence.error_types.setdefault(err["line"], str(err.get("type")))
            evidence.error_messages.setdefault(err["line"], str(err.get("message", "")))
    if not failing:
        if base_edits:  # the syntax repair or the missing import alone passes every test
            out["candidates"] = [{"source": source, "passed": len(specs), "total": len(specs), "rank": -1,
                                  "size": sum(e.size() for e in base_edits),
                                  "edits": [{"line": e.line, "kind": e.kind, "description": e.desc, "before": ""} for e in base_edits]}]
            out["tried"] = max(1, out.get("syntax", {}).get("tried", 0))
        out["elapsedMs"] = _ms(started)
        return out

    # ---- localisation: Ochiai over the tests, plus the raising line and the lines that returned
    scores: dict[int, float] = {}
    if failing:
        nf = len(failing)
        fail_set = set(failing)
        first_rec = recs[failing[0]]
        last_step = max(first_rec.order.values()) if first_rec.order else 1
        cover: dict[int, list[int]] = {}
        for i, rec in enumerate(recs):
            for ln in rec.lines:
                cover.setdefault(ln, []).append(i)
        for ln in sorted(cover):
            who = cover[ln]
            ef = sum(1 for i in who if i in fail_set)
            if ef == 0:
                continue
            score = ef / math.sqrt(nf * len(who))
            score += 0.05 * first_rec.order.get(ln, 0) / max(last_step, 1)  # later: nearer where it surfaced
            scores[ln] = score
        for ln in evidence.error_lines:
            scores[ln] = scores.get(ln, 0.0) + 0.3
        for ln in first_rec.returns:
            if ln in scores:
                scores[ln] += 0.1
    ranked_lines = sorted((ln for ln in scores if editable[0] <= ln <= editable[1]), key=lambda ln: (-scores[ln], ln))
    evidence.suspicious = ranked_lines
    out["suspicious"] = [{"line": ln, "score": round(scores[ln], 3)} for ln in ranked_lines[:10]]
    if failing:
        ff = failing[0]
        res = results[ff]
        failing_json: dict[str, Any] = {"check": specs[ff].id, "name": specs[ff].name, "status": res["status"]}
        for key in ("expected", "actual"):
            if key in res:
                failing_json[key] = res[key]
        if _error_text(res) and res["status"] != "failed":
            failing_json["error"] = _error_text(res)
        if isinstance(res.get("error"), dict) and isinstance(res["error"].get("line"), int) and res["status"] == "error":
            failing_json["errorLine"] = res["error"]["line"]
        top = set(ranked_lines[:6])
        failing_json["values"] = {str(ln): vals for ln, vals in sorted(recs[ff].values.items()) if ln in top}
        failing_json["returns"] = {str(ln): v for ln, v in sorted(recs[ff].returns.items())}
        out["failing"] = failing_json
    if not want_search:
        out["elapsedMs"] = _ms(started)
        return out

    # ---- candidate edits, most promising first
    for rec in recs:
        for k, v in rec.types.items():
            evidence.types.setdefault(k, set()).update(v)
        for k, v in rec.return_types.items():
            evidence.return_types.setdefault(k, set()).update(v)
    src = Source(source)
    ctx = Context(src, tree, editable, evidence, oracle_spans(tree, tests, entry))
    for module in OPERATORS:
        module.generate(ctx)
    ops_copies.generate(ctx)  # after the others: it repeats their edits at every copy of an expression
    edits = ctx.edits
    line_score = {ln: scores.get(ln, 0.0) for ln in range(1, len(src.lines) + 2)}
    order = sorted(range(len(edits)), key=lambda i: (-(line_score.get(edits[i].line, 0.0) * 3.0 - edits[i].tier), i))
    edits = [edits[i] for i in order]
    runner.tune(slowest_ms, most_steps)
    total = len(specs)
    out["prepMs"] = _ms(started)  # evidence and stream built: what every resumed run pays again before screening

    def score(text: str) -> int:
        """Tests passed; negative (-1 - passed) when the screening limits cut a test off."""
        code = bounded.compiled(text)
        if code is None:
            return 0
        passed, cut = runner.score(code, failing)
        return -1 - passed if cut else passed

    # A forked screener kills a candidate that went silent this long: one test's limit (a C call the alarm
    # cannot reach), plus what all its tests normally take (generously), not every test's full limit.
    per_candidate_s = runner.screen_timeout_ms / 1000.0 + (total + len(failing)) * slowest_ms * 20 / 1000.0 + 0.5
    screener = Screener(score, per_candidate_s)
    seen: set[str] = {_norm(tree)}
    degenerate_before = _degenerate(tree)
    stream_index = 0
    tried = 0
    scored: dict[int, int] = {}  # stream index -> tests passed (only > 0 kept)
    # stream index -> tests passed, of candidates the screening limits stopped and not yet re-screened;
    # reported in `scores` as -1 - passed, so that a resumed search re-screens them too
    cut_off: dict[int, int] = {}

    def scores_json() -> list[list[int]]:
        return sorted([i, -1 - cut_off[i] if i in cut_off else p] for i, p in {**cut_off, **scored}.items())
    chosen_of: dict[int, list[Edit]] = {}
    text_of: dict[int, str] = {}
    base_passed = total - len(failing)
    last_report = [0.0]

    def result_json() -> list[dict[str, Any]]:
        passing = [i for i, p in scored.items() if p == total]
        passing.sort(key=lambda i: _rank(chosen_of[i], line_score, i))
        partial = sorted((i for i, p in scored.items() if base_passed < p < total), key=lambda i: (-scored[i], i))
        keep = passing[:return_limit] + partial[:PARTIAL_KEPT]
        out_list = []
        for i in keep:
            chosen = base_edits + chosen_of[i]
            out_list.append({
                "source": text_of[i],
                "passed": scored[i],
                "total": total,
                "edits": [{"line": e.line, "kind": e.kind, "description": e.desc,
                           "before": src.lines[e.line - 1].rstrip("\n") if 0 < e.line <= len(src.lines) and e.kind != "import" else ""}
                          for e in chosen],
                "size": sum(e.size() for e in chosen),
                "rank": i,
            })
        return out_list

    def snapshot(cursor: int | None) -> dict[str, Any]:
        snap = dict(out, candidates=result_json(), tried=tried, exhausted=False, partial=True, elapsedMs=_ms(started),
                    scores=scores_json())
        if cursor is not None:
            snap["cursor"] = cursor
        return snap

    def progress(cursor: int | None = None) -> None:
        now = time.monotonic()
        if report is None:
            return
        if cursor is not None:
            # Screening in process (no fork), a candidate stuck in C ends the runner: a light report before
            # each candidate names it (`cursor`), and the host resumes after it (src/repair/search.ts).
            report({"ok": True, "partial": True, "light": True, "tried": tried, "cursor": cursor,
                    "scores": scores_json(), "elapsedMs": _ms(started)})
            return
        if now - last_report[0] >= REPORT_EVERY_S:
            last_report[0] = now
            report(snapshot(None))

    def over() -> bool:
        return tried >= max_candidates or time.monotonic() > deadline

    def enough() -> bool:
        return sum(1 for p in scored.values() if p == total) >= return_limit

    def screen(batch: list[int], retry: bool = False) -> bool:
        """Scores a batch of candidates; True when the search should stop. A re-screened candidate is
        never named as the one in flight: the stream position a resumed search starts from stays put."""
        nonlocal tried
        results_iter = screener.screen([text_of[i] for i in batch], (lambda k: None) if retry else lambda k: progress(batch[k]))
        try:
            for k, passed in results_iter:
                idx = batch[k]
                if not retry:
                    tried = idx + 1
                if passed < 0:
                    passed = -1 - passed
                    if not retry:
                        cut_off[idx] = passed
                if passed > 0:
                    scored[idx] = passed
                progress()
                if enough() or over():
                    return True
        finally:
            results_iter.close()
        return False

    def feed(combos: Iterable[list[Edit]]) -> bool:
        """Screens the stream of edit combinations; True when the search should stop."""
        nonlocal stream_index, tried
        batch: list[int] = []

        def flush() -> bool:
            if not batch:
                return False
            if screen(batch):
                return True
            batch.clear()
            return False

        for chosen in combos:
            text = apply_edits(source, chosen)
            try:
                candidate = ast.parse(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            key = _norm(candidate)
            if key in seen:
                continue
            seen.add(key)
            if _degenerate(candidate) > degenerate_before:
                continue
            idx = stream_index
            stream_index += 1
            if idx >= max_candidates:
                flush()
                return True
            chosen_of[idx] = chosen
            text_of[idx] = text
            if idx < skip_count:
                tried = idx + 1
                earlier = skip_scores.get(idx, 0)
                if earlier < 0:
                    cut_off[idx] = earlier = -1 - earlier
                if earlier > 0:
                    scored[idx] = earlier
                if enough():
                    return True
                continue
            batch.append(idx)
            if len(batch) >= 200 and flush():
                return True
            if time.monotonic() > deadline:
                flush()
                return True
        return flush()

    progress()
    stop = feed([e] for e in edits)
    if not stop and not any(p == total for p in scored.values()) and not over():
        # pairs: seeded by single edits that made some failing tests pass, then the most suspicious lines
        seeds_idx = sorted((i for i in scored), key=lambda i: (-scored[i], i))[:30]
        seeds = [chosen_of[i][0] for i in seeds_idx if len(chosen_of[i]) == 1]
        top3, top6 = set(ranked_lines[:3]), set(ranked_lines[:6])
        cheap = [e for e in edits if e.line in top6 and e.tier == 0][:80]
        top_edits = [e for e in edits if e.line in top3 and e.tier <= 2][:150]
        others = [e for e in edits if e.tier <= 2][:600]
        pairs = (
            [a, b]
            for a, b in itertools.chain(itertools.combinations(cheap, 2), ((s, o) for s in seeds for o in others),
                                        itertools.combinations(top_edits, 2))
            if a is not b and not a.overlaps(b)
        )
        stop = feed(pairs)
    if not stop and not any(p == total for p in scored.values()) and cut_off and not over():
        # Limits scaled from the original are tight when the original failed early: a fix may have to do
        # far more work than the failing run did (a loop that now runs to its end). The first few
        # candidates those limits stopped are screened once more with the request's own limits.
        runner.unscaled()
        screener = Screener(score, runner.screen_timeout_ms / 1000.0 * (total + len(failing)) + 0.5)
        for idx in sorted(cut_off)[:RETRY_CUT_OFF]:
            del cut_off[idx]
            if report is not None and not screener.forking:
                report(snapshot(None))  # a candidate stuck in C ends the runner: it is not re-screened again
            if screen([idx], retry=True):
                stop = True
                break
    out["tried"] = tried + out.get("syntax", {}).get("tried", 0)
    out["exhausted"] = not over() and not enough() and time.monotonic() <= deadline
    # why it stopped: the host resumes a search stopped by its time slice ('time'), never the others
    out["stop"] = ("enough" if enough() else "candidates" if tried >= max_candidates or stream_index > max_candidates
                   else "time" if time.monotonic() > deadline else "done")
    out["candidates"] = result_json()
    out["scores"] = scores_json()
    out["elapsedMs"] = _ms(started)
    return out


def _rank(chosen: list[Edit], line_score: dict[int, float], index: int) -> tuple[Any, ...]:
    """Plausibility, best first: fewer edits, no new magic numbers, at suspicious lines, common kinds, small."""
    return (
        len(chosen),
        sum(e.new_numbers for e in chosen),
        -round(max(line_score.get(e.line, 0.0) for e in chosen), 2),
        sum(e.tier for e in chosen),
        sum(e.size() for e in chosen),
        index,
    )


# A repr that is not a literal (an object, a cut-off value): of no type the tests name.
_UNKNOWN = object()


def _literal(text: Any) -> Any:
    try:
        return ast.literal_eval(text) if isinstance(text, str) else _UNKNOWN
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _UNKNOWN


def _asserted(test: str) -> Any:
    """The literal a one-line `assert call == literal` (either way round) expects; _UNKNOWN otherwise."""
    try:
        tree = ast.parse(test.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _UNKNOWN
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return _UNKNOWN
    test_expr = tree.body[0].test
    if not (isinstance(test_expr, ast.Compare) and len(test_expr.ops) == 1 and isinstance(test_expr.ops[0], ast.Eq)):
        return _UNKNOWN
    for side in (test_expr.comparators[0], test_expr.left):
        try:
            return ast.literal_eval(side)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return _UNKNOWN


def _short(value: Any) -> str:
    from ..reprs import safe_repr

    return safe_repr(value, 80)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def handle(payload: Any, limits: Any, report: Callable[[Any], None] | None = None) -> Any:
    """Entry of the runner's `mutate` mode; `report` sends an interim payload (the last one sent wins)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("source"), str):
        return {"ok": False, "reason": "bad_payload"}
    return search(payload, limits, report)
