/**
 * What the unit tests of the repair stages (src/repair/stages/*.test.ts, src/repair/engine.test.ts)
 * share: a request, a real RunContext (createContext) on a real sandbox, test results and candidates
 * written as the runner writes them, and a logger whose lines the test can read.
 */
import { Writable } from 'node:stream';
import type { TestCase, TestResult } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';
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
