/**
 * Issue 4, done when (a): the whole production loop. Answers are produced by the real repair engine
 * with the real model factory against the scripted chat stand-in, recorded in a real SQLite store;
 * users vote; the scheduler — composed from the config by startSelfTraining, as src/main.ts does,
 * with an injected clock — builds the dataset (only passing 👍, secrets scrubbed), submits it to the
 * fine-tuning stand-in through the real openai SDK, waits for the job, gates the new model against the
 * live one through the eval harness, promotes it, and the bot's next answer asks for the new model id.
 * One OPENAI_BASE_URL serves chat and fine-tuning, as in production (a small router in front of the
 * two stand-ins).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { createServices, limitsFromConfig } from '../../src/compose.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../../src/feedback/store.ts';
import { silentLogger } from '../../src/log.ts';
import { createRepairModel } from '../../src/model/index.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import type { RepairRequest, RepairService } from '../../src/repair/types.ts';
import { startSelfTraining } from '../../src/training/compose.ts';
import { createModelRegistry } from '../../src/training/registry.ts';
import type { RunOutcome } from '../../src/training/scheduler.ts';
import { startFineTuningStandIn, type FineTuningStandIn } from '../standins/openai-fine-tuning.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../standins/openai-chat.ts';
import { manualClock, scriptedReply, startOpenAIRouter, type ScriptedTask } from './fixtures.ts';

const SECRET = 'sk-proj-AAAAbbbbCCCCdddd1234';
const TASKS: ScriptedTask[] = [
  {
    name: 'add_numbers',
    code: `API_KEY = "${SECRET}"  # owner: jane.doe@example.com\n\ndef add_numbers(a, b):\n    return a - b\n`,
    tests: 'assert add_numbers(2, 3) == 5\nassert add_numbers(0, 0) == 0\nassert add_numbers(1, 4) == 5',
    fix: `API_KEY = "${SECRET}"  # owner: jane.doe@example.com\n\ndef add_numbers(a, b):\n    return a + b\n`,
    wrong: `API_KEY = "${SECRET}"  # owner: jane.doe@example.com\n\ndef add_numbers(a, b):\n    return a * b\n`,
  },
  {
    name: 'largest',
    code: 'def largest(xs):\n    best = 0\n    for x in xs:\n        if x < best:\n            best = x\n    return best\n',
    // three examples: one or two alone never make a "fixed" (the fix is confirmed with the user instead)
    tests: 'assert largest([1, 5, 3]) == 5\nassert largest([2, 9, 4]) == 9\nassert largest([7, 2]) == 7',
    fix: 'def largest(xs):\n    best = 0\n    for x in xs:\n        if x > best:\n            best = x\n    return best\n',
    wrong: 'def largest(xs):\n    return xs[0]\n',
  },
  {
    name: 'is_even',
    code: 'def is_even(n):\n    return n % 2 == 1\n',
    tests: 'assert is_even(4)\nassert not is_even(3)\nassert is_even(0)',
    fix: 'def is_even(n):\n    return n % 2 == 0\n',
    wrong: 'def is_even(n):\n    return True\n',
  },
  {
    name: 'square',
    code: 'def square(n):\n    return n * 2\n',
    tests: 'assert square(3) == 9\nassert square(4) == 16\nassert square(5) == 25',
    fix: 'def square(n):\n    return n * n\n',
    wrong: 'def square(n):\n    return n + n\n',
  },
  {
    name: 'count_vowels',
    code: 'def count_vowels(s):\n    return sum(1 for c in s if c in "aeiou") + 1\n',
    tests: 'assert count_vowels("hello") == 2',
    fix: 'def count_vowels(s):\n    return sum(1 for c in s if c in "aeiou")\n',
    wrong: 'def count_vowels(s):\n    return len(s)\n',
  },
];
const task = (name: string) => TASKS.find((t) => t.name === name)!;
const FT_MODEL = 'ft:base-model:tracefix:run1';

let dir: string;
let chat: OpenAIChatStandIn;
let router: { url: string; close(): Promise<void> } | undefined;
let fineTuning: FineTuningStandIn;
let sandbox: Sandbox;
let store: KeyvFeedbackStore;
let config: Config;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-loop-'));
  chat = await startOpenAIChatStandIn({
    respond: scriptedReply(TASKS, (request, t, i) => {
      // The fine-tuned model is always right; the base model gets the first sample right, except on
      // `square` and `count_vowels`, which it never fixes.
      if (request.model === FT_MODEL) return true;
      return t.name !== 'square' && t.name !== 'count_vowels' && i === 0;
    }),
  });
  fineTuning = await startFineTuningStandIn({ apiKey: 'sk-test', modelId: () => FT_MODEL });
  router = await startOpenAIRouter(chat.url, fineTuning.url);
  // The gate's extra held-out set (TRAINING_EVAL_DATASET): a task no user brought.
  await writeFile(path.join(dir, 'eval.jsonl'), JSON.stringify({ task_id: 'vowels', buggy_solution: task('count_vowels').code, test: task('count_vowels').tests }) + '\n');
  // Other sandboxes on this machine share the unprivileged uid's process limit; our own dataset code needs no tight one.
  sandbox = await createSandbox({ backend: 'process', maxProcesses: 1024 });
  config = loadConfig({
    DATA_DIR: dir,
    MODEL_PROVIDER: 'openai',
    MODEL_NAME: 'base-model',
    OPENAI_BASE_URL: router.url,
    OPENAI_API_KEY: 'sk-test',
    MODEL_SAMPLES: '2',
    FINE_TUNE_PROVIDER: 'openai',
    FINE_TUNE_BASE_MODEL: 'base-model',
    TRAINING_MIN_EXAMPLES: '2',
    TRAINING_SCHEDULE: '6h',
    TRAINING_EVAL_DATASET: path.join(dir, 'eval.jsonl'),
  });
  store = await createFeedbackStore({ url: `sqlite://${dir}/tracefix.sqlite`, retentionDays: 30, dataDir: dir });
});

afterAll(async () => {
  await store?.close();
  await sandbox?.close();
  await router?.close();
  await chat?.close();
  await fineTuning?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What a bot process has: its own registry handle (no shared cache) and the engine. */
