import { TracefixError } from '../errors.ts';

/**
 * Vendor faults -> TracefixError, at the one place the vendor SDKs are called. The user sentence
 * names the setting to change (the key, MODEL_NAME, the base URL), because "401" alone sends an
 * operator hunting. The openai, @anthropic-ai/sdk and ollama clients throw different shapes; this
 * reads what they share (an HTTP status, response headers, a cause chain with a socket error code).
 */

export type Provider = 'openai' | 'anthropic' | 'ollama';

export interface FaultContext {
  provider: Provider;
  modelId: string;
  /** The base URL in use and whether the operator set it (it is then named in messages). */
  baseUrl: string;
  baseUrlSet: boolean;
  keySet: boolean;
  timeoutMs: number;
  /** Secrets that must not reach a message or a log line. */
  secrets: string[];
}

export interface Fault {
  error: TracefixError;
  /** Worth another attempt inside this propose() call. */
  retryNow: boolean;
  retryAfterMs?: number;
  /** Nothing else will succeed either (bad key, unknown model, server down): stop the other samples. */
  fatal: boolean;
  /** The server refused the `n` parameter: sample with parallel requests instead. */
  nRejected?: boolean;
  /** The prompt did not fit the model's context window: a shorter prompt may. */
  contextOverflow?: boolean;
}

const SETTINGS: Record<Provider, { key: string; baseUrl: string; name: string }> = {
  openai: { key: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL', name: 'The model provider' },
  anthropic: { key: 'ANTHROPIC_API_KEY', baseUrl: 'ANTHROPIC_BASE_URL', name: 'Anthropic' },
  ollama: { key: '', baseUrl: 'OLLAMA_BASE_URL', name: 'The Ollama server' },
};

const CONNECTION_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ETIMEDOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
};

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

function statusOf(error: unknown): number | undefined {
  for (const candidate of [field(error, 'status'), field(error, 'status_code'), field(field(error, 'response'), 'status')]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
  }
  return undefined;
}

function header(error: unknown, name: string): string | undefined {
  const headers = field(error, 'headers');
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = field(headers, name);
  return typeof value === 'string' ? value : undefined;
}

/** retry-after-ms (OpenAI, Anthropic) or retry-after in seconds or as an HTTP date. */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(header(error, 'retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = header(error, 'retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function connectionCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current !== undefined && current !== null; depth++) {
    const code = field(current, 'code');
    if (typeof code === 'string' && code in CONNECTION_CODES) return code;
    const errors = field(current, 'errors');
    if (Array.isArray(errors)) {
      for (const inner of errors as unknown[]) {
        const innerCode = field(inner, 'code');
        if (typeof innerCode === 'string' && innerCode in CONNECTION_CODES) return innerCode;
      }
    }
    current = field(current, 'cause');
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  const name = field(error, 'name');
  return name === 'TimeoutError' || name === 'APIConnectionTimeoutError' || (error instanceof Error && /timed? ?out/i.test(error.message) && statusOf(error) === undefined && connectionCode(error) === undefined);
}

export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out.replace(/\b(sk-(?:ant-)?[A-Za-z0-9_*-]{6,})/g, '[redacted]').replace(/\n+Troubleshooting URL:.*$/s, '');
}

function vendorMessage(error: unknown, secrets: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrub(message, secrets).slice(0, 500);
}

