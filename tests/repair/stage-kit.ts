/**
 * What the unit tests of the repair stages (src/repair/stages/*.test.ts, src/repair/engine.test.ts)
 * share: a request, a real RunContext (createContext) on a real sandbox, test results and candidates
 * written as the runner writes them, and a logger whose lines the test can read.
 */
import { Writable } from 'node:stream';
import type { RunnerRequest, RunnerResponse, TestCase, TestResult } from '../../sandbox/protocol.ts';
import type { ExecuteOptions, Sandbox } from '../../sandbox/types.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import type { RepairModel } from '../../src/model/types.ts';
import { DEFAULT_LIMITS, type Limits } from '../../sandbox/protocol.ts';
import { changedLines, editSize } from '../../src/repair/rank.ts';
import { createContext, DEFAULT_BUDGET, type RepairBudget, type RunContext, type Verified } from '../../src/repair/stages/context.ts';
import type { RepairRequest, RunOptions } from '../../src/repair/types.ts';

export function request(code: string, tests?: string, extra: Partial<RepairRequest> = {}): RepairRequest {
  return { id: 'req-1', code, ...(tests === undefined ? {} : { tests }), origin: { platform: 'cli' }, ...extra };
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger (src/log.ts) writing into an array. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as LogLine);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

export function contextFor(
  sandbox: Sandbox,
  req: RepairRequest,
  extra: { budget?: Partial<RepairBudget>; limits?: Limits; model?: RepairModel; logger?: Logger; options?: RunOptions } = {},
): RunContext {
  return createContext(
    { sandbox, model: extra.model, logger: extra.logger, limits: extra.limits ?? DEFAULT_LIMITS, budget: { ...DEFAULT_BUDGET, ...extra.budget } },
    req,
    extra.options ?? {},
  );
}

/** Test cases t0, t1, ... named after their source. */
export function cases(...sources: string[]): TestCase[] {
  return sources.map((source, i) => ({ id: `t${i}`, name: source, kind: 'assert' as const, line: i + 1, source }));
}

export function result(test: string, status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult {
  return { program: 'original', test, status, durationMs: 1, ...extra };
}

export function passedAll(ids: string[], program = 'p'): TestResult[] {
  return ids.map((id) => result(id, 'passed', { program }));
}

/** A candidate as verify leaves it. */
export function verified(ctx: RunContext, source: string, results: TestResult[], extra: Partial<Verified> = {}): Verified {
  const passed = results.filter((r) => r.status === 'passed').length;
  return {
    id: `cand-${ctx.order}`,
    origin: 'search',
    source,
    code: source.slice(ctx.prefix.length),
    order: ctx.order++,
    results,
    passed,
    total: ctx.cases.length,
    editSize: editSize(ctx.program, source),
    editedLines: changedLines(ctx.program, source),
    complete: true,
    ...extra,
  };
}

/**
 * The real sandbox with a tap on its wire: records every request, and lets a test replace the answer
 * of one call, or fail it, the way a killed runner would (a runner kill cannot be timed to a given
 * candidate on the process backend; tests/repair/search.test.ts has the real one on Pyodide).
 */
export class TappedSandbox implements Sandbox {
  readonly requests: RunnerRequest[] = [];
  /** Per call index (0-based): rewrite the real answer, or throw instead of answering. */
  readonly faults = new Map<number, ((response: RunnerResponse) => RunnerResponse) | Error>();

  constructor(private readonly inner: Sandbox) {}

  get name() {
    return this.inner.name;
  }
  get isolation() {
    return this.inner.isolation;
  }
  async execute(req: RunnerRequest, options?: ExecuteOptions): Promise<RunnerResponse> {
    const call = this.requests.push(req) - 1;
    const fault = this.faults.get(call);
    if (fault instanceof Error) throw fault;
    const response = await this.inner.execute(req, options);
    return fault ? fault(response) : response;
  }
  stats() {
    return this.inner.stats();
  }
  close() {
    return Promise.resolve();
  }
}
