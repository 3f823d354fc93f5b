// The one place snapshots come in, from either channel: bytes become a
// state (full snapshots as they are, deltas against a baseline kept here),
// the channel's meter accounts for it (a duplicate or stale one goes no
// further), its age is read on the estimated server clock, and its tick
// becomes the acknowledgement the next input packet carries. Every decoded
// state is kept (the newest BASELINE_HISTORY) because the client
// acknowledges the newest tick it has, from whichever channel, and the
// server may send deltas against it. It lives in net/ (the network's end of
// a snapshot, and what the acknowledgement comes from), yet is pure: the
// clock is passed in.
import { BASELINE_HISTORY, DATAGRAM_TYPE_SNAPSHOT_DELTA, DROP_MISSING_BASELINE } from '../../protocol/constants.ts';
import { failed, ok, type Result } from '../../protocol/result.ts';
import type { ClockSync } from '../../protocol/netsim/clock-sync.ts';
import type { ChannelMeter } from '../../protocol/netsim/stats.ts';
import { decodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { datagramType } from '../../protocol/wire/ping.ts';
import { decodeSnapshot, type EntityState, type Snapshot } from '../../protocol/wire/snapshot.ts';
import type { ChannelName } from './channels.ts';

export interface SnapshotCounts {
  full: number;
  delta: number;
  /** Deltas dropped because their baseline was no longer here (never corrupts the state). */
  baselineMisses: number;
}

/** A snapshot taken in, with its age when it arrived (null before the clocks are synced); or why not. */
export type IntakeResult = Result<{ snapshot: Snapshot; ageMs: number | null }, IntakeRefusal>;
/** Why a snapshot went no further: undecodable, its delta's baseline gone, or a duplicate / too old. */
export type IntakeRefusal = 'malformed' | 'missing-baseline' | 'stale';

export class SnapshotIntake {
  readonly counts: Record<ChannelName, SnapshotCounts> = {
    datagram: { full: 0, delta: 0, baselineMisses: 0 },
    stream: { full: 0, delta: 0, baselineMisses: 0 },
  };
  /**
   * Newest snapshot tick taken in on any channel; acknowledged in every input
   * packet. Stream snapshots count too: every decoded state is kept as a
   * possible baseline, whichever channel brought it.
   */
  newestTick = 0;
  private readonly baselines = new Map<number, readonly EntityState[]>();

  /** Takes in one snapshot that arrived on `via` at `nowMs`, measured by that channel's `meter`. */
  take(bytes: Uint8Array, via: ChannelName, nowMs: number, meter: ChannelMeter, clock: ClockSync): IntakeResult {
    const decoded = this.decode(bytes, via);
    if (!decoded.ok) return decoded;
    const snapshot = decoded.value;
    // A duplicate, or older than anything the meter still accounts for.
    if (!meter.recordUpdate(snapshot.seq, nowMs, bytes.byteLength)) return failed('stale');
    const ageMs = clock.synced ? clock.serverNow(nowMs) - snapshot.serverTimeMs : null;
    if (ageMs !== null) meter.recordAge(ageMs, snapshot.seq);
    this.newestTick = Math.max(this.newestTick, snapshot.tick);
    return ok({ snapshot, ageMs });
  }

  private decode(bytes: Uint8Array, via: ChannelName): Result<Snapshot, IntakeRefusal> {
    const counts = this.counts[via];
    const isDelta = datagramType(bytes) === DATAGRAM_TYPE_SNAPSHOT_DELTA;
    const result = isDelta ? decodeDeltaSnapshot(bytes, (tick) => this.baselines.get(tick)) : decodeSnapshot(bytes);
    if (!result.ok) {
      if (result.error !== DROP_MISSING_BASELINE) return failed('malformed');
      counts.baselineMisses++;
      return failed('missing-baseline');
    }
    counts[isDelta ? 'delta' : 'full']++;
    this.baselines.set(result.value.tick, result.value.entities);
    if (this.baselines.size > BASELINE_HISTORY) this.baselines.delete(this.oldestBaselineTick());
    return ok(result.value);
  }

  /** The oldest tick kept, found without copying the keys (Math.min(...keys) made an array of 64 per snapshot). */
  private oldestBaselineTick(): number {
    let oldest = Infinity;
    for (const tick of this.baselines.keys()) if (tick < oldest) oldest = tick;
    return oldest;
  }
}