function botEngine(): RepairService {
  const registry = createModelRegistry(store.shared.keyv);
  const model = createRepairModel(config.model, { resolveModelId: registry.resolver('base-model', 0) });
  return createRepairEngine({ sandbox, ...(model ? { model } : {}), limits: limitsFromConfig(config), budget: { search: false, secondRound: false, modelSamples: 2 } });
}

function request(name: string, n: number): RepairRequest {
  const t = task(name);
  return { id: `req-${name}-${n}`, code: t.code, tests: t.tests, origin: { platform: 'slack', workspace: 'T1', channel: 'C1', user: `U${n}`, message: `m${n}` } };
}

describe('production self-training loop', () => {
  it('records answers, learns from passing 👍 only, fine-tunes, gates, promotes, and the bot follows', { timeout: 120_000 }, async () => {
    const engine = botEngine();
    // 1. answers, recorded the way the bots record them
    for (const [n, name] of ['add_numbers', 'largest', 'is_even', 'square'].entries()) {
      const req = request(name, n);
      const result = await engine.run(req);
      await store.record({ id: req.id, origin: req.origin, request: { code: req.code, ...(req.tests ? { tests: req.tests } : {}) }, result });
      await store.attachAnswer(req.id, 'slack', `answer-${n}`);
    }
    const fixedNow = await Promise.all(['add_numbers', 'largest', 'is_even', 'square'].map(async (name, n) => (await store.get(`req-${name}-${n}`))?.result.status));
    expect(fixedNow).toEqual(['fixed', 'fixed', 'fixed', 'not_fixed']);
    expect(chat.chatRequests.every((r) => r.model === 'base-model')).toBe(true);

    // 2. feedback: 👍 on two passing fixes and on the failing one; 👎 on a passing one
    const react = async (n: number, user: string, vote: 'up' | 'down') => {
      const interaction = await store.findByAnswer('slack', `answer-${n}`);
      await store.vote(interaction!.id, { user, vote, at: Date.now(), source: 'reaction' });
    };
    await react(0, 'UA', 'up');
    await react(1, 'UB', 'up');
    await react(2, 'UA', 'down');
    await react(3, 'UC', 'up');

    // 3. the scheduled run, composed from the config exactly as src/main.ts does it; the clock is
    //    the test's, so "6 hours later" is a method call.
    const clock = manualClock();
    const outcomes: RunOutcome[] = [];
    let ran: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (ran = resolve));
    const services = createServices(config, { provided: { sandbox, store }, logger: silentLogger() });
    const training = await startSelfTraining(services, {
      clock,
      onRun: (outcome) => {
        if (outcome) outcomes.push(outcome);
        ran();
      },
    });
    expect(training.scheduler?.mode).toBe('in-process');
    clock.advance(6 * 3_600_000);
    await finished;
    const outcome = outcomes[0]!;
    const registry = training.registry;

    // the dataset: exactly the two passing 👍 answers, scrubbed
    expect(fineTuning.files).toHaveLength(1);
    const uploaded = fineTuning.files[0]!;
    expect(uploaded.purpose).toBe('fine-tune');
    const version = (await registry.history())[0]!;
    expect(version.examples + version.heldOut).toBe(2);
    const { readFile } = await import('node:fs/promises');
    const all = uploaded.content + (await readFile(version.datasetPath!.replace(/\.jsonl$/, '.heldout.jsonl'), 'utf8'));
    expect(all).toContain('def add_numbers');
    expect(all).toContain('def largest');
    expect(all).not.toContain('def is_even');
    expect(all).not.toContain('def square');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('jane.doe@example.com');
    expect(all).toContain('[REDACTED_API_KEY]');
    // The prompt in the dataset is exactly what the model received for that answer (rebuilt from the
    // stored request and trace: the bots do not store prompt text), scrubbed.
    const largestExample = all
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] })
      .find((e) => e.messages.at(-2)?.content.includes('def largest'));
    const seenByModel = chat.chatRequests.find((r) => r.model === 'base-model' && /def largest\(/.test(r.messages.at(-1)?.content ?? ''));
    expect(largestExample?.messages.slice(0, -1)).toEqual(seenByModel?.messages);
    for (const line of uploaded.content.trim().split('\n')) {
      const { messages } = JSON.parse(line) as { messages: { role: string; content: string }[] };
      expect(messages[0]?.role).toBe('system');
      expect(messages.at(-1)?.role).toBe('assistant');
      expect(messages.at(-1)?.content).toMatch(/```python\n/);
      expect(messages.at(-2)?.content).toContain('# (');
    }

    // the job, the gate, the promotion
    expect(fineTuning.jobs[0]).toMatchObject({ model: 'base-model', status: 'succeeded', fine_tuned_model: FT_MODEL });
    expect(outcome.kind).toBe('promoted');
    const scores = outcome.kind === 'promoted' ? outcome.version.scores : undefined;
    expect(scores).toMatchObject({ candidate: 1, liveModelId: 'base-model', samples: 2 });
    expect(scores?.tasks).toBeGreaterThanOrEqual(1);
    expect(scores?.live).toBeLessThan(1);
    expect(await registry.liveModelId()).toBe(FT_MODEL);
    const evaluated = new Set(chat.chatRequests.map((r) => r.model));
    expect(evaluated).toEqual(new Set(['base-model', FT_MODEL]));

    // 4. the bot's next answer uses the promoted model, without a restart
    const before = chat.chatRequests.length;
    const next = await engine.run(request('square', 9));
    expect(next.status).toBe('fixed');
    expect(chat.chatRequests.slice(before).map((r) => r.model)).toEqual([FT_MODEL]);
    expect(next.model.id).toBe(FT_MODEL);
    await training.stop();
    await services.close();
  });
});
