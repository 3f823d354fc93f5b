// The delta snapshot: against a baseline the client holds, it must rebuild
// exactly the state the full snapshot would have given; it must be small when
// little changed; and its decoder must reject every malformed packet with a
// code, one test per path, and never throw on random bytes.
//
// (That the full snapshot keeps positions within POSITION_PRECISION_PX is
// proved in snapshot.test.ts; here the full codec is the reference.)
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { BitReader, BitWriter, toUnsigned } from '../../protocol/wire/bits.ts';
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  DATAGRAM_TYPE_SNAPSHOT,
  DATAGRAM_TYPE_SNAPSHOT_DELTA,
  DELTA_HEADER_BYTES,
  DROP_BAD_COUNT,
  DROP_BAD_VALUE,
  DROP_MISSING_BASELINE,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  ENTITY_KIND_COIN,
  ENTITY_KIND_NPC,
  ENTITY_KIND_PLAYER,
  MAX_BASELINE_AGE_TICKS,
  MAX_ENTITIES_PER_SNAPSHOT,
  MAX_ENTITY_ID,
  MAX_ENTITY_KIND,
  POSITION_SCALE,
  SNAPSHOT_ENTITY_BYTES,
  SNAPSHOT_HEADER_BYTES,
  DELTA_WIDTH_FIELD_BITS,
} from '../../protocol/constants.ts';
import type { Result } from '../../protocol/result.ts';
import { decodeDeltaSnapshot, deltaBaselineTick, encodeDeltaSnapshot, type DeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { decodeSnapshot, encodeSnapshot, type EntityKind, type EntityState, type Snapshot } from '../../protocol/wire/snapshot.ts';

const DECODER_ERRORS = [DROP_TOO_SHORT, DROP_TOO_LONG, DROP_UNKNOWN_TYPE, DROP_BAD_COUNT, DROP_BAD_VALUE, DROP_MISSING_BASELINE];

type Header = Omit<Snapshot, 'entities'>;
const header: Header = { seq: 7, tick: 1000, serverTimeMs: 123_456_789, ackInputSeq: 99 };
const AGE = 3;
const BASELINE_TICK = header.tick - AGE;

// ── Helpers ──────────────────────────────────────────────────────────────────

/** The full codec's view of `entities`: what a client holds after a full snapshot (positions on the 1/8 px grid). */
function fullCodec(entities: EntityState[], h: Header = header): EntityState[] {
  const result = decodeSnapshot(encodeSnapshot({ ...h, entities }));
  if (!result.ok) throw new Error(`full snapshot rejected: ${result.error}`);
  return result.value.entities;
}

const sortedById = (entities: readonly EntityState[]) => [...entities].sort((a, b) => a.id - b.id);

/** Decodes a delta for a client that holds exactly one baseline, that of `baselineTick`. */
function decodeAgainst(bytes: Uint8Array, baselineTick: number, baseline: readonly EntityState[]) {
  return decodeDeltaSnapshot(bytes, (tick) => (tick === baselineTick ? baseline : undefined));
}

/** The decoded delta has `now`'s header and baseline tick, and exactly the entities the full codec gives for `now`. */
function expectSameAsFull(result: Result<DeltaSnapshot>, now: Snapshot, baselineTick: number) {
  if (!result.ok) throw new Error(`rejected its own delta: ${result.error}`);
  const { entities, ...decodedHeader } = result.value;
  const { entities: sent, ...sentHeader } = now;
  expect(decodedHeader).toEqual({ ...sentHeader, baselineTick });
  expect(sortedById(entities)).toEqual(sortedById(fullCodec(sent)));
}

/** Copies `bytes` into the middle of a bigger buffer full of junk, the way a Node Buffer sits in its pool. */
function pooled(bytes: Uint8Array): Uint8Array {
  const pool = new Uint8Array(bytes.byteLength + 100).fill(0xee);
  pool.set(bytes, 43);
  return pool.subarray(43, 43 + bytes.byteLength);
}

/** `count` entities with ids 1..count at distinct positions on the 1/8 px grid. */
function grid(count: number): EntityState[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    kind: ENTITY_KIND_NPC as EntityKind,
    x: (i % 100) * 10,
    y: 50 + Math.floor(i / 100) * 5,
  }));
}

// ── Hand-written packets, following the layout in delta-snapshot.ts ─────────

/** A delta header (type, seq, tick, baselineAge, serverTimeMs, ackInputSeq) followed by `body`. */
function packet(body: Uint8Array, { tick = header.tick, age = AGE } = {}): Uint8Array {
  const bytes = new Uint8Array(DELTA_HEADER_BYTES + body.byteLength);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, DATAGRAM_TYPE_SNAPSHOT_DELTA);
  view.setUint32(1, header.seq);
  view.setUint32(5, tick);
  view.setUint8(9, age);
  view.setUint32(10, header.serverTimeMs);
  view.setUint32(14, header.ackInputSeq);
  bytes.set(body, DELTA_HEADER_BYTES);
  return bytes;
}

