/**
 * The warm pool's rules, on plain members whose starts the test completes by hand (the backends'
 * own members are covered by the contract suite in tests/contract).
 */
import { describe, expect, it } from 'vitest';
import { WarmPool, type PoolMember } from './pool.ts';

class Member implements PoolMember {
  alive = true;
  used = false;
  constructor(readonly id: number) {}
}

/** A pool whose starts wait until the test finishes them; `signals` are the ones each start got. */
function manualPool(replaceWhen: 'taken' | 'released', size = 2) {
  const pending: { finish: () => void; signal: AbortSignal }[] = [];
  const destroyed: Member[] = [];
  let made = 0;
  const pool = new WarmPool<Member>({
    size,
    replaceWhen,
    create: (signal) =>
      new Promise<Member>((resolve) => {
        const member = new Member(++made);
        pending.push({ finish: () => resolve(member), signal });
      }),
    destroy: (member) => {
      destroyed.push(member);
      return Promise.resolve();
    },
  });
  const finishAll = async (): Promise<void> => {
    for (const start of pending.splice(0)) start.finish();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { pool, pending, destroyed, finishAll };
}

async function take(pool: WarmPool<Member>): Promise<Member> {
  const member = await pool.acquire();
  member.used = true;
  return member;
}

describe('WarmPool', () => {
  it('`released`: no replacement starts while a request runs; it starts when the member comes back', async () => {
    const { pool, pending, destroyed, finishAll } = manualPool('released');
    pool.warm();
    expect(pending).toHaveLength(2);
    await finishAll();
    const a = await take(pool);
    const b = await take(pool);
    expect(pending).toHaveLength(0);
    pool.release(a);
    expect(pending).toHaveLength(1);
    expect(destroyed).toEqual([a]);
    pool.release(b);
    expect(pending).toHaveLength(2);
    await finishAll();
    const c = await take(pool);
    expect([a.id, b.id]).not.toContain(c.id);
    await pool.close();
  });

  it('`released`: a caller waiting for a member gets a start at once', async () => {
    const { pool, pending, finishAll } = manualPool('released', 1);
    pool.warm();
    await finishAll();
    const a = await take(pool);
    expect(pending).toHaveLength(0);
    // maxBusy is the size: this caller waits for `a`'s place, and its member is started now.
    const waiting = pool.acquire();
    expect(pending).toHaveLength(1);
    pool.release(a);
    await finishAll();
    const b = await waiting;
    expect(b.id).not.toBe(a.id);
    await pool.close();
  });

  it('`taken`: the replacement starts the moment a member is taken', async () => {
    const { pool, pending, finishAll } = manualPool('taken');
    pool.warm();
    await finishAll();
    await take(pool);
    expect(pending).toHaveLength(1);
    await pool.close();
  });

  it('never hands out a used member again, and an unused one handed back stays ready', async () => {
    const { pool, finishAll } = manualPool('released', 1);
    pool.warm();
    await finishAll();
    const fresh = await pool.acquire();
    pool.release(fresh);
    expect(await pool.acquire()).toBe(fresh);
    fresh.used = true;
    pool.release(fresh);
    await finishAll();
    expect(await pool.acquire()).not.toBe(fresh);
    await pool.close();
  });

  it('tells starts under way to stop when it closes', async () => {
    const { pool, pending } = manualPool('released');
    pool.warm();
    expect(pending.map((p) => p.signal.aborted)).toEqual([false, false]);
    await pool.close();
    expect(pending.map((p) => p.signal.aborted)).toEqual([true, true]);
  });
});
