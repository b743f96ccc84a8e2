/**
 * The `pyodide` backend, the embedded default: Python 3.14 in WebAssembly, in a separate Node runner
 * process (host.js) — never in our own process, where Python reaches the host's JavaScript realm
 * (STACK.md, "Isolation facts"). The runner gets an empty environment,
 * --disallow-code-generation-from-strings, rlimits, an unprivileged uid, and bubblewrap where it works;
 * inside it, Python's ways back into JavaScript (`js`, `pyodide_js`, NODEFS, process, require) are
 * closed before any request arrives (python-thread.js).
 *
 * A runner serves ONE request and is retired: the pool keeps fresh ones ready, restored from a
 * memory snapshot (a fraction of a cold load). An overrun gets a soft stop inside the runner
 * (interrupt buffer → KeyboardInterrupt), then the hard stop here: kill.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { z } from 'zod';
import { LineSplitter, RunCounters, SandboxError, executeRequest, type Attempt, type AttemptEnd, type KillReason } from '../collect.ts';
import { WarmPool } from '../pool.ts';
import { isRoot, killTree, onceEnded, probeBubblewrap, readableForRunner, runnerNode, runnerUid, real, spawnJailed, type Mount } from '../process/jail.ts';
import { type RunnerRequest, type RunnerResponse } from '../protocol.ts';
import type { ExecuteOptions, Isolation, Sandbox, SandboxStats } from '../types.ts';
import { Snapshots } from './snapshot-cache.ts';

export interface PyodideSandboxOptions {
  /** Fresh runners kept ready. Default 2. */
  poolSize?: number;
  /** Requests served at once. Default `poolSize`. */
  maxConcurrent?: number;
  /** Folder holding run.py and tracefix_runner/ (default: sandbox/runner). */
  runnerDir?: string;
  /** Folder of the npm `pyodide` package (default: resolved from node_modules). */
  pyodideDir?: string;
  /** Use bubblewrap; default: when it works on this machine. False only for diagnosis. */
  bubblewrap?: boolean;
  /** Time after a test's limit before the runner is killed (the soft stop comes first). Default 1000. */
  graceMs?: number;
  /** How long a runner may take to load Pyodide. Default 60 s (two busy cores can be slow). */
  startTimeoutMs?: number;
  /**
   * Start runners from a memory snapshot (a private Pyodide API, hence the pinned version): a fresh
   * runner is ready in a fraction of a cold load. Default true; without it, or if making it fails,
   * runners load cold.
   */
  snapshot?: boolean;
  /**
   * Folder of a persistent snapshot cache shared by every process of this user (the CLI: a second
   * `tracefix run` skips the cold load), created when first written. Entries are keyed by the Pyodide
   * version, a hash of the runner's files and the Node version, written atomically, and checked
   * against their manifest's SHA-256 before each use (a bad one is made again): snapshot-cache.ts.
   * Default: none — the snapshot is made once per sandbox, in a temporary folder. The composition
   * root passes `defaultSnapshotCacheDir` unless configured otherwise.
   */
  snapshotCacheDir?: string;
  /** First retry after a runner failed to start (doubles per failure, up to 30 s). Default 500 ms. */
  retryInitialMs?: number;
  /**
   * When a taken runner's replacement starts (pool.ts). Default `released`: a fresh runner costs about
   * a second of CPU even from the snapshot, and started at once it slows the request it replaces
   * (`npm run bench pool`: requests on ready runners took 2-2.6× as long; a run of five in a row, which
   * outruns a pool of two and waits for starts either way, took between 7% less and 10% more).
   */
  replaceWhen?: 'taken' | 'released';
}

export { defaultSnapshotCacheDir } from './snapshot-cache.ts';

const HostMessageSchema = z.discriminatedUnion('host', [
  z.object({ host: z.literal('ready'), python: z.string() }),
  z.object({ host: z.literal('idle'), nonce: z.string(), error: z.string().optional(), grownMb: z.number().optional() }),
  z.object({ host: z.literal('kill'), reason: z.literal('memory'), nonce: z.string() }),
  z.object({ host: z.literal('failed'), message: z.string() }),
  z.object({ host: z.literal('snapshot') }),
]);

const HOST_DIR = dirname(fileURLToPath(import.meta.url));
const DEFAULT_RUNNER_DIR = fileURLToPath(new URL('../runner/', import.meta.url));

function defaultPyodideDir(): string {
  return dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
}

interface RunnerConfig {
  pyodideDir: string;
  runnerDir: string;
  bubblewrap: boolean;
  startTimeoutMs: number;
}

type SnapshotMode = { in: string } | { out: string } | undefined;

