/**
 * A sample of HumanEvalFix through the pyodide and process backends: canonical solutions pass, buggy
 * ones fail, and the buggy one's failing test traces. The full 164-task run is
 * tests/bench/humanevalfix-check.bench.ts.
 */
import { haveDataset } from '../fixtures/shared-data.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessSandbox } from '../../sandbox/process/index.ts';
import { PyodideSandbox } from '../../sandbox/pyodide/index.ts';
import type { Sandbox } from '../../sandbox/types.ts';
import { HUMANEVALFIX, checkAll, loadTasks } from '../bench/humanevalfix-check.bench.ts';

const available = haveDataset(HUMANEVALFIX, 'humanevalfix sample');
// Spread over the set: string, list, arithmetic and recursion tasks.
const SAMPLE = [0, 10, 32, 55, 81, 107, 130, 163];

describe.skipIf(!available)('HumanEvalFix sample', () => {
  const tasks = available ? loadTasks().filter((_, i) => SAMPLE.includes(i)) : [];
  const sandboxes: Sandbox[] = [];
  afterAll(async () => {
    await Promise.all(sandboxes.map((s) => s.close()));
  });

  it.each([
    ['process', () => new ProcessSandbox()],
    ['pyodide', () => new PyodideSandbox({ poolSize: 1 })],
  ] as const)('%s: canonical passes, buggy fails, and the failure traces', async (_name, make) => {
    const sandbox = make();
    sandboxes.push(sandbox);
    const outcomes = await checkAll(sandbox, tasks, true, 1);
    expect(outcomes.filter((o) => !o.canonicalPasses).map((o) => `${o.task} ${o.note ?? ''}`)).toEqual([]);
    expect(outcomes.filter((o) => !o.buggyFails).map((o) => o.task)).toEqual([]);
    expect(outcomes.filter((o) => !o.traced).map((o) => o.task)).toEqual([]);
  }, 120_000);
});
