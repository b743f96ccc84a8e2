"""Request validation and the three modes (test, trace, mutate); see __init__.serve."""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from dataclasses import replace
from typing import Any, Callable

from .discover import PROGRAM_FILE, TESTS_FILE, TestSpec, TestsSyntaxError, discover
from .harness import InOrder, Limits, compile_program, merge_limits, register_source
from .reprs import shorten
from .tracer import Tracer
from .watchdog import Watchdog

PROTOCOL_VERSION = 1
# the traced run is several times slower than the untraced one that produced the verdict
TRACE_TIMEOUT_FACTOR = 3


class BadRequest(Exception):
    pass


def _bad_limit(key: str) -> None:
    raise BadRequest(f"limits.{key} must be a positive integer")


def _parse(request_json: str | bytes) -> dict[str, Any]:
    try:
        req = json.loads(request_json)
    except (ValueError, RecursionError) as e:
        raise BadRequest(f"request is not JSON: {e}") from None
    if not isinstance(req, dict):
        raise BadRequest("request must be a JSON object")
    mode = req.get("mode")
    if mode not in ("test", "trace", "mutate"):
        raise BadRequest(f"unknown mode {mode!r}")
    limits = req.get("limits", {})
    if not isinstance(limits, dict):
        raise BadRequest("limits must be an object")
    req["limits"] = merge_limits(limits, _bad_limit)
    if mode == "mutate":
        return req
    if mode == "test":
        progs = req.get("programs")
        if not isinstance(progs, list) or not progs:
            raise BadRequest("programs must be a non-empty array")
    else:
        progs = [req.get("program")]
    for p in progs:
        if not isinstance(p, dict) or not isinstance(p.get("id"), str) or not p["id"] or not isinstance(p.get("source"), str):
            raise BadRequest("each program needs a non-empty string id and a string source")
    tests = req.get("tests")
    if tests is not None and not isinstance(tests, str):
        raise BadRequest("tests must be a string or null")
    ep = req.get("entryPoint")
    if ep is not None and (not isinstance(ep, str) or not ep.isidentifier()):
        raise BadRequest("entryPoint must be an identifier")
    only = req.get("onlyTests")
    if only is not None and (not isinstance(only, list) or not all(isinstance(x, str) for x in only)):
        raise BadRequest("onlyTests must be an array of strings")
    tid = req.get("testId")
    if tid is not None and not isinstance(tid, str):
        raise BadRequest("testId must be a string")
    return req


class _Out:
    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit

    def __call__(self, msg: dict[str, Any]) -> None:
        # ensure_ascii: user strings may hold lone surrogates, which are not encodable as UTF-8
        self._emit(json.dumps(msg, ensure_ascii=True, separators=(",", ":")))


def serve(request_json: str | bytes, emit: Callable[[str], None]) -> None:
    out = _Out(emit)
    out({"type": "hello", "protocol": PROTOCOL_VERSION, "python": sys.version.split()[0]})
    try:
        req = _parse(request_json)
    except BadRequest as e:
        out({"type": "fatal", "error": {"type": "BadRequest", "message": str(e), "where": "runner"}})
        out({"type": "done"})
        return
    wd: Watchdog | None = None
    try:
        if req["mode"] == "mutate":
            _mutate(req, out)
        else:
            wd = Watchdog()
            if req["mode"] == "test":
                _test_mode(req, out, wd)
            else:
                _trace_mode(req, out, wd)
    except _Fatal as e:
        out({"type": "fatal", "error": e.info})
    except BaseException as e:  # noqa: BLE001 - our own fault: report it, never die silently
        out({"type": "fatal", "error": {"type": type(e).__name__, "message": shorten(str(e), 2000), "where": "runner",
                                        "traceback": shorten(traceback.format_exc(), 6000)}})
    finally:
        if wd is not None:
            wd.release()
    out({"type": "done"})


class _Fatal(Exception):
    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__(info.get("message", ""))
        self.info = info


def _limits(req: dict[str, Any]) -> Limits:
    return Limits(**req["limits"])


