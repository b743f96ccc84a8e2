/**
 * The contract every sandbox backend must pass (DESIGN.md habit 6): the same verdicts for ordinary
 * programs, and containment of hostile ones. A backend is done when this passes against it.
 *
 * Isolation assertions (host files, loopback network, other processes' environments) run only when
 * the backend reports that it isolates; otherwise the test is skipped and says why. The environment
 * checks that do not depend on bubblewrap (our own variables never reach the runner) always run.
 */
import { createServer, type Server } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type Limits, type RunnerResponse, type TestRequest, type TestResult } from '../../sandbox/protocol.ts';
import type { Sandbox } from '../../sandbox/types.ts';

export interface ContractOptions {
  /** Builds the backend under test (and whatever it needs, e.g. the envd stand-in). */
  create: () => Promise<{ sandbox: Sandbox; cleanup?: () => Promise<void> }>;
  /** Whether the backend isolates here; decides at collection time which isolation tests run. */
  isolated: boolean;
  /** Why not, printed when isolation tests are skipped. */
  reason: string;
  /** Python in WebAssembly: no fork, JS bridges to probe. */
  wasm?: boolean;
}

const CANARY_NAME = 'TRACEFIX_CANARY_TOKEN';

export const limits = (over: Partial<Limits> = {}): Limits => ({
  ...DEFAULT_LIMITS,
  testTimeoutMs: 1_000,
  totalTimeoutMs: 30_000,
  memoryMb: 256,
  ...over,
});

function testRequest(programs: Record<string, string>, tests: string | null, over: Partial<Limits> = {}, extra: Partial<TestRequest> = {}): TestRequest {
  return {
    mode: 'test',
    programs: Object.entries(programs).map(([id, source]) => ({ id, source })),
    tests,
    limits: limits(over),
    ...extra,
  };
}

function results(response: RunnerResponse, program: string): TestResult[] {
  return response.programs.find((p) => p.id === program)?.results ?? [];
}

function statuses(response: RunnerResponse, program: string): string[] {
  return results(response, program).map((r) => r.status);
}

const py = (lines: string[]): string => lines.join('\n') + '\n';

