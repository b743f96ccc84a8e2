import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import KeyvPostgres from '@keyv/postgres';
import type KeyvRedis from '@keyv/redis';
import { createKeyv as createRedisKeyv } from '@keyv/redis';
import pg, { type Pool } from 'pg';
import { TracefixError } from '../errors.ts';

/**
 * What the feedback store needs from a storage backend: a keyv for values, plus ONE primitive keyv
 * lacks — an atomic counter. Every ordering the store keeps (the append-only interaction log, each
 * answer's vote log) is "allocate the next number, then write the key with that number", so two bot
 * processes appending at the same moment never overwrite each other's index entries, which a
 * read-modify-write list in keyv would do. Each backend's counter is its own native atomic operation:
 * Redis INCR, an UPSERT ... RETURNING in PostgreSQL and SQLite (SQLite serialises writers on its file
 * lock; busy_timeout makes the second process wait instead of failing).
 */
export interface StoreBackend {
  readonly kind: 'sqlite' | 'redis' | 'postgres';
  readonly keyv: Keyv;
  increment(name: string, ttlMs?: number): Promise<number>;
  /** Current value; 0 when the counter does not exist. */
  counter(name: string): Promise<number>;
  deleteCounter(name: string): Promise<void>;
  /** Removes every key and counter of this namespace. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export interface BackendOptions {
  url: string;
  /** Our own table (SQLite, PostgreSQL) or key prefix (Redis); lets tests and tenants stay apart. */
  namespace: string;
}

function tableName(namespace: string): string {
  const safe = namespace.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z]/.test(safe) ? safe : `t_${safe}`;
}

function unavailable(kind: string, cause: unknown): TracefixError {
  return new TracefixError('store_unavailable', 'The feedback store is not reachable right now.', {
    cause,
    retryable: true,
    detail: `feedback store (${kind}) failed: ${cause instanceof Error ? cause.message : String(cause)}`,
  });
}

/** Strips credentials before a URL reaches a message or a log line. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export async function openBackend(options: BackendOptions): Promise<StoreBackend> {
  const scheme = options.url.split(':', 1)[0]?.toLowerCase();
  try {
    switch (scheme) {
      case 'sqlite':
        return await openSqlite(options);
      case 'redis':
      case 'rediss':
        return await openRedis(options);
      case 'postgres':
      case 'postgresql':
        return await openPostgres(options);
      default:
        throw new TracefixError(
          'bad_config',
          `Invalid setting STORE_URL: "${redactUrl(options.url)}" — use sqlite://FILE, redis://HOST:PORT or postgres://USER@HOST/DB`,
        );
    }
  } catch (error) {
    if (error instanceof TracefixError) throw error;
    throw unavailable(scheme ?? 'unknown', error);
  }
}

type Rows = Record<string, unknown>[];

async function openSqlite(options: BackendOptions): Promise<StoreBackend> {
  const file = options.url.replace(/^sqlite:\/\//i, '');
  if (file !== ':memory:') await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const table = tableName(options.namespace);
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, table, busyTimeout: 10_000 });
  const query = adapter.query as (sql: string, ...params: unknown[]) => Promise<Rows>;
  // WAL lets a reader (the CLI) work while a bot process writes.
  await query('PRAGMA journal_mode=WAL');
  await query(`CREATE TABLE IF NOT EXISTS ${table}_counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
  const keyv = new Keyv({ store: adapter, namespace: options.namespace });
  keyv.throwOnErrors = true;
  return {
    kind: 'sqlite',
    keyv,
    async increment(name) {
      const rows = await query(
        `INSERT INTO ${table}_counters(name, value) VALUES(?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`,
        name,
      );
      return Number(rows[0]?.value);
    },
    async counter(name) {
      const rows = await query(`SELECT value FROM ${table}_counters WHERE name = ?`, name);
      return Number(rows[0]?.value ?? 0);
    },
    async deleteCounter(name) {
      await query(`DELETE FROM ${table}_counters WHERE name = ?`, name);
    },
    async clear() {
      await query(`DELETE FROM ${table}`);
      await query(`DELETE FROM ${table}_counters`);
    },
    async close() {
      await adapter.disconnect();
    },
  };
}

/**
 * @keyv/postgres keeps one module-wide pool and `disconnect()` ends whichever pool is current, so two
 * stores in one process (a bot and the scheduler, or tests) would close each other's connections.
 * This subclass gives each store its own pool.
 */
