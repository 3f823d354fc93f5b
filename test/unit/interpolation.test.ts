// The snapshot buffer behind entity interpolation: snapshots kept in tick
// order (a late one fills its gap, a duplicate is ignored, the size is
// bounded), and sample() blending linearly between the two snapshots around
// the render time, holding still past the newest one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INTERPOLATION_BUFFER_SNAPSHOTS, ENTITY_KIND_COIN, ENTITY_KIND_NPC, ENTITY_KIND_PLAYER } from '../../protocol/constants.ts';
import type { EntityState, Snapshot } from '../../protocol/wire/snapshot.ts';
import { SnapshotBuffer } from '../../game-client/play/interpolation.ts';

/** How many snapshots the buffer keeps (INTERPOLATION_BUFFER_SNAPSHOTS). */
const MAX_SNAPSHOTS = INTERPOLATION_BUFFER_SNAPSHOTS;
/** Server time between ticks in these tests; a round number keeps the blends exact. */
const TICK_MS = 40;

const player = (x: number, y: number, id = 1): EntityState => ({ id, kind: ENTITY_KIND_PLAYER, x, y });

/** A snapshot of `tick`, taken at tick × TICK_MS on the server clock. */
const snap = (tick: number, ...entities: EntityState[]): Snapshot => ({
  seq: tick,
  tick,
  serverTimeMs: tick * TICK_MS,
  ackInputSeq: 0,
  entities,
});

const timeOf = (tick: number) => tick * TICK_MS;

function bufferOf(...snapshots: Snapshot[]): SnapshotBuffer {
  const buffer = new SnapshotBuffer();
  for (const snapshot of snapshots) buffer.insert(snapshot);
  return buffer;
}

/** The one entity `id` in a sample (fails the test if it is missing). */
function entityIn(entities: EntityState[], id = 1): EntityState {
  const entity = entities.find((e) => e.id === id);
  if (!entity) throw new Error(`entity ${id} is not in ${JSON.stringify(entities)}`);
  return entity;
}

describe('SnapshotBuffer when empty', () => {
  it('has nothing to show', () => {
    const buffer = new SnapshotBuffer();
    expect(buffer.size).toBe(0);
    expect(buffer.sample(1000)).toEqual([]);
    expect(buffer.newest()).toEqual([]);
  });
});

describe('SnapshotBuffer.insert', () => {
  it('keeps the newest tick as newest when an older snapshot arrives late', () => {
    const buffer = bufferOf(snap(1, player(100, 0)), snap(3, player(300, 0)), snap(2, player(200, 0)));
    expect(buffer.size).toBe(3);
    expect(entityIn(buffer.newest()).x).toBe(300); // tick 3's position
    expect(entityIn(buffer.sample(timeOf(10))).x).toBe(300); // and past the newest, it holds tick 3
  });

  it('lets a late (reordered) snapshot fill its gap', () => {
    // Tick 2 is off the straight line from tick 1 to tick 3, so the sample
    // at tick 2's time shows whether it was used.
    const withoutLate = bufferOf(snap(1, player(100, 0)), snap(3, player(300, 0)));
    expect(entityIn(withoutLate.sample(timeOf(2))).x).toBe(200);

    const withLate = bufferOf(snap(1, player(100, 0)), snap(3, player(300, 0)), snap(2, player(400, 0)));
    expect(entityIn(withLate.sample(timeOf(2))).x).toBe(400);
    expect(entityIn(withLate.sample(timeOf(1.5))).x).toBe(250); // between ticks 1 and 2
    expect(entityIn(withLate.sample(timeOf(2.5))).x).toBe(350); // between ticks 2 and 3
  });

  it('ignores a duplicate tick, keeping the first copy', () => {
    const buffer = bufferOf(snap(1, player(100, 0)), snap(2, player(200, 0)), snap(2, player(999, 0)));
    expect(buffer.size).toBe(2);
    expect(entityIn(buffer.newest()).x).toBe(200);
  });

  it('ignores a duplicate of an older tick that arrives late', () => {
    const buffer = bufferOf(snap(1, player(100, 0)), snap(2, player(200, 0)), snap(3, player(300, 0)), snap(1, player(999, 0)));
    expect(buffer.size).toBe(3);
    expect(entityIn(buffer.sample(timeOf(1))).x).toBe(100);
  });

  it(`keeps at most ${MAX_SNAPSHOTS} snapshots, dropping the oldest`, () => {
    const buffer = new SnapshotBuffer();
    for (let tick = 1; tick <= 100; tick++) buffer.insert(snap(tick, player(tick, 0)));
    expect(buffer.size).toBe(MAX_SNAPSHOTS);
    expect(entityIn(buffer.newest()).x).toBe(100); // tick 100 is the newest
    // The oldest left is tick 37: a render time before it shows tick 37.
    expect(entityIn(buffer.sample(0)).x).toBe(100 - MAX_SNAPSHOTS + 1);
  });

  it('does not let a snapshot older than a full buffer push out a newer one', () => {
    const buffer = new SnapshotBuffer();
    for (let tick = 101; tick <= 100 + MAX_SNAPSHOTS; tick++) buffer.insert(snap(tick, player(tick, 0)));
    buffer.insert(snap(50, player(50, 0)));
    expect(buffer.size).toBe(MAX_SNAPSHOTS);
    expect(entityIn(buffer.sample(0)).x).toBe(101);
  });

  it('gives the same samples whatever order the snapshots arrive in', () => {
    const inOrder = Array.from({ length: 12 }, (_, i) => snap(i + 1, player(100 + 37 * ((i * 7) % 12), 10 * i)));
    const reference = bufferOf(...inOrder);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(inOrder, { minLength: inOrder.length, maxLength: inOrder.length }),
        fc.double({ min: 0, max: timeOf(14), noNaN: true }),
        (arrival, renderTimeMs) => {
          expect(bufferOf(...arrival).sample(renderTimeMs)).toEqual(reference.sample(renderTimeMs));
        },
      ),
    );
  });
});

