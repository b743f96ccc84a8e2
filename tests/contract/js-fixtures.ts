/**
 * Helpers for the JavaScript runner's tests: the runner's `serve` called in this process (user code
 * still runs only inside QuickJS), with its protocol lines collected into a RunnerResponse-like shape.
 */
import { DEFAULT_LIMITS, type Limits, type RunnerMessage, type Trace } from '../../sandbox/protocol.ts';
// @ts-expect-error -- plain JavaScript runner (it runs under bare node in the jail), no type declarations
import { serve } from '../../sandbox/js/runner/service.js';

type Serve = (request: unknown, out: (m: RunnerMessage) => void) => Promise<void>;

export const JS_LIMITS: Limits = { ...DEFAULT_LIMITS, memoryMb: 64, testTimeoutMs: 3_000 };

export async function runnerMessages(request: Record<string, unknown>): Promise<RunnerMessage[]> {
  const out: RunnerMessage[] = [];
  await (serve as Serve)({ limits: JS_LIMITS, language: 'javascript', ...request }, (m) => out.push(m));
  return out;
}

/** The trace of one test, assembled as collect.ts would. */
export async function traceOf(source: string, tests: string | null, extra: Record<string, unknown> = {}): Promise<Trace> {
  const messages = await runnerMessages({ mode: 'trace', program: { id: 'p', source }, tests, ...extra });
  const events = messages.flatMap((m) => (m.type === 'trace_events' ? m.events : []));
  const end = messages.find((m) => m.type === 'trace_end');
  if (!end || end.type !== 'trace_end') throw new Error(`no trace_end in ${JSON.stringify(messages).slice(0, 500)}`);
  return { program: end.program, test: end.test, result: end.result, events, totalEvents: end.totalEvents, truncated: end.truncated, ...(end.stdout ? { stdout: end.stdout } : {}) };
}
