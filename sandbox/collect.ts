/**
 * Turns the runner's NDJSON stream into a RunnerResponse, for every backend.
 *
 * The runner's stdout is a trust boundary: user code runs in the same process and may try to write
 * protocol lines of its own. Every line is zod-validated, and a line that does not fit the state
 * machine (a result for a test that is not the one running, a program out of order) is dropped and
 * counted, never trusted.
 *
 * Crash recovery lives here too: when a backend has to kill its runner (watchdog, memory, output
 * flood) or the runner dies, the test named by the last `start` gets a verdict that says why, and the
 * rest of the batch is re-run in a fresh runner, so one hostile candidate never costs the others
 * their verdicts.
 */
import {
  RunnerMessageSchema,
  RunnerRequestSchema,
  type ErrorInfo,
  type ProgramReport,
  type RunnerKill,
  type RunnerMessage,
  type RunnerRequest,
  type RunnerResponse,
  type TestCase,
  type TestRequest,
  type TestResult,
  type TraceEvent,
} from './protocol.ts';

export type SandboxErrorCode =
  | 'sandbox_unavailable'
  | 'runner_protocol'
  | 'runner_failed'
  /** The tests source itself is broken (e.g. a SyntaxError): the user's input, shown to them. */
  | 'bad_tests'
  | 'not_isolated'
  | 'cancelled'
  | 'bad_request';

/**
 * sandbox/ may not import src/, so this mirrors src/errors.ts's TracefixError shape (code,
 * userMessage, retryable, cause); the composition root maps it 1:1.
 */
export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  readonly userMessage: string;
  readonly retryable: boolean;

  constructor(
    code: SandboxErrorCode,
    userMessage: string,
    options: { cause?: unknown; retryable?: boolean; detail?: string } = {},
  ) {
    super(options.detail ?? userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SandboxError';
    this.code = code;
    this.userMessage = userMessage;
    this.retryable = options.retryable ?? false;
  }
}

export function isSandboxError(value: unknown): value is SandboxError {
  return value instanceof SandboxError;
}

/** Why a backend stopped its runner before it finished. */
export type KillReason = RunnerKill['reason'];

export interface AttemptEnd {
  /** Why the runner stopped early, when it did; undefined when it reached the end of the request. */
  killed?: KillReason;
  /** Exit code / signal or a backend note, for the verdict's message (never user code). */
  detail?: string;
}

/** One run of the runner over one request, as a backend provides it. */
export interface Attempt {
  /** Stop the runner now (hard stop); `end` must settle soon after, with `killed` set. */
  kill(reason: KillReason): void;
  /** Settles when the runner finished this request or was stopped. Never rejects. */
  end: Promise<AttemptEnd>;
}

/** Starts the runner on `request`; every complete stdout line goes to `onLine`. */
export type Launch = (request: RunnerRequest, onLine: (line: string) => void) => Promise<Attempt>;

export interface RunOptions {
  /** Time the runner gets after a test's own limit before the hard stop (its soft stop comes first). */
  graceMs?: number;
  memoryMb?: number;
  signal?: AbortSignal;
  /** Counts dropped runner lines (forged or malformed), for stats and tests. */
  onJunk?: (count: number) => void;
}

/** Splits a byte stream into lines, with a cap on one line and on the whole stream. */
export class LineSplitter {
  private buffer = '';
  private total = 0;
  overflow = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
    private readonly maxLineBytes = 8 * 1024 * 1024,
    private readonly maxTotalBytes = 64 * 1024 * 1024,
  ) {}

  push(chunk: string): void {
    if (this.overflow) return;
    this.total += chunk.length;
    if (this.total > this.maxTotalBytes) return this.fail();
    let start = 0;
    let index = chunk.indexOf('\n');
    while (index !== -1) {
      const line = this.buffer + chunk.slice(start, index);
      this.buffer = '';
      if (line.length > 0) this.onLine(line);
      start = index + 1;
      index = chunk.indexOf('\n', start);
    }
    this.buffer += chunk.slice(start);
    if (this.buffer.length > this.maxLineBytes) this.fail();
  }

  flush(): void {
    if (!this.overflow && this.buffer.length > 0) this.onLine(this.buffer);
    this.buffer = '';
  }

  private fail(): void {
    this.overflow = true;
    this.buffer = '';
    this.onOverflow();
  }
}

