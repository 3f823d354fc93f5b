// Valid datagrams of every type, built with the protocol's own encoders: the
// seeds the fuzzer mutates. Deltas come with the baselines they refer to, as
// a client holds them (tick → decoded entities).
import {
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  INPUT_AXIS_MAX,
  INPUT_REDUNDANCY,
  MAX_BASELINE_AGE_TICKS,
  MAX_ENTITIES_PER_SNAPSHOT,
  MAX_ENTITY_ID,
  MAX_ENTITY_KIND,
  POSITION_SCALE,
} from '../../protocol/constants.ts';
import { encodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { encodeInputPacket } from '../../protocol/wire/input.ts';
import { encodePing } from '../../protocol/wire/ping.ts';
import { seededRandom } from '../../protocol/sim/random.ts';
import { encodeSnapshot, type EntityKind, type EntityState } from '../../protocol/wire/snapshot.ts';
import { below, between, chance, coinFlip, pick, type Random } from './fuzz-random.ts';

/** The corpus is the same whatever `--seed` says: the seed picks the mutations, not the seeds. */
const CORPUS_SEED = 0x5eed;
const U32_MAX = 0xffffffff;
const QUANTIZED_MAX = 0xffff;
/** Valid examples made per datagram type (deltas: per world, below). */
const EXAMPLES_PER_TYPE = 32;
/** Consecutive ticks simulated per delta world; deltas span up to MAX_BASELINE_AGE_TICKS of them. */
const WORLD_TICKS = 80;
/** Where delta worlds start: near 0 (age > tick is a rejection path), typical ticks, and just below u32 wrap-around. */
const EARLY_TICK = 1;
const TYPICAL_TICK = 1_000;
const LATE_TICK = 1_000_000;
/** How far an entity moves in one tick, in fixed-point steps: mostly a few, sometimes across the whole range. */
const SMALL_MOVE_STEPS = 16;
/** Chances per entity per tick in a delta world. */
const MOVE_CHANCE = 0.5;
const REMOVE_CHANCE = 0.02;
const ADD_CHANCE = 0.02;
const KIND_CHANGE_CHANCE = 0.01;
const JUMP_CHANCE = 0.02;
/** Deltas encoded per world state. */
const DELTAS_PER_STATE = 2;
/**
 * Worlds this large (and snapshots) cost a decoder a hundred times a small
 * one's work: they get one delta every LARGE_WORLD_DELTA_INTERVAL_TICKS,
 * and two of the full snapshots, so they are tested without slowing the run.
 */
const LARGE_ENTITY_COUNT = 256;
const LARGE_WORLD_DELTA_INTERVAL_TICKS = 10;
const LARGE_SNAPSHOTS = 2;
/** Entity counts of the other full snapshots, at most. */
const MAX_SMALL_SNAPSHOT_ENTITIES = 40;
/** Entity counts of the delta worlds, up to the largest legal count. */
const ENTITY_COUNTS = [0, 1, 2, 3, 8, 16, 40, 100, LARGE_ENTITY_COUNT, MAX_ENTITIES_PER_SNAPSHOT];

export interface DatagramCorpus {
  inputs: Uint8Array[];
  snapshots: Uint8Array[];
  pings: Uint8Array[];
  deltas: Uint8Array[];
  /** The client's baselines, by tick: every world state a delta may refer to. */
  baselines: Map<number, readonly EntityState[]>;
}

const u32 = (random: Random) => pick(random, [0, 1, U32_MAX, below(random, U32_MAX + 1)]);
const axis = (random: Random) => pick(random, [-INPUT_AXIS_MAX, 0, INPUT_AXIS_MAX, between(random, -INPUT_AXIS_MAX, INPUT_AXIS_MAX)]);
const quantized = (random: Random) => pick(random, [0, QUANTIZED_MAX, below(random, QUANTIZED_MAX + 1)]);

/** An entity on the 1/POSITION_SCALE px grid, as a decoded state holds it. */
function entity(random: Random, id: number): EntityState {
  return { id, kind: below(random, MAX_ENTITY_KIND + 1) as EntityKind, x: quantized(random) / POSITION_SCALE, y: quantized(random) / POSITION_SCALE };
}

/** `count` entities with distinct ids, including the extremes 0 and MAX_ENTITY_ID. */
function entities(random: Random, count: number): EntityState[] {
  const ids = new Set<number>();
  if (count > 0) ids.add(coinFlip(random) ? 0 : MAX_ENTITY_ID);
  while (ids.size < count) ids.add(below(random, MAX_ENTITY_ID + 1));
  return [...ids].map((id) => entity(random, id));
}

function inputs(random: Random): Uint8Array[] {
  return Array.from({ length: EXAMPLES_PER_TYPE }, () => {
    const count = between(random, 1, INPUT_REDUNDANCY);
    return encodeInputPacket({
      seq: Math.max(count, u32(random)),
      ackTick: u32(random),
      inputs: Array.from({ length: count }, () => ({ moveX: axis(random), moveY: axis(random) })),
    });
  });
}

function snapshots(random: Random): Uint8Array[] {
  return Array.from({ length: EXAMPLES_PER_TYPE }, (_, i) =>
    encodeSnapshot({
      seq: u32(random),
      tick: u32(random),
      serverTimeMs: u32(random),
      ackInputSeq: u32(random),
      entities: entities(
        random,
        i < LARGE_SNAPSHOTS ? pick(random, [LARGE_ENTITY_COUNT, MAX_ENTITIES_PER_SNAPSHOT]) : between(random, 0, MAX_SMALL_SNAPSHOT_ENTITIES),
      ),
    }),
  );
}

function pings(random: Random): Uint8Array[] {
  return Array.from({ length: EXAMPLES_PER_TYPE }, (_, i) =>
    i % 2 === 0
      ? encodePing({ type: DATAGRAM_TYPE_PING, id: u32(random), clientTimeMs: u32(random) })
      : encodePing({ type: DATAGRAM_TYPE_PONG, id: u32(random), clientTimeMs: u32(random), serverTimeMs: u32(random) }),
  );
}

/** The next tick's state: some entities move (a few steps, or across the range), leave, arrive or change kind. */
function step(random: Random, state: readonly EntityState[]): EntityState[] {
  const next: EntityState[] = [];
  const ids = new Set(state.map((e) => e.id));
  const moveAxis = (v: number) => {
    const steps = chance(random, JUMP_CHANCE) ? between(random, -QUANTIZED_MAX, QUANTIZED_MAX) : between(random, -SMALL_MOVE_STEPS, SMALL_MOVE_STEPS);
    return Math.max(0, Math.min(QUANTIZED_MAX, v * POSITION_SCALE + steps)) / POSITION_SCALE;
  };
  for (const e of state) {
    if (chance(random, REMOVE_CHANCE)) continue;
    const kind = chance(random, KIND_CHANGE_CHANCE) ? (below(random, MAX_ENTITY_KIND + 1) as EntityKind) : e.kind;
    next.push(chance(random, MOVE_CHANCE) ? { id: e.id, kind, x: moveAxis(e.x), y: moveAxis(e.y) } : { ...e, kind });
  }
  if (next.length < MAX_ENTITIES_PER_SNAPSHOT && chance(random, ADD_CHANCE * Math.max(1, state.length))) {
    const id = below(random, MAX_ENTITY_ID + 1);
    if (!ids.has(id)) next.push(entity(random, id));
  }
  return next;
}

/** Each world its own ticks, so one tick → baseline map serves them all. */
function firstTickOf(world: number): number {
  const offset = world * WORLD_TICKS;
  const starts = [EARLY_TICK + offset, TYPICAL_TICK + offset, LATE_TICK + offset, U32_MAX - offset - WORLD_TICKS];
  return starts[world % starts.length]!;
}

/** Delta worlds: WORLD_TICKS consecutive states each, and deltas of later states against earlier ones. */
function deltas(random: Random, baselines: Map<number, readonly EntityState[]>): Uint8Array[] {
  const out: Uint8Array[] = [];
  ENTITY_COUNTS.forEach((count, world) => {
    const firstTick = firstTickOf(world);
    let state = entities(random, count);
    for (let t = 0; t < WORLD_TICKS; t++) {
      const tick = firstTick + t;
      baselines.set(tick, state);
      const deltasNow = count < LARGE_ENTITY_COUNT ? DELTAS_PER_STATE : Number(t % LARGE_WORLD_DELTA_INTERVAL_TICKS === 0);
      for (let d = 0; d < deltasNow && t > 0; d++) {
        const age = between(random, 1, Math.min(t, MAX_BASELINE_AGE_TICKS));
        const snapshot = { seq: u32(random), tick, serverTimeMs: u32(random), ackInputSeq: u32(random), entities: state };
        out.push(encodeDeltaSnapshot(snapshot, tick - age, baselines.get(tick - age)!));
      }
      state = step(random, state);
    }
  });
  return out;
}

/** Builds the corpus (deterministic: CORPUS_SEED). */
export function buildDatagramCorpus(): DatagramCorpus {
  const random = seededRandom(CORPUS_SEED);
  const baselines = new Map<number, readonly EntityState[]>();
  return { inputs: inputs(random), snapshots: snapshots(random), pings: pings(random), deltas: deltas(random, baselines), baselines };
}
