/**
 * Stage "report": the verdict and the RepairResult: status, summary, test table, facts, rationale,
 * the question to ask when the tests do not pin the fix down.
 */
import type { TestCase, TestResult } from '../../../sandbox/protocol.ts';
import { traceExcerpt } from '../../trace/index.ts';
import { unifiedDiff } from '../diff.ts';
import { failingFact, failureSentence, writeRationale } from '../rationale.ts';
import type { FixChoice, RepairFacts, RepairRequest, RepairResult, RepairStatus, TestRow } from '../types.ts';
import {
  answersConstant,
  confirmChoice,
  magicConstantCount,
  sentinelLeak,
  type VerdictChoice,
} from '../verdict.ts';
import { baselinePassed, byTest, type RunContext, type Verified } from './context.ts';
import { probeVerdict } from './probe.ts';
import { traceFix } from './trace.ts';
import { allPassing, bestSoFar } from './rank.ts';

export const SEARCH_ID = 'offline-search';
/** Fewer tests than this and a single passing candidate: ask before saying "fixed". */
export const FEW_TESTS = 3;
/** Fewer examples than this and a fix of two or more edits: ask before saying "fixed". */
export const FEW_TESTS_FOR_EDIT_PAIRS = 5;

const EXTENSION = { python: 'py', javascript: 'js', typescript: 'ts' } as const;
/** The diff's file names, in the program's language. */
function diffFiles(request: RepairRequest): { fromFile: string; toFile: string } {
  const ext = EXTENSION[request.language ?? 'python'];
  return { fromFile: `a/program.${ext}`, toFile: `b/program.${ext}` };
}
/** Characters an edit may change and still count as a small, targeted one (an operator, a bound). */
const SMALL_EDIT = 12;

function statusOf(result: TestResult | undefined): TestResult['status'] {
  return result?.status ?? 'error';
}

/** "all 3 tests pass", or "the test passes" when there is only one. */
export function allPassPhrase(total: number): string {
  return total === 1 ? 'the test passes' : `all ${total} tests pass`;
}

/** A failed comparison's two sides, or just the value a bare `assert x` saw. */
function comparison(expected: string | undefined, actual: string | undefined): string {
  return expected === undefined
    ? `it evaluated to ${actual ?? '?'}`
    : `expected ${expected}, got ${actual ?? '?'}`;
}

export function detailOf(result: TestResult | undefined): string | undefined {
  if (!result || result.status === 'passed') return undefined;
  if (result.status === 'timeout') return 'did not finish in time (an endless loop?)';
  if (result.status === 'failed' && (result.expected !== undefined || result.actual !== undefined)) {
    return comparison(result.expected, result.actual);
  }
  const e = result.error;
  if (e?.type === 'MemoryError') {
    // Python's MemoryError has no message, and a runner killed at the memory limit says so itself.
    const what = e.where === 'runner' && e.message ? e.message : 'ran out of memory';
    return `${what}${e.line ? ` (line ${e.line})` : ''}`.slice(0, 200);
  }
  if (e) return `${e.type}: ${e.message}${e.line ? ` (line ${e.line})` : ''}`.slice(0, 200);
  return result.status;
}

export function failureLine(test: TestCase, result: TestResult | undefined): string {
  return `${test.name}: ${detailOf(result) ?? 'failed'}`;
}

/** The failures of a program (the original's or an attempt's), one line each, for the model. */
export function failureLines(ctx: RunContext, results: readonly TestResult[]): string[] {
  const map = byTest(results);
  return ctx.cases
    .map((c) => ({ c, r: map.get(c.id) }))
    .filter(({ r }) => r?.status !== 'passed')
    .slice(0, 5)
    .map(({ c, r }) => failureLine(c, r));
}

/** The module a run could not import, when the program itself (not the tests) imports it. */
export function missingModuleOf(results: readonly TestResult[]): string | undefined {
  for (const r of results) {
    const e = r.error;
    if (!e || e.where !== 'program' || (e.type !== 'ModuleNotFoundError' && e.type !== 'ImportError'))
      continue;
    const name = /No module named '([^']+)'/.exec(e.message)?.[1];
    if (name) return name.split('.')[0];
  }
  return undefined;
}

