import { createReadStream } from 'node:fs';
import OpenAI, { APIError } from 'openai';
import { TracefixError } from '../../errors.ts';
import type { FineTuneJob, FineTuneProvider, FineTuneState, FineTuneStatus } from './types.ts';

export interface OpenAIFineTuneOptions {
  apiKey?: string;
  /** OpenAI-compatible base URL including /v1 (a stand-in in tests); default api.openai.com. */
  baseUrl?: string;
  now?: () => number;
}

/** Vendor errors become ours here, where the SDK is called (DESIGN habit 3). */
function translate(action: string, error: unknown): TracefixError {
  if (error instanceof TracefixError) return error;
  if (error instanceof APIError) {
    const status: number = typeof (error.status as unknown) === 'number' ? (error.status as number) : 0;
    if (status === 401 || status === 403) {
      return new TracefixError('model_auth', 'The fine-tuning API rejected our credentials (check OPENAI_API_KEY).', {
        cause: error,
        detail: `fine-tuning ${action}: ${status} ${error.message}`,
      });
    }
    return new TracefixError('fine_tune_failed', `The fine-tuning API refused to ${action}: ${error.message}`, {
      cause: error,
      retryable: status === 429 || status >= 500 || status === 0,
      detail: `fine-tuning ${action}: ${status} ${error.message}`,
    });
  }
  return new TracefixError('fine_tune_failed', `Could not reach the fine-tuning API to ${action}.`, {
    cause: error,
    retryable: true,
    detail: `fine-tuning ${action}: ${error instanceof Error ? error.message : String(error)}`,
  });
}

const STATES: Record<string, FineTuneState> = {
  validating_files: 'queued',
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

/**
 * OpenAI's fine-tuning API through the official SDK (the one @langchain/openai already brings):
 * upload the JSONL with purpose "fine-tune", create a job, poll it, cancel it.
 */
export function createOpenAIFineTuneProvider(options: OpenAIFineTuneOptions): FineTuneProvider {
  const client = new OpenAI({
    // The SDK insists on a key; a local OpenAI-compatible server usually ignores it.
    apiKey: options.apiKey ?? 'not-needed',
    ...(options.baseUrl !== undefined ? { baseURL: options.baseUrl } : {}),
    maxRetries: 2,
    timeout: 120_000,
  });
  const now = options.now ?? Date.now;
  return {
    name: 'openai',
    async submit(datasetPath, { baseModel, suffix }) {
      let fileId: string;
      try {
        const file = await client.files.create({ file: createReadStream(datasetPath), purpose: 'fine-tune' });
        fileId = file.id;
      } catch (error) {
        throw translate('accept the training file', error);
      }
      try {
        const job = await client.fineTuning.jobs.create({ model: baseModel, training_file: fileId, suffix: suffix.slice(0, 64) });
        return { id: job.id, provider: 'openai', baseModel, submittedAt: now(), fileId };
      } catch (error) {
        throw translate('start the fine-tuning job', error);
      }
    },
    async status(job: FineTuneJob): Promise<FineTuneStatus> {
      try {
        const remote = await client.fineTuning.jobs.retrieve(job.id);
        const state = STATES[remote.status] ?? 'running';
        const status: FineTuneStatus = { state };
        if (remote.fine_tuned_model) status.modelId = remote.fine_tuned_model;
        if (state === 'failed') status.error = remote.error?.message ?? 'the fine-tuning job failed';
        if (state === 'succeeded' && !status.modelId) return { state: 'failed', error: 'job succeeded without a model id' };
        return status;
      } catch (error) {
        throw translate('report the job status', error);
      }
    },
    async cancel(job) {
      try {
        await client.fineTuning.jobs.cancel(job.id);
      } catch (error) {
        // Cancelling a job that already ended is not a fault.
        if (error instanceof APIError && error.status === 400) return;
        throw translate('cancel the job', error);
      }
    },
  };
}

/** The job's event log, newest first (for `tracefix models` and failure reports). */
export async function openAIJobEvents(options: OpenAIFineTuneOptions, jobId: string, limit = 20): Promise<string[]> {
  const client = new OpenAI({ apiKey: options.apiKey ?? 'not-needed', ...(options.baseUrl ? { baseURL: options.baseUrl } : {}) });
  try {
    const page = await client.fineTuning.jobs.listEvents(jobId, { limit });
    return page.data.map((e) => e.message);
  } catch (error) {
    throw translate('list the job events', error);
  }
}
