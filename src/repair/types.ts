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
  /** The program's language; absent means Python. The sandbox routes javascript/typescript to its JS runner. */
  language?: 'python' | 'javascript' | 'typescript';
  /**
   * Tests among `tests` that the user added by picking one of the answers a not-pinned reply offered:
   * the user's own word on an input chosen because the fixes disagree there, so the engine may call a fix
   * fixed on fewer tests than it otherwise asks for. Only the buttons set it, never a typed assert.
   */
  confirmedTests?: string[];
  origin: Origin;
}

export type RepairStatus =
  | 'fixed' // a candidate passes every test, and no plausible alternative disagrees on the probe inputs
  | 'not_pinned' // candidates pass every test but disagree elsewhere: the tests do not pin the fix down (see `choice`)
  | 'partly_fixed' // the best candidate passes more tests than the original, not all
  | 'not_fixed' // nothing better than the original was found
  | 'nothing_to_fix' // every test already passes
  | 'needs_tests' // no tests and no docstring examples: we need a failing example
  | 'cannot_run'; // the code needs what this sandbox lacks (a module: see facts.missingModule); no search was tried

export interface TestRow {
  id: string;
  name: string;
  before: TestStatus;
  after?: TestStatus;
  /** One line: expected vs actual, or the exception. Front ends may word it themselves from the fields below. */
  detail?: string;
  /** Facts of the original run (before), for front ends that word the row themselves. */
  expected?: string;
  actual?: string;
  /** `Type: message` of an exception the test raised. */
  error?: string;
  /** 1-based program line the error was raised at. */
  errorLine?: number;
  /** What the test printed (original program), cut to the output limit. */
  stdout?: string;
  stderr?: string;
}

/** Where the original's and the fix's traces of the failing test first part ways. */
export interface Divergence {
  testName: string;
  /** NExT step (k) at which they first differ. */
  step: number;
  original: { line: number; vars: Record<string, string> };
  fixed: { line: number; vars: Record<string, string> };
  /** The call under test with its arguments as they were at call time: `remove_negatives(nums=[1, -2, -3, 4])`. */
  call?: string;
}

/** The facts behind an answer; each front end words them itself. */
export interface RepairFacts {
  /** The program does not compile. */
  compileError?: { type: string; message: string; line?: number };
  /** A module the program imports that this sandbox lacks (`numpy`). */
  missingModule?: string;
  /** The first failing test of the original, as checked. */
  failing?: { testId: string; name: string; status: TestStatus; expected?: string; actual?: string; error?: string; line?: number };
  /** The edits of the returned fix (search candidates; model fixes have only the diff). */
  edits?: { line: number; kind: string; description: string; before: string; after?: string }[];
  divergence?: Divergence;
}

/** status `not_pinned`: an input on which candidates that pass every test disagree, and what each does. */
export interface FixChoice {
  /** The distinguishing call as Python source: `is_leap(1900)`. */
  call: string;
  /** What the original program returns (repr) or raises (`ValueError: …`) for it. */
  original?: string;
  /** One per distinct behaviour; the first is the best-ranked candidate (= fixedCode/diff of the result). */
  options: FixChoiceOption[];
}

export interface FixChoiceOption {
  /** Stable within the result: what a button sends back. */
  id: string;
  /** What this candidate returns (repr) or raises for `call`. */
  output: string;
  /** A test that pins this choice, appended to the user's tests on a re-run: `assert is_leap(1900) == False`. */
  test: string;
  fixedCode: string;
  diff: string;
  /** One line: what the edit does. */
  edit: string;
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
  facts?: RepairFacts;
  /** Present with status `not_pinned`: the question to put to the user. */
  choice?: FixChoice;
  /** The passing candidates' behaviour on inputs grown from the tests (counts only). */
  probe?: { inputs: number; plausible: number; clusters: number };
  trace?: {
    testName: string;
    /** The full NExT-annotated program. */
    rendered: string;
    /** The few lines the rationale cites, for chat replies. */
    excerpt: string;
    truncated: boolean;
  };
  candidates: { tried: number; passed: number; fromModel: number; fromSearch: number };
  /** Program output of the original's first failing test. */
  stdout?: string;
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
