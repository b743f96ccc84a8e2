// One test of one program in a fresh QuickJS runtime: memory limit, stack limit, an interrupt
// handler on a wall-clock deadline (it fires inside promise jobs too, so `while(true){}` in a
// `.then` stops), virtual timers driven from here, output capped. Nothing survives the call.
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { guestPrelude } from './guest.js';
import { trackAsync } from './rejections.js';

let modulePromise;
/** The QuickJS module; `fresh` after a case broke the current one (a trap inside WebAssembly). */
export function quickjs(fresh = false) {
  if (fresh) modulePromise = undefined;
  modulePromise ??= newQuickJSWASMModuleFromVariant(variant);
  return modulePromise;
}

export const PROGRAM_FILE = 'program.js';
export const TESTS_FILE = 'tests.js';
const STACK_BYTES = 1048576;
/** Timers fired per test at most: an interval that re-arms for ever is a timeout, not a hang. */
const MAX_TIMER_FIRINGS = 100_000;

/**
 * @param {object} qjs the loaded QuickJS module
 * @param {{ js: string, lineOf: (n: number) => number }} program prepared program (prepare.js)
 * @param {{ code: string, index?: number, kind: string }} testCase
 * @param {object} limits protocol limits
 * @param {{ timeoutMs: number, trace?: boolean, onEvents?: (events: object[]) => void }} options
 */
export function runCase(qjs, program, testCase, limits, options) {
  const began = performance.now();
  const runtime = qjs.newRuntime();
  runtime.setMemoryLimit(limits.memoryMb * 1024 * 1024);
  runtime.setMaxStackSize(STACK_BYTES);
  const deadline = Date.now() + options.timeoutMs;
  let interrupted = false;
  runtime.setInterruptHandler(() => {
    if (Date.now() > deadline) interrupted = true;
    return interrupted;
  });
  const ctx = runtime.newContext();
  const output = { stdout: '', stderr: '', kept: 0, dropped: 0 };
  const result = { status: 'passed', durationMs: 0 };
  let phase = 'program';
  let traceData;
  let broken = false;
  try {
    const write = ctx.newFunction('__host_write', (streamHandle, textHandle) => {
      const stream = ctx.getString(streamHandle) === 'stderr' ? 'stderr' : 'stdout';
      const text = ctx.getString(textHandle);
      const room = limits.outputBytes - output.kept;
      if (room <= 0) output.dropped += text.length;
      else {
        output[stream] += text.slice(0, room);
        output.kept += Math.min(room, text.length);
        if (text.length > room) output.dropped += text.length - room;
      }
    });
    ctx.setProp(ctx.global, '__host_write', write);
    write.dispose();
    const config = { valueChars: limits.valueChars, traceEvents: limits.traceEvents };
    check(ctx, ctx.evalCode(`(${guestPrelude.toString()})(${JSON.stringify(config)})`, 'prelude.js'), 'prelude');
    if (options.trace) check(ctx, ctx.evalCode('__tfi.trace.on = true', 'prelude.js'), 'prelude');

    const evaluated = ctx.evalCode(trackAsync(program.js), PROGRAM_FILE);
    settle(ctx, runtime, evaluated, () => interrupted);
    phase = 'test';
    const body = testCase.kind === 'pytest' ? `${testCase.code}\n;await __tfi.runRegistered(${testCase.index});` : testCase.code;
    const wrapped = `globalThis.__tf_case = (async () => {\n${trackAsync(body)}\n})();`;
    // tests.js line 1 is the wrapper: the test code starts on line 2.
    check(ctx, ctx.evalCode(wrapped, TESTS_FILE), 'test');
    const pending = ctx.getProp(ctx.global, '__tf_case');
    try {
      settle(ctx, runtime, { value: pending.dup() }, () => interrupted);
    } finally {
      pending.dispose();
    }
  } catch (e) {
    if (e instanceof GuestThrow) Object.assign(result, verdict(e.info, phase, program, interrupted, limits, e.kind));
    else if (e instanceof RangeError || e instanceof WebAssembly.RuntimeError) {
      // Recursion deep enough to exhaust OUR stack before QuickJS's own check fired, or a trap in
      // the engine: this module instance is no longer trustworthy (the caller loads a fresh one).
      broken = true;
      Object.assign(result, verdict({ type: 'InternalError', message: 'stack overflow', stack: '' }, phase, program, interrupted, limits));
    } else throw e;
  } finally {
    if (options.trace && !broken) traceData = readTrace(ctx);
    if (!broken) {
      try {
        ctx.dispose();
        runtime.dispose();
      } catch {
        broken = true; // QuickJS aborts when freeing a runtime a stack overflow left inconsistent
      }
    }
  }
  result.durationMs = Math.round(performance.now() - began);
  if (output.stdout) result.stdout = output.stdout;
  if (output.stderr) result.stderr = output.stderr;
  if (output.dropped) result.outputDroppedBytes = output.dropped;
  return { result, trace: traceData, broken, failedInProgram: phase === 'program' && result.status !== 'passed' };
}

class GuestThrow extends Error {
  constructor(info, kind) {
    super(info.message);
    this.info = info;
    this.kind = kind;
  }
}

function errorInfoOf(ctx, errorHandle) {
  try {
    const fn = ctx.unwrapResult(ctx.evalCode('__tfi.errorInfo'));
    const r = ctx.callFunction(fn, ctx.undefined, errorHandle);
    fn.dispose();
    if (r.error) {
      r.error.dispose();
      throw new Error('errorInfo threw');
    }
    const info = ctx.dump(r.value);
    r.value.dispose();
    return info;
  } catch {
    // The context is beyond use (out of memory, prelude overwritten): read what QuickJS gives directly.
    const raw = safeDump(ctx, errorHandle);
    if (raw && typeof raw === 'object') return { type: raw.name ?? 'Error', message: String(raw.message ?? ''), stack: String(raw.stack ?? ''), assertion: false };
    return { type: 'Uncaught', message: String(raw), stack: '', assertion: false };
  }
}

