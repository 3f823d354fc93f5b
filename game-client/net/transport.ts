// The one seam between the client's channels and real sockets. A channel
// (stream-channel.ts, datagram-channel.ts) holds the session-independent
// logic (reconnects, pings, liveness, measurement); a Transport is one
// socket's worth of I/O under it: the ws adapter (ws-transport.ts) or the
// geckos adapter (geckos/geckos-transport.ts). Between the two sits the
// simulated network (conditioned-transport.ts), so the channels' liveness
// asks it, once, how much silence it explains.

/** What travels: JSON text (the stream's events) or bytes (snapshots, inputs, pings). */
export type TransportData = string | Uint8Array;

export interface TransportHandlers {
  /** The transport can carry data (for geckos: the first datagram arrived). */
  onOpen(): void;
  onData(data: TransportData): void;
  /** Closed, or could not open (`error` says why, e.g. "status 401" for a refused token). Called once. */
  onClose(error?: string): void;
}

export interface Transport {
  /** Sends now; returns the bytes handed to the socket (0 when it cannot carry them). */
  send(data: TransportData): number;
  /** Whether the real connection underneath is up, whatever the game's simulated network drops. */
  isUp(): boolean;
  /** Closes (a `code` and `reason` where the transport has them: WebSocket). */
  close(code?: number, reason?: string): void;
}
