/**
 * Self-training and the gate sample JavaScript tasks as JavaScript: the held-out task's language picks
 * the runner (the hidden tests of a JS task judged by Python would fail every fix) and the prompt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, type Sandbox } from '../../sandbox/index.ts';
import { passesHidden, promptInputFor, type SamplingContext } from '../../src/training/sampling.ts';
import { RepairTaskSchema } from '../../src/training/tasks.ts';

let sandbox: Sandbox;
let ctx: SamplingContext;

beforeAll(async () => {
  sandbox = await createSandbox({ backend: 'process', prespawn: 0 });
  ctx = { sandbox, limits: DEFAULT_LIMITS, traceTokens: 2_000 };
});

afterAll(async () => {
  await sandbox.close();
});

const task = RepairTaskSchema.parse({
  task_id: 'js/largest',
  language: 'javascript',
  entry_point: 'largest',
  buggy_solution: 'function largest(xs) {\n  let best = xs[0];\n  for (let i = 1; i < xs.length - 1; i++) {\n    if (xs[i] > best) best = xs[i];\n  }\n  return best;\n}\n',
  given_tests: ['console.assert(largest([2, 9]) === 9);'],
  test: 'console.assert(largest([2, 9]) === 9);\nconsole.assert(largest([5, 1, 7]) === 7);\nconsole.assert(largest([3]) === 3);\n',
});

describe('sampling a JavaScript task', () => {
  it('judges candidate fixes on the hidden tests in the JavaScript runner', async () => {
    const right = task.buggy_solution.replace('i < xs.length - 1', 'i < xs.length');
    const wrong = task.buggy_solution.replace('let i = 1', 'let i = 0');
    expect(await passesHidden(ctx, task, [right, wrong])).toEqual([true, false]);
  });

  it('builds the prompt input as the engine does for a JS paste: its language, failures and a // trace', async () => {
    const input = await promptInputFor(ctx, task);
    expect(input.language).toBe('javascript');
    expect(input.failures.join('\n')).toMatch(/largest\(\[2, 9\]\)/);
    expect(input.trace).toMatch(/\/\/ \(\d+\) xs=\[2, 9\];/);
    expect(input.trace ?? '').not.toMatch(/# \(\d+\)/);
  });
});
