// Turns snapshot bytes from either channel into states: full snapshots as
// they are, deltas against a baseline kept here. Every decoded state is kept
// (the newest BASELINE_HISTORY), because the client acknowledges the newest
// tick it has, from whichever channel, and the server may send deltas
// against it.
import { BASELINE_HISTORY, DATAGRAM_TYPE_SNAPSHOT_DELTA, DROP_MISSING_BASELINE } from '../../protocol/constants.ts';
import { decodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { datagramType } from '../../protocol/wire/ping.ts';
import { decodeSnapshot, type EntityState, type Snapshot } from '../../protocol/wire/snapshot.ts';

export interface SnapshotCounts {
  full: number;
  delta: number;
  /** Deltas dropped because their baseline was no longer here (never corrupts the state). */
  baselineMisses: number;
}

export type IntakeResult = { ok: true; snapshot: Snapshot } | { ok: false; reason: 'malformed' | 'missing-baseline' };

export class SnapshotIntake {
  readonly counts = {
    datagram: { full: 0, delta: 0, baselineMisses: 0 } as SnapshotCounts,
    stream: { full: 0, delta: 0, baselineMisses: 0 } as SnapshotCounts,
  };
  private readonly baselines = new Map<number, readonly EntityState[]>();

  decode(bytes: Uint8Array, via: 'datagram' | 'stream'): IntakeResult {
    const counts = this.counts[via];
    const isDelta = datagramType(bytes) === DATAGRAM_TYPE_SNAPSHOT_DELTA;
    const result = isDelta ? decodeDeltaSnapshot(bytes, (tick) => this.baselines.get(tick)) : decodeSnapshot(bytes);
    if (!result.ok) {
      if (result.error !== DROP_MISSING_BASELINE) return { ok: false, reason: 'malformed' };
      counts.baselineMisses++;
      return { ok: false, reason: 'missing-baseline' };
    }
    counts[isDelta ? 'delta' : 'full']++;
    this.baselines.set(result.value.tick, result.value.entities);
    if (this.baselines.size > BASELINE_HISTORY) this.baselines.delete(Math.min(...this.baselines.keys())); // the oldest tick
    return { ok: true, snapshot: result.value };
  }
}
