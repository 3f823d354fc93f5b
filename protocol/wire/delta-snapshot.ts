// Delta snapshot, server → client over the datagram channel: the state at
// `tick`, written as the difference from a baseline the client has
// acknowledged (its input packets carry the newest tick it received). An
// unchanged entity costs nothing, a moved one a few bits, new and removed
// entities are listed explicitly.
//
//   offset size field (bytes, aligned)
//   0      u8   type = DATAGRAM_TYPE_SNAPSHOT_DELTA
//   1      u32  seq           as in the full snapshot
//   5      u32  tick
//   9      u8   baselineAge   tick - baselineTick, 1..MAX_BASELINE_AGE_TICKS
//   10     u32  serverTimeMs
//   14     u32  ackInputSeq
//   18     bits, most significant first, zero-padded to a byte (protocol/wire/bits.ts):
//          removed: gamma(count + 1), then per entity gamma(id gap)
//          added:   gamma(count + 1), then per entity gamma(id gap), kind (2 bits), x (16), y (16)
//          moved:   gamma(count + 1), bits per component B - 1 (5 bits), then per entity
//                   gamma(id gap), dx (B bits), dy (B bits), two's complement
//
// Ids in each list are ascending; an "id gap" is the id minus the previous
// one in that list (the first counts from -1, so id 0 has gap 1: gamma codes
// start at 1). A delta spans up to B = 17 bits, enough for any move within
// the u16 coordinate range. Coordinates are the full
// snapshot's fixed-point integers (POSITION_SCALE steps per pixel), so a delta
// reconstructs exactly what the full encoding would have given.
//
// A client that lacks the baseline cannot decode the delta: the decoder
// reports `missing-baseline` and the client drops it. A lost or reordered
// datagram can therefore never corrupt the client's state.
import {
  DATAGRAM_TYPE_SNAPSHOT_DELTA,
  DELTA_HEADER_BYTES,
  DROP_BAD_COUNT,
  DROP_BAD_VALUE,
  DROP_MISSING_BASELINE,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  MAX_BASELINE_AGE_TICKS,
  MAX_ENTITIES_PER_SNAPSHOT,
  MAX_ENTITY_ID,
  MAX_ENTITY_KIND,
  DELTA_COORDINATE_BITS,
  DELTA_KIND_BITS,
  DELTA_MAX_BITS,
  DELTA_WIDTH_FIELD_BITS,
} from '../constants.ts';
import { BitReader, BitWriter, signedBitsFor, toSigned, toUnsigned } from './bits.ts';
import { failed, ok, type Result } from '../result.ts';
import { readU32, viewOf } from './bytes.ts';
import { dequantize, quantize, type EntityKind, type EntityState, type Snapshot } from './snapshot.ts';

export interface DeltaSnapshot extends Snapshot {
  baselineTick: number;
}

/** An entity in fixed-point units, as the encoder compares states. */
interface Quantized {
  id: number;
  kind: EntityKind;
  qx: number;
  qy: number;
}

const toQuantized = (e: EntityState): Quantized => ({ id: e.id, kind: e.kind, qx: quantize(e.x), qy: quantize(e.y) });
const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
/**
 * Entities in fixed point, sorted by id: the encoder walks two such lists side
 * by side. Remembered per entity array, because the same arrays come back —
 * a tick's state is encoded for every client, and is the baseline of later
 * deltas. (A WeakMap, so nothing outlives its array.)
 */
const quantizedCache = new WeakMap<readonly EntityState[], Quantized[]>();
function sortedQuantized(entities: readonly EntityState[]): Quantized[] {
  let sorted = quantizedCache.get(entities);
  if (!sorted) {
    sorted = entities.slice(0, MAX_ENTITIES_PER_SNAPSHOT).map(toQuantized).sort(byId);
    quantizedCache.set(entities, sorted);
  }
  return sorted;
}

