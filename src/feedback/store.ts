import type { Origin } from '../repair/types.ts';
import { TracefixError } from '../errors.ts';
import { openBackend, redactUrl, type StoreBackend } from './backend.ts';
import { loadPseudonymSecret, pseudonymise } from './pseudonym.ts';
import { FeedbackEventSchema, LogEntrySchema, StoredInteractionSchema, type LogEntry } from './schema.ts';
import type { FeedbackEvent, FeedbackStore, Interaction } from './types.ts';

/*
 * Key layout (inside the store's own keyv namespace / table):
 *
 *   rec:<id>              the interaction without its votes              ttl = retention
 *   log:<n>               {id, at} — n-th interaction ever recorded      ttl = retention + LOG_MARGIN
 *   ctr log               highest n allocated (atomic counter)
 *   floor                 lowest n that may still be alive (pruning moves it up)
 *   ans:<platform>:<msg>  interaction id of an answer message            ttl = retention
 *   vote:<id>:<k>         k-th feedback event on interaction <id>        ttl = retention
 *   ctr votes:<id>        highest k allocated
 *
 * Why an append-only log with a counter: keyv cannot list keys in order on every backend, and a shared
 * "list of ids" value loses entries when two processes read-modify-write it at once. Allocating n with
 * an atomic increment and writing log:<n> never conflicts. A reader can meet a hole at n when a writer
 * has allocated n but not yet written it (milliseconds), crashed in between, or the entry expired. The
 * rule: a hole followed by an entry written more than HOLE_GRACE_MS ago is permanent (whoever allocated
 * it did so before that entry existed) and is skipped; otherwise the listing stops before the hole and
 * the next call looks again. Deletions write tombstones instead of making holes, so they never stall
 * a listing. Votes use the same scheme per interaction, so two people reacting at once both count.
 */

const DAY_MS = 86_400_000;
/** Log entries outlive their records so that expiry shows up as "record gone", not as a hole. */
const LOG_MARGIN_MS = 7 * DAY_MS;
const HOLE_GRACE_MS = 60_000;
const SCAN_BATCH = 200;

export interface FeedbackStoreOptions {
  /** sqlite://FILE (default under dataDir), redis://…, postgres://… */
  url: string;
  retentionDays: number;
  pseudonymSecret?: string;
  /** Where a generated pseudonym secret is kept. */
  dataDir: string;
  /** Table (SQLite, PostgreSQL) / key prefix (Redis). Default `tracefix_feedback`. */
  namespace?: string;
  /** Injected clock (tests). */
  now?: () => number;
}

/** The FeedbackStore plus what the training side and operators need. */
export interface KeyvFeedbackStore extends FeedbackStore {
  readonly backend: StoreBackend['kind'];
  /** Pseudonym of a platform id, as stored (for `tracefix forget` and tests). */
  pseudonym(platform: Origin['platform'], id: string): string;
  /** Deletes records older than the retention and moves the log's floor past them. Returns how many. */
  prune(): Promise<number>;
  /** Removes every record of this namespace (tests, full reset). */
  clear(): Promise<void>;
  /** The backend's keyv and counter, shared with the model registry (its own key prefix). */
  readonly shared: StoreBackend;
}

type StoredInteraction = Omit<Interaction, 'feedback'>;

