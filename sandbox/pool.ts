/**
 * A pool of FRESH runners (Pyodide processes, E2B sandboxes). A runner serves one request and is
 * then retired: nothing one request does (a monkeypatched module, an audit hook, a file in /tmp) can
 * reach the next one, which may be someone else's. Starting one is slow, so `size` fresh members are
 * kept ready, and a taken one is replaced either at once (a remote E2B sandbox: starting it costs us
 * no CPU) or once its request is over (a local Pyodide runner, whose start would slow the request).
 *
 * When starts keep failing (a broken install, a full disk) the pool backs off and retries on its own,
 * callers fail fast instead of queueing behind a start that will not come, and `stats()` says so
 * (/healthz answers 503 from it). One good start heals it.
 */
export interface PoolMember {
  /** False once the runner died or was killed. */
  readonly alive: boolean;
  /** True once it was handed a request: it never serves another. */
  readonly used: boolean;
}

export interface PoolOptions<T> {
  /** Fresh members kept ready. */
  size: number;
  /** Members serving requests at once; further callers wait. Default `size`. */
  maxBusy?: number;
  /** Starts a member; `signal` aborts when the pool closes, and a start still under way may then stop. */
  create: (signal: AbortSignal) => Promise<T>;
  destroy: (member: T) => Promise<void>;
  /** First retry delay after a failed start; doubles per consecutive failure. Default 500 ms. */
  retryInitialMs?: number;
  /** Longest retry delay. Default 30 s. */
  retryMaxMs?: number;
  /** Consecutive failed starts after which the pool reports itself unhealthy. Default 2. */
  unhealthyAfter?: number;
  /**
   * When a taken member's replacement starts: `taken`, at once, while its request runs; `released`,
   * once its request is over, so the two do not compete for the CPU (unless requests are waiting
   * for a member: those are started at once). Default `taken`.
   */
  replaceWhen?: 'taken' | 'released';
}

export interface PoolHealth {
  healthy: boolean;
  /** Starts that failed in a row (0 once one succeeds). */
  consecutiveFailures: number;
  /** Why the last start failed, while it keeps failing (no user data: our own error). */
  reason?: string;
  /** When the next start is tried, while backing off. */
  retryInMs?: number;
}

export interface PoolStats {
  warm: number;
  busy: number;
  starting: number;
  started: number;
  failedStarts: number;
  health: PoolHealth;
}

interface Waiter<T> {
  resolve: (member: T) => void;
  reject: (error: unknown) => void;
}

export class WarmPool<T extends PoolMember> {
  private readonly idle: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private readonly maxBusy: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly unhealthyAfter: number;
  private starting = 0;
  private busyCount = 0;
  private closed = false;
  private failures = 0;
  private started = 0;
  private failedStarts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  private readonly closing = new AbortController();
  /** Last failure of a start, for stats and the next caller's error. */
  lastError: unknown;

  constructor(private readonly options: PoolOptions<T>) {
    this.maxBusy = options.maxBusy ?? options.size;
    this.retryInitialMs = options.retryInitialMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.unhealthyAfter = options.unhealthyAfter ?? 2;
  }

  /** Starts members up to `size` without waiting for them. */
  warm(): void {
    this.fill();
  }

  private fill(): void {
    if (this.closed || this.retryTimer) return;
    this.prune();
    // A member in use holds its place until it is handed back, unless callers are waiting.
    const wanted =
      this.options.replaceWhen === 'released' ? Math.min(this.options.size, Math.max(this.options.size - this.busyCount, this.waiters.length)) : this.options.size;
    // While starts fail, one probe at a time: a broken install must not be hammered.
    while (this.idle.length + this.starting < wanted) {
      if (this.failures > 0 && this.starting > 0) break;
      this.spawn();
    }
  }

  /** Drops idle members that died while waiting (their replacement comes from `fill`). */
  private prune(): void {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const member = this.idle[i] as T;
      if (!member.alive) {
        this.idle.splice(i, 1);
        this.discard(member);
      }
    }
  }

  private spawn(): void {
    this.starting++;
    this.options.create(this.closing.signal).then(
      (member) => {
        this.starting--;
        this.started++;
        this.failures = 0;
        this.lastError = undefined;
        if (this.closed || !member.alive) {
          this.discard(member);
        } else {
          this.idle.push(member);
          this.dispatch();
        }
        this.fill();
      },
      (error: unknown) => {
        this.starting--;
        this.failedStarts++;
        this.failures++;
        this.lastError = error;
        if (this.closed) return;
        // Nothing else is on its way: waiters would wait through the back-off, so they fail now.
        if (this.starting === 0 && this.idle.length === 0) this.rejectWaiters(error);
        const delay = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (this.failures - 1));
        clearTimeout(this.retryTimer);
        this.retryAt = Date.now() + delay;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.fill();
        }, delay);
        this.retryTimer.unref();
      },
    );
  }

  private rejectWaiters(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.busyCount < this.maxBusy) {
      this.prune();
      const member = this.idle.shift();
      if (!member) return;
      this.busyCount++;
      (this.waiters.shift() as Waiter<T>).resolve(member);
    }
  }

  private discard(member: T): void {
    void this.options.destroy(member).catch(() => undefined);
  }

  /** A fresh member, for exactly one request; hand it back with `release` whatever happened. */
  async acquire(): Promise<T> {
    if (this.closed) throw new Error('pool closed');
    this.prune();
    if (this.busyCount < this.maxBusy && this.waiters.length === 0) {
      const member = this.idle.shift();
      if (member) {
        this.busyCount++;
        this.fill();
        return member;
      }
    }
    // Starts are failing and none is under way: say so now rather than wait through the back-off.
    if (this.failures > 0 && this.starting === 0 && this.idle.length === 0) {
      throw this.lastError instanceof Error ? this.lastError : new Error('runners fail to start');
    }
    const waiting = new Promise<T>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.fill();
    return waiting;
  }

  /** Takes a member back: an unused one (say, from `ready()`) stays ready; a used or dead one is retired. */
  release(member: T): void {
    this.busyCount--;
    if (!this.closed && member.alive && !member.used) this.idle.unshift(member);
    else this.discard(member);
    this.dispatch();
    this.fill();
  }

  stats(): PoolStats {
    const unhealthy = this.failures >= this.unhealthyAfter;
    const health: PoolHealth = { healthy: !unhealthy, consecutiveFailures: this.failures };
    if (this.failures > 0) {
      health.reason = this.lastError instanceof Error ? this.lastError.message.slice(0, 300) : 'runners fail to start';
      if (this.retryTimer) health.retryInMs = Math.max(0, this.retryAt - Date.now());
    }
    return {
      warm: this.idle.filter((m) => m.alive).length,
      busy: this.busyCount,
      starting: this.starting,
      started: this.started,
      failedStarts: this.failedStarts,
      health,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.rejectWaiters(new Error('pool closed'));
    // Starts still under way are told to stop (a CLI must not wait for a runner it will never use),
    // and discarded when they finish all the same; neither is awaited.
    this.closing.abort();
    await Promise.all(this.idle.splice(0).map((m) => this.options.destroy(m).catch(() => undefined)));
  }
}