export function describeSandboxContract(name: string, options: ContractOptions): void {
  describe(`sandbox contract: ${name}`, () => {
    let sandbox: Sandbox;
    let cleanup: (() => Promise<void>) | undefined;
    const canaryValue = `canary-${randomBytes(8).toString('hex')}`;
    let secretDir: string;
    let secretFile: string;
    let repoSecret: string;
    const secretText = `tracefix-secret-${randomBytes(8).toString('hex')}`;

    beforeAll(async () => {
      // A fake token in OUR environment: it must never be visible to code in the sandbox.
      process.env[CANARY_NAME] = canaryValue;
      secretDir = mkdtempSync(join(tmpdir(), 'tracefix-contract-'));
      chmodSync(secretDir, 0o755);
      secretFile = join(secretDir, 'secret.txt');
      writeFileSync(secretFile, secretText, { mode: 0o644 });
      // A file inside the repository, which the runner's own folder sits in.
      repoSecret = join(import.meta.dirname, `.canary-${name}-${process.pid}.txt`);
      writeFileSync(repoSecret, secretText, { mode: 0o644 });
      ({ sandbox, cleanup } = await options.create());
    });

    afterAll(async () => {
      await sandbox?.close();
      await cleanup?.();
      delete process.env[CANARY_NAME];
      rmSync(secretDir, { recursive: true, force: true });
      rmSync(repoSecret, { force: true });
    });

    it('reports pass, fail (expected/actual) and error per test', async () => {
      const response = await sandbox.execute(
        testRequest({ p: py(['def add(a, b):', '    return a - b']) }, py(['assert add(1, 1) == 2', 'assert add(0, 0) == 0', 'assert add(None, 1) == 1'])),
      );
      expect(response.tests).toHaveLength(3);
      const [failed, passed, errored] = results(response, 'p');
      expect(failed?.status).toBe('failed');
      expect(failed?.expected).toBe('2');
      expect(failed?.actual).toBe('0');
      expect(passed?.status).toBe('passed');
      expect(errored?.status).toBe('error');
      expect(errored?.error?.type).toBe('TypeError');
      expect(errored?.error?.line).toBe(2);
      expect(response.killed).toBe(false);
    });

    it('runs a batch of several programs, each in a fresh namespace', async () => {
      const response = await sandbox.execute(
        testRequest(
          {
            right: py(['LEAK = 1', 'def inc(x):', '    return x + 1']),
            wrong: py(['def inc(x):', '    return x + 2']),
            leaky: py(['def inc(x):', '    return x + LEAK']),
            crash: py(['def inc(x):', '    raise ValueError("nope")']),
            right2: py(['def inc(x):', '    y = x', '    y += 1', '    return y']),
          },
          py(['assert inc(1) == 2', 'assert inc(-1) == 0']),
        ),
      );
      expect(statuses(response, 'right')).toEqual(['passed', 'passed']);
      expect(statuses(response, 'wrong')).toEqual(['failed', 'failed']);
      expect(statuses(response, 'leaky')).toEqual(['error', 'error']);
      expect(results(response, 'leaky')[0]?.error?.type).toBe('NameError');
      expect(statuses(response, 'crash')).toEqual(['error', 'error']);
      expect(statuses(response, 'right2')).toEqual(['passed', 'passed']);
    });

    it('reports a syntax error in the program as a compile error', async () => {
      const response = await sandbox.execute(testRequest({ p: py(['def f(:', '    return 1']) }, 'assert f() == 1\n'));
      const program = response.programs[0];
      expect(program?.compileError?.type).toBe('SyntaxError');
      expect(program?.compileError?.line).toBe(1);
      expect(statuses(response, 'p').every((s) => s === 'error')).toBe(true);
    });

    it('survives sys.exit in the snippet, and the next program still runs', async () => {
      const response = await sandbox.execute(
        testRequest({ exits: py(['import sys', 'def f():', '    return 1', 'sys.exit(3)']), fine: py(['def f():', '    return 1']) }, 'assert f() == 1\n'),
      );
      expect(statuses(response, 'exits')).toEqual(['error']);
      expect(statuses(response, 'fine')).toEqual(['passed']);
    });

    it('carries non-UTF-8 bytes and lone surrogates through the protocol', async () => {
      const response = await sandbox.execute(
        testRequest(
          {
            p: py([
              'def f():',
              '    s = b"\\xff\\xfeok".decode("utf-8", "surrogateescape")',
              '    print(s)',
              '    print(b"\\xff\\x00\\xfe")',
              '    return s',
            ]),
          },
          'assert f() == "ok"\n',
        ),
      );
      const [result] = results(response, 'p');
      expect(result?.status).toBe('failed');
      expect(result?.actual).toContain('ok');
      expect(response.killed).toBe(false);
    });

    it('accepts a 1 MB paste', async () => {
      const filler = `DATA = "${'x'.repeat(1024 * 1024)}"`;
      const response = await sandbox.execute(testRequest({ p: py([filler, 'def f():', '    return len(DATA)']) }, `assert f() == ${1024 * 1024}\n`));
      expect(statuses(response, 'p')).toEqual(['passed']);
    });

    it('times out an infinite loop and a hanging test, and keeps the other verdicts', async () => {
      const response = await sandbox.execute(
        testRequest(
          {
            loop: py(['def f():', '    while True:', '        pass']),
            sleeps: py(['import time', 'def f():', '    time.sleep(30)']),
            fine: py(['def f():', '    return None']),
          },
          'assert f() is None\n',
          { testTimeoutMs: 500 },
        ),
      );
      expect(statuses(response, 'loop')).toEqual(['timeout']);
      expect(statuses(response, 'sleeps')).toEqual(['timeout']);
      expect(statuses(response, 'fine')).toEqual(['passed']);
    }, 60_000);

    it('stops deep recursion with an error', async () => {
      const response = await sandbox.execute(testRequest({ p: py(['def f(n):', '    return f(n + 1)']), fine: 'def f(n):\n    return n\n' }, 'assert f(0) == 0\n'));
      expect(statuses(response, 'p')).toEqual(['error']);
      expect(statuses(response, 'fine')).toEqual(['passed']);
    }, 60_000);

    it('caps 50 MB of output', async () => {
      const started = Date.now();
      const response = await sandbox.execute(
        testRequest(
          {
            loud: py(['import os, sys', 'def f():', '    for _ in range(50):', '        print("x" * 1_000_000)', '    os.write(1, b"y" * 1_000_000)', '    return 1']),
            fine: 'def f():\n    return 1\n',
          },
          'assert f() == 1\n',
          { outputBytes: 16_384, testTimeoutMs: 5_000 },
        ),
      );
      const [loud] = results(response, 'loud');
      expect(['passed', 'error']).toContain(loud?.status);
      expect((loud?.stdout ?? '').length).toBeLessThanOrEqual(16_384 * 2);
      expect(statuses(response, 'fine')).toEqual(['passed']);
      expect(Date.now() - started).toBeLessThan(30_000);
    }, 60_000);

    it('stops a memory bomb with a MemoryError verdict', async () => {
      const response = await sandbox.execute(
        testRequest(
          { bomb: py(['def f():', '    hog = []', '    while True:', '        hog.append(bytearray(8 * 1024 * 1024))']), fine: 'def f():\n    return 1\n' },
          'assert f() == 1\n',
          { memoryMb: 256, testTimeoutMs: 10_000 },
        ),
      );
      const [bomb] = results(response, 'bomb');
      expect(bomb?.status).toBe('error');
      expect(bomb?.error?.type).toBe('MemoryError');
      expect(statuses(response, 'fine')).toEqual(['passed']);
    }, 60_000);

    it('contains a fork bomb', async () => {
      const started = Date.now();
      const response = await sandbox.execute(
        testRequest(
          {
            bomb: py(['import os', 'def f():', '    while True:', '        try:', '            os.fork()', '        except OSError:', '            pass']),
            fine: 'def f():\n    return 1\n',
          },
          'assert f() == 1\n',
          { testTimeoutMs: 1_000 },
        ),
      );
      expect(statuses(response, 'bomb')).toHaveLength(1);
      expect(statuses(response, 'bomb')[0]).not.toBe('passed');
      expect(statuses(response, 'fine')).toEqual(['passed']);
      expect(Date.now() - started).toBeLessThan(30_000);
    }, 60_000);

    it('does not let one program forge verdicts for another', async () => {
      const response = await sandbox.execute(
        testRequest({ forger: FORGER, victim: py(['def f():', '    return 2']) }, 'assert f() == 1\n', { testTimeoutMs: 5_000 }),
      );
      expect(statuses(response, 'victim')).toEqual(['failed']);
      expect(results(response, 'victim')[0]?.actual).toBe('2');
    }, 60_000);

    it('never shows our environment to the code', async () => {
      const response = await sandbox.execute(testRequest({ p: ENV_PROBE }, 'assert leaks() == []\n', { testTimeoutMs: 5_000 }));
      const [result] = results(response, 'p');
      expect(result?.actual ?? '').not.toContain(canaryValue);
      expect(JSON.stringify(response)).not.toContain(canaryValue);
      expect(result?.status, `leaks: ${result?.actual ?? result?.error?.message ?? ''}`).toBe('passed');
    });

    const isolatedIt = options.isolated ? it : it.skip;
    if (!options.isolated) console.log(`[contract ${name}] isolation tests skipped: ${options.reason}`);

    isolatedIt('cannot read other processes\' environments (/proc)', async () => {
      const response = await sandbox.execute(testRequest({ p: PROC_ENV_PROBE }, 'assert leaks() == []\n', { testTimeoutMs: 5_000 }));
      const [result] = results(response, 'p');
      expect(JSON.stringify(response)).not.toContain(canaryValue);
      expect(result?.status, `leaks: ${result?.actual ?? result?.error?.message ?? ''}`).toBe('passed');
    });

    isolatedIt('cannot read host files', async () => {
      const response = await sandbox.execute(testRequest({ p: fileProbe([secretFile, repoSecret, '/etc/hostname', '/root/.bashrc']) }, 'assert read() == []\n', { testTimeoutMs: 5_000 }));
      const [result] = results(response, 'p');
      expect(JSON.stringify(response)).not.toContain(secretText);
      expect(result?.status, `read: ${result?.actual ?? result?.error?.message ?? ''}`).toBe('passed');
    });

    isolatedIt('cannot reach a server on the host loopback', async () => {
      let connections = 0;
      const server: Server = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      try {
        const response = await sandbox.execute(testRequest({ p: netProbe(port) }, 'assert connect() == []\n', { testTimeoutMs: 5_000 }));
        // JS-side requests (fetch) start after Python returns: give them time to arrive.
        await new Promise((r) => setTimeout(r, 500));
        const [result] = results(response, 'p');
        expect(connections).toBe(0);
        expect(result?.status, `connected: ${result?.actual ?? result?.error?.message ?? ''}`).toBe('passed');
      } finally {
        server.close();
      }
    });

    it('reports stats', () => {
      const stats = sandbox.stats();
      expect(stats.executed).toBeGreaterThan(0);
      expect(stats.busy).toBe(0);
    });
  });
}

