/**
 * The collector against scripted runner streams: forged and junk lines, kills mid-test and the
 * re-run of the rest of the batch. The backends run it against real runners in tests/contract; here
 * the stream is scripted so that each hostile ordering is pinned exactly.
 */
import { describe, expect, it } from 'vitest';
import { runWithRecovery, SandboxError, type AttemptEnd, type KillReason, type Launch } from './collect.ts';
import { DEFAULT_LIMITS, type RunnerRequest, type TestRequest } from './protocol.ts';

const TESTS = [
  { id: 't0', name: 'assert f(0) == 0', kind: 'assert' as const, source: 'assert f(0) == 0' },
  { id: 't1', name: 'assert f(1) == 1', kind: 'assert' as const, source: 'assert f(1) == 1' },
];

function request(programs: string[], over: Partial<TestRequest> = {}): TestRequest {
  return {
    mode: 'test',
    programs: programs.map((id) => ({ id, source: `# ${id}` })),
    tests: 'assert f(0) == 0\nassert f(1) == 1\n',
    limits: { ...DEFAULT_LIMITS, testTimeoutMs: 100, totalTimeoutMs: 10_000 },
    ...over,
  };
}

const j = (v: unknown): string => JSON.stringify(v);
const result = (program: string, test: string, status = 'passed'): string => j({ type: 'result', result: { program, test, status, durationMs: 1 } });

type Step = string | { end: AttemptEnd } | { hang: true };

/**
 * A scripted runner: `script(request, attempt)` returns the lines one attempt writes and how it ends.
 * By default it behaves like an honest runner, calling `verdict` for each test.
 */
function scripted(script: (req: RunnerRequest, attempt: number) => Step[]): { launch: Launch; requests: RunnerRequest[]; kills: KillReason[] } {
  const requests: RunnerRequest[] = [];
  const kills: KillReason[] = [];
  const launch: Launch = (req, onLine) => {
    requests.push(req);
    const steps = script(req, requests.length);
    let settle: (end: AttemptEnd) => void = () => undefined;
    const end = new Promise<AttemptEnd>((resolve) => (settle = resolve));
    setImmediate(() => {
      for (const step of steps) {
        if (typeof step === 'string') onLine(step);
        else if ('end' in step) return settle(step.end);
        else return;
      }
      settle({});
    });
    return Promise.resolve({ end, kill: (reason) => (kills.push(reason), settle({ killed: reason })) });
  };
  return { launch, requests, kills };
}

function honest(req: RunnerRequest, verdict: (program: string, test: string) => string = () => 'passed'): string[] {
  if (req.mode !== 'test') return [];
  const lines = [j({ type: 'hello', protocol: 1, python: '3.11.2' }), j({ type: 'tests', tests: TESTS })];
  for (const p of req.programs) {
    lines.push(j({ type: 'program', program: p.id, compileError: null }));
    for (const t of TESTS) {
      if (req.onlyTests && !req.onlyTests.includes(t.id)) continue;
      lines.push(j({ type: 'start', program: p.id, test: t.id, timeoutMs: 100 }), result(p.id, t.id, verdict(p.id, t.id)));
    }
  }
  lines.push(j({ type: 'done' }));
  return lines;
}

const statuses = (r: Awaited<ReturnType<typeof runWithRecovery>>): Record<string, string[]> =>
  Object.fromEntries(r.programs.map((p) => [p.id, p.results.map((x) => x.status)]));

