// The fixed, seeded trace every codec encodes: N entities in the arena,
// about a third of them moving, 10 s of snapshots at 30 Hz, 5 % of them lost
// on the way. A coin is taken and another appears every second, so codecs
// also carry removed and new entities.
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  ENTITY_KIND_COIN,
  ENTITY_KIND_NPC,
  ENTITY_KIND_PLAYER,
  PLAYER_RADIUS_PX,
  PLAYER_SPEED_PX_PER_S,
} from '../../protocol/constants.ts';
import { seededRandom } from '../../protocol/sim/random.ts';
import { stepWanderer } from '../../protocol/sim/sim.ts';
import type { EntityKind, EntityState } from '../../protocol/wire/snapshot.ts';

/** One moment of the trace: the world as one snapshot carries it, and whether that snapshot is lost. */
export interface TraceStep {
  tick: number;
  serverTimeMs: number;
  entities: EntityState[];
  /** This snapshot never reaches the client. */
  lost: boolean;
}

export interface TraceOptions {
  entityCount: number;
  seconds: number;
  snapshotRateHz: number;
  tickRateHz: number;
  movingShare: number;
  lossShare: number;
  seed: number;
}

export const DEFAULT_TRACE: Omit<TraceOptions, 'entityCount'> = {
  seconds: 10,
  snapshotRateHz: 30,
  tickRateHz: 60,
  movingShare: 1 / 3,
  lossShare: 0.05,
  seed: 2026,
};

export function buildTrace(options: TraceOptions): TraceStep[] {
  const random = seededRandom(options.seed);
  const spot = () => ({
    x: PLAYER_RADIUS_PX + random() * (ARENA_WIDTH_PX - 2 * PLAYER_RADIUS_PX),
    y: PLAYER_RADIUS_PX + random() * (ARENA_HEIGHT_PX - 2 * PLAYER_RADIUS_PX),
  });
  const kindFor = (i: number): EntityKind =>
    i < options.entityCount / 4 ? ENTITY_KIND_PLAYER : i < (3 * options.entityCount) / 4 ? ENTITY_KIND_NPC : ENTITY_KIND_COIN;
  const entities = Array.from({ length: options.entityCount }, (_, i) => ({
    id: i + 1,
    kind: kindFor(i),
    ...spot(),
    heading: random() * 2 * Math.PI,
    speed: PLAYER_SPEED_PX_PER_S * (0.5 + random() / 2),
    moving: false,
  }));
  // Coins never move; the moving third is drawn from players and NPCs.
  const movable = entities.filter((e) => e.kind !== ENTITY_KIND_COIN);
  const movingCount = Math.round(options.entityCount * options.movingShare);
  for (let i = 0; i < movingCount && movable.length > 0; i++) movable.splice(Math.floor(random() * movable.length), 1)[0]!.moving = true;
  let nextId = options.entityCount + 1;

  const steps: TraceStep[] = [];
  const ticksPerSnapshot = options.tickRateHz / options.snapshotRateHz;
  const dtMs = 1000 / options.snapshotRateHz;
  for (let i = 0; i < options.seconds * options.snapshotRateHz; i++) {
    for (const e of entities) {
      if (!e.moving) continue;
      if (random() < 0.05) e.heading += (random() - 0.5) * Math.PI;
      const next = stepWanderer(e, e.heading, e.speed, PLAYER_RADIUS_PX, dtMs);
      Object.assign(e, next.position, { heading: next.heading });
    }
    if (i > 0 && i % options.snapshotRateHz === 0) {
      const coins = entities.filter((e) => e.kind === ENTITY_KIND_COIN);
      const taken = coins[Math.floor(random() * coins.length)];
      if (taken) Object.assign(taken, { id: nextId++ }, spot());
    }
    steps.push({
      tick: (i + 1) * ticksPerSnapshot,
      serverTimeMs: Math.round((i + 1) * dtMs),
      // Frozen: a codec that writes into its input (one does) fails loudly instead of skewing the others.
      entities: entities.map(({ id, kind, x, y }) => Object.freeze({ id, kind, x, y })),
      lost: random() < options.lossShare,
    });
  }
  return steps;
}
