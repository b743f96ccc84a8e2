/**
 * The model path for a JavaScript paste, end to end: the real LangChain client against the scripted
 * OpenAI-compatible stand-in on 127.0.0.1, the real JS sandbox verifying what comes back. The model
 * must be shown the JavaScript prompt (JS exemplars, the `//` NExT trace, ```js fences), and its
 * ```js / ```javascript answers must be read, verified and ranked like Python ones.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createRepairModel } from '../../src/model/index.ts';
import { JS_PROMPT_VERSION } from '../../src/model/prompt.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../standins/openai-chat.ts';

const F = '```';
const BUGGY = "function countWords(text) {\n  const words = text.split(' ');\n  let n = 0;\n  for (let i = 0; i < words.length - 1; i++) {\n    if (words[i] !== '') n++;\n  }\n  return n;\n}\n";
const TESTS = "test('three words', () => expect(countWords('a bc d')).toBe(3));\ntest('one word', () => expect(countWords('hello')).toBe(1));\ntest('double space', () => expect(countWords('a  b')).toBe(2));\n";
const RIGHT_RATIONALE = 'The test expects 3, but the trace shows the loop ending at i=2 (the bound is words.length - 1), so the last word is never counted.';
const RIGHT = `${RIGHT_RATIONALE}\n\n${F}javascript\n${BUGGY.replace('i < words.length - 1', 'i < words.length')}${F}\n`;
const WRONG = `Count every element.\n\n${F}js\n${BUGGY.replace("if (words[i] !== '') n++;", 'n++;')}${F}\n`;
const PYTHON_ANSWER = `Here is the fix.\n\n${F}python\ndef count_words(text):\n    return len(text.split())\n${F}\n`;

let sandbox: Sandbox;
let server: OpenAIChatStandIn | undefined;
beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process', prespawn: 0 });
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('repair engine with a model, on a JavaScript paste', () => {
  it('shows the model the JS prompt and trace, reads its ```js answers and returns the one that passes', async () => {
    server = await startOpenAIChatStandIn({ replies: [WRONG, PYTHON_ANSWER, RIGHT] });
    const config = loadConfig({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: server.url, MODEL_NAME: 'stand-in-coder', MODEL_SAMPLES: '3' });
    const model = createRepairModel(config.model, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    if (!model) throw new Error('expected a model');
    const engine = createRepairEngine({ sandbox, model, budget: { search: false, modelSamples: 3 } });
    const result = await engine.run({ id: 'js-llm-1', code: BUGGY, tests: TESTS, language: 'javascript', origin: { platform: 'cli' } });

    const prompt = server.requests.map((r) => r.prompt).join('\n');
    // The JS prompt: its instructions and exemplars, none of the Python ones.
    expect(prompt).toContain('JavaScript and TypeScript debugging assistant');
    expect(prompt).toContain('function countPositives(nums) {');
    expect(prompt).not.toContain('def count_vowels');
    // The user's program in ```js fences and its NExT trace in `//` comments, the loop's end value included.
    expect(prompt).toContain(`${F}js\nfunction countWords(text) {`);
    expect(prompt).toMatch(/for \(let i = 0; i < words\.length - 1; i\+\+\) \{ {2}\/\/ \(\d+\) i=0;.* i=2;/);

    expect(result.status).toBe('fixed');
    expect(result.fixedCode).toBe(BUGGY.replace('i < words.length - 1', 'i < words.length'));
    expect(result.rationale).toBe(RIGHT_RATIONALE);
    // The Python answer is dropped by the parser; the wrong JS one fails the tests.
    expect(result.candidates.fromModel).toBe(2);
    expect(result.candidates.passed).toBe(1);
    expect(result.model).toEqual({ id: 'stand-in-coder', promptVersion: JS_PROMPT_VERSION });
    expect(result.tests.map((t) => t.after)).toEqual(['passed', 'passed', 'passed']);
  }, 60_000);
});
