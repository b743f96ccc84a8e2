/**
 * Stage "propose": candidates from the program search (cheap, deterministic, often right) and from the
 * model, turned into proposals with their edit measured against the original.
 */
import type { Candidate, PromptInput } from '../../model/types.ts';
import { changedLines, editSize, withoutAddedImports } from '../rank.ts';
import { editableLines, runProgramSearch, type SearchResponse } from '../search.ts';
import { Stop, type Proposal, type RunContext } from './context.ts';

/**
 * Programs the model wrote are whole programs; with a frozen prefix (eval: signature and docstring)
 * only what follows it may change. A candidate that repeats the prefix keeps what follows; one that
 * does not is appended after it, so its definitions replace the originals and the prefix stays as given.
 */
export function splitCandidate(prefix: string, code: string): { source: string; code: string } {
  const norm = (s: string) => s.replace(/\r\n?/g, '\n');
  const text = norm(code);
  if (!prefix) return { source: text, code: text };
  const p = norm(prefix);
  if (text.startsWith(p)) return { source: text, code: text.slice(p.length) };
  const rest = '\n' + text + (text.endsWith('\n') ? '' : '\n');
  return { source: p + rest, code: rest };
}

export function fromSearch(ctx: RunContext, s: SearchResponse): Proposal[] {
  return s.candidates
    .filter((c) => c.source.startsWith(ctx.prefix))
    .map((c) => ({
      id: `search-${ctx.order}`,
      origin: 'search' as const,
      source: c.source,
      code: c.source.slice(ctx.prefix.length),
      search: c,
      order: ctx.order++,
      editSize: editSize(ctx.program, withoutAddedImports(ctx.program, c.source)),
      editedLines: c.edits.length ? c.edits.map((e) => e.line) : changedLines(ctx.program, c.source),
    }));
}

export function fromModel(ctx: RunContext, list: Candidate[]): Proposal[] {
  const seen = new Set<string>([ctx.program, ...ctx.verified.map((v) => v.source)]);
  const out: Proposal[] = [];
  for (const c of list) {
    const { source, code } = splitCandidate(ctx.prefix, c.code);
    if (seen.has(source)) continue;
    seen.add(source);
    out.push({
      id: `model-${ctx.order}`,
      origin: 'model',
      source,
      code,
      rationale: c.rationale,
      ...(c.promptText === undefined ? {} : { prompt: c.promptText }),
      order: ctx.order++,
      editSize: editSize(ctx.program, withoutAddedImports(ctx.program, source)),
      editedLines: changedLines(ctx.program, source),
    });
  }
  return out;
}

export async function runSearch(ctx: RunContext, source: string, ms: number): Promise<SearchResponse | undefined> {
  const ts = performance.now();
  ctx.progress({ stage: 'search', message: 'Searching for a small edit that makes the tests pass' });
  try {
    const s = await runProgramSearch(
      ctx.sandbox,
      {
        source,
        tests: ctx.tests,
        ...(ctx.request.entryPoint ? { entryPoint: ctx.request.entryPoint } : {}),
        editable: editableLines(ctx.prefix, source),
        budget: { candidates: ctx.budget.searchCandidates, ms },
        returnLimit: ctx.budget.searchAlternatives,
        ...(ctx.request.language ? { language: ctx.request.language } : {}),
      },
      ctx.limits,
      ctx.signal,
    );
    ctx.counts.tried += s.tried;
    return s;
  } catch (error) {
    if (ctx.signal?.aborted) throw new Stop('cancelled');
    // The search is one source of candidates among two: its failure is logged, not fatal.
    ctx.log?.warn({ err: error }, 'program search failed');
    return undefined;
  } finally {
    ctx.timings.searchMs = (ctx.timings.searchMs ?? 0) + Math.round(performance.now() - ts);
  }
}

export async function askModel(ctx: RunContext, input: PromptInput): Promise<Candidate[]> {
  const { model, budget, signal } = ctx;
  if (!model) return [];
  const tm = performance.now();
  ctx.progress({ stage: 'model', message: `Asking ${model.id} for ${budget.modelSamples} candidate fixes` });
  try {
    ctx.modelUsed = true;
    const list = await model.propose(input, budget.modelSamples, {
      ...(signal ? { signal } : {}),
      ...(ctx.request.entryPoint === undefined ? {} : { entryPoint: ctx.request.entryPoint }),
    });
    ctx.counts.fromModel += list.length;
    ctx.counts.tried += list.length;
    return list;
  } catch (error) {
    if (signal?.aborted) throw new Stop('cancelled');
    ctx.log?.warn({ err: error }, 'model failed');
    // Without the search to fall back on, the user must hear why there is no fix.
    if (!budget.search) throw error;
    return [];
  } finally {
    ctx.timings.modelMs = (ctx.timings.modelMs ?? 0) + Math.round(performance.now() - tm);
  }
}

/** The model's request: the program, its failures and, unless ablated, the NExT trace. */
export function promptInput(ctx: RunContext, failures: string[], previousAttempt?: PromptInput['previousAttempt']): PromptInput {
  return {
    ...(ctx.request.language ? { language: ctx.request.language } : {}),
    program: ctx.program,
    failures,
    ...(ctx.request.description ? { description: ctx.request.description } : {}),
    ...(ctx.tests ? { tests: ctx.tests } : {}),
    ...(ctx.budget.promptTrace && ctx.rendered ? { trace: ctx.rendered.text } : {}),
    ...(previousAttempt ? { previousAttempt } : {}),
  };
}
