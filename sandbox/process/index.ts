/**
 * The `process` backend: the machine's python3 running sandbox/runner/run.py, one process per
 * request, under rlimits and an unprivileged uid, with an empty environment, in a fresh scratch
 * folder, inside bubblewrap where it works. The wall-clock hard stop (per-test watchdog from the
 * runner's `start` lines, and the request's total limit) kills the whole process group.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunCounters, SandboxError, executeRequest, type Attempt } from '../collect.ts';
import { type Limits, type RunnerRequest, type RunnerResponse } from '../protocol.ts';
import type { ExecuteOptions, Isolation, Sandbox, SandboxHealth, SandboxStats } from '../types.ts';
import { isRoot, killTree, onceEnded, probeBubblewrap, readableForRunner, real, runnerUid, spawnJailed, type JailSpec, type Mount } from './jail.ts';
import { serveRequest, type Spare } from './spare.ts';

export interface ProcessSandboxOptions {
  /** Python executable (default: python3; Debian's /usr/bin/python3 preferred when that is what it means). */
  python?: string;
  /** Folder holding run.py and tracefix_runner/ (default: sandbox/runner). */
  runnerDir?: string;
  /** Use bubblewrap; default: when it works on this machine. */
  bubblewrap?: boolean;
  /** Time after a test's limit before the hard stop. Default 1000. */
  graceMs?: number;
  /** RLIMIT_NPROC for the runner's uid (fork bombs stop here). Default 64. */
  maxProcesses?: number;
  /** Size of the sandbox's private /tmp. Default 32 MB. */
  scratchBytes?: number;
  /** Cap on bytes read from the runner's stdout per request. Default 32 MB. */
  maxOutputBytes?: number;
  /** Runners started ahead of need, each waiting for one request. Default 1; 0 starts them on demand. */
  prespawn?: number;
}

const DEFAULT_RUNNER_DIR = fileURLToPath(new URL('../runner/', import.meta.url));

interface PythonInfo {
  executable: string;
  /** Installation prefix to mount when it lives outside /usr. */
  prefix: string;
}

