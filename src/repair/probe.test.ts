/**
 * The probe's TypeScript half: the payload it sends the runner (real process sandbox, seen through a
 * tap on the wire) and the answer it accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type MutateRequest, type Sandbox } from '../../sandbox/index.ts';
import { TappedSandbox } from '../../tests/repair/stage-kit.ts';
import { TracefixError } from '../errors.ts';
import { DEFAULT_PROBE_BUDGET, ProbeResponseSchema, runProbe } from './probe.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

const PROGRAMS = [
  { id: 'original', source: 'def f(n):\n    return n * 3\n' },
  { id: 'a', source: 'def f(n):\n    return n + 3\n' },
];

describe('runProbe', () => {
  it('runs the programs on the tests\' calls and inputs grown from them', async () => {
    const tap = new TappedSandbox(sandbox);
    const r = await runProbe(tap, { programs: PROGRAMS, tests: 'assert f(2) == 5\n', budget: { inputs: 6, ms: 2_000 } }, DEFAULT_LIMITS);
    expect(r).toMatchObject({ ok: true, func: 'f', seeds: 1, truncated: false });
    expect(r.inputs).toHaveLength(6);
    expect(r.inputs[0]).toEqual({ call: 'f(2)', outputs: { original: '6', a: '5' }, from: 0 });
    const req = tap.requests[0] as MutateRequest;
    expect(req.mode).toBe('mutate');
    expect(req).not.toHaveProperty('language');
    expect(req.payload).toEqual({ op: 'probe', programs: PROGRAMS, tests: 'assert f(2) == 5\n', entryPoint: null, budget: { inputs: 6, ms: 2_000 } });
    // the probe stops itself at its budget; the backend's hard stop sits 15 s beyond
    expect(req.limits).toEqual({ ...DEFAULT_LIMITS, totalTimeoutMs: 17_000 });
  });

  it('grows a dict by one entry like its first, so a loop that stops at its first match shows', async () => {
    const loop = (stop: string) =>
      `def drop_none(d):\n    out = dict(d)\n    for k in list(out):\n        if out[k] is None:\n            del out[k]\n${stop}    return out\n`;
    const programs = [
      { id: 'original', source: loop('            break\n') },
      { id: 'a', source: loop('') },
    ];
    const r = await runProbe(sandbox, { programs, tests: 'assert drop_none({"a": None, "b": 2}) == {"b": 2}\n', budget: { inputs: 10, ms: 2_000 } }, DEFAULT_LIMITS);
    const split = r.inputs.filter((row) => row.outputs.original !== row.outputs.a);
    expect(split.map((row) => row.call)).toContain("drop_none({'a': None, 'a2': None, 'b': 2})");
  });

  it('passes the entry point and the language on', async () => {
    const tap = new TappedSandbox(sandbox);
    const tests = 'def check(candidate):\n    assert candidate(2) == 5\n\ncheck(f)\n';
    const r = await runProbe(tap, { programs: PROGRAMS, tests, entryPoint: 'f', language: 'python', budget: { inputs: 3, ms: 2_000 } }, DEFAULT_LIMITS);
    expect(r.inputs[0]?.call).toBe('f(2)');
    const req = tap.requests[0] as MutateRequest;
    expect(req.language).toBe('python');
    expect((req.payload as { entryPoint: unknown }).entryPoint).toBe('f');
  });

  it("fills what the runner's short answer leaves out", async () => {
    const r = await runProbe(sandbox, { programs: [PROGRAMS[0]!], tests: 'assert True\n', budget: { inputs: 3, ms: 1_000 } }, DEFAULT_LIMITS);
    expect(r).toEqual({ ok: false, reason: 'no_function_called', seeds: 0, inputs: [], truncated: false });
  });

  it('rejects an answer it cannot read, saying what was wrong', async () => {
    const tap = new TappedSandbox(sandbox);
    tap.faults.set(0, (response) => ({ ...response, payload: { ok: 1, seeds: -1, inputs: 'x', truncated: 'no' } }));
    const error = await runProbe(tap, { programs: PROGRAMS, tests: 'assert f(2) == 5\n', budget: { inputs: 3, ms: 1_000 } }, DEFAULT_LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TracefixError);
    expect((error as TracefixError).code).toBe('runner_protocol');
    expect((error as TracefixError).userMessage).toBe('The probe of the candidate fixes returned something we could not read.');
    expect((error as TracefixError).message).toMatch(/^probe payload: ok: [^;]+; seeds: [^;]+; inputs: [^;]+$/);
  });

  it('passes a cancel to the sandbox', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(runProbe(sandbox, { programs: PROGRAMS, tests: 'assert f(2) == 5\n', budget: { inputs: 3, ms: 1_000 } }, DEFAULT_LIMITS, abort.signal)).rejects.toThrow(/cancel/);
  });
});

describe('the probe budget and answer', () => {
  it('grows 40 inputs in 8 seconds by default', () => {
    expect(DEFAULT_PROBE_BUDGET).toEqual({ inputs: 40, ms: 8_000 });
  });
  it('accepts an answer with its seeds and inputs', () => {
    const r = ProbeResponseSchema.parse({ ok: true, func: 'f', seeds: 2, inputs: [{ call: 'f(1)', outputs: { a: '1' } }], truncated: true, reason: 'r' });
    expect(r).toEqual({ ok: true, func: 'f', seeds: 2, inputs: [{ call: 'f(1)', outputs: { a: '1' } }], truncated: true, reason: 'r' });
    expect(ProbeResponseSchema.safeParse({ ok: true, seeds: 1.5 }).success).toBe(false);
  });
});