interface Pending {
  nonce: string;
  onLine: (line: string) => void;
  resolve: (end: AttemptEnd) => void;
  killedFor?: KillReason;
}

/** One runner process: loaded (from the snapshot), waiting for its one request. */
class PyodideRunner {
  alive = true;
  served = 0;
  python = '';
  private pending: Pending | undefined;
  private killedFor: KillReason | undefined;
  private stderrTail = '';
  private onReady: ((error?: Error) => void) | undefined;
  private exited = false;
  private readonly ended: Promise<void>;
  private markEnded: () => void = () => undefined;

  get used(): boolean {
    return this.served > 0;
  }

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    const splitter = new LineSplitter(
      (line) => this.line(line),
      () => this.kill('output'),
      16 * 1024 * 1024,
      Number.MAX_SAFE_INTEGER,
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => splitter.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    child.stdin.on('error', () => undefined);
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    onceEnded(child, (code, signal) => {
      this.alive = false;
      this.exited = true;
      this.markEnded();
      const detail = signal ? `signal ${signal}` : `exit code ${code}`;
      this.onReady?.(new Error(`runner exited while loading (${detail}): ${this.stderrTail.trim().slice(-500)}`));
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve({ killed: pending.killedFor ?? this.killedFor ?? 'exit', detail });
    });
  }

  /** Spawns a runner host; with `snapshot.out` it only writes the memory snapshot there and exits. */
  static spawn(config: RunnerConfig, snapshot: SnapshotMode, uid = runnerUid()): ChildProcessWithoutNullStreams {
    const mounts: Mount[] = [];
    const node = runnerNode();
    // Read by the runner's unprivileged uid, with or without bubblewrap.
    const hostDir = readableForRunner(HOST_DIR);
    let host = join(hostDir, 'host.js');
    let pyodideDir = readableForRunner(config.pyodideDir);
    let runnerDir = readableForRunner(config.runnerDir);
    if (config.bubblewrap) {
      // Only its own folders, read-only, at fixed places; the node binary where it lives.
      if (node.mount) mounts.push(node.mount);
      mounts.push({ source: hostDir, target: '/host' });
      mounts.push({ source: pyodideDir, target: '/pyodide' });
      mounts.push({ source: runnerDir, target: '/runner' });
      host = '/host/host.js';
      pyodideDir = '/pyodide';
      runnerDir = '/runner';
    }
    const snapshotArgs: string[] = [];
    if (snapshot && 'in' in snapshot) {
      if (config.bubblewrap) mounts.push({ source: snapshot.in, target: '/snapshot/pyodide.snap' });
      snapshotArgs.push('--snapshot-in', config.bubblewrap ? '/snapshot/pyodide.snap' : snapshot.in);
    } else if (snapshot) {
      // The only writable mount any runner ever gets, and this one never runs user code.
      if (config.bubblewrap) mounts.push({ source: dirname(snapshot.out), target: '/snapshot', writable: true });
      snapshotArgs.push('--snapshot-out', config.bubblewrap ? '/snapshot/pyodide.snap' : snapshot.out);
    }
    return spawnJailed(
      {
        command: [node.command, '--disallow-code-generation-from-strings', '--max-old-space-size=256', host, pyodideDir, runnerDir, ...snapshotArgs],
        uid,
        mounts,
        // No address-space limit: WebAssembly engines reserve many GB they never touch. Memory is
        // watched by the host (RSS) instead; Python in WebAssembly cannot fork, so the process limit
        // only has to leave room for Node's own threads.
        // The snapshot maker writes tens of MB (and never runs user code); runners get 16 MB.
        limits: { cpuSeconds: 3600, fileSizeBytes: (snapshot && 'out' in snapshot ? 512 : 16) * 1024 * 1024, openFiles: 256, processes: 256 },
        cwd: config.bubblewrap ? '/tmp' : '/',
        tmpBytes: 16 * 1024 * 1024,
        bubblewrap: config.bubblewrap,
      },
      '/',
    );
  }

