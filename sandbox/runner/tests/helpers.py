"""Shared by the search's unit tests: build a Context for a program and collect what an operator module
proposes, and run the whole search on a program and its tests."""

from __future__ import annotations

import ast
import os
import sys
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tracefix_runner.search.core import search  # noqa: E402
from tracefix_runner.search.edits import Context, Evidence, Source, apply_edits, numbers_of  # noqa: E402


def variants(module: Any, source: str, evidence: Evidence | None = None, editable: tuple[int, int] | None = None) -> dict[str, str]:
    """{program text: edit description} for every edit the module proposes (parseable ones only)."""
    tree = ast.parse(source)
    ev = evidence or Evidence()
    ev.numbers = ev.numbers or numbers_of(source)
    ctx = Context(Source(source), tree, editable or (1, len(source.splitlines())), ev)
    module.generate(ctx)
    out: dict[str, str] = {}
    for edit in ctx.edits:
        text = apply_edits(source, [edit])
        try:
            ast.parse(text)
        except SyntaxError:
            continue
        out.setdefault(text, edit.desc)
    return out


def fix(source: str, tests: str, **payload: Any) -> dict[str, Any]:
    body = {"source": source, "tests": tests, "budget": {"candidates": 3000, "ms": 20000}, **payload}
    return search(body, {})


def best(source: str, tests: str, **payload: Any) -> str | None:
    result = fix(source, tests, **payload)
    passing = [c for c in result["candidates"] if c["passed"] == c["total"]]
    return passing[0]["source"] if passing else None
