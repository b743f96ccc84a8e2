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
      repoSecret = join(import.meta.dirname, `.canary-${name.replace(/\W+/g, '-')}-${process.pid}.txt`);
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

    it('stops a memory bomb with a MemoryError verdict that names the memory limit', async () => {
      const response = await sandbox.execute(
        testRequest(
          {
            bomb: py(['def f():', '    hog = []', '    while True:', '        hog.append(bytearray(8 * 1024 * 1024))']),
            doubling: py(['def f():', '    s = "x"', '    while True:', '        s = s + s']),
            fine: 'def f():\n    return 1\n',
          },
          'assert f() == 1\n',
          { memoryMb: 256, testTimeoutMs: 10_000 },
        ),
      );
      for (const id of ['bomb', 'doubling']) {
        const [bomb] = results(response, id);
        expect(bomb?.status, id).toBe('error');
        expect(bomb?.error?.type, id).toBe('MemoryError');
        // Said as memory, never as "did not finish in time".
        expect(bomb?.error?.message, id).toMatch(/memory limit \(256 MB\)/);
      }
      expect(statuses(response, 'fine')).toEqual(['passed']);
    }, 60_000);

    it('serves a clean interpreter after poisoned requests (modules, builtins, sys.modules, globals)', async () => {
      // More poisoned requests than a pool holds runners: a backend that reused runners would serve
      // the clean requests from poisoned ones.
      for (let i = 0; i < 3; i++) {
        await sandbox.execute(testRequest({ p: POISON }, 'assert f() == 1\n', { testTimeoutMs: 5_000 })).catch(() => undefined);
      }
      for (let i = 0; i < 2; i++) {
        const response = await sandbox.execute(testRequest({ p: CLEAN }, CLEAN_TESTS, { testTimeoutMs: 5_000 }));
        const got = results(response, 'p');
        expect(got.map((r) => `${r.status} ${r.error?.type ?? ''} ${r.actual ?? ''}`.trim())).toEqual(got.map(() => 'passed'));
        expect(got).toHaveLength(CLEAN_TESTS.trim().split('\n').length);
        expect(response.killed).toBe(false);
      }
    }, 120_000);

    it("never shows one request's code, files or audit hooks to another", async () => {
      const mark = `tracefix-spy-${randomBytes(6).toString('hex')}`;
      const apiKey = `sk-live-${randomBytes(12).toString('hex')}`;
      // Absolute /tmp only where /tmp is the sandbox's own (without bubblewrap, `process` shares the machine's).
      const privateTmp = options.isolated || options.wasm === true;
      try {
        for (let i = 0; i < 3; i++) {
          await sandbox.execute(testRequest({ p: spyProgram(mark, privateTmp) }, 'assert f() == 1\n', { testTimeoutMs: 5_000 })).catch(() => undefined);
        }
        const victim = await sandbox.execute(testRequest({ p: py([`API_KEY = "${apiKey}"`, 'def f():', '    return API_KEY[:3]']) }, 'assert f() == "sk-"\n'));
        expect(statuses(victim, 'p')).toEqual(['passed']);
        for (let i = 0; i < 2; i++) {
          const response = await sandbox.execute(testRequest({ p: lookProgram(mark, privateTmp) }, 'assert look() == []\n', { testTimeoutMs: 5_000 }));
          const [result] = results(response, 'p');
          expect(JSON.stringify(response)).not.toContain(apiKey);
          expect(result?.status, `found: ${result?.actual ?? result?.error?.message ?? ''}`).toBe('passed');
        }
      } finally {
        for (const name of ['log', 't.log']) rmSync(join('/tmp', `${mark}.${name}`), { force: true });
      }
    }, 120_000);

    it('closes the JavaScript bridge (js.process, getBuiltinModule, require, pyodide_js, the Function constructor)', async () => {
      const response = await sandbox.execute(testRequest({ p: JS_ESCAPES }, 'assert escapes() == []\n', { testTimeoutMs: 5_000 }));
      const [result] = results(response, 'p');
      expect(result?.status, `escaped: ${result?.actual ?? result?.error?.message ?? ''}`).toBe('passed');
      expect(JSON.stringify(response)).not.toMatch(/uid=\d+/);
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
          // 1 s is plenty once the bomb's copies are gone: they used to outlive its test and spin beside the
          // next program (on a loaded fresh-clone run it then timed out even with 5 s); the runner now kills
          // what a test leaves running
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
      expect(stats.health?.healthy ?? true).toBe(true);
    });
  });
}

/**
 * Poisons everything a later request could share: stdlib modules (the runner's own json too),
 * builtins, sys.modules entries, the recursion limit, the import path, the working directory.
 */
const POISON = py([
  'import builtins, collections, json, math, os, sys',
  'json.dumps = lambda *a, **k: "x"',
  'json.loads = lambda *a, **k: {}',
  'math.sqrt = lambda x: -1.0',
  'collections.Counter = dict',
  'builtins.len = lambda x: 42',
  'builtins.sorted = lambda *a, **k: ["poisoned"]',
  'builtins.print = lambda *a, **k: None',
  'sys.modules["fractions"] = None',
  'sys.setrecursionlimit(80)',
  'sys.path.insert(0, "/nonexistent")',
  'for name, module in list(sys.modules.items()):',
  '    if name.startswith("tracefix") and module is not None:',
  '        module.__dict__.setdefault("POISONED", True)',
  'try:',
  '    os.chdir("/")',
  'except OSError:',
  '    pass',
  'def f():',
  '    return 1',
]);

