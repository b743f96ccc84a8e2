import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCommandFineTuneProvider, splitCommandLine } from './command.ts';
import type { FineTuneProgress, FineTuneProvider } from './types.ts';

/**
 * tracefix's own trainer (src/training/trainer/train.py: LoRA through transformers + peft) on a base
 * model folder, for teams that serve their own open model. It runs as a `command` job — same job
 * folders, status file, cancel and restart behaviour — with a command line built here. The merged
 * model is published to `modelsDir/<model id>` in one rename at the very end of a successful run, so a
 * failed, crashed or cancelled run never touches a model being served; the serving endpoint serves
 * the folders it finds there, and the gate then asks it for the new id.
 */
export interface LocalFineTuneOptions {
  /** Parent folder of job folders (e.g. <dataDir>/training/jobs). */
  workDir: string;
  /** Where merged models are published, one folder per model id. */
  modelsDir: string;
  /** The interpreter with torch, transformers and peft. Default: the project's .venv-trainer, else python3. */
  python?: string;
  /** Extra trainer flags (hyper-parameters), e.g. "--steps 200 --lora-rank 16". */
  args?: string;
  onProgress?: (job: string, progress: FineTuneProgress) => void;
  now?: () => number;
}

export const TRAINER_SCRIPT = fileURLToPath(new URL('../trainer/train.py', import.meta.url));
export const SERVER_SCRIPT = fileURLToPath(new URL('../trainer/serve.py', import.meta.url));

/** .ci/run installs the trainer's packages into <repo>/.venv-trainer. */
export function defaultTrainerPython(): string {
  const venv = fileURLToPath(new URL('../../../.venv-trainer/bin/python', import.meta.url));
  return existsSync(venv) ? venv : 'python3';
}

export function createLocalFineTuneProvider(options: LocalFineTuneOptions): FineTuneProvider {
  const argv = [
    options.python ?? defaultTrainerPython(),
    TRAINER_SCRIPT,
    '--data', '{dataset}',
    '--base', '{base_model}',
    '--out', '{output}',
    '--suffix', '{suffix}',
    '--publish-dir', options.modelsDir,
    ...(options.args ? splitCommandLine(options.args) : []),
  ];
  return createCommandFineTuneProvider({
    command: argv,
    name: 'local',
    workDir: options.workDir,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
