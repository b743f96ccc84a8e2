/**
 * Rate limits and Slack event de-duplication across processes, on the real Redis (REDIS_URL, else
 * redis://127.0.0.1:6379): each "process" here is its own openCounters() with its own connection, and
 * the two Slack bots are real @slack/bolt apps on their own HTTP servers, as two replicas behind one
 * Slack app would be. Without Redis these tests skip and say why; the in-memory fallback is tested
 * either way.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryCounters, openCounters, type Counters } from '../../bots/shared/counters.ts';
import { createSlackBot, slackMount, type SlackBot } from '../../bots/slack/index.ts';
import { createHttpServer, createMetrics, type HttpServer } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log.ts';
import { closedPort } from '../model/fixtures.ts';
import { REDIS_URL, redisMissing } from '../queue/redis.ts';
import { slackSignature, startSlackStandIn, STANDIN_TEAM, type SlackStandIn } from '../standins/slack.ts';
import { repairStackUnavailable, startRepairStack, type RepairStack } from './stack.ts';

const NO_REDIS = await redisMissing();
if (NO_REDIS !== undefined) console.warn(`tests/bots/shared-counters.test.ts: Redis suites skipped — ${NO_REDIS}`);
const NO_STACK = repairStackUnavailable();
if (NO_STACK !== undefined) console.warn(`tests/bots/shared-counters.test.ts: the two-bot Slack suite skipped — ${NO_STACK}`);

const HOUR = 60 * 60 * 1000;
const opened: Counters[] = [];

/** One process's counters on Redis, under a prefix no other test run uses. */
async function processOn(prefix: string, redisUrl = REDIS_URL): Promise<Counters> {
  const counters = await openCounters({ redisUrl, keyPrefix: prefix, logger: silentLogger() });
  opened.push(counters);
  return counters;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((counters) => counters.close()));
});

describe.skipIf(NO_REDIS !== undefined)('rate limits shared on Redis', () => {
  it('two processes share one user quota', async () => {
    const prefix = `test-${randomUUID()}`;
    const [one, two] = [await processOn(prefix), await processOn(prefix)];
    expect(one.shared && two.shared).toBe(true);
    const limits = { userPerHour: 2, channelPerHour: 100 };
    const a = one.rateLimiter(limits);
    const b = two.rateLimiter(limits);
    expect((await a.take('slack:U1', 'slack:C1')).allowed).toBe(true);
    expect((await b.take('slack:U1', 'slack:C1')).allowed).toBe(true);
    // Each process alone would still allow a second request; together the user has used both.
    const refusedHere = await a.take('slack:U1', 'slack:C1');
    const refusedThere = await b.take('slack:U1', 'slack:C1');
    for (const refused of [refusedHere, refusedThere]) {
      expect(refused).toMatchObject({ allowed: false, scope: 'user', limit: 2 });
      if (!refused.allowed) {
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(HOUR);
      }
    }
    // Another user's quota is their own.
    expect((await b.take('slack:U2', 'slack:C1')).allowed).toBe(true);
  });

  it('a channel refused in one process gives the user the request back for every process', async () => {
    const prefix = `test-${randomUUID()}`;
    const [one, two] = [await processOn(prefix), await processOn(prefix)];
    const limits = { userPerHour: 1, channelPerHour: 1 };
    expect((await one.rateLimiter(limits).take('discord:U1', 'discord:busy')).allowed).toBe(true);
    expect(await two.rateLimiter(limits).take('discord:U2', 'discord:busy')).toMatchObject({ allowed: false, scope: 'channel' });
    expect((await one.rateLimiter(limits).take('discord:U2', 'discord:quiet')).allowed).toBe(true);
  });

  it('sees a delivery once across processes', async () => {
    const prefix = `test-${randomUUID()}`;
    const [one, two] = [await processOn(prefix), await processOn(prefix)];
    expect(await one.deduper('slack', HOUR).first('Ev1')).toBe(true);
    expect(await two.deduper('slack', HOUR).first('Ev1')).toBe(false);
    // Platforms keep their ids apart.
    expect(await two.deduper('discord', HOUR).first('Ev1')).toBe(true);
  });
});

