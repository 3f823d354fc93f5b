// A token bucket: `burst` tokens at most, refilled at `refillPerS`. Used for
// per-client rate limits on the stream. Time is passed in.

export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;

  constructor(
    private readonly burst: number,
    private readonly refillPerS: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.updatedAtMs = nowMs;
  }

  /** Takes one token if there is one. */
  take(nowMs: number): boolean {
    const elapsedS = Math.max(0, nowMs - this.updatedAtMs) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedS * this.refillPerS);
    this.updatedAtMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
