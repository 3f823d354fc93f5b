// Datagram heartbeat: the client sends PING every HEARTBEAT_INTERVAL_MS, the
// server answers PONG. It keeps the channel's liveness visible to both ends,
// measures the datagram round trip, and stamps the server's clock, so the
// client's clock estimate can use whichever channel answers fastest.
//
//   offset size field
//   0      u8   type = DATAGRAM_TYPE_PING or DATAGRAM_TYPE_PONG
//   1      u32  id            echo matching
//   5      u32  clientTimeMs  the client's clock when it pinged, echoed back
//   9      u32  serverTimeMs  PONG only: the server's clock when it answered
import { DATAGRAM_TYPE_PING, DATAGRAM_TYPE_PONG, DROP_TOO_LONG, DROP_TOO_SHORT, DROP_UNKNOWN_TYPE, PING_BYTES, PONG_BYTES } from '../constants.ts';
import { failed, ok, type Result } from '../result.ts';
import { viewOf } from './bytes.ts';

export interface Ping {
  type: typeof DATAGRAM_TYPE_PING;
  id: number;
  clientTimeMs: number;
}

export interface Pong {
  type: typeof DATAGRAM_TYPE_PONG;
  id: number;
  clientTimeMs: number;
  serverTimeMs: number;
}

export function encodePing(ping: Ping | Pong): Uint8Array {
  const bytes = new Uint8Array(ping.type === DATAGRAM_TYPE_PONG ? PONG_BYTES : PING_BYTES);
  const view = viewOf(bytes);
  view.setUint8(0, ping.type);
  view.setUint32(1, ping.id >>> 0);
  view.setUint32(5, ping.clientTimeMs >>> 0);
  if (ping.type === DATAGRAM_TYPE_PONG) view.setUint32(9, ping.serverTimeMs >>> 0);
  return bytes;
}

/** Decodes a PING (9 bytes) or a PONG (13 bytes), each only at its exact length. */
export function decodePing(bytes: Uint8Array): Result<Ping | Pong> {
  if (bytes.byteLength < 1) return failed(DROP_TOO_SHORT);
  const view = viewOf(bytes);
  const type = view.getUint8(0);
  if (type !== DATAGRAM_TYPE_PING && type !== DATAGRAM_TYPE_PONG) return failed(DROP_UNKNOWN_TYPE);
  const expected = type === DATAGRAM_TYPE_PONG ? PONG_BYTES : PING_BYTES;
  if (bytes.byteLength < expected) return failed(DROP_TOO_SHORT);
  if (bytes.byteLength > expected) return failed(DROP_TOO_LONG);
  const id = view.getUint32(1);
  const clientTimeMs = view.getUint32(5);
  return type === DATAGRAM_TYPE_PONG ? ok({ type, id, clientTimeMs, serverTimeMs: view.getUint32(9) }) : ok({ type, id, clientTimeMs });
}

/** The first byte names the datagram's type; 0 for an empty datagram. */
export function datagramType(bytes: Uint8Array): number {
  return bytes.byteLength > 0 ? bytes[0]! : 0;
}