interface Started {
  program: string;
  test: string;
  timeoutMs: number;
  at: number;
}

/**
 * State of one request across attempts. Results are keyed by program and test; a later attempt only
 * ever fills what is still missing.
 */
class Assembly {
  python = '';
  tests: TestCase[] = [];
  readonly compileErrors = new Map<string, ErrorInfo | null>();
  readonly results = new Map<string, Map<string, TestResult>>();
  /** Programs the runner moved past (or finished): their missing tests were skipped on purpose. */
  readonly finished = new Set<string>();
  traceEvents: TraceEvent[] = [];
  trace: RunnerResponse['trace'];
  payload: unknown;
  hasPayload = false;
  fatal: ErrorInfo | undefined;
  junk = 0;
  killed = false;
  kill: RunnerKill | undefined;

  constructor(readonly programOrder: string[]) {
    for (const id of programOrder) this.results.set(id, new Map());
  }

  result(program: string, test: string): TestResult | undefined {
    return this.results.get(program)?.get(test);
  }
}

/** Reads one attempt's lines into the assembly, enforcing the order the runner must follow. */
class AttemptReader {
  current: Started | undefined;
  currentProgram: string | undefined;
  done = false;
  sawHello = false;
  private programIndex = -1;
  private readonly recorded = new Map<string, Set<string>>();

  constructor(
    private readonly assembly: Assembly,
    private readonly request: RunnerRequest,
    private readonly programs: string[],
    private readonly hooks: { onStart(s: Started): void; onResult(): void },
  ) {}

  /**
   * A well-formed protocol line arrived where the runner never writes one (a second `hello`, a
   * program out of order, a result for a test that is not running, anything after `done`): code in
   * the batch is writing protocol lines. Nothing this attempt reported can be told apart from the
   * forgery, so the caller re-runs each program of the attempt on its own, where a forger can only
   * lie about itself.
   */
  tainted = false;
  private readonly programsSeen = new Set<string>();

