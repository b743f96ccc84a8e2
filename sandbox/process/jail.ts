/**
 * The wrapper every local runner starts in: rlimits (prlimit), an unprivileged uid (setpriv, when we
 * are root: root ignores RLIMIT_NPROC), and bubblewrap where it works. Shared by the process and
 * pyodide backends and by the envd stand-in, so all three contain hostile code the same way.
 * See ../shared/STACK.md, "Isolation facts", for what was tried on this kind of machine.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { accessSync, chmodSync, constants, cpSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';

export interface Mount {
  /** Host path. */
  source: string;
  /** Path inside the sandbox (default: same as source). */
  target?: string;
  writable?: boolean;
}

export interface JailLimits {
  /** CPU seconds for the whole process tree; the kernel's backstop behind our wall-clock watchdog. */
  cpuSeconds: number;
  /** RLIMIT_AS; omitted for WebAssembly hosts, whose engines reserve far more address space than they use. */
  addressSpaceBytes?: number;
  fileSizeBytes: number;
  openFiles: number;
  /** RLIMIT_NPROC: counts threads too, and per uid, so leave headroom for other runners of the same uid. */
  processes: number;
}

export interface JailSpec {
  command: string[];
  /** Unprivileged uid (and gid) to run as when we are root; default: a fresh `runnerUid()`. */
  uid?: number;
  mounts: Mount[];
  limits: JailLimits;
  /** Working directory inside the sandbox. */
  cwd: string;
  /** Size of the sandbox's private /tmp (bubblewrap only). */
  tmpBytes?: number;
  /** Use bubblewrap (caller checked `probeBubblewrap`). */
  bubblewrap: boolean;
  /** The jailed command's whole environment (never ours); default empty. */
  env?: Record<string, string>;
}

export const NOBODY = 65534;

/**
 * A fresh unprivileged uid for one runner. RLIMIT_NPROC counts every process and thread of a uid,
 * so runners sharing one uid (say nobody) would share one budget: a fork bomb in one request would
 * stop the next request's runner from starting, and runs could signal or inspect each other when
 * bubblewrap is absent. The ids need no passwd entry; the range sits far above real accounts.
 */
export function runnerUid(): number {
  return 1_000_000 + randomInt(0, 1_000_000);
}

/**
 * Where bwrap, prlimit and setpriv are looked up. sandbox/ reads no environment (the composition
 * root passes the operator's PATH in through useToolSearchPath); until then, the system folders.
 */
let toolSearchPath = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(delimiter);

