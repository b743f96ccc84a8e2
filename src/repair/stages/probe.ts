/**
 * Stage "probe" (with "rank"): the candidates that pass every test run beside the original on inputs
 * grown from the tests, then are grouped and ranked by behaviour (../verdict.ts).
 */
import { runProbe, type ProbeResponse } from '../probe.ts';
import { rankCandidates } from '../rank.ts';
import { judge, type Verdict } from '../verdict.ts';
import { PROBE_CANDIDATES, Stop, type RunContext, type Verified } from './context.ts';

export { PROBE_CANDIDATES };

export async function probeVerdict(ctx: RunContext, passing: Verified[], allowed: boolean): Promise<{ verdict: Verdict<Verified>; probe?: ProbeResponse }> {
  const { budget } = ctx;
  const pool = rankCandidates(passing).slice(0, PROBE_CANDIDATES);
  let probe: ProbeResponse | undefined;
  const ms = Math.min(budget.probeMs, ctx.remainingMs() - 2_000);
  if (allowed && budget.probeInputs > 0 && ms >= 500) {
    ctx.progress({ stage: 'verify', message: `Comparing ${pool.length} passing fix${pool.length === 1 ? '' : 'es'} on inputs grown from your tests` });
    const tp = performance.now();
    try {
      probe = await runProbe(
        ctx.sandbox,
        {
          programs: [{ id: 'original', source: ctx.program }, ...pool.map((v) => ({ id: v.id, source: v.source }))],
          tests: ctx.tests,
          ...(ctx.request.entryPoint ? { entryPoint: ctx.request.entryPoint } : {}),
          budget: { inputs: budget.probeInputs, ms: Math.round(ms) },
          ...(ctx.request.language ? { language: ctx.request.language } : {}),
        },
        ctx.limits,
        ctx.signal,
      );
    } catch (error) {
      if (ctx.signal?.aborted) throw new Stop('cancelled');
      // Without the probe the verdict rests on the tests alone, as before it existed.
      ctx.log?.warn({ err: error }, 'probe failed');
    } finally {
      ctx.timings.verifyMs = (ctx.timings.verifyMs ?? 0) + Math.round(performance.now() - tp);
    }
  }
  const verdict = judge({
    originalId: 'original',
    originalSource: ctx.program,
    candidates: pool,
    probe,
    suspicious: (ctx.search?.suspicious ?? []).map((x) => x.line),
  });
  return probe ? { verdict, probe } : { verdict };
}
