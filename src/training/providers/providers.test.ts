import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFineTuningStandIn, type FineTuningStandIn } from '../../../tests/standins/openai-fine-tuning.ts';
import { createCommandFineTuneProvider, createExportProvider, createOpenAIFineTuneProvider, isFinal, openAIJobEvents, splitCommandLine, type FineTuneJob, type FineTuneProvider, type FineTuneStatus } from './index.ts';

let dir: string;
let dataset: string;
const LINE = JSON.stringify({ messages: [{ role: 'user', content: 'fix' }, { role: 'assistant', content: 'done' }] });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-ft-'));
  dataset = path.join(dir, 'train.jsonl');
  await writeFile(dataset, `${LINE}\n${LINE}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function waitFinal(provider: FineTuneProvider, job: FineTuneJob): Promise<{ final: FineTuneStatus; seen: string[] }> {
  const seen: string[] = [];
  for (let i = 0; i < 200; i++) {
    const status = await provider.status(job);
    seen.push(status.state);
    if (isFinal(status.state)) return { final: status, seen };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('job never finished');
}

describe('openai provider against the fine-tuning stand-in', () => {
  let api: FineTuningStandIn;
  beforeAll(async () => {
    api = await startFineTuningStandIn({ apiKey: 'sk-test', modelId: (job) => `ft:${job.model}:tracefix:${job.suffix}` });
  });
  afterAll(() => api.close());

  it('uploads the file, creates the job, follows it to the fine-tuned model id', async () => {
    const provider = createOpenAIFineTuneProvider({ apiKey: 'sk-test', baseUrl: api.url });
    const job = await provider.submit(dataset, { baseModel: 'gpt-4o-mini-2024-07-18', suffix: 'run1' });
    expect(api.files[0]).toMatchObject({ purpose: 'fine-tune', content: `${LINE}\n${LINE}\n` });
    expect(api.jobs[0]).toMatchObject({ model: 'gpt-4o-mini-2024-07-18', suffix: 'run1', training_file: api.files[0]?.id });
    const { final, seen } = await waitFinal(provider, job);
    expect(seen).toEqual(['queued', 'running', 'succeeded']);
    expect(final).toEqual({ state: 'succeeded', modelId: 'ft:gpt-4o-mini-2024-07-18:tracefix:run1' });
    const upload = api.requests.find((r) => r.path === '/v1/files');
    expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data/);
    const events = await openAIJobEvents({ apiKey: 'sk-test', baseUrl: api.url }, job.id);
    expect(events[0]).toBe('The job has successfully completed');
    expect(events.at(-1)).toBe(`Created fine-tuning job: ${job.id}`);
  });

  it('reports a failed job with the API’s reason', async () => {
    const provider = createOpenAIFineTuneProvider({ apiKey: 'sk-test', baseUrl: api.url });
    api.failNext('training loss diverged');
    const job = await provider.submit(dataset, { baseModel: 'base', suffix: 'bad' });
    const { final } = await waitFinal(provider, job);
    expect(final).toEqual({ state: 'failed', error: 'training loss diverged' });
  });

  it('cancels a running job', async () => {
    const provider = createOpenAIFineTuneProvider({ apiKey: 'sk-test', baseUrl: api.url });
    const job = await provider.submit(dataset, { baseModel: 'base', suffix: 'stop' });
    await provider.cancel(job);
    await api.waitForRequest((r) => r.path === `/v1/fine_tuning/jobs/${job.id}/cancel`);
    expect((await provider.status(job)).state).toBe('cancelled');
    await provider.cancel(job); // already ended: not an error
  });

  it('translates a bad key into model_auth without the key in the message', async () => {
    const provider = createOpenAIFineTuneProvider({ apiKey: 'sk-wrong-key-123', baseUrl: api.url });
    const error = await provider.submit(dataset, { baseModel: 'base', suffix: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model_auth' });
    expect((error as Error).message).not.toContain('sk-wrong-key-123');
  });
});

describe('command provider', () => {
  const trainer = () => path.join(dir, 'trainer.mjs');
  beforeAll(async () => {
    await writeFile(
      trainer(),
      [
        "import { writeFileSync, mkdirSync } from 'node:fs';",
        'const [mode, data, out, base] = process.argv.slice(2);',
        "writeFileSync(out + '/../argv.json', JSON.stringify(process.argv.slice(2)));",
        "if (mode === 'fail') { console.error('boom'); process.exit(3); }",
        "if (mode === 'sleep') setTimeout(() => {}, 60000);",
        "if (mode === 'progress') { console.log('{\"event\": \"start\"}\\nloading weights'); for (let i = 1; i <= 3; i++) console.log(JSON.stringify({ event: 'step', step: i, steps: 3, loss: 3 - i + 0.5 })); console.log(JSON.stringify({ event: 'done', model_id: 'local/p-1' })); }",
        "if (mode === 'jsonfail') { console.log(JSON.stringify({ event: 'step', step: 1, steps: 9, loss: 2 })); console.log(JSON.stringify({ event: 'error', message: 'ValueError: the loss diverged at step 2' })); process.exit(1); }",
        "else if (mode === 'json') { mkdirSync(out, { recursive: true }); writeFileSync(out + '/result.json', JSON.stringify({ model_id: 'local/' + base + '-tuned' })); }",
        "else if (mode === 'stdout') console.log('training...\\nmy-org/model-v2');",
      ].join('\n'),
    );
  });

  it('splits the command line like a shell, without expansion', () => {
    expect(splitCommandLine(`python3 "my trainer.py" --name 'a b' x\\ y $HOME {dataset}`)).toEqual(['python3', 'my trainer.py', '--name', 'a b', 'x y', '$HOME', '{dataset}']);
  });

  it('passes paths as single arguments: nothing in the data reaches a shell', async () => {
    const evil = path.join(dir, 'x; touch pwned $(touch pwned2).jsonl');
    await writeFile(evil, LINE + '\n');
    const provider = createCommandFineTuneProvider({ command: `${process.execPath} ${trainer()} stdout {dataset} {output} {base_model}`, workDir: path.join(dir, 'jobs') });
    const job = await provider.submit(evil, { baseModel: 'llama; rm -rf /', suffix: 's' });
    const { final } = await waitFinal(provider, job);
    expect(final).toEqual({ state: 'succeeded', modelId: 'my-org/model-v2' });
    const argv = JSON.parse(await readFile(path.join(job.dir ?? '', 'argv.json'), 'utf8')) as string[];
    expect(argv).toEqual(['stdout', evil, path.join(job.dir ?? '', 'output'), 'llama; rm -rf /']);
    await expect(access(path.join(job.dir ?? '', 'pwned'))).rejects.toThrow();
    await expect(access(path.join(dir, 'pwned'))).rejects.toThrow();
  });

  it('reads the model id from output/result.json, and reports failures with the exit code', async () => {
    const ok = createCommandFineTuneProvider({ command: `${process.execPath} ${trainer()} json {dataset} {output} base7b`, workDir: path.join(dir, 'jobs') });
    expect((await waitFinal(ok, await ok.submit(dataset, { baseModel: 'b', suffix: 's' }))).final).toEqual({ state: 'succeeded', modelId: 'local/base7b-tuned' });
    const bad = createCommandFineTuneProvider({ command: `${process.execPath} ${trainer()} fail {dataset} {output}`, workDir: path.join(dir, 'jobs') });
    const { final } = await waitFinal(bad, await bad.submit(dataset, { baseModel: 'b', suffix: 's' }));
    expect(final.state).toBe('failed');
    expect(final.error).toContain('code 3');
  });

  it('streams the trainer progress lines, names the model from its done line, and reports its error line', async () => {
    const seen: { job: string; step: number; loss: number }[] = [];
    const provider = createCommandFineTuneProvider({
      command: [process.execPath, trainer(), 'progress', '{dataset}', '{output}'],
      name: 'local',
      workDir: path.join(dir, 'jobs'),
      onProgress: (job, p) => seen.push({ job, step: p.step, loss: p.loss }),
    });
    expect(provider.name).toBe('local');
    const job = await provider.submit(dataset, { baseModel: 'b', suffix: 's' });
    expect(job.provider).toBe('local');
    const { final } = await waitFinal(provider, job);
    expect(final).toEqual({ state: 'succeeded', modelId: 'local/p-1', progress: { step: 3, steps: 3, loss: 0.5 } });
    expect(seen).toEqual([1, 2, 3].map((step) => ({ job: job.id, step, loss: 3 - step + 0.5 })));

    const failing = createCommandFineTuneProvider({ command: [process.execPath, trainer(), 'jsonfail', '{dataset}', '{output}'], workDir: path.join(dir, 'jobs') });
    const failed = (await waitFinal(failing, await failing.submit(dataset, { baseModel: 'b', suffix: 's' }))).final;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^trainer exited with code 1: ValueError: the loss diverged at step 2 \(see /);
  });

  it('cancels a running trainer, and a restarted process still knows the outcome', async () => {
    const provider = createCommandFineTuneProvider({ command: `${process.execPath} ${trainer()} sleep {dataset} {output}`, workDir: path.join(dir, 'jobs') });
    const job = await provider.submit(dataset, { baseModel: 'b', suffix: 's' });
    expect((await provider.status(job)).state).toBe('running');
    await provider.cancel(job);
    const restarted = createCommandFineTuneProvider({ command: 'unused', workDir: path.join(dir, 'jobs') });
    expect((await restarted.status(job)).state).toBe('cancelled');
  });

  it('fails clearly when the trainer cannot be started', async () => {
    const provider = createCommandFineTuneProvider({ command: '/nonexistent/trainer {dataset}', workDir: path.join(dir, 'jobs') });
    await expect(provider.submit(dataset, { baseModel: 'b', suffix: 's' })).rejects.toMatchObject({ code: 'fine_tune_failed' });
  });
});

describe('export provider', () => {
  it('writes the dataset and ends without a model', async () => {
    const provider = createExportProvider({ exportDir: path.join(dir, 'export') });
    const job = await provider.submit(dataset, { baseModel: 'b', suffix: 'weekly' });
    expect(await readFile(job.dir ?? '', 'utf8')).toBe(`${LINE}\n${LINE}\n`);
    expect(await provider.status(job)).toEqual({ state: 'succeeded' });
  });
});
