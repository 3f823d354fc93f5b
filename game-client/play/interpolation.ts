// Entity interpolation: remote entities are drawn a little in the past,
// between the two buffered snapshots around that moment, so they move
// smoothly although updates arrive 30 times a second, late, out of order
// or not at all. A lost snapshot only widens the gap being blended.
import { INTERPOLATION_BUFFER_SNAPSHOTS } from '../../protocol/constants.ts';
import type { EntityState, Snapshot } from '../../protocol/wire/snapshot.ts';

interface Frame {
  tick: number;
  serverTimeMs: number;
  entities: Map<number, EntityState>;
}

export class SnapshotBuffer {
  private frames: Frame[] = [];

  get size(): number {
    return this.frames.length;
  }

  /** Newest tick buffered (0 if none). */
  get newestTick(): number {
    return this.frames.at(-1)?.tick ?? 0;
  }

  /** Inserts in tick order; a late (reordered) snapshot still fills its gap, a duplicate is ignored. */
  insert(snapshot: Snapshot): void {
    const frame: Frame = {
      tick: snapshot.tick,
      serverTimeMs: snapshot.serverTimeMs,
      entities: new Map(snapshot.entities.map((e) => [e.id, e])),
    };
    let at = this.frames.length;
    while (at > 0 && this.frames[at - 1]!.tick > frame.tick) at--;
    if (this.frames[at - 1]?.tick === frame.tick) return;
    this.frames.splice(at, 0, frame);
    if (this.frames.length > INTERPOLATION_BUFFER_SNAPSHOTS) this.frames.shift();
  }

  /** Entities as of the newest snapshot, no blending (interpolation off). */
  newest(): EntityState[] {
    return [...(this.frames.at(-1)?.entities.values() ?? [])];
  }

  /**
   * Entities at server time `renderTimeMs`, blended between the snapshots
   * either side. Past the newest snapshot they hold still (no guessing);
   * an entity in only the later snapshot appears, one only in the earlier
   * has gone (a coin taken, a player left).
   */
  sample(renderTimeMs: number): EntityState[] {
    const frames = this.frames;
    if (frames.length === 0) return [];
    if (renderTimeMs <= frames[0]!.serverTimeMs) return [...frames[0]!.entities.values()];
    const after = frames.findIndex((f) => f.serverTimeMs >= renderTimeMs);
    if (after === -1) return this.newest();
    const from = frames[after - 1]!;
    const to = frames[after]!;
    const span = to.serverTimeMs - from.serverTimeMs;
    const t = span > 0 ? (renderTimeMs - from.serverTimeMs) / span : 1;
    const result: EntityState[] = [];
    for (const next of to.entities.values()) {
      const previous = from.entities.get(next.id);
      result.push(
        previous
          ? { ...next, x: previous.x + (next.x - previous.x) * t, y: previous.y + (next.y - previous.y) * t }
          : next,
      );
    }
    return result;
  }

  /** How far behind `serverNowMs` the newest snapshot is (how starved the buffer is). */
  newestAgeMs(serverNowMs: number): number {
    const newest = this.frames.at(-1);
    return newest ? serverNowMs - newest.serverTimeMs : Infinity;
  }

  /** Forgets every buffered snapshot (e.g. a different server: its ticks mean nothing here). */
  clear(): void {
    this.frames = [];
  }
}
