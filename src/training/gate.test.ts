/**
 * The evaluation gate: the decision rule (runGate) on scores an evaluator reports, and the sampling
 * evaluator itself on real tasks — the real model client against the OpenAI stand-in, fixes run by
 * the process sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type Sandbox } from '../../sandbox/index.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../../tests/standins/openai-chat.ts';
import { scriptedReply, type ScriptedTask } from '../../tests/training/fixtures.ts';
import { loadConfig } from '../config/index.ts';
import { createRepairModel } from '../model/index.ts';
import { createSamplingEvaluator, runGate, type EvaluationScore, type ModelEvaluator } from './gate.ts';
import type { RepairTask } from './tasks.ts';

const TASKS: RepairTask[] = [
  { task_id: 't1', buggy_solution: 'def add(a, b):\n    return a - b\n', test: 'assert add(1, 2) == 3\nassert add(0, 5) == 5', entry_point: 'add' },
  { task_id: 't2', buggy_solution: 'def double(x):\n    return x + 2\n', test: 'assert double(3) == 6\nassert double(0) == 0', entry_point: 'double' },
];

/** Scores by model id, and the calls in the order they came. */
function tableEvaluator(scores: Record<string, EvaluationScore>): ModelEvaluator & { calls: { modelId: string; tasks: number; samples: number }[] } {
  const calls: { modelId: string; tasks: number; samples: number }[] = [];
  return {
    calls,
    evaluate(modelId, tasks, { samples }) {
      calls.push({ modelId, tasks: tasks.length, samples });
      const score = scores[modelId];
      return score ? Promise.resolve(score) : Promise.reject(new Error(`no score for ${modelId}`));
    },
  };
}

describe('runGate', () => {
  const gate = (candidate: EvaluationScore, live: EvaluationScore, tasks = TASKS) => {
    const evaluator = tableEvaluator({ cand: candidate, live });
    return { evaluator, decision: runGate({ evaluator, candidateId: 'cand', liveId: 'live', tasks, samples: 3 }) };
  };

  it('promotes a better candidate, and says so with both scores', async () => {
    const { evaluator, decision } = gate({ score: 0.75, solved: 2, total: 2 }, { score: 0.5, solved: 1, total: 2 });
    expect(await decision).toEqual({
      promote: true,
      scores: { liveModelId: 'live', candidate: 0.75, live: 0.5, tasks: 2, samples: 3 },
      reason: 'promoted: cand pass@1 0.750 (2/2 solved) vs live live pass@1 0.500 (1/2 solved) on 2 held-out task(s), 3 sample(s) each',
    });
    // The candidate first, then the live model, on the same tasks and budget.
    expect(evaluator.calls).toEqual([
      { modelId: 'cand', tasks: 2, samples: 3 },
      { modelId: 'live', tasks: 2, samples: 3 },
    ]);
  });

  it('promotes on a tie, and never a worse candidate', async () => {
    const tie = await gate({ score: 0.5, solved: 1, total: 2 }, { score: 0.5, solved: 1, total: 2 }).decision;
    expect(tie.promote).toBe(true);
    const worse = await gate({ score: 0.499, solved: 1, total: 2 }, { score: 0.5, solved: 1, total: 2 }).decision;
    expect(worse.promote).toBe(false);
    expect(worse.reason).toBe('rejected: cand pass@1 0.499 (1/2 solved) vs live live pass@1 0.500 (1/2 solved) on 2 held-out task(s), 3 sample(s) each');
    expect(worse.scores).toEqual({ liveModelId: 'live', candidate: 0.499, live: 0.5, tasks: 2, samples: 3 });
  });

  it('does not promote, nor run anything, without held-out tasks', async () => {
    const { evaluator, decision } = gate({ score: 1, solved: 2, total: 2 }, { score: 0, solved: 0, total: 2 }, []);
    expect(await decision).toEqual({
      promote: false,
      scores: { liveModelId: 'live', candidate: 0, live: 0, tasks: 0, samples: 3 },
      reason: 'no held-out tasks to evaluate on (kept examples all went to training; set TRAINING_EVAL_DATASET)',
    });
    expect(evaluator.calls).toEqual([]);
  });
});

