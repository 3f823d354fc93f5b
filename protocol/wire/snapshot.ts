// Binary snapshot, server → client (over the datagram channel, or as a binary
// frame on the stream when that path is chosen).
//
//   offset size field
//   0      u8   type = DATAGRAM_TYPE_SNAPSHOT
//   1      u32  seq           per-client, per-channel packet sequence (loss / reorder accounting)
//   5      u32  tick          server simulation tick this state belongs to
//   9      u32  serverTimeMs  server clock when the tick was simulated (update age)
//   13     u32  ackInputSeq   newest input the server has applied for the receiving player
//   17     u16  count
//   19     7×count            id u16, kind u8, x u16, y u16
//
// Positions are fixed point with POSITION_SCALE = 8 steps per pixel: a
// decoded coordinate is within 1/16 px of the simulated one. The arena
// (1600 × 900 px) fits u16 with room to spare (65535 / 8 ≈ 8191 px).
import {
  DATAGRAM_TYPE_SNAPSHOT,
  DROP_BAD_COUNT,
  DROP_BAD_VALUE,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  MAX_ENTITIES_PER_SNAPSHOT,
  MAX_ENTITY_KIND,
  POSITION_SCALE,
  SNAPSHOT_ENTITY_BYTES,
  SNAPSHOT_HEADER_BYTES,
} from '../constants.ts';
import { failed, ok, type Result } from '../result.ts';
import { viewOf } from './bytes.ts';

export type EntityKind = 0 | 1 | 2;

export interface EntityState {
  id: number;
  kind: EntityKind;
  x: number;
  y: number;
}

export interface Snapshot {
  seq: number;
  tick: number;
  serverTimeMs: number;
  ackInputSeq: number;
  entities: EntityState[];
}

/** A coordinate in fixed point, as it travels (clamped to u16). */
export const quantize = (v: number) => Math.max(0, Math.min(0xffff, Math.round(v * POSITION_SCALE)));
export const dequantize = (q: number) => q / POSITION_SCALE;

/** Encodes a snapshot. At most MAX_ENTITIES_PER_SNAPSHOT entities are written. */
export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  const count = Math.min(snapshot.entities.length, MAX_ENTITIES_PER_SNAPSHOT);
  const bytes = new Uint8Array(SNAPSHOT_HEADER_BYTES + count * SNAPSHOT_ENTITY_BYTES);
  const view = viewOf(bytes);
  view.setUint8(0, DATAGRAM_TYPE_SNAPSHOT);
  view.setUint32(1, snapshot.seq >>> 0);
  view.setUint32(5, snapshot.tick >>> 0);
  view.setUint32(9, snapshot.serverTimeMs >>> 0);
  view.setUint32(13, snapshot.ackInputSeq >>> 0);
  view.setUint16(17, count);
  for (let i = 0; i < count; i++) {
    const entity = snapshot.entities[i]!;
    const at = SNAPSHOT_HEADER_BYTES + i * SNAPSHOT_ENTITY_BYTES;
    view.setUint16(at, entity.id);
    view.setUint8(at + 2, entity.kind);
    view.setUint16(at + 3, quantize(entity.x));
    view.setUint16(at + 5, quantize(entity.y));
  }
  return bytes;
}

/** Decodes a snapshot, rejecting wrong lengths, counts and entity kinds. */
export function decodeSnapshot(bytes: Uint8Array): Result<Snapshot> {
  if (bytes.byteLength < SNAPSHOT_HEADER_BYTES) return failed(DROP_TOO_SHORT);
  const view = viewOf(bytes);
  if (view.getUint8(0) !== DATAGRAM_TYPE_SNAPSHOT) return failed(DROP_UNKNOWN_TYPE);
  const count = view.getUint16(17);
  if (count > MAX_ENTITIES_PER_SNAPSHOT) return failed(DROP_BAD_COUNT);
  const expected = SNAPSHOT_HEADER_BYTES + count * SNAPSHOT_ENTITY_BYTES;
  if (bytes.byteLength < expected) return failed(DROP_TOO_SHORT);
  if (bytes.byteLength > expected) return failed(DROP_TOO_LONG);
  const entities: EntityState[] = [];
  for (let i = 0; i < count; i++) {
    const at = SNAPSHOT_HEADER_BYTES + i * SNAPSHOT_ENTITY_BYTES;
    const kind = view.getUint8(at + 2);
    if (kind > MAX_ENTITY_KIND) return failed(DROP_BAD_VALUE);
    entities.push({
      id: view.getUint16(at),
      kind: kind as EntityKind,
      x: dequantize(view.getUint16(at + 3)),
      y: dequantize(view.getUint16(at + 5)),
    });
  }
  return ok({
    seq: view.getUint32(1),
    tick: view.getUint32(5),
    serverTimeMs: view.getUint32(9),
    ackInputSeq: view.getUint32(13),
    entities,
  });
}
