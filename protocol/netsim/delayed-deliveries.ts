// Runs each delivery at the time the simulated network chose for it. Both
// ends use it: the client for what it sends, the server for what it sends to
// each player (game-server/transport/conditioned-links.ts).
//
// One timer for the earliest delivery, and a queue ordered by time (ties in
// the order they were added). Separate setTimeout calls would not do: timers
// of different lengths that fall due in the same millisecond may fire in
// either order, and a stream must never reorder.
//
// The clock and the timer functions are passed in, which keeps protocol/
// free of I/O (and lets tests drive time). The host's own timers fit as they
// are: callers at the edges pass `globalThis`.

/** setTimeout and clearTimeout, as browsers and Node have them. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface Pending {
  atMs: number;
  order: number;
  deliver: () => void;
}

export class DelayedDeliveries {
  private queue: Pending[] = [];
  private timer: unknown = null;
  private added = 0;

  constructor(
    private readonly clock: () => number,
    private readonly timers: Timers,
  ) {}

  /** Deliveries waiting for their time. */
  get pending(): number {
    return this.queue.length;
  }

  /** Runs `deliver` at `atMs` on the clock; never before anything queued for an earlier or equal time. */
  at(atMs: number, deliver: () => void): void {
    if (this.queue.length === 0 && atMs <= this.clock()) {
      deliver();
      return;
    }
    const item = { atMs, order: this.added++, deliver };
    // Insert after every item due at or before atMs (binary search keeps it O(log n)).
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.queue[mid]!.atMs <= atMs) low = mid + 1;
      else high = mid;
    }
    this.queue.splice(low, 0, item);
    if (low === 0) this.arm();
  }

  /**
   * Moves what is due at `fromMs` to `toMs`, in the order it was added, after
   * anything else due by then: the stream model moved a repair up (its rule
   * 1c). The model only moves its newest delivery, and never before an
   * earlier one, so the order of the queue holds. Matched by time: a queue
   * that moves things holds one stream's deliveries only.
   */
  reschedule(fromMs: number, toMs: number): void {
    const moved = this.queue.filter((item) => item.atMs === fromMs);
    if (moved.length === 0) return;
    const head = this.queue[0];
    this.queue = this.queue.filter((item) => item.atMs !== fromMs);
    let at = this.queue.length;
    while (at > 0 && this.queue[at - 1]!.atMs > toMs) at--;
    this.queue.splice(at, 0, ...moved.map((item) => ({ ...item, atMs: toMs })));
    // The moved items are new objects, so a moved head counts as a new head too.
    if (this.queue[0] !== head) this.arm();
  }

  /** Forgets everything still in flight (the connection closed). */
  cancelAll(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  private arm() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    const next = this.queue[0];
    this.timer = next ? this.timers.setTimeout(() => this.flush(), Math.max(0, next.atMs - this.clock())) : null;
  }

  private flush() {
    this.timer = null;
    const now = this.clock();
    try {
      while (this.queue.length > 0 && this.queue[0]!.atMs <= now) this.queue.shift()!.deliver();
    } finally {
      // One delivery that throws must not strand the rest of the queue.
      this.arm();
    }
  }
}
