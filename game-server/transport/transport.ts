// The one seam between the game and a transport: what an adapter (ws in
// ws-adapter.ts, geckos in geckos/geckos-adapter.ts) hands the gateways for
// each open connection. These are the real socket's sends, before any
// simulated network: the conditioned links (conditioned-links.ts) wrap them
// for the player's chosen conditions, and liveness is judged on the channel
// underneath, never through the simulation.
import type { ChannelName } from '../../protocol/constants.ts';
import type { ServerMessage } from '../../protocol/wire/stream.ts';

/** One open connection to one client, on either transport. */
export interface Transport {
  readonly kind: ChannelName;
  /** Ours, for connection events: a per-kind counter, never geckos' id (geckos/connection-aliases.ts). */
  readonly connectionId: string;
  /** Sends one binary message; false if it was dropped before the wire (closed, backed up, too large). */
  sendBinary(bytes: Uint8Array): boolean;
  /** Closes the connection; a datagram channel has no close code, and ignores both. */
  close(code?: number, reason?: string): void;
}

/** The stream's channel also carries the game's events, as JSON text: reliable and ordered. */
export interface StreamTransport extends Transport {
  readonly kind: 'stream';
  send(message: ServerMessage): void;
}
