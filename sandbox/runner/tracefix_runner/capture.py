"""Per-test capture of Python-level stdout/stderr with a shared byte cap.

Once the cap is reached nothing more is stored: a 50 MB print flood costs one length computation
per write, not 50 MB of memory or a 50 MB JSON message.
"""

from __future__ import annotations

import io


class _Budget:
    __slots__ = ("left", "dropped")

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.dropped = 0


def _nbytes(s: str) -> int:
    # isascii() is O(1) on CPython's compact strings; encoding is only paid for non-ASCII text
    return len(s) if s.isascii() else len(s.encode("utf-8", "surrogatepass"))


class CaptureStream(io.TextIOBase):
    """A text stream that keeps at most the shared budget's bytes and counts the rest."""

    def __init__(self, budget: _Budget, name: str) -> None:
        super().__init__()
        self._budget = budget
        self._parts: list[str] = []
        self._name = name

    @property
    def name(self) -> str:  # some code prints sys.stdout.name
        return self._name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:  # type: ignore[override]
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        b = self._budget
        if b.left <= 0:
            b.dropped += _nbytes(s)
            return len(s)
        n = _nbytes(s)
        if n <= b.left:
            self._parts.append(s)
            b.left -= n
        else:
            # keep a prefix that fits; chars ~ bytes is close enough for the cut point
            keep = s[: b.left]
            while _nbytes(keep) > b.left:
                keep = keep[: len(keep) // 2]
            self._parts.append(keep)
            b.dropped += n - _nbytes(keep)
            b.left = 0
        return len(s)

    def writelines(self, lines) -> None:  # type: ignore[override]
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    @property
    def buffer(self) -> "_BinaryView":
        """For code that writes bytes to sys.stdout.buffer."""
        return _BinaryView(self)

    def getvalue(self) -> str:
        return "".join(self._parts)


class Capture:
    def __init__(self, limit: int) -> None:
        self.budget = _Budget(limit)
        self.stdout = CaptureStream(self.budget, "<stdout>")
        self.stderr = CaptureStream(self.budget, "<stderr>")

    @property
    def dropped(self) -> int:
        return self.budget.dropped


class _BinaryView:
    def __init__(self, text: CaptureStream) -> None:
        self._text = text

    def write(self, b: bytes) -> int:
        self._text.write(bytes(b).decode("utf-8", "replace"))
        return len(b)

    def flush(self) -> None:
        pass
