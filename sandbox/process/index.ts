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
import { LineSplitter, SandboxError, runWithRecovery, type Attempt, type AttemptEnd, type KillReason } from '../collect.ts';
import { RunnerRequestSchema, type RunnerRequest, type RunnerResponse } from '../protocol.ts';
import type { ExecuteOptions, Isolation, Sandbox, SandboxStats } from '../types.ts';
import { isRoot, killTree, onceEnded, probeBubblewrap, real, runnerUid, spawnJailed, type JailSpec, type Mount } from './jail.ts';

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
  private busy = 0;
  private executed = 0;
  private killed = 0;
  junkLines = 0;

  constructor(options: ProcessSandboxOptions = {}) {
    const probe = probeBubblewrap();
    this.bubblewrap = options.bubblewrap ?? probe.ok;
    this.isolation = this.bubblewrap
      ? { isolated: true, how: 'python3 inside bubblewrap as an unprivileged user, with rlimits: no network, no host files, empty environment.' }
      : { isolated: false, how: `python3 runs under rlimits with an empty environment, but ${probe.ok ? 'bubblewrap is turned off' : probe.reason}: code can reach this machine's files and network.` };
    this.runnerDir = real(options.runnerDir ?? DEFAULT_RUNNER_DIR);
    this.graceMs = options.graceMs ?? 1_000;
    this.maxProcesses = options.maxProcesses ?? 64;
    this.scratchBytes = options.scratchBytes ?? 32 * 1024 * 1024;
    this.maxOutputBytes = options.maxOutputBytes ?? 32 * 1024 * 1024;
    this.python = resolvePython(options.python ?? 'python3');
  }

  async execute(request: RunnerRequest, options: ExecuteOptions = {}): Promise<RunnerResponse> {
    const checked = RunnerRequestSchema.safeParse(request);
    if (!checked.success) throw new SandboxError('bad_request', 'The run request was malformed.', { cause: checked.error });
    this.busy++;
    try {
      const response = await runWithRecovery(checked.data, (req, onLine) => Promise.resolve(this.launch(req, onLine)), {
        graceMs: this.graceMs,
        memoryMb: checked.data.limits.memoryMb,
        ...(options.signal ? { signal: options.signal } : {}),
        onJunk: (n) => (this.junkLines += n),
      });
      this.executed++;
      if (response.killed) this.killed++;
      return response;
    } finally {
      this.busy--;
    }
  }

  private launch(request: RunnerRequest, onLine: (line: string) => void): Attempt {
    const limits = request.limits;
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
    };
    const child = spawnJailed(spec, scratch ?? '/');
    let killedFor: KillReason | undefined;
    const kill = (reason: KillReason): void => {
      killedFor ??= reason;
      killTree(child);
    };
    const splitter = new LineSplitter(onLine, () => kill('output'), 16 * 1024 * 1024, this.maxOutputBytes);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => splitter.push(chunk));
    // stderr: the jail's and the interpreter's start-up complaints (the runner points fd 2 at
    // /dev/null before user code runs). A short tail goes into the detail for diagnosis.
    let stderrTail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-300);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(request));
    const end = new Promise<AttemptEnd>((resolve) => {
      onceEnded(child, (code, signal) => {
        splitter.flush();
        // Without bubblewrap, children the program left behind (a fork bomb) share the group: reap them.
        killTree(child);
        if (scratch) rmSync(scratch, { recursive: true, force: true });
        const detail = (signal ? `signal ${signal}` : `exit code ${code}`) + (stderrTail && code !== 0 ? `: ${stderrTail.trim()}` : '');
        // bubblewrap reports a child killed by a signal as 128 + the signal number.
        const cpu = signal === 'SIGXCPU' || code === 128 + 24;
        if (killedFor) resolve({ killed: killedFor, detail });
        else if (cpu) resolve({ killed: 'cpu', detail });
        else if (code !== 0) resolve({ killed: 'exit', detail });
        else resolve({});
      });
      child.on('error', () => resolve({ killed: 'exit', detail: 'could not start' }));
    });
    return { end, kill };
  }

  stats(): SandboxStats {
    return { warm: 0, busy: this.busy, executed: this.executed, killed: this.killed };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
