// The JavaScript runner's protocol side: the same modes and messages as the Python runner
// (sandbox/protocol.ts), so a backend and the engine cannot tell the languages apart.
import { parseJs, compileProgram, discoverTests, stripTypes, PrepareError, DRAIN_TIMERS, lineAtOf } from './prepare.js';
import { instrument, unsafeLines } from './instrument.js';
import { quickjs, runCase } from './execute.js';
import { handleMutate } from './mutate.js';

export const PROTOCOL_VERSION = 1;
const TRACE_TIMEOUT_FACTOR = 3;

/** Blanks the program's own top-level tests (a paste of code and tests together, `tests: null`). */
export function withoutInlineTests(program, inline) {
  if (!inline) return program;
  let js = program.js;
  for (const [start, end] of program.inlineRanges ?? []) js = js.slice(0, start) + js.slice(start, end).replace(/[^\n]/g, ' ') + js.slice(end);
  return { ...program, js };
}

function prepare(source, language, inline) {
  const program = compileProgram(source, language);
  if (inline) program.inlineRanges = discoverTests(null, program).programSkip;
  return program;
}

function errorOf(e) {
  if (e instanceof PrepareError) return Object.fromEntries(Object.entries(e.info).filter(([, v]) => v !== undefined));
  throw e;
}

/**
 * @param {object} req a RunnerRequest (already validated by the host side)
 * @param {(message: object) => void} out writes one protocol message
 */
export async function serve(req, out) {
  const qjs = { current: await quickjs() };
  out({ type: 'hello', protocol: PROTOCOL_VERSION, python: `QuickJS (quickjs-emscripten 0.32.0), ${req.language ?? 'javascript'}` });
  try {
    if (req.mode === 'mutate') out({ type: 'payload', payload: await handleMutate(req.payload, req.limits, { qjs, language: req.language }) });
    else if (req.mode === 'test') await testMode(qjs, req, out);
    else await traceMode(qjs, req, out);
  } catch (e) {
    const info = e instanceof PrepareError ? e.info : { type: e?.name ?? 'Error', message: String(e?.message ?? e).slice(0, 2000), where: 'runner', traceback: String(e?.stack ?? '').slice(0, 4000) };
    out({ type: 'fatal', error: Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) });
  }
  out({ type: 'done' });
}

/** Cases from the tests source, or from the first program when there is none. */
export function casesFor(req, firstSource) {
  let tests = req.tests ?? null;
  // TypeScript tests (`(n: number) => …`) are stripped like the program; their lines may move.
  if (tests && req.language === 'typescript') tests = stripTypes(tests).code;
  let first;
  try {
    first = compileProgram(firstSource, req.language);
  } catch (e) {
    if (!(e instanceof PrepareError)) throw e;
  }
  // A program that does not compile and came without tests: one script case, which reports the error.
  if (!first && !tests) return { cases: [{ id: 't0', name: 'run the program', kind: 'script', line: 1, source: '', code: SCRIPT_CODE }], inline: false };
  const found = discoverTests(tests, first ?? { js: '', ast: parseJs('').ast, comments: [], lineOf: (l) => l });
  const inline = !tests && found.programSkip.length > 0;
  return { cases: found.cases.map((c) => (c.kind === 'script' && !c.code ? { ...c, code: SCRIPT_CODE } : c)), inline };
}

const SCRIPT_CODE = DRAIN_TIMERS;

function publicCase(c) {
  return { id: c.id, name: c.name, kind: c.kind, ...(c.line === undefined ? {} : { line: c.line }), source: c.source };
}

/** One case; a case that broke the QuickJS module (see execute.js) gets the next one a fresh module. */
export async function runIsolated(qjs, program, c, limits, options) {
  const run = runCase(qjs.current, program, c, limits, options);
  if (run.broken) qjs.current = await quickjs(true);
  return run;
}

