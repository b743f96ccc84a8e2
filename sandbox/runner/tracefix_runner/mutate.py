"""The runner's `mutate` mode (service.py imports this module by name): the program search lives in
the `search` package; probe payloads go to probe.py before they reach here."""

from .search import handle

__all__ = ["handle"]
