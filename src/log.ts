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

/**
 * Errors keep their system code readable: `*.code` is redacted because a request's `code` is the user's
 * program, and that path also covers `err.code` (ECONNREFUSED, ENOENT, ERR_…), the one field that says what
 * went wrong. The serializer copies such a code, and only a short identifier, to `err.errorCode`.
 */
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (out && typeof out === 'object') {
    const code = out['code'];
    if ((typeof code === 'string' && /^[A-Za-z][\w.-]{0,63}$/.test(code)) || typeof code === 'number') out['errorCode'] = code;
  }
  return out;
}

export function createLogger(options: LogOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    base: { service: 'tracefix' },
    serializers: { err: serializeError },
    ...(options.debug ? {} : { redact: { paths: REDACT, censor: '[redacted]' } }),
  };
  // stderr by default: stdout belongs to the CLI's output (and its --json).
  return pino(opts, (options.destination ?? process.stderr) as never);
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
