// What the server remembers of the snapshots it sent, and the choice, per
// client, between a delta and a full snapshot on the datagram channel.
import { BASELINE_HISTORY, MAX_BASELINE_AGE_TICKS } from '../protocol/constants.ts';
import { encodeDeltaSnapshot } from '../protocol/wire/delta-snapshot.ts';
import { encodeSnapshot, type EntityState, type Snapshot } from '../protocol/wire/snapshot.ts';
import type { Metrics } from './metrics.ts';

export class SnapshotEncoder {
  /** The entities of recent snapshots by tick: the possible baselines. One array per tick, shared by every client. */
  private readonly sent = new Map<number, EntityState[]>();
  private newest: { tick: number; serverTimeMs: number; entities: EntityState[] } | null = null;

  constructor(private readonly metrics: Metrics) {}

  /** Keeps a tick's state as a possible baseline (the newest BASELINE_HISTORY of them). */
  remember(tick: number, serverTimeMs: number, entities: EntityState[]): void {
    this.newest = { tick, serverTimeMs, entities };
    this.sent.set(tick, entities);
    while (this.sent.size > BASELINE_HISTORY) this.sent.delete(this.sent.keys().next().value!);
  }

  /** The newest remembered state, for a client that needs one right now. */
  latest(): { tick: number; serverTimeMs: number; entities: EntityState[] } | null {
    return this.newest;
  }

  /**
   * A delta against the newest snapshot the client acknowledged, if we still
   * have it and it is recent; otherwise a full snapshot. (The stream is
   * reliable and carries full snapshots: it is the comparison, not the
   * bandwidth path.)
   */
  forDatagram(snapshot: Snapshot, ackedTick: number): Uint8Array {
    const baseline = this.sent.get(ackedTick);
    if (baseline && snapshot.tick - ackedTick <= MAX_BASELINE_AGE_TICKS) {
      this.metrics.snapshotSent('delta');
      return encodeDeltaSnapshot(snapshot, ackedTick, baseline);
    }
    this.metrics.snapshotSent('full');
    return encodeSnapshot(snapshot);
  }
}