/** A delta whose bit-packed body is written by `write`. */
function forge(write: (bits: BitWriter) => void, options: { tick?: number; age?: number } = {}): Uint8Array {
  const bits = new BitWriter();
  write(bits);
  return packet(bits.finish(), options);
}

/** gamma(count + 1), then for each id gamma(id − previous id, the first from −1) and that entry's fields. */
function idList<T extends { id: number }>(bits: BitWriter, items: T[], fields: (item: T) => void = () => {}) {
  bits.writeGamma(items.length + 1);
  let previous = -1;
  for (const item of items) {
    bits.writeGamma(item.id - previous);
    previous = item.id;
    fields(item);
  }
}

/** removed: gamma(count + 1), then per entity gamma(id gap). */
function removedList(bits: BitWriter, ids: number[]) {
  idList(
    bits,
    ids.map((id) => ({ id })),
  );
}

/** added: gamma(count + 1), then per entity gamma(id gap), kind (2 bits), x (16), y (16), in 1/8 px steps. */
function addedList(bits: BitWriter, added: { id: number; kind: number; qx: number; qy: number }[]) {
  idList(bits, added, (e) => {
    bits.write(e.kind, 2);
    bits.write(e.qx, 16);
    bits.write(e.qy, 16);
  });
}

/** moved: gamma(count + 1), width − 1 (DELTA_WIDTH_FIELD_BITS), then per entity gamma(id gap), dx and dy (width bits each, two's complement). */
function movedList(bits: BitWriter, width: number, moved: { id: number; dx: number; dy: number }[]) {
  bits.writeGamma(moved.length + 1);
  bits.write(width - 1, DELTA_WIDTH_FIELD_BITS);
  let previous = -1;
  for (const e of moved) {
    bits.writeGamma(e.id - previous);
    previous = e.id;
    bits.write(toUnsigned(e.dx, width), width);
    bits.write(toUnsigned(e.dy, width), width);
  }
}

interface Lists {
  removed?: number[];
  added?: { id: number; kind: number; qx: number; qy: number }[];
  width?: number;
  moved?: { id: number; dx: number; dy: number }[];
}

/** A body of the three lists in order; a list left out is empty. */
function body({ removed = [], added = [], width = 1, moved = [] }: Lists) {
  return (bits: BitWriter) => {
    removedList(bits, removed);
    addedList(bits, added);
    movedList(bits, width, moved);
  };
}

/**
 * The client's baseline for the hand-written packets: ids 10, 20, 30, at
 * (800, 400), (1600, 480) and (2400, 560) in 1/8 px steps. Frozen, so any
 * attempt by the decoder to change it throws.
 */
const baseline: readonly EntityState[] = Object.freeze(
  fullCodec([
    { id: 10, kind: ENTITY_KIND_PLAYER, x: 100, y: 50 },
    { id: 20, kind: ENTITY_KIND_NPC, x: 200, y: 60 },
    { id: 30, kind: ENTITY_KIND_COIN, x: 300, y: 70 },
  ]).map((e) => Object.freeze(e)),
);
const entity = (id: number) => baseline.find((e) => e.id === id)!;

/** A valid body against `baseline`: removes 30, adds NPC 40 at (8, 16) steps, moves 10 by (+3, −2) steps. */
const validBody = body({
  removed: [30],
  added: [{ id: 40, kind: ENTITY_KIND_NPC, qx: 8, qy: 16 }],
  width: 3, // ±3 needs 3 bits
  moved: [{ id: 10, dx: 3, dy: -2 }],
});

/** The state `validBody` describes, as the server would hold it. */
const validState: Snapshot = {
  ...header,
  entities: [
    { id: 40, kind: ENTITY_KIND_NPC, x: 1, y: 2 },
    { id: 10, kind: ENTITY_KIND_PLAYER, x: 100 + 3 / POSITION_SCALE, y: 50 - 2 / POSITION_SCALE },
    { id: 20, kind: ENTITY_KIND_NPC, x: 200, y: 60 },
  ],
};

function expectRejected(bytes: Uint8Array, error: string, against: readonly EntityState[] = baseline) {
  expect(decodeAgainst(bytes, BASELINE_TICK, against)).toEqual({ ok: false, error });
}

// ── Random states and changes ────────────────────────────────────────────────

const kindArb = fc.constantFrom<EntityKind>(ENTITY_KIND_PLAYER, ENTITY_KIND_NPC, ENTITY_KIND_COIN);
/** Anywhere in 0..max px: arbitrary doubles, the edges, and points exactly on the 1/8 px grid. */
const coordinate = (max: number) =>
  fc.oneof(
    fc.double({ min: 0, max, noNaN: true }),
    fc.constantFrom(0, max),
    fc.integer({ min: 0, max: max * POSITION_SCALE }).map((q) => q / POSITION_SCALE),
  );