describe('rate limits without REDIS_URL', () => {
  it('fall back to memory: each process counts its own', async () => {
    const one = await openCounters({});
    const two = await openCounters({});
    expect(one.shared || two.shared).toBe(false);
    const limits = { userPerHour: 1, channelPerHour: 100 };
    const a = one.rateLimiter(limits);
    expect((await a.take('web:1.2.3.4', undefined)).allowed).toBe(true);
    expect((await a.take('web:1.2.3.4', undefined)).allowed).toBe(false);
    expect((await two.rateLimiter(limits).take('web:1.2.3.4', undefined)).allowed).toBe(true);
    expect(await memoryCounters().deduper('slack', HOUR).first('Ev1')).toBe(true);
  });

  it('keep limiting, per process, while the Redis of REDIS_URL cannot be reached', async () => {
    const down = await processOn(`test-${randomUUID()}`, `redis://127.0.0.1:${await closedPort()}`);
    const limiter = down.rateLimiter({ userPerHour: 1, channelPerHour: 100 });
    expect((await limiter.take('slack:U1', 'slack:C1')).allowed).toBe(true);
    expect(await limiter.take('slack:U1', 'slack:C1')).toMatchObject({ allowed: false, scope: 'user' });
    const seen = down.deduper('slack', HOUR);
    expect(await seen.first('Ev1')).toBe(true);
    expect(await seen.first('Ev1')).toBe(false);
  });
});

const SECRET = 'standin-signing-secret';

describe.skipIf(NO_REDIS !== undefined || NO_STACK !== undefined)('Slack events on two processes sharing Redis', () => {
  let slack: SlackStandIn;
  let stack: RepairStack;
  const replicas: { bot: SlackBot; server: HttpServer; eventsUrl: string }[] = [];

  beforeAll(async () => {
    slack = await startSlackStandIn();
    stack = await startRepairStack();
    const prefix = `test-${randomUUID()}`;
    for (let i = 0; i < 2; i += 1) {
      const bot = createSlackBot({
        config: { botToken: 'xoxb-standin', signingSecret: SECRET, apiUrl: slack.apiUrl, helpChannels: [] },
        limits: { maxPasteBytes: 4000, userPerHour: 5, channelPerHour: 100 },
        service: stack.service,
        store: stack.store,
        counters: await processOn(prefix),
        logger: silentLogger(),
        statusIntervalMs: 50,
        clientOptions: { retryConfig: { retries: 0 } },
      });
      const mount = slackMount(bot);
      if (mount === undefined) throw new Error('HTTP mode has a request listener');
      const server = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), metrics: createMetrics({ processMetrics: false }), mounts: [mount] });
      const { url } = await server.listen();
      await bot.start();
      replicas.push({ bot, server, eventsUrl: `${url}/slack/events` });
    }
    // These counters belong to the suite, not to one test.
    opened.splice(0);
  });

  afterAll(async () => {
    for (const { bot, server } of replicas) {
      await bot.stop();
      await server.close();
    }
    await stack?.close();
    await slack?.close();
  });

  it('handles an event delivered to both once (Slack retried it to the other replica)', async () => {
    const ts = '1700000900.000100';
    const event = { type: 'app_mention', user: 'U0FRANK', text: '<@U0BOT>', ts, channel: 'C0HELP', event_ts: ts };
    const body = JSON.stringify({ token: 'legacy', team_id: STANDIN_TEAM, api_app_id: 'A0APP', type: 'event_callback', event_id: `Ev${randomUUID()}`, event_time: Math.floor(Date.now() / 1000), event });
    const post = async (url: string, retry: boolean): Promise<number> => {
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(SECRET, timestamp, body),
        ...(retry ? { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } : {}),
      };
      return (await fetch(url, { method: 'POST', headers, body })).status;
    };
    const [first, second] = replicas;
    if (first === undefined || second === undefined) throw new Error('two replicas');
    expect(await post(first.eventsUrl, false)).toBe(200);
    expect(await post(second.eventsUrl, true)).toBe(200);
    const answer = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === ts);
    await slack.expectNoCall('chat.postMessage', (call) => call !== answer && call.body.thread_ts === ts, 500);
    expect(slack.calls.filter((call) => call.method === 'chat.postMessage' && call.body.thread_ts === ts)).toHaveLength(1);
  });
});
