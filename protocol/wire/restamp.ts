// One encoding of a tick's snapshot, many recipients. Everything in a full or
// delta snapshot is the same for every player who gets it from the same
// baseline, except two header fields: the packet sequence (per player and
// channel) and the newest input applied for that player. The server encodes
// once per baseline and restamps a copy per player, instead of encoding the
// world again for each one (the load benchmark's largest per-client cost).
import { DATAGRAM_TYPE_SNAPSHOT, DATAGRAM_TYPE_SNAPSHOT_DELTA } from '../constants.ts';

/** Where `seq` and `ackInputSeq` sit in each snapshot kind's header (see snapshot.ts and delta-snapshot.ts). */
const SEQ_OFFSET = 1;
const ACK_INPUT_SEQ_OFFSET: Record<number, number> = {
  [DATAGRAM_TYPE_SNAPSHOT]: 13,
  [DATAGRAM_TYPE_SNAPSHOT_DELTA]: 14,
};

/** A copy of an encoded full or delta snapshot with this recipient's `seq` and `ackInputSeq`. */
export function restampSnapshot(encoded: Uint8Array, seq: number, ackInputSeq: number): Uint8Array {
  const ackOffset = ACK_INPUT_SEQ_OFFSET[encoded[0]!];
  if (ackOffset === undefined) throw new Error(`not a snapshot: type ${encoded[0]}`);
  const copy = encoded.slice();
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  view.setUint32(SEQ_OFFSET, seq >>> 0);
  view.setUint32(ackOffset, ackInputSeq >>> 0);
  return copy;
}
