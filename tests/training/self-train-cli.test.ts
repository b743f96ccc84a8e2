/**
 * `tracefix self-train` through the CLI dispatcher: config from the environment, the chat stand-in as
 * the model server, the operator's trainer command as the fine-tune provider (a script that names
 * the model it "trained"), the eval harness for dev scores, the run folder and its manifest.
 */
import { runCli, type CliRun } from '../fixtures/cli.ts';
import { MBPP_R, haveDataset } from '../fixtures/shared-data.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SelfTrainManifest } from '../../src/training/self-train.ts';
import { loadTasks, type RepairTask } from '../../src/training/tasks.ts';
import { startOpenAIChatStandIn, type OpenAIChatStandIn } from '../standins/openai-chat.ts';
import { answer, lastUserMessage } from './fixtures.ts';

const DATASET = process.env.MBPP_R ?? MBPP_R;
const available = haveDataset(DATASET, 'tracefix self-train');
let dir: string;
let chat: OpenAIChatStandIn;
let tasks: RepairTask[];

beforeAll(async () => {
  if (!available) return;
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-selftrain-cli-'));
  tasks = await loadTasks(DATASET, { limit: 8 });
  chat = await startOpenAIChatStandIn({
    respond: (request) => {
      const task = tasks.find((t) => new RegExp(`def ${t.entry_point}\\s*\\(`).test(lastUserMessage(request)));
      const right = (i: number) => request.model === 'local/tuned-1' || i === 0;
      return {
        content: Array.from({ length: request.n }, (_, i) =>
          task && right(i) ? answer('The trace shows the bug.', task.canonical_solution ?? '') : answer('Unsure.', task?.buggy_solution ?? 'pass'),
        ),
      };
    },
  });
  await writeFile(path.join(dir, 'trainer.mjs'), "console.log('epoch 1 done');\nconsole.log('local/tuned-1');\n");
});
afterAll(async () => {
  await chat?.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(argv: string[]): Promise<CliRun> {
  const env = {
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    TRACEFIX_SANDBOX: 'process',
    MODEL_PROVIDER: 'openai',
    MODEL_NAME: 'base-model',
    OPENAI_BASE_URL: chat.url,
    OPENAI_API_KEY: 'k',
    FINE_TUNE_PROVIDER: 'command',
    FINE_TUNE_COMMAND: `${process.execPath} ${path.join(dir, 'trainer.mjs')} --data {dataset} --out {output} --base {base_model}`,
  };
  return runCli(argv, env);
}

describe.runIf(available)('tracefix self-train', () => {
  it('runs one iteration from the command line and writes the run folder', { timeout: 240_000 }, async () => {
    const run = path.join(dir, 'run');
    const { code, out, err } = await cli(['self-train', '--dataset', DATASET, '--samples', '16', '--iterations', '1', '--limit', '8', '--dev-samples', '1', '--run', run]);
    expect(err).toContain('Iteration 1: sampling 16 per task');
    expect(out).toContain(`Run folder: ${run}`);
    expect(out).toMatch(/Best: local\/tuned-1/);
    expect(code).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(run, 'manifest.json'), 'utf8')) as SelfTrainManifest;
    expect(manifest.runs[0]).toMatchObject({ status: 'evaluated', modelId: 'local/tuned-1' });
    expect(manifest.runs[0]?.job?.provider).toBe('command');
  });

  it('explains bad arguments', async () => {
    expect((await cli(['self-train'])).err).toContain('--dataset is required');
    expect((await cli(['self-train', '--dataset', DATASET, '--samples', '0'])).code).toBe(2);
  });
});