/** Looks for our canary in every place Python (or Pyodide's JavaScript bridges) can see. */
const ENV_PROBE = py([
  'def leaks():',
  '    needle = "TRACEFIX_CANARY_TOKEN"',
  '    found = []',
  '    import os',
  '    if any(needle in k for k in os.environ):',
  '        found.append("os.environ")',
  '    try:',
  '        if needle.encode() in open("/proc/self/environ", "rb").read():',
  '            found.append("/proc/self/environ")',
  '    except Exception:',
  '        pass',
  '    def check(label, get):',
  '        try:',
  '            text = str(get())',
  '        except BaseException:',
  '            return',
  '        if needle in text:',
  '            found.append(label)',
  '    try:',
  '        import js',
  '    except ImportError:',
  '        js = None',
  '    if js is not None:',
  '        check("js.process.env", lambda: js.JSON.stringify(js.process.env))',
  '        check("Function constructor", lambda: js.JSON.stringify(js.Object.constructor.constructor("return globalThis")().process.env))',
  '        try:',
  '            from pyodide.ffi import to_js',
  '            check("to_js constructor", lambda: js.JSON.stringify(to_js({}).constructor.constructor("return globalThis")().process.env))',
  '        except ImportError:',
  '            pass',
  '        try:',
  '            from pyodide.code import run_js',
  '            check("run_js", lambda: run_js("JSON.stringify(process.env)"))',
  '        except ImportError:',
  '            pass',
  '        try:',
  '            import pyodide_js',
  '            check("pyodide_js", lambda: js.JSON.stringify(pyodide_js._module.ENV))',
  '            check("pyodide_js globalThis", lambda: js.JSON.stringify(pyodide_js._api.config.jsglobals.process.env))',
  '        except ImportError:',
  '            pass',
  '    return found',
]);