describe('SnapshotBuffer.sample', () => {
  const buffer = bufferOf(snap(1, player(100, 40)), snap(2, player(200, 20)));

  it('blends linearly: exactly halfway at the midpoint', () => {
    expect(buffer.sample(timeOf(1.5))).toEqual([player(150, 30)]);
  });

  it('blends linearly: a quarter of the way a quarter into the interval', () => {
    expect(buffer.sample(timeOf(1.25))).toEqual([player(125, 35)]);
  });

  it("shows a snapshot's own positions at its exact time", () => {
    expect(buffer.sample(timeOf(1))).toEqual([player(100, 40)]);
    expect(buffer.sample(timeOf(2))).toEqual([player(200, 20)]);
  });

  it('holds the newest positions past the newest snapshot instead of extrapolating', () => {
    // Moving +100 px per tick, the entity would be at 300 one tick later; it stays at 200.
    expect(buffer.sample(timeOf(3))).toEqual([player(200, 20)]);
    expect(buffer.sample(timeOf(100))).toEqual([player(200, 20)]);
  });

  it('shows the oldest snapshot for a render time before it', () => {
    expect(buffer.sample(timeOf(0))).toEqual([player(100, 40)]);
  });

  it('blends across a lost snapshot, over the wider gap', () => {
    const withLoss = bufferOf(snap(1, player(100, 0)), snap(3, player(300, 0)));
    expect(entityIn(withLoss.sample(timeOf(2))).x).toBe(200);
    expect(entityIn(withLoss.sample(timeOf(2.5))).x).toBe(250);
  });

  it('shows an entity that is only in the later snapshot at its position there', () => {
    const coin: EntityState = { id: 9, kind: ENTITY_KIND_COIN, x: 500, y: 500 };
    const spawned = bufferOf(snap(1, player(100, 0)), snap(2, player(200, 0), coin));
    expect(entityIn(spawned.sample(timeOf(1.5)), 9)).toEqual(coin);
  });

  it('leaves out an entity that is only in the earlier snapshot (a coin taken, a player gone)', () => {
    const coin: EntityState = { id: 9, kind: ENTITY_KIND_COIN, x: 500, y: 500 };
    const taken = bufferOf(snap(1, player(100, 0), coin), snap(2, player(200, 0)));
    expect(taken.sample(timeOf(1.5)).map((e) => e.id)).toEqual([1]);
  });

  it('keeps each entity its id and kind while blending', () => {
    const npc = (x: number): EntityState => ({ id: 0xf000, kind: ENTITY_KIND_NPC, x, y: 0 });
    const mixed = bufferOf(snap(1, player(0, 0), npc(10)), snap(2, player(10, 0), npc(20)));
    expect(mixed.sample(timeOf(1.5))).toEqual([player(5, 0), npc(15)]);
  });
});

describe('SnapshotBuffer.newest', () => {
  it('gives the newest snapshot as is, without blending', () => {
    const buffer = bufferOf(snap(1, player(100, 0)), snap(2, player(200, 0), player(50, 60, 2)));
    expect(buffer.newest()).toEqual([player(200, 0), player(50, 60, 2)]);
  });
});

describe('SnapshotBuffer.clear', () => {
  it('forgets every snapshot', () => {
    const buffer = bufferOf(snap(1, player(100, 0)), snap(2, player(200, 0)));
    buffer.clear();
    expect(buffer.size).toBe(0);
    expect(buffer.sample(timeOf(1.5))).toEqual([]);
    expect(buffer.newest()).toEqual([]);
  });

  it('accepts snapshots again afterwards, including ticks it held before', () => {
    const buffer = bufferOf(snap(1, player(100, 0)));
    buffer.clear();
    buffer.insert(snap(1, player(111, 0)));
    expect(buffer.newest()).toEqual([player(111, 0)]);
  });
});