export function translateFault(error: unknown, ctx: FaultContext): Fault {
  if (error instanceof TracefixError) return { error, retryNow: false, fatal: false };
  const settings = SETTINGS[ctx.provider];
  const status = statusOf(error);
  const detail = `${ctx.provider} ${ctx.modelId}: ${vendorMessage(error, ctx.secrets)}`;
  const cause = new Error(detail);
  const make = (code: ConstructorParameters<typeof TracefixError>[0], sentence: string, retryable: boolean) =>
    new TracefixError(code, sentence, { cause, retryable, detail: `${sentence} (${detail})` });
  const where = ctx.baseUrlSet ? ` at ${ctx.baseUrl} (${settings.baseUrl})` : '';

  if (status === 401 || status === 403) {
    let sentence: string;
    if (ctx.provider === 'ollama') sentence = `The Ollama server at ${ctx.baseUrl} (${settings.baseUrl}) refused the request (HTTP ${status}).`;
    else if (!ctx.keySet) sentence = `The model server${where} asks for a key: set ${settings.key}.`;
    else sentence = `${settings.name} rejected the key in ${settings.key} (HTTP ${status}).`;
    return { error: make('model_auth', sentence, false), retryNow: false, fatal: true };
  }
  if (status === 404) {
    const sentence =
      ctx.provider === 'ollama'
        ? `The Ollama server at ${ctx.baseUrl} has no model "${ctx.modelId}" (MODEL_NAME); pull it with "ollama pull ${ctx.modelId}" or change MODEL_NAME.`
        : `${settings.name} does not know the model "${ctx.modelId}" set in MODEL_NAME${
            ctx.baseUrlSet ? `, or ${settings.baseUrl} (${ctx.baseUrl}) is not the API root it expects` : ''
          }.`;
    return { error: make('model_unavailable', sentence, false), retryNow: false, fatal: true };
  }
  if (status === 429) {
    const after = retryAfterMs(error);
    const sentence = `${settings.name} is rate-limiting tracefix; try again in a minute, or lower MODEL_CONCURRENCY or MODEL_SAMPLES.`;
    return { error: make('model_rate_limited', sentence, true), retryNow: true, fatal: false, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  const overflow =
    field(error, 'name') === 'ContextOverflowError' ||
    field(error, 'code') === 'context_length_exceeded' ||
    /context_length_exceeded|maximum context length|context window|prompt is too long|too many tokens|exceeds? the (model's )?context/i.test(
      error instanceof Error ? error.message : '',
    );
  if (overflow && (status === undefined || status === 400 || status === 413 || status === 422)) {
    const sentence = `The request is too long for the model "${ctx.modelId}" (MODEL_NAME); lower REPAIR_TRACE_TOKENS or use a model with a longer context.`;
    return { error: make('model_unavailable', sentence, false), retryNow: false, fatal: false, contextOverflow: true };
  }
  if (status === 400 || status === 422) {
    const message = vendorMessage(error, ctx.secrets);
    const nRejected = /(\bparam\W+n\b|'n'|"n"|\bn\b.{0,20}(support|must|only|greater|less|exceed|invalid))/i.test(message);
    const sentence = `${settings.name} rejected the request (HTTP ${status}); check MODEL_NAME and the ${ctx.provider} settings.`;
    return { error: make('model_unavailable', sentence, false), retryNow: false, fatal: false, nRejected };
  }
  if (status !== undefined && (status >= 500 || status === 408)) {
    const after = retryAfterMs(error);
    const sentence = `${settings.name}${where} failed (HTTP ${status}); try again shortly.`;
    return { error: make('model_unavailable', sentence, true), retryNow: true, fatal: false, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  const code = connectionCode(error);
  if (code !== undefined) {
    const what = CONNECTION_CODES[code] ?? code;
    const sentence = ctx.baseUrlSet
      ? `Could not reach the model server at ${ctx.baseUrl} set in ${settings.baseUrl}: ${what}.`
      : `Could not reach ${ctx.baseUrl}: ${what}. Check the network, or set ${settings.baseUrl} to use another server.`;
    const transient = code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET';
    return { error: make('model_unavailable', sentence, true), retryNow: transient, fatal: !transient };
  }
  if (isTimeout(error)) {
    const sentence = `The model did not answer within MODEL_TIMEOUT_MS (${ctx.timeoutMs} ms).`;
    return { error: make('model_unavailable', sentence, true), retryNow: false, fatal: false };
  }
  if (error instanceof SyntaxError || field(error, 'name') === 'ZodError') {
    return { error: make('model_output', `${settings.name} sent an answer tracefix could not read.`, true), retryNow: false, fatal: false };
  }
  const sentence = `The call to ${ctx.provider} model "${ctx.modelId}" failed${where}.`;
  return { error: make('model_unavailable', sentence, false), retryNow: false, fatal: false };
}