const CLEAN = py([
  'import collections, fractions, json, math, sys',
  'def encode(d):',
  '    return json.dumps(d, sort_keys=True)',
  'def depth(n):',
  '    return 0 if n == 0 else 1 + depth(n - 1)',
  'def poisoned_runner():',
  '    return [n for n, m in sys.modules.items() if n.startswith("tracefix") and m is not None and "POISONED" in vars(m)]',
]);

const CLEAN_TESTS = py([
  'assert encode({"b": 1, "a": [1, 2]}) == \'{"a": [1, 2], "b": 1}\'',
  'assert json.loads("[1]") == [1]',
  'assert len([1, 2, 3]) == 3 and sorted([3, 1]) == [1, 3]',
  'assert math.sqrt(16) == 4.0',
  'assert collections.Counter("aab")["a"] == 2',
  'assert fractions.Fraction(1, 2) * 2 == 1',
  'assert depth(300) == 300',
  'assert "/nonexistent" not in sys.path',
  'assert poisoned_runner() == []',
]);

/** Request 1 of the spy case: an audit hook copying every compiled source to files it leaves behind. */
function spyProgram(mark: string, privateTmp: boolean): string {
  return py([
    'import builtins, os, sys, tempfile',
    `LOGS = [os.path.join(os.getcwd(), "${mark}.log"), os.path.join(tempfile.gettempdir(), "${mark}.t.log")]`,
    ...(privateTmp ? [`LOGS.append("/tmp/${mark}.log")`] : []),
    'def _hook(event, args):',
    '    if event in ("compile", "exec"):',
    '        for path in LOGS:',
    '            try:',
    '                with open(path, "a") as fh:',
    '                    fh.write(repr(args)[:4000] + "\\n")',
    '            except Exception:',
    '                pass',
    'sys.addaudithook(_hook)',
    'for path in LOGS:',
    '    try:',
    '        with open(path, "a") as fh:',
    '            fh.write("left behind\\n")',
    '    except Exception:',
    '        pass',
    'builtins.__tracefix_spy__ = LOGS',
    'def f():',
    '    compile("x = 1", "probe", "exec")',
    '    return 1',
  ]);
}

/** Request 3 of the spy case: looks for what request 1 left and for request 2's key. */
function lookProgram(mark: string, privateTmp: boolean): string {
  return py([
    'import builtins, os, sys, tempfile',
    'def look():',
    '    found = []',
    '    if hasattr(builtins, "__tracefix_spy__"):',
    '        found.append("builtins.__tracefix_spy__")',
    '    compile("y = 2", "probe", "exec")',
    `    dirs = {os.getcwd(), tempfile.gettempdir()${privateTmp ? ', "/tmp"' : ''}}`,
    '    for d in dirs:',
    '        try:',
    '            names = os.listdir(d)',
    '        except Exception:',
    '            continue',
    '        for name in names:',
    '            path = os.path.join(d, name)',
    `            if "${mark}" in name:`,
    '                found.append(path)',
    '            try:',
    '                if os.path.isfile(path) and "sk-live-" in open(path, errors="replace").read():',
    '                    found.append("key in " + path)',
    '            except Exception:',
    '                pass',
    '    return found',
  ]);
}

/** Ways out of WebAssembly into the runner process (Pyodide); on other backends `import js` fails. */
const JS_ESCAPES = py([
  'def escapes():',
  '    got = []',
  '    def attempt(label, fn):',
  '        try:',
  '            value = fn()',
  '        except BaseException:',
  '            return',
  '        if value:',
  '            got.append(label + ": " + str(value)[:100])',
  '    def get_builtin_module():',
  '        import js',
  '        return js.process.getBuiltinModule("child_process").execSync("id").toString()',
  '    def process_pid():',
  '        import js',
  '        return str(js.process.pid)',
  '    def require():',
  '        import js',
  '        return js.require("child_process").execSync("id").toString()',
  '    def pyodide_js_module():',
  '        import pyodide_js',
  '        return str(pyodide_js.version) + str(pyodide_js._module.ENV)',
  '    def pyodide_js_mount():',
  '        import pyodide_js',
  '        pyodide_js.FS.mkdirTree("/hostroot")',
  '        pyodide_js.FS.mount(pyodide_js.FS.filesystems.NODEFS, pyodide_js.JSON.parse(\'{"root": "/"}\'), "/hostroot")',
  '        return str(len(__import__("os").listdir("/hostroot")))',
  '    def function_constructor():',
  '        from pyodide.ffi import to_js',
  '        return to_js({}).constructor.constructor("return globalThis.process.getBuiltinModule(\'child_process\').execSync(\'id\').toString()")()',
  '    def run_js():',
  '        from pyodide.code import run_js',
  '        return run_js("process.pid")',
  '    def import_finder():',
  '        import pyodide._state',
  '        return [k for k in pyodide._state.jsfinder.jsproxies if k in ("js", "pyodide_js")]',
  '    def captured_proxy():',
  '        import pyodide._package_loader as loader',
  '        return loader.loadedPackages.constructor.constructor("return process.pid")()',
  '    for fn in (get_builtin_module, process_pid, require, pyodide_js_module, pyodide_js_mount, function_constructor, run_js, import_finder, captured_proxy):',
  '        attempt(fn.__name__, fn)',
  '    return got',
]);

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
