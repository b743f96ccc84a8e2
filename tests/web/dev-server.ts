/**
 * Dev run of the web chat before the engine lands: a hand-written RepairService that walks through the
 * progress stages and answers with a canned result. Not a test; `npx tsx tests/web/dev-server.ts`.
 * Prints the URL; with --screenshot FILE it also opens the page in chromium, fixes the sample and saves
 * a screenshot, then exits.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWebChat } from '../../bots/web/index.ts';
import { createFeedbackStore } from '../../src/feedback/store.ts';
import { createHttpServer, createMetrics } from '../../src/http/index.ts';
import { createLogger } from '../../src/log.ts';
import { createInProcessQueue } from '../../src/queue/index.ts';
import type { RepairResult, RepairService } from '../../src/repair/types.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const canned: RepairService = {
  async run(request, options = {}) {
    const steps = [
      { stage: 'tests', message: 'Running your 3 tests' },
      { stage: 'trace', message: 'Tracing test_1' },
      { stage: 'search', message: 'Trying 40 candidate fixes', done: 12, total: 40 },
      { stage: 'verify', message: 'Verifying the best candidates' },
    ] as const;
    for (const step of steps) {
      options.onProgress?.({ ...step });
      await sleep(300);
    }
    const fixed = request.code.replace('range(1, n)', 'range(1, n + 1)');
    const result: RepairResult = {
      requestId: request.id,
      status: 'fixed',
      summary: 'Fixed: the loop stopped one short of n.',
      rationale: 'The trace of test_1 shows `range(1, n)` ending at i=2 for n=3, so `total` never adds 3: the loop bound is off by one.',
      fixedCode: fixed,
      diff: '--- a/snippet.py\n+++ b/snippet.py\n@@ -1,5 +1,5 @@\n def sum_to(n):\n     total = 0\n-    for i in range(1, n):\n+    for i in range(1, n + 1):\n         total += i\n     return total\n',
      tests: [
        { id: 't1', name: 'assert sum_to(3) == 6', before: 'failed', after: 'passed', detail: '3 != 6' },
        { id: 't2', name: 'assert sum_to(1) == 1', before: 'failed', after: 'passed', detail: '0 != 1' },
        { id: 't3', name: 'assert sum_to(0) == 0', before: 'passed', after: 'passed' },
      ],
      trace: {
        testName: 'assert sum_to(3) == 6',
        rendered: 'def sum_to(n):  # (0) n=3\n    total = 0  # (1) total=0\n    for i in range(1, n):  # (2) i=1; (4) i=2\n        total += i  # (3) total=1; (5) total=3\n    return total  # (6) __return__=3\n',
        excerpt: '',
        truncated: false,
      },
      candidates: { tried: 40, passed: 2, fromModel: 0, fromSearch: 40 },
      model: { id: 'offline' },
      timings: { totalMs: 1234 },
    };
    return result;
  },
};

const logger = createLogger({ level: 'info' });
const dir = await mkdtemp(path.join(tmpdir(), 'tracefix-web-dev-'));
const store = await createFeedbackStore({ url: `sqlite://${dir}/store.sqlite`, retentionDays: 30, dataDir: dir });
const queue = createInProcessQueue({ service: canned, concurrency: 2 });
const metrics = createMetrics({ queue });
const chat = createWebChat({ service: metrics.instrument(queue), store, limits: { maxPasteBytes: 100_000, userPerHour: 30 }, logger });
const server = createHttpServer({ host: '127.0.0.1', port: 0, logger, routes: chat.routes, metrics, health: { queue, store } });
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
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('console', (message) => console.log('page:', message.text()));
  await page.goto(url);
  await page.fill('#code', 'def sum_to(n):\n    total = 0\n    for i in range(1, n):\n        total += i\n    return total\n');
  await page.fill('#tests', 'assert sum_to(3) == 6\nassert sum_to(1) == 1\nassert sum_to(0) == 0\n');
  await page.click('#fix');
  await page.waitForSelector('#result:not([hidden])');
  await page.click('#vote-up');
  await page.locator('#feedback-status', { hasText: 'Thanks' }).waitFor();
  await page.screenshot({ path: file, fullPage: true });
  await browser.close();
  await chat.close();
  await server.close();
  await store.close();
  console.log('screenshot', file);
}