  line(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.assembly.junk++;
      return;
    }
    const message = RunnerMessageSchema.safeParse(parsed);
    if (!message.success) {
      this.assembly.junk++;
    } else if (!this.accept(message.data)) {
      this.assembly.junk++;
      this.tainted = true;
    }
  }

  /** After `done`: the runner reports every program of the request, so a missing one means forgery. */
  checkComplete(): void {
    if (this.request.mode === 'test' && this.programs.some((id) => !this.programsSeen.has(id))) this.tainted = true;
  }

  /** Forgets everything this attempt recorded (see `tainted`). */
  discard(): void {
    for (const [program, tests] of this.recorded) {
      const map = this.assembly.results.get(program);
      for (const test of tests) map?.delete(test);
    }
    for (const program of this.programs) {
      this.assembly.finished.delete(program);
      if (this.programsSeen.has(program)) this.assembly.compileErrors.delete(program);
    }
  }

  /** False for a line that is well-formed but out of place (forged or from a confused runner). */
  private accept(message: RunnerMessage): boolean {
    const a = this.assembly;
    // Nothing comes after `done`, but the attempt's end is the process's (or the host's nonce'd) end.
    if (this.done) return false;
    switch (message.type) {
      case 'hello':
        if (this.sawHello) return false;
        this.sawHello = true;
        a.python = message.python;
        return true;
      case 'tests':
        if (a.tests.length === 0) a.tests = message.tests;
        return true;
      case 'program': {
        // Programs come in request order; a program never comes back once the runner moved on.
        const index = this.programs.indexOf(message.program, this.programIndex + 1);
        if (index === -1) return false;
        this.programsSeen.add(message.program);
        for (const skipped of this.programs.slice(this.programIndex, index)) a.finished.add(skipped);
        this.programIndex = index;
        this.currentProgram = message.program;
        this.current = undefined;
        a.compileErrors.set(message.program, message.compileError);
        // Anything this attempt recorded for the program before its own `program` line was forged.
        const map = a.results.get(message.program);
        for (const test of this.recorded.get(message.program) ?? []) map?.delete(test);
        this.recorded.delete(message.program);
        return true;
      }
      case 'start':
        // mode `mutate`: the search announces each candidate it runs, so that the watchdog can stop a
        // candidate that hangs in C (where no in-runner limit reaches) after its own time limit.
        if (this.request.mode === 'mutate') {
          this.current = { program: message.program, test: message.test, timeoutMs: message.timeoutMs, at: Date.now() };
          this.hooks.onStart(this.current);
          return true;
        }
        if (this.request.mode === 'trace') {
          if (message.program !== this.request.program.id) return false;
          this.currentProgram = message.program;
        } else if (message.program !== this.currentProgram) return false;
        this.current = { program: message.program, test: message.test, timeoutMs: message.timeoutMs, at: Date.now() };
        this.hooks.onStart(this.current);
        return true;
      case 'result': {
        const r = withMemoryLimit(message.result, this.request.limits.memoryMb);
        if (!this.current || r.program !== this.current.program || r.test !== this.current.test) return false;
        a.results.get(r.program)?.set(r.test, r);
        const mine = this.recorded.get(r.program) ?? new Set<string>();
        this.recorded.set(r.program, mine.add(r.test));
        this.current = undefined;
        this.hooks.onResult();
        return true;
      }
      case 'trace_events':
        if (this.request.mode !== 'trace') return false;
        if (a.traceEvents.length + message.events.length > this.request.limits.traceEvents * 2) return false;
        a.traceEvents.push(...message.events);
        return true;
      case 'trace_end':
        if (this.request.mode !== 'trace' || message.program !== this.request.program.id) return false;
        a.trace = {
          program: message.program,
          test: message.test,
          result: withMemoryLimit(message.result, this.request.limits.memoryMb),
          events: a.traceEvents,
          totalEvents: message.totalEvents,
          truncated: message.truncated,
          ...(message.stdout === undefined ? {} : { stdout: message.stdout }),
        };
        this.current = undefined;
        this.hooks.onResult();
        return true;
      case 'payload':
        if (this.request.mode !== 'mutate') return false;
        a.payload = message.payload;
        a.hasPayload = true;
        // An interim payload closes the candidate announced by `start`.
        this.current = undefined;
        this.hooks.onResult();
        return true;
      case 'fatal':
        a.fatal = message.error;
        return true;
      case 'done':
        // The runner says `done` between tests, never while one is running.
        if (this.current) return false;
        this.done = true;
        if (this.currentProgram) a.finished.add(this.currentProgram);
        for (const id of this.programs.slice(this.programIndex + 1)) a.finished.add(id);
        this.hooks.onResult();
        return true;
    }
  }
}

/**
 * Python raises MemoryError with no message when the backend's memory limit (RLIMIT_AS, the
 * WebAssembly heap) stops an allocation. The user should read that the sandbox's limit was reached,
 * not a bare "MemoryError" that looks like a bug in their code or, worse, like a hang.
 */
function withMemoryLimit(result: TestResult, memoryMb: number): TestResult {
  const error = result.error;
  if (!error || error.type !== 'MemoryError' || /memory limit/i.test(error.message)) return result;
  const said = error.message.trim();
  return {
    ...result,
    status: 'error',
    error: { ...error, message: `The program ran out of memory: it went over the sandbox's memory limit (${memoryMb} MB)${said ? ` (${said})` : ''}.` },
  };
}