  /** Resolves once the runner is loaded; `signal` (the pool closing) kills it while it loads. */
  static async start(config: RunnerConfig, snapshotFile: string | undefined, signal: AbortSignal): Promise<PyodideRunner> {
    signal.throwIfAborted();
    const runner = new PyodideRunner(PyodideRunner.spawn(config, snapshotFile ? { in: snapshotFile } : undefined));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        runner.kill('exit');
        reject(new Error(`runner did not load within ${config.startTimeoutMs} ms`));
      }, config.startTimeoutMs);
      // A process that closes (a CLI command that is done) must not wait for a runner nobody will use.
      const abort = (): void => {
        clearTimeout(timer);
        runner.onReady = undefined;
        runner.kill('exit');
        reject(new Error('stopped while loading: the sandbox closed'));
      };
      signal.addEventListener('abort', abort, { once: true });
      runner.onReady = (error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        runner.onReady = undefined;
        if (error) reject(error);
        else resolve();
      };
    });
    return runner;
  }

  private line(line: string): void {
    if (line.startsWith('{"host"')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      const message = HostMessageSchema.safeParse(parsed);
      if (message.success) return this.hostMessage(message.data);
    }
    this.pending?.onLine(line);
  }

  private hostMessage(message: z.infer<typeof HostMessageSchema>): void {
    switch (message.host) {
      case 'ready':
        this.python = message.python;
        this.onReady?.();
        return;
      case 'failed':
        this.onReady?.(new Error(`runner failed to load: ${message.message}`));
        return;
      case 'snapshot':
        return;
      case 'kill':
        if (this.pending && message.nonce === this.pending.nonce) this.pending.killedFor = 'memory';
        return;
      case 'idle': {
        // The nonce never reaches Python, so code in the sandbox cannot end a request early.
        if (!this.pending || message.nonce !== this.pending.nonce) return;
        const pending = this.pending;
        this.pending = undefined;
        pending.resolve({});
        return;
      }
    }
  }

  run(request: RunnerRequest, onLine: (line: string) => void): Attempt {
    // The host enforces it too: a second request would see what the first one left behind.
    if (this.served > 0) throw new Error('a Pyodide runner serves one request');
    const nonce = randomUUID();
    this.served++;
    const end = new Promise<AttemptEnd>((resolve) => {
      this.pending = { nonce, onLine, resolve };
    });
    if (!this.alive) {
      this.pending?.resolve({ killed: 'exit', detail: 'runner not running' });
      this.pending = undefined;
    } else {
      this.child.stdin.write(JSON.stringify({ nonce, memoryMb: request.limits.memoryMb, request }) + '\n');
    }
    return { end, kill: (reason) => this.kill(reason) };
  }

  kill(reason: KillReason): void {
    this.killedFor ??= reason;
    if (this.pending) this.pending.killedFor ??= reason;
    this.alive = false;
    killTree(this.child);
  }

  /** Retire: a used runner is killed (nothing in it is worth keeping); an unused one leaves when its stdin closes. */
  async stop(): Promise<void> {
    this.alive = false;
    if (this.exited) return;
    if (this.used) killTree(this.child);
    else this.child.stdin.end();
    const timer = setTimeout(() => killTree(this.child), 2_000);
    await this.ended;
    clearTimeout(timer);
  }
}

export class PyodideSandbox implements Sandbox {
  readonly name = 'pyodide' as const;
  readonly isolation: Isolation;
  private readonly pool: WarmPool<PyodideRunner>;
  private readonly graceMs: number;
  private readonly snapshots: Snapshots | undefined;
  /** Requests served, runners killed, forged or junk runner lines. */
  readonly counters = new RunCounters();

  constructor(options: PyodideSandboxOptions = {}) {
    const probe = probeBubblewrap();
    const bubblewrap = options.bubblewrap ?? probe.ok;
    this.isolation = bubblewrap
      ? { isolated: true, how: 'Pyodide runner processes inside bubblewrap, one per request: no network, no host files, empty environment.' }
      : { isolated: false, how: `Pyodide runs in a separate process per request with an empty environment and no JavaScript bridge, but ${probe.ok ? 'bubblewrap is turned off' : probe.reason}: the runner process itself is not contained.` };
    this.graceMs = options.graceMs ?? 1_000;
    const config: RunnerConfig = {
      pyodideDir: options.pyodideDir ?? defaultPyodideDir(),
      runnerDir: options.runnerDir ?? DEFAULT_RUNNER_DIR,
      bubblewrap,
      startTimeoutMs: options.startTimeoutMs ?? 60_000,
    };
    const snapshots =
      options.snapshot === false
        ? undefined
        : new Snapshots({ key: () => cacheEntryName(config), make: (dir) => makeSnapshot(config, dir) }, options.snapshotCacheDir);
    this.snapshots = snapshots;
    const poolSize = options.poolSize ?? 2;
    this.pool = new WarmPool({
      size: poolSize,
      maxBusy: options.maxConcurrent ?? poolSize,
      ...(options.retryInitialMs === undefined ? {} : { retryInitialMs: options.retryInitialMs }),
      replaceWhen: options.replaceWhen ?? 'released',
      create: async (signal) => {
        /** Never rejects: it is awaited after the snapshot's check, which may take longer. */
        const fromSnapshot = (path: string): Promise<{ runner?: PyodideRunner; error?: unknown }> =>
          PyodideRunner.start(config, path, signal).then(
            (runner) => ({ runner }),
            (error: unknown) => ({ error }),
          );
        let snapshot = await snapshots?.file();
        if (snapshot) {
          // The runner loads while the cached snapshot is hashed; it is used only if the bytes match.
          let started = fromSnapshot(snapshot.path);
          if (!(await snapshot.checked)) {
            void started.then(({ runner }) => runner?.stop());
            snapshot = await snapshots?.mismatched();
            started = snapshot ? fromSnapshot(snapshot.path) : Promise.resolve({});
          }
          const { runner, error } = await started;
          if (runner) return runner;
          // Stopped, not broken: the snapshot is as good as it was.
          if (signal.aborted) throw error;
          // A snapshot that does not load must not take the backend down: load cold instead.
        }
        const runner = await PyodideRunner.start(config, undefined, signal).catch((error: unknown) => {
          // Pyodide itself does not load (a broken install): once it heals, make the snapshot again.
          if (!snapshot) snapshots?.retry();
          throw error;
        });
        if (snapshot) snapshots?.broken();
        return runner;
      },
      destroy: (runner) => runner.stop(),
    });
    this.pool.warm();
  }