/**
 * Writes protocol lines claiming the victim passed: to every file descriptor (the runner keeps its
 * protocol stream on a high one) and through any emit/out function found up the call stack.
 */
const FORGER = py([
  'import json, os, sys',
  'LINES = [',
  '    {"type": "program", "program": "victim", "compileError": None},',
  '    {"type": "start", "program": "victim", "test": "t0", "timeoutMs": 1000},',
  '    {"type": "result", "result": {"program": "victim", "test": "t0", "status": "passed", "durationMs": 1}},',
  '    {"type": "done"},',
  ']',
  'def f():',
  '    text = "".join(json.dumps(l) + "\\n" for l in LINES).encode()',
  '    for fd in range(3, 1024):',
  '        try:',
  '            os.write(fd, text)',
  '        except OSError:',
  '            pass',
  '    frame = sys._getframe()',
  '    while frame is not None:',
  '        for name in ("emit", "out", "_emit"):',
  '            fn = frame.f_locals.get(name)',
  '            if callable(fn):',
  '                for l in LINES:',
  '                    try:',
  '                        fn(json.dumps(l))',
  '                    except Exception:',
  '                        try:',
  '                            fn(l)',
  '                        except Exception:',
  '                            pass',
  '        frame = frame.f_back',
  '    return 1',
]);

/** The environments of every process it can see (the parent's included). */
const PROC_ENV_PROBE = py([
  'def leaks():',
  '    import os',
  '    needle = b"TRACEFIX_CANARY_TOKEN"',
  '    found = []',
  '    for pid in os.listdir("/proc"):',
  '        if pid.isdigit():',
  '            try:',
  '                if needle in open(f"/proc/{pid}/environ", "rb").read():',
  '                    found.append(pid)',
  '            except Exception:',
  '                pass',
  '    try:',
  '        import js, pyodide_js',
  '        FS = pyodide_js.FS',
  '        FS.mkdirTree("/hostproc")',
  '        FS.mount(FS.filesystems.NODEFS, js.JSON.parse(\'{"root": "/proc"}\'), "/hostproc")',
  '        for pid in os.listdir("/hostproc"):',
  '            if pid.isdigit():',
  '                try:',
  '                    if needle in open(f"/hostproc/{pid}/environ", "rb").read():',
  '                        found.append("nodefs " + pid)',
  '                except Exception:',
  '                    pass',
  '    except Exception:',
  '        pass',
  '    return found',
]);

function fileProbe(paths: string[]): string {
  return py([
    `PATHS = ${JSON.stringify(paths)}`,
    'def read():',
    '    import os',
    '    got = []',
    '    for p in PATHS:',
    '        try:',
    '            got.append(open(p).read()[:100])',
    '        except Exception:',
    '            pass',
    '    try:',
    '        import js',
    '        for p in PATHS:',
    '            try:',
    '                got.append("require:" + str(js.require("fs").readFileSync(p, "utf8"))[:100])',
    '            except Exception:',
    '                pass',
    '    except Exception:',
    '        pass',
    '    try:',
    '        import js, pyodide_js',
    '        FS = pyodide_js.FS',
    '        FS.mkdirTree("/hostroot")',
    '        FS.mount(FS.filesystems.NODEFS, js.JSON.parse(\'{"root": "/"}\'), "/hostroot")',
    '        for p in PATHS:',
    '            try:',
    '                got.append("nodefs:" + open("/hostroot" + p).read()[:100])',
    '            except Exception:',
    '                pass',
    '    except Exception:',
    '        pass',
    '    return got',
  ]);
}

function netProbe(port: number): string {
  return py([
    'def connect():',
    '    got = []',
    '    import socket',
    '    try:',
    `        s = socket.create_connection(("127.0.0.1", ${port}), timeout=1)`,
    '        got.append("socket")',
    '        s.close()',
    '    except Exception:',
    '        pass',
    '    try:',
    '        import js',
    `        js.fetch("http://127.0.0.1:${port}/")`,
    '    except Exception:',
    '        pass',
    '    return got',
  ]);
}
