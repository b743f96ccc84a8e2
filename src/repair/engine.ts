/**
 * The repair loop (DESIGN.md §1) as named stages, one module each under ./stages: test (run the user's
 * tests), trace (the first failing one), propose (the program search first, then the model), verify
 * (every candidate against every test in batched sandbox calls; one more round when nothing passes),
 * probe and rank (passing candidates compared on inputs grown from the tests), report (the verdict,
 * with the evidence).
 */
import { DEFAULT_LIMITS, type Limits } from '../../sandbox/protocol.ts';
import { TracefixError } from '../errors.ts';
import type { RepairRequest, RepairResult, RepairService, RunOptions } from './types.ts';
import { anyPassesAll, byTest, createContext, DEFAULT_BUDGET, Stop, type RepairBudget, type RepairEngineDeps, type RunContext } from './stages/context.ts';
import { askModel, fromModel, fromSearch, promptInput, runSearch } from './stages/propose.ts';
import { allPassPhrase, citeLinesOf, conclude, failureLines, finish } from './stages/report.ts';
import { runTests } from './stages/test.ts';
import { traceAttempt, traceOriginal } from './stages/trace.ts';
import { bestSoFar } from './stages/rank.ts';
import { verify } from './stages/verify.ts';
import { rankCandidates } from './rank.ts';

export { DEFAULT_BUDGET, type RepairBudget, type RepairEngineDeps } from './stages/context.ts';
export { missingModuleOf } from './stages/report.ts';

/** Search first; the model when the search found nothing that passes every test. */
async function firstRound(ctx: RunContext, failures: string[]): Promise<void> {
  if (ctx.budget.search) {
    ctx.check();
    const ms = Math.max(500, Math.min(ctx.budget.searchMs, ctx.remainingMs() - 5_000));
    const search = await runSearch(ctx, ctx.program, ms);
    if (search) {
      ctx.search = search;
      const cands = fromSearch(ctx, search);
      ctx.counts.fromSearch += cands.length;
      await verify(ctx, cands);
    }
  }
  if (ctx.model && !anyPassesAll(ctx)) {
    ctx.check();
    await verify(ctx, fromModel(ctx, await askModel(ctx, promptInput(ctx, failures))));
  }
}

/** Nothing passes yet: ask the model again with the closest attempt and its trace, or search on from it. */
async function secondRound(ctx: RunContext, failures: string[], originalTestId: string): Promise<void> {
  const best = rankCandidates(ctx.verified.filter((v) => v.complete))[0];
  if (ctx.model) {
    ctx.check();
    let previousAttempt: Parameters<typeof promptInput>[2];
    if (best) {
      let traced: { trace?: string; note?: string } = {};
      const failing = ctx.cases.find((c) => byTest(best.results).get(c.id)?.status !== 'passed');
      if (failing && ctx.budget.promptTrace) traced = await traceAttempt(ctx, best, failing, originalTestId);
      previousAttempt = {
        program: best.source,
        failures: failureLines(ctx, best.results).concat(traced.note ? [traced.note] : []),
        ...(traced.trace ? { trace: traced.trace } : {}),
      };
    }
    await verify(ctx, fromModel(ctx, await askModel(ctx, promptInput(ctx, failures, previousAttempt))));
  } else if (best && best.origin === 'search' && ctx.budget.search && ctx.remainingMs() > 3_000) {
    // No model: search again from the closest variant (one more edit on top of it).
    ctx.progress({ stage: 'second_round', message: 'Searching again from the closest attempt' });
    const ms = Math.max(500, Math.min(ctx.budget.searchMs / 2, ctx.remainingMs() - 3_000));
    const again = await runSearch(ctx, best.source, ms);
    if (again) {
      const cands = fromSearch(ctx, again).map((c) => {
        // describe both steps: the first round's edits, then this round's
        const edits = [...(best.search?.edits ?? []), ...(c.search?.edits ?? [])];
        return c.search ? { ...c, search: { ...c.search, edits } } : c;
      });
      ctx.counts.fromSearch += cands.length;
      await verify(ctx, cands);
    }
  }
}

export function createRepairEngine(deps: RepairEngineDeps): RepairService {
  const budget: RepairBudget = { ...DEFAULT_BUDGET, ...deps.budget };
  const limits: Limits = deps.limits ?? DEFAULT_LIMITS;
  const services = { sandbox: deps.sandbox, model: deps.model, logger: deps.logger, limits, budget };

  async function run(request: RepairRequest, options: RunOptions = {}): Promise<RepairResult> {
    if (!request.code.trim()) throw new TracefixError('empty_input', 'There is no code to work on: paste the Python program that misbehaves.');
    const ctx = createContext(services, request, options);
    try {
      const tested = await runTests(ctx);
      if ('done' in tested) return tested.done;
      const { failingCase, allPass } = tested;
      await traceOriginal(ctx, failingCase);
      if (allPass || !failingCase) {
        return finish(ctx, 'nothing_to_fix', `Nothing to fix: ${allPassPhrase(ctx.cases.length)}. The trace shows what each line did.`, undefined, undefined, []);
      }
      const failures = failureLines(ctx, ctx.baseline);
      await firstRound(ctx, failures);
      if (!anyPassesAll(ctx) && budget.secondRound) await secondRound(ctx, failures, failingCase.id);
      return await conclude(ctx, true);
    } catch (error) {
      if (error instanceof Stop) {
        if (bestSoFar(ctx)) return await conclude(ctx, false);
        if (error.reason === 'deadline' && ctx.cases.length > 0) {
          return finish(ctx, 'not_fixed', `Ran out of time before finding a fix (${ctx.counts.tried} candidates tried).`, undefined, undefined, citeLinesOf(ctx, undefined));
        }
        throw error.reason === 'deadline'
          ? new TracefixError('deadline', 'This took longer than the time allowed; try a smaller snippet or fewer tests.', { retryable: true })
          : new TracefixError('cancelled', 'The request was cancelled.');
      }
      throw error;
    }
  }

  return { run };
}
