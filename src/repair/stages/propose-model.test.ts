/**
 * Stage "propose", asking the model: the real LangChain client against the OpenAI-compatible stand-in
 * on 127.0.0.1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { contextFor, memoryLogger, request } from '../../../tests/repair/stage-kit.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../../../tests/standins/openai-chat.ts';
import { loadConfig } from '../../config/index.ts';
import { TracefixError } from '../../errors.ts';
import { createRepairModel } from '../../model/index.ts';
import type { Progress } from '../types.ts';
import { Stop } from './context.ts';
import { askModel, promptInput } from './propose.ts';

let sandbox: Sandbox;
let server: OpenAIChatStandIn | undefined;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process' });
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const F = 'def f(n):\n    y = n * 3\n    return y\n';
const TESTS = 'assert f(2) == 5\nassert f(0) == 3\n';
const FENCE = '```';

function modelAt(url: string) {
  const config = loadConfig({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: url, MODEL_NAME: 'stand-in-coder', MODEL_SAMPLES: '2' });
  return createRepairModel(config.model, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } })!;
}

describe('askModel', () => {
  const answer = (code: string, why: string) => `${why}\n\n${FENCE}python\n${code}${FENCE}\n`;

  it('asks nothing without a model', async () => {
    const ctx = contextFor(sandbox, request(F, TESTS));
    expect(await askModel(ctx, promptInput(ctx, []))).toEqual([]);
    expect(ctx.modelUsed).toBe(false);
    expect(ctx.timings.modelMs).toBeUndefined();
  });

  it('asks for the budgeted number of samples and counts them', async () => {
    server = await startOpenAIChatStandIn({ replies: [answer(F.replace('*', '+'), 'Plus, not times.'), answer(F.replace('*', '-'), 'Minus.'), 'no code here'] });
    const progress: Progress[] = [];
    const ctx = contextFor(sandbox, request(F, TESTS, { entryPoint: 'f' }), { model: modelAt(server.url), budget: { modelSamples: 3 }, options: { onProgress: (p) => progress.push(p) } });
    ctx.counts.tried = 10;
    ctx.timings.modelMs = 1_000_000;
    const t0 = performance.now();
    const list = await askModel(ctx, promptInput(ctx, ['assert f(2) == 5: expected 5, got 6']));
    expect(ctx.timings.modelMs).toBeLessThanOrEqual(1_000_000 + Math.ceil(performance.now() - t0));
    expect(list.map((c) => c.rationale)).toEqual(['Plus, not times.', 'Minus.']);
    expect(ctx.counts).toEqual({ tried: 12, fromModel: 2, fromSearch: 0 });
    expect(ctx.modelUsed).toBe(true);
    expect(server.chatRequests[0]?.n).toBe(3);
    expect(server.chatRequests[0]?.prompt).toContain('assert f(2) == 5: expected 5, got 6');
    expect(progress).toEqual([{ stage: 'model', message: 'Asking stand-in-coder for 3 candidate fixes' }]);
    expect(ctx.timings.modelMs).toBeGreaterThanOrEqual(1_000_000);
  });

  it('logs a model that failed and goes on with the search; without the search the user hears why', async () => {
    server = await startOpenAIChatStandIn({ replies: [{ status: 401 }, { status: 401 }] });
    const { logger, lines } = memoryLogger();
    const ctx = contextFor(sandbox, request(F, TESTS), { model: modelAt(server.url), logger });
    expect(await askModel(ctx, promptInput(ctx, []))).toEqual([]);
    expect(lines.filter((l) => l.msg === 'model failed')).toHaveLength(1);
    expect(ctx.counts.fromModel).toBe(0);
    expect(ctx.timings.modelMs).toBeGreaterThanOrEqual(0);
    const alone = contextFor(sandbox, request(F, TESTS), { model: modelAt(server.url), budget: { search: false } });
    const error = await askModel(alone, promptInput(alone, [])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TracefixError);
    expect((error as TracefixError).code).toBe('model_auth');
  });

  it('turns a cancel into a stop', async () => {
    server = await startOpenAIChatStandIn({ replies: [{ content: 'late', delayMs: 5_000 }] });
    const abort = new AbortController();
    const ctx = contextFor(sandbox, request(F, TESTS), { model: modelAt(server.url), options: { signal: abort.signal } });
    const asked = askModel(ctx, promptInput(ctx, []));
    await server.waitForRequest(() => true);
    abort.abort();
    await expect(asked).rejects.toEqual(new Stop('cancelled'));
  });
});