class OwnPoolPostgres extends KeyvPostgres {
  // `declare`: a class field initialiser would run after super() and wipe the pool connect() made.
  declare ownPool: Pool | undefined;

  override connect(): Promise<(sql: string, values?: unknown) => Promise<unknown[]>> {
    this.ownPool ??= new pg.Pool({ connectionString: String((this.opts as { uri?: string }).uri), max: 4 });
    const pool = this.ownPool;
    // An idle connection dropped by the server must not crash the process.
    pool.on('error', () => undefined);
    return Promise.resolve(async (sql: string, values?: unknown) => (await pool.query<Record<string, unknown>>(sql, values as unknown[])).rows);
  }

  override async disconnect(): Promise<void> {
    await this.ownPool?.end();
  }
}

async function openPostgres(options: BackendOptions): Promise<StoreBackend> {
  const table = tableName(options.namespace);
  const adapter = new OwnPoolPostgres({ uri: options.url, table });
  const query = (sql: string, values?: unknown[]) => adapter.query(sql, values) as Promise<Rows>;
  const counters = `${table}_counters`;
  try {
    await query(`CREATE TABLE IF NOT EXISTS ${counters}(name TEXT PRIMARY KEY, value BIGINT NOT NULL)`);
  } catch {
    // Two processes creating the table at once: one loses with a duplicate-type error; the table exists.
    await query(`CREATE TABLE IF NOT EXISTS ${counters}(name TEXT PRIMARY KEY, value BIGINT NOT NULL)`);
  }
  const keyv = new Keyv({ store: adapter, namespace: options.namespace });
  keyv.throwOnErrors = true;
  return {
    kind: 'postgres',
    keyv,
    async increment(name) {
      const rows = await query(
        `INSERT INTO ${counters}(name, value) VALUES($1, 1) ON CONFLICT(name) DO UPDATE SET value = ${counters}.value + 1 RETURNING value`,
        [name],
      );
      return Number(rows[0]?.value);
    },
    async counter(name) {
      const rows = await query(`SELECT value FROM ${counters} WHERE name = $1`, [name]);
      return Number(rows[0]?.value ?? 0);
    },
    async deleteCounter(name) {
      await query(`DELETE FROM ${counters} WHERE name = $1`, [name]);
    },
    async clear() {
      await query(`DELETE FROM ${table}`);
      await query(`DELETE FROM ${counters}`);
    },
    async close() {
      await adapter.disconnect();
    },
  };
}

async function openRedis(options: BackendOptions): Promise<StoreBackend> {
  const namespace = `tracefix:${options.namespace}`;
  const keyv = createRedisKeyv(options.url, {
    namespace,
    throwOnConnectError: true,
    throwOnErrors: true,
    connectionTimeout: 5_000,
  });
  const adapter = keyv.store as KeyvRedis<unknown>;
  const client = (await adapter.getClient()) as unknown as {
    incr(key: string): Promise<number>;
    get(key: string): Promise<string | null>;
    del(key: string): Promise<number>;
    pExpire(key: string, ms: number): Promise<number>;
  };
  const key = (name: string) => `${namespace}${adapter.keyPrefixSeparator}ctr:${name}`;
  return {
    kind: 'redis',
    keyv,
    async increment(name, ttlMs) {
      const value = await client.incr(key(name));
      if (ttlMs !== undefined) await client.pExpire(key(name), ttlMs);
      return value;
    },
    async counter(name) {
      return Number((await client.get(key(name))) ?? 0);
    },
    async deleteCounter(name) {
      await client.del(key(name));
    },
    async clear() {
      // keyv.clear() scans `namespace::*`, which includes the counters.
      await keyv.clear();
    },
    async close() {
      await keyv.disconnect();
    },
  };
}
