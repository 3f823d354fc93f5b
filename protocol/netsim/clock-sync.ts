// Estimates the server's clock from ping/pong round trips (Cristian's
// algorithm): server time ≈ the pong's stamp + half the round trip. The
// sample with the smallest round trip is the least distorted by queuing, so
// the newest CLOCK_SYNC_SAMPLES are kept and the fastest one wins.
//
// The estimate wanders by a few milliseconds as the fastest sample changes.
// A benchmark whose page and server share one machine can measure the true
// offset and pin it, so update ages measure the network and not the estimate.
import { CLOCK_SYNC_SAMPLES } from '../constants.ts';

export class ClockSync {
  private readonly samples: { rttMs: number; offsetMs: number }[] = [];
  /** The kept sample with the smallest round trip: chosen once per sample (a ping a second), read on every snapshot. */
  private best: { rttMs: number; offsetMs: number } | undefined;
  private pinnedOffsetMs: number | null = null;

  /** Records one round trip: sent at `sentAtMs`, answered with `serverTimeMs`, received at `receivedAtMs` (client clock). */
  addSample(sentAtMs: number, serverTimeMs: number, receivedAtMs: number): void {
    const rttMs = Math.max(0, receivedAtMs - sentAtMs);
    this.samples.push({ rttMs, offsetMs: serverTimeMs + rttMs / 2 - receivedAtMs });
    if (this.samples.length > CLOCK_SYNC_SAMPLES) this.samples.shift();
    this.best = this.samples.reduce((best, s) => (s.rttMs < best.rttMs ? s : best));
  }

  get synced(): boolean {
    return this.samples.length > 0 || this.pinnedOffsetMs !== null;
  }

  /** Uses `offsetMs` (server clock minus client clock, known exactly) instead of the estimate; null returns to the estimate. */
  pin(offsetMs: number | null): void {
    this.pinnedOffsetMs = offsetMs;
  }

  /** Whether the offset is pinned (known exactly) rather than estimated. */
  get pinned(): boolean {
    return this.pinnedOffsetMs !== null;
  }

  /** Server clock minus client clock, in ms. */
  get offsetMs(): number {
    if (this.pinnedOffsetMs !== null) return this.pinnedOffsetMs;
    return this.best?.offsetMs ?? 0;
  }

  /** The round trip the estimate comes from (the estimate is good to ± half of it); 0 when pinned or unsynced. */
  get rttMs(): number {
    if (this.pinnedOffsetMs !== null) return 0;
    return this.best?.rttMs ?? 0;
  }

  /** The server clock now, given the client clock now. */
  serverNow(clientNowMs: number): number {
    return clientNowMs + this.offsetMs;
  }
}