function table(ctx: RunContext, after?: Verified): TestRow[] {
  const before = byTest(ctx.baseline);
  const afterMap = after ? byTest(after.results) : undefined;
  return ctx.cases.map((t) => {
    const b = before.get(t.id);
    const a = afterMap?.get(t.id);
    const row: TestRow = { id: t.id, name: t.name, before: statusOf(b) };
    if (afterMap) row.after = a ? a.status : 'error';
    const detail = detailOf(b);
    if (detail) row.detail = detail;
    if (b?.expected !== undefined) row.expected = b.expected;
    if (b?.actual !== undefined) row.actual = b.actual;
    if (b?.error && b.status !== 'passed') {
      row.error = b.error.message ? `${b.error.type}: ${b.error.message}` : b.error.type;
      if (b.error.line !== undefined) row.errorLine = b.error.line;
    }
    if (b?.stdout) row.stdout = b.stdout;
    if (b?.stderr) row.stderr = b.stderr;
    return row;
  });
}

function traceSection(ctx: RunContext, lines: number[]): RepairResult['trace'] | undefined {
  const { trace, rendered } = ctx;
  if (!trace || !rendered) return undefined;
  return {
    testName: trace.test.name,
    rendered: rendered.text,
    excerpt: traceExcerpt(rendered.text, lines.length ? lines : [trace.result.error?.line ?? 1]),
    truncated: rendered.truncated,
  };
}

function factsOf(ctx: RunContext, best: Verified | undefined): RepairFacts {
  const { compileError } = ctx;
  const facts: RepairFacts = {};
  if (compileError) {
    facts.compileError = {
      type: compileError.type,
      message: compileError.message,
      ...(compileError.line === undefined ? {} : { line: compileError.line }),
    };
  }
  if (ctx.missingModule) facts.missingModule = ctx.missingModule;
  if (ctx.divergence && best) facts.divergence = ctx.divergence;
  const failing = failingFact(ctx.cases, ctx.baseline);
  if (failing) facts.failing = failing;
  if (best?.search?.edits.length) {
    const fixedLines = best.source.split('\n');
    const origLines = ctx.program.split('\n');
    facts.edits = best.search.edits.map((e) => {
      const after = fixedLines[e.line - 1];
      const changed = after !== undefined && after !== origLines[e.line - 1];
      return {
        line: e.line,
        kind: e.kind,
        description: e.description,
        before: e.before,
        ...(changed ? { after } : {}),
      };
    });
  }
  return facts;
}

export function citeLinesOf(ctx: RunContext, best: Verified | undefined): number[] {
  const lines = new Set<number>();
  for (const e of best?.search?.edits ?? []) lines.add(e.line);
  const errLine = ctx.trace?.result.error?.line;
  if (errLine) lines.add(errLine);
  if (!best && ctx.search?.suspicious[0]) lines.add(ctx.search.suspicious[0].line);
  return [...lines];
}

export function finish(
  ctx: RunContext,
  status: RepairStatus,
  summary: string,
  best?: Verified,
  rationale?: string,
  citeLines: number[] = [],
  extra: Pick<RepairResult, 'choice' | 'probe'> = {},
): RepairResult {
  const { timings, counts, model, request } = ctx;
  timings.totalMs = Math.round(performance.now() - ctx.t0);
  ctx.progress({ stage: 'done', message: summary });
  const result: RepairResult = {
    requestId: request.id,
    status,
    summary,
    tests: table(ctx, best),
    candidates: {
      tried: counts.tried,
      passed: ctx.verified.filter((v) => v.complete && v.passed === v.total && v.total > 0).length,
      fromModel: counts.fromModel,
      fromSearch: counts.fromSearch,
    },
    model:
      ctx.modelUsed && model
        ? { id: model.id, promptVersion: model.promptVersionFor?.(request.language) ?? model.promptVersion }
        : { id: SEARCH_ID },
    timings,
  };
  if (rationale) result.rationale = rationale;
  if (best?.prompt) result.prompt = best.prompt;
  if (best) {
    result.fixedCode = best.code;
    result.diff = unifiedDiff(request.code, best.code, diffFiles(request));
  }
  const section = traceSection(ctx, citeLines);
  if (section) result.trace = section;
  const facts = factsOf(ctx, best);
  if (Object.keys(facts).length) result.facts = facts;
  const failing = ctx.baseline.find((r) => r.status !== 'passed');
  if (failing?.stdout) result.stdout = failing.stdout;
  if (extra.choice) result.choice = extra.choice;
  if (extra.probe) result.probe = extra.probe;
  ctx.log?.info({ status, tried: counts.tried, ms: timings.totalMs }, 'repair finished');
  return result;
}

