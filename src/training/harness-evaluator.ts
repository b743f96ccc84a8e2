import type { Limits, Sandbox } from '../../sandbox/index.ts';
import { runEval, type Task } from '../eval/index.ts';
import type { RepairService } from '../repair/types.ts';
import type { EvaluationScore, ModelEvaluator } from './gate.ts';
import type { RepairTask } from './tasks.ts';

/**
 * The gate and the self-training dev evaluation through the repair engineer's eval harness
 * (src/eval): every task through the whole repair loop with the model under test, the returned fix
 * judged on the hidden tests, pass@1 from `samples` runs per task. `engineFor` should build the
 * engine with the program search off, so the score measures the model, not the search both share.
 */
export function createHarnessEvaluator(options: {
  sandbox: Sandbox;
  limits: Limits;
  engineFor: (modelId: string) => RepairService;
  taskDeadlineMs: number;
}): ModelEvaluator {
  return {
    async evaluate(modelId, tasks: RepairTask[], { samples }): Promise<EvaluationScore> {
      const report = await runEval({
        engine: options.engineFor(modelId),
        sandbox: options.sandbox,
        limits: options.limits,
        tasks: tasks.map((t): Task => ({ ...t, prompt: t.prompt ?? '' })),
        samples,
        ks: [1],
        taskDeadlineMs: options.taskDeadlineMs,
      });
      return {
        score: report.pass_at_k['1'] ?? 0,
        solved: report.entries.filter((e) => e.correct > 0).length,
        total: report.tasks,
      };
    },
  };
}
