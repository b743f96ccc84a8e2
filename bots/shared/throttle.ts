/**
 * Coalesces status updates: chat platforms rate-limit edits (Slack ≈ 1 per second per channel), and a
 * repair reports progress far faster than that. The latest value wins; at most one edit is in flight;
 * a value that arrives during the quiet interval is sent when it ends. Failures are reported to
 * `onError` and never thrown, because a missed status edit must not fail the repair.
 */
export interface Throttled<T> {
  push(value: T): void;
  /** Sends the pending value, if any, and waits for every edit to settle. */
  flush(): Promise<void>;
  /** Drops pending values; later pushes are ignored. */
  close(): Promise<void>;
}

export function throttle<T>(
  send: (value: T) => Promise<void>,
  options: { intervalMs: number; onError: (error: unknown) => void },
): Throttled<T> {
  let pending: { value: T } | undefined;
  let inFlight: Promise<void> | undefined;
  let lastSent = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const fire = (): void => {
    timer = undefined;
    if (inFlight !== undefined || pending === undefined || closed) return;
    const { value } = pending;
    pending = undefined;
    lastSent = Date.now();
    inFlight = send(value)
      .catch(options.onError)
      .finally(() => {
        inFlight = undefined;
        schedule();
      });
  };

  const schedule = (): void => {
    if (pending === undefined || timer !== undefined || inFlight !== undefined || closed) return;
    const wait = Math.max(0, lastSent + options.intervalMs - Date.now());
    timer = setTimeout(fire, wait);
  };

  return {
    push(value) {
      if (closed) return;
      pending = { value };
      schedule();
    },
    async flush() {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      while (inFlight !== undefined) await inFlight;
      if (pending !== undefined && !closed) {
        const { value } = pending;
        pending = undefined;
        lastSent = Date.now();
        await send(value).catch(options.onError);
      }
    },
    async close() {
      closed = true;
      pending = undefined;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      while (inFlight !== undefined) await inFlight;
    },
  };
}