const entityArb = fc.record({
  id: fc.integer({ min: 1, max: MAX_ENTITY_ID }),
  kind: kindArb,
  x: coordinate(ARENA_WIDTH_PX),
  y: coordinate(ARENA_HEIGHT_PX),
});
const stateArb = (maxLength: number) => fc.uniqueArray(entityArb, { selector: (e) => e.id, maxLength });

type Change =
  | { type: 'keep' }
  | { type: 'remove' }
  | { type: 'kind'; kind: EntityKind }
  | { type: 'nudge'; dx: number; dy: number }
  | { type: 'teleport'; x: number; y: number };

/** A step of a few pixels, or a jitter smaller than one 1/8 px step (which may not change the wire value at all). */
const nudge = fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -0.1, max: 0.1, noNaN: true }));
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  { arbitrary: fc.constant({ type: 'keep' as const }), weight: 4 },
  { arbitrary: fc.constant({ type: 'remove' as const }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('kind' as const), kind: kindArb }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('nudge' as const), dx: nudge, dy: nudge }), weight: 3 },
  // Anywhere in the arena: up to corner to corner, the largest move there is.
  {
    arbitrary: fc.record({ type: fc.constant('teleport' as const), x: coordinate(ARENA_WIDTH_PX), y: coordinate(ARENA_HEIGHT_PX) }),
    weight: 1,
  },
);

const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));

