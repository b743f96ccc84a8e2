import type { TestStatus } from '../../sandbox/protocol.ts';

export type Platform = 'slack' | 'discord' | 'web' | 'cli' | 'eval';

/** Where a request came from. Ids are the platform's own; the feedback store pseudonymises them. */
export interface Origin {
  platform: Platform;
  workspace?: string;
  channel?: string;
  thread?: string;
  user?: string;
  /** The platform's id of the message that asked (for replies and reactions). */
  message?: string;
}

/** A parsed paste: what every front end hands the engine. */
export interface RepairRequest {
  id: string;
  code: string;
  /** Test source as pasted; absent means docstring examples, or ask the user for a failing example. */
  tests?: string;
  description?: string;
  /** Function under test for HumanEval-style `check(candidate)` tests. */
  entryPoint?: string;
  /**
   * Source the fix must not change (eval: the task's signature, docstring and helpers). The program is
   * `frozenPrefix + code`; only `code` is edited.
   */
  frozenPrefix?: string;
  origin: Origin;
}

export type RepairStatus =
  | 'fixed' // a candidate passes every test
  | 'partly_fixed' // the best candidate passes more tests than the original, not all
  | 'not_fixed' // nothing better than the original was found
  | 'nothing_to_fix' // every test already passes
  | 'needs_tests'; // no tests and no docstring examples: we need a failing example

export interface TestRow {
  id: string;
  name: string;
  before: TestStatus;
  after?: TestStatus;
  /** One line: expected vs actual, or the exception. */
  detail?: string;
}

export type ProgressStage = 'queued' | 'tests' | 'trace' | 'search' | 'model' | 'verify' | 'second_round' | 'done';

export interface Progress {
  stage: ProgressStage;
  /** One short line for a status message: "Trying 40 candidate fixes (12/40)". */
  message: string;
  done?: number;
  total?: number;
}

export interface RepairResult {
  requestId: string;
  status: RepairStatus;
  /** One-line summary for a status line or a notification. */
  summary: string;
  rationale?: string;
  /** The whole fixed program (frozenPrefix excluded). */
  fixedCode?: string;
  /** Unified diff of code -> fixedCode. */
  diff?: string;
  tests: TestRow[];
  trace?: {
    testName: string;
    /** The full NExT-annotated program. */
    rendered: string;
    /** The few lines the rationale cites, for chat replies. */
    excerpt: string;
    truncated: boolean;
  };
  candidates: { tried: number; passed: number; fromModel: number; fromSearch: number };
  model: { id: string; promptVersion?: string };
  /**
   * The exact prompt the model saw for the returned fix, when a model wrote it: the feedback store keeps
   * it so self-training fine-tunes on what the model really answered (second rounds included).
   */
  prompt?: string;
  timings: { totalMs: number; testsMs?: number; traceMs?: number; searchMs?: number; modelMs?: number; verifyMs?: number };
}

export interface RunOptions {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** Absolute deadline (epoch ms). */
  deadline?: number;
}

/**
 * What front ends call: the engine itself, or a queue in front of it (src/queue). Rejects only with
 * TracefixError for our own faults, bad input, deadline or cancel; a failing program is a result.
 */
export interface RepairService {
  run(request: RepairRequest, options?: RunOptions): Promise<RepairResult>;
}
