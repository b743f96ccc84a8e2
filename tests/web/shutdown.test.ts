/**
 * Cancellation and graceful shutdown on the real engine: a page that goes away cancels its repair, and
 * closing the web chat ends every open progress stream with a message before the server closes.
 */
import { readEvents } from './sse.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebChat, type WebChat } from '../../bots/web/index.ts';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../../src/feedback/store.ts';
import { createHttpServer, createMetrics, type HttpServer, type Metrics } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log.ts';
import { createInProcessQueue, type JobQueue } from '../../src/queue/index.ts';
import { createRepairEngine } from '../../src/repair/index.ts';

// Every test times out (2 s each in the sandbox), so the repair is still running when we pull the plug.
const SLOW = { code: 'def spin(n):\n    while True:\n        n += 1\n', tests: 'assert spin(1) == 2\nassert spin(2) == 3\nassert spin(3) == 4\n' };
const HEADERS = { 'content-type': 'application/json', 'x-tracefix-request': '1' };

describe('web chat cancellation and shutdown (real engine)', () => {
  let dir: string;
  let sandbox: Sandbox;
  let queue: JobQueue;
  let store: KeyvFeedbackStore;
  let metrics: Metrics;
  let chat: WebChat;
  let server: HttpServer;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tracefix-web-shutdown-'));
    sandbox = await createSandbox({ backend: 'process' });
    queue = createInProcessQueue({ service: createRepairEngine({ sandbox }), concurrency: 2 });
    store = await createFeedbackStore({ url: `sqlite://${dir}/store.sqlite`, retentionDays: 30, dataDir: dir });
    metrics = createMetrics({ queue, sandbox });
    chat = createWebChat({ service: metrics.instrument(queue), store, limits: { maxPasteBytes: 100_000, userPerHour: 30 }, logger: silentLogger() });
    server = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), routes: chat.routes, metrics, closeGraceMs: 2_000 });
    base = (await server.listen()).url;
  });

  afterAll(async () => {
    await server?.close();
    await queue?.close();
    await sandbox?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Reads SSE frames until `stop` says so; returns the event names seen, and each event's data. */
  async function readUntil(response: Response, stop: (event: string) => boolean): Promise<{ events: string[]; frames: string[] }> {
    const read = await readEvents(response, (message) => stop(message.event ?? 'message'));
    return { events: read.map((message) => message.event ?? 'message'), frames: read.map((message) => `event: ${message.event ?? 'message'}\ndata: ${message.data}`) };
  }

  it('cancels the repair when the page goes away', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/fix`, { method: 'POST', headers: HEADERS, body: JSON.stringify(SLOW), signal: controller.signal });
    const { events } = await readUntil(response, (event) => event === 'progress');
    expect(events).toEqual(['accepted', 'progress']);
    controller.abort();
    await expect
      .poll(async () => (await metrics.registry.getSingleMetricAsString('tracefix_repair_outcomes_total')).includes('outcome="error:cancelled"} 1'), {
        timeout: 10_000,
      })
      .toBe(true);
    await expect.poll(async () => (await queue.depth()).active, { timeout: 5_000 }).toBe(0);
  }, 30_000);

  it('on close, ends open streams with a message, then stops the server', async () => {
    const response = await fetch(`${base}/api/fix`, { method: 'POST', headers: HEADERS, body: JSON.stringify(SLOW) });
    const reading = readUntil(response, () => false);
    await expect.poll(async () => (await queue.depth()).active, { timeout: 5_000 }).toBe(1);
    await chat.close();
    const { events, frames } = await reading;
    expect(events.at(-1)).toBe('failure');
    expect(frames.at(-1)).toContain('The service is restarting; please try again in a moment.');
    await server.close();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 30_000);
});
