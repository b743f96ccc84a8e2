/**
 * The program search's TypeScript half: builds the `mutate` payload for sandbox/runner/tracefix_runner/
 * search/ (through mutate.py), validates what comes back (runner output is a trust boundary: zod), and
 * resumes a search that was cut short.
 *
 * The search's candidate stream is deterministic and its budget counts candidates, so a search can run
 * in slices: each runner call screens for at most SLICE_MS and reports how far it got (`tried`) and how
 * the candidates it screened scored (`scores`); the next call regenerates the same stream, skips that
 * many and goes on. A candidate stuck in C (where no signal reaches Python: Pyodide) ends its runner;
 * the interim report then names the candidate being screened (`cursor`: screening in process, a light
 * report goes out before each candidate), and the search resumes after it. So that candidate costs one slice, not the search,
 * and the answer is the one an uninterrupted search gives on any backend.
 */
import { z } from 'zod';
import type { Limits } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { TracefixError } from '../errors.ts';

export interface SearchBudget {
  /** Variants screened at most. */
  candidates: number;
  /** Wall time of the search inside the sandbox. */
  ms: number;
}

export interface SearchRequest {
  /** The whole program (frozen prefix included: the search runs what the tests run). */
  source: string;
  tests: string | null;
  entryPoint?: string;
  /** 1-based inclusive lines the search may edit; the frozen prefix lies outside. */
  editable: [number, number];
  budget: SearchBudget;
  /** Stop after this many distinct variants pass every check (default 5): the engine probes them. */
  returnLimit?: number;
  /** 'analyze' = evidence only (checks, spectrum, failing values), no edits. */
  op?: 'search' | 'analyze';
  /** Routes the search to the runner of that language (sandbox/js for javascript/typescript). */
  language?: 'python' | 'javascript' | 'typescript';
}

const EditSchema = z.object({
  line: z.number().int(),
  kind: z.string(),
  description: z.string(),
  before: z.string(),
});

const CheckSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  status: z.enum(['passed', 'failed', 'error', 'timeout']),
  expected: z.string().optional(),
  actual: z.string().optional(),
  error: z.string().optional(),
  errorLine: z.number().int().optional(),
  line: z.number().int().optional(),
  lines: z.array(z.number().int()).default([]),
});