/** Resolves the interpreter once, so the jailed command needs no PATH (its environment is empty). */
function resolvePython(python: string): PythonInfo {
  if (python === 'python3' && existsSync('/usr/bin/python3')) return { executable: '/usr/bin/python3', prefix: '/usr' };
  const probe = spawnSync(python, ['-c', 'import sys, json; print(json.dumps([sys.executable, sys.base_prefix]))'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.status !== 0) {
    throw new SandboxError('sandbox_unavailable', `Python (${python}) is not available on this machine; install python3 or pick another sandbox.`, {
      detail: String(probe.error ?? probe.stderr).slice(0, 300),
    });
  }
  const [executable, prefix] = JSON.parse(probe.stdout) as [string, string];
  return { executable: real(executable), prefix: real(prefix) };
}

export class ProcessSandbox implements Sandbox {
  readonly name = 'process' as const;
  readonly isolation: Isolation;
  private readonly bubblewrap: boolean;
  private readonly runnerDir: string;
  private readonly graceMs: number;
  private readonly maxProcesses: number;
  private readonly scratchBytes: number;
  private readonly maxOutputBytes: number;
  private readonly python: PythonInfo;
  private readonly prespawn: number;
  private readonly spares = new Map<string, KeyedSpare[]>();
  private closed = false;
  private busy = 0;
  private startFailures = 0;
  private lastStartFailure = '';
  /** Requests served, runners killed, forged or junk runner lines. */
  readonly counters = new RunCounters();

  constructor(options: ProcessSandboxOptions = {}) {
    const probe = probeBubblewrap();
    this.bubblewrap = options.bubblewrap ?? probe.ok;
    this.isolation = this.bubblewrap
      ? { isolated: true, how: 'python3 inside bubblewrap as an unprivileged user, with rlimits: no network, no host files, empty environment.' }
      : { isolated: false, how: `python3 runs under rlimits with an empty environment, but ${probe.ok ? 'bubblewrap is turned off' : probe.reason}: code can reach this machine's files and network.` };
    this.runnerDir = readableForRunner(options.runnerDir ?? DEFAULT_RUNNER_DIR);
    this.graceMs = options.graceMs ?? 1_000;
    this.maxProcesses = options.maxProcesses ?? 64;
    this.scratchBytes = options.scratchBytes ?? 32 * 1024 * 1024;
    this.maxOutputBytes = options.maxOutputBytes ?? 32 * 1024 * 1024;
    this.python = resolvePython(options.python ?? 'python3');
    this.prespawn = options.prespawn ?? 1;
  }

  async execute(request: RunnerRequest, options: ExecuteOptions = {}): Promise<RunnerResponse> {
    this.busy++;
    try {
      return await executeRequest(
        request,
        (req, onLine) => Promise.resolve(this.launch(req, onLine)),
        { graceMs: this.graceMs, signal: options.signal },
        this.counters,
      );
    } finally {
      this.busy--;
    }
  }

  /**
   * Starts a jailed runner that waits for its request on stdin. Spares are started ahead of need
   * (`prespawn`), so a request does not pay for bubblewrap and the interpreter's start-up; each one
   * still serves exactly one request. Keyed by the limits baked into its rlimits.
   */
  private spawnRunner(limits: Limits): KeyedSpare {
    const mounts: Mount[] = [];
    let runPy = join(this.runnerDir, 'run.py');
    let cwd: string;
    let scratch: string | undefined;
    const uid = runnerUid();
    if (this.bubblewrap) {
      mounts.push({ source: this.runnerDir, target: '/runner' });
      if (!this.python.prefix.startsWith('/usr')) mounts.push({ source: this.python.prefix });
      runPy = '/runner/run.py';
      cwd = '/tmp';
    } else {
      // No bubblewrap: a fresh scratch folder owned by the uid the code runs as.
      scratch = mkdtempSync(join(tmpdir(), 'tracefix-run-'));
      if (isRoot()) chownSync(scratch, uid, uid);
      cwd = scratch;
    }
    const spec: JailSpec = {
      // -I: ignore PYTHON* variables and the user's site-packages; -X utf8: stdio is UTF-8 whatever the locale.
      command: [this.python.executable, '-I', '-X', 'utf8', runPy],
      uid,
      mounts,
      limits: {
        cpuSeconds: Math.ceil(limits.totalTimeoutMs / 1000) + 1,
        addressSpaceBytes: limits.memoryMb * 1024 * 1024,
        fileSizeBytes: Math.min(this.scratchBytes, 16 * 1024 * 1024),
        // run.py moves its protocol fd above 200 (out of reach of guesses), so leave room up there.
        openFiles: 1024,
        processes: this.maxProcesses,
      },
      cwd,
      tmpBytes: this.scratchBytes,
      bubblewrap: this.bubblewrap,
      // Without bubblewrap /tmp is the machine's: point tempfile & co. at the request's own scratch folder.
      ...(scratch ? { env: { TMPDIR: scratch } } : {}),
    };
    const child = spawnJailed(spec, scratch ?? '/');
    child.stdout.setEncoding('utf8');
    child.stdin.on('error', () => undefined);
    // stderr: the jail's and the interpreter's start-up complaints (the runner points fd 2 at
    // /dev/null before user code runs). A short tail goes into the detail for diagnosis.
    child.stderr.setEncoding('utf8');
    const spare: KeyedSpare = { child, key: limitsKey(limits), exited: false, stderrTail: '', ended: Promise.resolve({ code: null, signal: null }) };
    child.stderr.on('data', (chunk: string) => {
      spare.stderrTail = (spare.stderrTail + chunk).slice(-300);
    });
    spare.ended = new Promise((resolve) => {
      onceEnded(child, (code, signal) => {
        spare.exited = true;
        // Without bubblewrap, children the program left behind (a fork bomb) share the group: reap them.
        killTree(child);
        if (scratch) rmSync(scratch, { recursive: true, force: true });
        resolve({ code, signal });
      });
      child.on('error', () => {
        spare.exited = true;
        resolve({ code: -1, signal: null });
      });
    });
    return spare;
  }

  private takeRunner(limits: Limits): KeyedSpare {
    const key = limitsKey(limits);
    const ready = this.spares.get(key) ?? [];
    let spare = ready.shift();
    while (spare?.exited) spare = ready.shift();
    // While runners fail to start, spares would only fail too: start on demand until one works.
    if (!this.closed && this.prespawn > 0 && this.startFailures === 0) {
      while (ready.length < this.prespawn) ready.push(this.spawnRunner(limits));
      this.spares.set(key, ready);
    }
    return spare ?? this.spawnRunner(limits);
  }

  private launch(request: RunnerRequest, onLine: (line: string) => void): Attempt {
    return serveRequest(this.takeRunner(request.limits), request, onLine, {
      maxOutputBytes: this.maxOutputBytes,
      onEnd: ({ code, signal, spoke, killed }) => {
        // A runner that ended without a word and without being stopped did not start (a broken
        // python3 or bubblewrap): counted for /healthz; one that spoke proves the backend works.
        if (spoke || killed) this.startFailures = 0;
        else if (code !== 0) {
          this.startFailures++;
          this.lastStartFailure = `runner exited before it spoke (${signal ? `signal ${signal}` : `exit code ${code}`})`;
        }
      },
    });
  }

  stats(): SandboxStats {
    const warm = [...this.spares.values()].reduce((n, list) => n + list.filter((s) => !s.exited).length, 0);
    const health: SandboxHealth = { healthy: this.startFailures < 2, consecutiveFailures: this.startFailures };
    if (this.startFailures > 0) health.reason = this.lastStartFailure;
    return { warm, busy: this.busy, executed: this.counters.executed, killed: this.counters.killed, health };
  }

  async close(): Promise<void> {
    this.closed = true;
    const spares = [...this.spares.values()].flat();
    this.spares.clear();
    for (const spare of spares) killTree(spare.child);
    await Promise.all(spares.map((s) => s.ended));
  }
}

interface KeyedSpare extends Spare {
  key: string;
}

function limitsKey(limits: Limits): string {
  return `${limits.memoryMb}/${limits.totalTimeoutMs}`;
}
