/**
 * The persistent snapshot cache (the CLI's cold start): made once, written atomically, reused by the
 * next sandbox (the next `tracefix run`), checked against its manifest before each use and made
 * again when it is stale or corrupt, and dropped when it does not load.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type RunnerRequest } from '../protocol.ts';
import { defaultSnapshotCacheDir, PyodideSandbox } from './index.ts';
import { MANIFEST_FILE, SNAPSHOT_FILE, Snapshots, type SnapshotMaker } from './snapshot-cache.ts';

const REQUEST: RunnerRequest = {
  mode: 'test',
  programs: [{ id: 'p', source: 'def f():\n    return 41 + 1\n' }],
  tests: 'assert f() == 42\n',
  limits: DEFAULT_LIMITS,
};

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('Pyodide snapshot cache', () => {
  const cacheDir = join(mkdtempSync(join(tmpdir(), 'tracefix-snapcache-')), 'tracefix');
  afterAll(() => rmSync(join(cacheDir, '..'), { recursive: true, force: true }));

  const entries = (): string[] => readdirSync(cacheDir);
  const entryDir = (): string => join(cacheDir, entries().find((n) => n.startsWith('pyodide-')) ?? 'missing');
  const snapFile = (): string => join(entryDir(), SNAPSHOT_FILE);
  const manifest = (): { key: string; bytes: number; sha256: string } => JSON.parse(readFileSync(join(entryDir(), MANIFEST_FILE), 'utf8')) as never;

  async function serves(): Promise<void> {
    const sandbox = new PyodideSandbox({ poolSize: 1, snapshotCacheDir: cacheDir });
    try {
      const response = await sandbox.execute(REQUEST);
      expect(response.programs[0]?.results[0]?.status).toBe('passed');
    } finally {
      await sandbox.close();
    }
  }

  it('is made once, atomically, and reused by the next sandbox', async () => {
    const first = new PyodideSandbox({ poolSize: 1, snapshotCacheDir: cacheDir });
    await first.ready();
    await first.close();
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatch(/^pyodide-[\w.]+-[0-9a-f]{20}$/);
    const made = statSync(snapFile());
    expect(made.size).toBeGreaterThan(1024 * 1024);
    expect(made.mode & 0o777).toBe(0o644);
    expect(manifest()).toMatchObject({ key: entries()[0], bytes: made.size, sha256: sha256(readFileSync(snapFile())) });

    await serves();
    const reused = statSync(snapFile());
    expect(reused.ino).toBe(made.ino);
    expect(reused.mtimeMs).toBe(made.mtimeMs);
    expect(entries()).toHaveLength(1);
  }, 240_000);

  it('detects a corrupt snapshot (bytes altered in place, same size) before any runner serves from it, and makes it again', async () => {
    const before = statSync(snapFile());
    const good = manifest().sha256;
    const fd = openSync(snapFile(), 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(before.size / 2));
    closeSync(fd);
    expect(sha256(readFileSync(snapFile()))).not.toBe(good);

    await serves();
    const after = statSync(snapFile());
    expect(after.ino).not.toBe(before.ino);
    expect(sha256(readFileSync(snapFile()))).toBe(manifest().sha256);
    expect(entries().filter((n) => n.startsWith('pyodide-'))).toHaveLength(1);
  }, 240_000);

  it('makes again a truncated snapshot, and an entry without a manifest (written before manifests)', async () => {
    truncateSync(snapFile(), 1000);
    await serves();
    expect(statSync(snapFile()).size).toBe(manifest().bytes);
    expect(sha256(readFileSync(snapFile()))).toBe(manifest().sha256);

    rmSync(join(entryDir(), MANIFEST_FILE));
    const unlisted = statSync(snapFile()).ino;
    await serves();
    expect(statSync(snapFile()).ino).not.toBe(unlisted);
    expect(sha256(readFileSync(snapFile()))).toBe(manifest().sha256);
  }, 240_000);

  it('drops an entry that passes its check but does not load, and still serves (cold)', async () => {
    // What a snapshot made by an engine the key does not tell apart would do.
    const junk = Buffer.from('not a snapshot');
    writeFileSync(snapFile(), junk);
    writeFileSync(join(entryDir(), MANIFEST_FILE), JSON.stringify({ ...manifest(), bytes: junk.length, sha256: sha256(junk) }));
    await serves();
    expect(entries().filter((n) => n.startsWith('pyodide-'))).toEqual([]);
  }, 240_000);

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultSnapshotCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/tracefix');
    expect(defaultSnapshotCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/tracefix');
  });
});

/**
 * The cache's own rules, with a maker that writes a small file instead of loading Pyodide (the
 * snapshot's content does not matter to them; the tests above use real snapshots).
 */
