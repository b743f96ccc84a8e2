// Worker thread of the Pyodide runner host: loads Pyodide and runs the Python runner's serve().
// Pyodide runs here, not on the host's main thread, so that the main thread stays free while Python
// runs and can set the interrupt buffer (KeyboardInterrupt) when a test overruns.
import { parentPort, workerData } from 'node:worker_threads';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { pyodideDir, runnerDir, interrupt } = workerData;

function copyTree(FS, from, to) {
  FS.mkdirTree(to);
  for (const name of readdirSync(from)) {
    if (name === '__pycache__') continue;
    const source = join(from, name);
    if (statSync(source).isDirectory()) copyTree(FS, source, `${to}/${name}`);
    else if (name.endsWith('.py')) FS.writeFile(`${to}/${name}`, readFileSync(source));
  }
}

async function boot() {
  const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, 'pyodide.mjs')).href);
  // Python's own stdout/stderr are captured by the runner; whatever escapes it is dropped, never
  // mixed into the protocol stream.
  const pyodide = await loadPyodide({
    indexURL: pyodideDir.endsWith('/') ? pyodideDir : `${pyodideDir}/`,
    stdout: () => {},
    stderr: () => {},
    env: { HOME: '/home/pyodide' },
  });
  copyTree(pyodide.FS, join(runnerDir, 'tracefix_runner'), '/runner/tracefix_runner');
  pyodide.setInterruptBuffer(interrupt);
  pyodide.runPython("import sys\nsys.path.insert(0, '/runner')");
  const serve = pyodide.pyimport('tracefix_runner').serve;
  const python = pyodide.runPython("import sys\nsys.version.split()[0]");
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
