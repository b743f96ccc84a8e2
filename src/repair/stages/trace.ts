/** Stage "trace": the NExT trace of the original's failing test, and of later attempts for the model. */
import { TRACE_TIMEOUT_FACTOR, type TestCase, type Trace } from '../../../sandbox/protocol.ts';
import { divergenceNote } from '../../model/prompt.ts';
import { renderInline } from '../../trace/index.ts';
import { findDivergence } from '../divergence.ts';
import { Stop, type RunContext, type Verified } from './context.ts';

export function renderTrace(ctx: RunContext, t: Trace, source: string) {
  return renderInline(t, source, { tokenBudget: ctx.budget.traceTokens, ...(ctx.request.language ? { language: ctx.request.language } : {}) });
}

/** Traces the first failing test (or the first test when nothing fails); a failed trace is logged, not fatal. */
export async function traceOriginal(ctx: RunContext, failingCase: TestCase | undefined): Promise<void> {
  const target = failingCase ?? ctx.cases[0];
  if (!target) return;
  ctx.progress({ stage: 'trace', message: failingCase ? `Tracing ${failingCase.name}` : 'Tracing your program' });
  const tr = performance.now();
  // A test that ran out of time in the test run hangs here too: its first steps are all the trace can
  // show, and they come at once, so it gets one test's time limit, not the trace's usual threefold.
  const hung = ctx.baseline.find((r) => r.test === target.id)?.status === 'timeout';
  const limits = hung ? { ...ctx.common.limits, testTimeoutMs: Math.max(250, Math.floor(ctx.common.limits.testTimeoutMs / TRACE_TIMEOUT_FACTOR)) } : ctx.common.limits;
  try {
    const traced = await ctx.exec({ mode: 'trace', program: { id: 'original', source: ctx.program }, testId: target.id, ...ctx.common, limits });
    if (traced.trace) {
      ctx.trace = traced.trace;
      ctx.rendered = renderTrace(ctx, traced.trace, ctx.program);
    }
  } catch (error) {
    if (error instanceof Stop) throw error;
    ctx.log?.warn({ err: error }, 'trace failed');
  }
  ctx.timings.traceMs = Math.round(performance.now() - tr);
}

/**
 * Second round: the closest attempt's trace on a test it fails, and, when that is the test the original
 * was traced on, one line on where the two traces part.
 */
export async function traceAttempt(ctx: RunContext, prev: Verified, failing: TestCase, originalTestId: string): Promise<{ trace?: string; note?: string }> {
  ctx.progress({ stage: 'second_round', message: 'Tracing the closest attempt and asking again' });
  try {
    const t2 = await ctx.exec({ mode: 'trace', program: { id: prev.id, source: prev.source }, testId: failing.id, ...ctx.common });
    if (!t2.trace) return {};
    const rendered = renderTrace(ctx, t2.trace, prev.source).text;
    const parted = ctx.trace && failing.id === originalTestId ? findDivergence(ctx.trace, t2.trace, ctx.program, prev.source) : undefined;
    return parted ? { trace: rendered, note: divergenceNote(parted) } : { trace: rendered };
  } catch (error) {
    if (error instanceof Stop) throw error;
    return {};
  }
}

/** Traces the fix on the original's first failing test and records where the two traces part. */
export async function traceFix(ctx: RunContext, best: Verified): Promise<void> {
  const failing = ctx.baseline.find((r) => r.status !== 'passed');
  if (!ctx.trace || !failing || ctx.remainingMs() < 1_500) return;
  if (best.results.find((r) => r.test === failing.test)?.status !== 'passed') return;
  try {
    const traced = await ctx.exec({ mode: 'trace', program: { id: best.id, source: best.source }, testId: failing.test, ...ctx.common });
    const parted = traced.trace ? findDivergence(ctx.trace, traced.trace, ctx.program, best.source) : undefined;
    if (parted) ctx.divergence = parted;
  } catch (error) {
    if (error instanceof Stop) throw error;
    ctx.log?.warn({ err: error }, 'trace of the fix failed');
  }
}
