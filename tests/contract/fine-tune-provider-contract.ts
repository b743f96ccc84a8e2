/**
 * What every FineTuneProvider must do (DESIGN.md §3): `submit` returns a job that names the provider
 * and base model and survives being stored as JSON (the scheduler keeps polling it after a restart);
 * `status` reaches a final state; a trainer that succeeds names the model to serve (export trains
 * nothing, so names none); `cancel` on a job that already ended is not an error. Run against the
 * openai provider (fine-tuning stand-in), the command provider (a real trainer process) and export.
 */
import { expect, it } from 'vitest';
import { isFinal, type FineTuneJob, type FineTuneProvider, type FineTuneStatus } from '../../src/training/providers/index.ts';

export interface ProviderUnderTest {
  provider: FineTuneProvider;
  /** A JSONL training file the provider can take. */
  dataset: string;
  /** False for export: nothing is trained, so no model id. */
  trains: boolean;
}

async function untilFinal(provider: FineTuneProvider, job: FineTuneJob): Promise<FineTuneStatus> {
  for (let i = 0; i < 500; i++) {
    const status = await provider.status(job);
    if (isFinal(status.state)) return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`job ${job.id} never reached a final state`);
}

export function fineTuneProviderContract(setup: () => Promise<ProviderUnderTest>): void {
  it('submits a job that survives a JSON round trip and ends in success', { timeout: 30_000 }, async () => {
    const { provider, dataset, trains } = await setup();
    const job = await provider.submit(dataset, { baseModel: 'base-model', suffix: 'contract' });
    expect(job.provider).toBe(provider.name);
    expect(job.baseModel).toBe('base-model');
    const stored = JSON.parse(JSON.stringify(job)) as FineTuneJob;
    const final = await untilFinal(provider, stored);
    expect(final.state).toBe('succeeded');
    if (trains) expect(final.modelId).toEqual(expect.any(String));
    else expect(final.modelId).toBeUndefined();
  });

  it('cancelling a job that already ended is not an error and changes nothing', { timeout: 30_000 }, async () => {
    const { provider, dataset } = await setup();
    const job = await provider.submit(dataset, { baseModel: 'base-model', suffix: 'ended' });
    const final = await untilFinal(provider, job);
    await provider.cancel(job);
    expect((await provider.status(job)).state).toBe(final.state);
  });
}
