/**
 * `tracefix self-train --dataset FILE --samples 32 --iterations N [--limit 20] [--run DIR] [--resume]`:
 * the offline NExT loop over a repair data set (src/training/self-train.ts). Needs a model
 * (MODEL_PROVIDER other than offline) and a fine-tune provider (FINE_TUNE_PROVIDER openai, command or
 * local; with export it writes the first training file and stops).
 *
 * `tracefix self-train --from-feedback`: one run of the production loop now, instead of waiting for
 * TRAINING_SCHEDULE — the dataset from the feedback store, the fine-tune job (with local: tracefix's
 * trainer, its progress shown as it trains), the gate against the live model on the held-out slice,
 * and the promotion if the candidate is at least as good.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TracefixError } from '../../errors.ts';
import { evaluatorFromServices } from '../../training/compose.ts';
import type { CliContext } from '../context.ts';
import { createFineTuneProvider } from '../../training/providers/index.ts';
import { trainingRunDeps } from '../../training/run-deps.ts';
import { baseModelOf, runTrainingOnce } from '../../training/scheduler.ts';
import { runSelfTraining } from '../../training/self-train.ts';
import { EXIT, type CliCommand } from '../context.ts';

function positiveInt(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new TracefixError('bad_input', `--${name} is required.`);
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TracefixError('bad_input', `--${name} must be a whole number of at least 1.`);
  return n;
}

export const command: CliCommand = {
  summary: 'Run the offline NExT self-training loop on a repair data set',
  usage:
    'tracefix self-train --dataset FILE.jsonl --samples 32 --iterations N [--limit 20] [--dev-samples 8] [--run DIR] [--resume]\n' +
    '       tracefix self-train --from-feedback',
  async run(argv, context) {
    const { values } = parseArgs({
      args: argv,
      options: {
        dataset: { type: 'string' },
        samples: { type: 'string' },
        iterations: { type: 'string' },
        limit: { type: 'string' },
        'dev-samples': { type: 'string' },
        run: { type: 'string' },
        resume: { type: 'boolean' },
        'from-feedback': { type: 'boolean' },
      },
    });
    const config = context.config;
    if (values['from-feedback']) return fromFeedback(context);
    if (!values.dataset) throw new TracefixError('bad_input', '--dataset is required (e.g. ../shared/data/mbpp-r.jsonl).');
    const samples = positiveInt(values.samples, 'samples', 32);
    const iterations = positiveInt(values.iterations, 'iterations', 1);
    const limit = values.limit === undefined ? undefined : positiveInt(values.limit, 'limit');
    const devSamples = values['dev-samples'] === undefined ? undefined : positiveInt(values['dev-samples'], 'dev-samples');
    if (config.model.provider === 'offline' || !config.model.name) {
      throw new TracefixError('bad_config', 'Self-training samples a language model: set MODEL_PROVIDER and MODEL_NAME.');
    }
    const runDir = values.run ?? path.join(config.dataDir, 'self-train', new Date().toISOString().replace(/[:.]/g, '-'));
    const services = context.services();
    const [sandbox, modelFor] = await Promise.all([services.sandbox(), services.modelFactory()]);
    // Dev scores through the eval harness (the repair loop with the model under test).
    const evaluator = await evaluatorFromServices(services);
    const manifest = await runSelfTraining({
      datasetPath: values.dataset,
      runDir,
      resume: values.resume ?? false,
      samples,
      iterations,
      ...(limit !== undefined ? { limit } : {}),
      ...(devSamples !== undefined ? { devSamples } : {}),
      baseModel: baseModelOf(config),
      initialModelId: config.model.name,
      provider: createFineTuneProvider(config),
      context: { sandbox, limits: services.limits, traceTokens: config.repair.traceTokens },
      modelFor,
      ...(evaluator ? { evaluator } : {}),
      concurrency: config.model.concurrency,
      logger: context.logger,
      onProgress: (line) => context.err.write(line + '\n'),
    });
    const best = manifest.best;
    context.out.write(
      `Run folder: ${runDir}\n` +
        `Baseline ${manifest.initialModelId}: dev pass@1 ${(manifest.baselineDevScore ?? 0).toFixed(3)}\n` +
        manifest.runs
          .map((r) => `Iteration ${r.n}: ${r.status}, ${r.kept} kept from ${r.hardTasks} hard task(s)${r.modelId ? `, ${r.modelId}` : ''}${r.devScore !== undefined ? ` dev pass@1 ${r.devScore.toFixed(3)}` : ''}${r.error ? ` (${r.error})` : ''}`)
          .join('\n') +
        `\nBest: ${best ? `${best.modelId} (${best.devScore.toFixed(3)}, iteration ${best.iteration})` : 'none'}\n`,
    );
    return manifest.finished ? EXIT.ok : EXIT.failing;
  },
};

/** One production training run, now. Exit 0 when a model was promoted (or the dataset exported). */
async function fromFeedback(context: CliContext): Promise<number> {
  const config = context.config;
  if (config.model.provider === 'offline' || !config.model.name) {
    throw new TracefixError('bad_config', 'The gate compares models: set MODEL_PROVIDER and MODEL_NAME (the live model at your serving endpoint).');
  }
  const services = context.services();
  const [sandbox, store] = await Promise.all([services.sandbox(), services.store()]);
  try {
    const provider = createFineTuneProvider(config, {
      onProgress: (job, p) => context.err.write(`  ${job} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)}\n`),
    });
    const deps = await trainingRunDeps(config, { store, sandbox, logger: context.logger, provider, pollIntervalMs: 2000 });
    context.err.write(`Training run with ${provider.name}, base ${deps.baseModel}...\n`);
    const outcome = await runTrainingOnce(deps);
    if (outcome.kind === 'waiting') {
      context.out.write(`Not enough new examples: ${outcome.newExamples} of ${outcome.minExamples} (TRAINING_MIN_EXAMPLES).\n`);
      return EXIT.failing;
    }
    const v = outcome.version;
    context.out.write(
      `Run ${v.id}: ${v.status}${v.modelId ? `, model ${v.modelId}` : ''}; ${v.examples} training / ${v.heldOut} held-out example(s)\n` +
        `${v.reason ?? ''}\n` +
        `Live model: ${(await deps.registry.liveModelId()) ?? config.model.name}\n`,
    );
    return outcome.kind === 'promoted' || outcome.kind === 'exported' ? EXIT.ok : EXIT.failing;
  } finally {
    await services.close();
  }
}
