/** The FineTuneProvider contract on each provider the config offers. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { createCommandFineTuneProvider, createExportProvider, createOpenAIFineTuneProvider } from '../../src/training/providers/index.ts';
import { startFineTuningStandIn, type FineTuningStandIn } from '../standins/openai-fine-tuning.ts';
import { fineTuneProviderContract } from './fine-tune-provider-contract.ts';

let dir: string;
let dataset: string;
let api: FineTuningStandIn;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-ft-contract-'));
  dataset = path.join(dir, 'train.jsonl');
  const line = JSON.stringify({ messages: [{ role: 'user', content: 'fix' }, { role: 'assistant', content: 'done' }] });
  await writeFile(dataset, `${line}\n${line}\n`);
  // The team's trainer, as FINE_TUNE_COMMAND runs it: prints the model id it produced last.
  await writeFile(path.join(dir, 'trainer.mjs'), "console.log('training...');\nconsole.log('team/' + process.argv[2] + '-tuned');\n");
  api = await startFineTuningStandIn({ apiKey: 'sk-test', modelId: (job) => `ft:${job.model}:team:${job.suffix}` });
});
afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('FineTuneProvider contract: openai (fine-tuning stand-in)', () => {
  fineTuneProviderContract(() => Promise.resolve({ provider: createOpenAIFineTuneProvider({ apiKey: 'sk-test', baseUrl: api.url }), dataset, trains: true }));
});

describe('FineTuneProvider contract: command (a real trainer process)', () => {
  fineTuneProviderContract(() =>
    Promise.resolve({
      provider: createCommandFineTuneProvider({ command: `${process.execPath} ${path.join(dir, 'trainer.mjs')} {base_model}`, workDir: path.join(dir, 'jobs') }),
      dataset,
      trains: true,
    }),
  );
});

describe('FineTuneProvider contract: export', () => {
  fineTuneProviderContract(() => Promise.resolve({ provider: createExportProvider({ exportDir: path.join(dir, 'export') }), dataset, trains: false }));
});
