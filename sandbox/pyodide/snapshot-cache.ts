/**
 * The memory snapshot every Pyodide runner starts from, and its persistent per-user cache (what lets
 * a second `tracefix run` skip the cold load). Without a cache folder the snapshot is made once per
 * sandbox in a private temporary folder.
 *
 * A cache entry is a folder named by its key (everything the snapshot's memory depends on) holding
 * the snapshot and a manifest with its size and SHA-256. An entry is used only when the manifest
 * names the same key and the file's bytes hash to the manifest's digest; anything else (a truncated
 * or altered file, a garbage manifest, an entry from before manifests) is removed and made again.
 * No failure of the cache (unreadable, read-only, full, not a folder) stops a runner from starting:
 * the sandbox falls back to a private snapshot, and at worst to a cold load.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, copyFileSync, linkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { isRoot, readableByAnyone } from '../process/jail.ts';

export const SNAPSHOT_FILE = 'pyodide.snap';
export const MANIFEST_FILE = 'manifest.json';
/** Entries kept in the cache folder, the one being written included (most recently used first). */
const MAX_ENTRIES = 3;
/** A crashed writer's staging folder older than this is removed by the next writer. */
const STALE_STAGING_MS = 60 * 60 * 1000;

/**
 * The per-user cache folder for snapshots: $XDG_CACHE_HOME/tracefix, else ~/.cache/tracefix.
 * Takes the variables as arguments: only src/config reads the environment.
 */
export function defaultSnapshotCacheDir(env: { XDG_CACHE_HOME?: string | undefined; HOME?: string | undefined } = {}): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'tracefix');
}

const ManifestSchema = z.object({
  format: z.literal(1),
  key: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SnapshotManifest = z.infer<typeof ManifestSchema>;

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export type EntryCheck = { ok: true; file: string; manifest: SnapshotManifest } | { ok: false; why: 'missing' | 'corrupt'; detail: string };

/**
 * The cheap half of the check: whether the entry has a manifest for `key` and a snapshot of the
 * listed size. The digest (a read of 30 MB) is the other half: `digestOf` the file a runner will read.
 */
export function listedEntry(entry: string, key: string): EntryCheck {
  if (!existsSync(entry)) return { ok: false, why: 'missing', detail: 'no entry' };
  let manifest: SnapshotManifest;
  try {
    manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(entry, MANIFEST_FILE), 'utf8')));
  } catch {
    return { ok: false, why: 'corrupt', detail: 'no readable manifest' };
  }
  if (manifest.key !== key) return { ok: false, why: 'corrupt', detail: `manifest is for ${manifest.key.slice(0, 60)}` };
  const file = join(entry, SNAPSHOT_FILE);
  try {
    if (statSync(file).size !== manifest.bytes) return { ok: false, why: 'corrupt', detail: 'size differs from the manifest' };
  } catch {
    return { ok: false, why: 'corrupt', detail: 'snapshot unreadable' };
  }
  return { ok: true, file, manifest };
}

/** The SHA-256 of a file, or undefined when it cannot be read. */
export async function digestOf(file: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(file));
  } catch {
    return undefined;
  }
}

/**
 * Copies the snapshot and its manifest into the cache under a temporary name and renames the folder
 * into place: a reader sees a whole entry or none, and two processes racing both end with one entry.
 */
