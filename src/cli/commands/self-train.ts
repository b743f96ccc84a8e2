/**
 * `tracefix self-train --dataset FILE --samples 32 --iterations N [--limit 20] [--run DIR] [--resume]`:
 * the offline NExT loop over a repair data set (src/training/self-train.ts). Needs a model
 * (MODEL_PROVIDER other than offline) and a fine-tune provider (FINE_TUNE_PROVIDER openai or command;
 * with export it writes the first training file and stops).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TracefixError } from '../../errors.ts';
import { evaluatorFromServices } from '../../training/compose.ts';
import { createFineTuneProvider } from '../../training/providers/index.ts';
import { baseModelOf } from '../../training/scheduler.ts';
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
  usage: 'tracefix self-train --dataset FILE.jsonl --samples 32 --iterations N [--limit 20] [--dev-samples 8] [--run DIR] [--resume]',
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
      },
    });
    const config = context.config;
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
