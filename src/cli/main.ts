import { disableVendorTelemetry, loadConfig } from '../config/index.ts';
import { isTracefixError, userMessageOf } from '../errors.ts';
import { createServices, type Services } from '../compose.ts';
import { createLogger } from '../log.ts';
import { EXIT, type CliCommand, type CliContext } from './context.ts';

/**
 * The commands and their one-line summaries, without importing them: `tracefix --help` then loads no
 * command module, and `tracefix run` loads only run.ts. src/cli/main.test.ts keeps each summary equal
 * to its module's own and the list equal to the files in commands/.
 */
export const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<{ command: CliCommand }> }>> = {
  dataset: { summary: 'Build the self-training dataset from upvoted, verified answers', load: () => import('./commands/dataset.ts') },
  eval: { summary: 'Evaluate the repair loop on a data set (fixed, pass@k, per bug type)', load: () => import('./commands/eval.ts') },
  fix: { summary: 'Find a fix for a failing Python file, verified against its tests', load: () => import('./commands/fix.ts') },
  forget: { summary: "Delete a user's stored requests and votes", load: () => import('./commands/forget.ts') },
  models: { summary: 'Show self-trained model versions, scores and which one is live', load: () => import('./commands/models.ts') },
  run: { summary: 'Run a Python file against its tests in a sandbox and print one line per test.', load: () => import('./commands/run.ts') },
  'self-train': { summary: 'Run the offline NExT self-training loop on a repair data set', load: () => import('./commands/self-train.ts') },
  trace: {
    summary: 'Trace the first failing test and print the program with every executed line annotated (NExT format).',
    load: () => import('./commands/trace.ts'),
  },
};

async function loadCommand(name: string): Promise<CliCommand | undefined> {
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return entry ? (await entry.load()).command : undefined;
}

function help(out: NodeJS.WritableStream): void {
  const lines = ['tracefix — runs your Python snippet, traces it, and finds a fix that passes your tests.', '', 'Commands:'];
  for (const [name, { summary }] of Object.entries(COMMANDS).sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${name.padEnd(12)} ${summary}`);
  lines.push('', 'Run `tracefix <command> --help` for its options.');
  out.write(lines.join('\n') + '\n');
}

export async function main(
  argv: string[],
  streams: { out?: NodeJS.WritableStream; err?: NodeJS.WritableStream; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const out = streams.out ?? process.stdout;
  const err = streams.err ?? process.stderr;
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(out);
    return name ? EXIT.ok : EXIT.error;
  }
  const command = await loadCommand(name);
  if (!command) {
    err.write(`tracefix: unknown command "${name}". Run \`tracefix --help\` for the list.\n`);
    return EXIT.error;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return EXIT.ok;
  }
  disableVendorTelemetry();
  let context: CliContext;
  const opened: Services[] = [];
  try {
    const config = loadConfig(streams.env);
    // CLI logs stay quiet unless asked: stdout is for results, stderr for the user's messages.
    const logger = createLogger({ level: config.env.LOG_LEVEL === 'info' ? 'warn' : config.log.level, debug: config.log.debug, destination: err });
    context = {
      config,
      logger,
      services: (options = {}) => {
        // One command serves one person: a single warm runner is enough.
        const services = createServices(config, { logger, sandbox: { ...(options.sandbox ? { backend: options.sandbox } : {}), poolSize: 1 } });
        opened.push(services);
        return services;
      },
      out,
      err,
      interactive: Boolean((err as NodeJS.WriteStream).isTTY),
    };
  } catch (error) {
    err.write(`tracefix: ${userMessageOf(error)}\n`);
    return EXIT.error;
  }
  try {
    return await command.run(rest, context);
  } catch (error) {
    err.write(`tracefix: ${userMessageOf(error)}\n`);
    // Whoever asked for --json reads stdout with a JSON parser: an empty stdout is not JSON.
    if (rest.includes('--json')) {
      out.write(JSON.stringify({ error: { code: isTracefixError(error) ? error.code : 'internal', message: userMessageOf(error) } }) + '\n');
    }
    if (!isTracefixError(error) || error.code === 'internal') context.logger.error({ err: error }, 'command failed');
    return EXIT.error;
  } finally {
    await Promise.all(opened.map((services) => services.close()));
  }
}
