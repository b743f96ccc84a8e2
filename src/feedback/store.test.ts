import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createClient } from '@redis/client';
import { feedbackStoreContract } from '../../tests/fixtures/store-contract.ts';
import { createFeedbackStore } from './store.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const runId = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function redisMissing(): Promise<string | undefined> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    await client.close();
    return undefined;
  } catch (error) {
    return `no Redis at ${REDIS_URL}: ${(error as Error).message}`;
  }
}

async function postgresMissing(): Promise<string | undefined> {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `no PostgreSQL at ${POSTGRES_URL}: ${(error as Error).message}`;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'tracefix-store-'));

describe('FeedbackStore contract: SQLite file', () => {
  const file = path.join(dataDir, 'nested', 'feedback.sqlite');
  feedbackStoreContract({
    open: (o) =>
      createFeedbackStore({ url: `sqlite://${file}`, retentionDays: o?.retentionDays ?? 30, dataDir, namespace: runId, ...(o?.now ? { now: o.now } : {}) }),
    destroy: () => rm(dataDir, { recursive: true, force: true }),
  });
  it('created the database file and a persisted pseudonym secret on first start', async () => {
    expect((await stat(file)).isFile()).toBe(true);
    expect((await stat(path.join(dataDir, 'pseudonym-secret'))).mode & 0o777).toBe(0o600);
  });
});

const redisSkip = await redisMissing();
if (redisSkip) console.warn(`[skipped] FeedbackStore contract on Redis: ${redisSkip}`);
describe.skipIf(redisSkip !== undefined)(`FeedbackStore contract: Redis${redisSkip ? ` (skipped: ${redisSkip})` : ''}`, () => {
  feedbackStoreContract({
    open: (o) =>
      createFeedbackStore({ url: REDIS_URL, retentionDays: o?.retentionDays ?? 30, dataDir, pseudonymSecret: 's3cret', namespace: runId, ...(o?.now ? { now: o.now } : {}) }),
    destroy: async () => {
      const store = await createFeedbackStore({ url: REDIS_URL, retentionDays: 1, dataDir, pseudonymSecret: 'x', namespace: runId });
      await store.clear();
      await store.close();
    },
  });
});

const postgresSkip = await postgresMissing();
if (postgresSkip) console.warn(`[skipped] FeedbackStore contract on PostgreSQL: ${postgresSkip}`);
describe.skipIf(postgresSkip !== undefined)(
  `FeedbackStore contract: PostgreSQL${postgresSkip ? ` (skipped: ${postgresSkip})` : ''}`,
  () => {
    feedbackStoreContract({
      open: (o) =>
        createFeedbackStore({ url: POSTGRES_URL, retentionDays: o?.retentionDays ?? 30, dataDir, pseudonymSecret: 's3cret', namespace: runId, ...(o?.now ? { now: o.now } : {}) }),
      destroy: async () => {
        const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
        await pool.query(`DROP TABLE IF EXISTS ${runId}`);
        await pool.query(`DROP TABLE IF EXISTS ${runId}_counters`);
        await pool.end();
      },
    });
  },
);

describe('createFeedbackStore configuration', () => {
  it('rejects an unknown URL scheme with the setting named', async () => {
    await expect(createFeedbackStore({ url: 'mongodb://x', retentionDays: 1, dataDir, pseudonymSecret: 'x' })).rejects.toMatchObject({
      code: 'bad_config',
    });
  });
  it('reports an unreachable server as store_unavailable without the password', async () => {
    const error = await createFeedbackStore({
      url: 'postgres://u:hunter2@127.0.0.1:1/db',
      retentionDays: 1,
      dataDir,
      pseudonymSecret: 'x',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_unavailable' });
    expect(String((error as Error).message)).not.toContain('hunter2');
  });
});
