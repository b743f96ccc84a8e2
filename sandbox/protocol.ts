/**
 * The runner protocol: one JSON request in, a stream of JSON lines out, the same for every backend.
 * A backend only decides *where* Python runs; what runs is always sandbox/runner/.
 *
 * Streaming (one JSON object per line) rather than one final document, so that when a backend has to
 * kill the runner (memory bomb, C-level hang, wall-clock overrun) everything reported before the kill
 * survives, and the backend knows exactly which program and test were running.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

export const LimitsSchema = z.object({
  /** Wall-clock limit of one test of one program. */
  testTimeoutMs: z.number().int().positive(),
  /**
   * Deterministic stop for runaway code: line/jump events counted per test. How the runner counts
   * (sandbox/runner/tracefix_runner/watchdog.py): loop iterations (back-edges), on CPython only
   * once a test has used 250 ms of CPU (earlier ones cost nothing and are not counted), on Pyodide
   * from the start; trace mode counts every trace event instead.
   */
  stepBudget: z.number().int().positive(),
  /** Captured stdout+stderr per test (bytes); the rest is counted, not kept. */
  outputBytes: z.number().int().positive(),
  /** Trace mode: events kept; later events are counted only. */
  traceEvents: z.number().int().positive(),
  /** Longest repr kept for one value in a trace or an assertion message. */
  valueChars: z.number().int().positive(),
  /** Enforced by the backend (rlimit, cgroup, WebAssembly heap), not by the runner. */
  memoryMb: z.number().int().positive(),
  /** Whole request; the backend's hard stop. */
  totalTimeoutMs: z.number().int().positive(),
});
export type Limits = z.infer<typeof LimitsSchema>;

/** A traced run gets this many times a test's time limit (the runner's TRACE_TIMEOUT_FACTOR). */
export const TRACE_TIMEOUT_FACTOR = 3;

export const DEFAULT_LIMITS: Limits = {
  testTimeoutMs: 2_000,
  stepBudget: 2_000_000,
  outputBytes: 16_384,
  traceEvents: 4_000,
  valueChars: 120,
  memoryMb: 512,
  totalTimeoutMs: 60_000,
};

export const ProgramSchema = z.object({ id: z.string().min(1), source: z.string() });
export type Program = z.infer<typeof ProgramSchema>;

/**
 * The language of the program and tests; absent means Python. A router (sandbox/js/router.ts) sends
 * javascript and typescript to the JavaScript runner; every message back is the same.
 */
export const LanguageSchema = z.enum(['python', 'javascript', 'typescript']);
export type Language = z.infer<typeof LanguageSchema>;

const common = {
  language: LanguageSchema.optional(),
  /** Test source as pasted: bare asserts, `def check(candidate)` + call, `test_*` functions; null = use docstring examples, or run as a script. */
  tests: z.string().nullable(),
  /** Function under test, for HumanEval-style `check(candidate)` tests. */
  entryPoint: z.string().optional(),
  limits: LimitsSchema,
};

export const TestRequestSchema = z.object({
  mode: z.literal('test'),
  /** Tests are discovered once, from the tests source (or, when it is null, the FIRST program's docstrings). */
  programs: z.array(ProgramSchema).min(1),
  /** Stop a program at its first non-passing test (cheap screening of candidate fixes); later tests get no `result`. */
  stopOnFirstFailure: z.boolean().optional(),
  /** Only these test ids (as reported in the `tests` message). */
  onlyTests: z.array(z.string()).optional(),
  ...common,
});

export const TraceRequestSchema = z.object({
  mode: z.literal('trace'),
  program: ProgramSchema,
  /**
   * Which test to trace; default: the first one that does not pass (the runner first runs the tests
   * untraced, emitting their `start`/`result` messages, then traces that one, or t0 if all pass).
   * The traced run's verdict is only in `trace_end`; its time limit is TRACE_TIMEOUT_FACTOR x
   * testTimeoutMs (see its `start`).
   */
  testId: z.string().optional(),
  ...common,
});

/** Program-search support (AST edits) lives in the runner too; its payload is owned by src/repair. */
export const MutateRequestSchema = z.object({
  mode: z.literal('mutate'),
  language: LanguageSchema.optional(),
  payload: z.unknown(),
  limits: LimitsSchema,
});

export const RunnerRequestSchema = z.discriminatedUnion('mode', [
  TestRequestSchema,
  TraceRequestSchema,
  MutateRequestSchema,
]);
export type RunnerRequest = z.infer<typeof RunnerRequestSchema>;
export type TestRequest = z.infer<typeof TestRequestSchema>;
export type TraceRequest = z.infer<typeof TraceRequestSchema>;
export type MutateRequest = z.infer<typeof MutateRequestSchema>;

export const TestKindSchema = z.enum(['assert', 'check', 'pytest', 'doctest', 'script']);
export type TestKind = z.infer<typeof TestKindSchema>;

export const TestCaseSchema = z.object({
  id: z.string(),
  /** Human label: the assert's source, `test_foo`, `>>> f(3)`. */
  name: z.string(),
  kind: TestKindSchema,
  /** 1-based line in the tests source (or the program, for doctests and scripts). */
  line: z.number().int().optional(),
  source: z.string(),
});
export type TestCase = z.infer<typeof TestCaseSchema>;