function which(name: string): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  for (const dir of toolSearchPath.split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

let probe: { ok: boolean; reason: string } | undefined;

/** Absolute paths, resolved once per search path: the jailed command runs with an empty environment (no PATH). */
export const tools = {
  bwrap: which('bwrap'),
  prlimit: which('prlimit'),
  setpriv: which('setpriv'),
};

/** The operator's PATH (from src/config), for finding the jail's tools; call before creating a sandbox. */
export function useToolSearchPath(searchPath: string): void {
  if (searchPath === toolSearchPath) return;
  toolSearchPath = searchPath;
  tools.bwrap = which('bwrap');
  tools.prlimit = which('prlimit');
  tools.setpriv = which('setpriv');
  probe = undefined;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Argument vector (argv[0] is the program) that runs `spec.command` inside the wrapper. */
export function jailArgv(spec: JailSpec): string[] {
  const argv: string[] = [];
  const l = spec.limits;
  if (tools.prlimit) {
    argv.push(
      tools.prlimit,
      `--cpu=${l.cpuSeconds}`,
      `--fsize=${l.fileSizeBytes}`,
      `--nofile=${l.openFiles}`,
      `--nproc=${l.processes}`,
      '--core=0',
      ...(l.addressSpaceBytes ? [`--as=${l.addressSpaceBytes}`] : []),
      '--',
    );
  }
  if (isRoot() && tools.setpriv) {
    const uid = spec.uid ?? runnerUid();
    argv.push(tools.setpriv, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--');
  }
  if (spec.bubblewrap && tools.bwrap) {
    argv.push(tools.bwrap, ...bwrapArgs(spec), '--');
  }
  argv.push(...spec.command);
  return argv;
}

function bwrapArgs(spec: JailSpec): string[] {
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--disable-userns',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/sbin', '/sbin',
    '--proc', '/proc',
    '--dev', '/dev',
    ...(spec.tmpBytes ? ['--size', String(spec.tmpBytes)] : []),
    '--tmpfs', '/tmp',
  ];
  for (const m of spec.mounts) {
    args.push(m.writable ? '--bind' : '--ro-bind', m.source, m.target ?? m.source);
  }
  for (const [name, value] of Object.entries(spec.env ?? {})) args.push('--setenv', name, value);
  args.push('--chdir', spec.cwd);
  return args;
}


/**
 * Whether bubblewrap actually works here (installed is not enough: containers often forbid user
 * namespaces). Runs `bwrap … true` once, as the same uid the runners will use.
 */
export function probeBubblewrap(): { ok: boolean; reason: string } {
  if (probe) return probe;
  if (!tools.bwrap) {
    probe = { ok: false, reason: 'bubblewrap (bwrap) is not installed on this machine' };
    return probe;
  }
  const argv = jailArgv({
    command: ['/usr/bin/true'],
    mounts: [],
    limits: { cpuSeconds: 5, fileSizeBytes: 1 << 20, openFiles: 64, processes: 4096 },
    cwd: '/tmp',
    bubblewrap: true,
  });
  const result = spawnSync(argv[0] as string, argv.slice(1), { env: {}, timeout: 10_000, encoding: 'utf8' });
  probe =
    result.status === 0
      ? { ok: true, reason: 'bubblewrap works here' }
      : { ok: false, reason: `bubblewrap is installed but does not run here (${(result.stderr || String(result.error ?? result.status)).trim().slice(0, 200)})` };
  return probe;
}

/** Starts the wrapped command in its own process group, with an empty environment. */
export function spawnJailed(spec: JailSpec, hostCwd: string): ChildProcessWithoutNullStreams {
  const argv = jailArgv(spec);
  return spawn(argv[0] as string, argv.slice(1), {
    // bubblewrap clears it again and sets spec.env inside (--clearenv, --setenv).
    env: spec.bubblewrap ? {} : { ...spec.env },
    cwd: hostCwd,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Hard stop: the whole process group (bubblewrap's --die-with-parent takes the namespace down with it). */
export function killTree(child: { pid?: number | undefined; kill(signal?: NodeJS.Signals): boolean }): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** A host path's real location, so a bind mount does not point at a symlink. */
export function real(path: string): string {
  return realpathSync(path);
}

/** True when every folder above `path` lets anyone through and everything below it is readable by anyone. */
export function readableByAnyone(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) break;
  }
  const walk = (p: string): boolean => {
    const st = statSync(p);
    if (st.isDirectory()) {
      if ((st.mode & 0o005) !== 0o005) return false;
      return readdirSync(p).every((name) => walk(join(p, name)));
    }
    return (st.mode & 0o004) !== 0;
  };
  return walk(path);
}

function openToAnyone(path: string): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) openToAnyone(join(path, name));
  } else {
    chmodSync(path, st.mode & 0o111 ? 0o755 : 0o644);
  }
}

let stageRoot: string | undefined;
const staged = new Map<string, string>();

/**
 * The folders a runner needs (the runner, Pyodide, the host script) must be readable by the
 * unprivileged uid it runs as. A checkout under a private folder (a 0700 home or `mktemp -d`, a
 * umask of 077) is not: then the folder is copied, once per process, into a world-readable staging
 * folder that is removed at exit. Read-only for the runner either way: it is mounted read-only.
 */
export function readableForRunner(path: string): string {
  const source = realpathSync(path);
  // Decided once per folder and process: runners are spawned often, the folders do not change.
  const known = staged.get(source);
  if (known) return known;
  if (process.getuid?.() !== 0 || readableByAnyone(source)) {
    staged.set(source, source);
    return source;
  }
  if (!stageRoot) {
    const root = mkdtempSync(join(tmpdir(), 'tracefix-stage-'));
    chmodSync(root, 0o755);
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    stageRoot = root;
  }
  const target = join(stageRoot, `${staged.size}`); // unique: one entry per folder seen
  cpSync(source, target, { recursive: true, dereference: true });
  openToAnyone(target);
  staged.set(source, target);
  return target;
}

/**
 * The Node binary a runner starts, as the runner's uid can execute it, and the folder to mount for it
 * under bubblewrap. A Node installed under a private home folder (nvm, `npx -p node@22` in root's
 * ~/.npm) is staged like the runner's folders; Debian's /usr/bin/node is used, and mounted, as it is.
 */
export function runnerNode(): { command: string; mount?: Mount } {
  const nodeReal = real(process.execPath);
  if (nodeReal.startsWith('/usr/')) return { command: nodeReal };
  const nodeDir = readableForRunner(dirname(nodeReal));
  return { command: join(nodeDir, basename(nodeReal)), mount: { source: nodeDir } };
}

/**
 * Calls `done` once, when the child has exited and its pipes closed — or shortly after it exited if
 * the pipes stay open: without bubblewrap a grandchild that left the process group (setsid) can hold
 * them for ever, and a request must not wait on it.
 */
export function onceEnded(child: ChildProcessWithoutNullStreams, done: (code: number | null, signal: NodeJS.Signals | null) => void, lingerMs = 2_000): void {
  let called = false;
  const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (called) return;
    called = true;
    done(code, signal);
  };
  child.on('close', finish);
  child.on('exit', (code, signal) => {
    setTimeout(() => {
      if (called) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish(code, signal);
    }, lingerMs).unref();
  });
}
