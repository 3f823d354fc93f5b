// The client's end of the stream: one WebSocket (ws-transport.ts) at a time,
// opened again with backoff after it drops, its messages validated, pinged
// for round trips (and the clock estimate) and liveness, and measured. What
// we send goes through the player's simulated network
// (conditioned-transport.ts): late, in order, never lost. What the messages
// mean (hello, welcome, events) is NetClient's business.
import {
  CLOCK_SYNC_WARMUP_INTERVAL_MS,
  CLOCK_SYNC_WARMUP_PINGS,
  CLOSE_HEARTBEAT_TIMEOUT,
  MAX_PINGS_IN_FLIGHT,
  RECONNECT_MAX_DELAY_MS,
  RECONNECT_MIN_DELAY_MS,
  STREAM_PATH,
} from '../../protocol/constants.ts';
import { backoffDelayMs } from '../../protocol/backoff.ts';
import type { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import { ChannelMeter, type ChannelMeterOptions } from '../../protocol/netsim/stats.ts';
import { parseServerMessage, type ClientMessage, type ServerMessage } from '../../protocol/wire/stream.ts';
import type { StreamChannelState } from './channels.ts';
import { ConditionedTransport } from './conditioned-transport.ts';
import { stepReport, type ConnectionEvents, type StepReport } from './connection-events.ts';
import { Liveness } from './liveness.ts';
import type { TransportData } from './transport.ts';
import { WsTransport } from './ws-transport.ts';

/** Every server message but pongs, which the channel answers itself. */
export type StreamMessage = Exclude<ServerMessage, { type: 'pong' }>;

export interface StreamChannelHandlers {
  /** A socket opened: say hello (or resume). */
  onOpen(): void;
  onMessage(message: StreamMessage): void;
  /** A binary message: a snapshot, when positions travel over the stream. */
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
  /** Text messages that failed validation. */
  malformed = 0;
  /** The socket now, under the simulated network. */
  private readonly link: ConditionedTransport<WsTransport>;
  private readonly liveness: Liveness;
  private readonly report: StepReport;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private pingId = 0;
  private readonly pings = new Map<number, number>();

  constructor(
    /** The server's HTTP origin; the stream is at STREAM_PATH on it. */
    private origin: string,
    outgoing: ConditionedSender,
    private readonly now: () => number,
    /** The WebSocket class to open sockets with; undefined: the global one. */
    private readonly webSocket: typeof WebSocket | undefined,
    private readonly handlers: StreamChannelHandlers,
    connectionEvents: ConnectionEvents,
    /** [0, 1), for the reconnect backoff's jitter (backoff.ts). */
    private readonly random: () => number = Math.random,
  ) {
    this.link = new ConditionedTransport('stream', outgoing, (bytes) => this.meter.recordBytesOut(this.now(), bytes));
    this.liveness = new Liveness(now, this.link);
    this.report = stepReport('stream', connectionEvents, now);
  }

  /** The next socket goes to another server (a redirect to the process hosting our room). */
  moveTo(origin: string): void {
    this.origin = origin;
  }

  open(): void {
    const handlers = {
      onOpen: () => {
        this.liveness.heard();
        this.handlers.onOpen();
      },
      onData: (data: TransportData) => this.receive(data),
      onClose: () => this.onClosed(),
    };
    this.link.current = new WsTransport(streamUrl(this.origin), this.webSocket ?? WebSocket, handlers, this.report);
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
    this.link.send(JSON.stringify(message));
  }

  /**
   * Sends at once, past our own simulated network, like a knob on a lab's
   * network emulator: used for settings, so both ends switch together and the
   * measurements restarted at the change describe the new settings, not a
   * settings message still crawling through the old ones.
   */
  sendNow(message: ClientMessage): void {
    this.link.sendNow(JSON.stringify(message));
  }

  /** Sends binary (input packets in fallback) through the simulated network. */
  sendBinary(bytes: Uint8Array): void {
    this.link.send(bytes);
  }

  /** Pings, or closes the socket after HEARTBEAT_TIMEOUT_MS of silence (it then reconnects); a stall of our own simulated network is allowed for (liveness.ts). */
  beat(): void {
    if (this.state !== 'open' || !this.link.current) return;
    if (this.liveness.silentTooLong()) this.link.current.close(CLOSE_HEARTBEAT_TIMEOUT, 'heartbeat timeout');
    else this.ping();
  }

  /** Forgets the pings in flight (their answers would come from a server that forgot us). */
  forgetPings(): void {
    this.pings.clear();
  }

  /** Starts measuring afresh at `nowMs`. */
  resetMeter(nowMs: number, lateThresholdMs: number, options: ChannelMeterOptions = {}): void {
    this.meter = new ChannelMeter(nowMs, lateThresholdMs, options);
    this.malformed = 0;
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.link.current?.close();
    this.state = 'closed';
  }

  /** A text message is an event (validated here: the server may be newer than us, or broken); a binary message, a snapshot. */
  private receive(data: TransportData) {
    if (typeof data !== 'string') {
      this.liveness.heard();
      return this.handlers.onSnapshotBytes(data);
    }
    const parsed = parseServerMessage(data);
    if (!parsed.ok) return void this.malformed++;
    this.liveness.heard();
    this.meter.recordBytesIn(this.now(), data.length);
    if (parsed.value.type === 'pong') this.onPong(parsed.value.id, parsed.value.serverTimeMs);
    else this.handlers.onMessage(parsed.value);
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
    this.link.current = null;
    if (this.stopped) return;
    this.state = 'reconnecting';
    this.downSinceMs ??= this.now();
    this.handlers.onReconnecting();
    const delay = backoffDelayMs(this.reconnectAttempts++, RECONNECT_MIN_DELAY_MS, RECONNECT_MAX_DELAY_MS, this.random);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}

/** The stream's ws:// (or wss://) address on the server's HTTP origin. */
function streamUrl(origin: string): string {
  const url = new URL(STREAM_PATH, origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
