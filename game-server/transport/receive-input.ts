// Where an input packet enters the game, whichever channel carried it: over
// datagrams (the usual path) or as a binary stream frame (the fallback when
// WebRTC cannot connect). Each gateway keeps its own rate limits and says how
// a refusal is counted and answered; the decoding and the hand-over to the
// player's room are the same for both.
import { ERROR_NOT_JOINED } from '../../protocol/constants.ts';
import { failed, ok, type Result } from '../../protocol/result.ts';
import { decodeInputPacket } from '../../protocol/wire/input.ts';
import type { Room } from '../rooms/room.ts';

/** Who a channel plays as: inputs are attributed by channel, never by what the packet says. */
export interface SeatedPlayer {
  room: Room;
  playerId: number;
}

/**
 * Decodes one input packet and hands it to the player's room. Refused with
 * the decoder's reason when malformed, or ERROR_NOT_JOINED when the channel
 * has no player yet (a packet is decoded first, so junk is called junk).
 */
export function receiveInput(bytes: Uint8Array, player: SeatedPlayer | null): Result<null> {
  const packet = decodeInputPacket(bytes);
  if (!packet.ok) return failed(packet.error);
  if (!player) return failed(ERROR_NOT_JOINED);
  player.room.onInputPacket(player.playerId, packet.value);
  return ok(null);
}
