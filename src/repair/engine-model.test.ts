/**
 * The engine's model rounds: the real LangChain client against the OpenAI-compatible stand-in on
 * 127.0.0.1 when the search found nothing that passes, and a second round from the closest attempt
 * with its trace. The process sandbox runs every candidate.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { request } from '../../tests/repair/stage-kit.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../../tests/standins/openai-chat.ts';
import { loadConfig } from '../config/index.ts';
import { createRepairModel } from '../model/index.ts';
import { createRepairEngine } from './engine.ts';
import type { Progress } from './types.ts';

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

const FENCE = '```';
const answer = (code: string, why: string) => `${why}\n\n${FENCE}python\n${code}${FENCE}\n`;
function modelAt(url: string) {
  const config = loadConfig({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: url, MODEL_NAME: 'stand-in-coder', MODEL_SAMPLES: '1' });
  return createRepairModel(config.model, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } })!;
}
const stagesOf = (progress: Progress[]) => progress.map((p) => p.stage);

const TWO_BUGS = 'def f(n):\n    m = n - 1\n    return m * 3\n';
const TWO_BUGS_TESTS = 'assert f(-1) == 0\nassert f(0) == 2\nassert f(1) == 4\n';
/** Beyond any edit of the search. */
const GREET = "def greet(name):\n    return 'hi ' + name\n";
const GREET_TESTS = "assert greet('bob') == 'Good evening, Bob!'\nassert greet('al') == 'Good evening, Al!'\nassert greet('cy') == 'Good evening, Cy!'\n";
const GREET_FIXED = "def greet(name):\n    return 'Good evening, ' + name.capitalize() + '!'\n";

describe('the engine with a model', () => {
  it('asks the model when the search finds nothing, and returns its fix with its prompt and id', async () => {
    server = await startOpenAIChatStandIn({ replies: [answer(GREET_FIXED, 'It must greet in the evening, capitalised.')] });
    const model = modelAt(server.url);
    const progress: Progress[] = [];
    const r = await createRepairEngine({ sandbox, model, budget: { searchMs: 2_000, modelSamples: 1 } }).run(request(GREET, GREET_TESTS), { onProgress: (p) => progress.push(p) });
    expect(r.status).toBe('fixed');
    expect(r.fixedCode).toBe(GREET_FIXED);
    expect(r.rationale).toBe('It must greet in the evening, capitalised.');
    expect(r.model).toEqual({ id: 'stand-in-coder', promptVersion: model.promptVersion });
    expect(r.prompt).toContain("return 'hi ' + name");
    expect(server.chatRequests).toHaveLength(1);
    expect(server.chatRequests[0]!.prompt).toContain("assert greet('bob') == 'Good evening, Bob!'");
    expect(stagesOf(progress)).toEqual(expect.arrayContaining(['search', 'model', 'verify']));
    expect(r.candidates.fromModel).toBe(1);
  });

  it('does not ask the model when the search found a fix', async () => {
    server = await startOpenAIChatStandIn({ replies: [] });
    const r = await createRepairEngine({ sandbox, model: modelAt(server.url), budget: { searchMs: 3_000 } }).run(request('def f(n):\n    return n * 3\n', 'assert f(2) == 5\nassert f(0) == 3\nassert f(1) == 4\n'));
    expect(r.status).toBe('fixed');
    expect(server.chatRequests).toHaveLength(0);
    expect(r.model).toEqual({ id: 'offline-search' });
  });

  it("asks again with the closest attempt, its failures and its trace, and where its trace parts from the original's", async () => {
    // the original passes f(1) and fails f(2), the test it is traced on; so does the first answer
    const tests = 'assert f(1) == 0\nassert f(2) == 2\nassert f(3) == 4\n';
    const partial = 'def f(n):\n    m = n - 1\n    if n == 2:\n        m = 7\n    return m * 2\n';
    const right = 'def f(n):\n    m = n - 1\n    return m * 2\n';
    server = await startOpenAIChatStandIn({ replies: [answer(partial, 'Double.'), answer(right, 'Double, always.')] });
    const progress: Progress[] = [];
    const r = await createRepairEngine({ sandbox, model: modelAt(server.url), budget: { search: false, modelSamples: 1 } }).run(request(TWO_BUGS, tests), {
      onProgress: (p) => progress.push(p),
    });
    expect(r.status).toBe('fixed');
    expect(r.fixedCode).toBe(right);
    expect(r.rationale).toBe('Double, always.');
    expect(server.chatRequests).toHaveLength(2);
    const second = server.chatRequests[1]!.prompt;
    expect(second).toContain('m = 7');
    expect(second).toContain('assert f(2) == 2: expected 2, got 14');
    expect(second).toMatch(/m = 7 +# \(\d+\) m=7/);
    expect(second).toContain("On `assert f(2) == 2` the attempt's trace departs from the original's at step");
    // the prompt kept with the fix is the second round's
    expect(r.prompt).toContain("the attempt's trace departs");
    expect(progress).toContainEqual({ stage: 'second_round', message: 'Tracing the closest attempt and asking again' });
    expect(r.candidates).toMatchObject({ fromModel: 2, tried: 2, fromSearch: 0 });
  });

  it('without the trace in the prompt, asks again without tracing the attempt; without an attempt, asks afresh', async () => {
    const partial = 'def f(n):\n    m = n + 1\n    return m * 3\n';
    server = await startOpenAIChatStandIn({ replies: [answer(partial, 'Add one.'), answer(partial.replace('3', '4'), 'No.')] });
    const progress: Progress[] = [];
    const r = await createRepairEngine({ sandbox, model: modelAt(server.url), budget: { search: false, modelSamples: 1, promptTrace: false } }).run(request(TWO_BUGS, TWO_BUGS_TESTS), {
      onProgress: (p) => progress.push(p),
    });
    expect(r.status).toBe('partly_fixed');
    expect(server.chatRequests).toHaveLength(2);
    expect(server.chatRequests[1]!.prompt).toContain('assert f(0) == 2: expected 2, got 3');
    expect(stagesOf(progress)).not.toContain('second_round');

    await server.close();
    // an answer that passes nothing is no attempt to start from
    server = await startOpenAIChatStandIn({ replies: [answer('def f(n):\n    return 99\n', 'No.'), answer('def f(n):\n    return 98\n', 'No.')] });
    const fresh = await createRepairEngine({ sandbox, model: modelAt(server.url), budget: { search: false, modelSamples: 1 } }).run(request(TWO_BUGS, TWO_BUGS_TESTS));
    expect(fresh.status).toBe('not_fixed');
    expect(server.chatRequests).toHaveLength(2);
    expect(server.chatRequests[1]!.prompt).not.toContain('return 99');
    expect(server.chatRequests[1]!.prompt).toBe(server.chatRequests[0]!.prompt);
  });

  it('asks once when the second round is off', async () => {
    server = await startOpenAIChatStandIn({ replies: [answer('def f(n):\n    return 99\n', 'No.')] });
    const r = await createRepairEngine({ sandbox, model: modelAt(server.url), budget: { search: false, modelSamples: 1, secondRound: false } }).run(request(TWO_BUGS, TWO_BUGS_TESTS));
    expect(r.status).toBe('not_fixed');
    expect(server.chatRequests).toHaveLength(1);
  });
});