def _discover(req: dict[str, Any], first_source: str, out: _Out) -> list[TestSpec]:
    tests = req.get("tests")
    try:
        specs = discover(tests, req.get("entryPoint"), first_source)
    except TestsSyntaxError as e:
        info: dict[str, Any] = {"type": type(e.exc).__name__, "message": shorten(str(e.exc), 2000), "where": "test"}
        if e.line is not None:
            info["traceback"] = f"tests line {e.line}"
        raise _Fatal(info) from None
    if tests:
        register_source(TESTS_FILE, tests)
    out({"type": "tests", "tests": [s.to_json() for s in specs]})
    return specs


def _compile_error_result(program_id: str, spec: TestSpec, err: dict[str, Any]) -> dict[str, Any]:
    return {"program": program_id, "test": spec.id, "status": "error", "durationMs": 0, "error": err}


def _run_program(program: dict[str, Any], specs: list[TestSpec], req: dict[str, Any], limits: Limits, out: _Out,
                 wd: Watchdog, stop_on_first: bool) -> list[dict[str, Any]]:
    pid = program["id"]
    compiled = compile_program(program["source"])
    out({"type": "program", "program": pid, "compileError": compiled.error})
    results: list[dict[str, Any]] = []
    if compiled.error is not None:
        for spec in specs:
            r = _compile_error_result(pid, spec, compiled.error)
            out({"type": "result", "result": r})
            results.append(r)
            if stop_on_first:
                break
        return results
    register_source(PROGRAM_FILE, program["source"])
    broken: dict[str, Any] | None = None
    in_order = InOrder()
    hung = False
    for spec in specs:
        if broken is not None:
            # the program's module code failed before any test code ran: same verdict, not re-run
            r = dict(broken, test=spec.id, durationMs=0)
        else:
            # Once a test of this program has run out of time, the rest get a shorter leash (steps counted
            # from their start): a program that hangs on every input then costs one time limit, not one
            # per test.
            own = _after_a_hang(limits) if hung else limits
            out({"type": "start", "program": pid, "test": spec.id, "timeoutMs": own.testTimeoutMs})
            run = in_order.run(pid, compiled.code, spec, own, wd, tests_source=req.get("tests"), eager_steps=hung)
            r = run.result
            if r["status"] == "timeout":
                if hung and isinstance(r.get("error"), dict):
                    r["error"]["message"] = f"{r['error'].get('message', '')}; shortened, as an earlier test had run out of time"
                hung = True
            if run.failed_in_program_phase:
                broken = r
        _reap_strays()
        out({"type": "result", "result": r})
        results.append(r)
        if stop_on_first and r["status"] != "passed":
            break
    in_order.close()
    return results


def _own_processes_only() -> bool:
    """True when kill(-1) from here reaches only what this request started: inside bubblewrap's pid
    namespace (pid 1 there is bwrap itself; kill(-1) spares pid 1 and the caller), or under a uid no other
    process has (the process jail's fresh uid, 1,000,000 and up). A pid namespace alone is not enough: a
    whole deployment in a container has one, and there kill(-1) under the server's own uid would reach the
    server. Never under a shared uid outside bubblewrap."""
    if sys.platform == "emscripten" or not hasattr(os, "kill"):
        return False
    if os.getuid() >= 1_000_000:
        return True
    try:
        with open("/proc/self/status") as f:
            nspid = next((line.split()[1:] for line in f if line.startswith("NSpid:")), [])
        with open("/proc/1/comm") as f:
            init = f.read().strip()
    except OSError:
        return False
    return len(nspid) > 1 and init == "bwrap"


_REAP = _own_processes_only()


def _reap_strays() -> None:
    """Processes a test's code forked (a fork bomb's copies, a child left running) outlive the test and
    would share the CPU with every test after it: killed when the test ends."""
    if not _REAP:
        return
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass  # nothing left to signal
    # Reap the ones that were this process's own children (a zombie still counts against RLIMIT_NPROC);
    # a killed process takes a moment to exit, so wait a little, never long.
    deadline = time.monotonic() + 0.5
    try:
        while time.monotonic() < deadline:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                time.sleep(0.005)
    except ChildProcessError:
        pass  # none left


