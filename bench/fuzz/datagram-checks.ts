// What an accepted datagram must satisfy beyond "did not throw": every field
// in its wire range, and a round trip through the encoder gives the same
// bytes (full snapshot, input, ping) or the same state (delta, whose bit
// layout has more than one valid spelling). Each check returns a reason or null.
import {
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  INPUT_AXIS_MAX,
  INPUT_REDUNDANCY,
  MAX_BASELINE_AGE_TICKS,
  MAX_ENTITIES_PER_SNAPSHOT,
  MAX_ENTITY_KIND,
  POSITION_SCALE,
} from '../../protocol/constants.ts';
import type { Result } from '../../protocol/result.ts';
import { decodeDeltaSnapshot, encodeDeltaSnapshot, type DeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { encodeInputPacket, type InputPacket } from '../../protocol/wire/input.ts';
import { encodePing, type Ping, type Pong } from '../../protocol/wire/ping.ts';
import { encodeSnapshot, type EntityState, type Snapshot } from '../../protocol/wire/snapshot.ts';
import { isUint } from './fuzz-target.ts';

const U16_BITS = 16;
const U32_BITS = 32;

export type FindBaseline = (tick: number) => readonly EntityState[] | undefined;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A coordinate as the wire carries it: a u16 count of 1/POSITION_SCALE px steps. */
const onGrid = (v: number) => isUint(v * POSITION_SCALE, U16_BITS);

function checkEntities(entities: readonly EntityState[], ascending: boolean): string | null {
  if (entities.length > MAX_ENTITIES_PER_SNAPSHOT) return `${entities.length} entities, over MAX_ENTITIES_PER_SNAPSHOT`;
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i]!;
    if (!isUint(e.id, U16_BITS)) return `entity id ${e.id} is not a u16`;
    if (!isUint(e.kind, U16_BITS) || e.kind > MAX_ENTITY_KIND) return `entity kind ${e.kind} out of range`;
    if (!onGrid(e.x) || !onGrid(e.y)) return `entity position (${e.x}, ${e.y}) off the fixed-point grid`;
    if (ascending && i > 0 && e.id <= entities[i - 1]!.id) return `entity ids not strictly ascending at ${i}`;
  }
  return null;
}

function checkSnapshotHeader(s: Snapshot): string | null {
  for (const field of [s.seq, s.tick, s.serverTimeMs, s.ackInputSeq]) if (!isUint(field, U32_BITS)) return `header field ${field} is not a u32`;
  return null;
}

/** An accepted input packet: fields in range, and it encodes back to exactly its bytes. */
export function checkInputPacket(packet: InputPacket, bytes: Uint8Array): string | null {
  if (!isUint(packet.seq, U32_BITS) || !isUint(packet.ackTick, U32_BITS)) return 'seq or ackTick is not a u32';
  if (packet.inputs.length < 1 || packet.inputs.length > INPUT_REDUNDANCY) return `${packet.inputs.length} inputs`;
  if (packet.seq < packet.inputs.length) return 'carries an input before sequence 1';
  const axisOk = (v: number) => Number.isInteger(v) && Math.abs(v) <= INPUT_AXIS_MAX;
  for (const input of packet.inputs) if (!axisOk(input.moveX) || !axisOk(input.moveY)) return `axis out of range: ${JSON.stringify(input)}`;
  return sameBytes(encodeInputPacket(packet), bytes) ? null : 'does not re-encode to the same bytes';
}

/** An accepted full snapshot: fields in range, and it encodes back to exactly its bytes. */
export function checkSnapshot(snapshot: Snapshot, bytes: Uint8Array): string | null {
  const problem = checkSnapshotHeader(snapshot) ?? checkEntities(snapshot.entities, false);
  if (problem) return problem;
  return sameBytes(encodeSnapshot(snapshot), bytes) ? null : 'does not re-encode to the same bytes';
}

/** An accepted ping or pong: fields in range, and it encodes back to exactly its bytes. */
export function checkPing(ping: Ping | Pong, bytes: Uint8Array): string | null {
  const type: number = ping.type;
  if (type !== DATAGRAM_TYPE_PING && type !== DATAGRAM_TYPE_PONG) return `type ${type}`;
  const fields = ping.type === DATAGRAM_TYPE_PONG ? [ping.id, ping.clientTimeMs, ping.serverTimeMs] : [ping.id, ping.clientTimeMs];
  if (!fields.every((field) => isUint(field, U32_BITS))) return 'a field is not a u32';
  return sameBytes(encodePing(ping), bytes) ? null : 'does not re-encode to the same bytes';
}

const entityKey = (entities: readonly EntityState[]) => entities.map((e) => `${e.id}:${e.kind}:${e.x}:${e.y}`).join(',');

/**
 * An accepted delta: fields in range, ids ascending, a baseline age in range,
 * and re-encoding the decoded state against the same baseline decodes to the same state.
 */
export function checkDelta(delta: DeltaSnapshot, findBaseline: FindBaseline): string | null {
  const problem = checkSnapshotHeader(delta) ?? checkEntities(delta.entities, true);
  if (problem) return problem;
  const age = delta.tick - delta.baselineTick;
  if (!Number.isInteger(age) || age < 1 || age > MAX_BASELINE_AGE_TICKS) return `baseline age ${age} out of range`;
  const baseline = findBaseline(delta.baselineTick);
  if (!baseline) return 'accepted without its baseline';
  const again: Result<DeltaSnapshot> = decodeDeltaSnapshot(encodeDeltaSnapshot(delta, delta.baselineTick, baseline), findBaseline);
  if (!again.ok) return `its state, re-encoded, is rejected (${again.error})`;
  return entityKey(again.value.entities) === entityKey(delta.entities) ? null : 'its state, re-encoded, decodes differently';
}
