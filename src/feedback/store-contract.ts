/**
 * The FeedbackStore contract: every backend (SQLite file, Redis, PostgreSQL) must pass it. Tests call
 * `feedbackStoreContract` with a way to open a store on a fresh namespace; see store.test.ts.
 */
import { afterAll, expect, it } from 'vitest';
import type { RepairResult } from '../repair/types.ts';
import type { KeyvFeedbackStore } from './store.ts';
import type { Interaction } from './types.ts';

export interface ContractHarness {
  /** Opens a store on the suite's namespace; the same namespace for every call within one suite. */
  open(options?: { now?: () => number; retentionDays?: number }): Promise<KeyvFeedbackStore>;
  /** Drops the namespace (tables / keys). */
  destroy(): Promise<void>;
}

let sequence = 0;
export function sampleResult(overrides: Partial<RepairResult> = {}): RepairResult {
  return {
    requestId: `req-${++sequence}`,
    status: 'fixed',
    summary: 'Fixed: off-by-one in the loop bound.',
    rationale: 'At (3) i=4 reads past the end.',
    fixedCode: 'def f(xs):\n    return sum(xs)\n',
    tests: [{ id: 't1', name: 'test_sum', before: 'failed', after: 'passed' }],
    candidates: { tried: 3, passed: 1, fromModel: 1, fromSearch: 2 },
    model: { id: 'gpt-test', promptVersion: 'next-v1' },
    timings: { totalMs: 12 },
    ...overrides,
  };
}

export function sampleInteraction(id: string, user = 'U1', platform: Interaction['origin']['platform'] = 'slack') {
  return {
    id,
    origin: { platform, workspace: 'T1', channel: 'C1', user, message: `m-${id}` },
    request: { code: 'def f(xs):\n    return sum(xs[1:])\n', tests: 'assert f([1, 2]) == 3' },
    result: sampleResult(),
    prompt: 'the prompt',
  };
}

