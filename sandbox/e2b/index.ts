/**
 * The `e2b` backend: E2B cloud sandboxes through the `e2b` SDK. A pool of warm sandboxes, each with
 * the runner already uploaded; a whole batch of candidates goes in one command (`python3 run.py <
 * request.json`), because every round trip costs 0.6–1.8 s from far away.
 *
 * A sandbox serves one request and is then killed (and a fresh one warmed in the background): code
 * from one request could leave a process behind that reads or forges the next request's run, and
 * the next request may be someone else's. Our environment never reaches the SDK's `envs`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandExitError, Sandbox as E2B, type CommandHandle } from 'e2b';
import { LineSplitter, RunCounters, SandboxError, executeRequest, type Attempt, type AttemptEnd, type KillReason } from '../collect.ts';
import { WarmPool } from '../pool.ts';
import { type RunnerRequest, type RunnerResponse } from '../protocol.ts';
import type { ExecuteOptions, Isolation, Sandbox, SandboxStats } from '../types.ts';

export interface E2BSandboxOptions {
  /** E2B API key (the composition root passes config's E2B_API_KEY; we never let the SDK read our env). */
  apiKey?: string;
  /** Template with python3 (default: E2B's base template). */
  template?: string;
  domain?: string;
  /** Talk to a local envd at localhost:49983 (the SDK's debug mode; tests use tests/standins/envd.ts). */
  debug?: boolean;
  /** Warm sandboxes kept ready. Default 2 (the free plan allows 20 at once, 1 create per second). */
  poolSize?: number;
  /** Sandbox lifetime, after which E2B removes it. Default 300 s. */
  lifetimeMs?: number;
  /** Timeout of one HTTP request to E2B. Default 30 s. */
  requestTimeoutMs?: number;
  runnerDir?: string;
  graceMs?: number;
  /** RLIMIT_NPROC inside the sandbox (fork bombs stop here). Default 64. */
  maxProcesses?: number;
}

const DEFAULT_RUNNER_DIR = fileURLToPath(new URL('../runner/', import.meta.url));
/** Where the runner lives inside every sandbox. */
export const E2B_RUNNER_DIR = '/home/user/tracefix';

/** run.py and the tracefix_runner package: what a sandbox needs, nothing else of the repository. */
function runnerFiles(dir: string): { path: string; data: string }[] {
  const files: { path: string; data: string }[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      if (name === '__pycache__') continue;
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.py')) files.push({ path: `${E2B_RUNNER_DIR}/${relative(dir, full)}`, data: readFileSync(full, 'utf8') });
    }
  };
  const runPy = join(dir, 'run.py');
  if (existsSync(runPy)) files.push({ path: `${E2B_RUNNER_DIR}/run.py`, data: readFileSync(runPy, 'utf8') });
  if (existsSync(join(dir, 'tracefix_runner'))) walk(join(dir, 'tracefix_runner'));
  return files;
}

class E2BMember {
  alive = true;
  used = false;
  constructor(readonly sandbox: E2B) {}
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export class E2BSandbox implements Sandbox {
  readonly name = 'e2b' as const;
  readonly isolation: Isolation = { isolated: true, how: 'E2B cloud sandboxes (Firecracker microVMs), one per request; nothing of this machine is inside.' };
  private readonly pool: WarmPool<E2BMember>;
  private readonly graceMs: number;
  private readonly maxProcesses: number;
  /** Requests served, runners killed, forged or junk runner lines. */
  readonly counters = new RunCounters();

  constructor(options: E2BSandboxOptions = {}) {
    if (!options.debug && !options.apiKey) {
      throw new SandboxError('sandbox_unavailable', 'The E2B sandbox needs an API key: set E2B_API_KEY.');
    }
    const files = runnerFiles(options.runnerDir ?? DEFAULT_RUNNER_DIR);
    if (!files.some((f) => f.path.endsWith('/run.py'))) {
      throw new SandboxError('sandbox_unavailable', 'The Python runner (sandbox/runner/run.py) is missing from this installation.');
    }
    this.graceMs = options.graceMs ?? 1_000;
    this.maxProcesses = options.maxProcesses ?? 64;
    const lifetimeMs = options.lifetimeMs ?? 300_000;
    const connection = {
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.domain === undefined ? {} : { domain: options.domain }),
      debug: options.debug ?? false,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    };
    this.pool = new WarmPool({
      size: options.poolSize ?? 2,
      create: async () => {
        const createOptions = { ...connection, timeoutMs: lifetimeMs, allowInternetAccess: false, envs: {} };
        const sandbox = options.template ? await E2B.create(options.template, createOptions) : await E2B.create(createOptions);
        try {
          await sandbox.files.write(files);
        } catch (error) {
          await sandbox.kill().catch(() => undefined);
          throw error;
        }
        return new E2BMember(sandbox);
      },
      destroy: async (member) => {
        await member.sandbox.kill().catch(() => undefined);
      },
    });
    this.pool.warm();
  }

