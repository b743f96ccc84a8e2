import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertIsolated, createSandbox, isSandboxError, probeBubblewrap, SandboxError } from './index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('assertIsolated', () => {
  it('lets an isolating backend through', () => {
    expect(() => assertIsolated({ name: 'e2b', isolation: { isolated: true, how: 'E2B' } }, 'the Slack bot')).not.toThrow();
  });

  it('refuses an unisolated one and says how to fix it', () => {
    const attempt = (): void => assertIsolated({ name: 'pyodide', isolation: { isolated: false, how: 'no bubblewrap here' } }, 'the Slack bot');
    expect(attempt).toThrow(SandboxError);
    try {
      attempt();
    } catch (error) {
      expect(isSandboxError(error) && error.code).toBe('not_isolated');
      expect((error as SandboxError).userMessage).toMatch(/the Slack bot.*no bubblewrap here.*install bubblewrap.*E2B_API_KEY/);
    }
  });
});

describe('createSandbox', () => {
  it('builds the named backend, isolated exactly when bubblewrap works here', async () => {
    const sandbox = await createSandbox({ backend: 'process' });
    expect(sandbox.name).toBe('process');
    expect(sandbox.isolation.isolated).toBe(probeBubblewrap().ok);
    await sandbox.close();
  });

  it('refuses e2b without an API key outside debug mode', async () => {
    await expect(createSandbox({ backend: 'e2b' })).rejects.toThrow(/E2B_API_KEY/);
  });
});

describe('importing the factory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracefix-factory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * The npm packages a fresh process has loaded after importing sandbox/index.ts, and after then
   * choosing `backend` (recorded by the module-resolution hook the CLI's cold-start test uses).
   */
  function packagesLoaded(backend: string): { afterImport: string[]; afterChoice: string[] } {
    const record = join(dir, `${backend}.txt`);
    writeFileSync(record, '');
    const script = [
      "import { appendFileSync } from 'node:fs';",
      "const { createSandbox } = await import('./sandbox/index.ts');",
      `appendFileSync(${JSON.stringify(record)}, '--- chosen\\n');`,
      `const box = await createSandbox({ backend: ${JSON.stringify(backend)}, poolSize: 0, prespawn: 0 }).catch(() => undefined);`,
      'await box?.close();',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', './tests/fixtures/record-imports.mjs', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', RECORD_IMPORTS_TO: record },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    const marker = lines.indexOf('--- chosen');
    expect(marker).toBeGreaterThanOrEqual(0);
    return { afterImport: lines.slice(0, marker), afterChoice: lines.slice(marker + 1) };
  }

  it('loads no backend SDK; the e2b SDK comes only with the e2b backend', { timeout: 60_000 }, () => {
    const { afterImport, afterChoice } = packagesLoaded('e2b');
    expect(afterImport.filter((p) => p === 'e2b' || p === 'pyodide')).toEqual([]);
    expect(afterChoice).toContain('e2b');
  });

  it('choosing the process backend loads no e2b SDK either', { timeout: 60_000 }, () => {
    const { afterImport, afterChoice } = packagesLoaded('process');
    expect([...afterImport, ...afterChoice]).not.toContain('e2b');
  });
});
