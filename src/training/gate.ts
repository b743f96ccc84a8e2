import type { RepairModel } from '../model/types.ts';
import type { GateScores } from './registry.ts';
import { mapLimit, passAt1, sampleTask, type SamplingContext } from './sampling.ts';
import type { RepairTask } from './tasks.ts';

/**
 * The evaluation gate: a new model replaces the live one only if it is at least as good on the same
 * held-out tasks with the same sample budget. "At least as good" (not strictly better) because the
 * new model has also learnt from recent production data, and equal scores on a small held-out set are
 * common; a worse score is never promoted.
 */

export interface EvaluationScore {
  /** Mean estimated pass@1 over the tasks, 0..1. */
  score: number;
  /** Tasks with at least one passing sample. */
  solved: number;
  total: number;
}

/**
 * Scores a model id on tasks. The repair engineer's eval harness (src/eval) is the intended
 * implementation; `createSamplingEvaluator` below samples the model directly with the NExT prompt.
 */
export interface ModelEvaluator {
  evaluate(modelId: string, tasks: RepairTask[], options: { samples: number }): Promise<EvaluationScore>;
}

export function createSamplingEvaluator(options: {
  context: SamplingContext;
  /** A model that answers as `modelId` (createRepairModel with resolveModelId: () => modelId). */
  modelFor: (modelId: string) => RepairModel;
  concurrency?: number;
}): ModelEvaluator {
  return {
    async evaluate(modelId, tasks, { samples }) {
      const model = options.modelFor(modelId);
      const perTask = await mapLimit(tasks, options.concurrency ?? 2, async (task) => {
        const sampled = await sampleTask(options.context, model, task, samples);
        return passAt1(sampled.samples, samples);
      });
      const total = tasks.length;
      return {
        score: total === 0 ? 0 : perTask.reduce((a, b) => a + b, 0) / total,
        solved: perTask.filter((p) => p > 0).length,
        total,
      };
    },
  };
}

export interface GateDecision {
  promote: boolean;
  scores: GateScores;
  reason: string;
}

export async function runGate(options: {
  evaluator: ModelEvaluator;
  candidateId: string;
  liveId: string;
  tasks: RepairTask[];
  samples: number;
}): Promise<GateDecision> {
  const { evaluator, candidateId, liveId, tasks, samples } = options;
  if (tasks.length === 0) {
    return {
      promote: false,
      scores: { liveModelId: liveId, candidate: 0, live: 0, tasks: 0, samples },
      reason: 'no held-out tasks to evaluate on (kept examples all went to training; set TRAINING_EVAL_DATASET)',
    };
  }
  // Sequential, not parallel: both models then see the sandbox under the same load.
  const candidate = await evaluator.evaluate(candidateId, tasks, { samples });
  const live = await evaluator.evaluate(liveId, tasks, { samples });
  const scores: GateScores = { liveModelId: liveId, candidate: candidate.score, live: live.score, tasks: tasks.length, samples };
  const fmt = (s: EvaluationScore) => `pass@1 ${s.score.toFixed(3)} (${s.solved}/${s.total} solved)`;
  const promote = candidate.score >= live.score;
  return {
    promote,
    scores,
    reason: `${promote ? 'promoted' : 'rejected'}: ${candidateId} ${fmt(candidate)} vs live ${liveId} ${fmt(live)} on ${tasks.length} held-out task(s), ${samples} sample(s) each`,
  };
}
