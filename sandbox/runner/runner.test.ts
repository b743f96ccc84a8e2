/**
 * The Python runner, driven the way the process and E2B backends drive it: `python3 -I run.py` with
 * the request on stdin and NDJSON on stdout. Every line must parse against the protocol's schema.
 * These are our own trusted fixtures; hostile-code isolation is the backends' contract suite.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  RunnerMessageSchema,
  type Limits,
  type RunnerMessage,
  type TestCase,
  type TestResult,
  type TraceEvent,
} from '../protocol.ts';

const RUN_PY = fileURLToPath(new URL('./run.py', import.meta.url));
const MUTATE_PY = fileURLToPath(new URL('./tracefix_runner/mutate.py', import.meta.url));
const HUMANEVALFIX = '/work/shared/data/humanevalfix-python.jsonl';

interface Run {
  messages: RunnerMessage[];
  exitCode: number | null;
  stderr: string;
}

function runRunner(request: unknown, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-I', RUN_PY], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runner did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        const messages = out
          .split('\n')
          .filter((line) => line.length > 0)
          .map((line) => RunnerMessageSchema.parse(JSON.parse(line)));
        resolve({ messages, exitCode: code, stderr: err });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    child.stdin.end(typeof request === 'string' ? request : JSON.stringify(request));
  });
}

function limits(overrides: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

function testRequest(
  programs: string | string[],
  tests: string | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const list = Array.isArray(programs) ? programs : [programs];
  return {
    mode: 'test',
    programs: list.map((source, i) => ({ id: `p${i}`, source })),
    tests,
    limits: limits(),
    ...extra,
  };
}

function traceRequest(program: string, tests: string | null, extra: Record<string, unknown> = {}) {
  return { mode: 'trace', program: { id: 'p', source: program }, tests, limits: limits(), ...extra };
}

type Of<T extends RunnerMessage['type']> = Extract<RunnerMessage, { type: T }>;

function ofType<T extends RunnerMessage['type']>(run: Run, type: T): Of<T>[] {
  return run.messages.filter((m): m is Of<T> => m.type === type);
}

function tests(run: Run): TestCase[] {
  const [msg] = ofType(run, 'tests');
  if (!msg) throw new Error('no tests message');
  return msg.tests;
}

function results(run: Run, program = 'p0'): TestResult[] {
  return ofType(run, 'result')
    .map((m) => m.result)
    .filter((r) => r.program === program);
}

function statuses(run: Run, program = 'p0'): string[] {
  return results(run, program).map((r) => r.status);
}

function traceOf(run: Run): { events: TraceEvent[]; end: Of<'trace_end'> } {
  const events = ofType(run, 'trace_events').flatMap((m) => m.events);
  const [end] = ofType(run, 'trace_end');
  if (!end) throw new Error('no trace_end');
  return { events, end };
}

function expectWellFormed(run: Run): void {
  expect(run.messages[0]?.type).toBe('hello');
  expect(run.messages.at(-1)?.type).toBe('done');
  expect(run.exitCode).toBe(0);
}

const ADD = 'def add(a, b):\n    return a + b\n';
const ADD_BUG = 'def add(a, b):\n    return a - b\n';

describe('runner: test styles', () => {
  it('bare asserts: one test each, earlier statements are setup, expected/actual from both sides', async () => {
    const run = await runRunner(
      testRequest(
        ADD_BUG,
        'assert add(1, 2) == 3\nassert add(0, 0) == 0\nx = add(2, 2)\nassert 4 == x, "four"\n',
      ),
    );
    expectWellFormed(run);
    expect(tests(run).map((t) => [t.id, t.kind, t.name, t.line])).toEqual([
      ['t0', 'assert', 'assert add(1, 2) == 3', 1],
      ['t1', 'assert', 'assert add(0, 0) == 0', 2],
      ['t2', 'assert', 'assert 4 == x, "four"', 4],
    ]);
    const [r0, r1, r2] = results(run);
    expect(r0).toMatchObject({
      status: 'failed',
      expected: '3',
      actual: '-1',
      error: { type: 'AssertionError', where: 'test' },
    });
    expect(r1?.status).toBe('passed');
    // the literal on the left is the expected value; the user's message is kept
    expect(r2).toMatchObject({ status: 'failed', expected: '4', actual: '0', error: { message: 'four' } });
  });

  it('asserts evaluate the call once (side effects are not repeated)', async () => {
    const program = 'calls = []\ndef f():\n    calls.append(1)\n    return len(calls)\n';
    const run = await runRunner(testRequest(program, 'assert f() == 5\n'));
    expect(results(run)[0]).toMatchObject({ status: 'failed', actual: '1', expected: '5' });
  });

  it('HumanEval check(candidate): a straight-line body splits into one test per assert', async () => {
    const testsSrc =
      'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(2, 2) == 4\n\ncheck(add)\n';
    const run = await runRunner(testRequest([ADD, ADD_BUG], testsSrc, { entryPoint: 'add' }));
    expectWellFormed(run);
    expect(tests(run).map((t) => [t.kind, t.name])).toEqual([
      ['check', 'assert candidate(1, 2) == 3'],
      ['check', 'assert candidate(2, 2) == 4'],
    ]);
    expect(statuses(run, 'p0')).toEqual(['passed', 'passed']);
    expect(results(run, 'p1')[1]).toMatchObject({ status: 'failed', expected: '4', actual: '0' });
  });

  it('HumanEval check with a loop is one test; the candidate comes from check(...) without an entry point', async () => {
    const testsSrc = 'def check(f):\n    for i in range(3):\n        assert f(i, 1) == i + 1\n\ncheck(add)\n';
    const ok = await runRunner(testRequest(ADD, testsSrc));
    expect(tests(ok).map((t) => t.name)).toEqual(['check(add)']);
    expect(statuses(ok)).toEqual(['passed']);
    const bad = await runRunner(testRequest(ADD_BUG, testsSrc));
    expect(results(bad)[0]).toMatchObject({ status: 'failed', expected: '1', actual: '-1' });
    expect(results(bad)[0]?.error?.message).toContain('assert f(i, 1) == i + 1');
  });

  it('pytest-style test_* functions and Test classes, one test each', async () => {
    const testsSrc = [
      'def helper():',
      '    return add(1, 1)',
      'def test_one():',
      '    assert helper() == 2',
      'def test_two():',
      '    assert add(5, 5) == 11',
      'class TestAdd:',
      '    def test_zero(self):',
      '        assert add(0, 0) == 0',
      '',
    ].join('\n');
    const run = await runRunner(testRequest(ADD, testsSrc));
    expect(tests(run).map((t) => [t.kind, t.name])).toEqual([
      ['pytest', 'test_one'],
      ['pytest', 'test_two'],
      ['pytest', 'TestAdd.test_zero'],
    ]);
    expect(statuses(run)).toEqual(['passed', 'failed', 'passed']);
    expect(results(run)[1]).toMatchObject({ expected: '11', actual: '10' });
  });

  it('doctest examples from the docstrings when tests is null; statements without output are setup', async () => {
    const program = [
      'def double(x):',
      '    """',
      '    >>> double(2)',
      '    4',
      '    >>> y = 5',
      '    >>> double(y)',
      '    11',
      '    >>> double("ab")',
      "    'abab'",
      '    """',
      '    return x * 2',
      '',
    ].join('\n');
    const run = await runRunner(testRequest(program, null));
    expectWellFormed(run);
    expect(tests(run).map((t) => [t.kind, t.name, t.line])).toEqual([
      ['doctest', '>>> double(2)', 3],
      ['doctest', '>>> double(y)', 6],
      ['doctest', '>>> double("ab")', 8],
    ]);
    expect(statuses(run)).toEqual(['passed', 'failed', 'passed']);
    expect(results(run)[1]).toMatchObject({ expected: '11', actual: '10' });
  });

  it('a plain script is one test that runs top to bottom; its failure is the uncaught exception', async () => {
    const good = await runRunner(testRequest('x = [1, 2]\nprint(sum(x))\n', null));
    expect(tests(good)).toEqual([expect.objectContaining({ id: 't0', kind: 'script' })]);
    expect(results(good)[0]).toMatchObject({ status: 'passed', stdout: '3\n' });
    const bad = await runRunner(testRequest('x = [1, 2]\nprint(x[0])\ny = x[5]\n', null));
    expect(results(bad)[0]).toMatchObject({
      status: 'error',
      stdout: '1\n',
      error: { type: 'IndexError', where: 'program', line: 3 },
    });
    const exits = await runRunner(
      testRequest('import sys\nprint("bye")\nsys.exit(0)\nprint("never")\n', null),
    );
    expect(results(exits)[0]).toMatchObject({ status: 'passed', stdout: 'bye\n' });
  });
});

describe('runner: verdicts', () => {
  it('errors carry type, message, program line and where', async () => {
    const program = 'def f(d):\n    return d["k"]\n';
    const run = await runRunner(testRequest(program, 'assert f({}) == 1\nassert g() == 1\n'));
    const [inProgram, inTest] = results(run);
    expect(inProgram).toMatchObject({
      status: 'error',
      error: { type: 'KeyError', message: "'k'", where: 'program', line: 2 },
    });
    expect(inProgram?.error?.traceback).toContain('line 2, in f');
    expect(inTest).toMatchObject({ status: 'error', error: { type: 'NameError', where: 'test' } });
    expect(inTest?.error?.line).toBeUndefined();
  });

  it('SystemExit, KeyboardInterrupt, RecursionError and MemoryError come back as results; the batch goes on', async () => {
    const program = [
      'import sys',
      'def quit_():',
      '    sys.exit(3)',
      'def interrupt():',
      '    raise KeyboardInterrupt',
      'def recurse(n):',
      '    return recurse(n + 1)',
      'def oom():',
      '    raise MemoryError("pretend")',
      'def ok():',
      '    return 1',
      '',
    ].join('\n');
    const testsSrc =
      'assert quit_()\nassert interrupt()\nassert recurse(0)\nassert oom()\nassert ok() == 1\n';
    const run = await runRunner(testRequest(program, testsSrc));
    expectWellFormed(run);
    expect(results(run).map((r) => [r.status, r.error?.type])).toEqual([
      ['error', 'SystemExit'],
      ['error', 'KeyboardInterrupt'],
      ['error', 'RecursionError'],
      ['error', 'MemoryError'],
      ['passed', undefined],
    ]);
    expect(results(run)[2]?.error).toMatchObject({ where: 'program', line: 7 });
  });

  it('a `start` message precedes every test, with its time limit', async () => {
    const run = await runRunner(
      testRequest(ADD, 'assert add(1, 1) == 2\nassert add(1, 2) == 3\n', {
        limits: limits({ testTimeoutMs: 1234 }),
      }),
    );
    const kinds = run.messages.map((m) => m.type);
    expect(kinds).toEqual(['hello', 'tests', 'program', 'start', 'result', 'start', 'result', 'done']);
    expect(ofType(run, 'start')[0]).toMatchObject({ program: 'p0', test: 't0', timeoutMs: 1234 });
  });

  it('a SyntaxError is a compileError with the program line, and every test of that program is an error', async () => {
    const run = await runRunner(
      testRequest(
        ['def add(a, b):\n    return a +\n', ADD],
        'assert add(1, 2) == 3\nassert add(2, 2) == 4\n',
      ),
    );
    expectWellFormed(run);
    const [broken, fine] = ofType(run, 'program');
    expect(broken?.compileError).toMatchObject({ type: 'SyntaxError', line: 2, where: 'program' });
    expect(fine?.compileError).toBeNull();
    expect(statuses(run, 'p0')).toEqual(['error', 'error']);
    expect(results(run, 'p0')[0]?.error?.type).toBe('SyntaxError');
    expect(statuses(run, 'p1')).toEqual(['passed', 'passed']);
  });

  it('null bytes, lone surrogates and a 1 MB paste do not crash the runner', async () => {
    const huge = `${'x = 1\n'.repeat(170_000)}def add(a, b):\n    return a + b\n`;
    expect(huge.length).toBeGreaterThan(1_000_000);
    const run = await runRunner(
      testRequest(
        [
          'x = 1\0\n',
          's = "\ud800"\ndef add(a, b):\n    return a + b\n',
          '\u00ff\u00fe garbage \x01\x02',
          huge,
        ],
        'assert add(1, 2) == 3\n',
      ),
      60_000,
    );
    expectWellFormed(run);
    const compileErrors = ofType(run, 'program').map((p) => p.compileError?.type ?? null);
    // a lone surrogate cannot be encoded as source text: reported, not crashed on
    expect(compileErrors).toEqual([expect.any(String), 'UnicodeEncodeError', 'SyntaxError', null]);
    expect(statuses(run, 'p3')).toEqual(['passed']);
  });

  it('stopOnFirstFailure and onlyTests', async () => {
    const testsSrc = 'assert add(1, 1) == 2\nassert add(1, 2) == 99\nassert add(2, 2) == 4\n';
    const stop = await runRunner(testRequest(ADD, testsSrc, { stopOnFirstFailure: true }));
    expect(statuses(stop)).toEqual(['passed', 'failed']);
    const only = await runRunner(testRequest(ADD, testsSrc, { onlyTests: ['t2'] }));
    expect(tests(only)).toHaveLength(3);
    expect(results(only).map((r) => r.test)).toEqual(['t2']);
  });

  it('a bad request and a broken tests source are fatal messages, not crashes', async () => {
    const bad = await runRunner('{"mode": "test", "programs": []}');
    expectWellFormed(bad);
    expect(ofType(bad, 'fatal')[0]?.error).toMatchObject({ type: 'BadRequest', where: 'runner' });
    const notJson = await runRunner('not json at all');
    expect(ofType(notJson, 'fatal')[0]?.error.type).toBe('BadRequest');
    const brokenTests = await runRunner(testRequest(ADD, 'assert add(1, 2) ==\n'));
    expect(ofType(brokenTests, 'fatal')[0]?.error).toMatchObject({ type: 'SyntaxError', where: 'test' });
  });

  it('mode mutate dispatches to tracefix_runner.mutate, and says so when it is missing', async () => {
    const run = await runRunner({ mode: 'mutate', payload: { op: 'noop' }, limits: limits() });
    expectWellFormed(run);
    if (existsSync(MUTATE_PY)) {
      // owned by the program-search work: only the dispatch is ours to check
      expect(ofType(run, 'payload').length + ofType(run, 'fatal').length).toBe(1);
    } else {
      expect(ofType(run, 'fatal')[0]?.error.message).toContain('mutate.py');
    }
  });
});

describe('runner: limits and isolation between tests', () => {
  it('the step budget stops a runaway loop deterministically', async () => {
    const program = 'def spin():\n    i = 0\n    while True:\n        i += 1\n';
    const run = await runRunner(
      testRequest(program, 'assert spin()\n', {
        limits: limits({ stepBudget: 20_000, testTimeoutMs: 10_000 }),
      }),
    );
    const [r] = results(run);
    expect(r).toMatchObject({ status: 'timeout', error: { type: 'Timeout', where: 'program' } });
    expect(r?.error?.message).toContain('step budget');
    expect(r?.error?.line).toBeGreaterThanOrEqual(3);
  });

  it('the wall-clock limit stops sleeps and loops that swallow the timeout with a bare except', async () => {
    const program = [
      'import time',
      'def sleepy():',
      '    time.sleep(30)',
      'def stubborn():',
      '    while True:',
      '        try:',
      '            time.sleep(0.01)',
      '        except:',
      '            pass',
      'def fine():',
      '    return 1',
      '',
    ].join('\n');
    const run = await runRunner(
      testRequest(program, 'assert sleepy()\nassert stubborn()\nassert fine() == 1\n', {
        limits: limits({ testTimeoutMs: 300 }),
      }),
    );
    expectWellFormed(run);
    expect(statuses(run)).toEqual(['timeout', 'timeout', 'passed']);
    // Both were cut by the limit, not left to finish: the sleep would return and fail its assert.
    for (const r of results(run).slice(0, 2)) expect(r.error?.message).toContain('time limit');
  });

  it('bare asserts run in order in one namespace, as `python file.py` would; one program never sees another', async () => {
    const a = 'seen = []\ndef push(x):\n    seen.append(x)\n    return len(seen)\nLEAK = "from a"\n';
    const b = 'def push(x):\n    return LEAK\n';
    const run = await runRunner(testRequest([a, b], 'assert push(1) == 1\nassert push(2) == 1\n'));
    // the second call sees the first one's append: the second assert fails, as it would in a script
    expect(statuses(run, 'p0')).toEqual(['passed', 'failed']);
    expect(results(run, 'p0')[1]).toMatchObject({ actual: '2', expected: '1' });
    expect(results(run, 'p1')[0]).toMatchObject({ status: 'error', error: { type: 'NameError' } });
  });

  it('a mutable default that goes wrong on the second call fails that assert; a failed assert does not stop the later ones', async () => {
    const program = 'def add_item(x, items=[]):\n    items.append(x)\n    return items\n';
    const tests = 'assert add_item(1) == [1]\nassert add_item(2) == [2]\nassert add_item(3) == [1, 2, 3]\n';
    const run = await runRunner(testRequest(program, tests));
    expect(statuses(run)).toEqual(['passed', 'failed', 'passed']);
    expect(results(run)[1]).toMatchObject({ actual: '[1, 2]', expected: '[2]' });
    // each test alone (onlyTests) still replays what came before it in the file
    const alone = await runRunner(testRequest(program, tests, { onlyTests: ['t1'] }));
    expect(results(alone)[0]).toMatchObject({ status: 'failed', actual: '[1, 2]' });
  });

  it('setup lines and asserts are one program, in order', async () => {
    const program = [
      'class Account:',
      '    def __init__(self, balance):',
      '        self.balance = balance',
      '    def withdraw(self, amount):',
      '        self.balance -= amount',
      '',
    ].join('\n');
    const tests = 'acc = Account(100)\nacc.withdraw(30)\nassert acc.balance == 70\nacc.withdraw(20)\nassert acc.balance == 50\n';
    const run = await runRunner(testRequest(program, tests));
    expect(statuses(run)).toEqual(['passed', 'passed']);
    const second = await runRunner(testRequest(program, tests, { onlyTests: ['t1'] }));
    expect(statuses(second)).toEqual(['passed']);
  });

  it('a check(candidate) body runs its asserts in order in one namespace too', async () => {
    const program = 'def counter(step, state={"n": 0}):\n    state["n"] += step\n    return state["n"]\n';
    const tests = 'def check(candidate):\n    assert candidate(1) == 1\n    assert candidate(1) == 1\n\ncheck(counter)\n';
    const run = await runRunner(testRequest(program, tests));
    expect(statuses(run)).toEqual(['passed', 'failed']);
  });

  it("an infinite loop in one program's module code does not affect the next program", async () => {
    const hang = 'while True:\n    pass\n';
    const run = await runRunner(
      testRequest([hang, ADD], 'assert add(1, 2) == 3\nassert add(2, 2) == 4\n', {
        limits: limits({ stepBudget: 50_000 }),
      }),
    );
    expect(statuses(run, 'p0')).toEqual(['timeout', 'timeout']);
    // the second test of the hung program is not re-run: same module code, same verdict
    expect(ofType(run, 'start').filter((s) => s.program === 'p0')).toHaveLength(1);
    expect(statuses(run, 'p1')).toEqual(['passed', 'passed']);
  });

  it('code that sabotages the watchdog or outlives its test does not break later tests or the exit', async () => {
    const program = [
      'import signal, sys, threading, time, atexit',
      'class Odd(Exception):',
      '    def __str__(self):',
      '        while True:',
      '            pass',
      'def odd():',
      '    raise Odd()',
      'def ignore_alarm():',
      '    signal.signal(signal.SIGALRM, signal.SIG_IGN)',
      '    sys.setrecursionlimit(50)',
      '    return 1',
      'def spin():',
      '    while True:',
      '        x = 1',
      'def linger():',
      '    threading.Thread(target=time.sleep, args=(60,)).start()',
      '    atexit.register(time.sleep, 60)',
      '    sys.stdout.buffer.write(b"raw\\n")',
      '    return 1',
      'def deep(n):',
      '    return 0 if n == 0 else deep(n - 1)',
      '',
    ].join('\n');
    const testsSrc =
      'assert odd()\nassert ignore_alarm() == 1\nassert spin()\nassert deep(200) == 0\nassert linger() == 1\n';
    const run = await runRunner(
      testRequest(program, testsSrc, { limits: limits({ testTimeoutMs: 500, stepBudget: 1_000_000_000 }) }),
    );
    expectWellFormed(run);
    expect(results(run).map((r) => [r.status, r.error?.type])).toEqual([
      ['error', 'Odd'],
      ['passed', undefined],
      ['timeout', 'Timeout'],
      ['passed', undefined],
      ['passed', undefined],
    ]);
    expect(results(run)[4]?.stdout).toBe('raw\n');
  });

  it('captures stdout and stderr per test, capped, counting what was dropped', async () => {
    const program =
      'import sys\ndef talk(n):\n    print("x" * n)\n    print("oops", file=sys.stderr)\n    return n\n';
    const run = await runRunner(
      testRequest(program, 'assert talk(3) == 3\nassert talk(100) == 100\n', {
        limits: limits({ outputBytes: 20 }),
      }),
    );
    const [small, big] = results(run);
    expect(small).toMatchObject({ stdout: 'xxx\n', stderr: 'oops\n' });
    expect(small?.outputDroppedBytes).toBeUndefined();
    expect(big?.stdout).toBe('x'.repeat(20));
    expect(big?.outputDroppedBytes).toBe(81 + 5);
  });

  it('a 50 MB print flood is cut at the output limit and the rest only counted', async () => {
    const program =
      'def flood():\n    chunk = "y" * 1_000_000\n    for _ in range(50):\n        print(chunk)\n    return 1\n';
    const run = await runRunner(testRequest(program, 'assert flood() == 1\n'));
    const [r] = results(run);
    expect(r?.status).toBe('passed');
    expect(r?.stdout?.length).toBe(DEFAULT_LIMITS.outputBytes);
    expect(r?.outputDroppedBytes).toBe(50 * 1_000_001 - DEFAULT_LIMITS.outputBytes);
  });

  it('writes to fd 1 and 2 and to sys.__stdout__ do not corrupt the protocol stream', async () => {
    const program = [
      'import os, sys',
      'def noisy():',
      '    os.write(1, b\'{"type":"done"}\\nnot json\\n\')',
      '    os.write(2, b"stderr noise\\n")',
      '    sys.__stdout__.write("more noise\\n")',
      '    sys.__stdout__.flush()',
      '    return 1',
      '',
    ].join('\n');
    const run = await runRunner(testRequest(program, 'assert noisy() == 1\nassert noisy() == 1\n'));
    expectWellFormed(run);
    expect(ofType(run, 'done')).toHaveLength(1);
    expect(statuses(run)).toEqual(['passed', 'passed']);
  });
});

describe('runner: traces', () => {
  it('a loop: arguments on the call, only changed variables per line, the return value', async () => {
    const program = 'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n';
    const { events, end } = traceOf(await runRunner(traceRequest(program, 'assert total([1, 2]) == 4\n')));
    expect(events.map((e) => [e.step, e.kind, e.line, e.vars ?? null])).toEqual([
      [0, 'call', 1, { xs: '[1, 2]' }],
      [1, 'line', 2, { s: '0' }],
      [2, 'line', 3, { x: '1' }],
      [3, 'line', 4, { s: '1' }],
      [4, 'line', 3, { x: '2' }],
      [5, 'line', 4, { s: '3' }],
      [6, 'line', 3, null],
      [7, 'line', 5, null],
      [8, 'return', 5, null],
    ]);
    expect(events.at(-1)?.value).toBe('3');
    expect(end).toMatchObject({
      totalEvents: 9,
      truncated: false,
      result: { status: 'failed', expected: '4', actual: '3' },
    });
  });

  it('recursion: depth grows and each frame returns its own value', async () => {
    const program = 'def fact(n):\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\n';
    const { events } = traceOf(await runRunner(traceRequest(program, 'assert fact(3) == 7\n')));
    const calls = events.filter((e) => e.kind === 'call').map((e) => [e.depth, e.vars?.n]);
    expect(calls).toEqual([
      [0, '3'],
      [1, '2'],
      [2, '1'],
    ]);
    const returns = events.filter((e) => e.kind === 'return').map((e) => [e.depth, e.value]);
    expect(returns).toEqual([
      [2, '1'],
      [1, '2'],
      [0, '6'],
    ]);
  });

  it('generators, methods with self attributes, comprehensions and exceptions are recorded legibly', async () => {
    const program = [
      'def evens(n):', //                         1
      '    for i in range(n):', //                2
      '        if i % 2 == 0:', //                3
      '            yield i', //                   4
      'class Box:', //                            5
      '    def __init__(self):', //               6
      '        self.items = []', //               7
      '    def add(self, x):', //                 8
      '        self.items.append(x)', //          9
      'def run():', //                            10
      '    b = Box()', //                         11
      '    for v in evens(4):', //                12
      '        b.add(v)', //                      13
      '    sq = [v * v for v in b.items]', //     14
      '    try:', //                              15
      '        {}["missing"]', //                 16
      '    except KeyError:', //                  17
      '        pass', //                          18
      '    return sq', //                         19
      '',
    ].join('\n');
    const { events, end } = traceOf(await runRunner(traceRequest(program, 'assert run() == []\n')));
    expect(end.result.status).toBe('failed');
    const yields = events.filter((e) => e.func === 'evens' && e.kind === 'return').map((e) => e.value);
    expect(yields).toEqual(['0', '2', 'None']);
    const itemsChanges = events
      .filter((e) => e.func === 'Box.add' && e.kind === 'line' && e.vars?.['self.items'])
      .map((e) => e.vars?.['self.items']);
    expect(itemsChanges).toEqual(['[0]', '[0, 2]']);
    // comprehension iterations show up (own frame on 3.11, inlined on 3.12+)
    const compValues = events.filter((e) => e.line === 14 && e.vars?.v !== undefined).map((e) => e.vars?.v);
    expect(compValues).toEqual(['0', '2']);
    expect(events.some((e) => e.line === 14 && e.vars?.sq === '[0, 4]')).toBe(true);
    expect(events.find((e) => e.kind === 'exception')).toMatchObject({
      line: 16,
      func: 'run',
      value: "KeyError('missing')",
    });
    // steps are the global order of events
    expect(events.map((e) => e.step)).toEqual(events.map((_, i) => i));
  });

  it('traces the first non-passing test by default, after screening the tests untraced', async () => {
    const run = await runRunner(traceRequest(ADD_BUG, 'assert add(0, 0) == 0\nassert add(1, 1) == 2\n'));
    expect(results(run, 'p').map((r) => [r.test, r.status])).toEqual([
      ['t0', 'passed'],
      ['t1', 'failed'],
    ]);
    const { end } = traceOf(run);
    expect(end.test.id).toBe('t1');
  });

  it('caps kept events, keeps counting after the cap, and streams events in chunks', async () => {
    const program =
      'def count(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n';
    const run = await runRunner(
      traceRequest(program, 'assert count(5000) == 0\n', { limits: limits({ traceEvents: 500 }) }),
    );
    const { events, end } = traceOf(run);
    expect(events).toHaveLength(500);
    expect(end.truncated).toBe(true);
    expect(end.totalEvents).toBe(1 + 1 + 2 * 5000 + 1 + 1 + 1);
    expect(ofType(run, 'trace_events').length).toBeGreaterThan(1);
  });

  it('a timed-out test returns the partial trace up to the stop', async () => {
    const program = 'def spin(n):\n    while n > 0:\n        n += 1\n    return n\n';
    const run = await runRunner(
      traceRequest(program, 'assert spin(1) == 0\n', { limits: limits({ stepBudget: 3_000 }) }),
    );
    const { events, end } = traceOf(run);
    expect(end.result.status).toBe('timeout');
    expect(end.result.error?.message).toContain('step budget');
    expect(end.truncated).toBe(true);
    expect(events.length).toBeGreaterThan(100);
    expect(
      events
        .filter((e) => e.line === 3)
        .slice(0, 2)
        .map((e) => e.vars?.n),
    ).toEqual(['2', '3']);
  });

  it('a script is traced from its first line, with its stdout', async () => {
    const run = await runRunner(traceRequest('x = 1\ny = [x, 2]\nprint(y)\nz = y[5]\n', null));
    const { events, end } = traceOf(run);
    expect(events.filter((e) => e.kind === 'line').map((e) => [e.line, e.vars ?? null])).toEqual([
      [1, { x: '1' }],
      [2, { y: '[1, 2]' }],
      [3, null],
      [4, null],
    ]);
    expect(events.at(-1)).toMatchObject({
      kind: 'exception',
      line: 4,
      value: 'IndexError(list index out of range)',
    });
    expect(end).toMatchObject({ stdout: '[1, 2]\n', result: { status: 'error' } });
  });
});

/**
 * The same package under Pyodide's Python 3.14 (sys.monitoring instead of sys.settrace, no signals),
 * loaded in-process: these are our own trusted fixtures, not user code.
 */
