import { isSandboxError, type SandboxErrorCode } from '../sandbox/collect.ts';

/**
 * Our own faults and bad requests. A failing user program is never one of these: it is data.
 * Every error carries the sentence the user will see; the log gets the code, the cause and the stack.
 */
export type ErrorCode =
  | 'bad_config'
  | 'bad_input'
  | 'empty_input'
  | 'binary_input'
  | 'too_large'
  | 'no_tests'
  | 'sandbox_unavailable'
  | 'not_isolated'
  | 'runner_protocol'
  | 'model_auth'
  | 'model_rate_limited'
  | 'model_unavailable'
  | 'model_output'
  | 'store_unavailable'
  | 'fine_tune_failed'
  | 'rate_limited'
  | 'deadline'
  | 'cancelled'
  | 'not_found'
  | 'internal';

export class TracefixError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** One sentence for the user; safe to show (no secrets, no stack). */
  readonly userMessage: string;

  constructor(
    code: ErrorCode,
    userMessage: string,
    options: { cause?: unknown; retryable?: boolean; detail?: string } = {},
  ) {
    super(options.detail ?? userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TracefixError';
    this.code = code;
    this.userMessage = userMessage;
    this.retryable = options.retryable ?? false;
  }
}

export function isTracefixError(value: unknown): value is TracefixError {
  return value instanceof TracefixError;
}

/** The sentence to show a user for any thrown value; unknown faults get a generic one. */
export function userMessageOf(error: unknown): string {
  if (isTracefixError(error)) return error.userMessage;
  return 'Something went wrong on our side while working on this request.';
}

const SANDBOX_CODES: Record<SandboxErrorCode, ErrorCode> = {
  sandbox_unavailable: 'sandbox_unavailable',
  runner_failed: 'runner_protocol',
  runner_protocol: 'runner_protocol',
  bad_tests: 'bad_input',
  bad_request: 'bad_input',
  not_isolated: 'not_isolated',
  cancelled: 'cancelled',
};

/**
 * sandbox/ cannot import src/, so it throws its own SandboxError of the same shape; this is where it
 * becomes ours, keeping the sandbox's sentence for the user. Anything else passes through.
 */
export function fromSandboxError(error: unknown): unknown {
  if (!isSandboxError(error)) return error;
  return new TracefixError(SANDBOX_CODES[error.code], error.userMessage, { cause: error, retryable: error.retryable });
}
