// The Pyodide runner host: a small Node process, started by sandbox/pyodide/index.ts inside the jail
// (empty environment, --disallow-code-generation-from-strings, rlimits, bubblewrap where present).
// stdin: one JSON envelope, {"nonce": "...", "request": {...}}. stdout: the runner's protocol
// lines, plus host lines {"host": "ready" | "idle" | "kill", ...}. The nonce never reaches the Python
// thread, so code that reaches the runner's emit() cannot fake the end of a request.
// A runner serves ONE request and then exits: whatever that request did to the interpreter
// (monkeypatched modules, audit hooks, files) dies with it. Enforced here, not only by the pool.
//
// argv: host.js PYODIDE_DIR RUNNER_DIR [--snapshot-in FILE | --snapshot-out FILE]
// With --snapshot-out it only makes the memory snapshot (no request is ever served) and exits.
import { Worker } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [pyodideDir, runnerDir, snapshotFlag, snapshotPath] = process.argv.slice(2);
const snapshotIn = snapshotFlag === '--snapshot-in' ? snapshotPath : undefined;
const snapshotOut = snapshotFlag === '--snapshot-out' ? snapshotPath : undefined;
// Soft stop comes this long after the test's own limit; the backend's hard stop comes later still.
const SOFT_MARGIN_MS = 50;

const interrupt = new Int32Array(new SharedArrayBuffer(4));
const worker = new Worker(new URL('./python-thread.js', import.meta.url), {
  workerData: { pyodideDir, runnerDir, interrupt, snapshotIn, snapshotOut },
  env: {},
  stdout: true,
  stderr: true,
});
// The thread's own console output is not protocol: drain and drop it.
worker.stdout.resume();
worker.stderr.resume();

function out(object) {
  writeSync(1, JSON.stringify(object) + '\n');
}

let baselineRss = 0;
let current; // { nonce }
let softTimer;
let memoryTimer;
let taken = false;
const queue = [];

let ready = false;

function next() {
  if (!ready || current || queue.length === 0) return;
  current = queue.shift();
  interrupt[0] = 0;
  memoryTimer = setInterval(checkMemory, 25);
  worker.postMessage(current.request);
}

function checkMemory() {
  // RSS above the idle runner's: the WebAssembly heap is where Python's objects live.
  if (current && process.memoryUsage.rss() - baselineRss > current.memoryMb * 1024 * 1024) {
    out({ host: 'kill', reason: 'memory', nonce: current ? current.nonce : '' });
    process.kill(process.pid, 'SIGKILL');
  }
}

worker.on('message', (message) => {
  if (message.kind === 'line') {
    // One protocol line per message: a newline inside could smuggle a host line.
    const line = message.line.replace(/[\r\n]/g, ' ');
    // The runner writes compact JSON with `type` first; a payload may contain the word "start".
    if (line.startsWith('{"type":"start"')) {
      try {
        const parsed = JSON.parse(line);
        if (parsed.type === 'start' && typeof parsed.timeoutMs === 'number') {
          clearTimeout(softTimer);
          softTimer = setTimeout(() => Atomics.store(interrupt, 0, 2), parsed.timeoutMs + SOFT_MARGIN_MS);
        }
      } catch {
        // not JSON: the backend drops it
      }
    } else if (line.startsWith('{"type":"result"') || line.startsWith('{"type":"trace_end"') || line.startsWith('{"type":"payload"')) {
      // The test (or the search's candidate) is over: no interrupt may land in the runner's own code.
      clearTimeout(softTimer);
    }
    writeSync(1, line + '\n');
  } else if (message.kind === 'idle') {
    clearTimeout(softTimer);
    clearInterval(memoryTimer);
    const grownMb = Math.round((process.memoryUsage.rss() - baselineRss) / (1024 * 1024));
    out({ host: 'idle', nonce: current ? current.nonce : '', grownMb, ...(message.error ? { error: message.error } : {}) });
    current = undefined;
    process.exit(0);
  } else if (message.kind === 'ready') {
    baselineRss = process.memoryUsage.rss();
    ready = true;
    out({ host: 'ready', python: message.python });
    next();
  } else if (message.kind === 'snapshot') {
    out({ host: 'snapshot' });
    process.exit(0);
  } else if (message.kind === 'failed') {
    out({ host: 'failed', message: message.message });
    process.exit(3);
  }
});
worker.on('error', () => process.exit(4));
worker.on('exit', () => process.exit(5));

const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  let envelope;
  try {
    envelope = JSON.parse(line);
  } catch {
    return;
  }
  if (typeof envelope.nonce !== 'string' || taken) return;
  taken = true;
  const memoryMb = Number(envelope.memoryMb) > 0 ? Number(envelope.memoryMb) : 512;
  queue.push({ nonce: envelope.nonce, memoryMb, request: JSON.stringify(envelope.request) });
  next();
});
// The backend closes stdin to retire a runner that was never used. The snapshot maker gets a closed
// stdin from the start: it leaves once the snapshot is written.
input.on('close', () => {
  if (!taken && !snapshotOut) process.exit(0);
});
