"""tracefix's runner: runs programs against tests and records NExT traces (see sandbox/protocol.ts).

Entry point for every backend:

    serve(request_json, emit)

* `request_json`: the whole request (protocol.ts RunnerRequest) as a str or UTF-8 bytes.
* `emit(line)`: called once per protocol message with ONE JSON object as a str, without a trailing
  newline. The caller frames it (run.py writes `line + "\\n"` and flushes; the Pyodide host passes
  each string on as is). Messages are emitted as soon as they exist (`start` before each test runs),
  so the caller should not buffer them: a killed runner must leave everything before the kill.
* Never raises for user code or bad requests: those come back as messages (`result`, `fatal`).
  The stream always begins with `hello` and, unless the process dies, ends with `done`.

Python 3.11+ standard library only (CPython via run.py; Pyodide's 3.14 via serve()).
"""

from .service import PROTOCOL_VERSION, serve

__all__ = ["PROTOCOL_VERSION", "serve"]
