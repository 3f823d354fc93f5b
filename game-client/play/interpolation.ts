// Entity interpolation: remote entities are drawn a little in the past,
// between the two buffered snapshots around that moment, so they move
// smoothly although updates arrive 30 times a second, late, out of order
// or not at all. A lost snapshot only widens the gap being blended.
import { INTERPOLATION_BUFFER_SNAPSHOTS } from '../../protocol/constants.ts';
import type { EntityState, Snapshot } from '../../protocol/wire/snapshot.ts';

interface BufferedSnapshot {
  tick: number;
  serverTimeMs: number;
  entities: Map<number, EntityState>;
}

export class SnapshotBuffer {
  private snapshots: BufferedSnapshot[] = [];

  get size(): number {
    return this.snapshots.length;
  }

  /** Inserts in tick order; a late (reordered) snapshot still fills its gap, a duplicate is ignored. */
  insert(snapshot: Snapshot): void {
    const entry: BufferedSnapshot = {
      tick: snapshot.tick,
      serverTimeMs: snapshot.serverTimeMs,
      entities: new Map(snapshot.entities.map((e) => [e.id, e])),
    };
    let at = this.snapshots.length;
    while (at > 0 && this.snapshots[at - 1]!.tick > entry.tick) at--;
    if (this.snapshots[at - 1]?.tick === entry.tick) return;
    this.snapshots.splice(at, 0, entry);
    if (this.snapshots.length > INTERPOLATION_BUFFER_SNAPSHOTS) this.snapshots.shift();
  }

  /** Entities as of the newest snapshot, no blending (interpolation off). */
  newest(): EntityState[] {
    return [...(this.snapshots.at(-1)?.entities.values() ?? [])];
  }

  /**
   * Entities at server time `renderTimeMs`, blended between the snapshots
   * either side. Past the newest snapshot they hold still (no guessing);
   * an entity in only the later snapshot appears, one only in the earlier
   * has gone (a coin taken, a player left).
   */
  sample(renderTimeMs: number): EntityState[] {
    const snapshots = this.snapshots;
    if (snapshots.length === 0) return [];
    if (renderTimeMs <= snapshots[0]!.serverTimeMs) return [...snapshots[0]!.entities.values()];
    const after = snapshots.findIndex((buffered) => buffered.serverTimeMs >= renderTimeMs);
    if (after === -1) return this.newest();
    const from = snapshots[after - 1]!;
    const to = snapshots[after]!;
    const span = to.serverTimeMs - from.serverTimeMs;
    const t = span > 0 ? (renderTimeMs - from.serverTimeMs) / span : 1;
    const result: EntityState[] = [];
    for (const next of to.entities.values()) {
      const previous = from.entities.get(next.id);
      result.push(previous ? { ...next, x: previous.x + (next.x - previous.x) * t, y: previous.y + (next.y - previous.y) * t } : next);
    }
    return result;
  }

  /** Forgets every buffered snapshot (e.g. a different server: its ticks mean nothing here). */
  clear(): void {
    this.snapshots = [];
  }
}
