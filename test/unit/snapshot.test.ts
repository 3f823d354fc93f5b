// The binary snapshot: fixed-point positions within POSITION_PRECISION_PX,
// exact header fields, one test per rejection path, and fuzzing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  DATAGRAM_TYPE_INPUT,
  DATAGRAM_TYPE_SNAPSHOT,
  DROP_BAD_COUNT,
  DROP_BAD_VALUE,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  ENTITY_KIND_COIN,
  ENTITY_KIND_NPC,
  ENTITY_KIND_PLAYER,
  MAX_ENTITIES_PER_SNAPSHOT,
  MAX_ENTITY_ID,
  MAX_ENTITY_KIND,
  SNAPSHOT_ENTITY_BYTES,
  SNAPSHOT_HEADER_BYTES,
  POSITION_SCALE,
} from '../../protocol/constants.ts';
import { decodeSnapshot, encodeSnapshot, type EntityKind, type Snapshot } from '../../protocol/wire/snapshot.ts';
import { POSITION_PRECISION_PX } from '../quantization.ts';

const DECODER_ERRORS = [DROP_TOO_SHORT, DROP_TOO_LONG, DROP_UNKNOWN_TYPE, DROP_BAD_COUNT, DROP_BAD_VALUE];

/** Positions on exact 1/POSITION_SCALE px steps, so this snapshot round-trips exactly. */
const snapshot: Snapshot = {
  seq: 0xfffffffe,
  tick: 123456,
  serverTimeMs: 987654321,
  ackInputSeq: 42,
  entities: [
    { id: 1, kind: ENTITY_KIND_PLAYER, x: 100.5, y: 200.25 },
    { id: 0xf000, kind: ENTITY_KIND_NPC, x: 0, y: ARENA_HEIGHT_PX },
    { id: MAX_ENTITY_ID, kind: ENTITY_KIND_COIN, x: ARENA_WIDTH_PX, y: 1 / POSITION_SCALE },
  ],
};

/** Copies `bytes` into the middle of a bigger buffer full of junk, the way a Node Buffer sits in its pool. */
function pooled(bytes: Uint8Array): Uint8Array {
  const pool = new Uint8Array(bytes.byteLength + 100).fill(0xee);
  pool.set(bytes, 51);
  return pool.subarray(51, 51 + bytes.byteLength);
}

function expectRejected(bytes: Uint8Array, error: string) {
  expect(decodeSnapshot(bytes)).toEqual({ ok: false, error });
}

/** A header claiming `count` entities, followed by `bodyBytes` zero bytes. */
function headerClaiming(count: number, bodyBytes: number): Uint8Array {
  const bytes = new Uint8Array(SNAPSHOT_HEADER_BYTES + bodyBytes);
  bytes[0] = DATAGRAM_TYPE_SNAPSHOT;
  new DataView(bytes.buffer).setUint16(17, count);
  return bytes;
}

describe('encodeSnapshot / decodeSnapshot', () => {
  it('round-trips header fields and on-grid positions exactly', () => {
    expect(decodeSnapshot(encodeSnapshot(snapshot))).toEqual({ ok: true, value: snapshot });
  });

  it('is SNAPSHOT_HEADER_BYTES + 7 bytes per entity long', () => {
    expect(SNAPSHOT_ENTITY_BYTES).toBe(7);
    expect(encodeSnapshot({ ...snapshot, entities: [] }).byteLength).toBe(SNAPSHOT_HEADER_BYTES);
    expect(encodeSnapshot(snapshot).byteLength).toBe(SNAPSHOT_HEADER_BYTES + 7 * 3);
  });

  it('writes at most MAX_ENTITIES_PER_SNAPSHOT entities', () => {
    const entities = Array.from({ length: MAX_ENTITIES_PER_SNAPSHOT + 5 }, (_, i) => ({
      id: i,
      kind: ENTITY_KIND_NPC as EntityKind,
      x: 1,
      y: 1,
    }));
    const bytes = encodeSnapshot({ ...snapshot, entities });
    expect(bytes.byteLength).toBe(SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTITY_BYTES * MAX_ENTITIES_PER_SNAPSHOT);
    const decoded = decodeSnapshot(bytes);
    expect(decoded.ok && decoded.value.entities.length).toBe(MAX_ENTITIES_PER_SNAPSHOT);
  });

  it('decodes from a view at a non-zero byteOffset inside a bigger buffer', () => {
    const view = pooled(encodeSnapshot(snapshot));
    expect(view.byteOffset).toBe(51);
    expect(decodeSnapshot(view)).toEqual({ ok: true, value: snapshot });
  });

  it('keeps any position inside the arena within POSITION_PRECISION_PX, and header fields exact', () => {
    const entity = fc.record({
      id: fc.integer({ min: 0, max: MAX_ENTITY_ID }),
      kind: fc.constantFrom<EntityKind>(ENTITY_KIND_PLAYER, ENTITY_KIND_NPC, ENTITY_KIND_COIN),
      x: fc.double({ min: 0, max: ARENA_WIDTH_PX, noNaN: true }),
      y: fc.double({ min: 0, max: ARENA_HEIGHT_PX, noNaN: true }),
    });
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const anySnapshot = fc.record({
      seq: u32,
      tick: u32,
      serverTimeMs: u32,
      ackInputSeq: u32,
      entities: fc.array(entity, { maxLength: 40 }),
    });
    fc.assert(
      fc.property(anySnapshot, (s) => {
        const result = decodeSnapshot(encodeSnapshot(s));
        if (!result.ok) throw new Error(`rejected its own encoding: ${result.error}`);
        const { entities, ...header } = result.value;
        const { entities: sent, ...sentHeader } = s;
        expect(header).toEqual(sentHeader);
        expect(entities).toHaveLength(sent.length);
        entities.forEach((e, i) => {
          const original = sent[i]!;
          expect(e.id).toBe(original.id);
          expect(e.kind).toBe(original.kind);
          expect(Math.abs(e.x - original.x)).toBeLessThanOrEqual(POSITION_PRECISION_PX);
          expect(Math.abs(e.y - original.y)).toBeLessThanOrEqual(POSITION_PRECISION_PX);
        });
      }),
    );
  });

  it('rounds to the nearest 1/POSITION_SCALE px, so the worst error is exactly POSITION_PRECISION_PX', () => {
    expect(POSITION_PRECISION_PX).toBe(1 / (2 * POSITION_SCALE));
    const halfway = { ...snapshot, entities: [{ id: 1, kind: ENTITY_KIND_PLAYER as EntityKind, x: 10 + POSITION_PRECISION_PX, y: 10 }] };
    const result = decodeSnapshot(encodeSnapshot(halfway));
    expect(result.ok && result.value.entities[0]!.x).toBe(10 + 1 / POSITION_SCALE);
  });
});

