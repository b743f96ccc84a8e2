"""A missing import: the program uses a standard-library module or one of its well-known names (`math`,
`Counter`, `reduce`, `List` in an annotation…) that it never imports or defines, so it stops with a
NameError before it can show any other bug. The import is added first and the search goes on from the
program that has it, the way a syntax repair is: a second bug behind the NameError is found too.

The names are the standard library's, never a guess at a third-party package."""

from __future__ import annotations

import ast
import builtins
from typing import Any

# name -> the import line that brings it in. Modules by their own name; members whose names say where
# they come from (a `Counter` is collections', a `List` typing's).
_MODULES = ("math", "re", "itertools", "collections", "heapq", "functools", "bisect", "string", "operator",
            "random", "statistics", "datetime", "json", "copy", "sys", "fractions", "decimal", "typing", "cmath")
_MEMBERS = {
    "collections": ("Counter", "defaultdict", "deque", "OrderedDict", "namedtuple", "ChainMap"),
    "functools": ("reduce", "lru_cache", "cache", "cmp_to_key", "partial"),
    "heapq": ("heappush", "heappop", "heapify", "heappushpop", "heapreplace", "nlargest", "nsmallest"),
    "itertools": ("permutations", "combinations", "combinations_with_replacement", "product", "accumulate",
                  "chain", "groupby", "zip_longest", "islice", "count", "cycle", "repeat", "starmap", "pairwise"),
    "bisect": ("bisect_left", "bisect_right", "insort", "insort_left", "insort_right"),
    "math": ("sqrt", "floor", "ceil", "gcd", "lcm", "factorial", "comb", "perm", "isqrt", "log2", "log10", "hypot",
             "pi", "inf"),
    "typing": ("List", "Dict", "Tuple", "Set", "FrozenSet", "Optional", "Union", "Any", "Callable", "Iterable",
               "Iterator", "Sequence", "Mapping"),
    "fractions": ("Fraction",),
    "decimal": ("Decimal",),
}
KNOWN: dict[str, str] = {m: f"import {m}" for m in _MODULES}
for _module, _names in _MEMBERS.items():
    for _name in _names:
        KNOWN.setdefault(_name, f"from {_module} import {_name}")


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the program binds anywhere (assignments, parameters, defs, classes, imports, targets)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.MatchAs) and node.name:
            names.add(node.name)
    return names


def missing(source: str, tests: str | None = None) -> list[str]:
    """Import lines for the known names the program reads but neither binds nor gets from builtins (nor
    from the tests, which share the program's namespace), in the order they are first used."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    bound = bound_names(tree)
    if tests:
        try:
            bound |= bound_names(ast.parse(tests))
        except SyntaxError:
            pass
    out: list[str] = []
    loads = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)),
                   key=lambda n: (n.lineno, n.col_offset))
    for node in loads:
        name = node.id
        if name in bound or hasattr(builtins, name):
            continue
        line = KNOWN.get(name) or _aliased(tree, name)
        if line is not None and line not in out:
            out.append(line)
    return out


def _abbreviates(short: str, module: str) -> bool:
    """`hq` for heapq, `it` for itertools: the module's first letter, then letters of it in order."""
    if len(short) < 2 or len(short) >= len(module) or short[0] != module[0]:
        return False
    rest = iter(module[1:])
    return all(ch in rest for ch in short[1:])


def _aliased(tree: ast.Module, name: str) -> str | None:
    """A short name used only as `name.attr`, where one standard module abbreviated by it has every attribute
    read: the program was written under `import heapq as hq` and the import line was lost."""
    attrs: set[str] = set()
    bases: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == name:
            attrs.add(node.attr)
            bases.add(id(node.value))
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name]
    if not attrs or any(id(n) not in bases for n in uses):
        return None  # used bare somewhere: a variable, not a module
    fits = []
    for module in _MODULES:
        if _abbreviates(name, module):
            try:
                mod = __import__(module)
            except ImportError:
                continue
            if all(hasattr(mod, a) for a in attrs):
                fits.append(module)
    return f"import {fits[0]} as {name}" if len(fits) == 1 else None


def _top_line(tree: ast.Module) -> int:
    """The line a module-level import goes on: after the module docstring and `__future__` imports."""
    line = 1
    for stmt in tree.body:
        is_doc = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
        is_future = isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
        if (is_doc and stmt is tree.body[0]) or is_future:
            line = (stmt.end_lineno or stmt.lineno) + 1
        else:
            break
    return line


def _placement(tree: ast.Module, lines: list[str], editable: tuple[int, int]) -> tuple[int, str]:
    """The line an added import goes on, and its indent: the top of the file when the whole file may be
    edited, else the start of the editable region, indented as its first line (a function body under a
    frozen signature)."""
    if editable[0] <= 1:
        return _top_line(tree), ""
    at = editable[0]
    first = lines[at - 1] if at - 1 < len(lines) else ""
    return at, first[: len(first) - len(first.lstrip())]


def _insert_at(lines: list[str], at: int, text: str) -> tuple[int, str]:
    """Offset of line `at` in the joined `lines`, and `text` with a line break before it when the line
    above has none."""
    offset = sum(len(line) for line in lines[: at - 1])
    return offset, ("\n" + text if at - 1 > 0 and not lines[at - 2].endswith("\n") else text)


def add_imports(source: str, tests: str | None, editable: tuple[int, int]) -> tuple[str, int, list[str]] | None:
    """The program with its missing imports added (where `_placement` says), the line they went in at, and
    the lines added; None when nothing is missing."""
    lines_needed = missing(source, tests)
    if not lines_needed:
        return None
    lines = source.splitlines(keepends=True)
    at, indent = _placement(ast.parse(source), lines, editable)
    offset, added = _insert_at(lines, at, "".join(f"{indent}{line}\n" for line in lines_needed))
    return source[:offset] + added + source[offset:], at, lines_needed


def import_span(ctx: Any, module: str) -> tuple[int, int, str] | None:
    """The insertion that makes `module` importable where an edit starts to use it (`math.pi` for a
    hand-written 3.14): nothing when the program binds the name already, else `import module` where
    add_imports would put it. The caller adds it to the same edit, so the candidate runs as one program."""
    if module in bound_names(ctx.tree):
        return None
    lines = ctx.src.text.splitlines(keepends=True)
    at, indent = _placement(ctx.tree, lines, ctx.editable)
    offset, text = _insert_at(lines, at, f"{indent}import {module}\n")
    return (offset, offset, text)
