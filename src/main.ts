/**
 * The composition root: the one place that turns the configuration into running parts. With no
 * settings it serves the local web chat on 127.0.0.1 with the Pyodide sandbox, the offline program
 * search and a SQLite store; Slack, Discord, BullMQ, a language model and the self-training schedule
 * join when their settings are present.
 */
import { assertIsolated, type Sandbox } from '../sandbox/index.ts';
import type { DiscordBot } from '../bots/discord/index.ts';
import type { SlackBot } from '../bots/slack/index.ts';
import { openCounters } from '../bots/shared/counters.ts';
import { checkWebChatExposure, createWebChat } from '../bots/web/index.ts';
import { createServices } from './compose.ts';
import { disableVendorTelemetry, loadConfig, type Config } from './config/index.ts';
import { fromSandboxError, userMessageOf } from './errors.ts';
import { createHttpServer, createMetrics, isLoopbackHost, type Mount } from './http/index.ts';
import { createLogger, type Logger } from './log.ts';
import { startSelfTraining } from './training/compose.ts';

export interface Running {
  url: string;
  stop(): Promise<void>;
}

/**
 * Code from other people runs only on a backend that isolates it. The CLI and the loopback web chat
 * serve the operator's own code, so there an unisolated backend only earns a warning.
 */
function enforceIsolation(config: Config, sandbox: Sandbox, logger: Logger): void {
  const shared = Boolean(config.slack ?? config.discord) || !isLoopbackHost(config.host);
  if (sandbox.isolation.isolated) return;
  if (shared && !config.sandbox.allowUnisolated) {
    try {
      if (config.slack) assertIsolated(sandbox, 'the Slack bot');
      if (config.discord) assertIsolated(sandbox, 'the Discord bot');
    } catch (error) {
      // The sandbox's sentence says how to fix it; as a TracefixError it reaches stderr unchanged.
      throw fromSandboxError(error);
    }
    checkWebChatExposure({ host: config.host, sandboxIsolated: false, sandboxHow: sandbox.isolation.how });
  }
  logger.warn(
    `The ${sandbox.name} sandbox does not isolate code on this machine (${sandbox.isolation.how}); ` +
      'pasted code runs with your own rights. Fine for your own code; install bubblewrap before serving others.',
  );
}

export async function start(config: Config, logger: Logger): Promise<Running> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.warn({ err: error }, 'error while stopping');
      }
    }
  };
  try {
    // Closed last (stops run last-in first-out): the sandbox, store and queue outlive what uses them.
    const services = createServices(config, { logger });
    stops.push(() => services.close());
    const sandbox = await services.sandbox();
    enforceIsolation(config, sandbox, logger);

    const store = await services.store();
    const training = await startSelfTraining(services);
    stops.push(() => training.stop());
    const model = await services.model();
    const queue = await services.queue();

    const metrics = createMetrics({ sandbox, queue, processMetrics: true });
    const service = metrics.instrument(queue);

    // Rate limits and delivery de-duplication: on Redis with REDIS_URL, so that scaled-out bot processes
    // share one user's quota and handle a Slack event once; else in this process's memory.
    const counters = await openCounters({ ...(config.queue.redisUrl === undefined ? {} : { redisUrl: config.queue.redisUrl }), logger });
    stops.push(() => counters.close());

    // What every chat front end shares; each adds its own platform settings and a logger of its own.
    const botDeps = { limits: config.limits, service, store, counters, deadlineMs: config.repair.deadlineMs };
    const mounts: Mount[] = [];
    let slack: SlackBot | undefined;
    if (config.slack) {
      // Each chat SDK loads only when its platform is configured.
      const { createSlackBot, slackMount } = await import('../bots/slack/index.ts');
      slack = createSlackBot({ ...botDeps, config: config.slack, logger: logger.child({ frontEnd: 'slack' }) });
      const mount = slackMount(slack);
      if (mount) mounts.push(mount);
    }

    const web = createWebChat({
      service,
      store,
      limits: config.limits,
      rateLimiter: counters.rateLimiter({ userPerHour: config.limits.userPerHour, channelPerHour: Number.MAX_SAFE_INTEGER }),
      logger: logger.child({ frontEnd: 'web' }),
      deadlineMs: config.repair.deadlineMs,
    });

    const http = createHttpServer({
      host: config.host,
      port: config.port,
      logger,
      routes: web.routes,
      mounts,
      metrics,
      health: { sandbox, queue, store },
    });
    const { url } = await http.listen();
    stops.push(() => http.close());
    // Stops run last-in first-out: the web chat ends its open progress streams with a message before
    // the server stops waiting for them.
    stops.push(() => web.close());

    if (slack) {
      const bot = slack;
      await bot.start();
      stops.push(() => bot.stop());
      logger.info({ mode: bot.mode }, 'Slack bot started');
    }
    let discord: DiscordBot | undefined;
    if (config.discord) {
      const { createDiscordBot } = await import('../bots/discord/index.ts');
      discord = createDiscordBot({ ...botDeps, config: config.discord, logger: logger.child({ frontEnd: 'discord' }) });
      const bot = discord;
      await bot.start();
      stops.push(() => bot.stop());
      logger.info('Discord bot started');
    }

    logger.info(
      {
        sandbox: sandbox.name,
        isolated: sandbox.isolation.isolated,
        model: model ? model.id : 'offline program search',
        queue: queue.kind,
        store: store.backend,
        selfTraining: config.training.schedule ?? 'off',
      },
      `tracefix is ready: web chat at ${url}`,
    );
    return { url, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function mainProcess(): Promise<void> {
  disableVendorTelemetry();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`tracefix: ${userMessageOf(error)}\n`);
    process.exitCode = 2;
    return;
  }
  const logger = createLogger({ level: config.log.level, debug: config.log.debug });
  let running: Running;
  try {
    running = await start(config, logger);
  } catch (error) {
    logger.error({ err: error }, 'start-up failed');
    process.stderr.write(`tracefix: ${userMessageOf(error)}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`\n  tracefix is running: open ${running.url}\n\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await mainProcess();
}
