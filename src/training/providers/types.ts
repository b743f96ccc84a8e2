/** Where fine-tuning happens: OpenAI's API, the operator's own trainer, or nowhere (export only). */
export type FineTuneState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Serialisable: the registry stores it so a restarted scheduler can keep polling the same job. */
export interface FineTuneJob {
  id: string;
  provider: 'openai' | 'command' | 'export' | 'local';
  baseModel: string;
  submittedAt: number;
  /** openai: the uploaded training file. */
  fileId?: string;
  /** command / local / export: the job's folder (dataset copy, logs, status, output). */
  dir?: string;
}

export interface FineTuneStatus {
  state: FineTuneState;
  /** The id to serve once succeeded. Absent for export (nothing was trained). */
  modelId?: string;
  /** Why it failed, one line, safe to show and log. */
  error?: string;
  /** The trainer's last reported step (local, and command trainers that print tracefix's JSON lines). */
  progress?: FineTuneProgress;
}

/**
 * A trainer's progress line on stdout, one JSON object: `{"event": "step", "step": 3, "steps": 60,
 * "loss": 2.31}`. Other events (start, eval, saved, done, error) are kept in the job's stdout.log.
 */
export interface FineTuneProgress {
  step: number;
  steps: number;
  loss: number;
}

export interface SubmitOptions {
  baseModel: string;
  /** Becomes part of the model name where the provider supports it (OpenAI: ft:<base>:<org>:<suffix>:<id>). */
  suffix: string;
}

export interface FineTuneProvider {
  readonly name: FineTuneJob['provider'];
  submit(datasetPath: string, options: SubmitOptions): Promise<FineTuneJob>;
  status(job: FineTuneJob): Promise<FineTuneStatus>;
  cancel(job: FineTuneJob): Promise<void>;
}

export const isFinal = (state: FineTuneState): boolean => state === 'succeeded' || state === 'failed' || state === 'cancelled';
