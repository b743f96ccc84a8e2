/**
 * The answer as the web page shows it, in a real browser (Debian's chromium via playwright-core) against
 * the real web chat, the real engine (process sandbox) and the SQLite store. The first answer is a
 * not-pinned result scripted in front of the engine (the engine does not produce one yet); choosing an
 * option re-runs the real engine with the option's test added. Checked: `backticks` render as code, the
 * program's stdout is shown, the question's buttons, and the whole fixed file (copy and download).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebChat, type WebChat } from '../../bots/web/index.ts';
import { createSandbox, type Sandbox } from '../../sandbox/index.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../../src/feedback/store.ts';
import { createHttpServer, createMetrics, type HttpServer } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log.ts';
import { createRepairEngine } from '../../src/repair/index.ts';
import type { RepairResult } from '../../src/repair/types.ts';
import { ADD_CHOSEN_TEST, ADD_LOOSE_TESTS, addNotPinnedResult } from '../bots/results.ts';
import { scriptedFirst, type ScriptedService } from '../bots/scripted-service.ts';

const CHROMIUM = '/usr/bin/chromium';
const skipReason = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is absent (Debian package chromium)`;
if (skipReason) console.warn(`[skip] tests/web/browser-answer.test.ts: ${skipReason}`);

const CODE = 'def add(a, b):\n    print("adding", a, b)\n    return a - b\n';
const LOOSE_TESTS = ADD_LOOSE_TESTS;
const CHOSEN_TEST = ADD_CHOSEN_TEST;
const BEST = 'def add(a, b):\n    print("adding", a, b)\n    return a + b\n';

function scripted(): RepairResult {
  const result = addNotPinnedResult();
  const [best, other] = result.choice?.options ?? [];
  if (best === undefined || other === undefined) throw new Error('fixture has two options');
  return {
    ...result,
    fixedCode: BEST,
    diff: '--- a/snippet.py\n+++ b/snippet.py\n@@ -1,3 +1,3 @@\n def add(a, b):\n     print("adding", a, b)\n-    return a - b\n+    return a + b\n',
    tests: result.tests.map((row) => ({ ...row, stdout: 'adding 2 2\n' })),
    choice: { ...result.choice, call: 'add(2, 3)', options: [{ ...best, fixedCode: BEST }, other] },
  };
}

describe.skipIf(skipReason !== undefined)('the web answer in chromium', () => {
  let dir: string;
  let sandbox: Sandbox;
  let service: ScriptedService;
  let store: KeyvFeedbackStore;
  let chat: WebChat;
  let server: HttpServer;
  let base: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tracefix-web-answer-'));
    sandbox = await createSandbox({ backend: 'process' });
    service = scriptedFirst(createRepairEngine({ sandbox }), LOOSE_TESTS, scripted);
    store = await createFeedbackStore({ url: `sqlite://${dir}/store.sqlite`, retentionDays: 30, dataDir: dir });
    chat = createWebChat({ service, store, limits: { maxPasteBytes: 100_000, userPerHour: 30 }, logger: silentLogger() });
    server = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), routes: chat.routes, metrics: createMetrics() });
    base = (await server.listen()).url;
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await chat?.close();
    await server?.close();
    await sandbox?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders code as code, shows stdout, asks which fix is right, and verifies the choice', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(base);
    await page.fill('#code', CODE);
    await page.fill('#tests', LOOSE_TESTS);
    await page.click('#fix');
    await page.locator('#result[data-status="not_pinned"]').waitFor({ timeout: 60_000 });

    // Backticks never show raw: they became <code>.
    expect(await page.locator('#result').innerText()).not.toContain('`');
    expect(await page.locator('#facts li code').allTextContents()).toEqual([LOOSE_TESTS, '4', '0']);
    expect(await page.locator('#choice-question code').textContent()).toBe('add(2, 3)');
    expect(await page.textContent('#stdout')).toBe('adding 2 2\n');

    const options = page.locator('#choice-options button');
    expect(await options.count()).toBe(2);
    expect(await options.nth(1).innerText()).toContain('B. 6 — - becomes *');

    await options.first().click();
    expect(await page.inputValue('#tests')).toBe(`${LOOSE_TESTS}\n${CHOSEN_TEST}\n`);
    await page.locator('#result[data-status="fixed"]').waitFor({ timeout: 60_000 });
    expect(service.requests).toHaveLength(2);
    expect(service.requests[1]?.tests?.trim()).toBe(`${LOOSE_TESTS}\n${CHOSEN_TEST}`);
    expect(service.requests[1]?.confirmedTests).toEqual([CHOSEN_TEST]);
    expect(await page.textContent('#passing')).toContain('2/2 tests pass');
    expect(await page.isHidden('#choice-box')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('offers the whole fixed file: copy to the clipboard and download', async () => {
    const page = await context.newPage();
    await page.goto(base);
    await page.fill('#code', CODE);
    await page.fill('#tests', LOOSE_TESTS);
    await page.click('#fix');
    await page.locator('#result[data-status="not_pinned"]').waitFor({ timeout: 60_000 });
    expect(await page.isVisible('#fixed-box')).toBe(true);

    await page.click('#copy-fixed');
    await page.locator('#fixed-status', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(BEST);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-fixed')]);
    expect(download.suggestedFilename()).toBe('fixed.py');
    const saved = await download.path();
    expect(await readFile(saved, 'utf8')).toBe(BEST);
    await page.close();
  }, 120_000);
});
