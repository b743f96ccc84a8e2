/**
 * The program search's TypeScript half: builds the `mutate` payload for sandbox/runner/tracefix_runner/
 * mutate.py, and validates what comes back (runner output is a trust boundary: zod).
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
  /** Stop after this many variants pass every check. */
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
});
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
export type SearchCandidate = SearchResponse['candidates'][number];
export type SearchCheck = SearchResponse['checks'][number];

/** Runs the search in the sandbox. Rejects only for our faults (the sandbox, a malformed payload). */
export async function runProgramSearch(
  sandbox: Sandbox,
  request: SearchRequest,
  limits: Limits,
  signal?: AbortSignal,
): Promise<SearchResponse> {
  const payload = {
    op: request.op ?? 'search',
    source: request.source,
    tests: request.tests,
    entryPoint: request.entryPoint ?? null,
    editable: request.editable,
    budget: { candidates: request.budget.candidates, ms: request.budget.ms },
    returnLimit: request.returnLimit ?? 1,
  };
  // The search stops itself at budget.ms; the backend's hard stop sits a little beyond it, for a variant
  // stuck in C where nothing but a kill stops it (Pyodide). The search's interim reports survive that kill.
  const requestLimits: Limits = { ...limits, totalTimeoutMs: request.budget.ms + 10_000 };
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
