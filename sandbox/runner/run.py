"""CLI entry of the runner for the process and E2B backends.

    python3 -I run.py < request.json      (-S also works: only the standard library is used)

Reads one request (protocol.ts RunnerRequest) from stdin and writes the protocol's NDJSON messages
to the ORIGINAL stdout. That descriptor is moved to a private, close-on-exec fd at start-up and fds
0, 1 and 2 are pointed at /dev/null, so user code writing to fd 1 or 2 (os.write, C extensions,
child processes) cannot corrupt the stream; Python-level sys.stdout/stderr are captured per test.
Exit status: 0 after `done`; the process may also die mid-test (os._exit, a signal, the backend's
kill): the backend then uses the last `start` message to attribute the death.
"""

import os
import sys


def _private_stream():
    import fcntl

    # a high fd number: user code guessing 3 or 4 does not hit it
    fd = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 200 + os.getpid() % 300)
    null = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(null, target)
    os.close(null)
    return os.fdopen(fd, "wb", buffering=0)


def main() -> int:
    request = sys.stdin.buffer.read()
    stream = _private_stream()
    # Python-level stdout/stderr now point at /dev/null too (fds 1, 2); tests replace them anyway
    sys.stdin = open(os.devnull, "r")

    def emit(line: str) -> None:
        stream.write(line.encode("utf-8") + b"\n")

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from tracefix_runner import serve

    serve(request, emit)
    stream.close()
    return 0


if __name__ == "__main__":
    code = main()
    # not sys.exit: user code may have left non-daemon threads or atexit hooks behind
    os._exit(code)
