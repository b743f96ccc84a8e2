import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { defaultSnapshotCacheDir } from '../../sandbox/index.ts';
import { TracefixError } from '../errors.ts';
import { envSchema, type Env } from './schema.ts';

export { envSchema, ENV_KEYS, type Env } from './schema.ts';

export interface Config {
  env: Env;
  /** The operator's PATH: where the sandbox finds bubblewrap, prlimit and setpriv. Not a tracefix setting. */
  toolPath: string;
  host: string;
  port: number;
  dataDir: string;
  log: { level: string; debug: boolean };
  sandbox: {
    backend: Env['TRACEFIX_SANDBOX'];
    poolSize: number;
    testTimeoutMs: number;
    totalTimeoutMs: number;
    memoryMb: number;
    python: string;
    allowUnisolated: boolean;
    /**
     * The Pyodide backend's persistent memory-snapshot cache (an absolute folder, made on first use),
     * which lets a fresh process skip the cold load; absent when switched off.
     */
    snapshotCacheDir?: string;
    e2b: { apiKey?: string; template?: string; domain?: string; debug: boolean };
  };
  model: {
    provider: Env['MODEL_PROVIDER'];
    name?: string;
    temperature: number;
    samples: number;
    concurrency: number;
    timeoutMs: number;
    openai: { apiKey?: string; baseUrl?: string };
    anthropic: { apiKey?: string; baseUrl?: string };
    ollama: { baseUrl?: string };
  };
  repair: { deadlineMs: number; maxCandidates: number; traceTokens: number };
  store: { url: string; retentionDays: number; pseudonymSecret?: string };
  queue: { redisUrl?: string; concurrency: number };
  training: {
    provider: Env['FINE_TUNE_PROVIDER'];
    baseModel?: string;
    command?: string;
    /** local provider: the interpreter with torch/transformers/peft, extra trainer flags, where models are published. */
    trainerPython?: string;
    trainerArgs?: string;
    modelsDir?: string;
    schedule?: string;
    minExamples: number;
    evalDataset?: string;
  };
  limits: { maxPasteBytes: number; userPerHour: number; channelPerHour: number };
  slack?: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
    allowedTeams?: string[];
    allowedChannels?: string[];
    helpChannels: string[];
  };
  discord?: {
    token: string;
    apiUrl?: string;
    allowedGuilds?: string[];
    allowedChannels?: string[];
    helpChannels: string[];
  };
}

/** Drop undefined values so optional properties stay absent (exactOptionalPropertyTypes). */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

/**
 * The settings a process starts with: the `.env` file of the working folder (if any) under the
 * environment, which wins on every key it sets, as with Node's --env-file. The file is parsed with
 * Node's own parser and never copied into process.env, so child processes do not inherit it.
 */