describe('runner on Pyodide (Python 3.14)', () => {
  let serve: ((request: string) => Run) | undefined;

  beforeAll(async () => {
    const { loadPyodide } = await import('pyodide');
    const py = await loadPyodide({ stdout: () => undefined, stderr: () => undefined });
    const dir = fileURLToPath(new URL('./tracefix_runner', import.meta.url));
    // Pyodide's FS is typed through emscripten types it does not ship; only these two calls are used
    const fs = py.FS as unknown as {
      mkdirTree(path: string): void;
      writeFile(path: string, data: Uint8Array): void;
    };
    fs.mkdirTree('/runner/tracefix_runner');
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.py'))) {
      fs.writeFile(`/runner/tracefix_runner/${name}`, readFileSync(join(dir, name)));
    }
    py.runPython("import sys; sys.path.insert(0, '/runner')");
    const runner = py.pyimport('tracefix_runner') as {
      serve: (request: string, emit: (line: string) => void) => void;
    };
    const pyServe = runner.serve;
    serve = (request) => {
      const lines: string[] = [];
      pyServe(request, (line) => lines.push(line));
      return {
        messages: lines.map((l) => RunnerMessageSchema.parse(JSON.parse(l))),
        exitCode: 0,
        stderr: '',
      };
    };
  }, 60_000);

  function runPyodide(request: unknown): Run {
    if (!serve) throw new Error('Pyodide did not load');
    return serve(JSON.stringify(request));
  }

  it('reports verdicts like CPython does', () => {
    const run = runPyodide(
      testRequest(ADD_BUG, 'assert add(1, 2) == 3\nassert add(0, 0) == 0\nassert nope()\n'),
    );
    expectWellFormed(run);
    expect(run.messages[0]).toMatchObject({
      type: 'hello',
      python: expect.stringMatching(/^3\.1[2-9]/) as unknown,
    });
    expect(results(run).map((r) => [r.status, r.expected, r.actual, r.error?.type])).toEqual([
      ['failed', '3', '-1', 'AssertionError'],
      ['passed', undefined, undefined, undefined],
      ['error', undefined, undefined, 'NameError'],
    ]);
  });

  it('counts loop back-edges from the start, so the step budget stops runaway loops without signals', () => {
    const program =
      'def spin():\n    i = 0\n    while True:\n        i += 1\ndef tight():\n    while True: pass\n';
    const run = runPyodide(
      testRequest(program, 'assert spin()\nassert tight()\n', { limits: limits({ stepBudget: 50_000 }) }),
    );
    // After a test that ran out of time, the next ones get a tenth of the budget (at least 10,000 steps).
    expect(results(run).map((r) => [r.status, r.error?.message, r.error?.line])).toEqual([
      ['timeout', 'step budget (50000 steps)', 4],
      ['timeout', 'step budget (10000 steps); shortened, as an earlier test had run out of time', 6],
    ]);
  });

  it('traces with sys.monitoring: same events as settrace, comprehension iterations included', () => {
    const program =
      'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    sq = [v * v for v in xs]\n    return s\n';
    const { events, end } = traceOf(runPyodide(traceRequest(program, 'assert total([1, 2]) == 4\n')));
    expect(events.slice(0, 9).map((e) => [e.step, e.kind, e.line, e.vars ?? null])).toEqual([
      [0, 'call', 1, { xs: '[1, 2]' }],
      [1, 'line', 2, { s: '0' }],
      [2, 'line', 3, { x: '1' }],
      [3, 'line', 4, { s: '1' }],
      [4, 'line', 3, { x: '2' }],
      [5, 'line', 4, { s: '3' }],
      [6, 'line', 3, null],
      [7, 'line', 5, { v: '1' }],
      [8, 'line', 5, { v: '2' }],
    ]);
    expect(events.some((e) => e.line === 5 && e.vars?.sq === '[1, 4]')).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'return', value: '3' });
    expect(end.result).toMatchObject({ status: 'failed', expected: '4', actual: '3' });
  });

  it('a timed-out trace keeps its partial events', () => {
    const program = 'def spin(n):\n    while n > 0:\n        n += 1\n';
    const { events, end } = traceOf(
      runPyodide(traceRequest(program, 'assert spin(1)\n', { limits: limits({ stepBudget: 2_000 }) })),
    );
    expect(end.result.status).toBe('timeout');
    expect(end.truncated).toBe(true);
    expect(events.length).toBeGreaterThan(100);
  });
});

