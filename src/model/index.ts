/**
 * Candidates from a language model (DESIGN.md §3 RepairModel), through LangChain chat models.
 *
 *   const model = createRepairModel(config.model, { logger, resolveModelId: () => registry.liveModelId() });
 *   if (model) {
 *     const candidates = await model.propose(promptInput, config.model.samples, { signal, entryPoint });
 *     // each: { rationale, code, modelId, promptVersion, answer, promptText }
 *   }
 *
 * Providers: `openai` (OpenAI, or any OpenAI-compatible server at OPENAI_BASE_URL: vLLM, llama.cpp
 * server, LM Studio), `anthropic`, `ollama`; `offline` gives undefined and the program search works
 * alone. One instance per process: its p-limit bounds the requests in flight (MODEL_CONCURRENCY)
 * across every repair that shares it. Vendor errors become TracefixError here, with a sentence
 * naming the setting to fix.
 */
import { ChatAnthropic } from '@langchain/anthropic';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAICompletions } from '@langchain/openai';
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { z } from 'zod';
import type { Config } from '../config/index.ts';
import { TracefixError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { translateFault, type Fault, type FaultContext, type Provider } from './errors.ts';
import { analyseAnswer } from './parse.ts';
import { analyseJsAnswer } from './parse-js.ts';
import { buildMessages, loadPrompt, promptFor, renderPromptText, type ChatMessage, type Prompt } from './prompt.ts';
import type { Candidate, PromptInput, RepairModel } from './types.ts';

export {
  PROMPT_VERSION,
  buildMessages,
  loadPrompt,
  renderAnswer,
  renderPromptText,
  trainingMessages,
  type BuildOptions,
  type ChatMessage,
  type Exemplar,
  type Prompt,
} from './prompt.ts';
export { analyseAnswer, parseAnswer, type ParseOptions, type ParseOutcome } from './parse.ts';
export { analyseJsAnswer } from './parse-js.ts';
export type { Candidate, PromptInput, RepairModel } from './types.ts';

export type ModelConfig = Config['model'];

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  /** First backoff; doubles each retry, times a random factor between 1 and 2 (p-retry's jitter). */
  baseDelayMs: number;
  /** A retry-after longer than this fails now rather than holding the repair hostage. */
  maxDelayMs: number;
}

export interface RepairModelDeps {
  logger?: Logger;
  /**
   * The live model id (self-training promotes fine-tuned ids at run time). Read at the start of every
   * propose(), so a promotion takes effect on the next request without a restart.
   */
  resolveModelId?: () => string | Promise<string>;
  /** HTTP for the vendor clients (tests, proxies). */
  fetch?: typeof fetch;
  /** Log prompts and answers (TRACEFIX_DEBUG_LOG); off by default, they hold user code. */
  debug?: boolean;
  promptVersion?: string;
  /**
   * Whether to send the few-shot exemplars to this model id (default: always). A model fine-tuned on
   * trainingMessages() has learnt the format and can be prompted without them.
   */
  exemplars?: (modelId: string) => boolean;
  retry?: Partial<RetryPolicy>;
}

export interface ProposeOptions {
  signal?: AbortSignal;
  /** The function the tests call, when the program has several (HumanEval's entry_point). */
  entryPoint?: string;
}

/** A candidate with what produced it: the feedback store and the dataset builder keep all of it. */
export interface ModelCandidate extends Candidate {
  modelId: string;
  promptVersion: string;
  /** The model's raw answer (the fine-tuning target when the fix passes). */
  answer: string;
  /** renderPromptText() of the messages this answer replied to (the same string for all k samples). */
  promptText: string;
}

export interface LangChainRepairModel extends RepairModel {
  readonly provider: Provider;
  propose(input: PromptInput, k: number, options?: ProposeOptions): Promise<ModelCandidate[]>;
  /** The exact text the model sees for this input (the same rendering the training pipeline stores). */
  promptText(input: PromptInput): string;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };
const DEFAULT_BASE_URL: Record<Provider, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  ollama: 'http://127.0.0.1:11434',
};
// Room for a rationale and a whole program; Anthropic requires an explicit cap.
const MAX_OUTPUT_TOKENS = 4096;

const contentSchema = z.union([
  z.string(),
  z.array(z.union([z.object({ type: z.literal('text'), text: z.string() }).loose(), z.object({ type: z.string() }).loose()])),
]);
const generationsSchema = z.array(z.object({ message: z.object({ content: contentSchema }).loose() }).loose());

/**
 * Runs `task` under the model's concurrency limit. p-limit has no per-task signal, so a request still
 * waiting for a slot leaves the queue's caller at once when its repair is cancelled, and the queued
 * function, when its turn comes, sees the abort and hands the slot straight on.
 */
