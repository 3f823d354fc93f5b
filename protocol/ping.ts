// Datagram heartbeat: the client sends PING every HEARTBEAT_INTERVAL_MS, the
// server echoes it as PONG. It keeps the channel's liveness visible to both
// ends and measures the datagram round trip.
//
//   offset size field
//   0      u8   type = DATAGRAM_TYPE_PING or DATAGRAM_TYPE_PONG
//   1      u32  id            echo matching
//   5      u32  clientTimeMs  sender's clock, echoed back unchanged
import {
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  PING_BYTES,
} from './constants.ts';
import { decoded, rejected, viewOf, type DecodeResult } from './decode-result.ts';

export interface Ping {
  type: typeof DATAGRAM_TYPE_PING | typeof DATAGRAM_TYPE_PONG;
  id: number;
  clientTimeMs: number;
}

export function encodePing(ping: Ping): Uint8Array {
  const bytes = new Uint8Array(PING_BYTES);
  const view = viewOf(bytes);
  view.setUint8(0, ping.type);
  view.setUint32(1, ping.id >>> 0);
  view.setUint32(5, ping.clientTimeMs >>> 0);
  return bytes;
}

export function decodePing(bytes: Uint8Array): DecodeResult<Ping> {
  if (bytes.byteLength < PING_BYTES) return rejected(DROP_TOO_SHORT);
  if (bytes.byteLength > PING_BYTES) return rejected(DROP_TOO_LONG);
  const view = viewOf(bytes);
  const type = view.getUint8(0);
  if (type !== DATAGRAM_TYPE_PING && type !== DATAGRAM_TYPE_PONG) return rejected(DROP_UNKNOWN_TYPE);
  return decoded({ type, id: view.getUint32(1), clientTimeMs: view.getUint32(5) });
}

/** The first byte names the datagram's type; 0 for an empty datagram. */
export function datagramType(bytes: Uint8Array): number {
  return bytes.byteLength > 0 ? bytes[0]! : 0;
}