export function feedbackStoreContract(harness: ContractHarness): void {
  const opened: KeyvFeedbackStore[] = [];
  const open = async (options?: Parameters<ContractHarness['open']>[0]) => {
    const store = await harness.open(options);
    opened.push(store);
    return store;
  };
  let n = 0;
  const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++n}`;

  afterAll(async () => {
    for (const store of opened) await store.close().catch(() => undefined);
    await harness.destroy();
  });

  it('records an interaction and reads it back with pseudonymised ids', async () => {
    const store = await open();
    const id = uid('rec');
    const saved = await store.record(sampleInteraction(id, 'U-raw'));
    expect(saved.feedback).toEqual([]);
    const back = await store.get(id);
    expect(back?.request.code).toContain('sum(xs[1:])');
    expect(back?.result.status).toBe('fixed');
    expect(back?.origin.user).toBe(store.pseudonym('slack', 'U-raw'));
    expect(back?.origin.user).not.toContain('U-raw');
    expect(back?.origin.channel).not.toBe('C1');
    expect(back?.origin.workspace).not.toBe('T1');
    expect(await store.get(uid('missing'))).toBeUndefined();
  });

  it('finds an interaction by the platform message of its answer', async () => {
    const store = await open();
    const id = uid('ans');
    await store.record(sampleInteraction(id));
    await store.attachAnswer(id, 'slack', `answer-${id}`);
    expect((await store.findByAnswer('slack', `answer-${id}`))?.id).toBe(id);
    expect(await store.findByAnswer('discord', `answer-${id}`)).toBeUndefined();
    expect(await store.findByAnswer('slack', 'nope')).toBeUndefined();
  });

  it('keeps one vote per user: a changed mind replaces it, null withdraws it', async () => {
    const store = await open();
    const id = uid('vote');
    await store.record(sampleInteraction(id));
    await store.vote(id, { user: 'A', vote: 'up', at: 1000, source: 'reaction' });
    await store.vote(id, { user: 'B', vote: 'up', at: 1001, source: 'button' });
    let now = await store.vote(id, { user: 'A', vote: 'down', at: 1002, source: 'reaction' });
    expect(now?.feedback.map((e) => e.vote).sort()).toEqual(['down', 'up']);
    now = await store.vote(id, { user: 'B', vote: null, at: 1003, source: 'button' });
    expect(now?.feedback).toHaveLength(1);
    expect(now?.feedback[0]).toMatchObject({ user: store.pseudonym('slack', 'A'), vote: 'down' });
    // A late delivery of an older event does not override the newer one.
    now = await store.vote(id, { user: 'A', vote: 'up', at: 999, source: 'reaction' });
    expect(now?.feedback[0]?.vote).toBe('down');
    expect(await store.vote(uid('missing'), { user: 'A', vote: 'up', at: 1, source: 'reaction' })).toBeUndefined();
  });

  it('counts every vote when many users react at once from two processes', async () => {
    const a = await open();
    const b = await open();
    const id = uid('race');
    await a.record(sampleInteraction(id));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).vote(id, { user: `user${i}`, vote: 'up', at: 5000 + i, source: 'reaction' }),
      ),
    );
    expect((await a.get(id))?.feedback).toHaveLength(20);
  });

  it('lists since a cursor, oldest first, in pages, and continues with new records', async () => {
    const store = await open();
    const start = await store.listSince(undefined, 100_000);
    const ids = Array.from({ length: 7 }, () => uid('list'));
    for (const id of ids) await store.record(sampleInteraction(id));
    const seen: string[] = [];
    let cursor = start.cursor;
    for (let page = 0; page < 5; page++) {
      const { items, cursor: next } = await store.listSince(cursor, 3);
      expect(items.length).toBeLessThanOrEqual(3);
      seen.push(...items.map((i) => i.id));
      cursor = next;
    }
    expect(seen).toEqual(ids);
    expect((await store.listSince(cursor, 10)).items).toEqual([]);
    const later = uid('list');
    await store.record(sampleInteraction(later));
    await store.record(sampleInteraction(later)); // a retried write is listed once
    expect((await store.listSince(cursor, 10)).items.map((i) => i.id)).toEqual([later]);
  });

  it('loses no entry when two processes append at the same time', async () => {
    const a = await open();
    const b = await open();
    const { cursor } = await a.listSince(undefined, 100_000);
    const ids = Array.from({ length: 30 }, () => uid('append'));
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).record(sampleInteraction(id))));
    const { items } = await b.listSince(cursor, 1000);
    expect(items.map((i) => i.id).sort()).toEqual([...ids].sort());
  });

  it('waits at a hole a writer may still fill, and skips it once it is old', async () => {
    let clock = Date.now();
    const store = await open({ now: () => clock });
    const { cursor } = await store.listSince(undefined, 100_000);
    const before = uid('hole');
    await store.record(sampleInteraction(before));
    const hole = await store.shared.increment('log'); // allocated by a writer that has not written (or died)
    const after = uid('hole');
    await store.record(sampleInteraction(after));
    const first = await store.listSince(cursor, 10);
    expect(first.items.map((i) => i.id)).toEqual([before]);
    clock += 5 * 60_000;
    const second = await store.listSince(first.cursor, 10);
    expect(second.items.map((i) => i.id)).toEqual([after]);
    // Fill the hole so that later tests on this namespace (real clock) are not held at it.
    await store.shared.keyv.set(`log:${hole}`, { id: 'ghost', at: 0, deleted: true });
  });

  it('deletes a user’s records and votes on request', async () => {
    const store = await open();
    const mine = uid('forget');
    const theirs = uid('forget');
    const otherPlatform = uid('forget');
    await store.record(sampleInteraction(mine, 'UX'));
    await store.attachAnswer(mine, 'slack', `answer-${mine}`);
    await store.record(sampleInteraction(theirs, 'UY'));
    await store.record(sampleInteraction(otherPlatform, 'UX', 'discord'));
    await store.vote(theirs, { user: 'UX', vote: 'up', at: 1, source: 'reaction' });
    await store.vote(theirs, { user: 'UZ', vote: 'up', at: 2, source: 'reaction' });
    const changed = await store.deleteUser('slack', 'UX');
    expect(changed).toBe(2);
    expect(await store.get(mine)).toBeUndefined();
    expect(await store.findByAnswer('slack', `answer-${mine}`)).toBeUndefined();
    expect((await store.get(theirs))?.feedback.map((e) => e.user)).toEqual([store.pseudonym('slack', 'UZ')]);
    expect(await store.get(otherPlatform)).toBeDefined();
    const { items } = await store.listSince(undefined, 100_000);
    expect(items.map((i) => i.id)).not.toContain(mine);
  });

  it('expires records after the retention and prunes the index', async () => {
    let clock = Date.now();
    const store = await open({ now: () => clock, retentionDays: 1 });
    const old = uid('old');
    await store.record(sampleInteraction(old));
    clock += 2 * 86_400_000;
    const fresh = uid('fresh');
    await store.record(sampleInteraction(fresh));
    expect(await store.prune()).toBeGreaterThanOrEqual(1);
    expect(await store.get(old)).toBeUndefined();
    const { items } = await store.listSince(undefined, 100_000);
    expect(items.map((i) => i.id)).toContain(fresh);
    expect(items.map((i) => i.id)).not.toContain(old);
  });

  it('survives a restart and ignores records it cannot parse', async () => {
    const first = await open();
    const id = uid('restart');
    await first.record(sampleInteraction(id));
    await first.vote(id, { user: 'A', vote: 'up', at: 1, source: 'reaction' });
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    const second = await open();
    expect((await second.get(id))?.feedback).toHaveLength(1);
    await second.shared.keyv.set('rec:broken', { id: 'broken', nonsense: true });
    expect(await second.get('broken')).toBeUndefined();
  });
}
