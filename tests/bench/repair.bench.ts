/**
 * The program search on HumanEvalFix: median time to a verified fix (tests, trace, search, batched
 * verification) on the sampled tasks it fixes, and candidate variants screened per second of search.
 */
import { existsSync } from 'node:fs';
import { createSandbox } from '../../sandbox/index.ts';
import { loadDataset, requestFor } from '../../src/eval/index.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import { median, type Print } from './stats.ts';

import { HUMANEVALFIX as DATASET } from '../fixtures/shared-data.ts';

export async function bench(print: Print): Promise<void> {
  if (!existsSync(DATASET)) {
    print(`skipped: ${DATASET} is not on this machine`);
    return;
  }
  const every = Number(process.env.REPAIR_BENCH_EVERY ?? 6);
  const tasks = (await loadDataset(DATASET)).filter((_, i) => i % every === 0);
  const sandbox = await createSandbox({ backend: 'process' });
  const engine = createRepairEngine({ sandbox, budget: { searchMs: 10_000 } });
  const fixMs: number[] = [];
  let screened = 0;
  let searchMs = 0;
  try {
    for (const task of tasks) {
      const result = await engine.run(requestFor(task, task.task_id), { deadline: Date.now() + 60_000 });
      screened += result.candidates.tried;
      searchMs += result.timings.searchMs ?? 0;
      if (result.status === 'fixed') fixMs.push(result.timings.totalMs);
    }
  } finally {
    await sandbox.close();
  }
  print(`${`tasks sampled (every ${every}th)`.padEnd(43)}${tasks.length}`);
  print(`${'fixed (verified on the shown tests)'.padEnd(43)}${fixMs.length}`);
  print(`${'median time to a verified fix'.padEnd(43)}${(median(fixMs) / 1000).toFixed(2)} s`);
  print(`${'candidates screened per second of search'.padEnd(43)}${(screened / Math.max(searchMs / 1000, 1e-3)).toFixed(0)}`);
}
