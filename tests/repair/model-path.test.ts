/**
 * The model path end to end: the real LangChain client (src/model) against the scripted
 * OpenAI-compatible stand-in on 127.0.0.1, the real process sandbox verifying what comes back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createRepairModel } from '../../src/model/index.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../standins/openai-chat.ts';

const F = '```';
const BUGGY = "def count_vowels(s):\n    n = 0\n    for ch in s:\n        if ch in 'aeiou':\n            n += 1\n    return n\n";
const TESTS = "assert count_vowels('HELLO') == 2\nassert count_vowels('sky') == 0\nassert count_vowels('Apple') == 2\n";
const RIGHT_RATIONALE = "The test expects 2 but the trace shows n=0 at the return: ch='H', ch='E' never match 'aeiou' because the comparison is case-sensitive.";
const RIGHT = `${RIGHT_RATIONALE}\n\n${F}python\n${BUGGY.replace("if ch in 'aeiou'", "if ch.lower() in 'aeiou'")}${F}\n`;
const WRONG_UPPER = `Only capitals are vowels here.\n\n${F}python\n${BUGGY.replace("'aeiou'", "'AEIOU'")}${F}\n`;
const WRONG_COUNT = `Count every character.\n\n${F}python\n${BUGGY.replace("if ch in 'aeiou':\n            n += 1", 'n += 1')}${F}\n`;
const MALFORMED = 'I am not sure what is wrong here.';

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

function engineFor(url: string) {
  const config = loadConfig({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: url, MODEL_NAME: 'stand-in-coder', MODEL_SAMPLES: '3' });
  const model = createRepairModel(config.model, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  if (!model) throw new Error('expected a model');
  // The search is off so that every candidate comes from the model.
  return { model, engine: createRepairEngine({ sandbox, model, budget: { search: false, modelSamples: 3 } }) };
}

describe('repair engine with a model (scripted OpenAI-compatible stand-in)', () => {
  it('sends the NExT trace, rejects the wrong candidates on the tests, and returns the right one with its rationale', async () => {
    server = await startOpenAIChatStandIn({ replies: [WRONG_UPPER, MALFORMED, RIGHT] });
    const { engine, model } = engineFor(server.url);
    const result = await engine.run({ id: 'llm-1', code: BUGGY, tests: TESTS, description: 'Count the vowels, any case.', origin: { platform: 'cli' } });

    const prompt = server.requests.map((r) => r.prompt).join('\n');
    expect(prompt).toContain("if ch in 'aeiou':");
    // the NExT inline trace: numbered states as comments on the executed lines
    expect(prompt).toMatch(/for ch in s:.*# \(\d+\) ch='H'/);
    expect(prompt).toContain("count_vowels('HELLO') == 2");
    expect(prompt).toContain('Count the vowels, any case.');

    expect(result.status).toBe('fixed');
    expect(result.fixedCode).toContain("if ch.lower() in 'aeiou':");
    expect(result.rationale).toBe(RIGHT_RATIONALE);
    expect(result.candidates.fromModel).toBe(2);
    expect(result.candidates.passed).toBe(1);
    expect(result.model).toEqual({ id: 'stand-in-coder', promptVersion: model.promptVersion });
    // the exact prompt behind the returned fix travels with it, for the feedback store and self-training
    expect(result.prompt).toMatch(/for ch in s:.*# \(\d+\) ch='H'/);
    expect(result.prompt).toContain('Count the vowels, any case.');
    expect(result.tests.map((t) => t.after)).toEqual(['passed', 'passed', 'passed']);
  }, 40_000);

  it('asks again with the closest failing attempt and its trace when the first round fails', async () => {
    server = await startOpenAIChatStandIn({ replies: [WRONG_UPPER, WRONG_COUNT, MALFORMED, RIGHT, MALFORMED, MALFORMED] });
    const { engine } = engineFor(server.url);
    const result = await engine.run({ id: 'llm-2', code: BUGGY, tests: TESTS, origin: { platform: 'cli' } });
    expect(result.status).toBe('fixed');
    expect(result.fixedCode).toContain('ch.lower()');
    expect(server.requests).toHaveLength(2);
    // the closest attempt (capitals only: 2 of 3 tests) goes back with what still fails
    expect(server.requests[0]!.prompt).not.toContain("'AEIOU'");
    expect(server.requests[1]!.prompt).toContain("if ch in 'AEIOU':");
    expect(server.requests[1]!.prompt).toContain("count_vowels('Apple') == 2");
    expect(result.summary).toContain('Fixed');
  }, 40_000);
});