  async execute(request: RunnerRequest, options: ExecuteOptions = {}): Promise<RunnerResponse> {
    return executeRequest(request, (req, onLine) => this.launch(req, onLine), { graceMs: this.graceMs, signal: options.signal }, this.counters);
  }

  private async launch(request: RunnerRequest, onLine: (line: string) => void): Promise<Attempt> {
    let member: E2BMember;
    try {
      member = await this.pool.acquire();
    } catch (error) {
      throw new SandboxError('sandbox_unavailable', 'The E2B sandbox could not start. Try again in a moment.', { cause: error, retryable: true });
    }
    // Single use: whatever happens, this sandbox is killed once the attempt ends (the pool retires
    // used members), and a re-run after a kill gets another fresh sandbox.
    member.used = true;
    const sandbox = member.sandbox;
    let handle: CommandHandle | undefined;
    let killedFor: KillReason | undefined;
    let settle: (end: AttemptEnd) => void = () => undefined;
    const end = new Promise<AttemptEnd>((resolve) => (settle = resolve));
    const kill = (reason: KillReason): void => {
      killedFor ??= reason;
      if (handle) void handle.kill().catch(() => undefined);
      else settle({ killed: reason, detail: 'stopped before the command started' });
      // If E2B does not confirm the kill (network trouble), stop waiting: the sandbox is killed anyway.
      setTimeout(() => settle({ killed: reason, detail: 'kill not confirmed' }), 5_000).unref();
    };
    const splitter = new LineSplitter(onLine, () => kill('output'), 16 * 1024 * 1024, 32 * 1024 * 1024);
    const limits = request.limits;
    const requestPath = `${E2B_RUNNER_DIR}/request-${randomUUID()}.json`;
    const command = [
      `cd ${E2B_RUNNER_DIR}`,
      // The request (user code, maybe secrets in it) is read from an open descriptor; its file is gone
      // before any of it runs, so nothing the code does can find it on disk.
      `exec 0< ${shellQuote(requestPath)}`,
      `rm -f ${shellQuote(requestPath)}`,
      `ulimit -v ${limits.memoryMb * 1024} 2>/dev/null`,
      `ulimit -f ${16 * 1024} 2>/dev/null`,
      `ulimit -u ${this.maxProcesses} 2>/dev/null`,
      `ulimit -t ${Math.ceil(limits.totalTimeoutMs / 1000) + 1} 2>/dev/null`,
      'exec python3 -I -X utf8 run.py',
    ].join('; ');
    const run = async (): Promise<AttemptEnd> => {
      await sandbox.files.write(requestPath, JSON.stringify(request));
      if (killedFor) return { killed: killedFor };
      handle = await sandbox.commands.run(command, {
        background: true,
        envs: {},
        timeoutMs: limits.totalTimeoutMs + 10_000,
        onStdout: (data) => splitter.push(data),
        // stderr is the runner's diagnostics, not protocol: dropped.
        onStderr: () => undefined,
      });
      if (killedFor) void handle.kill().catch(() => undefined);
      try {
        await handle.wait();
        splitter.flush();
        return killedFor ? { killed: killedFor } : {};
      } catch (error) {
        splitter.flush();
        // A non-zero exit is the user's program's doing (os._exit, a limit): a result, not our fault.
        if (error instanceof CommandExitError) return { killed: killedFor ?? 'exit', detail: `exit code ${error.exitCode}` };
        throw error;
      }
    };
    run().then(settle, (error: unknown) => {
      settle({ killed: killedFor ?? 'exit', detail: `sandbox connection failed: ${error instanceof Error ? error.name : 'error'}` });
    });
    void end.then(() => this.pool.release(member));
    return { end, kill };
  }

  stats(): SandboxStats {
    const { warm, busy, starting, health } = this.pool.stats();
    return { warm, busy, starting, health, executed: this.counters.executed, killed: this.counters.killed };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
