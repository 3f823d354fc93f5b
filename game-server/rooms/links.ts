// How a room reaches a player: one link per channel, implemented by the
// conditioned links (transport/conditioned-links.ts: the player's simulated
// network) over the transport adapters' Transports (transport/transport.ts).
// Neither the room nor its snapshot sender touches a socket. (The client's
// classes for its own ends are StreamChannel and DatagramChannel, in
// game-client/net/.)
import type { NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import type { PositionPath, ServerMessage } from '../../protocol/wire/stream.ts';

/** The stream side of one player, as the room sees it. */
export interface StreamLink {
  send(message: ServerMessage): void;
  /** Sends a binary snapshot frame; false if it was dropped (socket backed up). */
  sendBinary(bytes: Uint8Array): boolean;
  close(code: number, reason: string): void;
  /** The player's simulated network for what the server sends it. */
  setConditions(conditions: NetworkConditions): void;
}

/** The datagram side of one player. */
export interface DatagramLink {
  /** Sends one unreliable datagram; false if it was dropped (before the wire, or by the simulated network). */
  send(bytes: Uint8Array): boolean;
  close(): void;
  setConditions(conditions: NetworkConditions): void;
}

/** What a player may change about its own game over the stream. */
export interface PlayerSettings {
  path?: PositionPath;
  conditions?: NetworkConditions;
}