function rationaleOf(ctx: RunContext, best: Verified): string {
  if (best.origin === 'model') return best.rationale ?? '';
  const failing = failingFact(ctx.cases, ctx.baseline);
  return writeRationale({
    program: ctx.program,
    fixed: best.source,
    ...(failing ? { failing } : {}),
    ...(ctx.divergence ? { divergence: ctx.divergence } : {}),
    edits: (best.search?.edits ?? []).map((e) => e.description),
    passed: best.passed,
    total: best.total,
  });
}

function editLine(v: Verified): string {
  if (v.search?.edits.length) return v.search.edits.map((e) => `line ${e.line}: ${e.description}`).join('; ');
  const lines = v.editedLines;
  return lines.length
    ? `rewrites line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}`
    : 'rewrites the program';
}

function toChoice(ctx: RunContext, c: VerdictChoice<Verified>): FixChoice {
  return {
    call: c.call,
    ...(c.original === undefined ? {} : { original: c.original }),
    options: c.options.map((o, k) => ({
      id: `option-${k + 1}`,
      output: o.output,
      test: o.test,
      fixedCode: o.candidate.code,
      diff: unifiedDiff(ctx.request.code, o.candidate.code, diffFiles(ctx.request)),
      edit: editLine(o.candidate),
    })),
  };
}

/**
 * The behavioural edits of a search fix: an added import, a rename to the called name or a syntax repair
 * is not one, and two that mirror each other on one line (`x` -> `s` and `s` -> `x`) are one swap.
 */
export function editCount(edits: readonly { line: number; kind: string; description: string }[]): number {
  const own = edits.filter((e) => !['import', 'rename', 'syntax'].includes(e.kind));
  const token = (d: string) => /^`(.+)` -> `(.+)`$/.exec(d);
  let swaps = 0;
  own.forEach((a, i) => {
    const ta = token(a.description);
    if (!ta) return;
    for (const b of own.slice(i + 1)) {
      const tb = token(b.description);
      if (tb && b.line === a.line && tb[1] === ta[2] && tb[2] === ta[1]) swaps++;
    }
  });
  return own.length - swaps;
}

/** How the question reads for a probe output: "meant to give 3", or "meant to raise IndexError: …". */
export function meantTo(output: string): string {
  return output.startsWith('raises ')
    ? `meant to raise ${output.slice('raises '.length)}`
    : `meant to give ${output}`;
}

/**
 * The verdict. `probeAllowed` is false when a deadline or a cancel cut the run short: then what exists is
 * reported without the probe and the trace of the fix.
 */
