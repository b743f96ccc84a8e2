/**
 * Start-up refusals reach the operator whatever LOG_LEVEL says: a Slack bot on a machine where the
 * sandbox cannot isolate code stops with the sentence that says how to fix it, not "Something went
 * wrong on our side". The machine here has bubblewrap, so the process gets a PATH without it (the
 * sandbox looks for its tools on the PATH src/config passes in).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tracefix-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('start-up without isolation', () => {
  for (const level of ['silent', 'fatal']) {
    it(`a Slack bot refuses, saying how to fix it (LOG_LEVEL=${level})`, { timeout: 60_000 }, async () => {
      const run = await startServer({
        // No bwrap on this PATH: the sandbox cannot isolate.
        PATH: dir,
        DATA_DIR: dir,
        PORT: '0',
        LOG_LEVEL: level,
        TRACEFIX_SANDBOX: 'process',
        SANDBOX_PYTHON: '/usr/bin/python3',
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'secret',
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Refusing to run code from other people for the Slack bot');
      expect(run.stderr).toMatch(/install bubblewrap/);
      expect(run.stderr).not.toContain('Something went wrong on our side');
    });
  }
});
