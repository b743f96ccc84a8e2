/**
 * The JavaScript/TypeScript contract: the real backend (runner process in the jail, user code in
 * QuickJS), reached through createSandbox's language router as every front end reaches it. The
 * hostile cases prove isolation: each must end in a verdict, never a hang, a crash or a host secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, probeBubblewrap, type RunnerRequest, type RunnerResponse, type Sandbox, type TestResult } from '../../sandbox/index.ts';
import { JS_LIMITS } from './js-fixtures.ts';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process', prespawn: 0 });
});
afterAll(async () => {
  await sandbox.close();
});

async function run(source: string, tests: string | null, language: 'javascript' | 'typescript' = 'javascript', testTimeoutMs = 1_500): Promise<RunnerResponse> {
  const request: RunnerRequest = { mode: 'test', language, programs: [{ id: 'p', source }], tests, limits: { ...JS_LIMITS, testTimeoutMs } };
  return sandbox.execute(request);
}

function results(response: RunnerResponse): TestResult[] {
  return response.programs[0]?.results ?? [];
}

const ADD = 'function add(a, b) {\n  return a - b;\n}\n';

describe('JavaScript through the router', () => {
  it('runs console.assert, node:assert and jest-style tests, with both sides of a failed comparison', async () => {
    const tests = [
      "import assert from 'node:assert';",
      'console.assert(add(1, 2) === 3);',
      'assert.strictEqual(add(2, 2), 4);',
      "test('adds', () => { expect(add(1, 1)).toBe(2); });",
      "it('zero', () => expect(add(0, 0)).toEqual(0));",
    ].join('\n');
    const response = await run(ADD, tests);
    expect(response.python).toMatch(/QuickJS/);
    expect(response.tests.map((t) => [t.kind, t.name])).toEqual([
      ['assert', 'console.assert(add(1, 2) === 3);'],
      ['assert', 'assert.strictEqual(add(2, 2), 4);'],
      ['pytest', 'adds'],
      ['pytest', 'zero'],
    ]);
    const r = results(response);
    expect(r.map((x) => x.status)).toEqual(['failed', 'failed', 'failed', 'passed']);
    expect(r[0]).toMatchObject({ actual: '-1', expected: '3' });
    expect(r[1]).toMatchObject({ actual: '0', expected: '4' });
  });

  it('covers the common matchers', async () => {
    const tests = `
test('toStrictEqual', () => expect({ a: [1, 2] }).toStrictEqual({ a: [1, 2] }));
test('toThrow', () => expect(() => { throw new TypeError('bad input'); }).toThrow('bad'));
test('truthy falsy', () => { expect(1).toBeTruthy(); expect('').toBeFalsy(); });
test('toContain', () => { expect([1, 2, 3]).toContain(2); expect('hello').toContain('ell'); });
test('toBeCloseTo', () => expect(0.1 + 0.2).toBeCloseTo(0.3));
test('deepStrictEqual', () => assert.deepStrictEqual(new Map([[1, 'a']]), new Map([[1, 'a']])));
test('not', () => expect([1]).not.toEqual([2]));
test('fails', () => expect([1, 2]).toEqual([1, 3]));`;
    const r = results(await run('', tests));
    expect(r.map((x) => x.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'failed']);
    expect(r[7]).toMatchObject({ actual: '[1, 2]', expected: '[1, 3]' });
  });

  it('uses JSDoc @example lines when there are no tests, and runs a script top to bottom otherwise', async () => {
    const documented = '/**\n * @example\n * double(2) // => 4\n * double(3) // => 6\n */\nfunction double(x) {\n  return x + 2;\n}\n';
    const response = await run(documented, null);
    expect(response.tests.map((t) => t.kind)).toEqual(['doctest', 'doctest']);
    expect(results(response).map((x) => x.status)).toEqual(['passed', 'failed']);
    expect(results(response)[1]).toMatchObject({ actual: '5', expected: '6' });

    const script = await run("let total = 0;\nfor (const n of [1, 2, 3]) total += n;\nconsole.log('total', total);\nnull.x;\n", null);
    expect(script.tests.map((t) => t.kind)).toEqual(['script']);
    expect(results(script)[0]).toMatchObject({ status: 'error', stdout: 'total 6\n', error: { type: 'TypeError', line: 4, where: 'program' } });
  });

  it('treats a paste of code and tests together as code plus tests', async () => {
    const response = await run(`${ADD}console.assert(add(2, 1) === 3);\n`, null);
    expect(response.tests.map((t) => t.kind)).toEqual(['assert']);
    expect(results(response)[0]).toMatchObject({ status: 'failed', actual: '1', expected: '3' });
  });

  it('reports a syntax error as the program compile error', async () => {
    const response = await run('function f() {\n  return = 1;\n}\n', 'console.assert(f() === 1)');
    expect(response.programs[0]?.compileError).toMatchObject({ type: 'SyntaxError', line: 2, where: 'program' });
    expect(results(response)[0]).toMatchObject({ status: 'error', error: { type: 'SyntaxError' } });
  });
});

