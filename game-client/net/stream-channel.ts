// The client's end of the stream: one StreamConnection at a time, opened
// again with backoff after it drops, pinged for round trips (and the clock
// estimate) and liveness, and measured. What we send goes through the
// player's simulated network: late, in order, never lost. What the messages
// mean (hello, welcome, events) is NetClient's business.
import {
  CLOCK_SYNC_WARMUP_INTERVAL_MS,
  CLOCK_SYNC_WARMUP_PINGS,
  CLOSE_HEARTBEAT_TIMEOUT,
  HEARTBEAT_TIMEOUT_MS,
  MAX_PINGS_IN_FLIGHT,
  RECONNECT_MAX_DELAY_MS,
  RECONNECT_MIN_DELAY_MS,
  STREAM_PATH,
} from '../../protocol/constants.ts';
import type { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import { ChannelMeter } from '../../protocol/netsim/stats.ts';
import type { ClientMessage, ServerMessage } from '../../protocol/wire/stream.ts';
import type { StreamChannelState } from './channels.ts';
import { StreamConnection } from './stream-connection.ts';

/** Every server message but pongs, which the channel answers itself. */
export type StreamMessage = Exclude<ServerMessage, { type: 'pong' }>;

export interface StreamChannelHandlers {
  /** A socket opened: say hello (or resume). */
  onOpen(): void;
  onMessage(message: StreamMessage): void;
  /** A binary frame: a snapshot, when positions travel over the stream. */
  onSnapshotBytes(bytes: Uint8Array): void;
  /** The socket closed; a new one opens after a backoff. */
  onReconnecting(): void;
  /** A ping's round trip, for the server clock estimate. */
  onClockSample(sentAtMs: number, serverTimeMs: number, receivedAtMs: number): void;
}

export class StreamChannel {
  /** `open` only once the server welcomed us on the current socket. */
  state: StreamChannelState = 'connecting';
  /** Reconnect attempts since the stream was last open. */
  reconnectAttempts = 0;
  /** When the stream last went down (this.now() time), or null while welcomed: how long we have been without a server. */
  downSinceMs: number | null = null;
  meter = new ChannelMeter();
  /** Frames that failed validation. */
  malformed = 0;
  private connection: StreamConnection | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private lastHeardMs = 0;
  private pingId = 0;
  private readonly pings = new Map<number, number>();

  constructor(
    /** The game's HTTP origin; the stream is at STREAM_PATH on it. */
    private origin: string,
    private readonly outgoing: ConditionedSender,
    private readonly now: () => number,
    /** The WebSocket class to open sockets with; undefined: the global one. */
    private readonly webSocket: typeof WebSocket | undefined,
    private readonly handlers: StreamChannelHandlers,
  ) {}

  /** The next socket goes to another server (a redirect to the process hosting our room). */
  moveTo(origin: string): void {
    this.origin = origin;
  }

  open(): void {
    this.connection = new StreamConnection(streamUrl(this.origin), this.webSocket ?? WebSocket, {
      onOpen: () => {
        this.lastHeardMs = this.now();
        this.handlers.onOpen();
      },
      onMessage: (message, bytes) => {
        this.lastHeardMs = this.now();
        this.meter.recordBytesIn(this.now(), bytes);
        if (message.type === 'pong') this.onPong(message.id, message.serverTimeMs);
        else this.handlers.onMessage(message);
      },
      onBinary: (bytes) => {
        this.lastHeardMs = this.now();
        this.handlers.onSnapshotBytes(bytes);
      },
      onInvalid: () => this.malformed++,
      onClose: () => this.onClosed(),
    });
  }

  /** The server welcomed us on this socket: the stream is open, the backoff starts over, and a few quick pings start the clock estimate well. */
  welcomed(): void {
    this.state = 'open';
    this.reconnectAttempts = 0;
    this.downSinceMs = null;
    for (let i = 1; i <= CLOCK_SYNC_WARMUP_PINGS; i++) setTimeout(() => this.ping(), i * CLOCK_SYNC_WARMUP_INTERVAL_MS);
  }

  /** Sends through the simulated network: late, in order, never lost. */
  send(message: ClientMessage): void {
    this.outgoing.stream(() => this.meter.recordBytesOut(this.now(), this.connection?.send(message) ?? 0));
  }

  /**
   * Sends at once, past our own simulated network, like a knob on a lab's
   * network emulator: used for settings, so both ends switch together and the
   * measurements restarted at the change describe the new settings, not a
   * settings message still crawling through the old ones.
   */
  sendNow(message: ClientMessage): void {
    this.meter.recordBytesOut(this.now(), this.connection?.send(message) ?? 0);
  }

  /** Sends binary (input packets in fallback) through the simulated network. */
  sendBinary(bytes: Uint8Array): void {
    this.outgoing.stream(() => this.meter.recordBytesOut(this.now(), this.connection?.sendBinary(bytes) ?? 0));
  }

  /** Pings, or closes the socket after HEARTBEAT_TIMEOUT_MS of silence (it then reconnects). */
  beat(): void {
    if (this.state !== 'open' || !this.connection) return;
    // A stall of our own simulated network is not a dead server.
    if (this.now() - this.lastHeardMs > HEARTBEAT_TIMEOUT_MS + this.outgoing.streamStallMs) {
      this.connection.close(CLOSE_HEARTBEAT_TIMEOUT, 'heartbeat timeout');
    } else {
      this.ping();
    }
  }

  /** Forgets the pings in flight (their answers would come from a server that forgot us). */
  forgetPings(): void {
    this.pings.clear();
  }

  /** Starts measuring afresh at `nowMs`. */
  resetMeter(nowMs: number, lateThresholdMs: number): void {
    this.meter = new ChannelMeter(nowMs, lateThresholdMs);
    this.malformed = 0;
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.connection?.close();
    this.state = 'closed';
  }

  private ping() {
    if (this.state !== 'open') return;
    const now = this.now();
    const id = ++this.pingId;
    this.pings.set(id, now);
    if (this.pings.size > MAX_PINGS_IN_FLIGHT) this.pings.delete(this.pings.keys().next().value!);
    this.send({ type: 'ping', id, clientTimeMs: Math.round(now) });
  }

  private onPong(id: number, serverTimeMs: number) {
    const sentAt = this.pings.get(id);
    if (sentAt === undefined) return;
    this.pings.delete(id);
    const now = this.now();
    this.handlers.onClockSample(sentAt, serverTimeMs, now);
    this.meter.recordRtt(now - sentAt, now);
  }

  private onClosed() {
    this.connection = null;
    if (this.stopped) return;
    this.state = 'reconnecting';
    this.downSinceMs ??= this.now();
    this.handlers.onReconnecting();
    const delay = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_MIN_DELAY_MS * 2 ** this.reconnectAttempts++);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}

/** The stream's ws:// (or wss://) address on the game's HTTP origin. */
function streamUrl(origin: string): string {
  const url = new URL(STREAM_PATH, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
