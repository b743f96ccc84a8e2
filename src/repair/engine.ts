/**
 * The repair loop (DESIGN.md §1): run the tests, trace the first failing one, gather candidates (the
 * program search first, then the model), verify every candidate against every test in batched
 * sandbox calls, rank, one more round when nothing passes, and report with the evidence.
 */
import { DEFAULT_LIMITS, type ErrorInfo, type Limits, type RunnerRequest, type RunnerResponse, type TestCase, type TestResult, type Trace } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { TracefixError, fromSandboxError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Candidate, PromptInput, RepairModel } from '../model/types.ts';
import { renderInline, traceExcerpt } from '../trace/index.ts';
import { unifiedDiff } from './diff.ts';
import { editSize, rankCandidates } from './rank.ts';
import { editableLines, runProgramSearch, type SearchCandidate, type SearchResponse } from './search.ts';
import type { Progress, RepairRequest, RepairResult, RepairService, RepairStatus, RunOptions, TestRow } from './types.ts';

export interface RepairBudget {
  /** Variants the program search may screen. */
  searchCandidates: number;
  /** Wall time of the program search (it also stops at the request's deadline). */
  searchMs: number;
  /** Samples asked of the model per round. */
  modelSamples: number;
  /** Token budget of the NExT trace rendering. */
  traceTokens: number;
  /** Trace the best failing candidate and try again when nothing passes. */
  secondRound: boolean;
  /** Put the NExT trace in the model's prompt; false is NExT's no-trace ablation. */
  promptTrace: boolean;
  /** Run the program search at all (off: model only). */
  search: boolean;
}

export const DEFAULT_BUDGET: RepairBudget = {
  searchCandidates: 4000,
  searchMs: 20_000,
  modelSamples: 5,
  traceTokens: 1500,
  secondRound: true,
  promptTrace: true,
  search: true,
};

export interface RepairEngineDeps {
  sandbox: Sandbox;
  /** Absent: the program search works alone (the offline default). */
  model?: RepairModel;
  logger?: Logger;
  limits?: Limits;
  budget?: Partial<RepairBudget>;
}

type Origin = 'search' | 'model';

interface Verified {
  id: string;
  origin: Origin;
  /** Whole program as run (frozen prefix included). */
  source: string;
  /** What the user gets: the program without the frozen prefix. */
  code: string;
  rationale?: string;
  /** Model candidates: the prompt text that produced them. */
  prompt?: string;
  search?: SearchCandidate;
  order: number;
  results: TestResult[];
  passed: number;
  total: number;
  editSize: number;
  complete: boolean;
}

class Stop extends Error {
  constructor(readonly reason: 'deadline' | 'cancelled') {
    super(reason);
  }
}

const SEARCH_ID = 'offline-search';

function statusOf(result: TestResult | undefined): TestResult['status'] {
  return result?.status ?? 'error';
}

/** "all 3 tests pass", or "the test passes" when there is only one. */
function allPassPhrase(total: number): string {
  return total === 1 ? 'the test passes' : `all ${total} tests pass`;
}

/** A failed comparison's two sides, or just the value a bare `assert x` saw. */
function comparison(expected: string | undefined, actual: string | undefined): string {
  return expected === undefined ? `it evaluated to ${actual ?? '?'}` : `expected ${expected}, got ${actual ?? '?'}`;
}

function detailOf(result: TestResult | undefined): string | undefined {
  if (!result || result.status === 'passed') return undefined;
  if (result.status === 'timeout') return 'did not finish in time (an endless loop?)';
  if (result.status === 'failed' && (result.expected !== undefined || result.actual !== undefined)) {
    return comparison(result.expected, result.actual);
  }
  if (result.error) return `${result.error.type}: ${result.error.message}${result.error.line ? ` (line ${result.error.line})` : ''}`.slice(0, 200);
  return result.status;
}

function failureLine(test: TestCase, result: TestResult | undefined): string {
  return `${test.name}: ${detailOf(result) ?? 'failed'}`;
}

