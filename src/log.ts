import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may hold user code or secrets. They are removed from every log line unless the
 * debug flag (TRACEFIX_DEBUG_LOG) is on; see DESIGN.md habit 9.
 */
const REDACT = [
  'code',
  'tests',
  'source',
  'program',
  'fixedCode',
  'description',
  'token',
  'apiKey',
  'authorization',
  'password',
  'secret',
  '*.code',
  '*.tests',
  '*.source',
  '*.fixedCode',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.password',
  '*.secret',
  'req.headers.authorization',
];

export interface LogOptions {
  level?: string;
  /** Keep user code and secrets in log lines (local debugging only). */
  debug?: boolean;
  /** Write to this stream instead of stderr (tests). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    base: { service: 'tracefix' },
    ...(options.debug ? {} : { redact: { paths: REDACT, censor: '[redacted]' } }),
  };
  // stderr by default: stdout belongs to the CLI's output (and its --json).
  return pino(opts, (options.destination ?? process.stderr) as never);
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
