/**
 * A JavaScript paste through the web chat's HTTP API, end to end: the real page route (/api/fix,
 * server-sent events), the real engine with the offline program search, and the real sandbox (the
 * language router sends the paste to the QuickJS runner in the jail).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebChat } from '../../bots/web/index.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../../src/feedback/store.ts';
import { createHttpServer, createMetrics, type HttpServer } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log.ts';
import { createInProcessQueue } from '../../src/queue/index.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import { createSandbox, DEFAULT_LIMITS, type Sandbox } from '../../sandbox/index.ts';

let dir: string;
let sandbox: Sandbox;
let store: KeyvFeedbackStore;
let server: HttpServer;
let chat: ReturnType<typeof createWebChat>;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-web-js-'));
  store = await createFeedbackStore({ url: `sqlite://${dir}/store.sqlite`, retentionDays: 30, dataDir: dir });
  sandbox = await createSandbox({ backend: 'process', prespawn: 0 });
  const engine = createRepairEngine({ sandbox, logger: silentLogger(), limits: { ...DEFAULT_LIMITS, memoryMb: 64 } });
  const queue = createInProcessQueue({ service: engine, concurrency: 1 });
  chat = createWebChat({ service: queue, store, limits: { maxPasteBytes: 20_000, userPerHour: 10 }, logger: silentLogger() });
  server = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), routes: chat.routes, metrics: createMetrics() });
  base = (await server.listen()).url;
});

afterAll(async () => {
  await chat.close();
  await server.close();
  await sandbox.close();
  await store.close?.();
  await rm(dir, { recursive: true, force: true });
});

/** POSTs like the page does and reads the event stream to its end. */
function postFix(body: unknown): Promise<{ status: number; events: { event: string; data: unknown }[] }> {
  const url = new URL('/api/fix', base);
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { host: url.host, origin: base, 'content-type': 'application/json', 'x-tracefix-request': '1', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (raw += c));
        res.on('end', () => {
          const events = raw
            .split('\n\n')
            .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1] ?? '', data: /^data: (.*)$/m.exec(block)?.[1] }))
            .filter((e) => e.event !== '')
            .map((e) => ({ event: e.event, data: e.data ? (JSON.parse(e.data) as unknown) : undefined }));
          resolve({ status: res.statusCode ?? 0, events });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('the web chat with a JavaScript paste', () => {
  it('answers a fenced JS paste with a verified fix and a // trace', async () => {
    const code = '```js\nfunction largest(xs) {\n  let best = xs[0];\n  for (let i = 1; i < xs.length - 1; i++) {\n    if (xs[i] > best) best = xs[i];\n  }\n  return best;\n}\n```';
    const { status, events } = await postFix({ code, tests: 'console.assert(largest([2, 9]) === 9);\nconsole.assert(largest([4, 7, 1, 8]) === 8);' });
    expect(status).toBe(200);
    const final = JSON.stringify(events.at(-1));
    expect(events.map((e) => e.event)).toContain('accepted');
    expect(final).toContain('i <= xs.length - 1');
    expect(final).toMatch(/\/\/ \(\d+\) xs=\[2, 9\];/);
    expect(final).not.toContain('Traceback');
  }, 120_000);
});