function functionName(code: string): string | undefined {
  return /^\s*def\s+([A-Za-z_]\w*)\s*\(/m.exec(code)?.[1] ?? /^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/m.exec(code)?.[1];
}

/**
 * Programs the model wrote are whole programs; with a frozen prefix (eval: signature and docstring)
 * only what follows it may change. A candidate that repeats the prefix keeps what follows; one that
 * does not is appended after it, so its definitions replace the originals and the prefix stays as given.
 */
function splitCandidate(prefix: string, code: string): { source: string; code: string } {
  const norm = (s: string) => s.replace(/\r\n?/g, '\n');
  const text = norm(code);
  if (!prefix) return { source: text, code: text };
  const p = norm(prefix);
  if (text.startsWith(p)) return { source: text, code: text.slice(p.length) };
  const rest = '\n' + text + (text.endsWith('\n') ? '' : '\n');
  return { source: p + rest, code: rest };
}

export function createRepairEngine(deps: RepairEngineDeps): RepairService {
  const budget: RepairBudget = { ...DEFAULT_BUDGET, ...deps.budget };
  const limits: Limits = deps.limits ?? DEFAULT_LIMITS;
  const { sandbox, model, logger } = deps;

  async function run(request: RepairRequest, options: RunOptions = {}): Promise<RepairResult> {
    const t0 = performance.now();
    const timings: RepairResult['timings'] = { totalMs: 0 };
    const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
    const signal = options.signal;
    const log = logger?.child({ requestId: request.id });
    const progress = (p: Progress) => {
      try {
        options.onProgress?.(p);
      } catch (error) {
        log?.warn({ err: error }, 'progress listener threw');
      }
    };
    const check = () => {
      if (signal?.aborted) throw new Stop('cancelled');
      if (Date.now() >= deadline) throw new Stop('deadline');
    };
    const remainingMs = () => deadline - Date.now();
    const exec = async (req: RunnerRequest): Promise<RunnerResponse> => {
      check();
      try {
        return await sandbox.execute(req, signal ? { signal } : {});
      } catch (error) {
        if (signal?.aborted) throw new Stop('cancelled');
        throw fromSandboxError(error);
      }
    };

    if (!request.code.trim()) throw new TracefixError('empty_input', 'There is no code to work on: paste the Python program that misbehaves.');
    const prefix = request.frozenPrefix ?? '';
    const program = prefix + request.code;
    const tests = request.tests?.trim() ? request.tests : null;
    const language = request.language;
    const common = { tests, limits, ...(request.entryPoint ? { entryPoint: request.entryPoint } : {}), ...(language ? { language } : {}) };

    // State gathered as we go: what a deadline or a cancel can still return.
    let cases: TestCase[] = [];
    let baseline: TestResult[] = [];
    let trace: Trace | undefined;
    let rendered: ReturnType<typeof renderInline> | undefined;
    let search: SearchResponse | undefined;
    let compileError: ErrorInfo | undefined;
    const verified: Verified[] = [];
    const counts = { tried: 0, fromModel: 0, fromSearch: 0 };
    let order = 0;
    let modelUsed = false;

    const byTest = (results: TestResult[]) => new Map(results.map((r) => [r.test, r]));
    const baselinePassed = () => baseline.filter((r) => r.status === 'passed').length;

    const table = (after?: Verified): TestRow[] => {
      const before = byTest(baseline);
      const afterMap = after ? byTest(after.results) : undefined;
      return cases.map((t) => {
        const b = before.get(t.id);
        const a = afterMap?.get(t.id);
        const row: TestRow = { id: t.id, name: t.name, before: statusOf(b) };
        if (afterMap) row.after = a ? a.status : 'error';
        const detail = detailOf(b);
        if (detail) row.detail = detail;
        return row;
      });
    };

    const traceSection = (lines: number[]): RepairResult['trace'] | undefined => {
      if (!trace || !rendered) return undefined;
      return {
        testName: trace.test.name,
        rendered: rendered.text,
        excerpt: traceExcerpt(rendered.text, lines.length ? lines : [trace.result.error?.line ?? 1]),
        truncated: rendered.truncated,
      };
    };

    const finish = (status: RepairStatus, summary: string, best?: Verified, rationale?: string, citeLines: number[] = []): RepairResult => {
      timings.totalMs = Math.round(performance.now() - t0);
      progress({ stage: 'done', message: summary });
      const result: RepairResult = {
        requestId: request.id,
        status,
        summary,
        tests: table(best),
        candidates: {
          tried: counts.tried,
          passed: verified.filter((v) => v.complete && v.passed === v.total && v.total > 0).length,
          fromModel: counts.fromModel,
          fromSearch: counts.fromSearch,
        },
        model: modelUsed && model ? { id: model.id, promptVersion: model.promptVersion } : { id: SEARCH_ID },
        timings,
      };
      if (rationale) result.rationale = rationale;
      if (best?.prompt) result.prompt = best.prompt;
      if (best) {
        result.fixedCode = best.code;
        result.diff = unifiedDiff(request.code, best.code, { fromFile: 'a/program.py', toFile: 'b/program.py' });
      }
      const section = traceSection(citeLines);
      if (section) result.trace = section;
      log?.info({ status, tried: counts.tried, ms: timings.totalMs }, 'repair finished');
      return result;
    };

    const bestSoFar = (): Verified | undefined => {
      const ranked = rankCandidates(verified.filter((v) => v.complete));
      const top = ranked[0];
      return top && top.passed > baselinePassed() ? top : undefined;
    };

    const conclude = (): RepairResult => {
      const best = bestSoFar();
      const total = cases.length;
      if (!best) {
        if (compileError) {
          const where = compileError.line ? ` at line ${compileError.line}` : '';
          return finish('not_fixed', `Your code does not load: ${compileError.type}${where}: ${compileError.message}. No fix found that makes it load and pass the tests.`, undefined, undefined, compileError.line ? [compileError.line] : []);
        }
        const why = search?.failing ? ` ${failureSentence(search)}` : '';
        return finish('not_fixed', `No fix found: none of ${counts.tried} candidate fixes did better than the original (${baselinePassed()}/${total} tests pass).${why}`, undefined, undefined, citeLinesOf(undefined));
      }
      const all = best.passed === best.total;
      const rationale = best.origin === 'search' && best.search ? searchRationale(best) : (best.rationale ?? '');
      const status: RepairStatus = all ? 'fixed' : 'partly_fixed';
      const summary = all
        ? `Fixed: ${allPassPhrase(total)} (${counts.tried} candidate${counts.tried === 1 ? '' : 's'} tried).`
        : `Partly fixed: ${best.passed}/${total} tests pass, up from ${baselinePassed()}.`;
      return finish(status, summary, best, rationale, citeLinesOf(best));
    };

    const citeLinesOf = (best: Verified | undefined): number[] => {
      const lines = new Set<number>();
      for (const e of best?.search?.edits ?? []) lines.add(e.line);
      const errLine = trace?.result.error?.line;
      if (errLine) lines.add(errLine);
      if (!best && search?.suspicious[0]) lines.add(search.suspicious[0].line);
      return [...lines];
    };

    const failureSentence = (s: SearchResponse): string => {
      const f = s.failing;
      if (!f) return '';
      if (f.expected !== undefined || f.actual !== undefined) {
        return f.expected === undefined
          ? `The test \`${f.name}\` failed: ${comparison(f.expected, f.actual)}.`
          : `The test \`${f.name}\` expected ${f.expected} but got ${f.actual ?? '?'}.`;
      }
      if (f.status === 'timeout') return `The test \`${f.name}\` did not finish in time (an endless loop?).`;
      if (f.error) return `The test \`${f.name}\` raised ${f.error}${f.errorLine ? ` at line ${f.errorLine}` : ''}.`;
      return `The test \`${f.name}\` ${f.status}.`;
    };

    /** What the NExT trace shows at a line: the values just before it ran, what it set, what it returned or raised. */
    const valuesAt = (line: number): string | undefined => {
      const fmt = (vars: Record<string, string>) =>
        Object.entries(vars)
          .slice(0, 4)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
      const events = trace?.events ?? [];
      const at = events.findIndex((e) => e.line === line);
      const parts: string[] = [];
      if (at >= 0) {
        const here = events[at]!;
        for (let k = at - 1; k >= 0; k--) {
          const e = events[k]!;
          if (e.func === here.func && e.vars && Object.keys(e.vars).length) {
            parts.push(`${fmt(e.vars)} just before it`);
            break;
          }
        }
        const set = events.find((e) => e.line === line && e.kind === 'line' && e.vars && Object.keys(e.vars).length);
        if (set?.vars) parts.push(`it sets ${fmt(set.vars)}`);
        const ret = events.find((e) => e.line === line && e.kind === 'return' && e.value !== undefined);
        if (ret) parts.push(`it returns ${ret.value}`);
        const exc = events.find((e) => e.line === line && e.kind === 'exception');
        if (exc) parts.push(`it raises ${exc.value ?? 'an exception'}`);
      } else {
        const fromSearch = search?.failing?.values[String(line)]?.[0];
        if (fromSearch) parts.push(`it sets ${fmt(fromSearch)}`);
        const ret = search?.failing?.returns[String(line)];
        if (ret) parts.push(`it returns ${ret}`);
      }
      return parts.length ? parts.join('; ') : undefined;
    };

    const searchRationale = (best: Verified): string => {
      const s = search;
      const c = best.search;
      if (!s || !c) return '';
      const parts: string[] = [];
      const f = s.failing;
      if (f) {
        parts.push(failureSentence(s));
        const input = s.inputs.find((i) => i.check === f.check);
        if (input) {
          const args = Object.entries(input.args).map(([k, v]) => `${k}=${v}`).join(', ');
          if (args.length <= 160) parts.push(`It called \`${input.func}(${args})\`.`);
        }
      }
      const lines = program.split('\n');
      for (const e of c.edits) {
        const text = (lines[e.line - 1] ?? e.before).trim();
        const values = valuesAt(e.line);
        const rank = s.suspicious.findIndex((x) => x.line === e.line);
        const where =
          rank === 0 ? 'is the most suspicious line of the failing run' : rank > 0 ? `ranks #${rank + 1} among the suspicious lines of the failing run` : 'is where the edit goes';
        parts.push(`Line ${e.line} (\`${text}\`) ${where}${values ? `: the trace shows ${values}` : ''}.`);
      }
      const diffLines = unifiedDiff(program, best.source, { context: 0 })
        .split('\n')
        .filter((l) => (l.startsWith('-') || l.startsWith('+')) && !l.startsWith('---') && !l.startsWith('+++'));
      const edits = c.edits.map((e) => e.description).join(' and ');
      const removed = diffLines.filter((l) => l.startsWith('-')).map((l) => l.slice(1).trim());
      const added = diffLines.filter((l) => l.startsWith('+')).map((l) => l.slice(1).trim());
      const change =
        removed.length === 1 && added.length === 1
          ? ` turns \`${removed[0]}\` into \`${added[0]}\``
          : added.length && !removed.length
            ? ` adds \`${added.join(' ')}\``
            : removed.length && !added.length
              ? ` removes \`${removed.join('; ')}\``
              : '';
      parts.push(`The fix (${edits})${change}.`);
      parts.push(best.passed === best.total ? `With it, ${allPassPhrase(best.total)}.` : `With it, ${best.passed} of ${best.total} tests pass.`);
      return parts.join(' ');
    };

    /** Screens with stopOnFirstFailure, then runs survivors (and the best few failures) in full. */
    const verify = async (cands: Omit<Verified, 'results' | 'passed' | 'total' | 'complete'>[]): Promise<void> => {
      if (!cands.length) return;
      const tv = performance.now();
      progress({ stage: 'verify', message: `Checking ${cands.length} candidate fix${cands.length === 1 ? '' : 'es'} against all ${cases.length} tests`, done: 0, total: cands.length });
      const screen = await exec({ mode: 'test', programs: cands.map((c) => ({ id: c.id, source: c.source })), stopOnFirstFailure: true, ...common });
      const reports = new Map(screen.programs.map((p) => [p.id, p]));
      const screened: Verified[] = cands.map((c) => {
        const report = reports.get(c.id);
        const results = report?.results ?? [];
        const passed = results.filter((r) => r.status === 'passed').length;
        return { ...c, results, passed, total: cases.length, complete: !report?.compileError && passed === cases.length };
      });
      const full = screened.filter((v) => v.complete);
      const partial = rankCandidates(screened.filter((v) => !v.complete && v.passed > 0)).slice(0, 4);
      const rerun = partial;
      if (rerun.length) {
        const again = await exec({ mode: 'test', programs: rerun.map((c) => ({ id: c.id, source: c.source })), ...common });
        const againMap = new Map(again.programs.map((p) => [p.id, p]));
        for (const v of rerun) {
          const results = againMap.get(v.id)?.results ?? [];
          v.results = results;
          v.passed = results.filter((r) => r.status === 'passed').length;
          v.complete = true;
        }
      }
      verified.push(...full, ...rerun);
      timings.verifyMs = (timings.verifyMs ?? 0) + Math.round(performance.now() - tv);
      progress({ stage: 'verify', message: `Checked ${cands.length} candidate fixes`, done: cands.length, total: cands.length });
    };

    const fromSearch = (s: SearchResponse): Omit<Verified, 'results' | 'passed' | 'total' | 'complete'>[] =>
      s.candidates
        .filter((c) => c.source.startsWith(prefix))
        .map((c) => ({
          id: `search-${order}`,
          origin: 'search' as const,
          source: c.source,
          code: c.source.slice(prefix.length),
          search: c,
          order: order++,
          editSize: editSize(program, c.source),
        }));

    const fromModel = (list: Candidate[]): Omit<Verified, 'results' | 'passed' | 'total' | 'complete'>[] => {
      const seen = new Set<string>([program, ...verified.map((v) => v.source)]);
      const out: Omit<Verified, 'results' | 'passed' | 'total' | 'complete'>[] = [];
      for (const c of list) {
        const { source, code } = splitCandidate(prefix, c.code);
        if (seen.has(source)) continue;
        seen.add(source);
        out.push({
          id: `model-${order}`,
          origin: 'model',
          source,
          code,
          rationale: c.rationale,
          ...(c.promptText === undefined ? {} : { prompt: c.promptText }),
          order: order++,
          editSize: editSize(program, source),
        });
      }
      return out;
    };

    const runSearch = async (source: string, ms: number): Promise<SearchResponse | undefined> => {
      const ts = performance.now();
      progress({ stage: 'search', message: 'Searching for a small edit that makes the tests pass' });
      try {
        const s = await runProgramSearch(
          sandbox,
          {
            source,
            tests,
            ...(request.entryPoint ? { entryPoint: request.entryPoint } : {}),
            editable: editableLines(prefix, source),
            budget: { candidates: budget.searchCandidates, ms },
            ...(language ? { language } : {}),
          },
          limits,
          signal,
        );
        counts.tried += s.tried;
        return s;
      } catch (error) {
        if (signal?.aborted) throw new Stop('cancelled');
        // The search is one source of candidates among two: its failure is logged, not fatal.
        log?.warn({ err: error }, 'program search failed');
        return undefined;
      } finally {
        timings.searchMs = (timings.searchMs ?? 0) + Math.round(performance.now() - ts);
      }
    };

    const askModel = async (input: PromptInput): Promise<Candidate[]> => {
      if (!model) return [];
      const tm = performance.now();
      progress({ stage: 'model', message: `Asking ${model.id} for ${budget.modelSamples} candidate fixes` });
      try {
        modelUsed = true;
        const list = await model.propose(input, budget.modelSamples, {
          ...(signal ? { signal } : {}),
          ...(request.entryPoint === undefined ? {} : { entryPoint: request.entryPoint }),
        });
        counts.fromModel += list.length;
        counts.tried += list.length;
        return list;
      } catch (error) {
        if (signal?.aborted) throw new Stop('cancelled');
        log?.warn({ err: error }, 'model failed');
        // Without the search to fall back on, the user must hear why there is no fix.
        if (!budget.search) throw error;
        return [];
      } finally {
        timings.modelMs = (timings.modelMs ?? 0) + Math.round(performance.now() - tm);
      }
    };

    const renderTrace = (t: Trace, source: string) => renderInline(t, source, { tokenBudget: budget.traceTokens, ...(language ? { language } : {}) });

    try {
      // 1. the tests as they are
      progress({ stage: 'tests', message: 'Running your tests' });
      const tt = performance.now();
      const first = await exec({ mode: 'test', programs: [{ id: 'original', source: program }], ...common });
      timings.testsMs = Math.round(performance.now() - tt);
      cases = first.tests;
      baseline = first.programs[0]?.results ?? [];
      compileError = first.programs[0]?.compileError ?? undefined;
      const noExamples = !tests && cases.every((c) => c.kind === 'script');
      const allPass = cases.length > 0 && baseline.length === cases.length && baseline.every((r) => r.status === 'passed');
      if (cases.length === 0 || (noExamples && allPass)) {
        const name = request.entryPoint ?? functionName(request.code) ?? 'your_function';
        return finish(
          'needs_tests',
          `I need a failing example to work from: add a test such as \`assert ${name}(<an input>) == <the output you expect>\` — an input where the code gives the wrong answer, and the answer you expected.`,
        );
      }
      const failingCase = cases.find((c) => byTest(baseline).get(c.id)?.status !== 'passed');

      // 2. the trace: of the first failing test, or of the first test when nothing fails
      progress({ stage: 'trace', message: failingCase ? `Tracing ${failingCase.name}` : 'Tracing your program' });
      const tr = performance.now();
      try {
        const traced = await exec({ mode: 'trace', program: { id: 'original', source: program }, testId: (failingCase ?? cases[0])!.id, ...common });
        if (traced.trace) {
          trace = traced.trace;
          rendered = renderTrace(trace, program);
        }
      } catch (error) {
        if (error instanceof Stop) throw error;
        log?.warn({ err: error }, 'trace failed');
      }
      timings.traceMs = Math.round(performance.now() - tr);

      if (allPass || !failingCase) {
        return finish('nothing_to_fix', `Nothing to fix: ${allPassPhrase(cases.length)}. The trace shows what each line did.`, undefined, undefined, []);
      }
      const failures = cases
        .map((c) => ({ c, r: byTest(baseline).get(c.id) }))
        .filter(({ r }) => r?.status !== 'passed')
        .slice(0, 5)
        .map(({ c, r }) => failureLine(c, r));

      // 3a. the program search: cheap, deterministic, and often right
      if (budget.search) {
        check();
        const ms = Math.max(500, Math.min(budget.searchMs, remainingMs() - 5_000));
        search = await runSearch(program, ms);
        if (search) {
          const cands = fromSearch(search);
          counts.fromSearch += cands.length;
          await verify(cands);
        }
      }

      // 3b. the model, unless the search already found a fix that passes everything
      const done = () => verified.some((v) => v.complete && v.passed === v.total);
      if (model && !done()) {
        check();
        const input: PromptInput = {
          program,
          failures,
          ...(request.description ? { description: request.description } : {}),
          ...(tests ? { tests } : {}),
          ...(budget.promptTrace && rendered ? { trace: rendered.text } : {}),
        };
        await verify(fromModel(await askModel(input)));
      }

      // 4. a second round on the best failing candidate
      if (!done() && budget.secondRound) {
        const best = rankCandidates(verified.filter((v) => v.complete))[0];
        if (model) {
          check();
          const prev = best ?? undefined;
          let prevTrace: string | undefined;
          if (prev && budget.promptTrace) {
            const failing = cases.find((c) => byTest(prev.results).get(c.id)?.status !== 'passed');
            if (failing) {
              progress({ stage: 'second_round', message: 'Tracing the closest attempt and asking again' });
              try {
                const t2 = await exec({ mode: 'trace', program: { id: prev.id, source: prev.source }, testId: failing.id, ...common });
                if (t2.trace) prevTrace = renderTrace(t2.trace, prev.source).text;
              } catch (error) {
                if (error instanceof Stop) throw error;
              }
            }
          }
          const input: PromptInput = {
            program,
            failures,
            ...(request.description ? { description: request.description } : {}),
            ...(tests ? { tests } : {}),
            ...(budget.promptTrace && rendered ? { trace: rendered.text } : {}),
            ...(prev
              ? {
                  previousAttempt: {
                    program: prev.source,
                    failures: cases
                      .map((c) => ({ c, r: byTest(prev.results).get(c.id) }))
                      .filter(({ r }) => r?.status !== 'passed')
                      .slice(0, 5)
                      .map(({ c, r }) => failureLine(c, r)),
                    ...(prevTrace ? { trace: prevTrace } : {}),
                  },
                }
              : {}),
          };
          await verify(fromModel(await askModel(input)));
        } else if (best && best.origin === 'search' && budget.search && remainingMs() > 3_000) {
          // No model: search again from the closest variant (one more edit on top of it).
          progress({ stage: 'second_round', message: 'Searching again from the closest attempt' });
          const ms = Math.max(500, Math.min(budget.searchMs / 2, remainingMs() - 3_000));
          const again = await runSearch(best.source, ms);
          if (again) {
            const cands = fromSearch(again).map((c) => {
              // describe both steps: the first round's edits, then this round's
              const edits = [...(best.search?.edits ?? []), ...(c.search?.edits ?? [])];
              return c.search ? { ...c, search: { ...c.search, edits } } : c;
            });
            counts.fromSearch += cands.length;
            await verify(cands);
          }
        }
      }
      return conclude();
    } catch (error) {
      if (error instanceof Stop) {
        const best = bestSoFar();
        if (best) return conclude();
        if (error.reason === 'deadline' && cases.length > 0) {
          return finish('not_fixed', `Ran out of time before finding a fix (${counts.tried} candidates tried).`, undefined, undefined, citeLinesOf(undefined));
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