describe('createSamplingEvaluator (process sandbox, OpenAI stand-in)', () => {
  let sandbox: Sandbox;
  let server: OpenAIChatStandIn;
  const scripted: ScriptedTask[] = [
    { name: 'add', code: TASKS[0]!.buggy_solution, tests: TASKS[0]!.test, fix: 'def add(a, b):\n    return a + b\n', wrong: 'def add(a, b):\n    return a * b\n' },
    { name: 'double', code: TASKS[1]!.buggy_solution, tests: TASKS[1]!.test, fix: 'def double(x):\n    return x * 2\n', wrong: 'def double(x):\n    return x + 3\n' },
  ];

  beforeAll(async () => {
    sandbox = await createSandbox({ backend: 'process', maxProcesses: 1024 });
    // good: every sample right; half: the first sample of each task right; bad: none; add-only: only add's.
    server = await startOpenAIChatStandIn({
      respond: scriptedReply(scripted, (request, task, choice) =>
        request.model === 'good' ? true : request.model === 'half' ? choice === 0 : request.model === 'add-only' ? task.name === 'add' : false,
      ),
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await sandbox?.close();
  });

  const evaluator = (concurrency?: number) =>
    createSamplingEvaluator({
      context: { sandbox, limits: DEFAULT_LIMITS, traceTokens: 800 },
      modelFor: (modelId) =>
        createRepairModel(loadConfig({ MODEL_PROVIDER: 'openai', MODEL_NAME: 'unused', OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'k' }).model, {
          resolveModelId: () => modelId,
        })!,
      ...(concurrency === undefined ? {} : { concurrency }),
    });

  it('scores mean pass@1 over the tasks, and counts the tasks with a passing sample', async () => {
    const gateEvaluator = evaluator();
    expect(await gateEvaluator.evaluate('good', TASKS, { samples: 2 })).toEqual({ score: 1, solved: 2, total: 2 });
    expect(await gateEvaluator.evaluate('half', TASKS, { samples: 2 })).toEqual({ score: 0.5, solved: 2, total: 2 });
    expect(await gateEvaluator.evaluate('add-only', TASKS, { samples: 2 })).toEqual({ score: 0.5, solved: 1, total: 2 });
    expect(await gateEvaluator.evaluate('bad', TASKS, { samples: 1 })).toEqual({ score: 0, solved: 0, total: 2 });
    // Each model was asked for its own answers.
    expect(new Set(server.chatRequests.map((r) => r.model))).toEqual(new Set(['good', 'half', 'add-only', 'bad']));
  }, 60_000);

  it('scores 0 on no tasks without asking the model', async () => {
    const before = server.chatRequests.length;
    expect(await evaluator(1).evaluate('good', [], { samples: 2 })).toEqual({ score: 0, solved: 0, total: 0 });
    expect(server.chatRequests).toHaveLength(before);
  });

  it('runs tasks at the concurrency it is given', async () => {
    const many = [...TASKS, ...TASKS.map((t) => ({ ...t, task_id: `${t.task_id}b` }))];
    const fresh = await startOpenAIChatStandIn({ respond: scriptedReply(scripted, () => true) });
    try {
      const one = createSamplingEvaluator({
        context: { sandbox, limits: DEFAULT_LIMITS, traceTokens: 800 },
        modelFor: (modelId) =>
          createRepairModel(loadConfig({ MODEL_PROVIDER: 'openai', MODEL_NAME: 'unused', OPENAI_BASE_URL: fresh.url, OPENAI_API_KEY: 'k' }).model, {
            resolveModelId: () => modelId,
          })!,
        concurrency: 1,
      });
      expect(await one.evaluate('good', many, { samples: 1 })).toEqual({ score: 1, solved: 4, total: 4 });
      expect(fresh.maxInFlight).toBe(1);
    } finally {
      await fresh.close();
    }
  }, 60_000);
});