interface HumanEvalFixRow {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  buggy_solution: string;
  test: string;
  entry_point: string;
}

const humanEvalFixSkip = existsSync(HUMANEVALFIX) ? undefined : `${HUMANEVALFIX} is not on this machine`;
if (humanEvalFixSkip) console.warn(`[skip] sandbox/runner/runner.test.ts: the HumanEvalFix sample: ${humanEvalFixSkip}`);

describe(`runner: HumanEvalFix sample${humanEvalFixSkip ? ` (skipped: ${humanEvalFixSkip})` : ''}`, () => {
  it.skipIf(humanEvalFixSkip !== undefined)(
    'canonical solutions pass and buggy ones fail (every 20th task)',
    async () => {
      const rows = readFileSync(HUMANEVALFIX, 'utf8')
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => JSON.parse(l) as HumanEvalFixRow)
        .filter((_, i) => i % 20 === 0);
      for (const row of rows) {
        const run = await runRunner({
          mode: 'test',
          programs: [
            { id: 'canonical', source: row.prompt + row.canonical_solution },
            { id: 'buggy', source: row.prompt + row.buggy_solution },
          ],
          tests: row.test,
          entryPoint: row.entry_point,
          stopOnFirstFailure: true,
          limits: limits(),
        });
        const canonical = statuses(run, 'canonical');
        expect(canonical.length, row.task_id).toBeGreaterThan(0);
        expect(
          canonical.every((s) => s === 'passed'),
          row.task_id,
        ).toBe(true);
        expect(
          statuses(run, 'buggy').some((s) => s !== 'passed'),
          row.task_id,
        ).toBe(true);
      }
    },
    120_000,
  );
});
