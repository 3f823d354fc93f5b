// What the transport adapters tell about each connection's life, for a
// reader outside the game (the coming connection timeline). The adapters
// report; nothing in the game reads it. Passed in at creation (startServer's
// `connectionEvents`); without one, NO_CONNECTION_EVENTS costs a handful of
// calls per connection and nothing per message but one boolean.
import type { ChannelName } from '../../protocol/constants.ts';

/**
 * The steps, in the order a connection passes them:
 * - `accepted`: the stream's TCP connection was accepted (its time is the
 *   accept's, though it is reported at the upgrade request); the datagram
 *   channel's signaling offer was asked for (`POST /connections`);
 * - `upgraded`: the stream's `101 Switching Protocols` was written (stream only);
 * - `channel-open`: the channel can carry the game's messages (the WebSocket
 *   is open; the data channel opened and was bound to its player);
 * - `first-message`: the first message from the client arrived;
 * - `closed`: the connection is gone (either end closed it, or it never opened).
 */
export type ConnectionStep = 'accepted' | 'upgraded' | 'channel-open' | 'first-message' | 'closed';

export interface ConnectionEvent {
  step: ConnectionStep;
  /** The server's clock (ms since it started), as snapshots and pongs carry it. */
  atMs: number;
  channel: ChannelName;
  /** Ours, per kind (`stream-3`, `datagram-7`): never geckos' id, which is a credential of sorts. */
  connectionId: string;
  /** Once known: the room and player this connection belongs to. */
  room?: string;
  playerId?: number;
}

export interface ConnectionEvents {
  record(event: ConnectionEvent): void;
}

/** The default: nobody listens. */
export const NO_CONNECTION_EVENTS: ConnectionEvents = { record() {} };
