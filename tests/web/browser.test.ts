/**
 * The web chat in a real browser (Debian's chromium driven by playwright-core) against the real stack
 * of `npm start` with no settings: the repair engine's program search on the Pyodide sandbox (the
 * embedded default), the in-process queue, the SQLite feedback store, the shared HTTP server.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { createWebChat, type WebChat } from '../../bots/web/index.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../../src/feedback/store.ts';
import { createHttpServer, createMetrics, type HttpServer } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log.ts';
import { createInProcessQueue, type JobQueue } from '../../src/queue/index.ts';
import { createRepairEngine } from '../../src/repair/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const skipReason = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is absent (Debian package chromium)`;
if (skipReason) console.warn(`[skip] tests/web/browser.test.ts: ${skipReason}`);

export const BUGGY = ['def sum_to(n):', '    total = 0', '    for i in range(1, n):', '        total += i', '    return total', ''].join('\n');
export const ASSERTS = ['assert sum_to(3) == 6', 'assert sum_to(1) == 1', 'assert sum_to(4) == 10', ''].join('\n');

describe.skipIf(skipReason !== undefined)('web chat in chromium', () => {
  let dir: string;
  let sandbox: Sandbox;
  let queue: JobQueue;
  let store: KeyvFeedbackStore;
  let chat: WebChat;
  let server: HttpServer;
  let base: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tracefix-web-browser-'));
    sandbox = await createSandbox({ backend: 'pyodide', poolSize: 1 });
    queue = createInProcessQueue({ service: createRepairEngine({ sandbox }), concurrency: 1 });
    store = await createFeedbackStore({ url: `sqlite://${dir}/store.sqlite`, retentionDays: 30, dataDir: dir });
    const metrics = createMetrics({ queue, sandbox });
    chat = createWebChat({ service: metrics.instrument(queue), store, limits: { maxPasteBytes: 100_000, userPerHour: 30 }, logger: silentLogger() });
    server = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), routes: chat.routes, metrics, health: { sandbox, queue, store } });
    base = (await server.listen()).url;
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await chat?.close();
    await server?.close();
    await queue?.close();
    await sandbox?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Every text the status line shows, in order (a MutationObserver in the page, installed by CDP, not by page script). */
  async function watchStatus(page: Page): Promise<() => Promise<string[]>> {
    // A string, not a function: this file is compiled without the DOM library.
    await page.evaluate(`(() => {
      window.statuses = [];
      const node = document.getElementById('status');
      new MutationObserver(() => {
        const text = node.textContent ?? '';
        if (window.statuses[window.statuses.length - 1] !== text) window.statuses.push(text);
      }).observe(node, { childList: true, characterData: true, subtree: true });
    })()`);
    return () => page.evaluate<string[]>('window.statuses');
  }

  it('fixes an off-by-one, shows the diff, the tests, the trace, and records a 👍', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(base);
    await expect.poll(() => page.title()).toContain('tracefix');
    const statuses = await watchStatus(page);
    await page.fill('#code', BUGGY);
    await page.fill('#tests', ASSERTS);
    await page.fill('#description', 'Sum of 1..n');
    await page.click('#fix');
    await page.locator('#result:not([hidden])').waitFor({ timeout: 90_000 });

    const seen = await statuses();
    expect(seen[0]).toMatch(/Sending|Got it/);
    expect(seen.some((s) => s.startsWith('⏳') && !s.includes('Got it'))).toBe(true); // a progress stage from the engine
    expect(seen.at(-1)).toMatch(/^Finished in/);

    await expect.poll(() => page.textContent('#passing')).toContain('3/3 tests pass');
    expect(await page.textContent('#headline')).toMatch(/Fixed/);
    const added = await page.locator('#diff .add').allTextContents();
    const removed = await page.locator('#diff .del').allTextContents();
    expect(removed.join('\n')).toContain('range(1, n)');
    expect(added.join('\n')).toMatch(/^\+.*range/m);
    const colour = await page.locator('#diff .add').first().evaluate<string, undefined>('(node) => getComputedStyle(node).backgroundColor', undefined);
    expect(colour).not.toBe('rgba(0, 0, 0, 0)');
    expect(await page.locator('#tests-table tbody tr').count()).toBe(3);
    expect(await page.locator('#tests-table tbody td.st-passed').count()).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('#trace')).toMatch(/# \(\d+\)/);
    expect(await page.textContent('#rationale')).not.toBe('');

    await page.click('#vote-up');
    await page.locator('#feedback-status', { hasText: 'Thanks' }).waitFor();
    expect(await page.getAttribute('#vote-up', 'aria-pressed')).toBe('true');
    const { items } = await store.listSince(undefined, 10);
    expect(items).toHaveLength(1);
    const interaction = items[0];
    expect(interaction?.result.status).toBe('fixed');
    expect(interaction?.origin.platform).toBe('web');
    expect(interaction?.feedback.map((f) => f.vote)).toEqual(['up']);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('tracefix_repair_outcomes_total{platform="web",outcome="fixed"} 1');
    expect(metrics).toMatch(/tracefix_repair_duration_seconds_count\{platform="web"\} 1/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows the one-sentence message for an empty paste', async () => {
    const page = await context.newPage();
    await page.goto(base);
    await page.click('#fix');
    await page.locator('#status.error').waitFor();
    expect(await page.textContent('#status')).toMatch(/There is no code to fix/);
    expect(await page.isHidden('#result')).toBe(true);
    await page.close();
  });

  it('tells a client over its hourly limit when it can try again', async () => {
    const strict = createWebChat({ service: queue, store, limits: { maxPasteBytes: 100_000, userPerHour: 1 }, logger: silentLogger() });
    const other = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), routes: strict.routes, metrics: createMetrics() });
    const { url } = await other.listen();
    const page = await context.newPage();
    try {
      await page.goto(url);
      await page.fill('#code', 'def f():\n    return 1\n');
      await page.fill('#tests', 'assert f() == 1\n');
      await page.click('#fix');
      await page.locator('#result:not([hidden])').waitFor({ timeout: 90_000 });
      expect(await page.textContent('#headline')).toMatch(/Nothing to fix/);
      await page.click('#fix');
      await page.locator('#status.error').waitFor();
      expect(await page.textContent('#status')).toMatch(/reached the limit of 1 fixes per hour — please try again in about 60 minutes/);
    } finally {
      await page.close();
      await strict.close();
      await other.close();
    }
  }, 120_000);

  it('renders user text as text, never as markup', async () => {
    const page = await context.newPage();
    await page.goto(base);
    const hostile = 'def f():\n    return "<img src=x onerror=alert(1)><script>alert(2)</script>"\n';
    await page.fill('#code', hostile);
    await page.fill('#tests', 'assert f() == "<b>bold</b>"\n');
    await page.click('#fix');
    await page.locator('#result:not([hidden])').waitFor({ timeout: 90_000 });
    expect(await page.locator('#result img, #result script, #result b').count()).toBe(0);
    const shown = (await page.textContent('#result')) ?? '';
    expect(shown).toContain('<b>bold</b>');
    await page.close();
  }, 120_000);

  it('reads fenced tests, says plainly when the code does not compile, and explains a miss', async () => {
    const page = await context.newPage();
    await page.goto(base);
    // Tests pasted from a chat or a README, fence and sentence included (they used to be a SyntaxError).
    await page.fill('#code', BUGGY);
    await page.fill('#tests', 'These fail:\n```python\n' + ASSERTS + '```\n');
    await page.click('#fix');
    await page.locator('#result:not([hidden])').waitFor({ timeout: 90_000 });
    expect(await page.textContent('#headline')).toMatch(/Fixed — all 3 tests pass/);
    expect(await page.isHidden('#summary')).toBe(true); // the rationale explains a fix

    // A missing colon: one sentence saying so, not "No verified fix found — tried 0 candidates".
    await page.fill('#code', 'def sum_to(n)\n    return n\n');
    await page.fill('#tests', ASSERTS);
    await page.click('#fix');
    await page.locator('#headline', { hasText: 'Python cannot compile your code: SyntaxError at line 1' }).waitFor({ timeout: 90_000 });
    expect(await page.textContent('#tests-table')).toContain('did not run: the code did not load');
    expect(await page.isHidden('#trace-box')).toBe(true);

    // No fix found: the engine's sentence about what failed is on the page, not only the counts.
    await page.fill('#code', 'def f(m, n):\n    return m * n\n');
    await page.fill('#tests', 'assert f(4, 3) == 23\n');
    await page.click('#fix');
    await page.locator('#headline', { hasText: 'No verified fix found' }).waitFor({ timeout: 90_000 });
    expect(await page.textContent('#summary')).toMatch(/expected 23 but got 12/);

    // An endless loop keeps one status line up for seconds: the elapsed counter shows the page is alive.
    await page.fill('#code', 'def f(x):\n    while True:\n        x += 1\n    return x\n');
    await page.fill('#tests', 'assert f(1) == 2\n');
    await page.click('#fix');
    await page.locator('#status.busy[data-elapsed]').waitFor({ timeout: 30_000 });
    expect(await page.getAttribute('#status', 'data-elapsed')).toMatch(/^ · \d+ s$/);
    await page.locator('#result:not([hidden])').waitFor({ timeout: 90_000 });
    expect(await page.getAttribute('#status', 'data-elapsed')).toBeNull();
    await page.close();
  }, 240_000);

  it('Ctrl+Enter while a repair runs replaces it, and the form stays busy until the new answer', async () => {
    const page = await context.newPage();
    await page.goto(base);
    await page.fill('#code', 'def f(x):\n    return x + 1\n');
    await page.fill('#tests', 'def test_hang():\n    import time\n    time.sleep(10**6)\n');
    await page.click('#fix');
    await page.locator('#status', { hasText: '⏳' }).waitFor({ timeout: 30_000 });
    await page.fill('#code', BUGGY);
    await page.fill('#tests', ASSERTS);
    await page.focus('#tests');
    await page.keyboard.press('Control+Enter');
    // The replaced request's end used to re-enable Fix while the new one was still running.
    await page.waitForTimeout(1_000);
    expect(await page.isDisabled('#fix')).toBe(true);
    await page.locator('#result:not([hidden])').waitFor({ timeout: 120_000 });
    expect(await page.textContent('#headline')).toMatch(/Fixed — all 3 tests pass/);
    expect(await page.isDisabled('#fix')).toBe(false);
    await page.close();
  }, 240_000);
});