/** The next state: entity i of `state` undergoes `changes[i]` (or stays), then `added` join unless their id is still present. */
function evolve(state: readonly EntityState[], changes: readonly Change[], added: readonly EntityState[]): EntityState[] {
  const next: EntityState[] = [];
  state.forEach((e, i) => {
    const change: Change = changes[i] ?? { type: 'keep' };
    switch (change.type) {
      case 'keep':
        next.push({ ...e }); // a fresh object, as the server builds each tick
        break;
      case 'remove':
        break;
      case 'kind':
        next.push({ ...e, kind: change.kind });
        break;
      case 'nudge':
        next.push({ ...e, x: clamp(e.x + change.dx, ARENA_WIDTH_PX), y: clamp(e.y + change.dy, ARENA_HEIGHT_PX) });
        break;
      case 'teleport':
        next.push({ ...e, x: change.x, y: change.y });
        break;
    }
  });
  const present = new Set(next.map((e) => e.id));
  for (const e of added) if (!present.has(e.id)) next.push({ ...e }); // an id removed above may come back as new
  return next;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** A tick and a legal baseline age (1..MAX_BASELINE_AGE_TICKS, never past tick 0). */
const tickAndAge = fc.integer({ min: 1, max: MAX_BASELINE_AGE_TICKS }).chain((age) => fc.tuple(fc.integer({ min: age, max: 0xffffffff }), fc.constant(age)));
const headerArb = fc.record({ seq: u32, tickAndAge, serverTimeMs: u32, ackInputSeq: u32 });
/** A baseline of up to 200 entities, changes to any of them, and up to 100 additions. */
const caseArb = fc.record({
  header: headerArb,
  before: stateArb(200),
  changes: fc.array(changeArb, { maxLength: 200 }),
  added: stateArb(100),
});
type DeltaCase = typeof caseArb extends fc.Arbitrary<infer S> ? S : never;

/** The case's current snapshot and baseline tick. */
function current({ header: h, before, changes, added }: DeltaCase): { now: Snapshot; baselineTick: number } {
  const [tick, age] = h.tickAndAge;
  const now = { seq: h.seq, tick, serverTimeMs: h.serverTimeMs, ackInputSeq: h.ackInputSeq, entities: evolve(before, changes, added) };
  return { now, baselineTick: tick - age };
}

// ── Tests ────────────────────────────────────────────────────────────────────

describe('encodeDeltaSnapshot / decodeDeltaSnapshot', () => {
  it('reconstructs exactly what the full snapshot gives, for any baseline and any changes', () => {
    fc.assert(
      fc.property(caseArb, (deltaCase) => {
        const { now, baselineTick } = current(deltaCase);
        // Both ends hold the decoded full snapshot of the baseline state.
        const held = fullCodec(deltaCase.before);
        const bytes = encodeDeltaSnapshot(now, baselineTick, held);
        expectSameAsFull(decodeAgainst(bytes, baselineTick, held), now, baselineTick);
      }),
      { numRuns: 200 },
    );
  });

  it('reconstructs exactly when the server encodes against its unrounded state and the client holds the decoded one', () => {
    // The server's history keeps the simulation's own positions; both ends
    // round them the same way, so the differences agree.
    fc.assert(
      fc.property(caseArb, (deltaCase) => {
        const { now, baselineTick } = current(deltaCase);
        const bytes = encodeDeltaSnapshot(now, baselineTick, deltaCase.before);
        expectSameAsFull(decodeAgainst(bytes, baselineTick, fullCodec(deltaCase.before)), now, baselineTick);
      }),
      { numRuns: 200 },
    );
  });

  it('ends a chain of deltas, each decoded against the previous decoded state, on exactly the full snapshot state', () => {
    const stepArb = fc.record({ changes: fc.array(changeArb, { maxLength: 150 }), added: stateArb(20) });
    fc.assert(
      fc.property(stateArb(150), fc.array(stepArb, { minLength: 1, maxLength: 8 }), (start, steps) => {
        let tick = 500;
        let serverState = start;
        let clientState = fullCodec(start); // the chain starts from a full snapshot
        for (const step of steps) {
          const now = { ...header, tick: tick + 1, entities: evolve(serverState, step.changes, step.added) };
          const result = decodeAgainst(encodeDeltaSnapshot(now, tick, serverState), tick, clientState);
          expectSameAsFull(result, now, tick);
          if (!result.ok) return;
          [tick, serverState, clientState] = [now.tick, now.entities, result.value.entities];
        }
        expect(sortedById(clientState)).toEqual(sortedById(fullCodec(serverState)));
      }),
      { numRuns: 100 },
    );
  });

  it('stays exact when each delta refers to an older acknowledged state, as after lost acks', () => {
    const stepArb = fc.record({
      changes: fc.array(changeArb, { maxLength: 100 }),
      added: stateArb(20),
      ticksBack: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(stateArb(100), fc.array(stepArb, { minLength: 1, maxLength: 10 }), (start, steps) => {
        const serverHistory = new Map<number, EntityState[]>([[0, start]]);
        const clientHistory = new Map<number, readonly EntityState[]>([[0, fullCodec(start)]]);
        steps.forEach((step, i) => {
          const tick = i + 1;
          const baselineTick = Math.max(0, tick - step.ticksBack);
          const now = { ...header, tick, entities: evolve(serverHistory.get(tick - 1)!, step.changes, step.added) };
          serverHistory.set(tick, now.entities);
          const bytes = encodeDeltaSnapshot(now, baselineTick, serverHistory.get(baselineTick)!);
          const result = decodeDeltaSnapshot(bytes, (t) => clientHistory.get(t));
          expectSameAsFull(result, now, baselineTick);
          if (result.ok) clientHistory.set(tick, result.value.entities);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('writes exactly the documented layout', () => {
    expect(encodeDeltaSnapshot(validState, BASELINE_TICK, baseline)).toEqual(forge(validBody));
  });

  it('decodes a hand-written packet: the header fields, and the state after removals, additions and moves', () => {
    const result = decodeAgainst(forge(validBody), BASELINE_TICK, baseline);
    expect(result).toEqual({
      ok: true,
      value: {
        ...header,
        baselineTick: BASELINE_TICK,
        entities: [
          { id: 10, kind: ENTITY_KIND_PLAYER, x: 803 / POSITION_SCALE, y: 398 / POSITION_SCALE },
          { id: 20, kind: ENTITY_KIND_NPC, x: 200, y: 60 },
          { id: 40, kind: ENTITY_KIND_NPC, x: 1, y: 2 },
        ],
      },
    });
  });

  it('reuses the baseline objects for unchanged entities and never modifies the baseline', () => {
    // Documented in readBody: "Unchanged entities keep their baseline objects".
    const before = structuredClone(baseline);
    const result = decodeAgainst(forge(validBody), BASELINE_TICK, baseline);
    if (!result.ok) throw new Error(result.error);
    const byId = new Map(result.value.entities.map((e) => [e.id, e]));
    expect(byId.get(20)).toBe(entity(20)); // unchanged: the very same object
    expect(byId.get(10)).not.toBe(entity(10)); // moved: a new object
    expect(baseline).toEqual(before);
  });

  it('decodes its own output again as the next baseline (the decoded array is reusable)', () => {
    const first = decodeAgainst(forge(validBody), BASELINE_TICK, baseline);
    if (!first.ok) throw new Error(first.error);
    const next = { ...header, tick: header.tick + 1, entities: [{ id: 20, kind: ENTITY_KIND_NPC as EntityKind, x: 201, y: 60 }] };
    const bytes = encodeDeltaSnapshot(next, header.tick, validState.entities);
    expectSameAsFull(decodeAgainst(bytes, header.tick, first.value.entities), next, header.tick);
  });

  it('changes an entity kind by removing and re-adding its id', () => {
    const now = { ...header, entities: baseline.map((e) => (e.id === 20 ? { ...e, kind: ENTITY_KIND_COIN as EntityKind } : { ...e })) };
    const bytes = encodeDeltaSnapshot(now, BASELINE_TICK, baseline);
    const byHand = forge(body({ removed: [20], added: [{ id: 20, kind: ENTITY_KIND_COIN, qx: 1600, qy: 480 }] }));
    expect(bytes).toEqual(byHand);
    expectSameAsFull(decodeAgainst(bytes, BASELINE_TICK, baseline), now, BASELINE_TICK);
  });

  it('rebuilds a state where everything was removed, and one where everything is new', () => {
    const gone = { ...header, entities: [] };
    expectSameAsFull(decodeAgainst(encodeDeltaSnapshot(gone, BASELINE_TICK, baseline), BASELINE_TICK, baseline), gone, BASELINE_TICK);
    const fresh = { ...header, entities: grid(50) };
    expectSameAsFull(decodeAgainst(encodeDeltaSnapshot(fresh, BASELINE_TICK, []), BASELINE_TICK, []), fresh, BASELINE_TICK);
  });

  it('carries the same first MAX_ENTITIES_PER_SNAPSHOT entities (in array order) as the full snapshot', () => {
    // Ids descending, so "the first 1024 in array order" differs from "the 1024 lowest ids".
    const many = Array.from({ length: MAX_ENTITIES_PER_SNAPSHOT + 6 }, (_, i) => ({
      id: 2000 - i,
      kind: ENTITY_KIND_COIN as EntityKind,
      x: i % ARENA_WIDTH_PX,
      y: 7,
    }));
    const now = { ...header, entities: many };
    expectSameAsFull(decodeAgainst(encodeDeltaSnapshot(now, BASELINE_TICK, []), BASELINE_TICK, []), now, BASELINE_TICK);
  });

  it('decodes from a view at a non-zero byteOffset inside a bigger buffer', () => {
    const view = pooled(forge(validBody));
    expect(view.byteOffset).toBe(43);
    expect(decodeAgainst(view, BASELINE_TICK, baseline)).toEqual(decodeAgainst(forge(validBody), BASELINE_TICK, baseline));
    expect(deltaBaselineTick(view)).toBe(BASELINE_TICK);
  });
});

describe('delta snapshot size', () => {
  it('encodes an unchanged state in DELTA_HEADER_BYTES + 1 bytes, however many entities it has', () => {
    // Body: three empty lists at gamma(0 + 1) = 1 bit each, plus the 4-bit width: 7 bits, one byte.
    for (const count of [0, 1, 100, MAX_ENTITIES_PER_SNAPSHOT]) {
      const state = grid(count);
      const bytes = encodeDeltaSnapshot({ ...header, entities: state }, BASELINE_TICK, fullCodec(state));
      expect(bytes.byteLength).toBe(DELTA_HEADER_BYTES + 1);
      expect(bytes).toEqual(forge(body({})));
    }
  });

  it('costs nothing for a jitter smaller than half a 1/8 px step', () => {
    const state = grid(100);
    const jittered = state.map((e) => ({ ...e, x: e.x + 0.05, y: e.y - 0.05 }));
    const bytes = encodeDeltaSnapshot({ ...header, entities: jittered }, BASELINE_TICK, state);
    expect(bytes.byteLength).toBe(DELTA_HEADER_BYTES + 1);
  });

  it('sends 10 of 100 entities moving by 1 px in 41 bytes, against 719 for the full snapshot', () => {
    const state = grid(100);
    const moved = state.map((e) => (e.id % 10 === 0 ? { ...e, x: e.x + 1, y: e.y - 1 } : { ...e }));
    // Moves of ±1 px are ±8 steps: 5 bits each. Ids 10, 20, … 100 are each a gap of 10: gamma(10) = 7 bits.
    //   removed gamma(1) 1 + added gamma(1) 1 + moved gamma(11) 7 + width 4 + 10 × (7 + 5 + 5) = 183 bits → 23 bytes
    const bytes = encodeDeltaSnapshot({ ...header, entities: moved }, BASELINE_TICK, fullCodec(state));
    expect(bytes.byteLength).toBe(DELTA_HEADER_BYTES + 23);
    expect(bytes.byteLength).toBe(41);
    expect(encodeSnapshot({ ...header, entities: moved }).byteLength).toBe(SNAPSHOT_HEADER_BYTES + 100 * SNAPSHOT_ENTITY_BYTES);
    expect(SNAPSHOT_HEADER_BYTES + 100 * SNAPSHOT_ENTITY_BYTES).toBe(719);
  });

  it('sizes the moved fields by the largest move: ±1 step takes 2 bits, a move across the arena 15', () => {
    const state = grid(2);
    const width = (now: EntityState[]) => {
      const bytes = encodeDeltaSnapshot({ ...header, entities: now }, BASELINE_TICK, state);
      const bits = new BitReader(bytes.subarray(DELTA_HEADER_BYTES));
      bits.readGamma(); // removed count
      bits.readGamma(); // added count
      bits.readGamma(); // moved count
      return bits.read(DELTA_WIDTH_FIELD_BITS) + 1;
    };
    expect(width([{ ...state[0]!, x: state[0]!.x + 1 / POSITION_SCALE }, state[1]!])).toBe(2);
    expect(
      width([
        { ...state[0]!, x: ARENA_WIDTH_PX },
        { ...state[1]!, x: 0 },
      ]),
    ).toBe(15); // ±12800 steps
  });
});

describe('decodeDeltaSnapshot rejections', () => {
  it('drops a datagram shorter than the header', () => {
    expectRejected(forge(validBody).subarray(0, DELTA_HEADER_BYTES - 1), DROP_TOO_SHORT);
    expectRejected(new Uint8Array(0), DROP_TOO_SHORT);
  });

  it('drops a datagram of another type, such as a full snapshot', () => {
    expectRejected(encodeSnapshot({ ...header, entities: [...baseline] }), DROP_UNKNOWN_TYPE);
    const retyped = forge(validBody);
    retyped[0] = DATAGRAM_TYPE_SNAPSHOT;
    expectRejected(retyped, DROP_UNKNOWN_TYPE);
  });

  it('drops a baseline age of 0 without looking up a baseline', () => {
    const findBaseline = vi.fn(() => baseline);
    expect(decodeDeltaSnapshot(forge(validBody, { age: 0 }), findBaseline)).toEqual({ ok: false, error: DROP_BAD_VALUE });
    expect(findBaseline).not.toHaveBeenCalled();
  });

  it('drops a baseline age above MAX_BASELINE_AGE_TICKS', () => {
    const findBaseline = vi.fn(() => baseline);
    for (const age of [MAX_BASELINE_AGE_TICKS + 1, 255]) {
      expect(decodeDeltaSnapshot(forge(validBody, { age }), findBaseline)).toEqual({ ok: false, error: DROP_BAD_VALUE });
    }
    expect(findBaseline).not.toHaveBeenCalled();
  });

  it('drops a baseline age greater than the tick (a baseline before tick 0)', () => {
    const findBaseline = vi.fn(() => baseline);
    expect(decodeDeltaSnapshot(forge(validBody, { tick: 2, age: 3 }), findBaseline)).toEqual({ ok: false, error: DROP_BAD_VALUE });
    expect(findBaseline).not.toHaveBeenCalled();
  });

  it('accepts the boundary ages: exactly MAX_BASELINE_AGE_TICKS, and exactly the tick', () => {
    const anyTick = () => baseline;
    const oldest = decodeDeltaSnapshot(forge(validBody, { age: MAX_BASELINE_AGE_TICKS }), anyTick);
    expect(oldest.ok && oldest.value.baselineTick).toBe(header.tick - MAX_BASELINE_AGE_TICKS);
    const fromZero = decodeDeltaSnapshot(forge(validBody, { tick: 5, age: 5 }), anyTick);
    expect(fromZero.ok && fromZero.value.baselineTick).toBe(0);
  });

  it('reports a missing baseline, asking only for tick − age, and leaves the caller’s baselines untouched', () => {
    // The client's history, without tick 997.
    const history = new Map<number, readonly EntityState[]>([
      [BASELINE_TICK - 1, baseline],
      [BASELINE_TICK + 1, fullCodec(grid(3))],
    ]);
    const arrays = [...history.values()];
    const copy = structuredClone(history);
    const asked: number[] = [];
    const result = decodeDeltaSnapshot(forge(validBody), (tick) => {
      asked.push(tick);
      return history.get(tick);
    });
    expect(result).toEqual({ ok: false, error: DROP_MISSING_BASELINE });
    expect(asked).toEqual([BASELINE_TICK]);
    expect(history).toEqual(copy);
    for (const [i, a] of [...history.values()].entries()) expect(a).toBe(arrays[i]);
  });

  it('leaves the baseline untouched and usable after rejecting a corrupt body', () => {
    const before = structuredClone(baseline);
    expectRejected(forge(body({ removed: [15] })), DROP_BAD_VALUE);
    expect(baseline).toEqual(before);
    expectSameAsFull(decodeAgainst(forge(validBody), BASELINE_TICK, baseline), validState, BASELINE_TICK);
  });

  it('drops a body cut short', () => {
    expectRejected(forge(validBody).subarray(0, DELTA_HEADER_BYTES), DROP_TOO_SHORT); // no body at all
    // An added entity whose y is missing.
    const noY = forge((bits) => {
      removedList(bits, []);
      bits.writeGamma(2);
      bits.writeGamma(40);
      bits.write(ENTITY_KIND_NPC, 2);
      bits.write(8, 16);
    });
    expectRejected(noY, DROP_TOO_SHORT);
    // A move cut inside its dx: 1 + 1 bits of empty lists, 3 of count, 5 of width, 7 of gamma(id 10 + 1),
    // then 2 × 12 bits of move: 41 bits, 6 bytes.
    const move = forge(body({ width: 12, moved: [{ id: 10, dx: 100, dy: 100 }] }));
    expect(move.byteLength).toBe(DELTA_HEADER_BYTES + 6);
    expectRejected(move.subarray(0, DELTA_HEADER_BYTES + 3), DROP_TOO_SHORT);
  });

  // A cut inside a moved id must read as too short, not as a forged id.
  it('reports a body cut inside a moved id as too short', () => {
    const bytes = forge(validBody);
    expectRejected(bytes.subarray(0, bytes.byteLength - 1), DROP_TOO_SHORT);
  });

  it('drops a delta with bytes after the body', () => {
    const bytes = forge(validBody);
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);
    expectRejected(longer, DROP_TOO_LONG);
  });

  it('drops a removal of an id the baseline does not have', () => {
    for (const id of [15, 99]) {
      expectRejected(forge(body({ removed: [id] })), DROP_BAD_VALUE);
    }
  });

  it('drops a move of an id the baseline does not have', () => {
    for (const id of [15, 99]) {
      expectRejected(forge(body({ width: 2, moved: [{ id, dx: 1, dy: 1 }] })), DROP_BAD_VALUE);
    }
  });

  it('drops a delta that both removes and moves the same id', () => {
    expectRejected(forge(body({ removed: [20], width: 2, moved: [{ id: 20, dx: 1, dy: 1 }] })), DROP_BAD_VALUE);
  });

  it('drops an addition of an id the baseline still has', () => {
    expectRejected(forge(body({ added: [{ id: 20, kind: ENTITY_KIND_COIN, qx: 0, qy: 0 }] })), DROP_BAD_VALUE);
  });

  it('drops an added entity of an unknown kind', () => {
    expectRejected(forge(body({ added: [{ id: 40, kind: MAX_ENTITY_KIND + 1, qx: 0, qy: 0 }] })), DROP_BAD_VALUE);
  });

  it('drops a move that lands outside 0..65535 steps', () => {
    const move = (id: number, dx: number, dy: number) => forge(body({ width: 12, moved: [{ id, dx, dy }] }));
    expectRejected(move(10, -801, 0), DROP_BAD_VALUE); // x 800 → −1
    expectRejected(move(10, 0, -401), DROP_BAD_VALUE); // y 400 → −1
    expect(decodeAgainst(move(10, -800, -400), BASELINE_TICK, baseline).ok).toBe(true); // exactly 0 is fine
    // Past the top: an entity already at 65535 steps, the largest the full snapshot carries.
    const edge = fullCodec([{ id: 10, kind: ENTITY_KIND_NPC, x: 0xffff / POSITION_SCALE, y: 0xffff / POSITION_SCALE }]);
    expectRejected(move(10, 1, 0), DROP_BAD_VALUE, edge);
    expectRejected(move(10, 0, 1), DROP_BAD_VALUE, edge);
  });

  it('drops a list count above MAX_ENTITIES_PER_SNAPSHOT', () => {
    expectRejected(
      forge((bits) => bits.writeGamma(MAX_ENTITIES_PER_SNAPSHOT + 2)),
      DROP_BAD_COUNT,
    ); // removed
    expectRejected(
      forge((bits) => bits.writeGamma(0xffffffff)),
      DROP_BAD_COUNT,
    ); // removed, absurd
    const tooManyAdded = forge((bits) => {
      removedList(bits, []);
      bits.writeGamma(MAX_ENTITIES_PER_SNAPSHOT + 2);
    });
    expectRejected(tooManyAdded, DROP_BAD_COUNT);
  });

  it('drops a moved count larger than the baseline', () => {
    const fourMoves = forge((bits) => {
      removedList(bits, []);
      addedList(bits, []);
      bits.writeGamma(baseline.length + 1 + 1); // count + 1, for one more move than the baseline has entities
      bits.write(0, DELTA_WIDTH_FIELD_BITS);
    });
    expectRejected(fourMoves, DROP_BAD_COUNT);
  });

  it('drops a delta whose result would exceed MAX_ENTITIES_PER_SNAPSHOT entities', () => {
    const full = fullCodec(grid(MAX_ENTITIES_PER_SNAPSHOT));
    const oneMore = forge(body({ added: [{ id: MAX_ENTITIES_PER_SNAPSHOT + 1, kind: ENTITY_KIND_COIN, qx: 0, qy: 0 }] }));
    expectRejected(oneMore, DROP_BAD_COUNT, full);
  });

  // Ids are sums of gaps: the decoder must bound them, as u16 ids are everywhere else.
  it('drops an added id above MAX_ENTITY_ID', () => {
    expectRejected(forge(body({ added: [{ id: MAX_ENTITY_ID + 1, kind: ENTITY_KIND_NPC, qx: 0, qy: 0 }] })), DROP_BAD_VALUE);
  });
});

describe("delta snapshot: the full snapshot's whole range", () => {
  // Deltas are up to 17 bits wide, so even a move across the whole u16 range round-trips.
  it('reconstructs a move of 4096 px or more, beyond the arena but within the full snapshot’s range', () => {
    const before = fullCodec([{ id: 1, kind: ENTITY_KIND_NPC, x: 0, y: 0 }]);
    const now = { ...header, entities: [{ id: 1, kind: ENTITY_KIND_NPC as EntityKind, x: 5000, y: 0 }] };
    expectSameAsFull(decodeAgainst(encodeDeltaSnapshot(now, BASELINE_TICK, before), BASELINE_TICK, before), now, BASELINE_TICK);
  });

  // The first id gap counts from −1, because Elias gamma cannot code 0.
  it('round-trips an entity with id 0, which the full snapshot carries', () => {
    const now = { ...header, entities: [{ id: 0, kind: ENTITY_KIND_PLAYER as EntityKind, x: 10, y: 10 }] };
    expectSameAsFull(decodeAgainst(encodeDeltaSnapshot(now, BASELINE_TICK, []), BASELINE_TICK, []), now, BASELINE_TICK);
  });
});

describe('decodeDeltaSnapshot on hostile input', () => {
  /** The baseline for fuzzing: ids 1..8, so random id gaps of 1 often hit a real entity. */
  const fuzzBaseline = fullCodec(grid(8));
  const smallCase = fc.record({ changes: fc.array(changeArb, { maxLength: 8 }), added: stateArb(4) });

  /** An accepted state is one the full codec could have sent: ascending ids, known kinds, positions on the grid in u16. */
  function expectPlausible(value: DeltaSnapshot) {
    expect(value.entities.length).toBeLessThanOrEqual(MAX_ENTITIES_PER_SNAPSHOT);
    value.entities.forEach((e, i) => {
      expect(e.id).toBeGreaterThan(i === 0 ? -1 : value.entities[i - 1]!.id);
      expect(e.id).toBeLessThanOrEqual(MAX_ENTITY_ID);
      expect(e.kind).toBeLessThanOrEqual(MAX_ENTITY_KIND);
      for (const q of [e.x * POSITION_SCALE, e.y * POSITION_SCALE]) {
        expect(Number.isInteger(q) && q >= 0 && q <= 0xffff).toBe(true);
      }
    });
  }

  it('never throws on random bytes; whatever it accepts is a plausible state that re-encodes to itself', () => {
    const noise = fc.uint8Array({ maxLength: DELTA_HEADER_BYTES + 40 });
    // A valid header before a random body, so the body parser is exercised.
    const randomBody = fc.tuple(tickAndAge, fc.uint8Array({ maxLength: 40 })).map(([[tick, age], body]) => packet(body, { tick, age }));
    // A real delta with one byte replaced, so deeper paths are reached too.
    const damaged = fc.tuple(smallCase, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, byte]) => {
      const now = { ...header, entities: evolve(fuzzBaseline, s.changes, s.added) };
      const bytes = encodeDeltaSnapshot(now, BASELINE_TICK, fuzzBaseline);
      bytes[DELTA_HEADER_BYTES + (at % (bytes.byteLength - DELTA_HEADER_BYTES))] = byte;
      return bytes;
    });
    fc.assert(
      fc.property(fc.oneof(noise, randomBody, damaged), (bytes) => {
        const result = decodeDeltaSnapshot(bytes, () => fuzzBaseline);
        if (!result.ok) {
          expect(DECODER_ERRORS).toContain(result.error);
          return;
        }
        expectPlausible(result.value);
        const again = encodeDeltaSnapshot(result.value, result.value.baselineTick, fuzzBaseline);
        const redecoded = decodeAgainst(again, result.value.baselineTick, fuzzBaseline);
        expect(redecoded.ok && redecoded.value.entities).toEqual(result.value.entities);
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects every truncation of a valid delta without throwing', () => {
    fc.assert(
      fc.property(caseArb, (deltaCase) => {
        const { now, baselineTick } = current(deltaCase);
        const held = fullCodec(deltaCase.before);
        const bytes = encodeDeltaSnapshot(now, baselineTick, held);
        for (let length = 0; length < bytes.byteLength; length++) {
          const result = decodeAgainst(bytes.subarray(0, length), baselineTick, held);
          // Cut inside the header: too short. Cut inside the body: too short, or
          // bad-value when the cut lands in a moved id (which then names an id the baseline lacks).
          const allowed = length < DELTA_HEADER_BYTES ? [DROP_TOO_SHORT] : [DROP_TOO_SHORT, DROP_BAD_VALUE];
          expect(result.ok ? 'accepted' : result.error).toBeOneOf(allowed);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('deltaBaselineTick', () => {
  it('reads tick − baselineAge from the header', () => {
    expect(deltaBaselineTick(forge(validBody, { tick: 1000, age: 7 }))).toBe(993);
    expect(deltaBaselineTick(encodeDeltaSnapshot({ ...header, tick: 5000, entities: [] }, 4990, []))).toBe(4990);
  });

  it('needs only the header, not a valid body', () => {
    expect(deltaBaselineTick(packet(Uint8Array.of(0xff, 0xff), { tick: 70, age: MAX_BASELINE_AGE_TICKS }))).toBe(10);
  });

  it('returns null for bytes that are not a delta snapshot', () => {
    expect(deltaBaselineTick(encodeSnapshot({ ...header, entities: [] }))).toBeNull();
    expect(deltaBaselineTick(forge(validBody).subarray(0, DELTA_HEADER_BYTES - 1))).toBeNull();
    expect(deltaBaselineTick(new Uint8Array(0))).toBeNull();
  });
});