async function runProgram(qjs, req, programMsg, cases, inline, out, stopOnFirst) {
  const pid = programMsg.id;
  let program;
  let compileError = null;
  try {
    program = prepare(programMsg.source, req.language, inline);
  } catch (e) {
    compileError = errorOf(e);
  }
  out({ type: 'program', program: pid, compileError });
  const results = [];
  if (compileError) {
    for (const c of cases) {
      const r = { program: pid, test: c.id, status: 'error', durationMs: 0, error: compileError };
      // collect.ts accepts a result only for the test its last `start` named.
      out({ type: 'start', program: pid, test: c.id, timeoutMs: req.limits.testTimeoutMs });
      out({ type: 'result', result: r });
      results.push(r);
      if (stopOnFirst) break;
    }
    return results;
  }
  program = withoutInlineTests(program, inline);
  let broken;
  for (const c of cases) {
    let r;
    out({ type: 'start', program: pid, test: c.id, timeoutMs: req.limits.testTimeoutMs });
    if (broken) r = { ...broken, test: c.id, durationMs: 0 };
    else {
      const run = await runIsolated(qjs, program, c, req.limits, { timeoutMs: req.limits.testTimeoutMs });
      r = { program: pid, test: c.id, ...run.result };
      if (run.failedInProgram) broken = r;
    }
    out({ type: 'result', result: r });
    results.push(r);
    if (stopOnFirst && r.status !== 'passed') break;
  }
  return results;
}

async function testMode(qjs, req, out) {
  const { cases, inline } = casesFor(req, req.programs[0].source);
  out({ type: 'tests', tests: cases.map(publicCase) });
  const wanted = req.onlyTests ? cases.filter((c) => req.onlyTests.includes(c.id)) : cases;
  for (const p of req.programs) await runProgram(qjs, req, p, wanted, inline, out, Boolean(req.stopOnFirstFailure));
}

async function traceMode(qjs, req, out) {
  const pid = req.program.id;
  const { cases, inline } = casesFor(req, req.program.source);
  out({ type: 'tests', tests: cases.map(publicCase) });
  let target;
  if (req.testId !== undefined) {
    target = cases.find((c) => c.id === req.testId);
    if (!target) throw new PrepareError({ type: 'BadRequest', message: `no test '${req.testId}'`, where: 'runner' });
  } else {
    const results = await runProgram(qjs, req, req.program, cases, inline, out, true);
    const failing = results.find((r) => r.status !== 'passed');
    target = failing ? cases.find((c) => c.id === failing.test) : cases[0];
  }
  let program;
  try {
    program = prepare(req.program.source, req.language, inline);
  } catch (e) {
    const compileError = errorOf(e);
    if (req.testId !== undefined) out({ type: 'program', program: pid, compileError });
    out({ type: 'trace_end', program: pid, test: publicCase(target), result: { program: pid, test: target.id, status: 'error', durationMs: 0, error: compileError }, totalEvents: 0, truncated: false });
    return;
  }
  if (req.testId !== undefined) out({ type: 'program', program: pid, compileError: null });
  program = withoutInlineTests(program, inline);
  // The hooks carry the user's lines (TypeScript: mapped by position through esbuild's source map).
  const unsafe = new Set([...unsafeLines(program.ast, program.comments)].map((l) => program.lineOf(l)));
  const traced = { ...program, js: instrument(program.js, parseJs(program.js).ast, lineAtOf(program)) };
  const timeoutMs = req.limits.testTimeoutMs * TRACE_TIMEOUT_FACTOR;
  out({ type: 'start', program: pid, test: target.id, timeoutMs });
  const run = await runIsolated(qjs, traced, target, req.limits, { timeoutMs, trace: true });
  const placeLine = (line) => {
    let l = line;
    while (unsafe.has(l)) l++;
    return l;
  };
  const events = (run.trace?.events ?? []).map((e) => ({ ...e, line: e.line > 0 ? placeLine(e.line) : e.line }));
  for (let i = 0; i < events.length; i += 200) out({ type: 'trace_events', events: events.slice(i, i + 200) });
  const total = run.trace?.total ?? events.length;
  const result = { program: pid, test: target.id, ...run.result, steps: total };
  const { stdout } = result;
  out({ type: 'trace_end', program: pid, test: publicCase(target), result, totalEvents: total, truncated: total > events.length || result.status === 'timeout', ...(stdout ? { stdout } : {}) });
}