function safeDump(ctx, handle) {
  try {
    return ctx.dump(handle);
  } catch {
    return { name: 'InternalError', message: 'out of memory' };
  }
}

function check(ctx, evalResult, kind) {
  if (evalResult.error) {
    const info = errorInfoOf(ctx, evalResult.error);
    evalResult.error.dispose();
    throw new GuestThrow(info, kind);
  }
  evalResult.value.dispose();
}

/** Runs jobs and virtual timers until the promise (or plain value) in `evaluated` settles. */
function settle(ctx, runtime, evaluated, isInterrupted) {
  if (evaluated.error) {
    const info = errorInfoOf(ctx, evaluated.error);
    evaluated.error.dispose();
    throw new GuestThrow(info, 'throw');
  }
  const handle = evaluated.value;
  try {
    let firings = 0;
    for (;;) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) {
        // An exception inside a job (a `.then` callback that threw is a rejection, not this): the interrupt or OOM.
        const info = errorInfoOf(ctx, jobs.error);
        jobs.error.dispose();
        throw new GuestThrow(info, 'throw');
      }
      if (isInterrupted()) throw new GuestThrow({ type: 'InternalError', message: 'interrupted', stack: '' }, 'throw');
      const state = ctx.getPromiseState(handle);
      // The test's own failure comes first; an unhandled rejection is reported when it would have
      // ended a Node process: the job queue drained and nothing handled the promise.
      if (state.type === 'rejected') {
        const info = errorInfoOf(ctx, state.error);
        state.error.dispose();
        throw new GuestThrow(info, 'throw');
      }
      if (state.type === 'fulfilled' && !state.notAPromise) state.value.dispose();
      throwUnhandled(ctx);
      if (state.type === 'fulfilled') return;
      if (firings++ > MAX_TIMER_FIRINGS) throw new GuestThrow({ type: 'InternalError', message: 'interrupted', stack: '' }, 'throw');
      const fired = ctx.evalCode('__tfi.fireNext()', 'prelude.js');
      if (fired.error) {
        const info = errorInfoOf(ctx, fired.error);
        fired.error.dispose();
        throw new GuestThrow(info, 'throw');
      }
      const any = ctx.dump(fired.value);
      fired.value.dispose();
      if (!any) {
        throw new GuestThrow(
          { type: 'Error', message: 'the test is waiting for a promise that never settles (nothing else is left to run: no pending timer or job)', stack: '', never: true },
          'throw',
        );
      }
    }
  } finally {
    handle.dispose();
  }
}

function throwUnhandled(ctx) {
  const r = ctx.evalCode('__tfi.unhandled()', 'prelude.js');
  if (r.error) {
    const info = errorInfoOf(ctx, r.error);
    r.error.dispose();
    throw new GuestThrow(info, 'throw');
  }
  const info = ctx.dump(r.value);
  r.value.dispose();
  if (info) throw new GuestThrow(info, 'throw');
}

/** The first frame of the user's program in a QuickJS stack (`at f (program.js:3:10)`). */
function programLine(stack, program) {
  const m = /\((?:program\.js):(\d+)(?::(\d+))?\)|at program\.js:(\d+)(?::(\d+))?/.exec(stack);
  if (!m) return undefined;
  const line = Number(m[1] ?? m[3]);
  const column = m[2] ?? m[4];
  // TypeScript: esbuild may have joined the user's lines; the column says which one (QuickJS counts from 1).
  return column !== undefined && program.lineAt ? program.lineAt(line, Number(column) - 1) : program.lineOf(line);
}

function verdict(info, phase, program, interrupted, limits) {
  // The harness's own frames (prelude.js) say nothing to the user.
  const stack = (info.stack ?? '').split('\n').filter((l) => l.trim() && !l.includes('prelude.js')).join('\n');
  const line = programLine(stack, program);
  if (interrupted || (info.type === 'InternalError' && info.message === 'interrupted')) {
    return { status: 'timeout', error: { type: 'TimeoutError', message: `the test did not finish within its time limit`, where: line === undefined ? 'test' : 'program', ...(line === undefined ? {} : { line }) } };
  }
  let type = info.type;
  let message = info.message;
  if (type === 'InternalError' && /stack overflow/.test(message)) {
    type = 'RangeError';
    message = 'Maximum call stack size exceeded';
  } else if ((type === 'InternalError' && /out of memory/.test(message)) || /out of memory/i.test(message)) {
    type = 'MemoryError';
    message = `the program used more than the ${limits.memoryMb} MB it may use`;
  }
  const where = line !== undefined ? 'program' : phase === 'program' ? 'program' : 'test';
  const error = { type, message: message.slice(0, 2000), where, ...(line === undefined ? {} : { line }), ...(stack ? { traceback: stack.slice(0, 4000) } : {}) };
  const out = { status: info.assertion ? 'failed' : 'error', error };
  if (info.actual !== undefined) out.actual = info.actual;
  if (info.expected !== undefined) out.expected = info.expected;
  return out;
}

function readTrace(ctx) {
  try {
    const r = ctx.evalCode('JSON.stringify({ events: __tfi.trace.events, total: __tfi.trace.total })', 'prelude.js');
    if (r.error) {
      r.error.dispose();
      return { events: [], total: 0 };
    }
    const text = ctx.getString(r.value);
    r.value.dispose();
    return JSON.parse(text);
  } catch {
    return { events: [], total: 0 };
  }
}
