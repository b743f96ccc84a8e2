import { readdir } from 'node:fs/promises';
import { disableVendorTelemetry, loadConfig } from '../config/index.ts';
import { isTracefixError, userMessageOf } from '../errors.ts';
import { createServices, type Services } from '../compose.ts';
import { createLogger } from '../log.ts';
import { EXIT, type CliCommand, type CliContext } from './context.ts';

const COMMANDS_DIR = new URL('./commands/', import.meta.url);

async function commandNames(): Promise<string[]> {
  const files = await readdir(COMMANDS_DIR);
  return files
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadCommand(name: string): Promise<CliCommand | undefined> {
  if (!/^[a-z][a-z-]*$/.test(name) || !(await commandNames()).includes(name)) return undefined;
  const mod = (await import(new URL(`${name}.ts`, COMMANDS_DIR).href)) as { command: CliCommand };
  return mod.command;
}

async function help(out: NodeJS.WritableStream): Promise<void> {
  const lines = ['tracefix — runs your Python snippet, traces it, and finds a fix that passes your tests.', '', 'Commands:'];
  for (const name of await commandNames()) {
    const cmd = await loadCommand(name);
    if (cmd) lines.push(`  ${name.padEnd(12)} ${cmd.summary}`);
  }
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
    await help(out);
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
    const config = loadConfig(streams.env ?? process.env);
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
