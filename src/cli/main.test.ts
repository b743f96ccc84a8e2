/**
 * The CLI pays only for what a command uses: `--help` and `run` start without the language-model
 * SDKs, the e2b SDK, the chat SDKs or bullmq (they cost seconds of start-up). Checked on a real
 * process through a module-resolution hook that records every npm package it loads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from './main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HEAVY = ['@langchain/openai', '@langchain/anthropic', '@langchain/ollama', '@langchain/core', 'langchain', 'openai', 'e2b', 'discord.js', '@slack/bolt', 'bullmq', 'ioredis', 'pyodide'];
const dir = mkdtempSync(join(tmpdir(), 'tracefix-cold-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function packagesLoadedBy(args: string[], env: Record<string, string> = {}): { packages: string[]; status: number | null; stdout: string } {
  const record = join(dir, `imports-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(record, '');
  const run = spawnSync(process.execPath, ['--import', './tests/fixtures/record-imports.mjs', 'bin/tracefix.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', DATA_DIR: dir, RECORD_IMPORTS_TO: record, ...env },
    encoding: 'utf8',
  });
  return { packages: readFileSync(record, 'utf8').split('\n').filter(Boolean), status: run.status, stdout: run.stdout };
}

describe('CLI cold start', () => {
  it('`tracefix --help` lists every command and loads no backend SDK', { timeout: 60_000 }, () => {
    const { packages, status, stdout } = packagesLoadedBy(['--help']);
    expect(status).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(stdout).toContain(`  ${name} `);
    expect(packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('`tracefix run` on the process backend loads no model, e2b, chat or queue SDK', { timeout: 60_000 }, () => {
    const file = join(dir, 'one.py');
    writeFileSync(file, 'assert 1 + 1 == 2\n');
    const { packages, status, stdout } = packagesLoadedBy(['run', file], { TRACEFIX_SANDBOX: 'process' });
    expect(stdout).toContain('1 passed');
    expect(status).toBe(0);
    expect(packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('the help table matches the command modules, name and summary', async () => {
    const files = readdirSync(new URL('./commands/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -3));
    expect(Object.keys(COMMANDS).sort()).toEqual(files.sort());
    for (const [name, entry] of Object.entries(COMMANDS)) {
      expect((await entry.load()).command.summary, name).toBe(entry.summary);
    }
  });
});