export const ErrorInfoSchema = z.object({
  type: z.string(),
  message: z.string(),
  /** 1-based line in the program source, when the error was raised in (or passed through) the program. */
  line: z.number().int().optional(),
  /** Where it was raised: the user's program, the test code, or the runner/backend itself. */
  where: z.enum(['program', 'test', 'runner']),
  traceback: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/**
 * passed; failed = the test's assertion failed; error = an exception other than the test's assertion
 * (including SyntaxError, SystemExit, MemoryError, a killed runner); timeout = time limit or step budget.
 */
export const TestStatusSchema = z.enum(['passed', 'failed', 'error', 'timeout']);
export type TestStatus = z.infer<typeof TestStatusSchema>;

export const TestResultSchema = z.object({
  program: z.string(),
  test: z.string(),
  status: TestStatusSchema,
  durationMs: z.number(),
  error: ErrorInfoSchema.optional(),
  /**
   * For a failed `assert a == b` (and `!=`, `<`, ... ): reprs of both sides (`actual` = the left side,
   * unless the left side is a literal and the right is not). A failed `assert x` has only `actual`.
   * For doctests: the expected and the printed output, as text.
   */
  expected: z.string().optional(),
  actual: z.string().optional(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  /** Output beyond `limits.outputBytes` that was dropped. */
  outputDroppedBytes: z.number().int().optional(),
  /** Steps counted by the step budget (see `stepBudget`); absent when the test ended before counting began. */
  steps: z.number().int().optional(),
});
export type TestResult = z.infer<typeof TestResultSchema>;

/**
 * One trace event. `step` is the global step counter (the NExT `(k)`), counted over every event
 * in every frame of the user's program. A `line` event carries the variables that executing that line
 * created or changed (observed when control reached the next event of that frame); a `call` event
 * carries the arguments; `return` carries the returned value's repr; `exception` the raised
 * exception as `Type(message)`.
 */
export const TraceEventSchema = z.object({
  step: z.number().int().nonnegative(),
  kind: z.enum(['call', 'line', 'return', 'exception']),
  line: z.number().int(),
  func: z.string(),
  depth: z.number().int().nonnegative(),
  vars: z.record(z.string(), z.string()).optional(),
  value: z.string().optional(),
});
export type TraceEvent = z.infer<typeof TraceEventSchema>;

export const TraceSchema = z.object({
  program: z.string(),
  test: TestCaseSchema,
  result: TestResultSchema,
  events: z.array(TraceEventSchema),
  /** Events that happened in all, kept or not. */
  totalEvents: z.number().int().nonnegative(),
  /** True when `events` stops before the program did (event cap, timeout, kill). */
  truncated: z.boolean(),
  stdout: z.string().optional(),
});
export type Trace = z.infer<typeof TraceSchema>;

/** Lines the runner writes, one JSON object each. */
export const RunnerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocol: z.number(), python: z.string() }),
  z.object({ type: z.literal('tests'), tests: z.array(TestCaseSchema) }),
  z.object({ type: z.literal('program'), program: z.string(), compileError: ErrorInfoSchema.nullable() }),
  /**
   * Sent (and flushed) before each test runs: the backend arms its watchdog and knows what was
   * running if it must kill. Hosts without signals (Pyodide) enforce `timeoutMs` themselves by writing
   * SIGINT (2) into the interrupt buffer once it has passed: the runner turns that into a `timeout`
   * result (an interrupt while no test runs is ignored). A test whose module code already failed is
   * not re-run for the program's later tests: those get a copied `result` without a `start`.
   */
  z.object({ type: z.literal('start'), program: z.string(), test: z.string(), timeoutMs: z.number() }),
  z.object({ type: z.literal('result'), result: TestResultSchema }),
  z.object({ type: z.literal('trace_events'), events: z.array(TraceEventSchema) }),
  z.object({
    type: z.literal('trace_end'),
    program: z.string(),
    test: TestCaseSchema,
    result: TestResultSchema,
    totalEvents: z.number().int(),
    truncated: z.boolean(),
    stdout: z.string().optional(),
  }),
  /** mode `mutate`: tracefix_runner.mutate.handle(payload, limits)'s answer. */
  z.object({ type: z.literal('payload'), payload: z.unknown() }),
  /** The request could not be served: bad request (`where: runner`), tests source that does not parse (`where: test`), a runner bug. Followed by `done`. */
  z.object({ type: z.literal('fatal'), error: ErrorInfoSchema }),
  z.object({ type: z.literal('done') }),
]);
export type RunnerMessage = z.infer<typeof RunnerMessageSchema>;

export interface ProgramReport {
  id: string;
  compileError: ErrorInfo | null;
  results: TestResult[];
}

/** Why a backend stopped its runner before the end of a request, and what was running then. */
export interface RunnerKill {
  reason: 'timeout' | 'cpu' | 'memory' | 'output' | 'total' | 'exit' | 'cancelled';
  /** Exit code or signal, or a backend note (never user code). */
  detail?: string;
  /** The program (mode `mutate`: the candidate) and test named by the last `start` before the kill. */
  program?: string;
  test?: string;
}

/** What a backend returns for any request, assembled from the message stream. */
export interface RunnerResponse {
  python: string;
  tests: TestCase[];
  programs: ProgramReport[];
  trace?: Trace;
  payload?: unknown;
  /** The backend had to kill the runner at least once (results of the affected test say why). */
  killed: boolean;
  /**
   * The last kill, when there was one. Mode `mutate` is not re-run after a kill: the response holds
   * the last interim payload, and the caller resumes past `kill.program` in a fresh runner.
   */
  kill?: RunnerKill;
  durationMs: number;
}
