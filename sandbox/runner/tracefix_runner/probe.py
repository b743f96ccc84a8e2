"""Probing: run the original program and candidate fixes on inputs grown from the tests' own calls.

Candidates that pass every test may still disagree elsewhere; the engine clusters them by what they do
on these inputs. Payload (mode `mutate`, op `probe`):

    {op: 'probe', programs: [{id, source}], tests, entryPoint, budget: {inputs, ms}}

The first program is the original: its run of the tests yields the seed calls. Answer:

    {ok, func, seeds, inputs: [{call: "f(1, [2])", outputs: {programId: repr | "raises Type: msg" | "timeout"},
     from}], truncated}

`seeds`: how many of the first inputs are the tests' own calls; `from`: the index of the seed input an
input was grown from (a seed's own index for a seed).

Deterministic: seeds come in test order, variations in a fixed order, reprs are canonical (sets and dict
items sorted, object addresses blanked), and each call is limited by a count of loop iterations and
calls, time being only a backstop (see CALL_STEP_BUDGET). Only arguments whose repr is a Python literal are used, so every `call` is source a test can repeat.
"""

from __future__ import annotations

import ast
import builtins
import io
import re
import sys
import time
import types
from dataclasses import replace
from typing import Any, Callable

from .capture import Capture
from .discover import DOCTEST_FILE, FAIL_NAME, PROGRAM_FILE, TESTS_FILE, TestsSyntaxError, discover, fail
from .harness import Limits, compile_program, merge_limits, register_source, run_test
from .reprs import exception_message, safe_repr, shorten
from . import bounded
from .watchdog import HAS_ITIMER, TestTimeout, Watchdog

DEFAULT_INPUTS = 40
DEFAULT_MS = 5_000
MAX_INPUTS = 200
# Every probe call counts its loop iterations and its calls from the start (the watchdog's `eager` and
# `count_calls` modes), so whether a call finishes is decided by a count, the same on both backends and
# under any load; time is only a backstop (a call stuck in C). A seed is a call the tests make: it gets up
# to SEED_STEP_BUDGET (the original, run beside fixes, at most GROWTH times what they used on it). A grown
# input gets GROWTH times what that program's costliest seed used, and at least CALL_STEP_BUDGET: "does
# not finish" means far costlier than the tests' own calls, not slower than some fixed size.
CALL_STEP_BUDGET = 100_000
SEED_STEP_BUDGET = 1_000_000
GROWTH = 10
# The backstop per call: generous per step (Pyodide counts about 3x slower than CPython 3.11's 0.5 us, and
# a loaded machine slower still), so that the count binds first; bounded for a call stuck in C, the one
# hang the count cannot see.
CALL_BACKSTOP_MS_PER_STEP = 0.005
CALL_BACKSTOP_MIN_MS = 200
CALL_BACKSTOP_MAX_MS = 8_000
# All calls together: past this many counted steps no more inputs are tried (a count again, so two
# backends stop at the same input); the request's `ms` stays the backstop.
TOTAL_STEP_BUDGET = 4_000_000
OUTPUT_CHARS = 200
CALL_CHARS = 300
_ARG_CHARS = 10_000
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08


class _BadPayload(Exception):
    pass


def handle(payload: Any, limits: Any, report: Callable[[Any], None] | None = None) -> dict[str, Any]:
    try:
        programs, tests, entry, max_inputs, max_ms = _validate(payload)
    except _BadPayload as e:
        return {"ok": False, "reason": "bad_payload", "error": str(e)}
    lim = Limits(**merge_limits(limits))
    wd = Watchdog()
    try:
        return _probe(programs, tests, entry, max_inputs, max_ms, lim, wd, report)
    finally:
        wd.release()


def _validate(payload: Any) -> tuple[list[dict[str, str]], str | None, str | None, int, int]:
    if not isinstance(payload, dict):
        raise _BadPayload("payload must be an object")
    programs = payload.get("programs")
    if not isinstance(programs, list) or not programs:
        raise _BadPayload("programs must be a non-empty array")
    for p in programs:
        if not isinstance(p, dict) or not isinstance(p.get("id"), str) or not p["id"] or not isinstance(p.get("source"), str):
            raise _BadPayload("each program needs a non-empty string id and a string source")
    tests = payload.get("tests")
    if tests is not None and not isinstance(tests, str):
        raise _BadPayload("tests must be a string or null")
    entry = payload.get("entryPoint")
    if entry is not None and (not isinstance(entry, str) or not entry.isidentifier()):
        raise _BadPayload("entryPoint must be an identifier")
    budget = payload.get("budget") or {}
    if not isinstance(budget, dict):
        raise _BadPayload("budget must be an object")
    inputs = budget.get("inputs", DEFAULT_INPUTS)
    ms = budget.get("ms", DEFAULT_MS)
    if not isinstance(inputs, int) or isinstance(inputs, bool) or inputs <= 0:
        raise _BadPayload("budget.inputs must be a positive integer")
    if not isinstance(ms, int) or isinstance(ms, bool) or ms <= 0:
        raise _BadPayload("budget.ms must be a positive integer")
    return programs, tests, entry, min(inputs, MAX_INPUTS), ms


