import type { RunnerRequest, RunnerResponse } from './protocol.ts';

export type SandboxName = 'pyodide' | 'process' | 'e2b';

export interface Isolation {
  /** True when untrusted code cannot reach the host's environment, files or network. */
  isolated: boolean;
  /** One sentence: how (bubblewrap, E2B) or why not (no bubblewrap on this machine). */
  how: string;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
}

/**
 * Where user code runs. Every backend speaks the runner protocol (protocol.ts) and must pass the
 * contract suite in tests/contract. A failing user program is data: it comes back inside the
 * response. `execute` rejects only for our own faults (backend unavailable, runner protocol broken).
 */
export interface Sandbox {
  readonly name: SandboxName;
  readonly isolation: Isolation;
  execute(request: RunnerRequest, options?: ExecuteOptions): Promise<RunnerResponse>;
  /** Live state for /metrics and /healthz. */
  stats(): SandboxStats;
  close(): Promise<void>;
}

export interface SandboxStats {
  /** Fresh runners ready for a request (each serves one request and is retired). */
  warm: number;
  busy: number;
  executed: number;
  killed: number;
  /** Runners being started. */
  starting?: number;
  /** Whether the backend can start runners; /healthz answers 503 while it cannot. */
  health?: SandboxHealth;
}

export interface SandboxHealth {
  healthy: boolean;
  /** Runner starts that failed in a row; 0 once one succeeds (the backend retries with back-off). */
  consecutiveFailures: number;
  /** Our own error while starts fail (never user code). */
  reason?: string;
  /** When the next start is tried. */
  retryInMs?: number;
}