describe('TypeScript', () => {
  it('strips the types and reports lines of the TypeScript source', async () => {
    const source = 'interface Point {\n  x: number;\n  y: number;\n}\n\nexport function norm(p: Point): number {\n  const s: number = p.x * p.x + p.y * p.y;\n  if (s > 100) throw new RangeError(`too far: ${s}`);\n  return Math.sqrt(s);\n}\n';
    const r = results(await run(source, 'expect(norm({ x: 3, y: 4 })).toBe(5);\nexpect(norm({ x: 30, y: 40 })).toBe(50);', 'typescript'));
    expect(r[0]?.status).toBe('passed');
    expect(r[1]).toMatchObject({ status: 'error', error: { type: 'RangeError', line: 8, where: 'program' } });
  });

  it('reports the line of an error inside a chain that esbuild printed on one line', async () => {
    const source = 'export function depth(xs: { y?: { z: number } }[]): number[] {\n  return xs\n    .filter((x) => x !== null)\n    .map((x) => x.y!.z);\n}\n';
    const r = results(await run(source, 'expect(depth([{}])).toEqual([1]);', 'typescript'));
    expect(r[0]).toMatchObject({ status: 'error', error: { type: 'TypeError', line: 4, where: 'program' } });
  });

  it('runs despite a type error (esbuild does not type-check), and reports a syntax error', async () => {
    const ok = results(await run('function f(x: number): string {\n  return x * 2;\n}\n', 'expect(f(2)).toBe(4)', 'typescript'));
    expect(ok[0]?.status).toBe('passed');
    const bad = await run('function f(x: number {\n  return x;\n}\n', 'expect(f(2)).toBe(2)', 'typescript');
    expect(bad.programs[0]?.compileError).toMatchObject({ type: 'SyntaxError', line: 1 });
  });
});