export function environment(options: { env?: NodeJS.ProcessEnv; envFile?: string } = {}): NodeJS.ProcessEnv {
  const file = options.envFile ?? '.env';
  let fromFile: NodeJS.Dict<string> = {};
  try {
    fromFile = parseEnv(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new TracefixError('bad_config', `Could not read ${file}: ${code ?? (error as Error).message}.`, { cause: error });
  }
  return { ...fromFile, ...(options.env ?? process.env) };
}

/**
 * SANDBOX_SNAPSHOT_CACHE_DIR as an absolute folder (runners start from `/`), `off` as none, unset as
 * the per-user cache folder. HOME and XDG_CACHE_HOME, like PATH, are the operator's, not tracefix settings.
 */
function snapshotCacheDir(setting: string | undefined, source: NodeJS.ProcessEnv): string | undefined {
  if (setting?.toLowerCase() === 'off') return undefined;
  return resolve(setting ?? defaultSnapshotCacheDir({ XDG_CACHE_HOME: source['XDG_CACHE_HOME'], HOME: source['HOME'] }));
}

/**
 * The only reader of the environment. A bad setting stops start-up with a message naming the key.
 * Empty strings count as unset, as in most .env tooling.
 */
export function loadConfig(source: NodeJS.ProcessEnv = environment()): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value.trim();
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(environment)';
      return `${key}: ${issue.message}`;
    });
    throw new TracefixError('bad_config', `Invalid setting ${lines.join('; ')}`);
  }
  const env = parsed.data;
  const config: Config = {
    env,
    toolPath: source['PATH'] ?? '/usr/bin:/bin',
    host: env.HOST,
    port: env.PORT,
    dataDir: env.DATA_DIR,
    log: { level: env.LOG_LEVEL, debug: env.TRACEFIX_DEBUG_LOG },
    sandbox: {
      backend: env.TRACEFIX_SANDBOX,
      poolSize: env.SANDBOX_POOL_SIZE,
      testTimeoutMs: env.SANDBOX_TEST_TIMEOUT_MS,
      totalTimeoutMs: env.SANDBOX_TOTAL_TIMEOUT_MS,
      memoryMb: env.SANDBOX_MEMORY_MB,
      python: env.SANDBOX_PYTHON,
      allowUnisolated: env.SANDBOX_ALLOW_UNISOLATED,
      ...defined({ snapshotCacheDir: snapshotCacheDir(env.SANDBOX_SNAPSHOT_CACHE_DIR, source) }),
      e2b: defined({
        apiKey: env.E2B_API_KEY,
        template: env.E2B_TEMPLATE,
        domain: env.E2B_DOMAIN,
        debug: env.E2B_DEBUG,
      }),
    },
    model: {
      provider: env.MODEL_PROVIDER,
      ...defined({ name: env.MODEL_NAME }),
      temperature: env.MODEL_TEMPERATURE,
      samples: env.MODEL_SAMPLES,
      concurrency: env.MODEL_CONCURRENCY,
      timeoutMs: env.MODEL_TIMEOUT_MS,
      openai: defined({ apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL }),
      anthropic: defined({ apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL }),
      ollama: defined({ baseUrl: env.OLLAMA_BASE_URL }),
    },
    repair: {
      deadlineMs: env.REPAIR_DEADLINE_MS,
      maxCandidates: env.REPAIR_MAX_CANDIDATES,
      traceTokens: env.REPAIR_TRACE_TOKENS,
    },
    store: {
      url: env.STORE_URL ?? `sqlite://${env.DATA_DIR.replace(/\/$/, '')}/tracefix.sqlite`,
      retentionDays: env.FEEDBACK_RETENTION_DAYS,
      ...defined({ pseudonymSecret: env.PSEUDONYM_SECRET }),
    },
    queue: { ...defined({ redisUrl: env.REDIS_URL }), concurrency: env.QUEUE_CONCURRENCY },
    training: {
      provider: env.FINE_TUNE_PROVIDER,
      ...defined({
        baseModel: env.FINE_TUNE_BASE_MODEL,
        command: env.FINE_TUNE_COMMAND,
        trainerPython: env.TRAINER_PYTHON,
        trainerArgs: env.TRAINER_ARGS,
        modelsDir: env.TRAINER_MODELS_DIR,
        schedule: env.TRAINING_SCHEDULE,
        evalDataset: env.TRAINING_EVAL_DATASET,
      }),
      minExamples: env.TRAINING_MIN_EXAMPLES,
    },
    limits: {
      maxPasteBytes: env.MAX_PASTE_BYTES,
      userPerHour: env.RATE_LIMIT_USER_PER_HOUR,
      channelPerHour: env.RATE_LIMIT_CHANNEL_PER_HOUR,
    },
  };
  if (env.SLACK_BOT_TOKEN) {
    if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      throw new TracefixError(
        'bad_config',
        'Invalid setting SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN (Socket Mode) is set',
      );
    }
    config.slack = {
      botToken: env.SLACK_BOT_TOKEN,
      helpChannels: env.SLACK_HELP_CHANNELS ?? [],
      ...defined({
        signingSecret: env.SLACK_SIGNING_SECRET,
        appToken: env.SLACK_APP_TOKEN,
        apiUrl: env.SLACK_API_URL,
        allowedTeams: env.SLACK_ALLOWED_TEAMS,
        allowedChannels: env.SLACK_ALLOWED_CHANNELS,
      }),
    };
  }
  if (env.DISCORD_TOKEN) {
    config.discord = {
      token: env.DISCORD_TOKEN,
      helpChannels: env.DISCORD_HELP_CHANNELS ?? [],
      ...defined({
        apiUrl: env.DISCORD_API_URL,
        allowedGuilds: env.DISCORD_ALLOWED_GUILDS,
        allowedChannels: env.DISCORD_ALLOWED_CHANNELS,
      }),
    };
  }
  if (env.MODEL_PROVIDER === 'openai' && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    throw new TracefixError(
      'bad_config',
      'Invalid setting OPENAI_API_KEY: required when MODEL_PROVIDER=openai (or set OPENAI_BASE_URL for a local OpenAI-compatible server)',
    );
  }
  if (env.MODEL_PROVIDER === 'anthropic' && !env.ANTHROPIC_API_KEY) {
    throw new TracefixError('bad_config', 'Invalid setting ANTHROPIC_API_KEY: required when MODEL_PROVIDER=anthropic');
  }
  if (env.MODEL_PROVIDER !== 'offline' && !env.MODEL_NAME) {
    throw new TracefixError('bad_config', `Invalid setting MODEL_NAME: required when MODEL_PROVIDER=${env.MODEL_PROVIDER}`);
  }
  if (env.TRACEFIX_SANDBOX === 'e2b' && !env.E2B_API_KEY && !env.E2B_DEBUG) {
    throw new TracefixError('bad_config', 'Invalid setting E2B_API_KEY: required when TRACEFIX_SANDBOX=e2b');
  }
  if (env.FINE_TUNE_PROVIDER === 'command' && !env.FINE_TUNE_COMMAND) {
    throw new TracefixError('bad_config', 'Invalid setting FINE_TUNE_COMMAND: required when FINE_TUNE_PROVIDER=command');
  }
  if (env.FINE_TUNE_PROVIDER === 'local' && !env.FINE_TUNE_BASE_MODEL) {
    throw new TracefixError('bad_config', 'Invalid setting FINE_TUNE_BASE_MODEL: the base model folder (Hugging Face layout) is required when FINE_TUNE_PROVIDER=local');
  }
  return config;
}

/**
 * LangChain reads its tracing switches from the environment by itself; left on, it would send every
 * prompt (user code, traces) to LangSmith. tracefix never does that, whatever the environment says.
 */
const VENDOR_TELEMETRY = ['LANGSMITH_TRACING', 'LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING', 'LANGCHAIN_TRACING_V2'];

export function disableVendorTelemetry(target: NodeJS.ProcessEnv = process.env): void {
  for (const key of VENDOR_TELEMETRY) target[key] = 'false';
}