describe('snapshot cache rules', () => {
  const root = mkdtempSync(join(tmpdir(), 'tracefix-snaprules-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function maker(key: string, content = `snapshot for ${key}`): SnapshotMaker & { made: number } {
    const m = {
      made: 0,
      key: () => key,
      make: (dir: string) => {
        m.made++;
        const file = join(dir, SNAPSHOT_FILE);
        writeFileSync(file, content);
        return Promise.resolve(file);
      },
    };
    return m;
  }

  async function use(cacheDir: string, m: SnapshotMaker): Promise<string | undefined> {
    const snapshots = new Snapshots(m, cacheDir);
    try {
      const file = await snapshots.checkedFile();
      return file === undefined ? undefined : readFileSync(file, 'utf8');
    } finally {
      await snapshots.close();
    }
  }

  it('reuses a checked entry, and makes again one whose manifest is garbage or names another key', async () => {
    const cacheDir = join(root, 'a');
    const m = maker('pyodide-k1');
    expect(await use(cacheDir, m)).toBe('snapshot for pyodide-k1');
    expect(await use(cacheDir, m)).toBe('snapshot for pyodide-k1');
    expect(m.made).toBe(1);

    writeFileSync(join(cacheDir, 'pyodide-k1', MANIFEST_FILE), '{"format": 1, "key": ');
    expect(await use(cacheDir, m)).toBe('snapshot for pyodide-k1');
    expect(m.made).toBe(2);

    const listed = JSON.parse(readFileSync(join(cacheDir, 'pyodide-k1', MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(cacheDir, 'pyodide-k1', MANIFEST_FILE), JSON.stringify({ ...listed, key: 'pyodide-k0' }));
    expect(await use(cacheDir, m)).toBe('snapshot for pyodide-k1');
    expect(m.made).toBe(3);
    expect(await use(cacheDir, m)).toBe('snapshot for pyodide-k1');
    expect(m.made).toBe(3);

    // Same size, other bytes: only the digest tells.
    writeFileSync(join(cacheDir, 'pyodide-k1', SNAPSHOT_FILE), 'snapshot for pyodide-kX');
    expect(await use(cacheDir, m)).toBe('snapshot for pyodide-k1');
    expect(m.made).toBe(4);
  });

  it('still gives a snapshot when the cache folder cannot be a folder', async () => {
    const notAFolder = join(root, 'file');
    writeFileSync(notAFolder, 'x');
    const m = maker('pyodide-k1');
    expect(await use(join(notAFolder, 'tracefix'), m)).toBe('snapshot for pyodide-k1');
    expect(await use(notAFolder, m)).toBe('snapshot for pyodide-k1');
    expect(readFileSync(notAFolder, 'utf8')).toBe('x');
  });

  it('keeps the three most recently used versions, so two checkouts do not evict each other', async () => {
    const cacheDir = join(root, 'b');
    mkdirSync(cacheDir);
    const longAgo = Date.now() / 1000 - 3600;
    for (const [i, key] of ['pyodide-v1', 'pyodide-v2', 'pyodide-v3'].entries()) {
      await use(cacheDir, maker(key));
      utimesSync(join(cacheDir, key), longAgo + i, longAgo + i);
    }
    const v1 = maker('pyodide-v1');
    await use(cacheDir, v1);
    expect(v1.made).toBe(0);
    await use(cacheDir, maker('pyodide-v4'));
    expect(readdirSync(cacheDir).sort()).toEqual(['pyodide-v1', 'pyodide-v3', 'pyodide-v4']);
  });
});