def _probe(programs: list[dict[str, str]], tests: str | None, entry: str | None, max_inputs: int, max_ms: int,
           limits: Limits, wd: Watchdog, report: Callable[[Any], None] | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    original = programs[0]
    compiled = compile_program(original["source"])
    if compiled.error is not None:
        return {"ok": False, "reason": "original_does_not_compile", "inputs": []}
    try:
        specs = discover(tests, entry, original["source"])
    except TestsSyntaxError:
        return {"ok": False, "reason": "tests_do_not_parse", "inputs": []}
    if tests:
        register_source(TESTS_FILE, tests)
    register_source(PROGRAM_FILE, original["source"])

    recorder = _CallRecorder()
    # The original fails some of the tests, often by not finishing them (a loop that never ends, a number
    # that grows without bound): with a fix beside it, whose run below makes every call the tests make,
    # it collects seeds on a grown call's leash, so its hang costs little of the probe's time.
    _collect_seeds(recorder, original["id"], compiled.code, specs, tests, limits, wd,
                   CALL_STEP_BUDGET if len(programs) > 1 else SEED_STEP_BUDGET)
    # The original stops at its first failing assert; a candidate passes them all and so makes every call
    # the tests make (a `check()` that loops over examples): its calls are seeds too, after the original's.
    if len(programs) > 1:
        first = compile_program(programs[1]["source"])
        if first.error is None:
            register_source(PROGRAM_FILE, programs[1]["source"])
            _collect_seeds(recorder, programs[1]["id"], first.code, specs, tests, limits, wd)
            register_source(PROGRAM_FILE, original["source"])
    func = entry if entry is not None else recorder.most_called()
    if func is None:
        return {"ok": False, "reason": "no_function_called", "inputs": []}
    seeds = recorder.calls.get(func, [])
    if not seeds:
        return {"ok": False, "reason": "no_literal_arguments", "func": func, "inputs": []}

    calls = _grow(func, seeds, max_inputs)
    n_seeds = sum(1 for k, c in enumerate(calls) if c[2] == k)  # seeds too long to be inputs are not among them
    # Each program runs on the grown inputs with its `**`, `<<` and `eval` bounded, as the search screens
    # them (bounded.py): a grown input easily asks a power with billions of digits, computed in C
    # where neither the step count nor a signal reaches (on Pyodide, the whole interpreter). Such a call
    # answers an OverflowError, the same on both backends; the tests' verdicts ran the programs as written.
    bounded.install()
    codes: dict[str, Any] = {}
    for p in programs:
        c = compile_program(p["source"])
        codes[p["id"]] = bounded.compiled(p["source"], c.code) if c.error is None else c.error
    rows: list[dict[str, Any]] = []
    truncated = False
    deadline = t0 + max_ms / 1000
    seed_steps = {p["id"]: 0 for p in programs}  # the costliest seed each program finished
    hung: set[str] = set()  # programs that did not finish a seed: their other seeds get a grown call's budget
    total_steps = 0
    for n, (call_src, args_src, grown_from) in enumerate(calls):
        if time.perf_counter() >= deadline or total_steps >= TOTAL_STEP_BUDGET:
            truncated = True
            break
        outputs: dict[str, str] = {}
        row_steps = 0  # the most a fix used on this input
        # the fixes first, the original last: on the tests' own calls, which it is known to get wrong,
        # the original is held to what the fixes needed there (GROWTH times, at least a grown call's
        # budget), not to a seed's whole budget; a call that never ends then costs it little
        for p in programs[1:] + programs[:1]:
            if time.perf_counter() >= deadline:
                break
            code = codes[p["id"]]
            if isinstance(code, dict):
                outputs[p["id"]] = f"raises {code['type']}: {code['message']}"
                continue
            register_source(PROGRAM_FILE, p["source"])
            if n < n_seeds and p["id"] not in hung:
                budget = SEED_STEP_BUDGET
                if p is original and len(programs) > 1:
                    budget = min(budget, max(CALL_STEP_BUDGET, GROWTH * row_steps))
            else:
                budget = max(CALL_STEP_BUDGET, GROWTH * seed_steps[p["id"]])
            budget = min(limits.stepBudget, budget)
            outputs[p["id"]], steps = _call(code, func, args_src, limits, wd, budget)
            # a call that did not finish counts its whole budget, whether the count or the backstop stopped
            # it, so the input the total stops at does not depend on the machine's speed
            total_steps += budget if outputs[p["id"]] == "timeout" else steps
            if p is not original and outputs[p["id"]] != "timeout":
                row_steps = max(row_steps, steps)
            if n < n_seeds and outputs[p["id"]] == "timeout":
                hung.add(p["id"])
            elif n < n_seeds:
                seed_steps[p["id"]] = max(seed_steps[p["id"]], steps)
        if len(outputs) < len(programs):
            truncated = True  # an input not every program ran on tells nothing apart
            break
        row: dict[str, Any] = {"call": call_src, "outputs": {p["id"]: outputs[p["id"]] for p in programs}}
        if grown_from is not None:
            row["from"] = grown_from
        rows.append(row)
        if report is not None:
            # after every input: a runner killed for a call stuck in C keeps what was learnt
            report({"ok": True, "func": func, "seeds": n_seeds, "inputs": rows, "truncated": True})
    return {"ok": True, "func": func, "seeds": n_seeds, "inputs": rows, "truncated": truncated}


def _collect_seeds(recorder: "_CallRecorder", program_id: str, code: Any, specs: list[Any], tests: str | None,
                   limits: Limits, wd: Watchdog, leash_steps: int = SEED_STEP_BUDGET) -> None:
    """Runs the tests on one program with the recorder on. Only the calls' arguments are wanted, and they
    are recorded as each call starts: the tests run on a short leash (a seed's steps, counted from the
    start so both backends collect the same seeds), one grown call's worth after a test that did not
    finish, so a program that hangs on every input costs little. The recorder is a profile hook: the loop
    counter still runs, so a test that never ends stops."""
    leash = replace(limits, testTimeoutMs=min(limits.testTimeoutMs, _backstop_ms(leash_steps)),
                    stepBudget=min(limits.stepBudget, leash_steps))
    for spec in specs:
        run = run_test(program_id, code, spec, leash, wd, tracer=recorder, tests_source=tests,
                       count_steps=True, eager_steps=True)
        if run.result["status"] == "timeout":
            leash = replace(leash, testTimeoutMs=min(leash.testTimeoutMs, _backstop_ms(CALL_STEP_BUDGET)),
                            stepBudget=min(leash.stepBudget, CALL_STEP_BUDGET))


def _backstop_ms(steps: int) -> int:
    """The wall-clock limit behind a step budget: loose enough that the count binds first on a slow backend."""
    return int(min(CALL_BACKSTOP_MAX_MS, max(CALL_BACKSTOP_MIN_MS, steps * CALL_BACKSTOP_MS_PER_STEP)))


# -- seeds: the calls the tests make ------------------------------------------------------------------

class _CallRecorder:
    """Passed to run_test as its tracer: records the arguments of every call the test code (or a
    doctest, or a script's module code) makes into a top-level function of the program, as they are at
    call time. Only calls whose arguments all have literal reprs are kept: a probe input is source."""

    def __init__(self) -> None:
        self.calls: dict[str, list[str]] = {}
        self._order: list[str] = []
        self._seen: set[tuple[str, str]] = set()

    def start(self) -> None:
        sys.setprofile(self._hook)

    def stop(self) -> None:
        sys.setprofile(None)

    def most_called(self) -> str | None:
        if not self._order:
            return None
        return max(self._order, key=lambda name: (len(self.calls[name]), -self._order.index(name)))

    def _hook(self, frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        code = frame.f_code
        if code.co_filename != PROGRAM_FILE or "." in getattr(code, "co_qualname", code.co_name):
            return
        caller = frame.f_back
        if caller is None:
            return
        cf = caller.f_code
        if not (cf.co_filename in (TESTS_FILE, DOCTEST_FILE) or (cf.co_filename == PROGRAM_FILE and cf.co_name == "<module>")):
            return
        args = _literal_args(code, frame.f_locals)
        if args is None:
            return
        key = (code.co_name, args)
        if key in self._seen:
            return
        self._seen.add(key)
        if code.co_name not in self.calls:
            self.calls[code.co_name] = []
            self._order.append(code.co_name)
        self.calls[code.co_name].append(args)


def _literal_args(code: Any, local: dict[str, Any]) -> str | None:
    """The call's arguments as source (`1, [2], key='a'`), or None when one is not a literal."""
    names = code.co_varnames
    npos = code.co_argcount
    nkw = code.co_kwonlyargcount
    parts: list[str] = []
    try:
        for name in names[:npos]:
            parts.append(_literal(local[name]))
        idx = npos + nkw
        if code.co_flags & _CO_VARARGS:
            parts.extend(_literal(v) for v in local[names[idx]])
            idx += 1
        for name in names[npos:npos + nkw]:
            parts.append(f"{name}={_literal(local[name])}")
        if code.co_flags & _CO_VARKEYWORDS:
            parts.extend(f"{k}={_literal(v)}" for k, v in local[names[idx]].items())
    except (_NotLiteral, KeyError):
        return None
    return ", ".join(parts)


class _NotLiteral(Exception):
    pass


_LITERAL_TYPES = (bool, int, float, complex, str, bytes, type(None), list, tuple, dict, set, frozenset)


def _literal(v: Any) -> str:
    """Canonical literal source of v (sets and dicts in sorted order), or _NotLiteral."""
    try:
        text = canonical(v, 0, _ARG_CHARS)
        if not _is_literal_tree(v, 0):
            raise _NotLiteral
        if ast.literal_eval(text) != v:
            raise _NotLiteral
    except (_NotLiteral, ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise _NotLiteral from None
    return text


def _is_literal_tree(v: Any, depth: int) -> bool:
    if depth > 8 or type(v) not in _LITERAL_TYPES or type(v) is frozenset:
        return False
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return False
    if isinstance(v, (list, tuple, set)):
        return len(v) <= 50 and all(_is_literal_tree(x, depth + 1) for x in v)
    if isinstance(v, dict):
        return len(v) <= 50 and all(_is_literal_tree(k, depth + 1) and _is_literal_tree(x, depth + 1) for k, x in v.items())
    if isinstance(v, (str, bytes)):
        return len(v) <= 200
    return True


def canonical(v: Any, depth: int, limit: int = OUTPUT_CHARS) -> str:
    """repr with an order that does not depend on hashing (sets, dict items sorted by their reprs) and
    without object addresses, so that equal behaviour gives equal text from run to run."""
    t = type(v)
    if depth > 12:
        return "..."
    if t in (list, tuple, dict, set, frozenset) and len(v) > 500:
        # too big to sort item by item within a call's limits: the plain (shortened) repr
        return _ADDRESS.sub(" at 0x…", safe_repr(v, limit))
    if t is list:
        return "[" + ", ".join(canonical(x, depth + 1, limit) for x in v) + "]"
    if t is tuple:
        inner = ", ".join(canonical(x, depth + 1, limit) for x in v)
        return "(" + inner + ("," if len(v) == 1 else "") + ")"
    if t is dict:
        items = sorted((canonical(k, depth + 1, limit), canonical(x, depth + 1, limit)) for k, x in v.items())
        return "{" + ", ".join(f"{k}: {x}" for k, x in items) + "}"
    if t is set or t is frozenset:
        if not v:
            return "set()" if t is set else "frozenset()"
        inner = "{" + ", ".join(sorted(canonical(x, depth + 1, limit) for x in v)) + "}"
        return inner if t is set else f"frozenset({inner})"
    return _ADDRESS.sub(" at 0x…", safe_repr(v, limit))


# -- growing inputs ------------------------------------------------------------------------------------

def _grow(func: str, seeds: list[str], max_inputs: int) -> list[tuple[str, str, int | None]]:
    """Seeds first (in test order), then one-argument variations taken round-robin over the seeds so
    that a small budget still covers every seed. Each input names the seed input it was grown from (a
    seed, itself; None for the variations of a seed too long to be an input itself)."""
    out: list[tuple[str, str, int | None]] = []
    index: dict[str, int] = {}

    def add(args_src: str, parent: int | None, seed: bool = False) -> None:
        call = f"{func}({args_src})"
        if call in index or len(call) > CALL_CHARS:
            return
        index[call] = len(out)
        out.append((call, args_src, len(out) if seed else parent))

    for s in seeds:
        add(s, None, seed=True)
    del out[max_inputs:]
    parents = [index.get(f"{func}({s})") for s in seeds]
    parents = [p if p is not None and p < len(out) else None for p in parents]
    pools = [_variations(s) for s in seeds]
    i = 0
    while len(out) < max_inputs and any(i < len(p) for p in pools):
        for k, p in enumerate(pools):
            if i < len(p) and len(out) < max_inputs:
                add(p[i], parents[k])
        i += 1
    return out[:max_inputs]


def _variations(args_src: str) -> list[str]:
    """Calls that differ from the seed in one argument, interleaved over the arguments."""
    try:
        call = ast.parse(f"f({args_src})", mode="eval").body
    except SyntaxError:
        return []
    assert isinstance(call, ast.Call)
    pos = [ast.literal_eval(a) for a in call.args]
    kws = [(k.arg, ast.literal_eval(k.value)) for k in call.keywords]
    per_arg: list[list[str]] = []
    for i, v in enumerate(pos):
        opts = []
        for alt in _variants(v):
            new = [*pos[:i], alt, *pos[i + 1:]]
            opts.append(_args_source(new, kws))
        per_arg.append(opts)
    for j, (_, v) in enumerate(kws):
        opts = []
        for alt in _variants(v):
            new_kws = [*kws[:j], (kws[j][0], alt), *kws[j + 1:]]
            opts.append(_args_source(pos, new_kws))
        per_arg.append(opts)
    merged: list[str] = []
    k = 0
    while any(k < len(o) for o in per_arg):
        for o in per_arg:
            if k < len(o):
                merged.append(o[k])
        k += 1
    return merged


_DIGITS = re.compile(r"\d+")


def _digit_steps(v: str) -> list[str]:
    """A string that carries a number (a date, a time, a version, an amount): its last run of digits one
    up and one down, zero-padding kept, so that "2024-01-08" grows "2024-01-09" and "2024-01-07", inputs
    the function still reads, where cutting or reversing the string only makes it raise."""
    runs = list(_DIGITS.finditer(v))
    if not runs:
        return []
    m = runs[-1]
    n, width = int(m.group()), len(m.group())
    return [v[: m.start()] + str(k).zfill(width) + v[m.end():] for k in (n + 1, n - 1) if k >= 0]


_RUN = re.compile(r"(.)\1+", re.S)


def _longer_run(v: str) -> list[str]:
    """The string's longest run of one repeated character (two or more: spaces, zeros, dashes) made three
    times as long: code that shortens runs a fixed number of times where it should repeat until none is
    left (`replace("  ", " ")` once or twice for a loop) agrees with the right code on short runs only."""
    runs = list(_RUN.finditer(v))
    if not runs:
        return []
    m = max(runs, key=lambda r: len(r.group()))
    return [v[: m.start()] + m.group() * 3 + v[m.end():]]


def _args_source(pos: list[Any], kws: list[tuple[str | None, Any]]) -> str:
    parts = [canonical(v, 0, _ARG_CHARS) for v in pos]
    parts += [f"{k}={canonical(v, 0, _ARG_CHARS)}" for k, v in kws]
    return ", ".join(parts)


def _variants(v: Any) -> list[Any]:
    """Type-aware neighbours of a value: boundaries, +-1, sign flips, empty and single-element,
    other lengths, case changes. Ordered from the most to the least telling."""
    out: list[Any] = []
    t = type(v)
    if t is bool:
        out = [not v]
    elif t is int:
        out = [v + 1, v - 1, -v, 0, 1, -1, 2, v * 2, v // 2, 10, 100, 3]
    elif t is float:
        out = [v + 1, v - 1, -v, 0.0, 0.5, 1.0, v * 2, v / 2, -0.5]
    elif t is str:
        out = ["", v[:1], *_digit_steps(v), v.upper(), v.lower(), v.swapcase(), v[::-1], v[:-1], v + v[-1:],
               *_longer_run(v), v.capitalize(), " " + v, v + " ", v.title(), v * 2]
    elif t in (list, tuple):
        items = list(v)
        cand: list[list[Any]] = [[], items[:1], items[::-1], items[:-1], items + items[-1:], items[1:]]
        try:
            cand.append(sorted(items))
            cand.append(sorted(items, reverse=True))
        except TypeError:
            pass
        if items:
            first = _variants(items[0])
            if first:
                cand.append([first[0], *items[1:]])
            last = _variants(items[-1])
            if last:
                cand.append([*items[:-1], last[0]])
        if items and all(type(x) in (int, float) for x in items):
            cand.append([-x for x in items])
            cand.append([x + 1 for x in items])
        cand.append(items + items)
        out = [c if t is list else tuple(c) for c in cand]
    elif t is dict:
        keys = sorted(v, key=lambda k: canonical(k, 0))
        out = [{}, {k: v[k] for k in keys[:1]}, {k: v[k] for k in keys[:-1]}]
        if keys:
            # as for a list: its first value changed, and one entry more (the first value again, under a
            # new key), so a loop that stops after its first match or drops its last entry shows
            changed = _variants(v[keys[0]])
            if changed:
                out.append({**v, keys[0]: changed[0]})
            fresh = _fresh_key(keys)
            if fresh is not None:
                out.append({**v, fresh: v[keys[0]]})
    elif t is set:
        ordered = sorted(v, key=lambda x: canonical(x, 0))
        out = [set(), set(ordered[:1]), set(ordered[:-1])]
    seen = {canonical(v, 0, _ARG_CHARS)}
    unique: list[Any] = []
    for alt in out:
        key = canonical(alt, 0, _ARG_CHARS)
        if key in seen or not _is_literal_tree(alt, 0):
            continue
        seen.add(key)
        unique.append(alt)
    return unique


def _fresh_key(keys: list[Any]) -> Any:
    """A key like the dict's own and not among them: the first string key with "2" added (again while
    taken), or one past the largest integer key; None for other keys."""
    if all(type(k) is str for k in keys):
        key = keys[0] + "2"
        while key in keys:
            key += "2"
        return key
    if all(type(k) is int for k in keys):
        return max(keys) + 1
    return None


# -- running one call -------------------------------------------------------------------------------------

def _call(code: Any, func: str, args_src: str, limits: Limits, wd: Watchdog, step_budget: int) -> tuple[str, int]:
    """Runs the program's module code in a fresh module, then `func(args)`, under the watchdog with a
    call-sized limit. A fresh module per call: module-level state one call leaves must not change the
    next call's answer (that would make the outcome depend on the order of the inputs). Returns the output
    and the steps (loop iterations and calls) the call, module code included, used."""
    module = types.ModuleType("solution")
    ns = module.__dict__
    ns["__builtins__"] = builtins
    ns[FAIL_NAME] = fail
    cap = Capture(limits.outputBytes)
    saved = (sys.stdout, sys.stderr, sys.stdin, sys.getrecursionlimit(), sys.modules.get("solution"))
    sys.stdout, sys.stderr, sys.stdin = cap.stdout, cap.stderr, io.StringIO("")
    sys.modules["solution"] = module
    timeout_s = min(_backstop_ms(step_budget), limits.testTimeoutMs) / 1000
    steps = 0
    result: str
    try:
        try:
            # the arguments are literals: evaluating the call's source gives fresh objects every time
            call = compile(f"__tf_probe__({args_src})", "<probe>", "eval")
            wd.arm(timeout_s, step_budget, eager=True, count_calls=True)
            exec(code, ns)
            fn = ns.get(func)
            if not callable(fn):
                raise NameError(f"name {func!r} is not defined")
            value = eval(call, {"__builtins__": {}, "__tf_probe__": fn})
        finally:
            wd.disarm()
            steps = wd.steps
        try:
            wd.arm(timeout_s, step_budget, eager=True, count_calls=True)
            try:
                result = shorten(canonical(value, 0), OUTPUT_CHARS)
            finally:
                wd.disarm()
        except (TestTimeout, KeyboardInterrupt):
            result = "<repr did not finish>"
    except TestTimeout:
        result = "timeout"
    except KeyboardInterrupt:
        # Pyodide: the host's interrupt is how time runs out (see watchdog.py)
        result = "timeout" if not HAS_ITIMER else "raises KeyboardInterrupt: "
    except BaseException as e:  # noqa: BLE001 - user code may raise anything, SystemExit included
        result = f"raises {type(e).__name__}: {exception_message(e, OUTPUT_CHARS)}"
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved[0], saved[1], saved[2]
        if sys.getrecursionlimit() != saved[3]:
            sys.setrecursionlimit(saved[3])
        if saved[4] is not None:
            sys.modules["solution"] = saved[4]
        else:
            sys.modules.pop("solution", None)
        ns.clear()
    return _ADDRESS.sub(" at 0x…", result), steps