/** Encodes `snapshot` against `baseline` (the entities of tick `baselineTick`, which the client has). */
export function encodeDeltaSnapshot(snapshot: Snapshot, baselineTick: number, baseline: readonly EntityState[]): Uint8Array {
  const before = sortedQuantized(baseline);
  const now = sortedQuantized(snapshot.entities);
  const removed: Quantized[] = [];
  const added: Quantized[] = [];
  const moved: { id: number; dx: number; dy: number }[] = [];
  let largest = 0;
  // Walk both id-sorted lists at once; an id whose kind changed is removed, then added.
  for (let i = 0, j = 0; i < before.length || j < now.length; ) {
    const old = before[i];
    const cur = now[j];
    if (cur === undefined || (old !== undefined && old.id < cur.id)) {
      removed.push(old!);
      i++;
    } else if (old === undefined || cur.id < old.id) {
      added.push(cur);
      j++;
    } else {
      if (old.kind !== cur.kind) {
        removed.push(old);
        added.push(cur);
      } else if (old.qx !== cur.qx || old.qy !== cur.qy) {
        const dx = cur.qx - old.qx;
        const dy = cur.qy - old.qy;
        moved.push({ id: cur.id, dx, dy });
        largest = Math.max(largest, Math.abs(dx), Math.abs(dy));
      }
      i++;
      j++;
    }
  }

  const bits = new BitWriter();
  writeIds(bits, removed);
  writeIds(bits, added, (e) => {
    bits.write(e.kind, DELTA_KIND_BITS);
    bits.write(e.qx, DELTA_COORDINATE_BITS);
    bits.write(e.qy, DELTA_COORDINATE_BITS);
  });
  const width = signedBitsFor(largest); // ≤ DELTA_MAX_BITS: |move| ≤ 0xffff
  writeIds(
    bits,
    moved,
    (e) => {
      bits.write(toUnsigned(e.dx, width), width);
      bits.write(toUnsigned(e.dy, width), width);
    },
    width,
  );

  const body = bits.finish();
  const bytes = new Uint8Array(DELTA_HEADER_BYTES + body.byteLength);
  const view = viewOf(bytes);
  view.setUint8(0, DATAGRAM_TYPE_SNAPSHOT_DELTA);
  view.setUint32(1, snapshot.seq >>> 0);
  view.setUint32(5, snapshot.tick >>> 0);
  view.setUint8(9, snapshot.tick - baselineTick);
  view.setUint32(10, snapshot.serverTimeMs >>> 0);
  view.setUint32(14, snapshot.ackInputSeq >>> 0);
  bytes.set(body, DELTA_HEADER_BYTES);
  return bytes;
}

/** Writes a count, the delta width (moved list only), then ascending id gaps with `extra` fields after each. */
function writeIds<T extends { id: number }>(bits: BitWriter, list: T[], extra?: (e: T) => void, width?: number) {
  bits.writeGamma(list.length + 1);
  if (width !== undefined) bits.write(width - 1, DELTA_WIDTH_FIELD_BITS);
  let last = -1;
  for (const e of list) {
    bits.writeGamma(e.id - last);
    last = e.id;
    extra?.(e);
  }
}

/** The baseline tick a delta refers to, without decoding the rest (so the caller can find it). */
export function deltaBaselineTick(bytes: Uint8Array): number | null {
  if (bytes.byteLength < DELTA_HEADER_BYTES || bytes[0] !== DATAGRAM_TYPE_SNAPSHOT_DELTA) return null;
  return readU32(bytes, 5) - bytes[9]!;
}

/**
 * Decodes a delta against the baseline `findBaseline(tick)` returns. Rejects
 * a missing baseline, wrong lengths, unknown ids and out-of-range values.
 */
export function decodeDeltaSnapshot(bytes: Uint8Array, findBaseline: (tick: number) => readonly EntityState[] | undefined): Result<DeltaSnapshot> {
  if (bytes.byteLength < DELTA_HEADER_BYTES) return failed(DROP_TOO_SHORT);
  if (bytes[0] !== DATAGRAM_TYPE_SNAPSHOT_DELTA) return failed(DROP_UNKNOWN_TYPE);
  const tick = readU32(bytes, 5);
  const age = bytes[9]!;
  if (age < 1 || age > MAX_BASELINE_AGE_TICKS || age > tick) return failed(DROP_BAD_VALUE);
  const baselineTick = tick - age;
  const baseline = findBaseline(baselineTick);
  if (!baseline) return failed(DROP_MISSING_BASELINE);

  const bits = new BitReader(bytes, DELTA_HEADER_BYTES);
  const entities = readBody(bits, inIdOrder(baseline));
  if (typeof entities === 'string') return failed(entities);
  if (bits.remaining >= 8) return failed(DROP_TOO_LONG);

  return ok({
    seq: readU32(bytes, 1),
    tick,
    baselineTick,
    serverTimeMs: readU32(bytes, 10),
    ackInputSeq: readU32(bytes, 14),
    entities,
  });
}

/**
 * A baseline's entities in id order, as the decoder walks them. A state this
 * decoder made already is (it checks its ids ascend), so it is used as it is;
 * another (a full snapshot's, in the server's order) is sorted once and
 * remembered with its array.
 */
const sortedBaselines = new WeakMap<readonly EntityState[], readonly EntityState[]>();
function inIdOrder(entities: readonly EntityState[]): readonly EntityState[] {
  let ascending = entities.length <= MAX_ENTITIES_PER_SNAPSHOT;
  for (let i = 1; ascending && i < entities.length; i++) ascending = entities[i]!.id > entities[i - 1]!.id;
  if (ascending) return entities;
  let sorted = sortedBaselines.get(entities);
  if (!sorted) {
    sorted = entities.slice(0, MAX_ENTITIES_PER_SNAPSHOT).sort(byId);
    sortedBaselines.set(entities, sorted);
  }
  return sorted;
}

