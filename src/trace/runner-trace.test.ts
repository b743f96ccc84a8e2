/**
 * The renderer on a real trace: sandbox/runner/run.py (the machine's python3, no sandbox: the program
 * below is our own, trusted) in trace mode, its NDJSON validated with the protocol's schema. Python
 * versions trace differently (3.12+ inlines comprehensions and uses sys.monitoring), so this pins what
 * must hold on any of them rather than exact step numbers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, RunnerMessageSchema, type Trace, type TraceEvent } from '../../sandbox/protocol.ts';
import { estimateTokens, renderInline } from './index.ts';

const RUNNER = fileURLToPath(new URL('../../sandbox/runner/run.py', import.meta.url));
const python = spawnSync('python3', ['--version']);
const available = existsSync(RUNNER) && python.status === 0;
if (!available) {
  console.warn(`[skip] src/trace/runner-trace.test.ts: ${existsSync(RUNNER) ? 'python3 is not on this machine' : `${RUNNER} is missing`}`);
}

const PROGRAM = `class Counter:
    step = 2

    def __init__(self, start):
        self.value = start

    def bump(self):
        self.value += self.step
        return self.value


def countdown(n):
    while n > 0:
        yield n
        n -= 1


def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


def run(n):
    c = Counter(n)
    c.bump()
    odds = [v for v in countdown(n) if v % 2]
    table = {k: fact(k) for k in odds}
    total = 0
    for k in range(12):
        total += k
    return c.bump() + sum(table.values()) + total / (n - n)
`;

function traceOf(source: string, tests: string, traceEvents = DEFAULT_LIMITS.traceEvents): Trace {
  const request = {
    mode: 'trace',
    program: { id: 'p0', source },
    tests,
    limits: { ...DEFAULT_LIMITS, traceEvents },
  };
  const run = spawnSync('python3', ['-I', RUNNER], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const events: TraceEvent[] = [];
  let end: Extract<ReturnType<typeof RunnerMessageSchema.parse>, { type: 'trace_end' }> | undefined;
  for (const line of run.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const message = RunnerMessageSchema.parse(JSON.parse(line));
    if (message.type === 'trace_events') events.push(...message.events);
    if (message.type === 'trace_end') end = message;
  }
  if (end === undefined) throw new Error(`no trace_end in runner output:\n${run.stdout}`);
  return {
    program: end.program,
    test: end.test,
    result: end.result,
    events,
    totalEvents: end.totalEvents,
    truncated: end.truncated,
    ...(end.stdout === undefined ? {} : { stdout: end.stdout }),
  };
}

describe.skipIf(!available)('renderInline on a trace from sandbox/runner', () => {
  it('renders calls, methods, a generator, a comprehension, recursion, a loop and the exception', () => {
    const trace = traceOf(PROGRAM, 'assert run(3) == 10\n');
    expect(trace.result.status).toBe('error');
    const out = renderInline(trace, PROGRAM);
    const lines = out.text.split('\n');
    const at = (n: number): string => lines[n - 1] ?? '';

    PROGRAM.split('\n').forEach((line, i) => expect(lines[i]?.startsWith(line)).toBe(true));
    expect(at(24)).toBe('def run(n):  # (0) n=3;');
    expect(at(4)).toMatch(/def __init__\(self, start\): {2}# \(\d+\) start=3;$/);
    expect(at(8)).toMatch(/self\.value \+= self\.step {2}# \(\d+\) self\.value=5; \(\d+\) self\.value=7;$/);
    expect(at(14)).toMatch(/yield n {2}# \(\d+\) __yield__=3; \(\d+\) __yield__=2; \(\d+\) __yield__=1;$/);
    expect(at(18)).toMatch(
      /def fact\(n\): {2}# \(\d+\) n=3; \(\d+\) __depth__=1; n=2; \(\d+\) __depth__=2; n=1; \(\d+\) n=1;$/,
    );
    expect(at(27)).toMatch(/odds=\[3, 1\];/);
    expect(at(27)).toMatch(/v=3;/);
    // 12 iterations: the first three and the last.
    expect(at(30)).toMatch(
      /for k in range\(12\): {2}# \(\d+\) k=0; \(\d+\) k=1; \(\d+\) k=2; \.\.\.; \(\d+\) k=11;$/,
    );
    expect(at(32)).toMatch(/# .*\(\d+\) __exception__=ZeroDivisionError\(division by zero\);$/);
    expect(out.text.match(/__exception__/g)).toHaveLength(1);
    expect(out.truncated).toBe(false);
    expect(out.tokens).toBe(estimateTokens(out.text));
  });

  it('says so when the runner hit its event cap, and fits a budget', () => {
    const trace = traceOf(PROGRAM, 'assert run(3) == 10\n', 30);
    expect(trace.truncated).toBe(true);
    expect(trace.events.length).toBe(30);
    const out = renderInline(trace, PROGRAM, { tokenBudget: 250 });
    expect(out.tokens).toBeLessThanOrEqual(250);
    expect(out.text).toMatch(/# \[trace incomplete: the runner recorded 30 of [\d,]+ steps\]/);
  });
});