describe('runWithRecovery', () => {
  it('assembles an honest stream and counts junk lines without trusting them', async () => {
    const { launch } = scripted((req) => ['not json', j({ type: 'nonsense' }), ...honest(req, (p) => (p === 'b' ? 'failed' : 'passed'))]);
    let junk = 0;
    const response = await runWithRecovery(request(['a', 'b']), launch, { onJunk: (n) => (junk = n) });
    expect(statuses(response)).toEqual({ a: ['passed', 'passed'], b: ['failed', 'failed'] });
    expect(response.python).toBe('3.11.2');
    expect(response.killed).toBe(false);
    expect(junk).toBe(2);
  });

  it('re-runs each program alone when one forges lines for another', async () => {
    const { launch, requests } = scripted((req, attempt) => {
      if (attempt > 1) return honest(req, (p) => (p === 'victim' ? 'failed' : 'passed'));
      // The forger claims the victim passed, then the real runner reports the victim failing.
      const lines = honest(req, (p) => (p === 'victim' ? 'failed' : 'passed'));
      const forged = [j({ type: 'program', program: 'victim', compileError: null }), j({ type: 'start', program: 'victim', test: 't0', timeoutMs: 1 }), result('victim', 't0'), j({ type: 'start', program: 'victim', test: 't1', timeoutMs: 1 }), result('victim', 't1'), j({ type: 'done' })];
      lines.splice(4, 0, ...forged);
      return lines;
    });
    const response = await runWithRecovery(request(['forger', 'victim']), launch);
    expect(statuses(response)).toEqual({ forger: ['passed', 'passed'], victim: ['failed', 'failed'] });
    expect(requests.slice(1).map((r) => (r.mode === 'test' ? r.programs.map((p) => p.id) : []))).toEqual([['forger'], ['victim']]);
  });

  it('treats a stream that skips a program as forged', async () => {
    const { launch, requests } = scripted((req, attempt) => {
      if (attempt > 1) return honest(req, () => 'failed');
      // Claims the last program passed and ends the batch early.
      return [j({ type: 'hello', protocol: 1, python: '3' }), j({ type: 'tests', tests: TESTS }), j({ type: 'program', program: 'c', compileError: null }), j({ type: 'start', program: 'c', test: 't0', timeoutMs: 1 }), result('c', 't0'), j({ type: 'start', program: 'c', test: 't1', timeoutMs: 1 }), result('c', 't1'), j({ type: 'done' })];
    });
    const response = await runWithRecovery(request(['a', 'b', 'c']), launch);
    expect(statuses(response)).toEqual({ a: ['failed', 'failed'], b: ['failed', 'failed'], c: ['failed', 'failed'] });
    expect(requests).toHaveLength(4);
  });

  it('gives the killed test its verdict and re-runs only what is left', async () => {
    const { launch, requests } = scripted((req, attempt) => {
      const lines = honest(req);
      if (attempt === 1) {
        // Dies (memory) during a/t1: after a/t0's result and a/t1's start.
        return [...lines.slice(0, 6), { end: { killed: 'memory' } }];
      }
      return lines;
    });
    const response = await runWithRecovery(request(['a', 'b']), launch, { memoryMb: 256 });
    expect(statuses(response)).toEqual({ a: ['passed', 'error'], b: ['passed', 'passed'] });
    const killed = response.programs[0]?.results[1];
    expect(killed?.error?.type).toBe('MemoryError');
    expect(killed?.error?.message).toContain('256 MB');
    expect(response.killed).toBe(true);
    // a/t1 is not re-run (it is the one that was killed); b runs whole.
    expect(requests.slice(1).map((r) => (r.mode === 'test' ? [r.programs.map((p) => p.id), r.onlyTests] : []))).toEqual([[['b'], undefined]]);
  });

  it('kills a test that overruns its limit and reports a timeout', async () => {
    const { launch, kills } = scripted((req, attempt) => (attempt === 1 ? [...honest(req).slice(0, 4), { hang: true }] : honest(req)));
    const response = await runWithRecovery(request(['a']), launch, { graceMs: 50 });
    expect(kills).toEqual(['timeout']);
    expect(statuses(response)).toEqual({ a: ['timeout', 'passed'] });
    expect(response.programs[0]?.results[0]?.error?.message).toContain('100 ms');
  });

  it('fails as unavailable when the runner never starts', async () => {
    const { launch, requests } = scripted(() => [{ end: { killed: 'exit', detail: 'exit code 1' } }]);
    await expect(runWithRecovery(request(['a']), launch)).rejects.toMatchObject({ code: 'sandbox_unavailable', retryable: true });
    expect(requests).toHaveLength(2);
  });

  it('reports broken tests as the user\'s input', async () => {
    const { launch } = scripted(() => [j({ type: 'hello', protocol: 1, python: '3' }), j({ type: 'fatal', error: { type: 'SyntaxError', message: 'invalid syntax', where: 'test' } }), j({ type: 'done' })]);
    const error = await runWithRecovery(request(['a']), launch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error).toMatchObject({ code: 'bad_tests' });
    expect((error as SandboxError).userMessage).toContain('SyntaxError: invalid syntax');
  });

  it('names the memory limit when Python itself raises a bare MemoryError', async () => {
    const { launch } = scripted((req) =>
      honest(req).map((line) =>
        line.includes('"result"') && line.includes('"t1"')
          ? j({ type: 'result', result: { program: 'a', test: 't1', status: 'error', durationMs: 3, error: { type: 'MemoryError', message: '', where: 'program' } } })
          : line,
      ),
    );
    const response = await runWithRecovery(request(['a'], { limits: { ...DEFAULT_LIMITS, memoryMb: 300 } }), launch);
    const error = response.programs[0]?.results[1]?.error;
    expect(error?.type).toBe('MemoryError');
    expect(error?.message).toMatch(/memory limit \(300 MB\)/);
  });
});

describe('runWithRecovery, mode mutate', () => {
  const mutate = (): RunnerRequest => ({ mode: 'mutate', payload: { op: 'search' }, limits: { ...DEFAULT_LIMITS, testTimeoutMs: 100, totalTimeoutMs: 10_000 } });
  const hello = j({ type: 'hello', protocol: 1, python: '3.14.2' });

  it('returns the last interim payload with killed when a candidate hangs past its limit, without re-running', async () => {
    const { launch, kills, requests } = scripted(() => [
      hello,
      j({ type: 'start', program: 'c0', test: '*', timeoutMs: 100 }),
      j({ type: 'payload', payload: { done: ['c0'] } }),
      j({ type: 'start', program: 'c1', test: '*', timeoutMs: 100 }),
      { hang: true },
    ]);
    const response = await runWithRecovery(mutate(), launch, { graceMs: 50 });
    expect(kills).toEqual(['timeout']);
    expect(requests).toHaveLength(1);
    expect(response.payload).toEqual({ done: ['c0'] });
    expect(response.killed).toBe(true);
    expect(response.kill).toMatchObject({ reason: 'timeout', program: 'c1' });
  });

  it('returns killed without a payload when the runner dies before its first report', async () => {
    const { launch } = scripted(() => [hello, j({ type: 'start', program: 'c0', test: '*', timeoutMs: 100 }), { end: { killed: 'memory' } }]);
    const response = await runWithRecovery(mutate(), launch);
    expect(response.payload).toBeUndefined();
    expect(response.kill).toMatchObject({ reason: 'memory', program: 'c0' });
  });

  it('still fails when the runner finished without any payload (our fault, not the candidate\'s)', async () => {
    const { launch } = scripted(() => [hello, j({ type: 'done' })]);
    await expect(runWithRecovery(mutate(), launch)).rejects.toMatchObject({ code: 'runner_failed' });
  });
});
