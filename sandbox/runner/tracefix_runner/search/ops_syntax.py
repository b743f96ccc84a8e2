"""Syntax errors: at the line Python names (and the line before it, where an unclosed bracket or a
missing colon usually is), a missing colon, a missing closing bracket or quote, `=` for `==` in a
condition, one stray bracket too many, and lines pasted along that are not code (a markdown fence, a
sentence at column 0). Each repair is kept only if the program then compiles."""

from __future__ import annotations

import ast
import keyword
import re

_HEADER = re.compile(r"^\s*(def|class|if|elif|else|for|while|try|except|finally|with|async\s+def|async\s+for|async\s+with)\b")
_PAIRS = {"(": ")", "[": "]", "{": "}"}


def _unclosed(line: str) -> list[str]:
    """Closing brackets the line needs, innermost first (strings and comments skipped roughly)."""
    stack: list[str] = []
    quote = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            break
        elif ch in _PAIRS:
            stack.append(_PAIRS[ch])
        elif ch in ")]}" and stack and stack[-1] == ch:
            stack.pop()
        i += 1
    return list(reversed(stack))


def _code_end(line: str) -> int:
    """Index where the line's code ends (before a trailing comment and whitespace)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return len(line[:i].rstrip())
    return len(line.rstrip())


def line_repairs(line: str) -> list[tuple[str, str]]:
    """(new line, description) candidates for one line of code."""
    out: list[tuple[str, str]] = []
    body = line.rstrip("\n")
    newline = line[len(body):]
    end = _code_end(body)
    code, rest = body[:end], body[end:]
    if _HEADER.match(code) and not code.endswith(":"):
        out.append((code + ":" + rest + newline, "add the missing `:`"))
    closers = _unclosed(code)
    if closers:
        needed = "".join(closers)
        if code.endswith(":"):
            out.append((code[:-1] + needed + ":" + rest + newline, f"close the bracket with `{needed}`"))
        out.append((code + needed + rest + newline, f"close the bracket with `{needed}`"))
        if _HEADER.match(code) and not code.endswith(":"):
            out.append((code + needed + ":" + rest + newline, f"close the bracket with `{needed}` and add the `:`"))
    for q in ("'", '"'):
        if code.count(q) % 2 == 1:
            # close the string before the brackets that follow it on the line, or at the end
            tail = len(code) - len(code.rstrip(")]}:,"))
            at = len(code) - tail
            out.append((code[:at] + q + code[at:] + rest + newline, f"close the string with `{q}`"))
            out.append((code + q + rest + newline, f"close the string with `{q}`"))
    m = re.match(r"^(\s*(?:if|elif|while)\s+.*?[^=!<>])=([^=].*)$", code)
    if m:
        out.append((m.group(1) + "==" + m.group(2) + rest + newline, "`=` -> `==` in the condition"))
    for i, ch in enumerate(code):
        if ch in ")]}":
            trial = code[:i] + code[i + 1 :]
            if not _unclosed(trial) and _unclosed(code) == []:
                out.append((trial + rest + newline, f"drop the stray `{ch}`"))
    return out


# What a line cut short ends in (a colon is not among them: a sentence may end in one, "Here is the fix:")
_CONTINUES = ("\\", ",", "(", "[", "{")
_FENCE = ("```", "~~~")
# A column-0 line that starts a statement: an assignment, a call, a keyword. Cut short, it is code to
# repair (`GREETING = "hello`), never prose to delete.
_CODE_START = re.compile(r"^[A-Za-z_][\w.]*\s*(\[[^\]]*\]\s*)?((?:[-+*/%|&^@]|//|\*\*|<<|>>)?=(?!=)|\()")


def _not_code(line: str, after_fence: bool) -> bool:
    """A line pasted along with the code that is not Python: a markdown fence (```, ~~~) at any depth; at
    column 0 and no statement on its own, a sentence (`Hope this helps!`: it starts with a word that is no
    keyword, and it is no assignment or call) or, after a fence, a tag (`[Task End`). A header, a line that
    opens a bracket or a statement cut short is code: the other repairs are for those."""
    text = line.rstrip("\n")
    if text.lstrip().startswith(_FENCE):
        return True
    if not text.strip() or text[0].isspace() or text[0] in ")]}" or _HEADER.match(text) or text.rstrip().endswith(_CONTINUES):
        return False
    try:
        ast.parse(text)
        return False
    except (SyntaxError, ValueError):
        pass
    if keyword.iskeyword(text.split()[0]) or _CODE_START.match(text):
        return False
    return text[0].isalpha() or after_fence


def _outside_long_strings(lines: list[str]) -> list[int]:
    """Indexes of the lines that do not start inside a triple-quoted string (a docstring's text at column
    0 is no stray sentence)."""
    out: list[int] = []
    open_quote = ""
    for i, line in enumerate(lines):
        if not open_quote:
            out.append(i)
        for m in re.finditer(r'"""|\'\'\'', line):
            if not open_quote:
                open_quote = m.group()
            elif m.group() == open_quote:
                open_quote = ""
    return out


def repairs(source: str, error_line: int | None) -> list[tuple[str, int, str]]:
    """Whole-program candidates (source, line, description) that compile: the repairs of one line, nearest
    the named line first, then the lines that are not code deleted."""
    lines = source.splitlines(keepends=True)
    if not lines:
        return []
    named = min(max(error_line or len(lines), 1), len(lines))
    order = [named, named - 1, named + 1, named - 2]
    out: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    for ln in order:
        if ln < 1 or ln > len(lines):
            continue
        for new, desc in line_repairs(lines[ln - 1]):
            text = "".join(lines[: ln - 1]) + new + "".join(lines[ln:])
            if text in seen:
                continue
            seen.add(text)
            try:
                ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            out.append((text, ln, desc))
    # a fence anywhere; a sentence from the line before the named one on (earlier, a column-0 line that
    # does not parse alone may be the rest of a bracket opened above). Last: a repair that keeps every
    # line the user wrote is preferred when both pass as many tests.
    junk: list[int] = []
    fenced = False
    for i in _outside_long_strings(lines):
        is_fence = lines[i].lstrip().startswith(_FENCE)
        if (is_fence or i >= named - 2) and _not_code(lines[i], fenced):
            junk.append(i)
        fenced = fenced or is_fence
    if junk:
        text = "".join(line for i, line in enumerate(lines) if i not in junk)
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            return out
        if text not in seen:
            first = lines[junk[0]].strip()
            more = f" and {len(junk) - 1} more like it" if len(junk) > 1 else ""
            out.append((text, junk[0] + 1, f"delete the line that is not code, `{first[:40]}`{more}"))
    return out
