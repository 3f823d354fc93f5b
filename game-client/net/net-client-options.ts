// What a NetClient is made with (its options), what it tells its owner (its
// handlers), and how start() fails: NetClient's outside, apart from its
// workings (net-client.ts).
import type { Snapshot } from '../../protocol/wire/snapshot.ts';
import type { ErrorMessage, GameEvent, Welcome } from '../../protocol/wire/stream.ts';
import type { ChannelName } from './channels.ts';
import type { ConnectionEvents } from './connection-events.ts';

export interface NetClientOptions {
  /** The server's HTTP origin, e.g. http://127.0.0.1:8080. */
  url: string;
  name: string;
  /** The room to join (created if new); absent means quick play, the server's choice. */
  room?: string;
  /** A session to resume (after a page reload). */
  resume?: { sessionToken: string; lastSeq: number };
  /** false: never open WebRTC, positions over the stream only. */
  useDatagram?: boolean;
  now?: () => number;
  /** Seeds this client's simulated network (upstream). */
  seed?: number;
  /** [0, 1), for the jitter of the reconnect and retry backoffs (default Math.random: clients must not agree). */
  random?: () => number;
  /**
   * The WebSocket class the stream's sockets are made with (default: the
   * global one). The seam through which tests and the soak bench drop a
   * stream as a network fault would (test/stream-drops.ts).
   */
  webSocket?: typeof WebSocket;
  /** Told each step of both channels' sockets (connection-events.ts); default: nobody. */
  connectionEvents?: ConnectionEvents;
  /**
   * Keep the net graph's per-update bookkeeping: the channels' recent windows
   * (channelStatus(...).recent, kbpsIn/kbpsOut) and the strip updateHistory()
   * returns. Default true (the page draws them); a headless bot sets false:
   * its counts, losses and ages are measured the same, and it spends nothing
   * on figures no one draws.
   */
  netGraph?: boolean;
}

/** Why `start()` failed: the server refused our hello (a bad name, a full server). */
export class JoinRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JoinRefusedError';
  }
}

export interface NetClientHandlers {
  /**
   * Joined or resumed. `freshStart` is true when we had a session and the
   * server did not know it (it restarted, or the session expired): our id,
   * score and everything tied to the old server are gone.
   */
  onWelcome?(welcome: Welcome, freshStart: boolean): void;
  /** The server said it is shutting down; the stream will close next. */
  onShutdown?(reason: string): void;
  /** A reliable event; `replayed` is true for history missed while disconnected (already counted in welcome's state). */
  onEvent?(event: GameEvent, replayed: boolean): void;
  onSnapshot?(snapshot: Snapshot, via: ChannelName, ageMs: number | null): void;
  onServerError?(error: ErrorMessage): void;
  /** Either channel changed state. */
  onStateChange?(): void;
}