describe('decodeSnapshot rejections', () => {
  it('drops a datagram shorter than the header', () => {
    expectRejected(encodeSnapshot(snapshot).subarray(0, SNAPSHOT_HEADER_BYTES - 1), DROP_TOO_SHORT);
    expectRejected(new Uint8Array(0), DROP_TOO_SHORT);
  });

  it('drops a datagram of another type', () => {
    const bytes = encodeSnapshot(snapshot);
    bytes[0] = DATAGRAM_TYPE_INPUT;
    expectRejected(bytes, DROP_UNKNOWN_TYPE);
  });

  it('drops a snapshot that claims more than MAX_ENTITIES_PER_SNAPSHOT entities', () => {
    const count = MAX_ENTITIES_PER_SNAPSHOT + 1;
    expectRejected(headerClaiming(count, count * SNAPSHOT_ENTITY_BYTES), DROP_BAD_COUNT);
    expectRejected(headerClaiming(0xffff, 0), DROP_BAD_COUNT);
  });

  it('drops a snapshot whose body is shorter than its count says', () => {
    const bytes = encodeSnapshot(snapshot);
    expectRejected(bytes.subarray(0, bytes.byteLength - 1), DROP_TOO_SHORT);
    expectRejected(headerClaiming(2, SNAPSHOT_ENTITY_BYTES), DROP_TOO_SHORT);
  });

  it('drops a snapshot with bytes after the last entity', () => {
    const bytes = encodeSnapshot(snapshot);
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);
    expectRejected(longer, DROP_TOO_LONG);
  });

  it('drops a snapshot with an unknown entity kind', () => {
    const bytes = encodeSnapshot(snapshot);
    bytes[SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTITY_BYTES + 2] = MAX_ENTITY_KIND + 1; // second entity's kind
    expectRejected(bytes, DROP_BAD_VALUE);
  });

  it('never throws on random bytes, and re-encodes whatever it accepts to the same bytes', () => {
    const noise = fc.uint8Array({ maxLength: SNAPSHOT_HEADER_BYTES + 4 * SNAPSHOT_ENTITY_BYTES });
    // Half the cases carry a snapshot header with a small count, so the body checks are reached too.
    const plausible = fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ minLength: SNAPSHOT_HEADER_BYTES - 1, maxLength: SNAPSHOT_HEADER_BYTES + 30 }))
      .map(([count, rest]) => {
        const bytes = Uint8Array.of(DATAGRAM_TYPE_SNAPSHOT, ...rest);
        bytes[17] = 0;
        bytes[18] = count;
        // Keep kinds mostly legal so some packets decode.
        for (let at = SNAPSHOT_HEADER_BYTES + 2; at < bytes.byteLength; at += SNAPSHOT_ENTITY_BYTES) {
          bytes[at] = bytes[at]! % (MAX_ENTITY_KIND + 2);
        }
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(noise, plausible), (bytes) => {
        const result = decodeSnapshot(bytes);
        if (result.ok) expect(encodeSnapshot(result.value)).toEqual(bytes);
        else expect(DECODER_ERRORS).toContain(result.error);
      }),
      { numRuns: 2000 },
    );
  });
});
