/**
 * Stage "rank": which verified candidate leads. Among partial fixes, passes more > smaller edit >
 * earlier (../rank.ts); among candidates that pass every test, the probe's behaviour ranking
 * (./probe.ts, ../verdict.ts) decides.
 */
import { rankCandidates } from '../rank.ts';
import type { RunContext, Verified } from './context.ts';

/** The best candidate so far, if it does better than the original. */
export function bestSoFar(ctx: RunContext): Verified | undefined {
  const top = rankCandidates(ctx.verified.filter((v) => v.complete))[0];
  return top && top.passed > ctx.baseline.filter((r) => r.status === 'passed').length ? top : undefined;
}

export function allPassing(ctx: RunContext): Verified[] {
  return ctx.verified.filter((v) => v.complete && v.total > 0 && v.passed === v.total);
}
