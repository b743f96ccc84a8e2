/**
 * Dev run of the web chat on the real stack (engine's program search, process sandbox, in-process
 * queue, SQLite store in a temp dir). Not a test: `npx tsx tests/web/dev-server.ts` prints the URL;
 * with --screenshot FILE it opens the page in chromium, fixes the sample, votes, saves a screenshot
 * and exits.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWebChat } from '../../bots/web/index.ts';
import { createFeedbackStore } from '../../src/feedback/store.ts';
import { createHttpServer, createMetrics } from '../../src/http/index.ts';
import { createLogger } from '../../src/log.ts';
import { createInProcessQueue } from '../../src/queue/index.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import { createSandbox } from '../../sandbox/index.ts';

const logger = createLogger({ level: 'info' });
const dir = await mkdtemp(path.join(tmpdir(), 'tracefix-web-dev-'));
const store = await createFeedbackStore({ url: `sqlite://${dir}/store.sqlite`, retentionDays: 30, dataDir: dir });
const sandbox = await createSandbox({ backend: 'process' });
const queue = createInProcessQueue({ service: createRepairEngine({ sandbox, logger }), concurrency: 2 });
const metrics = createMetrics({ queue, sandbox });
const chat = createWebChat({ service: metrics.instrument(queue), store, limits: { maxPasteBytes: 100_000, userPerHour: 30 }, logger });
const server = createHttpServer({ host: '127.0.0.1', port: 0, logger, routes: chat.routes, metrics, health: { queue, store, sandbox } });
const { url } = await server.listen();
console.log(url);

const shotIndex = process.argv.indexOf('--screenshot');
if (shotIndex >= 0) {
  const file = process.argv[shotIndex + 1] ?? '/tmp/tracefix-web.png';
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: Number(process.env.WIDTH ?? 1100), height: 900 } });
  page.on('console', (message) => console.log('page:', message.text()));
  await page.goto(url);
  await page.fill('#code', 'def sum_to(n):\n    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n');
  await page.fill('#tests', 'assert sum_to(3) == 6\nassert sum_to(1) == 1\nassert sum_to(4) == 10\n');
  await page.click('#fix');
  await page.waitForSelector('#result:not([hidden])');
  await page.click('#vote-up');
  await page.locator('#feedback-status', { hasText: 'Thanks' }).waitFor();
  await page.screenshot({ path: file, fullPage: true });
  await browser.close();
  await chat.close();
  await server.close();
  await queue.close();
  await sandbox.close();
  await store.close();
  console.log('screenshot', file);
}
