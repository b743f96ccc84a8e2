/**
 * A repair worker process: takes RepairRequest jobs from BullMQ on Redis and runs the engine on a
 * sandbox of its own. Start as many as the machine (or machines) can hold next to the bot processes:
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx src/queue/worker-main.ts [--queue NAME] [--name NAME]
 *                                                                     [--lock-ms N] [--stalled-ms N]
 *
 * Settings come from the environment through src/config (sandbox, QUEUE_CONCURRENCY, LOG_LEVEL); the
 * flags exist for operators and tests (a unique queue per test run, short locks so that a killed
 * worker's job is recovered quickly). SIGTERM / SIGINT: stop taking jobs, finish the running ones,
 * close the sandbox.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { userMessageOf } from '../errors.ts';
import { createLogger } from '../log.ts';
import { startQueueWorker } from './worker.ts';

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive whole number of milliseconds`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      queue: { type: 'string' },
      name: { type: 'string' },
      'lock-ms': { type: 'string' },
      'stalled-ms': { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  const logger = createLogger({ level: config.log.level, debug: config.log.debug });
  const lockDurationMs = positive(values['lock-ms'], '--lock-ms');
  const stalledIntervalMs = positive(values['stalled-ms'], '--stalled-ms');
  const worker = await startQueueWorker({
    config,
    logger,
    ...(values.queue === undefined ? {} : { queueName: values.queue }),
    ...(values.name === undefined ? {} : { workerName: values.name }),
    ...(lockDurationMs === undefined ? {} : { lockDurationMs }),
    ...(stalledIntervalMs === undefined ? {} : { stalledIntervalMs }),
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ worker: worker.name }, 'worker stopping: finishing running jobs');
  await worker.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`tracefix worker: ${userMessageOf(error)} ${error instanceof Error ? error.message : ''}\n`);
    process.exit(2);
  },
);
