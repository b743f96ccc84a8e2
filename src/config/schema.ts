import { z } from 'zod';

/**
 * Every setting tracefix reads, as the environment spells it. `.env.example` documents each key;
 * src/config/config.test.ts keeps the two in step. Add a key here and there together.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min = 0) => z.coerce.number().int().min(min);
const num = () => z.coerce.number();
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const url = z.url();

export const envSchema = z.object({
  // --- service
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int().max(65535).default(8787),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRACEFIX_DEBUG_LOG: bool.default(false),

  // --- sandbox
  TRACEFIX_SANDBOX: z.enum(['pyodide', 'process', 'e2b']).default('pyodide'),
  SANDBOX_POOL_SIZE: int(1).max(64).default(2),
  SANDBOX_TEST_TIMEOUT_MS: int(50).default(2000),
  SANDBOX_TOTAL_TIMEOUT_MS: int(1000).default(60000),
  SANDBOX_MEMORY_MB: int(64).default(512),
  SANDBOX_PYTHON: z.string().min(1).default('python3'),
  SANDBOX_ALLOW_UNISOLATED: bool.default(false),
  // A folder, or `off`; unset: $XDG_CACHE_HOME/tracefix, else ~/.cache/tracefix.
  SANDBOX_SNAPSHOT_CACHE_DIR: z.string().optional(),
  E2B_API_KEY: z.string().optional(),
  E2B_TEMPLATE: z.string().optional(),
  E2B_DOMAIN: z.string().optional(),
  E2B_DEBUG: bool.default(false),

  // --- model
  MODEL_PROVIDER: z.enum(['offline', 'openai', 'anthropic', 'ollama']).default('offline'),
  MODEL_NAME: z.string().optional(),
  MODEL_TEMPERATURE: num().min(0).max(2).default(0.8),
  MODEL_SAMPLES: int(1).max(64).default(5),
  MODEL_CONCURRENCY: int(1).max(64).default(4),
  MODEL_TIMEOUT_MS: int(1000).default(60000),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: url.optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: url.optional(),
  OLLAMA_BASE_URL: url.optional(),

  // --- repair
  REPAIR_DEADLINE_MS: int(1000).default(120000),
  REPAIR_MAX_CANDIDATES: int(1).default(4000),
  REPAIR_TRACE_TOKENS: int(100).default(1500),

  // --- feedback store and queue
  STORE_URL: z.string().optional(),
  FEEDBACK_RETENTION_DAYS: int(1).default(180),
  PSEUDONYM_SECRET: z.string().optional(),
  REDIS_URL: z.string().optional(),
  QUEUE_CONCURRENCY: int(1).max(64).default(2),

  // --- training
  FINE_TUNE_PROVIDER: z.enum(['export', 'openai', 'command', 'local']).default('export'),
  FINE_TUNE_BASE_MODEL: z.string().optional(),
  FINE_TUNE_COMMAND: z.string().optional(),
  TRAINER_PYTHON: z.string().optional(),
  TRAINER_ARGS: z.string().optional(),
  TRAINER_MODELS_DIR: z.string().optional(),
  TRAINING_SCHEDULE: z.string().optional(),
  TRAINING_MIN_EXAMPLES: int(1).default(50),
  TRAINING_EVAL_DATASET: z.string().optional(),

  // --- front ends
  MAX_PASTE_BYTES: int(1024).default(100_000),
  RATE_LIMIT_USER_PER_HOUR: int(1).default(30),
  RATE_LIMIT_CHANNEL_PER_HOUR: int(1).default(120),
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_API_URL: url.optional(),
  SLACK_ALLOWED_TEAMS: list.optional(),
  SLACK_ALLOWED_CHANNELS: list.optional(),
  SLACK_HELP_CHANNELS: list.optional(),
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_API_URL: url.optional(),
  DISCORD_ALLOWED_GUILDS: list.optional(),
  DISCORD_ALLOWED_CHANNELS: list.optional(),
  DISCORD_HELP_CHANNELS: list.optional(),
});

export type Env = z.infer<typeof envSchema>;
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof Env)[];
