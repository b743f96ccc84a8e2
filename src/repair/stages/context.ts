/**
 * What the stages of one repair share: the request, the services, the budget, and the state gathered
 * as the stages run (what a deadline or a cancel can still return). One object per request.
 */
import type { ErrorInfo, Limits, RunnerRequest, RunnerResponse, TestCase, TestResult, Trace } from '../../../sandbox/protocol.ts';
import type { Sandbox } from '../../../sandbox/types.ts';
import { fromSandboxError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { RepairModel } from '../../model/types.ts';
import type { RenderedTrace } from '../../trace/index.ts';
import { DEFAULT_PROBE_BUDGET } from '../probe.ts';
import type { SearchCandidate, SearchResponse } from '../search.ts';
import type { Divergence, Progress, RepairRequest, RepairResult, RunOptions } from '../types.ts';

export interface RepairBudget {
  /** Variants the program search may screen. */
  searchCandidates: number;
  /** Wall time of the program search (it also stops at the request's deadline). */
  searchMs: number;
  /** Samples asked of the model per round. */
  modelSamples: number;
  /** Token budget of the NExT trace rendering. */
  traceTokens: number;
  /** Trace the best failing candidate and try again when nothing passes. */
  secondRound: boolean;
  /** Put the NExT trace in the model's prompt; false is NExT's no-trace ablation. */
  promptTrace: boolean;
  /** Run the program search at all (off: model only). */
  search: boolean;
  /**
   * Candidates that pass every test the search goes on to look for, so that they can be compared. By
   * default the probe's pool, PROBE_CANDIDATES: on Mbpp-R's one shown test, six found a right fix among the
   * passing candidates of 146 tasks, twelve of 160, twenty-four of no more.
   */
  searchAlternatives: number;
  /** Inputs grown from the tests on which passing candidates are compared (0: no probe). */
  probeInputs: number;
  /** Wall time of the probe. */
  probeMs: number;
}

/** Passing candidates the probe compares at most (best-ranked by edit size first). */
export const PROBE_CANDIDATES = 12;

export const DEFAULT_BUDGET: RepairBudget = {
  searchCandidates: 4000,
  searchMs: 20_000,
  modelSamples: 5,
  traceTokens: 1500,
  secondRound: true,
  promptTrace: true,
  search: true,
  searchAlternatives: PROBE_CANDIDATES,
  probeInputs: DEFAULT_PROBE_BUDGET.inputs,
  probeMs: DEFAULT_PROBE_BUDGET.ms,
};

export interface RepairEngineDeps {
  sandbox: Sandbox;
  /** Absent: the program search works alone (the offline default). */
  model?: RepairModel;
  logger?: Logger;
  limits?: Limits;
  budget?: Partial<RepairBudget>;
}

export type Origin = 'search' | 'model';

export interface Verified {
  id: string;
  origin: Origin;
  /** Whole program as run (frozen prefix included). */
  source: string;
  /** What the user gets: the program without the frozen prefix. */
  code: string;
  rationale?: string;
  /** Model candidates: the prompt text that produced them. */
  prompt?: string;
  search?: SearchCandidate;
  order: number;
  results: TestResult[];
  passed: number;
  total: number;
  editSize: number;
  /** Program lines the edit touches (for ranking by suspiciousness). */
  editedLines: number[];
  complete: boolean;
}

/** A candidate before it has been run against the tests. */
export type Proposal = Omit<Verified, 'results' | 'passed' | 'total' | 'complete'>;

export class Stop extends Error {
  constructor(readonly reason: 'deadline' | 'cancelled') {
    super(reason);
  }
}

export interface RunContext {
  readonly request: RepairRequest;
  readonly budget: RepairBudget;
  readonly limits: Limits;
  readonly sandbox: Sandbox;
  readonly model: RepairModel | undefined;
  readonly log: Logger | undefined;
  readonly signal: AbortSignal | undefined;
  readonly t0: number;
  readonly prefix: string;
  /** The whole program as run: frozen prefix + code. */
  readonly program: string;
  readonly tests: string | null;
  /** Fields every test and trace request carries. */
  readonly common: { tests: string | null; limits: Limits; entryPoint?: string; language?: 'python' | 'javascript' | 'typescript' };
  readonly timings: RepairResult['timings'];
  progress(p: Progress): void;
  /** Throws Stop when cancelled or past the deadline. */
  check(): void;
  remainingMs(): number;
  exec(req: RunnerRequest): Promise<RunnerResponse>;

  cases: TestCase[];
  baseline: TestResult[];
  trace?: Trace;
  rendered?: RenderedTrace;
  search?: SearchResponse;
  compileError?: ErrorInfo;
  missingModule?: string;
  divergence?: Divergence;
  readonly verified: Verified[];
  readonly counts: { tried: number; fromModel: number; fromSearch: number };
  /** Proposal order of the next candidate. */
  order: number;
  modelUsed: boolean;
}

export function createContext(
  services: { sandbox: Sandbox; model: RepairModel | undefined; logger: Logger | undefined; limits: Limits; budget: RepairBudget },
  request: RepairRequest,
  options: RunOptions,
): RunContext {
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const signal = options.signal;
  const log = services.logger?.child({ requestId: request.id });
  const prefix = request.frozenPrefix ?? '';
  const tests = request.tests?.trim() ? request.tests : null;
  const ctx: RunContext = {
    request,
    budget: services.budget,
    limits: services.limits,
    sandbox: services.sandbox,
    model: services.model,
    log,
    signal,
    t0: performance.now(),
    prefix,
    program: prefix + request.code,
    tests,
    common: { tests, limits: services.limits, ...(request.entryPoint ? { entryPoint: request.entryPoint } : {}), ...(request.language ? { language: request.language } : {}) },
    timings: { totalMs: 0 },
    progress(p) {
      try {
        options.onProgress?.(p);
      } catch (error) {
        log?.warn({ err: error }, 'progress listener threw');
      }
    },
    check() {
      if (signal?.aborted) throw new Stop('cancelled');
      if (Date.now() >= deadline) throw new Stop('deadline');
    },
    remainingMs: () => deadline - Date.now(),
    async exec(req) {
      ctx.check();
      try {
        return await services.sandbox.execute(req, signal ? { signal } : {});
      } catch (error) {
        if (signal?.aborted) throw new Stop('cancelled');
        throw fromSandboxError(error);
      }
    },
    cases: [],
    baseline: [],
    verified: [],
    counts: { tried: 0, fromModel: 0, fromSearch: 0 },
    order: 0,
    modelUsed: false,
  };
  return ctx;
}

/** Some verified candidate passes every test. */
export function anyPassesAll(ctx: RunContext): boolean {
  return ctx.verified.some((v) => v.complete && v.passed === v.total);
}

export function byTest(results: readonly TestResult[]): Map<string, TestResult> {
  return new Map(results.map((r) => [r.test, r]));
}

export function baselinePassed(ctx: RunContext): number {
  return ctx.baseline.filter((r) => r.status === 'passed').length;
}
