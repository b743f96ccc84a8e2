/**
 * The persistent snapshot cache (the CLI's cold start): made once, written atomically, reused by the
 * next sandbox (the next `tracefix run`), and dropped when it does not load.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type RunnerRequest } from '../protocol.ts';
import { defaultSnapshotCacheDir, PyodideSandbox } from './index.ts';

const REQUEST: RunnerRequest = {
  mode: 'test',
  programs: [{ id: 'p', source: 'def f():\n    return 41 + 1\n' }],
  tests: 'assert f() == 42\n',
  limits: DEFAULT_LIMITS,
};

describe('Pyodide snapshot cache', () => {
  const cacheDir = join(mkdtempSync(join(tmpdir(), 'tracefix-snapcache-')), 'tracefix');
  afterAll(() => rmSync(join(cacheDir, '..'), { recursive: true, force: true }));

  const entries = (): string[] => readdirSync(cacheDir);
  const snapFile = (): string => join(cacheDir, entries().find((n) => n.startsWith('pyodide-')) ?? 'missing', 'pyodide.snap');

  it('is made once, atomically, and reused by the next sandbox', async () => {
    const first = new PyodideSandbox({ poolSize: 1, snapshotCacheDir: cacheDir });
    await first.ready();
    await first.close();
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatch(/^pyodide-[\w.]+-[0-9a-f]{20}$/);
    const made = statSync(snapFile());
    expect(made.size).toBeGreaterThan(1024 * 1024);
    expect(made.mode & 0o777).toBe(0o644);

    const second = new PyodideSandbox({ poolSize: 1, snapshotCacheDir: cacheDir });
    try {
      const response = await second.execute(REQUEST);
      expect(response.programs[0]?.results[0]?.status).toBe('passed');
    } finally {
      await second.close();
    }
    const reused = statSync(snapFile());
    expect(reused.ino).toBe(made.ino);
    expect(reused.mtimeMs).toBe(made.mtimeMs);
    expect(entries()).toHaveLength(1);
  }, 240_000);

  it('drops an entry that does not load, and still serves (cold)', async () => {
    const file = snapFile();
    writeFileSync(file, 'not a snapshot');
    const sandbox = new PyodideSandbox({ poolSize: 1, snapshotCacheDir: cacheDir });
    try {
      const response = await sandbox.execute(REQUEST);
      expect(response.programs[0]?.results[0]?.status).toBe('passed');
    } finally {
      await sandbox.close();
    }
    expect(entries().filter((n) => n.startsWith('pyodide-'))).toEqual([]);
  }, 240_000);

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultSnapshotCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/tracefix');
    expect(defaultSnapshotCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/tracefix');
  });
});
