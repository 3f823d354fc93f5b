// Runs each delivery at the time the simulated network chose for it. Both
// ends use it: the client for what it sends, the server for what it sends to
// each player (game-server/conditioned-links.ts).

export class DelayedDeliveries {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly clock: () => number) {}

  /** Deliveries waiting for their time. */
  get pending(): number {
    return this.timers.size;
  }

  /** Runs `deliver` at `atMs` on the clock, or now if that time has come. */
  at(atMs: number, deliver: () => void): void {
    const wait = atMs - this.clock();
    if (wait <= 0) return deliver();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      deliver();
    }, wait);
    this.timers.add(timer);
  }

  /** Forgets everything still in flight (the connection closed). */
  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