function killVerdict(reason: KillReason, started: Started | undefined, memoryMb: number | undefined, detail?: string): Pick<TestResult, 'status' | 'error'> {
  const after = started ? ` after ${started.timeoutMs} ms` : '';
  switch (reason) {
    case 'timeout':
    case 'cpu':
      return {
        status: 'timeout',
        error: { type: 'Timeout', message: `The sandbox stopped the test${after} (time limit).`, where: 'runner' },
      };
    case 'total':
      return {
        status: 'timeout',
        error: { type: 'Timeout', message: "The sandbox stopped the request: its total time limit was reached.", where: 'runner' },
      };
    case 'memory':
      return {
        status: 'error',
        error: {
          type: 'MemoryError',
          message: `The sandbox stopped the program: it went over the memory limit${memoryMb ? ` (${memoryMb} MB)` : ''}.`,
          where: 'runner',
        },
      };
    case 'output':
      return {
        status: 'error',
        error: { type: 'OutputLimitExceeded', message: 'The sandbox stopped the program: it wrote more output than allowed.', where: 'runner' },
      };
    case 'exit':
    case 'cancelled':
      return {
        status: 'error',
        error: {
          type: 'RunnerKilled',
          message: `The sandbox stopped: the program ended the runner${detail ? ` (${detail})` : ''} (os._exit, a signal, or a resource limit).`,
          where: 'runner',
        },
      };
  }
}

function testIdsFor(request: RunnerRequest, assembly: Assembly): string[] {
  if (request.mode !== 'test') return [];
  const ids = assembly.tests.map((t) => t.id);
  return request.onlyTests ? ids.filter((id) => request.onlyTests?.includes(id)) : ids;
}

function isFailure(result: TestResult | undefined): boolean {
  return result !== undefined && result.status !== 'passed';
}

/** The part of a test batch that still has no verdict, or undefined when nothing is left. */
function remainder(request: TestRequest, assembly: Assembly): TestRequest[] {
  const ids = testIdsFor(request, assembly);
  const out: TestRequest[] = [];
  let tail: TestRequest['programs'] = [];
  for (const program of request.programs) {
    if (assembly.finished.has(program.id)) continue;
    const got = assembly.results.get(program.id) ?? new Map<string, TestResult>();
    if (request.stopOnFirstFailure && [...got.values()].some((r) => isFailure(r))) continue;
    const missing = ids.filter((id) => !got.has(id));
    if (got.size === 0 || ids.length === 0) {
      tail.push(program);
    } else if (missing.length > 0) {
      if (tail.length) out.push({ ...request, programs: tail });
      tail = [];
      out.push({ ...request, programs: [program], onlyTests: missing });
    }
  }
  if (tail.length) out.push({ ...request, programs: tail });
  return out;
}

/**
 * Runs `request` through `launch`, re-launching after a kill until every program has its verdicts.
 * Resolves with the assembled response; rejects (SandboxError) only when the runner cannot be
 * started or breaks the protocol before doing anything.
 */