  async execute(request: RunnerRequest, options: ExecuteOptions = {}): Promise<RunnerResponse> {
    return executeRequest(
      request,
      async (req, onLine) => {
        let runner: PyodideRunner;
        try {
          runner = await this.pool.acquire();
        } catch (error) {
          throw new SandboxError('sandbox_unavailable', 'The Python sandbox could not start. Try again in a moment.', { cause: error, retryable: true });
        }
        // Every attempt (a re-run after a kill too) gets a fresh runner; this one is retired after it.
        const attempt = runner.run(req, onLine);
        void attempt.end.then(() => this.pool.release(runner));
        return attempt;
      },
      { graceMs: this.graceMs, signal: options.signal },
      this.counters,
    );
  }

  /** Resolves once `count` runners are ready (tests and benchmarks; production just warms in the background). */
  async ready(count = 1): Promise<void> {
    const taken: PyodideRunner[] = [];
    try {
      for (let i = 0; i < count; i++) taken.push(await this.pool.acquire());
    } finally {
      for (const runner of taken) this.pool.release(runner);
    }
  }

  stats(): SandboxStats {
    const { warm, busy, starting, health } = this.pool.stats();
    return { warm, busy, starting, health, executed: this.counters.executed, killed: this.counters.killed };
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.snapshots?.close();
  }
}

/**
 * The cache key: everything the snapshot's memory depends on. The runner's Python files are imported
 * into it, the thread script makes it, Pyodide's version decides its layout, and Node's version the
 * WebAssembly engine that restores it.
 */
function cacheEntryName(config: RunnerConfig): string {
  const version = (JSON.parse(readFileSync(join(config.pyodideDir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  const hash = createHash('sha256');
  hash.update(`${version}\0${process.version}\0${process.arch}\0${real(config.pyodideDir)}\0${config.bubblewrap}\0`);
  const files: string[] = [join(HOST_DIR, 'python-thread.js'), join(HOST_DIR, 'host.js')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (name === '__pycache__') continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.py')) files.push(full);
    }
  };
  walk(join(config.runnerDir, 'tracefix_runner'));
  for (const file of files) hash.update(`${basename(file)}\0`).update(readFileSync(file)).update('\0');
  return `pyodide-${version.replace(/[^\w.-]/g, '_')}-${hash.digest('hex').slice(0, 20)}`;
}

/**
 * Makes the memory snapshot in `dir`, in a jailed runner that serves no request. Resolves to the
 * file, or undefined when it could not be made.
 */
async function makeSnapshot(config: RunnerConfig, dir: string): Promise<string | undefined> {
  const uid = runnerUid();
  // Writable by the maker only; readable by every runner (each runs as its own uid).
  chmodSync(dir, 0o755);
  if (isRoot()) chownSync(dir, uid, uid);
  const file = join(dir, 'pyodide.snap');
  const child = PyodideRunner.spawn(config, { out: file }, uid);
  child.stdout.resume();
  child.stderr.resume();
  child.stdin.end();
  const timer = setTimeout(() => killTree(child), config.startTimeoutMs * 2);
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', (exitCode) => resolve(exitCode));
    child.on('error', () => resolve(-1));
  });
  clearTimeout(timer);
  return code === 0 && existsSync(file) ? file : undefined;
}