function limited<T>(limit: LimitFunction, task: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let started = false;
  const queued = limit(() => {
    signal.throwIfAborted();
    started = true;
    return task();
  });
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      if (!started) reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    queued.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error for a caller's abort: their reason if it is ours, else cancelled or out of time. */
function abortError(signal: AbortSignal): TracefixError {
  const reason: unknown = signal.reason;
  if (reason instanceof TracefixError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TracefixError('deadline', 'The repair ran out of time while waiting for the model.', { cause: reason });
  }
  return new TracefixError('cancelled', 'The request was cancelled.', { cause: reason });
}

function toLangChain(messages: ChatMessage[]): BaseMessage[] {
  return messages.map((message) =>
    message.role === 'system'
      ? new SystemMessage(message.content)
      : message.role === 'assistant'
        ? new AIMessage(message.content)
        : new HumanMessage(message.content),
  );
}

function textOf(content: z.infer<typeof contentSchema>): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/**
 * Splits credentials out of a base URL (https://user:pass@host, a reverse proxy in front of Ollama):
 * fetch refuses URLs that carry them, and they must not appear in a message.
 */
function splitCredentials(url: string): { url: string; authorization?: string; secrets: string[] } {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return { url, secrets: [] };
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    parsed.username = '';
    parsed.password = '';
    return {
      url: parsed.toString().replace(/\/+$/, ''),
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      secrets: [password, parsed.password].filter((secret) => secret.length > 0),
    };
  } catch {
    return { url, secrets: [] };
  }
}

function normaliseCode(code: string): string {
  return code.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').trim();
}

/**
 * The repair model for the configured provider, or undefined for 'offline' (the program search then
 * works alone). Nothing is contacted until the first propose().
 */