export async function createFeedbackStore(options: FeedbackStoreOptions): Promise<KeyvFeedbackStore> {
  const now = options.now ?? Date.now;
  const secret = await loadPseudonymSecret(options.pseudonymSecret, options.dataDir);
  const backend = await openBackend({ url: options.url, namespace: options.namespace ?? 'tracefix_feedback' });
  const keyv = backend.keyv;
  const retentionMs = options.retentionDays * DAY_MS;
  const label = `${backend.kind} ${redactUrl(options.url)}`;

  async function guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof TracefixError) throw error;
      throw new TracefixError('store_unavailable', 'The feedback store is not reachable right now.', {
        cause: error,
        retryable: true,
        detail: `feedback store ${label}: ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  const pseudo = (platform: Origin['platform'], id: string) => pseudonymise(secret, platform, id);

  function pseudonymiseOrigin(origin: Origin): Origin {
    const out: Origin = { ...origin };
    if (origin.workspace !== undefined) out.workspace = pseudo(origin.platform, origin.workspace);
    if (origin.channel !== undefined) out.channel = pseudo(origin.platform, origin.channel);
    if (origin.thread !== undefined) out.thread = pseudo(origin.platform, origin.thread);
    if (origin.user !== undefined) out.user = pseudo(origin.platform, origin.user);
    return out;
  }

  async function readRecord(id: string): Promise<StoredInteraction | undefined> {
    const raw: unknown = await keyv.get(`rec:${id}`);
    if (raw === undefined) return undefined;
    const parsed = StoredInteractionSchema.safeParse(raw);
    // A record we cannot read is treated as absent rather than failing every listing that meets it.
    return parsed.success ? (parsed.data as unknown as StoredInteraction) : undefined;
  }

  async function readVotes(id: string): Promise<{ key: string; event: FeedbackEvent }[]> {
    const count = await backend.counter(`votes:${id}`);
    if (count === 0) return [];
    const keys = Array.from({ length: count }, (_, i) => `vote:${id}:${i + 1}`);
    const values: unknown[] = await keyv.get<unknown>(keys);
    const out: { key: string; event: FeedbackEvent }[] = [];
    values.forEach((value, i) => {
      const parsed = FeedbackEventSchema.safeParse(value);
      if (parsed.success) out.push({ key: keys[i]!, event: parsed.data });
    });
    return out;
  }

  /** Latest event per user wins (by `at`, then by arrival); a withdrawn vote removes the user. */
  function foldVotes(events: FeedbackEvent[]): FeedbackEvent[] {
    const latest = new Map<string, FeedbackEvent>();
    for (const event of events) {
      const previous = latest.get(event.user);
      if (!previous || event.at >= previous.at) latest.set(event.user, event);
    }
    return [...latest.values()].filter((e) => e.vote !== null).sort((a, b) => a.at - b.at);
  }

  async function withVotes(record: StoredInteraction): Promise<Interaction> {
    const votes = await readVotes(record.id);
    return { ...record, feedback: foldVotes(votes.map((v) => v.event)) };
  }

  async function readLog(from: number, to: number): Promise<(LogEntry | undefined)[]> {
    if (to < from) return [];
    const keys = Array.from({ length: to - from + 1 }, (_, i) => `log:${from + i}`);
    const values: unknown[] = await keyv.get<unknown>(keys);
    return values.map((v) => {
      const parsed = LogEntrySchema.safeParse(v);
      return parsed.success ? parsed.data : undefined;
    });
  }

  async function floor(): Promise<number> {
    const value: unknown = await keyv.get('floor');
    return typeof value === 'number' && value >= 1 ? value : 1;
  }

  /**
   * Walks the log from `start`, calling `visit` for each entry and skipping permanent holes; stops at
   * a hole that may still be filled, or when visit returns false. Returns the last position handled.
   */
  async function walk(
    start: number,
    visit: (n: number, entry: LogEntry) => Promise<boolean>,
    holes: 'wait' | 'skip' = 'wait',
  ): Promise<number> {
    const top = await backend.counter('log');
    let done = start - 1;
    let holeStart: number | undefined;
    for (let from = start; from <= top; from += SCAN_BATCH) {
      const to = Math.min(top, from + SCAN_BATCH - 1);
      const entries = await readLog(from, to);
      for (let i = 0; i < entries.length; i++) {
        const n = from + i;
        const entry = entries[i];
        if (!entry) {
          holeStart ??= n;
          continue;
        }
        if (holeStart !== undefined) {
          if (holes === 'wait' && entry.at > now() - HOLE_GRACE_MS) return holeStart - 1;
          holeStart = undefined;
        }
        if (!(await visit(n, entry))) return done;
        done = n;
      }
    }
    return holeStart !== undefined ? holeStart - 1 : done;
  }

  async function purge(id: string, n: number | undefined, record: StoredInteraction | undefined): Promise<void> {
    const votes = await readVotes(id);
    const keys = [`rec:${id}`, ...votes.map((v) => v.key)];
    if (record?.answerMessage) keys.push(`ans:${record.origin.platform}:${record.answerMessage}`);
    await keyv.delete(keys);
    await backend.deleteCounter(`votes:${id}`);
    if (n !== undefined) await keyv.set(`log:${n}`, { id, at: now(), deleted: true }, retentionMs + LOG_MARGIN_MS);
  }

  const store: KeyvFeedbackStore = {
    backend: backend.kind,
    shared: backend,
    pseudonym: pseudo,

    record(input) {
      return guard('record', async () => {
        if (!input.id) throw new TracefixError('bad_input', 'An interaction needs an id.');
        const createdAt = input.createdAt ?? now();
        const stored: StoredInteraction = { ...input, createdAt, origin: pseudonymiseOrigin(input.origin) };
        delete (stored as Partial<Interaction>).feedback;
        // A retried record (same id) replaces the record but is listed once.
        const known = (await keyv.get(`rec:${stored.id}`)) !== undefined;
        // Record first, log entry second: a listed id always has its record (unless since deleted).
        await keyv.set(`rec:${stored.id}`, stored, retentionMs);
        if (stored.answerMessage) {
          await keyv.set(`ans:${stored.origin.platform}:${stored.answerMessage}`, stored.id, retentionMs);
        }
        if (known) return withVotes(stored);
        const n = await backend.increment('log');
        await keyv.set(`log:${n}`, { id: stored.id, at: now() }, retentionMs + LOG_MARGIN_MS);
        return { ...stored, feedback: [] };
      });
    },

    get(id) {
      return guard('get', async () => {
        const record = await readRecord(id);
        return record ? withVotes(record) : undefined;
      });
    },

    attachAnswer(id, platform, messageId) {
      return guard('attachAnswer', async () => {
        const record = await readRecord(id);
        if (!record) throw new TracefixError('not_found', 'That answer is no longer on record.');
        const remaining = Math.max(1, record.createdAt + retentionMs - now());
        await keyv.set(`rec:${id}`, { ...record, answerMessage: messageId }, remaining);
        await keyv.set(`ans:${platform}:${messageId}`, id, remaining);
      });
    },

    findByAnswer(platform, messageId) {
      return guard('findByAnswer', async () => {
        const id: unknown = await keyv.get(`ans:${platform}:${messageId}`);
        if (typeof id !== 'string') return undefined;
        const record = await readRecord(id);
        return record ? withVotes(record) : undefined;
      });
    },

    vote(id, event) {
      return guard('vote', async () => {
        const record = await readRecord(id);
        if (!record) return undefined;
        const stored: FeedbackEvent = { ...event, user: pseudo(record.origin.platform, event.user) };
        const k = await backend.increment(`votes:${id}`, retentionMs);
        const remaining = Math.max(1, record.createdAt + retentionMs - now());
        await keyv.set(`vote:${id}:${k}`, stored, remaining);
        return withVotes(record);
      });
    },

    listSince(cursor, limit) {
      return guard('listSince', async () => {
        const after = cursor === undefined ? 0 : Number.parseInt(cursor, 10);
        if (!Number.isFinite(after) || after < 0) throw new TracefixError('bad_input', `Not a listing cursor: "${cursor}"`);
        const start = Math.max(after + 1, await floor());
        const items: Interaction[] = [];
        const last = await walk(start, async (_n, entry) => {
          if (items.length >= limit) return false;
          if (entry.deleted) return true;
          const record = await readRecord(entry.id);
          if (record) items.push(await withVotes(record));
          return true;
        });
        const position = Math.max(last, after);
        return { items, cursor: position > 0 ? String(position) : cursor };
      });
    },

    deleteUser(platform, userId) {
      return guard('deleteUser', async () => {
        const who = pseudo(platform, userId);
        let changed = 0;
        await walk(await floor(), async (n, entry) => {
          if (entry.deleted) return true;
          const record = await readRecord(entry.id);
          if (!record) return true;
          if (record.origin.platform === platform && record.origin.user === who) {
            await purge(record.id, n, record);
            changed++;
            return true;
          }
          const mine = (await readVotes(record.id)).filter((v) => v.event.user === who);
          if (mine.length > 0 && record.origin.platform === platform) {
            await keyv.delete(mine.map((v) => v.key));
            changed++;
          }
          return true;
        }, 'skip');
        return changed;
      });
    },

    prune() {
      return guard('prune', async () => {
        const cutoff = now() - retentionMs;
        let removed = 0;
        let newFloor = await floor();
        const top = await backend.counter('log');
        outer: for (let from = newFloor; from <= top; from += SCAN_BATCH) {
          const entries = await readLog(from, Math.min(top, from + SCAN_BATCH - 1));
          for (let i = 0; i < entries.length; i++) {
            const n = from + i;
            const entry = entries[i];
            // A hole at the head is expired when a later entry is older than the cutoff: look ahead.
            if (!entry) {
              const next = entries.slice(i + 1).find((e) => e !== undefined);
              if (next && next.at < cutoff) {
                newFloor = n + 1;
                continue;
              }
              break outer;
            }
            if (entry.at >= cutoff) break outer;
            if (!entry.deleted) {
              await purge(entry.id, undefined, await readRecord(entry.id));
              removed++;
            }
            await keyv.delete(`log:${n}`);
            newFloor = n + 1;
          }
        }
        await keyv.set('floor', newFloor);
        return removed;
      });
    },

    clear() {
      return guard('clear', () => backend.clear());
    },

    close() {
      return guard('close', () => backend.close());
    },
  };
  return store;
}
