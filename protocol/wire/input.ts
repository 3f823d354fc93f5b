// Binary input packet, client → server over the datagram channel.
//
//   offset size field
//   0      u8   type = DATAGRAM_TYPE_INPUT
//   1      u32  seq      sequence number of the newest input in this packet
//   5      u32  ackTick  newest snapshot tick the client has received (0 = none)
//   9      u8   count    inputs that follow, 1..INPUT_REDUNDANCY
//   10     2×count       newest first: moveX i8, moveY i8 (input `seq - i`)
//
// Each packet repeats the last few inputs, so a lost packet loses no input:
// the next one carries it again. The server ignores inputs it already applied.
import {
  DATAGRAM_TYPE_INPUT,
  DROP_BAD_COUNT,
  DROP_BAD_VALUE,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  INPUT_AXIS_MAX,
  INPUT_BYTES,
  INPUT_HEADER_BYTES,
  INPUT_REDUNDANCY,
} from '../constants.ts';
import { failed, ok, type Result } from '../result.ts';
import { viewOf, writeU32 } from './bytes.ts';
import type { MoveInput } from '../sim/sim.ts';

export interface InputPacket {
  /** Sequence number of `inputs[0]`; `inputs[i]` has sequence `seq - i`. */
  seq: number;
  ackTick: number;
  /** Newest first. */
  inputs: MoveInput[];
}

/** An axis as it travels: an integer within ±INPUT_AXIS_MAX (a function of its own, not a closure made per input). */
const axis = (v: number) => Math.max(-INPUT_AXIS_MAX, Math.min(INPUT_AXIS_MAX, Math.trunc(v) || 0));

/** Encodes an input packet; callers pass at most INPUT_REDUNDANCY inputs, newest first. */
export function encodeInputPacket(packet: InputPacket): Uint8Array {
  const count = Math.min(packet.inputs.length, INPUT_REDUNDANCY);
  // Written byte by byte, without a DataView: 30 packets a second per client (a Uint8Array stores an i8 as its two's complement).
  const bytes = new Uint8Array(INPUT_HEADER_BYTES + count * INPUT_BYTES);
  bytes[0] = DATAGRAM_TYPE_INPUT;
  writeU32(bytes, 1, packet.seq >>> 0);
  writeU32(bytes, 5, packet.ackTick >>> 0);
  bytes[9] = count;
  for (let i = 0; i < count; i++) {
    const input = packet.inputs[i]!;
    bytes[INPUT_HEADER_BYTES + i * INPUT_BYTES] = axis(input.moveX);
    bytes[INPUT_HEADER_BYTES + i * INPUT_BYTES + 1] = axis(input.moveY);
  }
  return bytes;
}

/** Decodes an input packet, rejecting anything not exactly as laid out above. */
export function decodeInputPacket(bytes: Uint8Array): Result<InputPacket> {
  if (bytes.byteLength < INPUT_HEADER_BYTES) return failed(DROP_TOO_SHORT);
  const view = viewOf(bytes);
  if (view.getUint8(0) !== DATAGRAM_TYPE_INPUT) return failed(DROP_UNKNOWN_TYPE);
  const seq = view.getUint32(1);
  const ackTick = view.getUint32(5);
  const count = view.getUint8(9);
  if (count < 1 || count > INPUT_REDUNDANCY) return failed(DROP_BAD_COUNT);
  const expected = INPUT_HEADER_BYTES + count * INPUT_BYTES;
  if (bytes.byteLength < expected) return failed(DROP_TOO_SHORT);
  if (bytes.byteLength > expected) return failed(DROP_TOO_LONG);
  // Input sequences start at 1, so the oldest carried input must be ≥ 1.
  if (seq < count) return failed(DROP_BAD_VALUE);
  const inputs: MoveInput[] = [];
  for (let i = 0; i < count; i++) {
    const moveX = view.getInt8(INPUT_HEADER_BYTES + i * INPUT_BYTES);
    const moveY = view.getInt8(INPUT_HEADER_BYTES + i * INPUT_BYTES + 1);
    if (moveX < -INPUT_AXIS_MAX || moveY < -INPUT_AXIS_MAX) return failed(DROP_BAD_VALUE);
    inputs.push({ moveX, moveY });
  }
  return ok({ seq, ackTick, inputs });
}
