/**
 * The probe's TypeScript half: asks the runner (sandbox/runner/tracefix_runner/probe.py, mode `mutate`,
 * op `probe`) to run the original and the candidates that pass every test on inputs grown from the
 * tests' own calls, and validates the answer (runner output is a trust boundary: zod).
 */
import { z } from 'zod';
import type { Limits } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { TracefixError } from '../errors.ts';

export interface ProbeBudget {
  /** Inputs at most (the tests' own calls included). */
  inputs: number;
  /** Wall time inside the sandbox; inputs not reached by then are left out (`truncated`). */
  ms: number;
}

export interface ProbeRequest {
  /** The original first: its run of the tests yields the seed calls. */
  programs: { id: string; source: string }[];
  tests: string | null;
  entryPoint?: string;
  budget: ProbeBudget;
  /** Absent: Python. JavaScript/TypeScript go to the JS runner's probe (same answer shape). */
  language?: 'python' | 'javascript' | 'typescript';
}

export const ProbeResponseSchema = z.object({
  ok: z.boolean(),
  reason: z.string().optional(),
  func: z.string().optional(),
  /** The first `seeds` inputs are the tests' own calls; the rest are grown from them. */
  seeds: z.number().int().nonnegative().default(0),
  inputs: z
    .array(
      z.object({
        /** Python source of the call: `is_leap(1900)`. */
        call: z.string(),
        /** Per program id: a canonical repr, `raises Type: message`, or `timeout`. */
        outputs: z.record(z.string(), z.string()),
        /** Index of the seed input this one was grown from (a seed's own index); absent from older runners. */
        from: z.number().int().nonnegative().optional(),
      }),
    )
    .default([]),
  truncated: z.boolean().default(false),
});
export type ProbeResponse = z.infer<typeof ProbeResponseSchema>;
export type ProbeInput = ProbeResponse['inputs'][number];

export const DEFAULT_PROBE_BUDGET: ProbeBudget = { inputs: 40, ms: 8_000 };

/** Rejects only for our own faults (the sandbox, a malformed answer). */
export async function runProbe(sandbox: Sandbox, request: ProbeRequest, limits: Limits, signal?: AbortSignal): Promise<ProbeResponse> {
  const payload = {
    op: 'probe',
    programs: request.programs,
    tests: request.tests,
    entryPoint: request.entryPoint ?? null,
    budget: request.budget,
  };
  // The probe stops itself at budget.ms; the backend's hard stop sits beyond it for a call stuck in C.
  const requestLimits: Limits = { ...limits, totalTimeoutMs: request.budget.ms + 15_000 };
  const response = await sandbox.execute(
    { mode: 'mutate', payload, limits: requestLimits, ...(request.language ? { language: request.language } : {}) },
    signal ? { signal } : {},
  );
  const parsed = ProbeResponseSchema.safeParse(response.payload);
  if (!parsed.success) {
    throw new TracefixError('runner_protocol', 'The probe of the candidate fixes returned something we could not read.', {
      detail: `probe payload: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    });
  }
  return parsed.data;
}
