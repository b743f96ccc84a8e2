/** Shared inputs and answers for the model tests (src/model/*.test.ts). */
import { Writable } from 'node:stream';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ModelConfig } from '../../src/model/index.ts';
import type { PromptInput } from '../../src/model/types.ts';
import { createLogger, type Logger } from '../../src/log.ts';

export const BUGGY = `def sum_to(n):
    """Return 1 + 2 + ... + n."""
    total = 0
    for i in range(1, n):
        total += i
    return total
`;

export const FIXED = BUGGY.replace('range(1, n)', 'range(1, n + 1)');

export const TRACE = `def sum_to(n):  # (0) n=4
    """Return 1 + 2 + ... + n."""
    total = 0  # (1) total=0
    for i in range(1, n):  # (2) i=1; (4) i=2; (6) i=3
        total += i  # (3) total=1; (5) total=3; (7) total=6
    return total  # (10) __return__=6`;

export const INPUT: PromptInput = {
  program: BUGGY,
  tests: 'assert sum_to(4) == 10\nassert sum_to(1) == 1',
  failures: ['assert sum_to(4) == 10: expected 10, got 6', 'assert sum_to(1) == 1: expected 1, got 0'],
  trace: TRACE,
};

const F = '```';
export const RIGHT = `The test expects 10 but step 10 shows __return__=6: i stops at 3 (step 6), so 4 is never added.\n\n${F}python\n${FIXED}${F}\n`;
export const WRONG = `Start the total at 4.\n\n${F}python\n${BUGGY.replace('total = 0', 'total = 4')}${F}\n`;
export const MALFORMED = 'I cannot tell what is wrong without more information.';

export const API_KEY = 'sk-test-0123456789abcdef';

export function modelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    provider: 'openai',
    name: 'gpt-test',
    temperature: 0.8,
    samples: 3,
    concurrency: 4,
    timeoutMs: 5000,
    openai: {},
    anthropic: {},
    ollama: {},
    ...overrides,
  };
}

/** Fast retries for tests. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 2000 };

/** A port nothing listens on: bind one, note it, close it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A real pino logger whose output the test can read. */
export function capturedLogger(debug = false): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', debug, destination });
  return { logger, text: () => chunks.join('') };
}