export async function runWithRecovery(request: RunnerRequest, launch: Launch, options: RunOptions = {}): Promise<RunnerResponse> {
  const began = Date.now();
  // The request's own time: waiting for a fresh runner to start (a busy machine, a re-run after a
  // kill) is added back, so that a verdict never depends on how long the pool took.
  let deadline = began + request.limits.totalTimeoutMs;
  const graceMs = options.graceMs ?? 1_000;
  const programIds = request.mode === 'test' ? request.programs.map((p) => p.id) : request.mode === 'trace' ? [request.program.id] : [];
  const assembly = new Assembly(programIds);
  let queue: RunnerRequest[] = [request];
  let attempts = 0;
  let silentFailures = 0;
  const maxAttempts = 3 + (request.mode === 'test' ? request.programs.length * 4 : 0);

  while (queue.length > 0) {
    const current = queue.shift() as RunnerRequest;
    if (options.signal?.aborted) throw new SandboxError('cancelled', 'The run was cancelled.');
    if (Date.now() >= deadline || attempts >= maxAttempts) {
      fillNotRun(current, assembly, 'total', options.memoryMb);
      continue;
    }
    attempts++;
    const programs = current.mode === 'test' ? current.programs.map((p) => p.id) : programIds;
    let attempt: Attempt | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = (ms: number, reason: KillReason): void => {
      clearTimeout(watchdog);
      const left = deadline - Date.now();
      const [wait, why] = left < ms ? [left, 'total' as const] : [ms, reason];
      watchdog = setTimeout(() => attempt?.kill(why), Math.max(0, wait));
    };
    const reader = new AttemptReader(assembly, current, programs, {
      onStart: (s) => arm(s.timeoutMs + graceMs, 'timeout'),
      onResult: () => arm(deadline - Date.now(), 'total'),
    });
    const onAbort = (): void => attempt?.kill('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let end: AttemptEnd;
    try {
      const launched = Date.now();
      attempt = await launch(current, (line) => reader.line(line));
      deadline += Date.now() - launched;
      arm(deadline - Date.now(), 'total');
      end = await attempt.end;
    } finally {
      clearTimeout(watchdog);
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (end.killed === 'cancelled' && options.signal?.aborted) throw new SandboxError('cancelled', 'The run was cancelled.');
    if (reader.done) reader.checkComplete();
    if (reader.tainted && current.mode === 'test' && current.programs.length > 1) {
      reader.discard();
      if (end.killed !== undefined) assembly.killed = true;
      queue = [...current.programs.map((p) => ({ ...current, programs: [p] })), ...queue];
      continue;
    }
    // Everything was reported: how the process ended afterwards does not change any verdict.
    if (reader.done) continue;

    // The runner stopped before `done`: a kill, a crash, or a runner that never spoke.
    assembly.killed = true;
    const reason: KillReason = end.killed ?? 'exit';
    if (!reader.sawHello && reason === 'exit') {
      // The runner never spoke: retry once in a fresh runner, then it is our own fault.
      if (++silentFailures > 1) {
        throw new SandboxError('sandbox_unavailable', 'The sandbox did not start. Try again in a moment.', {
          retryable: true,
          detail: `runner exited before its hello${end.detail ? ` (${end.detail})` : ''}`,
        });
      }
      queue.unshift(current);
      continue;
    }
    const running = reader.current;
    assembly.kill = {
      reason,
      ...(end.detail === undefined ? {} : { detail: end.detail }),
      ...(running ? { program: running.program, test: running.test } : {}),
    };
    if (current.mode !== 'test') {
      finishPartial(current, assembly, reader.current, reason, options.memoryMb, end.detail);
      break;
    }
    const victim = reader.current;
    if (victim) {
      assembly.results.get(victim.program)?.set(victim.test, {
        program: victim.program,
        test: victim.test,
        durationMs: Date.now() - victim.at,
        ...killVerdict(reason, victim, options.memoryMb, end.detail),
      });
    } else if (reader.currentProgram) {
      // Killed while loading the program (top-level code), before any test started.
      const verdict = killVerdict(reason, undefined, options.memoryMb, end.detail);
      const map = assembly.results.get(reader.currentProgram);
      for (const id of testIdsFor(current, assembly)) {
        if (!map?.has(id)) map?.set(id, { program: reader.currentProgram, test: id, durationMs: 0, ...verdict });
      }
      assembly.finished.add(reader.currentProgram);
    }
    if (reason === 'total') {
      fillNotRun(current, assembly, 'total', options.memoryMb);
      continue;
    }
    queue = [...remainder(current, assembly), ...queue];
  }

  options.onJunk?.(assembly.junk);
  if (request.mode === 'mutate') {
    // A runner killed mid-search is a result, not our fault: the caller gets the last interim
    // payload (if any) with `killed` and `kill`, and resumes past the candidate in a fresh runner.
    if (!assembly.hasPayload && !assembly.kill) {
      throw new SandboxError('runner_failed', 'The sandbox could not finish this request.', {
        detail: assembly.fatal ? `runner fatal: ${assembly.fatal.type}` : 'no payload',
      });
    }
  } else if (assembly.fatal && !assembly.trace && ![...assembly.results.values()].some((m) => m.size > 0)) {
    const f = assembly.fatal;
    if (f.where === 'test') {
      throw new SandboxError('bad_tests', `The tests could not be read: ${f.type}: ${f.message}${f.traceback ? ` (${f.traceback})` : ''}`, {
        detail: 'runner fatal in the tests source',
      });
    }
    throw new SandboxError('runner_failed', `The runner could not run this request: ${f.type}: ${f.message}`, {
      detail: 'runner fatal before any test',
    });
  } else if (!assembly.python && assembly.tests.length === 0 && !assembly.trace) {
    throw new SandboxError('sandbox_unavailable', 'The sandbox did not start. Try again in a moment.', {
      retryable: true,
      detail: 'runner produced no protocol output',
    });
  }
  return respond(request, assembly, Date.now() - began);
}

function fillNotRun(request: RunnerRequest, assembly: Assembly, reason: KillReason, memoryMb?: number): void {
  assembly.killed = true;
  if (request.mode === 'trace') return finishPartial(request, assembly, undefined, reason, memoryMb);
  if (request.mode !== 'test') return;
  const verdict = killVerdict(reason, undefined, memoryMb);
  for (const program of request.programs) {
    const map = assembly.results.get(program.id);
    if (!map || assembly.finished.has(program.id)) continue;
    if (request.stopOnFirstFailure && [...map.values()].some((r) => isFailure(r))) continue;
    for (const id of testIdsFor(request, assembly)) {
      if (!map.has(id)) map.set(id, { program: program.id, test: id, durationMs: 0, ...verdict });
    }
  }
}

/** A trace cut short by a kill keeps the events seen so far: users need exactly those. */
function finishPartial(request: RunnerRequest, assembly: Assembly, started: Started | undefined, reason: KillReason, memoryMb?: number, detail?: string): void {
  if (request.mode !== 'trace' || assembly.trace) return;
  const testId = started?.test ?? request.testId;
  const test = assembly.tests.find((t) => t.id === testId);
  if (!test) return;
  assembly.trace = {
    program: request.program.id,
    test,
    result: {
      program: request.program.id,
      test: test.id,
      durationMs: started ? Date.now() - started.at : 0,
      ...killVerdict(reason, started, memoryMb, detail),
    },
    events: assembly.traceEvents,
    totalEvents: assembly.traceEvents.length,
    truncated: true,
  };
}

function respond(request: RunnerRequest, assembly: Assembly, durationMs: number): RunnerResponse {
  const ids = assembly.tests.map((t) => t.id);
  const programs: ProgramReport[] = assembly.programOrder.map((id) => {
    const map = assembly.results.get(id) ?? new Map<string, TestResult>();
    const ordered = ids.flatMap((t) => {
      const r = map.get(t);
      return r ? [r] : [];
    });
    return { id, compileError: assembly.compileErrors.get(id) ?? null, results: ordered };
  });
  const response: RunnerResponse = {
    python: assembly.python,
    tests: assembly.tests,
    programs: request.mode === 'mutate' ? [] : programs,
    killed: assembly.killed,
    durationMs,
  };
  if (assembly.trace) response.trace = assembly.trace;
  if (assembly.hasPayload) response.payload = assembly.payload;
  if (assembly.kill) response.kill = assembly.kill;
  return response;
}

/** What a backend counts for `stats()`: requests served, runners it had to kill, forged or junk lines. */
export class RunCounters {
  executed = 0;
  killed = 0;
  junkLines = 0;
}

/**
 * Every backend's `execute`: the request is checked at the boundary, run with crash recovery through
 * the backend's own `launch`, and counted. A backend only decides where a runner starts.
 */
export async function executeRequest(
  request: RunnerRequest,
  launch: Launch,
  options: { graceMs: number; signal?: AbortSignal | undefined },
  counters: RunCounters,
): Promise<RunnerResponse> {
  const checked = RunnerRequestSchema.safeParse(request);
  if (!checked.success) throw new SandboxError('bad_request', 'The run request was malformed.', { cause: checked.error });
  const response = await runWithRecovery(checked.data, launch, {
    graceMs: options.graceMs,
    memoryMb: checked.data.limits.memoryMb,
    ...(options.signal ? { signal: options.signal } : {}),
    onJunk: (n) => (counters.junkLines += n),
  });
  counters.executed++;
  if (response.killed) counters.killed++;
  return response;
}
