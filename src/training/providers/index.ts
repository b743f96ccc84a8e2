import path from 'node:path';
import type { Config } from '../../config/index.ts';
import { TracefixError } from '../../errors.ts';
import { createCommandFineTuneProvider } from './command.ts';
import { createExportProvider } from './export.ts';
import { createLocalFineTuneProvider } from './local.ts';
import { createOpenAIFineTuneProvider } from './openai.ts';
import type { FineTuneProgress, FineTuneProvider } from './types.ts';

export * from './types.ts';
export { createCommandFineTuneProvider, progressOf, splitCommandLine } from './command.ts';
export { createLocalFineTuneProvider, defaultTrainerPython, SERVER_SCRIPT, TRAINER_SCRIPT } from './local.ts';
export { createExportProvider } from './export.ts';
export { createOpenAIFineTuneProvider, openAIJobEvents } from './openai.ts';

/** The provider the config names (FINE_TUNE_PROVIDER). */
export function createFineTuneProvider(
  config: Pick<Config, 'training' | 'dataDir'> & { model: Pick<Config['model'], 'openai'> },
  options: { now?: () => number; onProgress?: (job: string, progress: FineTuneProgress) => void } = {},
): FineTuneProvider {
  const extra = options.now ? { now: options.now } : {};
  const progress = options.onProgress ? { onProgress: options.onProgress } : {};
  switch (config.training.provider) {
    case 'openai':
      return createOpenAIFineTuneProvider({ ...config.model.openai, ...extra });
    case 'command':
      if (!config.training.command) throw new TracefixError('bad_config', 'Invalid setting FINE_TUNE_COMMAND: required when FINE_TUNE_PROVIDER=command');
      return createCommandFineTuneProvider({ command: config.training.command, workDir: path.join(config.dataDir, 'training', 'jobs'), ...extra, ...progress });
    case 'local': {
      const { trainerPython, trainerArgs, modelsDir } = config.training;
      return createLocalFineTuneProvider({
        workDir: path.join(config.dataDir, 'training', 'jobs'),
        modelsDir: path.resolve(modelsDir ?? path.join(config.dataDir, 'training', 'models')),
        ...(trainerPython !== undefined ? { python: trainerPython } : {}),
        ...(trainerArgs !== undefined ? { args: trainerArgs } : {}),
        ...extra,
        ...progress,
      });
    }
    case 'export':
      return createExportProvider({ exportDir: path.join(config.dataDir, 'training', 'export'), ...extra });
  }
}
