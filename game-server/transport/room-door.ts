// The one door both gateways reach rooms through. The stream gateway seats a
// hello and asks for a chat budget; the datagram gateway authorizes a token
// and binds the channel it opened. The Matchmaker (cluster/matchmaker.ts)
// implements it, in front of the lobby and, with Redis, the room directory.
// Once a player is seated, the gateways talk to its Room directly (input,
// chat, settings, leave), through receive-input.ts for input.
import type { Result } from '../../protocol/result.ts';
import type { ServerMessage } from '../../protocol/wire/stream.ts';
import type { DatagramLink, StreamLink } from '../rooms/links.ts';
import type { JoinRequest } from '../rooms/lobby.ts';
import type { Joined, Room } from '../rooms/room.ts';

/** A hello's outcome: seated here, or sent to the process that hosts the room. */
export type Seating = ({ kind: 'seated'; room: Room } & Joined) | { kind: 'elsewhere'; url: string; room: string; reservation?: string };

/** The hello as the matchmaker needs it: a lobby request plus a reservation brought from a redirect. */
export interface SeatRequest extends JoinRequest {
  reservation?: string;
}

export interface RoomDoor {
  /** Seats a hello's player: in a room here, or in one on another process (a redirect). */
  seat(request: SeatRequest, stream: StreamLink): Promise<Result<Seating>>;
  /** A seating whose player left before hearing of it: what it held is given back. */
  abandoned(seating: Seating): void;
  /** Takes a chat token from the address's budget (shared by the cluster). */
  allowChat(address: string): Promise<boolean>;
  /** A datagram token's room and player (geckos' authorization hook); an error is the drop reason. */
  authorizeDatagram(token: string): Result<{ room: string; playerId: number }>;
  /** Binds a player's opened data channel: its room, or null when the room or the player is gone. */
  bindDatagram(room: string, playerId: number, link: DatagramLink): Room | null;
  /** A message on a player's stream, if the player is here and its stream open (how its data channel's timeline reaches it). */
  tell(room: string, playerId: number, message: ServerMessage): void;
}