export function createRepairModel(config: ModelConfig, deps: RepairModelDeps = {}): LangChainRepairModel | undefined {
  if (config.provider === 'offline') return undefined;
  const provider: Provider = config.provider;
  const prompt: Prompt = loadPrompt(deps.promptVersion);
  // JavaScript and TypeScript requests get the JS prompt: JS exemplars, `//` traces, ```js fences.
  const promptOf = (input: PromptInput): Prompt => (input.language === 'javascript' || input.language === 'typescript' ? promptFor(input.language) : prompt);
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const limit = pLimit(Math.max(1, config.concurrency));
  const logger = deps.logger;
  const baseUrlSetting = provider === 'openai' ? config.openai.baseUrl : provider === 'anthropic' ? config.anthropic.baseUrl : config.ollama.baseUrl;
  const endpoint = splitCredentials((baseUrlSetting ?? DEFAULT_BASE_URL[provider]).replace(/\/+$/, ''));
  const baseUrl = endpoint.url;
  const apiKey = provider === 'openai' ? config.openai.apiKey : provider === 'anthropic' ? config.anthropic.apiKey : undefined;
  if (provider === 'anthropic' && !apiKey) {
    throw new TracefixError('bad_config', 'Invalid setting ANTHROPIC_API_KEY: required when MODEL_PROVIDER=anthropic');
  }
  const baseFetch = deps.fetch ?? globalThis.fetch;
  // Learnt from the server's first answer: does it honour `n`? (llama.cpp and LM Studio ignore it.)
  let nSupported: boolean | undefined = provider === 'openai' ? undefined : false;
  let lastId = config.name ?? '';
  // What went wrong with a request, beyond the TracefixError it threw (fatal? was `n` the problem?).
  const faults = new WeakMap<TracefixError, Fault>();

  const noteId = (value: string | Promise<string>) => {
    if (typeof value === 'string') {
      lastId = value;
      return;
    }
    value.then(
      (id) => {
        lastId = id;
      },
      () => undefined,
    );
  };

  const currentId = async (): Promise<string> => {
    let id: string | undefined;
    try {
      id = deps.resolveModelId ? await deps.resolveModelId() : config.name;
    } catch (error) {
      throw new TracefixError('model_unavailable', 'Could not look up which model is live; try again shortly.', { cause: error, retryable: true });
    }
    if (!id) throw new TracefixError('bad_config', `Invalid setting MODEL_NAME: required when MODEL_PROVIDER=${provider}`);
    lastId = id;
    return id;
  };

  /** One chat model per request: the model id may change between requests, and `n` per request. */
  const chatModel = (modelId: string, n: number, signal: AbortSignal): BaseChatModel => {
    // Every provider's HTTP goes through this fetch, so an abort stops the socket even where the
    // LangChain integration does not pass the signal down (ChatOllama).
    const boundFetch: typeof fetch = (url, init) => {
      const headers = new Headers(init?.headers);
      if (endpoint.authorization && !headers.has('authorization')) headers.set('authorization', endpoint.authorization);
      return baseFetch(url, { ...init, headers, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    };
    switch (provider) {
      case 'openai':
        return new ChatOpenAICompletions({
          model: modelId,
          temperature: config.temperature,
          ...(n > 1 ? { n } : {}),
          // No max_tokens: local servers (vLLM, llama.cpp) reject prompt + max_tokens beyond their
          // context, and OpenAI's default already leaves room for the answer.
          streaming: false,
          maxRetries: 0,
          // The SDK insists on a key; servers such as vLLM or llama.cpp usually need none.
          apiKey: apiKey ?? 'not-needed',
          configuration: { baseURL: baseUrl, fetch: boundFetch, maxRetries: 0, timeout: config.timeoutMs },
        });
      case 'anthropic':
        return new ChatAnthropic({
          model: modelId,
          // Anthropic accepts 0..1; the setting allows up to 2 for OpenAI-style servers.
          temperature: Math.min(1, config.temperature),
          maxTokens: MAX_OUTPUT_TOKENS,
          maxRetries: 0,
          apiKey: apiKey ?? '',
          anthropicApiUrl: baseUrl,
          clientOptions: { fetch: boundFetch, maxRetries: 0, timeout: config.timeoutMs },
        });
      case 'ollama':
        return new ChatOllama({ model: modelId, temperature: config.temperature, baseUrl, fetch: boundFetch, maxRetries: 0 });
    }
  };

  const faultContext = (modelId: string): FaultContext => ({
    provider,
    modelId,
    baseUrl,
    baseUrlSet: baseUrlSetting !== undefined,
    keySet: apiKey !== undefined,
    timeoutMs: config.timeoutMs,
    secrets: [...(apiKey ? [apiKey] : []), ...endpoint.secrets],
  });

  const faultOf = (error: unknown): Fault | undefined => (error instanceof TracefixError ? faults.get(error) : undefined);

  /**
   * One HTTP request for n samples, with a timeout per attempt and retries on 429 and 5xx (p-retry's
   * exponential backoff with jitter). A fault that must not be retried, or whose retry-after exceeds
   * maxDelayMs, ends the loop through p-retry's AbortError; a retry-after within it is waited out
   * before the backoff, so the server's hint is a floor.
   */
  const request = async (modelId: string, messages: BaseMessage[], n: number, signal: AbortSignal): Promise<string[]> => {
    const attempt = async (): Promise<string[]> => {
      const timeout = AbortSignal.timeout(config.timeoutMs);
      const attemptSignal = AbortSignal.any([signal, timeout]);
      let fault: Fault;
      try {
        const result = await chatModel(modelId, n, attemptSignal).generate([messages], { signal: attemptSignal });
        const generations = generationsSchema.parse(result.generations[0] ?? []);
        return generations.map((generation) => textOf(generation.message.content));
      } catch (error) {
        if (signal.aborted) throw new AbortError(abortError(signal));
        fault = translateFault(timeout.aborted ? Object.assign(new Error('timeout'), { name: 'TimeoutError' }) : error, faultContext(modelId));
      }
      faults.set(fault.error, fault);
      if (!fault.retryNow || (fault.retryAfterMs ?? 0) > retry.maxDelayMs) throw new AbortError(fault.error);
      throw fault.error;
    };
    try {
      return await pRetry(attempt, {
        retries: Math.max(0, retry.attempts - 1),
        factor: 2,
        minTimeout: retry.baseDelayMs,
        maxTimeout: retry.maxDelayMs,
        randomize: true,
        signal,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft <= 0) return;
          const fault = faultOf(error);
          logger?.warn(
            { provider, model: modelId, attempt: attemptNumber, retryAfterMs: fault?.retryAfterMs, code: fault?.error.code },
            'model request failed; retrying',
          );
          if (fault?.retryAfterMs !== undefined) await sleep(fault.retryAfterMs, signal);
        },
      });
    } catch (error) {
      // p-retry rejects with the signal's own reason when the caller aborts during a wait.
      if (signal.aborted) throw abortError(signal);
      throw error;
    }
  };

  /**
   * k answers for one prompt: one request with n=k where the server supports it, else k requests,
   * bounded by the limiter. Requests that fail are reported, not thrown, so the answers that did come
   * back are kept; a fatal fault (bad key, unknown model) stops the other requests at once.
   */
  const sample = async (
    modelId: string,
    messages: BaseMessage[],
    k: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<{ answers: string[]; errors: TracefixError[] }> => {
    const stop = new AbortController();
    const signal = callerSignal ? AbortSignal.any([callerSignal, stop.signal]) : stop.signal;
    const answers: string[] = [];
    const errors: TracefixError[] = [];
    const fail = (error: unknown) => {
      if (callerSignal?.aborted) throw abortError(callerSignal);
      // A sibling stopped by the fatal error is not a second error.
      if (stop.signal.aborted && error === stop.signal.reason) return;
      const translated = error instanceof TracefixError ? error : translateFault(error, faultContext(modelId)).error;
      errors.push(translated);
      if (faultOf(translated)?.fatal) stop.abort(translated);
    };

    let remaining = k;
    if (provider === 'openai' && k > 1 && nSupported !== false) {
      try {
        const got = await limited(limit, () => request(modelId, messages, k, signal), signal);
        answers.push(...got.slice(0, k));
        // Fewer choices than asked: the server ignores `n`. Ask for the rest one by one.
        if (got.length === 1) nSupported = false;
        else if (got.length >= k) nSupported = true;
        remaining = k - answers.length;
      } catch (error) {
        if (faultOf(error)?.nRejected) {
          nSupported = false;
          logger?.info({ provider, model: modelId }, 'model server refused n > 1; sampling with parallel requests');
        } else {
          fail(error);
          remaining = 0;
        }
      }
    }
    if (remaining > 0) {
      const settled = await Promise.allSettled(
        Array.from({ length: remaining }, () => limited(limit, () => request(modelId, messages, 1, signal), signal)),
      );
      for (const outcome of settled) {
        if (outcome.status === 'fulfilled') answers.push(...outcome.value.slice(0, 1));
        else fail(outcome.reason);
      }
    }
    if (callerSignal?.aborted) throw abortError(callerSignal);
    return { answers, errors };
  };

  const model: LangChainRepairModel = {
    provider,
    promptVersion: prompt.id,
    get id() {
      if (deps.resolveModelId) {
        try {
          noteId(deps.resolveModelId());
        } catch {
          // The getter must not throw; propose() reports resolver failures.
        }
      }
      return lastId;
    },

    promptVersionFor(language) {
      return promptOf({ program: '', failures: [], ...(language ? { language } : {}) }).id;
    },

    promptText(input) {
      return renderPromptText(buildMessages(input, promptOf(input)));
    },

    async propose(input, k, options = {}) {
      const started = Date.now();
      const callerSignal = options.signal;
      if (callerSignal?.aborted) throw abortError(callerSignal);
      if (k <= 0) return [];
      const modelId = await currentId();
      const withExemplars = deps.exemplars?.(modelId) ?? true;
      const chosen = promptOf(input);
      let chat = buildMessages(input, chosen, { exemplars: withExemplars });
      let outcome = await sample(modelId, toLangChain(chat), k, callerSignal);
      if (withExemplars && outcome.answers.length === 0 && outcome.errors.some((error) => faultOf(error)?.contextOverflow)) {
        // The exemplars cost a few thousand tokens; a small local model may fit the request without them.
        logger?.info({ provider, model: modelId }, 'prompt too long for the model; retrying without exemplars');
        chat = buildMessages(input, chosen, { exemplars: false });
        outcome = await sample(modelId, toLangChain(chat), k, callerSignal);
      }
      const promptText = renderPromptText(chat);
      if (deps.debug) logger?.debug({ provider, model: modelId, prompt: promptText }, 'model prompt');
      const { answers, errors } = outcome;
      if (answers.length === 0 && errors.length > 0) {
        const worst = errors.find((error) => error.code === 'model_auth') ?? errors.find((error) => faultOf(error)?.fatal) ?? errors[0];
        if (worst) {
          logger?.warn({ provider, model: modelId, k, code: worst.code, ms: Date.now() - started }, 'model produced no answers');
          throw worst;
        }
      }
      if (errors.length > 0) {
        logger?.warn({ provider, model: modelId, k, failed: errors.length, code: errors[0]?.code }, 'some model requests failed');
      }

      const candidates: ModelCandidate[] = [];
      const dropped: Record<string, number> = {};
      const original = normaliseCode(input.program);
      for (const answer of answers) {
        const parseOptions = { program: input.program, ...(options.entryPoint ? { entryPoint: options.entryPoint } : {}) };
        const parsed = chosen.language === 'javascript' ? analyseJsAnswer(answer, parseOptions) : analyseAnswer(answer, parseOptions);
        if (parsed.candidate === null) {
          dropped[parsed.reason] = (dropped[parsed.reason] ?? 0) + 1;
          continue;
        }
        if (normaliseCode(parsed.candidate.code) === original) {
          dropped.unchanged = (dropped.unchanged ?? 0) + 1;
          continue;
        }
        candidates.push({ ...parsed.candidate, modelId, promptVersion: chosen.id, answer, promptText });
      }
      if (deps.debug) logger?.debug({ provider, model: modelId, answers }, 'model answers');
      logger?.info(
        {
          provider,
          model: modelId,
          promptVersion: chosen.id,
          k,
          answers: answers.length,
          candidates: candidates.length,
          dropped,
          failedRequests: errors.length,
          ms: Date.now() - started,
        },
        'model proposed candidates',
      );
      return candidates;
    },
  };
  return model;
}
