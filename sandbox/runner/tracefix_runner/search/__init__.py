"""The program search (the runner's `mutate` mode): general edits by bug class, one module each
(ops_*.py), screened against the user's tests through the runner's one harness. See core.py."""

from .core import handle, search

__all__ = ["handle", "search"]
