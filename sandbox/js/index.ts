/**
 * The JavaScript/TypeScript backend: a Node runner process (runner/run.js) that evaluates user code
 * only inside QuickJS (WebAssembly: no `process`, `require`, files or sockets in that realm), started
 * for ONE request inside the same jail as the Python runners (bubblewrap, empty environment, an
 * unprivileged uid, rlimits, --disallow-code-generation-from-strings). Why QuickJS rather than Node
 * in bubblewrap: sandbox/js/README.md. The request's total time limit is the hard stop here; a
 * test's own limit is enforced inside the runner (QuickJS interrupt handler), with the `start`
 * lines' watchdog behind it.
 */
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { RunCounters, executeRequest, type Attempt } from '../collect.ts';
import { killTree, onceEnded, probeBubblewrap, readableForRunner, real, runnerNode, runnerUid, spawnJailed, type JailSpec, type Mount } from '../process/jail.ts';
import { serveRequest, type Spare } from '../process/spare.ts';
import type { RunnerRequest, RunnerResponse } from '../protocol.ts';
import type { ExecuteOptions, Isolation, Sandbox, SandboxStats } from '../types.ts';

/** A Sandbox in all but its name: it is never chosen on its own, only behind LanguageRouter. */
export type LanguageSandbox = Omit<Sandbox, 'name'> & { readonly name: string };

export interface JsSandboxOptions {
  /** Use bubblewrap; default: when it works on this machine. */
  bubblewrap?: boolean;
  /** Time after a test's limit before the hard stop (the runner's own stop comes first). Default 1000. */
  graceMs?: number;
  /** Runners started ahead of need, each serving one request. Default 1; 0 starts them on demand. */
  prespawn?: number;
  /** Cap on bytes read from the runner's stdout per request. Default 32 MB. */
  maxOutputBytes?: number;
}

const RUNNER_DIR = fileURLToPath(new URL('./runner/', import.meta.url));

/** The folder holding the packages run.js imports (QuickJS, acorn, magic-string, esbuild). */
function nodeModulesDir(): string {
  // acorn's entry is dist/acorn.js: two folders up is the package, three is node_modules.
  const entry = createRequire(import.meta.url).resolve('acorn');
  return dirname(dirname(dirname(real(entry))));
}

export class JsSandbox implements LanguageSandbox {
  readonly name = 'quickjs' as const;
  readonly isolation: Isolation;
  readonly counters = new RunCounters();
  private readonly bubblewrap: boolean;
  private readonly graceMs: number;
  private readonly prespawn: number;
  private readonly maxOutputBytes: number;
  private readonly runnerDir: string;
  private readonly modulesDir: string;
  private readonly spares: Spare[] = [];
  private busy = 0;
  private closed = false;

  constructor(options: JsSandboxOptions = {}) {
    const probe = probeBubblewrap();
    this.bubblewrap = options.bubblewrap ?? probe.ok;
    // QuickJS alone already keeps code away from the host realm; bubblewrap is the second wall, for a
    // bug in the engine or in our runner. Without it we do not call the backend isolated.
    this.isolation = this.bubblewrap
      ? { isolated: true, how: 'JavaScript runs in QuickJS (WebAssembly) inside a runner process in bubblewrap as an unprivileged user: no network, no host files, empty environment.' }
      : { isolated: false, how: `JavaScript runs in QuickJS (WebAssembly, no process/require/files in its realm), but ${probe.ok ? 'bubblewrap is turned off' : probe.reason}: the runner process itself is not contained.` };
    this.graceMs = options.graceMs ?? 1_000;
    this.prespawn = options.prespawn ?? 1;
    this.maxOutputBytes = options.maxOutputBytes ?? 32 * 1024 * 1024;
    this.runnerDir = readableForRunner(RUNNER_DIR);
    this.modulesDir = readableForRunner(nodeModulesDir());
  }

  async execute(request: RunnerRequest, options: ExecuteOptions = {}): Promise<RunnerResponse> {
    this.busy++;
    try {
      return await executeRequest(request, (req, onLine) => Promise.resolve(this.launch(req, onLine)), { graceMs: this.graceMs, signal: options.signal }, this.counters);
    } finally {
      this.busy--;
    }
  }

  private spawnRunner(): Spare {
    const mounts: Mount[] = [];
    let runJs = join(this.runnerDir, 'run.js');
    // The runner's uid must be able to execute Node itself (`npx -p node@22` keeps it in root's ~/.npm).
    const node = runnerNode();
    if (this.bubblewrap) {
      if (node.mount) mounts.push(node.mount);
      // run.js resolves its packages from ../node_modules, so the two sit side by side.
      mounts.push({ source: this.runnerDir, target: '/app/runner' });
      mounts.push({ source: this.modulesDir, target: '/app/node_modules' });
      runJs = '/app/runner/run.js';
    }
    const spec: JailSpec = {
      command: [node.command, '--disallow-code-generation-from-strings', '--max-old-space-size=256', '--stack-size=2000', runJs],
      uid: runnerUid(),
      mounts,
      // No RLIMIT_AS: WebAssembly engines reserve far more address space than they use. QuickJS's
      // own memory limit bounds the user's heap; --max-old-space-size bounds ours.
      limits: { cpuSeconds: 120, fileSizeBytes: 1024 * 1024, openFiles: 256, processes: 64 },
      cwd: this.bubblewrap ? '/tmp' : '/',
      tmpBytes: 8 * 1024 * 1024,
      bubblewrap: this.bubblewrap,
    };
    const child = spawnJailed(spec, '/');
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdin.on('error', () => undefined);
    const spare: Spare = { child, exited: false, stderrTail: '', ended: Promise.resolve({ code: null, signal: null }) };
    child.stderr.on('data', (chunk: string) => {
      spare.stderrTail = (spare.stderrTail + chunk).slice(-300);
    });
    spare.ended = new Promise((resolve) => {
      onceEnded(child, (code, signal) => {
        spare.exited = true;
        killTree(child);
        resolve({ code, signal });
      });
      child.on('error', () => {
        spare.exited = true;
        resolve({ code: -1, signal: null });
      });
    });
    return spare;
  }

  private takeRunner(): Spare {
    let spare = this.spares.shift();
    while (spare?.exited) spare = this.spares.shift();
    if (!this.closed) while (this.spares.length < this.prespawn) this.spares.push(this.spawnRunner());
    return spare ?? this.spawnRunner();
  }

  private launch(request: RunnerRequest, onLine: (line: string) => void): Attempt {
    return serveRequest(this.takeRunner(), request, onLine, { maxOutputBytes: this.maxOutputBytes });
  }

  stats(): SandboxStats {
    return { warm: this.spares.filter((s) => !s.exited).length, busy: this.busy, executed: this.counters.executed, killed: this.counters.killed };
  }

  async close(): Promise<void> {
    this.closed = true;
    const spares = this.spares.splice(0);
    for (const spare of spares) killTree(spare.child);
    await Promise.all(spares.map((s) => s.ended));
  }
}