def _after_a_hang(limits: Limits) -> Limits:
    return replace(limits, testTimeoutMs=max(250, limits.testTimeoutMs // 4), stepBudget=max(10_000, limits.stepBudget // 10))


def _test_mode(req: dict[str, Any], out: _Out, wd: Watchdog) -> None:
    limits = _limits(req)
    specs = _discover(req, req["programs"][0]["source"], out)
    only = req.get("onlyTests")
    if only is not None:
        wanted = set(only)
        specs = [s for s in specs if s.id in wanted]
    for program in req["programs"]:
        _run_program(program, specs, req, limits, out, wd, bool(req.get("stopOnFirstFailure")))


def _trace_mode(req: dict[str, Any], out: _Out, wd: Watchdog) -> None:
    limits = _limits(req)
    program = req["program"]
    pid = program["id"]
    specs = _discover(req, program["source"], out)
    by_id = {s.id: s for s in specs}
    tid = req.get("testId")
    if tid is not None and tid not in by_id:
        raise _Fatal({"type": "BadRequest", "message": f"no test {tid!r}", "where": "runner"})
    if tid is None:
        # screen untraced first: tracing a passing test would explain nothing
        results = _run_program(program, specs, req, limits, out, wd, stop_on_first=True)
        failing = [r for r in results if r["status"] != "passed"]
        spec = by_id[failing[0]["test"]] if failing else specs[0]
    else:
        spec = by_id[tid]
    compiled = compile_program(program["source"])
    if tid is not None:
        out({"type": "program", "program": pid, "compileError": compiled.error})
    if compiled.error is not None:
        out({"type": "trace_end", "program": pid, "test": spec.to_json(),
             "result": _compile_error_result(pid, spec, compiled.error), "totalEvents": 0, "truncated": False})
        return
    register_source(PROGRAM_FILE, program["source"])

    def flush(events: list[dict[str, Any]]) -> None:
        out({"type": "trace_events", "events": events})

    tracer = Tracer(limits, wd, flush)
    timeout_ms = limits.testTimeoutMs * TRACE_TIMEOUT_FACTOR
    out({"type": "start", "program": pid, "test": spec.id, "timeoutMs": timeout_ms})
    run = _run_traced(pid, compiled.code, spec, limits, wd, timeout_ms, tracer, req.get("tests"))
    res = run.result
    res.pop("steps", None)
    res["steps"] = tracer.total
    msg: dict[str, Any] = {"type": "trace_end", "program": pid, "test": spec.to_json(), "result": res,
                           "totalEvents": tracer.total,
                           "truncated": tracer.truncated or res["status"] == "timeout"}
    if run.stdout:
        msg["stdout"] = run.stdout
    out(msg)


def _run_traced(pid: str, code: Any, spec: TestSpec, limits: Limits, wd: Watchdog, timeout_ms: int, tracer: Tracer,
                tests_source: str | None) -> Any:
    # Through InOrder.run, as the untraced runs go (_run_program -> InOrder.run -> run_test): user code then
    # starts at the same stack depth traced and untraced, so near the recursion limit both reach the same verdict.
    in_order = InOrder()
    try:
        return in_order.run(pid, code, spec, limits, wd, timeout_ms=timeout_ms, tracer=tracer, tests_source=tests_source)
    finally:
        in_order.close()


def _mutate(req: dict[str, Any], out: _Out) -> None:
    # op "probe" (run programs on inputs grown from the tests) lives in probe.py; every other op is the search's.
    payload = req.get("payload")
    name = "probe" if isinstance(payload, dict) and payload.get("op") == "probe" else "mutate"
    try:
        mod = importlib.import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{__package__}.{name}":
            raise
        raise _Fatal({"type": "NotImplemented", "message": f"mutate mode is unavailable: tracefix_runner/{name}.py is missing",
                      "where": "runner"}) from None
    # Interim payloads survive a runner the host had to kill; the final one replaces them.
    payload = mod.handle(req.get("payload"), req["limits"], lambda interim: out({"type": "payload", "payload": interim}))
    out({"type": "payload", "payload": payload})