/**
 * The removed ids and added entities of the packet being decoded. Decoding is
 * synchronous and these are emptied before each use, so one pair serves every
 * decode (they are read 30 times a second per client, and nearly always empty).
 */
const removedScratch: number[] = [];
const addedScratch: EntityState[] = [];

/**
 * Reads a count, then that many ascending ids as gaps into `ids`; with
 * `entities`, each id's kind and position follow it and the new entity goes
 * there. Returns an error code or null.
 */
function readIds(bits: BitReader, ids: number[] | null, entities: EntityState[] | null): string | null {
  const count = bits.readGamma() - 1;
  if (bits.overrun) return DROP_TOO_SHORT;
  if (count > MAX_ENTITIES_PER_SNAPSHOT) return DROP_BAD_COUNT;
  let id = -1;
  for (let i = 0; i < count; i++) {
    id += bits.readGamma();
    if (bits.overrun) return DROP_TOO_SHORT;
    if (id > MAX_ENTITY_ID) return DROP_BAD_VALUE;
    ids?.push(id);
    if (entities) {
      const kind = bits.read(DELTA_KIND_BITS) as EntityKind;
      const x = dequantize(bits.read(DELTA_COORDINATE_BITS));
      entities.push({ id, kind, x, y: dequantize(bits.read(DELTA_COORDINATE_BITS)) });
    }
    if (bits.overrun) return DROP_TOO_SHORT;
  }
  return null;
}

/**
 * Reads the removed and added lists, then walks the id-sorted baseline once,
 * reading the moved list as it goes (it is the long one, so it is never
 * materialised). Every removed or moved id must be in the baseline, every
 * added one must not (unless removed first); anything else is a corrupt or
 * forged packet. Unchanged entities keep their baseline objects: only what
 * moved or is new is allocated (this runs 30 times a second per client). A
 * baseline position's fixed-point value is quantize(x): exact for a decoded
 * one (x = q / POSITION_SCALE), as the encoder rounds a simulated one.
 */
function readBody(bits: BitReader, baseline: readonly EntityState[]): EntityState[] | string {
  const removed = removedScratch;
  const added = addedScratch;
  removed.length = 0;
  added.length = 0;
  const listError = readIds(bits, removed, null) ?? readIds(bits, null, added);
  if (listError) return listError;
  for (const entity of added) if (entity.kind > MAX_ENTITY_KIND) return DROP_BAD_VALUE;

  let movesLeft = bits.readGamma() - 1;
  const width = bits.read(DELTA_WIDTH_FIELD_BITS) + 1;
  if (bits.overrun) return DROP_TOO_SHORT;
  if (movesLeft > baseline.length) return DROP_BAD_COUNT;
  if (width > DELTA_MAX_BITS) return DROP_BAD_VALUE;
  let movedId = movesLeft > 0 ? bits.readGamma() - 1 : Infinity;
  if (bits.overrun) return DROP_TOO_SHORT;

  const out: EntityState[] = [];
  let r = 0;
  let a = 0;
  for (const old of baseline) {
    while (a < added.length && added[a]!.id < old.id) out.push(added[a++]!);
    if (removed[r]! < old.id || movedId < old.id) return DROP_BAD_VALUE; // removes or moves an id it never had
    if (removed[r] === old.id) {
      r++;
      if (movedId === old.id) return DROP_BAD_VALUE;
      continue;
    }
    if (added[a]?.id === old.id) return DROP_BAD_VALUE; // adds an id it still has
    if (movedId !== old.id) {
      out.push(old);
      continue;
    }
    const qx = quantize(old.x) + toSigned(bits.read(width), width);
    const qy = quantize(old.y) + toSigned(bits.read(width), width);
    if (bits.overrun) return DROP_TOO_SHORT;
    if (qx < 0 || qx > 0xffff || qy < 0 || qy > 0xffff) return DROP_BAD_VALUE;
    out.push({ id: old.id, kind: old.kind, x: dequantize(qx), y: dequantize(qy) });
    movedId = --movesLeft > 0 ? movedId + bits.readGamma() : Infinity;
    if (bits.overrun) return DROP_TOO_SHORT;
  }
  while (a < added.length) out.push(added[a++]!);
  if (r < removed.length || movesLeft > 0) return DROP_BAD_VALUE;
  if (out.length > MAX_ENTITIES_PER_SNAPSHOT) return DROP_BAD_COUNT;
  // Ids must be strictly ascending (an added id equal to a kept one would repeat it).
  for (let i = 1; i < out.length; i++) if (out[i]!.id <= out[i - 1]!.id) return DROP_BAD_VALUE;
  return out;
}
