import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { disableVendorTelemetry, ENV_KEYS, environment, loadConfig } from './index.ts';

describe('config', () => {
  it('.env.example lists exactly the keys the schema reads, each with a comment', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const lines = text.split('\n');
    const keys: string[] = [];
    lines.forEach((line, i) => {
      const m = /^([A-Z][A-Z0-9_]*)=/.exec(line);
      if (!m?.[1]) return;
      keys.push(m[1]);
      expect(lines[i - 1]?.startsWith('#'), `${m[1]} has a comment above it`).toBe(true);
    });
    expect([...keys].sort()).toEqual([...ENV_KEYS].sort());
  });

  it('starts on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.sandbox.backend).toBe('pyodide');
    expect(config.model.provider).toBe('offline');
    expect(config.host).toBe('127.0.0.1');
    expect(config.store.url).toBe('sqlite://./data/tracefix.sqlite');
    expect(config.slack).toBeUndefined();
    expect(config.discord).toBeUndefined();
  });

  it('the values in .env.example are themselves a valid configuration', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const env: Record<string, string> = Object.fromEntries(
      text
        .split('\n')
        .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('names the key of a bad setting', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ TRACEFIX_SANDBOX: 'docker' })).toThrow(/TRACEFIX_SANDBOX/);
    expect(() => loadConfig({ MODEL_PROVIDER: 'openai', MODEL_NAME: 'x' })).toThrow(/OPENAI_API_KEY/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => loadConfig({ OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL/);
  });

  it('parses lists and booleans', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      SLACK_ALLOWED_CHANNELS: 'C1, C2,,',
      SANDBOX_ALLOW_UNISOLATED: 'true',
    });
    expect(config.slack?.allowedChannels).toEqual(['C1', 'C2']);
    expect(config.sandbox.allowUnisolated).toBe(true);
  });

  it('caches the Pyodide snapshot under XDG_CACHE_HOME, else ~/.cache; `off` switches it off; a relative folder becomes absolute', () => {
    expect(loadConfig({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }).sandbox.snapshotCacheDir).toBe('/x/cache/tracefix');
    expect(loadConfig({ HOME: '/home/u' }).sandbox.snapshotCacheDir).toBe('/home/u/.cache/tracefix');
    expect(loadConfig({ HOME: '/home/u', SANDBOX_SNAPSHOT_CACHE_DIR: '/var/cache/tf' }).sandbox.snapshotCacheDir).toBe('/var/cache/tf');
    expect(loadConfig({ SANDBOX_SNAPSHOT_CACHE_DIR: 'snapshots' }).sandbox.snapshotCacheDir).toBe(join(process.cwd(), 'snapshots'));
    expect(loadConfig({ HOME: '/home/u', SANDBOX_SNAPSHOT_CACHE_DIR: 'off' }).sandbox).not.toHaveProperty('snapshotCacheDir');
  });

  it('switches LangChain tracing off even when the environment turns it on', () => {
    const env: NodeJS.ProcessEnv = { LANGSMITH_TRACING: 'true', LANGCHAIN_TRACING_V2: 'true' };
    disableVendorTelemetry(env);
    expect(env.LANGSMITH_TRACING).toBe('false');
    expect(env.LANGCHAIN_TRACING_V2).toBe('false');
  });
});

describe('.env', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracefix-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read, and the environment wins on the keys it sets', () => {
    const envFile = join(dir, '.env');
    writeFileSync(envFile, '# a comment\nPORT=1234\nMODEL_PROVIDER=ollama\nMODEL_NAME="qwen2.5-coder:7b"\n');
    const config = loadConfig(environment({ envFile, env: { PORT: '9000' } }));
    expect(config.port).toBe(9000);
    expect(config.model.provider).toBe('ollama');
    expect(config.model.name).toBe('qwen2.5-coder:7b');
  });

  it('is optional: no file, the environment alone', () => {
    const config = loadConfig(environment({ envFile: join(dir, 'absent.env'), env: { PORT: '9001' } }));
    expect(config.port).toBe(9001);
    expect(config.model.provider).toBe('offline');
  });

  it('does not leak into process.env (child processes would inherit it)', () => {
    const envFile = join(dir, 'leak.env');
    writeFileSync(envFile, 'TRACEFIX_ENV_FILE_PROBE=1\n');
    expect(environment({ envFile, env: {} })['TRACEFIX_ENV_FILE_PROBE']).toBe('1');
    expect(process.env['TRACEFIX_ENV_FILE_PROBE']).toBeUndefined();
  });
});
