/**
 * The exemplars' hand-written NExT traces must be what the product renders for the same program and
 * test: sandbox/runner/run.py in trace mode (the machine's python3; the programs are our own) and
 * src/trace's renderInline. A model shown exemplar traces in one format and real traces in another
 * learns the wrong thing, and the self-training loop would bake the mismatch in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, RunnerMessageSchema, type Trace, type TraceEvent } from '../../sandbox/protocol.ts';
import { loadPrompt } from '../../src/model/prompt.ts';
import { renderInline } from '../../src/trace/index.ts';

const RUNNER = fileURLToPath(new URL('../../sandbox/runner/run.py', import.meta.url));
const available = existsSync(RUNNER) && spawnSync('python3', ['--version']).status === 0;
if (!available) {
  console.warn(`[skip] tests/model/exemplar-traces.test.ts: ${existsSync(RUNNER) ? 'python3 is not on this machine' : `${RUNNER} is missing`}`);
}

function traceOf(source: string, tests: string): Trace {
  const request = { mode: 'trace', program: { id: 'p0', source }, tests, limits: DEFAULT_LIMITS };
  const run = spawnSync('python3', ['-I', RUNNER], { input: JSON.stringify(request), encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(run.stderr);
  const events: TraceEvent[] = [];
  let end: Extract<ReturnType<typeof RunnerMessageSchema.parse>, { type: 'trace_end' }> | undefined;
  for (const line of run.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const message = RunnerMessageSchema.parse(JSON.parse(line));
    if (message.type === 'trace_events') events.push(...message.events);
    if (message.type === 'trace_end') end = message;
  }
  if (!end) throw new Error(`no trace_end:\n${run.stdout}`);
  return { program: end.program, test: end.test, result: end.result, events, totalEvents: end.totalEvents, truncated: end.truncated };
}

describe.runIf(available)('exemplar traces match the product’s renderer', () => {
  for (const exemplar of loadPrompt().exemplars) {
    it(exemplar.id, () => {
      const program = exemplar.input.program;
      const trace = traceOf(program, exemplar.input.tests ?? '');
      expect(renderInline(trace, program).text.trimEnd()).toBe(exemplar.input.trace);
    });
  }
});