export const SearchResponseSchema = z.object({
  ok: z.boolean(),
  reason: z.string().optional(),
  error: z.string().optional(),
  checks: z.array(CheckSchema).default([]),
  suspicious: z.array(z.object({ line: z.number().int(), score: z.number() })).default([]),
  inputs: z
    .array(z.object({ func: z.string(), args: z.record(z.string(), z.string()), check: z.string() }).loose())
    .default([]),
  failing: z
    .object({
      check: z.string(),
      name: z.string(),
      status: z.string(),
      expected: z.string().optional(),
      actual: z.string().optional(),
      error: z.string().optional(),
      errorLine: z.number().int().optional(),
      values: z.record(z.string(), z.array(z.record(z.string(), z.string()))).default({}),
      returns: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
  candidates: z
    .array(
      z.object({
        source: z.string(),
        passed: z.number().int(),
        total: z.number().int(),
        edits: z.array(EditSchema),
        size: z.number().int(),
      }),
    )
    .default([]),
  tried: z.number().int().default(0),
  exhausted: z.boolean().default(false),
  elapsedMs: z.number().default(0),
  /** Time the run took before screening its first candidate (the evidence runs): paid again by every resumed run. */
  prepMs: z.number().optional(),
  /** Why the search stopped: its stream ran out, the candidate budget, its time slice, or enough found. */
  stop: z.enum(['done', 'candidates', 'time', 'enough']).optional(),
  /** Screened candidates (stream index) that passed some tests, and how many: what a resumed search needs. */
  scores: z.array(z.tuple([z.number().int(), z.number().int()])).default([]),
  /** An interim report (the runner was stopped before its final answer). */
  partial: z.boolean().optional(),
  /** A light interim report: progress only (tried, cursor, scores), no evidence. */
  light: z.boolean().optional(),
  /** In an interim report: the candidate being screened when it was sent. */
  cursor: z.number().int().optional(),
  /** The program did not compile: where, and the repair the search started from. */
  syntax: z.object({ line: z.number().int().nullable().optional(), error: z.string() }).optional(),
});
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
export type SearchCandidate = SearchResponse['candidates'][number];
export type SearchCheck = SearchResponse['checks'][number];

/** One runner call's screening time: what a candidate stuck in C can cost at most. */
export const SLICE_MS = 4_000;
/** Time past a slice before the backend kills the runner (the search stops itself at the slice). */
const KILL_GRACE_MS = 4_000;
/** After a kill the backend must start a fresh runner, which the call's time limit also covers. */
const RESTART_GRACE_MS = 20_000;
const MAX_CALLS = 16;

/** Where a resumed search starts: the stream index to screen next and the scores before it. */
export interface SearchSkip {
  count: number;
  scores: [number, number][];
}

/**
 * Runs the search in the sandbox, in slices, until its candidate budget, its stream or its time is spent.
 * Rejects only for our faults (the sandbox, a malformed payload).
 */
export async function runProgramSearch(
  sandbox: Sandbox,
  request: SearchRequest,
  limits: Limits,
  signal?: AbortSignal,
): Promise<SearchResponse> {
  let deadline = Date.now() + request.budget.ms;
  let extended = 0;
  let prep = 0;
  let skip: SearchSkip = { count: 0, scores: [] };
  let last: SearchResponse | undefined;
  let failures = 0;
  for (let call = 0; call < MAX_CALLS; call++) {
    // A resumed run first repeats the evidence runs (prepMs) before it screens where the last one stopped:
    // that repetition is the slicing's cost, not the search's, so its slice and the deadline grow by it
    // (in all by at most the budget again). Else a slow backend with a slow test (Pyodide) would spend
    // every slice on the evidence and screen nothing.
    if (last && prep > 0 && extended < request.budget.ms) {
      const more = Math.min(prep, request.budget.ms - extended);
      deadline += more;
      extended += more;
    }
    const left = deadline - Date.now();
    if (last && left < 250) break;
    const slice = Math.max(250, Math.min(left, SLICE_MS + prep));
    let response: SearchResponse;
    try {
      const grace = last?.partial || failures > 0 ? RESTART_GRACE_MS : KILL_GRACE_MS;
      response = await searchOnce(sandbox, request, limits, slice, grace, skip, request.budget.candidates, signal);
    } catch (error) {
      // A resumed call that brought nothing back (a fresh runner not ready in time, after a kill): try
      // once more; after that, what the earlier calls found stands.
      if (!last || signal?.aborted) throw error;
      if (++failures > 1) break;
      continue;
    }
    last = response;
    prep = response.prepMs ?? prep; // a light report (a killed run) carries none: the last full one's stands
    const next = resumeFrom(response, request.budget.candidates);
    if (!next) {
      if (!response.partial) return response;
      // An interim report that reached the candidate budget: the rebuild below must skip all it screened.
      if (response.ok) skip = { count: Math.min(request.budget.candidates, response.cursor === undefined ? response.tried : response.cursor + 1), scores: response.scores };
      break;
    }
    skip = next;
  }
  if (!last) throw new TracefixError('runner_protocol', 'The program search did not run.', { detail: 'no call made' });
  if (!last.partial) return { ...last, exhausted: false };
  // Out of time (or calls) with only an interim report, which may be a light one (no evidence): one more
  // call that skips every candidate already screened rebuilds the full answer from the scores alone.
  try {
    const full = await searchOnce(sandbox, request, limits, SLICE_MS, RESTART_GRACE_MS, skip, skip.count, signal);
    return { ...full, exhausted: false, partial: false };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { ...last, exhausted: false };
  }
}

/** Where to resume `response`'s search from, or undefined when it is complete. */
export function resumeFrom(response: SearchResponse, candidates: number): SearchSkip | undefined {
  if (!response.ok) return undefined;
  if (response.partial) {
    // The runner was stopped mid-search. The candidate in flight (cursor) counts as screened and failed.
    const count = response.cursor === undefined ? response.tried : response.cursor + 1;
    return count >= candidates ? undefined : { count, scores: response.scores };
  }
  if (response.stop !== 'time' || response.tried >= candidates) return undefined;
  return { count: response.tried, scores: response.scores };
}

async function searchOnce(
  sandbox: Sandbox,
  request: SearchRequest,
  limits: Limits,
  sliceMs: number,
  graceMs: number,
  skip: SearchSkip,
  candidates: number,
  signal: AbortSignal | undefined,
): Promise<SearchResponse> {
  const payload = {
    op: request.op ?? 'search',
    source: request.source,
    tests: request.tests,
    entryPoint: request.entryPoint ?? null,
    editable: request.editable,
    budget: { candidates, ms: sliceMs },
    returnLimit: request.returnLimit ?? 5,
    ...(skip.count > 0 ? { skip } : {}),
  };
  // The search stops itself at its slice; the backend's hard stop sits a little beyond it, for a variant
  // stuck in C where nothing but a kill stops it (Pyodide). The search's interim reports survive that kill.
  const requestLimits: Limits = { ...limits, totalTimeoutMs: sliceMs + graceMs };
  const response = await sandbox.execute(
    { mode: 'mutate', payload, limits: requestLimits, ...(request.language ? { language: request.language } : {}) },
    signal ? { signal } : {},
  );
  const parsed = SearchResponseSchema.safeParse(response.payload);
  if (!parsed.success) {
    throw new TracefixError('runner_protocol', 'The program search returned something we could not read.', {
      detail: `mutate payload: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    });
  }
  return parsed.data;
}

/** Lines of the program the search may edit, given the frozen prefix: whole lines after it. */
export function editableLines(frozenPrefix: string, program: string): [number, number] {
  const total = program.split('\n').length - (program.endsWith('\n') ? 1 : 0);
  if (!frozenPrefix) return [1, Math.max(1, total)];
  const newlines = frozenPrefix.split('\n').length - 1;
  // A prefix that ends mid-line freezes that whole line.
  const start = frozenPrefix.endsWith('\n') ? newlines + 1 : newlines + 2;
  return [start, Math.max(start, total)];
}