export function installEntry(file: string, manifest: SnapshotManifest, cacheDir: string, entry: string): void {
  mkdirSync(cacheDir, { recursive: true, mode: 0o755 });
  removeLeftovers(cacheDir, entry);
  const staging = mkdtempSync(join(cacheDir, '.incoming-'));
  try {
    chmodSync(staging, 0o755);
    copyFileSync(file, join(staging, SNAPSHOT_FILE));
    chmodSync(join(staging, SNAPSHOT_FILE), 0o644);
    writeFileSync(join(staging, MANIFEST_FILE), JSON.stringify(manifest) + '\n', { mode: 0o644 });
    try {
      renameSync(staging, entry);
    } catch (error) {
      // Another process won the race: its entry is as good as ours (and is checked before each use).
      if (!existsSync(join(entry, MANIFEST_FILE))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Makes room for a new entry: entries for other versions of the runner or Pyodide (30 MB each) beyond
 * the most recently used few, and crashed writers' staging folders. A few are kept, not one: two
 * checkouts of different versions on one machine would otherwise evict each other on every run.
 */
function removeLeftovers(cacheDir: string, entry: string): void {
  const others: { path: string; usedMs: number }[] = [];
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    try {
      if (name.startsWith('pyodide-') && path !== entry) others.push({ path, usedMs: statSync(path).mtimeMs });
      else if (name.startsWith('.incoming-') && Date.now() - statSync(path).mtimeMs > STALE_STAGING_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Someone else's file, or gone already: not ours to insist on.
    }
  }
  others.sort((a, b) => b.usedMs - a.usedMs);
  for (const { path } of others.slice(MAX_ENTRIES - 1)) rmSync(path, { recursive: true, force: true });
}

/** The entry's time of last use, which decides what is evicted first. */
function markUsed(entry: string): void {
  try {
    const now = new Date();
    utimesSync(entry, now, now);
  } catch {
    // A read-only cache is still a cache.
  }
}

export interface SnapshotMaker {
  /** The cache key: names the entry; changes whenever the snapshot's memory would. */
  key(): string;
  /** Makes a snapshot in `dir`, a fresh folder of our own; resolves to the file, or undefined when it could not be made. */
  make(dir: string): Promise<string | undefined>;
}

/**
 * A snapshot to start a runner from. `checked` resolves once the bytes at `path` were compared with
 * their manifest, so a runner can load while they are hashed: it must get no request unless `checked`
 * resolves true. A snapshot this sandbox made itself is checked from the start.
 */
export interface SnapshotFile {
  path: string;
  checked: Promise<boolean>;
}

export class Snapshots {
  private made: Promise<SnapshotFile | undefined> | undefined;
  private readonly tempDirs: string[] = [];
  private disabled = false;
  private entry: string | undefined;
  private readonly cacheDir: string | undefined;

  constructor(
    private readonly maker: SnapshotMaker,
    cacheDir: string | undefined,
  ) {
    // Runners are spawned from '/': a relative folder would name another place there.
    this.cacheDir = cacheDir === undefined ? undefined : resolve(cacheDir);
  }

  /** The snapshot to start from, or undefined (runners then load cold: slower, same behaviour). */
  file(): Promise<SnapshotFile | undefined> {
    if (this.disabled) return Promise.resolve(undefined);
    this.made ??= this.cacheDir ? this.fromCache(this.cacheDir) : this.makeTemporary();
    return this.made;
  }

  /** `file()`, once checked: the snapshot is made again when the cached one does not match its manifest. */
  async checkedFile(): Promise<string | undefined> {
    const snapshot = await this.file();
    if (!snapshot) return undefined;
    if (await snapshot.checked) return snapshot.path;
    return (await this.mismatched())?.path;
  }

  /** The cached snapshot's bytes did not match its manifest: drop the entry and make it again. */
  mismatched(): Promise<SnapshotFile | undefined> {
    const failed = this.made;
    this.made = (async () => {
      const previous = await failed?.catch(() => undefined);
      // Several runners may find the same mismatch: the first one's rebuild serves them all.
      if (previous && !(await previous.checked) && this.entry && this.cacheDir) {
        rmSync(this.entry, { recursive: true, force: true });
        return this.build(this.cacheDir, this.entry);
      }
      return previous;
    })();
    return this.made;
  }

  /** Making it failed along with Pyodide itself: try again on the next start. */
  retry(): void {
    this.made = undefined;
  }

  /** A runner did not start from it but did start cold: never use it again (and drop it from the cache). */
  broken(): void {
    this.disabled = true;
    if (this.entry) rmSync(this.entry, { recursive: true, force: true });
  }

  private privateDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'tracefix-pyodide-'));
    this.tempDirs.push(dir);
    return dir;
  }

  private async makeTemporary(): Promise<SnapshotFile | undefined> {
    const dir = this.privateDir();
    const file = await this.maker.make(dir);
    if (!file) rmSync(dir, { recursive: true, force: true });
    return file ? { path: file, checked: Promise.resolve(true) } : undefined;
  }

  private async fromCache(cacheDir: string): Promise<SnapshotFile | undefined> {
    let key: string;
    try {
      key = this.maker.key();
    } catch {
      return this.makeTemporary();
    }
    const entry = join(cacheDir, key);
    this.entry = entry;
    const found = listedEntry(entry, key);
    if (found.ok) {
      try {
        const path = this.readable(found.file);
        markUsed(entry);
        const expected = found.manifest.sha256;
        return { path, checked: digestOf(path).then((digest) => digest === expected) };
      } catch {
        // Could not stage it for the runners: make one of our own below.
      }
    }
    if (!found.ok && found.why === 'corrupt') rmSync(entry, { recursive: true, force: true });
    return this.build(cacheDir, entry);
  }

  /** Makes the snapshot and installs it in the cache entry; this sandbox uses its own file either way. */
  private async build(cacheDir: string, entry: string): Promise<SnapshotFile | undefined> {
    const made = await this.makeTemporary();
    if (!made) return undefined;
    try {
      const data = await readFile(made.path);
      installEntry(made.path, { format: 1, key: basename(entry), bytes: data.length, sha256: sha256(data) }, cacheDir, entry);
    } catch {
      // A read-only, full or misplaced cache folder: this sandbox still has its own snapshot.
    }
    // The file just made, in our private folder, which every runner can read.
    return made;
  }

  /**
   * The cached snapshot where the runners' unprivileged uid can read it. A cache under a private home
   * folder (root's ~/.cache) is not reachable by it: then a private link to the same file (or a copy,
   * across file systems) is what the runners read, and what is hashed.
   */
  private readable(file: string): string {
    if (!isRoot() || readableByAnyone(file)) return file;
    const dir = this.privateDir();
    chmodSync(dir, 0o755);
    const staged = join(dir, 'cached.snap');
    try {
      linkSync(file, staged);
    } catch {
      copyFileSync(file, staged);
      chmodSync(staged, 0o644);
    }
    return staged;
  }

  async close(): Promise<void> {
    await this.made?.catch(() => undefined);
    for (const dir of this.tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
