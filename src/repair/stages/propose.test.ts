/**
 * Stage "propose": candidates from the program search (real process sandbox) and from the model,
 * turned into proposals (asking the model: propose-model.test.ts, apart so that only it loads LangChain).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type Sandbox } from '../../../sandbox/index.ts';
import { contextFor, memoryLogger, request, verified } from '../../../tests/repair/stage-kit.ts';
import type { SearchResponse } from '../search.ts';
import type { Progress } from '../types.ts';
import { Stop } from './context.ts';
import { fromModel, fromSearch, promptInput, runSearch, splitCandidate } from './propose.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});

const F = 'def f(n):\n    y = n * 3\n    return y\n';
const TESTS = 'assert f(2) == 5\nassert f(0) == 3\n';

describe('splitCandidate', () => {
  it('takes a whole program as it is, with Windows line ends made plain', () => {
    expect(splitCandidate('', 'a = 1\r\nb = 2\rc = 3\n')).toEqual({ source: 'a = 1\nb = 2\nc = 3\n', code: 'a = 1\nb = 2\nc = 3\n' });
  });
  it('keeps what follows a repeated frozen prefix, and puts a program without it after the prefix', () => {
    expect(splitCandidate('def g():\r\n    pass\r\n', 'def g():\n    pass\ndef f():\n    return 1\n')).toEqual({ source: 'def g():\n    pass\ndef f():\n    return 1\n', code: 'def f():\n    return 1\n' });
    expect(splitCandidate('P\n', 'def f():\n    return 1')).toEqual({ source: 'P\n\ndef f():\n    return 1\n', code: '\ndef f():\n    return 1\n' });
    expect(splitCandidate('P\n', 'x = 1\n')).toEqual({ source: 'P\n\nx = 1\n', code: '\nx = 1\n' });
  });
});

describe('proposals', () => {
  const search = (sources: string[], edits = true): SearchResponse => ({
    ok: true,
    checks: [],
    suspicious: [],
    inputs: [],
    candidates: sources.map((source) => ({ source, passed: 1, total: 1, size: 1, edits: edits ? [{ line: 3, kind: 'k', description: 'd', before: 'b' }] : [] })),
    tried: 3,
    exhausted: true,
    elapsedMs: 1,
    scores: [],
  });

  it('numbers search candidates in proposal order and measures their edit', () => {
    const ctx = contextFor(sandbox, request(F, TESTS));
    ctx.order = 4;
    const [a, b] = fromSearch(ctx, search([F.replace('n * 3', 'n + 3'), F.replace('    y = n * 3\n', '    y = n * 3\n    y += 0\n')], false));
    expect(a).toMatchObject({ id: 'search-4', origin: 'search', order: 4, source: F.replace('n * 3', 'n + 3'), code: F.replace('n * 3', 'n + 3'), editSize: 1, editedLines: [2] });
    expect(a!.search?.source).toBe(a!.source);
    expect(b).toMatchObject({ id: 'search-5', order: 5, editSize: 11, editedLines: [3] });
    expect(ctx.order).toBe(6);
    expect(fromSearch(ctx, search([F.replace('n * 3', 'n - 3')]))[0]!.editedLines).toEqual([3]);
  });

  it('drops search candidates that change the frozen prefix, and returns code without it', () => {
    const prefix = 'def g():\n    return 1\n';
    const ctx = contextFor(sandbox, request(F, TESTS, { frozenPrefix: prefix }));
    const out = fromSearch(ctx, search([prefix + F.replace('*', '+'), prefix.replace('1', '2') + F]));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ id: 'search-0', code: F.replace('*', '+'), source: prefix + F.replace('*', '+') });
  });

  it('drops model candidates that repeat the original, an earlier candidate or each other', () => {
    const ctx = contextFor(sandbox, request(F, TESTS));
    const plus = F.replace('n * 3', 'n + 3');
    ctx.verified.push(verified(ctx, F.replace('3', '4'), []));
    const out = fromModel(ctx, [
      { rationale: 'same', code: F },
      { rationale: 'plus', code: plus, promptText: 'the prompt' },
      { rationale: 'again', code: plus.replace(/\n/g, '\r\n') },
      { rationale: 'four', code: F.replace('3', '4') },
      { rationale: 'minus', code: F.replace('n * 3', 'n - 3') },
    ]);
    expect(out.map((p) => [p.id, p.rationale, p.order])).toEqual([
      ['model-1', 'plus', 1],
      ['model-2', 'minus', 2],
    ]);
    expect(out[0]).toMatchObject({ origin: 'model', source: plus, code: plus, prompt: 'the prompt', editSize: 1, editedLines: [2] });
    expect(out[1]).not.toHaveProperty('prompt');
    expect(ctx.order).toBe(3);
  });

  it('builds the model prompt from the program, failures, description, tests and the trace unless ablated', () => {
    const ctx = contextFor(sandbox, request(F, TESTS, { description: 'triple plus', language: 'python' }));
    ctx.rendered = { text: 'TRACE', truncated: false } as never;
    expect(promptInput(ctx, ['a: b'])).toEqual({ language: 'python', program: F, failures: ['a: b'], description: 'triple plus', tests: TESTS, trace: 'TRACE' });
    const prev = { program: 'p', failures: ['x'] };
    expect(promptInput(ctx, [], prev).previousAttempt).toBe(prev);
    const ablated = contextFor(sandbox, request(F, '  ', {}), { budget: { promptTrace: false } });
    ablated.rendered = ctx.rendered;
    expect(promptInput(ablated, [])).toEqual({ program: F, failures: [] });
  });
});

describe('runSearch', () => {
  it('finds candidates in the sandbox, counts what it tried and says what it is doing', async () => {
    const progress: Progress[] = [];
    const ctx = contextFor(sandbox, request(F, TESTS), { budget: { searchAlternatives: 2 }, options: { onProgress: (p) => progress.push(p) } });
    ctx.counts.tried = 1;
    ctx.timings.searchMs = 1_000_000;
    const t0 = performance.now();
    const s = await runSearch(ctx, ctx.program, 3000);
    expect(ctx.timings.searchMs).toBeLessThanOrEqual(1_000_000 + Math.ceil(performance.now() - t0));
    expect(s?.candidates[0]?.source).toBe(F.replace('n * 3', 'n + 3'));
    expect(s!.tried).toBeGreaterThan(0);
    expect(ctx.counts.tried).toBe(1 + s!.tried);
    expect(ctx.timings.searchMs).toBeGreaterThanOrEqual(1_000_000);
    expect(progress).toEqual([{ stage: 'search', message: 'Searching for a small edit that makes the tests pass' }]);
  });

  it('edits only what follows the frozen prefix, calls the entry point, and stops at the wanted alternatives', async () => {
    const prefix = 'def f(n):\n    """Triple plus... no: plus three."""\n';
    const body = '    y = n * 3\n    return y\n';
    const tests = 'def check(candidate):\n    assert candidate(2) == 5\n    assert candidate(0) == 3\ncheck(f)\n';
    const ctx = contextFor(sandbox, request(body, tests, { frozenPrefix: prefix, entryPoint: 'f' }), { budget: { searchAlternatives: 1, searchCandidates: 4000 } });
    const s = await runSearch(ctx, ctx.program, 3000);
    expect(s?.candidates).toHaveLength(1);
    expect(s!.candidates[0]!.source.startsWith(prefix)).toBe(true);
    expect(s!.candidates[0]!.source).toContain('n + 3');
    expect(s!.stop).toBe('enough');
  });

  it('spends no more than its candidate budget', async () => {
    const ctx = contextFor(sandbox, request(F, TESTS), { budget: { searchCandidates: 2 } });
    const s = await runSearch(ctx, ctx.program, 3000);
    expect(s!.tried).toBe(2);
  });

  it('logs a search that failed and goes on without it; a cancel stops the run', async () => {
    const { logger, lines } = memoryLogger();
    const ctx = contextFor(sandbox, request(F, TESTS), { logger, limits: { ...DEFAULT_LIMITS, testTimeoutMs: 0 } });
    expect(await runSearch(ctx, ctx.program, 1000)).toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ msg: 'program search failed', level: 40 })]);
    expect(ctx.timings.searchMs).toBeGreaterThanOrEqual(0);
    const abort = new AbortController();
    abort.abort();
    const cancelled = contextFor(sandbox, request(F, TESTS), { options: { signal: abort.signal } });
    await expect(runSearch(cancelled, F, 1000)).rejects.toEqual(new Stop('cancelled'));
  });
});
