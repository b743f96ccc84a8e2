/**
 * A small pool of warm runners (Pyodide processes, E2B sandboxes). Starting one is slow (seconds),
 * so `size` of them are kept ready; at most `size` exist at once and further callers wait. A member
 * that died (killed after an overrun) is destroyed on release and replaced in the background.
 */
export interface PoolMember {
  readonly alive: boolean;
}

export interface PoolOptions<T> {
  size: number;
  create: () => Promise<T>;
  destroy: (member: T) => Promise<void>;
}

export class WarmPool<T extends PoolMember> {
  private readonly idle: T[] = [];
  private readonly waiters: { resolve: (m: T) => void; reject: (e: unknown) => void }[] = [];
  private total = 0;
  private busyCount = 0;
  private closed = false;
  /** Last failure of a background start, for stats and the next caller's error. */
  lastError: unknown;

  constructor(private readonly options: PoolOptions<T>) {}

  /** Starts members up to `size` without waiting for them. */
  warm(): void {
    while (!this.closed && this.total < this.options.size) this.spawn();
  }

  private spawn(): void {
    this.total++;
    this.options.create().then(
      (member) => this.put(member),
      (error: unknown) => {
        this.total--;
        this.lastError = error;
        this.waiters.shift()?.reject(error);
      },
    );
  }

  private put(member: T): void {
    if (this.closed || !member.alive) {
      this.total--;
      void this.options.destroy(member).catch(() => undefined);
      if (!this.closed && this.waiters.length > 0) this.spawn();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      this.busyCount++;
      waiter.resolve(member);
    } else {
      this.idle.push(member);
    }
  }

  async acquire(): Promise<T> {
    if (this.closed) throw new Error('pool closed');
    while (this.idle.length > 0) {
      const member = this.idle.shift() as T;
      if (member.alive) {
        this.busyCount++;
        return member;
      }
      this.total--;
      void this.options.destroy(member).catch(() => undefined);
    }
    const waiting = new Promise<T>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.total < this.options.size) this.spawn();
    return waiting;
  }

  release(member: T): void {
    this.busyCount--;
    if (member.alive) return this.put(member);
    this.total--;
    void this.options.destroy(member).catch(() => undefined);
    // Keep the pool warm: replace the member the caller had to kill.
    if (!this.closed && (this.waiters.length > 0 || this.total < this.options.size)) this.spawn();
  }

  stats(): { warm: number; busy: number } {
    return { warm: this.idle.length, busy: this.busyCount };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('pool closed'));
    await Promise.all(this.idle.splice(0).map((m) => this.options.destroy(m).catch(() => undefined)));
  }
}
