// One shared encoding restamped per recipient decodes exactly as a
// per-recipient encoding would: only seq and ackInputSeq change.
import { describe, expect, it } from 'vitest';
import { ENTITY_KIND_NPC, ENTITY_KIND_PLAYER } from '../../protocol/constants.ts';
import { decodeDeltaSnapshot, encodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { restampSnapshot } from '../../protocol/wire/restamp.ts';
import { decodeSnapshot, encodeSnapshot, type EntityState } from '../../protocol/wire/snapshot.ts';

const baseline: EntityState[] = [
  { id: 1, kind: ENTITY_KIND_PLAYER, x: 100, y: 200 },
  { id: 0xf000, kind: ENTITY_KIND_NPC, x: 300, y: 400 },
];
const now: EntityState[] = [
  { id: 1, kind: ENTITY_KIND_PLAYER, x: 104, y: 200 },
  { id: 0xf000, kind: ENTITY_KIND_NPC, x: 300, y: 396 },
];
const shared = { tick: 50, serverTimeMs: 1234, entities: now, seq: 0, ackInputSeq: 0 };

describe('restampSnapshot', () => {
  it("gives a full snapshot the recipient's seq and ackInputSeq, and nothing else", () => {
    const encoded = encodeSnapshot(shared);
    const restamped = restampSnapshot(encoded, 77, 4321);
    expect(restamped).toEqual(encodeSnapshot({ ...shared, seq: 77, ackInputSeq: 4321 }));
    expect(encoded).toEqual(encodeSnapshot(shared)); // the shared encoding is untouched
    const decoded = decodeSnapshot(restamped);
    expect(decoded.ok && decoded.value).toMatchObject({ seq: 77, ackInputSeq: 4321, tick: 50 });
  });

  it('does the same for a delta snapshot', () => {
    const encoded = encodeDeltaSnapshot(shared, 48, baseline);
    const restamped = restampSnapshot(encoded, 9, 0xffffffff);
    expect(restamped).toEqual(encodeDeltaSnapshot({ ...shared, seq: 9, ackInputSeq: 0xffffffff }, 48, baseline));
    const decoded = decodeDeltaSnapshot(restamped, () => baseline);
    expect(decoded.ok && decoded.value).toMatchObject({ seq: 9, ackInputSeq: 0xffffffff, baselineTick: 48 });
  });

  it('refuses bytes that are not a snapshot', () => {
    expect(() => restampSnapshot(new Uint8Array([1, 0, 0, 0, 0]), 1, 1)).toThrow(/not a snapshot/);
  });
});