export async function conclude(ctx: RunContext, probeAllowed: boolean): Promise<RepairResult> {
  let best = bestSoFar(ctx);
  const total = ctx.cases.length;
  const { compileError, counts } = ctx;
  if (!best) {
    if (compileError) {
      const where = compileError.line ? ` at line ${compileError.line}` : '';
      return finish(
        ctx,
        'not_fixed',
        `Your code does not load: ${compileError.type}${where}: ${compileError.message}. No fix found that makes it load and pass the tests.`,
        undefined,
        undefined,
        compileError.line ? [compileError.line] : [],
      );
    }
    const failing = failingFact(ctx.cases, ctx.baseline);
    const why = failing ? ` ${failureSentence(failing)}` : '';
    const tried =
      counts.tried === 0
        ? 'no candidate fix could be tried'
        : `none of the ${counts.tried} candidate fix${counts.tried === 1 ? '' : 'es'} tried did better than the original`;
    return finish(
      ctx,
      'not_fixed',
      `No fix found: ${tried} (${baselinePassed(ctx)}/${total} tests pass).${why}`,
      undefined,
      undefined,
      citeLinesOf(ctx, undefined),
    );
  }
  if (best.passed !== best.total) {
    if (probeAllowed) await traceFix(ctx, best);
    return finish(
      ctx,
      'partly_fixed',
      `Partly fixed: ${best.passed}/${total} tests pass, up from ${baselinePassed(ctx)}.`,
      best,
      rationaleOf(ctx, best),
      citeLinesOf(ctx, best),
    );
  }
  const { verdict, probe } = await probeVerdict(ctx, allPassing(ctx), probeAllowed);
  best = verdict.ranked[0]?.candidate ?? best;
  if (probeAllowed) await traceFix(ctx, best);
  const rationale = rationaleOf(ctx, best);
  const extra = probe?.ok
    ? {
        probe: {
          inputs: probe.inputs.length,
          plausible: verdict.ranked.length,
          clusters: verdict.clusters.length,
        },
      }
    : {};
  const hang = verdict.ranked[0]?.timeoutCall;
  if (hang) {
    // Whether it loops forever there or is only slow (a right fix can be slower than the wrong code), a
    // run cannot tell: it says what it saw and does not call it fixed.
    const summary = `Partly fixed: ${allPassPhrase(total)}, but the fix did not finish for \`${hang}\`, an input next to your tests, within the probe's budget. It loops there or is slow: if that input should finish, this is not the whole fix.`;
    return finish(ctx, 'partly_fixed', summary, best, rationale, citeLinesOf(ctx, best), extra);
  }
  const every = allPassPhrase(total).replace(/ pass(es)?$/, '');
  const choice = verdict.choice;
  if (choice && choice.options.length >= 2) {
    const answers = choice.options.map((o) => o.output).join(' or ');
    const summary = `Not pinned down: ${verdict.ranked.length} fixes pass ${every} but answer \`${choice.call}\` differently (${answers}). Which is right?`;
    return finish(
      ctx,
      'not_pinned',
      summary,
      choice.options[0]!.candidate,
      rationale,
      citeLinesOf(ctx, best),
      { ...extra, choice: toChoice(ctx, choice) },
    );
  }
  // Several passing fixes, and no run on other inputs to show they agree (the probe could not run: no call
  // with literal arguments to grow, a method, a probe that failed): the tests alone do not say which is
  // right, so none of them is called fixed.
  const probed = probe?.ok === true && probe.inputs.length > probe.seeds;
  if (!probed && verdict.ranked.length > 1) {
    const summary = `Not pinned down: ${verdict.ranked.length} different fixes pass ${every}, and I could not run them on other inputs to tell them apart. Here is the one I would pick; add a test that says what you want.`;
    return finish(ctx, 'not_pinned', summary, best, rationale, citeLinesOf(ctx, best), extra);
  }
  // One behaviour among the passing candidates. On one or two tests even candidates that agree are weak
  // evidence (they may all fit the same example): a fix that brings in a number the program did not use,
  // rewrites more than a token or two, or answers one value whatever the input is a guess, as is a lone
  // candidate nothing else was looked for beside. Ask the user to confirm its answer where it departs from
  // the original.
  const looked = Boolean(ctx.search?.exhausted) || ctx.modelUsed;
  // A small edit that makes code load which did not is a repair of its syntax, not a guess at behaviour.
  const makesItLoad =
    Boolean(ctx.compileError) && best.editedLines.length === 1 && best.editSize <= SMALL_EDIT;
  // Likewise an import the code was missing, or its function renamed to the name the tests call (the
  // search makes both before anything else).
  const onlyImports =
    Boolean(best.search?.edits.length) &&
    best.search!.edits.every((e) => e.kind === 'import' || e.kind === 'rename');
  const repairsLoading = makesItLoad || onlyImports;
  // One example: any change that fits it is a guess at the rest (measured on the first 160 of Mbpp-R's
  // one-assert tasks, 6 of the 9 fixes then called fixed failed the hidden tests). That holds for a
  // missing import or a repair of the syntax too: it was needed, but whether the code is then right one
  // example does not say (on all 640, 10 of the 38 import-only answers called fixed failed the hidden
  // tests). A single test that calls the function on many inputs (a `check()` with a loop) is many
  // examples: the probe counts the distinct calls the tests made.
  //
  // Two examples are not much more: on two bug sets written blind (tests/repair/fresh-bugs), 6 of the 21
  // fixes called fixed on two tests failed the hidden tests (`0 <= m` -> `1 <= m`, keeping "24:00" out
  // by keeping every full hour out). Below FEW_TESTS examples a fix is confirmed with the user, unless all
  // it did was make the code load, or the user already settled it by picking one of the answers offered
  // (a test chosen on an input where the fixes disagreed says more than one they wrote beforehand).
  const examples = Math.max(total, probe?.ok ? probe.seeds : 0);
  const settledByUser = (ctx.request.confirmedTests ?? []).some(
    (t) => t.trim() !== '' && (ctx.request.tests ?? '').includes(t.trim()),
  );
  const guess =
    examples === 1 ||
    (examples < FEW_TESTS && !repairsLoading && !settledByUser) ||
    (verdict.ranked.length === 1 && !looked && !repairsLoading) ||
    best.editedLines.length > 1 ||
    best.editSize > SMALL_EDIT ||
    magicConstantCount(ctx.program, best.source, ctx.tests) > 0 ||
    answersConstant(best.id, 'original', probe);
  // A fix that answers an infinity where the original did not (for an empty input, say) hands back the
  // starting value it put in: passing the tests, yet seldom what is meant. Asked, at that input.
  const leak = repairsLoading || settledByUser ? undefined : sentinelLeak(best, 'original', probe);
  if (leak) {
    const { output } = leak.options[0]!;
    const summary = `Not pinned down: a fix passes ${every}, but for \`${leak.call}\` it answers ${output}, a starting value nothing replaced. Is it ${meantTo(output)}?`;
    return finish(ctx, 'not_pinned', summary, best, rationale, citeLinesOf(ctx, best), {
      ...extra,
      choice: toChoice(ctx, leak),
    });
  }
  // Two edits or more: the search pairs edits only when no single one passes, and of the thousands of
  // pairs it tries, one fits three or four examples by chance far more often than a lone edit does (on a
  // bug set written blind, `total * 5 // 7` became `total + 5 - 7` and fitted three tests of a count of
  // weekdays). Below FEW_TESTS_FOR_EDIT_PAIRS examples such a fix is confirmed like a guess.
  const behavioural = editCount(best.search?.edits ?? []);
  const pairOnFew =
    behavioural > 1 && examples < FEW_TESTS_FOR_EDIT_PAIRS && !repairsLoading && !settledByUser;
  if ((guess && total < FEW_TESTS) || pairOnFew) {
    const confirm = confirmChoice(best, 'original', probe, probe?.seeds ?? 0);
    const tests = total === 1 ? 'one test does' : `${total} tests do`;
    const few = guess && total < FEW_TESTS ? tests : `it takes ${behavioural} edits, and ${tests}`;
    if (confirm) {
      const opt = confirm.options[0]!;
      const summary = `Not pinned down: a fix passes ${every}, but ${few} not settle it. Is \`${confirm.call}\` ${meantTo(opt.output)}?`;
      return finish(ctx, 'not_pinned', summary, best, rationale, citeLinesOf(ctx, best), {
        ...extra,
        choice: toChoice(ctx, confirm),
      });
    }
    const summary = `Not pinned down: a fix passes ${every}, but ${few} not settle it and I could not check it on other inputs. Add a test that says what you want.`;
    return finish(ctx, 'not_pinned', summary, best, rationale, citeLinesOf(ctx, best), extra);
  }
  const summary = `Fixed: ${allPassPhrase(total)} (${counts.tried} candidate${counts.tried === 1 ? '' : 's'} tried).`;
  return finish(ctx, 'fixed', summary, best, rationale, citeLinesOf(ctx, best), extra);
}