describe('hostile JavaScript', () => {
  it('is contained by bubblewrap on this machine, or says why not', () => {
    const probe = probeBubblewrap();
    if (!probe.ok) console.warn(`bubblewrap unavailable (${probe.reason}): isolation is QuickJS only`);
    expect(sandbox.isolation.isolated).toBe(probe.ok);
  });

  it('stops an infinite loop, also inside a promise', async () => {
    const r = results(await run('function spin() { while (true) {} }\n', "test('loop', () => spin());\ntest('in a promise', async () => { await Promise.resolve().then(() => { while (true) {} }); });\ntest('after', () => expect(1).toBe(1));"));
    expect(r.map((x) => x.status)).toEqual(['timeout', 'timeout', 'passed']);
  });

  it('turns deep recursion and a memory bomb into errors the user can read', async () => {
    const r = results(await run('function down(n) { return down(n + 1) + 1; }\nfunction hog() { const a = []; for (;;) a.push(new Array(100000).fill(7)); }\n', "test('recursion', () => down(0));\ntest('memory', () => hog());\ntest('after', () => expect(2).toBe(2));"));
    expect(r[0]).toMatchObject({ status: 'error', error: { type: 'RangeError', message: 'Maximum call stack size exceeded' } });
    expect(['error', 'timeout']).toContain(r[1]?.status);
    if (r[1]?.status === 'error') expect(r[1].error?.type).toBe('MemoryError');
    expect(r[2]?.status).toBe('passed');
  });

  it('caps an output flood and ignores forged protocol lines', async () => {
    const forged = JSON.stringify({ type: 'result', result: { program: 'p', test: 't1', status: 'passed', durationMs: 0 } });
    const r = results(await run(`function flood() { for (let i = 0; i < 3000; i++) console.log('x'.repeat(100)); console.log(${JSON.stringify(forged)}); }\n`, "test('flood', () => flood());\ntest('forged', () => expect(1).toBe(2));", 'javascript', 20_000));
    expect(r[0]?.status).toBe('passed');
    expect(r[0]?.outputDroppedBytes).toBeGreaterThan(250_000);
    expect(r[0]?.stdout?.length).toBeLessThanOrEqual(JS_LIMITS.outputBytes);
    expect(r[1]?.status).toBe('failed');
  });

  it('sees no environment, host files, network, process or require', async () => {
    const tests = `
test('no process', () => expect(typeof process).toBe('undefined'));
test('no escape through the Function constructor', () => expect((function () { return this; }).constructor.constructor('return typeof process')()).toBe('undefined'));
test('no fs', () => expect(() => require('fs')).toThrow('Cannot find module'));
test('no child_process', () => expect(() => require('child_process')).toThrow('Cannot find module'));
test('no network', () => { expect(typeof fetch).toBe('undefined'); expect(typeof XMLHttpRequest).toBe('undefined'); expect(() => require('net')).toThrow(); });
test('no dynamic import', async () => { await expect(import('fs')).rejects.toBeTruthy(); });
test('no secrets in the global scope', () => expect(Object.keys(globalThis).filter((k) => /TOKEN|KEY|SECRET/i.test(k))).toEqual([]));`;
    const r = results(await run('', tests));
    expect(r.map((x) => [x.test, x.status, x.error?.message])).toEqual(r.map((x) => [x.test, 'passed', undefined]));
  });

  it('reports an unhandled rejection as Node would, survives a promise that never settles; virtual timers fire at once', async () => {
    const tests = `
test('unhandled rejection', () => { Promise.reject(new Error('nobody listens')); });
test('never settles', async () => { await new Promise(() => {}); });
test('a far timer', async () => { const v = await new Promise((r) => setTimeout(() => r(42), 1e9)); expect(v).toBe(42); });
test('an interval that never stops', () => new Promise(() => setInterval(() => {}, 10)));
test('after', () => expect(3).toBe(3));`;
    const r = results(await run('', tests));
    expect(r.map((x) => x.status)).toEqual(['error', 'error', 'passed', 'timeout', 'passed']);
    expect([r[0]?.error?.type, r[0]?.error?.message]).toEqual(['Error', 'nobody listens (an unhandled promise rejection: nothing awaited this promise or called .catch() on it)']);
    expect(r[1]?.error?.message).toMatch(/never settles/);
  });

  it('fails a test that leaves a rejected promise unhandled, wherever the promise came from, and passes one that handles it', async () => {
    const program = `async function load(x) {
  if (x > 1) throw new Error('cannot load ' + x);
  return x * 10;
}
class Store {
  async get(k) { return load(k); }
}
`;
    const tests = `
test('load in a loop, nobody awaits', () => { for (const x of [1, 2, 3]) load(x); });
test('an async forEach callback whose expect fails', () => { [0, 1].forEach(async (x) => { expect(await load(x)).toBe(x); }); });
test('a .then callback that throws', async () => { await load(1); load(1).then((v) => { throw new RangeError('too big: ' + v); }); });
test('a string reason', () => { Promise.reject('oops'); });
test('a method of a class', () => { new Store().get(5); });
test('a microtask that throws', () => { queueMicrotask(() => { throw new TypeError('in a microtask'); }); });
test('an un-awaited assert.rejects', () => { assert.rejects(load(1)); });
test('awaited', async () => { expect(await load(1)).toBe(10); });
test('caught', async () => { await expect(load(2)).rejects.toThrow('cannot load'); load(3).catch(() => {}); });
test('in Promise.all, caught', async () => { expect(await Promise.all([load(1), load(2)]).catch((e) => e.message)).toBe('cannot load 2'); });
test('awaited after a microtask, as Node allows', async () => { const p = load(4); await null; await expect(p).rejects.toThrow(); });
test('try/await/catch', async () => { try { await new Store().get(9); } catch (e) { expect(e.message).toBe('cannot load 9'); } });`;
    const r = results(await run(program, tests));
    const unhandled = /\(an unhandled promise rejection: nothing awaited this promise or called \.catch\(\) on it\)$/;
    expect(r.map((x) => x.status)).toEqual(['error', 'failed', 'error', 'error', 'error', 'error', 'failed', 'passed', 'passed', 'passed', 'passed', 'passed']);
    // The reason (type, message, where the program raised it) and that nothing handled it.
    const said = r.map((x) => [x.error?.type, x.error?.message?.replace(unhandled, '<unhandled>'), x.error?.line]);
    expect(said.slice(0, 7)).toEqual([
      ['Error', 'cannot load 2 <unhandled>', 2],
      ['AssertionError', 'expect(received).toBe(1): received 10 <unhandled>', undefined],
      ['RangeError', 'too big: 10 <unhandled>', undefined],
      ['UnhandledPromiseRejection', 'This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "oops".', undefined],
      ['Error', 'cannot load 5 <unhandled>', 2],
      ['TypeError', 'in a microtask <unhandled>', undefined],
      ['AssertionError', 'Missing expected rejection. <unhandled>', undefined],
    ]);
    expect(r[0]?.error?.where).toBe('program');
    // An assertion inside an async callback is the test's failure, with both sides.
    expect(r[1]).toMatchObject({ actual: '10', expected: '1' });
  });

  it('keeps what an async function sees (this, arguments, super, length, its lines) while it watches its promise', async () => {
    const program = `class Base { async hello() { return 'base'; } }
class Child extends Base {
  constructor() { super(); this.n = 2; }
  async hello(a, b = 1) { return [await super.hello(), this.n, arguments.length, a + b]; }
}
const obj = { k: 3, async get() { return this.k; }, arrow: async (x) => ({ x }) };
async function fails(x) {
  await null;
  throw new Error('line 9: ' + x);
}
`;
    const tests = `
test('this, super, arguments', async () => expect(await new Child().hello(4)).toEqual(['base', 2, 1, 5]));
test('length and name', () => { expect(Child.prototype.hello.length).toBe(1); expect(fails.name).toBe('fails'); expect(obj.get.name).toBe('get'); });
test('object methods and arrows', async () => { expect(await obj.get()).toBe(3); expect(await obj.arrow(1)).toEqual({ x: 1 }); });
test('lines of a rejection', async () => { await fails(1); });
test('Promise as Node has it', () => { const p = Promise.resolve(1); expect(Promise.resolve(p)).toBe(p); expect(p).toBeInstanceOf(Promise); expect(() => Promise()).toThrow(TypeError); });`;
    const r = results(await run(program, tests));
    expect(r.map((x) => x.status)).toEqual(['passed', 'passed', 'passed', 'error', 'passed']);
    expect(r[3]?.error).toMatchObject({ type: 'Error', message: 'line 9: 1', line: 9 });
  });

  it('reports an unhandled rejection in the program itself, as a script run would crash', async () => {
    const script = "async function save(x) { throw new Error('disk full'); }\nsave(1);\nconsole.log('after');\n";
    const r = results(await run(script, null));
    expect(r[0]).toMatchObject({ status: 'error', stdout: 'after\n', error: { type: 'Error', where: 'program', line: 1 } });
    expect(r[0]?.error?.message).toMatch(/^disk full \(an unhandled promise rejection/);
  });
});
