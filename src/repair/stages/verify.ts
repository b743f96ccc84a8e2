/** Stage "verify": every candidate against every test, in batched sandbox calls. */
import { rankCandidates } from '../rank.ts';
import { anyPassesAll, type Proposal, type RunContext, type Verified } from './context.ts';

/** Screens with stopOnFirstFailure, then runs survivors (and the best few failures) in full. */
export async function verify(ctx: RunContext, cands: Proposal[]): Promise<void> {
  if (!cands.length) return;
  const { cases } = ctx;
  const tv = performance.now();
  ctx.progress({ stage: 'verify', message: `Checking ${cands.length} candidate fix${cands.length === 1 ? '' : 'es'} against all ${cases.length} tests`, done: 0, total: cands.length });
  const screen = await ctx.exec({ mode: 'test', programs: cands.map((c) => ({ id: c.id, source: c.source })), stopOnFirstFailure: true, ...ctx.common });
  const reports = new Map(screen.programs.map((p) => [p.id, p]));
  const screened: Verified[] = cands.map((c) => {
    const report = reports.get(c.id);
    const results = report?.results ?? [];
    const passed = results.filter((r) => r.status === 'passed').length;
    return { ...c, results, passed, total: cases.length, complete: !report?.compileError && passed === cases.length };
  });
  const full = screened.filter((v) => v.complete);
  // The closest failures, run in full, are what the answer shows when nothing passes (and what a second
  // round starts from); once something passes every test they would only cost time (a variant that
  // hangs costs a time limit per test).
  const rerun = full.length > 0 || anyPassesAll(ctx) ? [] : rankCandidates(screened.filter((v) => !v.complete && v.passed > 0)).slice(0, 4);
  if (rerun.length) {
    const again = await ctx.exec({ mode: 'test', programs: rerun.map((c) => ({ id: c.id, source: c.source })), ...ctx.common });
    const againMap = new Map(again.programs.map((p) => [p.id, p]));
    for (const v of rerun) {
      const results = againMap.get(v.id)?.results ?? [];
      v.results = results;
      v.passed = results.filter((r) => r.status === 'passed').length;
      v.complete = true;
    }
  }
  ctx.verified.push(...full, ...rerun);
  ctx.timings.verifyMs = (ctx.timings.verifyMs ?? 0) + Math.round(performance.now() - tv);
  ctx.progress({ stage: 'verify', message: `Checked ${cands.length} candidate fixes`, done: cands.length, total: cands.length });
}
