// Worker thread of the Pyodide runner host: loads Pyodide and runs the Python runner's serve().
// Pyodide runs here, not on the host's main thread, so that the main thread stays free while Python
// runs and can set the interrupt buffer (KeyboardInterrupt) when a test overruns.
import { parentPort, workerData } from 'node:worker_threads';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// snapshotIn: load from this memory snapshot (fast start); snapshotOut: make one there, then stop.
const { pyodideDir, runnerDir, interrupt, snapshotIn, snapshotOut } = workerData;

function copyTree(FS, from, to) {
  FS.mkdirTree(to);
  for (const name of readdirSync(from)) {
    if (name === '__pycache__') continue;
    const source = join(from, name);
    if (statSync(source).isDirectory()) copyTree(FS, source, `${to}/${name}`);
    else if (name.endsWith('.py')) FS.writeFile(`${to}/${name}`, readFileSync(source));
  }
}

const IMPORT_RUNNER = `
import sys
if '/runner' not in sys.path:
    sys.path.insert(0, '/runner')
import tracefix_runner
`;

const SETUP = `
import time

def _install_sleep():
    from _tracefix_host import sleep as wait
    monotonic = time.monotonic

    def sleep(seconds):
        seconds = float(seconds)
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        deadline = monotonic() + seconds
        while True:
            left = deadline - monotonic()
            if left <= 0:
                return
            # Wakes early on an interrupt; the KeyboardInterrupt is raised at the next bytecode.
            wait(min(left, 1.0) * 1000)
            for _ in range(2):
                pass

    sleep.__doc__ = time.sleep.__doc__
    time.sleep = sleep

_install_sleep()
del _install_sleep
`;

// Globals of this thread that lead out of WebAssembly: the process (getBuiltinModule,
// child_process, env), CommonJS loaders, the network. Removed once Pyodide has loaded; the
// interpreter only ever uses what it captured while loading.
const HOST_GLOBALS = [
  'process', 'require', 'module', 'exports', 'global', 'Buffer', 'fetch', 'WebSocket', 'EventSource',
  'XMLHttpRequest', 'BroadcastChannel', 'MessageChannel', 'MessagePort', 'Request', 'Response', 'Headers',
  'FormData', 'eval', 'navigator', 'Worker', 'SharedWorker', 'importScripts',
];

const FORGET_BRIDGES = `
def _forget():
    import sys
    for name in ("js", "pyodide_js"):
        sys.modules.pop(name, None)

_forget()
del _forget
`;

/**
 * Closes the ways from Python back into the host's JavaScript realm (STACK.md, "Isolation facts"),
 * so that containment does not rest on bubblewrap alone: `import js` (globalThis) and
 * `import pyodide_js` (the Pyodide API: FS mounts, the Emscripten module) no longer resolve, NODEFS is
 * gone, and this thread's globalThis has no process, require or network left should a JS object
 * still lead back to it. The Function-constructor path (`to_js({}).constructor.constructor(...)`) is
 * closed by --disallow-code-generation-from-strings on the host's command line.
 */
function closeBridges(pyodide) {
  pyodide.unregisterJsModule('js');
  pyodide.unregisterJsModule('pyodide_js');
  pyodide.runPython(FORGET_BRIDGES);
  delete pyodide.FS.filesystems.NODEFS;
  for (const name of HOST_GLOBALS) {
    delete globalThis[name];
    if (name in globalThis) throw new Error(`cannot remove the global ${name}`);
  }
}

async function boot() {
  const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, 'pyodide.mjs')).href);
  // Python's own stdout/stderr are captured by the runner; whatever escapes it is dropped, never
  // mixed into the protocol stream.
  // The memory snapshot (a private Pyodide API, so the version is pinned) holds the interpreter with
  // the runner already imported: a fresh runner starts in a fraction of a cold load.
  const pyodide = await loadPyodide({
    indexURL: pyodideDir.endsWith('/') ? pyodideDir : `${pyodideDir}/`,
    stdout: () => {},
    stderr: () => {},
    env: { HOME: '/home/pyodide' },
    ...(snapshotOut ? { _makeSnapshot: true } : {}),
    ...(snapshotIn ? { _loadSnapshot: readFileSync(snapshotIn) } : {}),
  });
  // The emscripten file system is not part of the snapshot: the runner's files go in every time.
  copyTree(pyodide.FS, join(runnerDir, 'tracefix_runner'), '/runner/tracefix_runner');
  pyodide.runPython(IMPORT_RUNNER);
  if (snapshotOut) {
    // Made before any JavaScript object is handed to Python (a snapshot cannot hold those).
    writeFileSync(snapshotOut, pyodide.makeMemorySnapshot());
    parentPort.postMessage({ kind: 'snapshot' });
    return;
  }
  pyodide.setInterruptBuffer(interrupt);
  // time.sleep in WebAssembly blocks inside C, where the interrupt buffer is never read, so a test
  // that sleeps could only be stopped by killing the runner (and a cold start for the next request).
  // This sleep waits on the interrupt buffer itself: it wakes the moment the host interrupts.
  pyodide.registerJsModule('_tracefix_host', {
    sleep: (ms) => {
      Atomics.wait(interrupt, 0, 0, Math.max(0, Number(ms)));
    },
  });
  pyodide.runPython(SETUP);
  const serve = pyodide.pyimport('tracefix_runner').serve;
  const python = pyodide.runPython("import sys\nsys.version.split()[0]");
  closeBridges(pyodide);
  const emit = (line) => parentPort.postMessage({ kind: 'line', line: String(line) });
  parentPort.on('message', (request) => {
    interrupt[0] = 0;
    let error;
    try {
      serve(request, emit);
    } catch (e) {
      error = String(e && e.type ? e.type : 'Error');
    }
    interrupt[0] = 0;
    parentPort.postMessage({ kind: 'idle', ...(error ? { error } : {}) });
  });
  parentPort.postMessage({ kind: 'ready', python });
}

boot().catch((e) => parentPort.postMessage({ kind: 'failed', message: String(e && e.message ? e.message : e).slice(0, 500) }));
