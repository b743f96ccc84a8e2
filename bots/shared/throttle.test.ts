import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from './throttle.ts';

/** A send whose edits finish when the test says so, recording when each started (test clock). */
function controlledSend() {
  const started: { value: string; at: number }[] = [];
  const finish: (() => void)[] = [];
  const send = (value: string) =>
    new Promise<void>((resolve) => {
      started.push({ value, at: Date.now() });
      finish.push(resolve);
    });
  return { send, started, finishNext: () => finish.shift()?.() };
}

describe('throttle (on the test clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first value at once, then at most one edit per interval, the latest value winning', async () => {
    const { send, started, finishNext } = controlledSend();
    const t = throttle(send, { intervalMs: 100, onError: () => undefined });
    t.push('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([{ value: 'a', at: 1_000 }]);
    finishNext();
    t.push('b');
    t.push('c');
    await vi.advanceTimersByTimeAsync(99);
    expect(started.map((s) => s.value)).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual([
      { value: 'a', at: 1_000 },
      { value: 'c', at: 1_100 },
    ]);
    finishNext();
    await t.close();
  });

  it('keeps one edit in flight: a value pushed meanwhile waits for it, then for the interval', async () => {
    const { send, started, finishNext } = controlledSend();
    const t = throttle(send, { intervalMs: 100, onError: () => undefined });
    t.push('a');
    await vi.advanceTimersByTimeAsync(0);
    t.push('b');
    // The edit of "a" is slow: 250 ms, past the interval. "b" goes as soon as it is done.
    await vi.advanceTimersByTimeAsync(250);
    expect(started.map((s) => s.value)).toEqual(['a']);
    finishNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([
      { value: 'a', at: 1_000 },
      { value: 'b', at: 1_250 },
    ]);
    finishNext();
    // Nothing pending: no more edits, however long we wait.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(2);
    await t.close();
  });

  it('after a quiet spell longer than the interval, sends a new value at once', async () => {
    const { send, started, finishNext } = controlledSend();
    const t = throttle(send, { intervalMs: 100, onError: () => undefined });
    t.push('a');
    await vi.advanceTimersByTimeAsync(0);
    finishNext();
    await vi.advanceTimersByTimeAsync(500);
    t.push('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(started.at(-1)).toEqual({ value: 'b', at: 1_500 });
    finishNext();
    await t.close();
  });

  it('flush sends the pending value now, after the edit in flight, and cancels the timer', async () => {
    const { send, started, finishNext } = controlledSend();
    const t = throttle(send, { intervalMs: 100, onError: () => undefined });
    t.push('a');
    await vi.advanceTimersByTimeAsync(0);
    t.push('b');
    const flushed = t.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(started.map((s) => s.value)).toEqual(['a']);
    finishNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(started.map((s) => s.value)).toEqual(['a', 'b']);
    finishNext();
    await flushed;
    // The timer flush cancelled does not send "b" again.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.map((s) => s.value)).toEqual(['a', 'b']);
    await t.close();
  });

  it('flush with a timer pending sends once, not twice', async () => {
    const { send, started, finishNext } = controlledSend();
    const t = throttle(send, { intervalMs: 100, onError: () => undefined });
    t.push('a');
    await vi.advanceTimersByTimeAsync(0);
    finishNext();
    await vi.advanceTimersByTimeAsync(0);
    t.push('b');
    const flushed = t.flush();
    await vi.advanceTimersByTimeAsync(0);
    finishNext();
    await flushed;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.map((s) => s.value)).toEqual(['a', 'b']);
    await t.close();
  });

  it('close drops the pending value, waits for the edit in flight, and ignores later pushes', async () => {
    const { send, started, finishNext } = controlledSend();
    const t = throttle(send, { intervalMs: 100, onError: () => undefined });
    t.push('a');
    await vi.advanceTimersByTimeAsync(0);
    t.push('b');
    let closed = false;
    const closing = t.close().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    finishNext();
    await closing;
    t.push('c');
    await t.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.map((s) => s.value)).toEqual(['a']);
  });

  it('close cancels a scheduled edit', async () => {
    const { send, started, finishNext } = controlledSend();
    const t = throttle(send, { intervalMs: 100, onError: () => undefined });
    t.push('a');
    await vi.advanceTimersByTimeAsync(0);
    finishNext();
    await vi.advanceTimersByTimeAsync(0);
    t.push('b');
    await t.close();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.map((s) => s.value)).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a failed edit to onError and goes on with the next value', async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    const t = throttle(
      (value: string) => {
        sent.push(value);
        return value === 'bad' ? Promise.reject(new Error('edit failed')) : Promise.resolve();
      },
      { intervalMs: 100, onError: (e) => errors.push(e) },
    );
    t.push('bad');
    await vi.advanceTimersByTimeAsync(0);
    t.push('good');
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual(['bad', 'good']);
    expect(errors).toEqual([new Error('edit failed')]);
    t.push('bad');
    await t.flush();
    expect(errors).toHaveLength(2);
    await t.close();
  });
});
