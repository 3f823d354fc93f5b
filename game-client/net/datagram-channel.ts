// The client's end of the datagram channel: one geckos data channel
// (geckos/geckos-transport.ts) at a time, bound with a single-use token from the stream. When WebRTC fails the
// channel falls back (positions and inputs take the stream) and asks for a new
// token after a backoff. It pings for round trips (the cleanest clock
// samples: no head-of-line blocking) and liveness, and measures. What we
// send goes through the player's simulated network (conditioned-transport.ts):
// maybe lost, late, reordered or twice.
import {
  DATAGRAM_RETRY_MAX_MS,
  DATAGRAM_RETRY_MIN_MS,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DATAGRAM_TYPE_SNAPSHOT,
  DATAGRAM_TYPE_SNAPSHOT_DELTA,
} from '../../protocol/constants.ts';
import { backoffDelayMs } from '../../protocol/backoff.ts';
import type { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import { ChannelMeter, type ChannelMeterOptions } from '../../protocol/netsim/stats.ts';
import { datagramType, decodePing, encodePing } from '../../protocol/wire/ping.ts';
import type { DatagramChannelState } from './channels.ts';
import { ConditionedTransport } from './conditioned-transport.ts';
import { GeckosTransport } from './geckos/geckos-transport.ts';
import { stepReport, type ConnectionEvents, type StepReport } from './connection-events.ts';
import { Liveness } from './liveness.ts';
import type { TransportData, TransportHandlers } from './transport.ts';

export interface DatagramChannelHandlers {
  onSnapshotBytes(bytes: Uint8Array): void;
  /** A pong's round trip, for the server clock estimate. */
  onClockSample(sentAtMs: number, serverTimeMs: number, receivedAtMs: number): void;
  /** Time to try again: ask the server (over the stream) for a new token. */
  requestToken(): void;
  onStateChange(): void;
}

export class DatagramChannel {
  state: DatagramChannelState = 'connecting';
  /** Why the channel is not open, for the HUD. */
  note = '';
  meter = new ChannelMeter();
  /** Datagrams that failed to decode. */
  malformed = 0;
  /** The data channel now, under the simulated network. */
  private readonly link: ConditionedTransport<GeckosTransport>;
  private readonly liveness: Liveness;
  private readonly report: StepReport;
  private readonly connectionEvents: ConnectionEvents;
  private attempts = 0;
  private stopped = false;
  private pingId = 0;

  constructor(
    /** The server's HTTP origin; geckos signals over it. */
    private url: string,
    /** false: never open WebRTC, positions over the stream only. */
    private readonly enabled: boolean,
    outgoing: ConditionedSender,
    private readonly now: () => number,
    private readonly handlers: DatagramChannelHandlers,
    connectionEvents: ConnectionEvents,
    /** [0, 1), for the retry backoff's jitter (backoff.ts). */
    private readonly random: () => number = Math.random,
  ) {
    this.link = new ConditionedTransport('datagram', outgoing, (bytes) => {
      if (bytes > 0) this.meter.recordBytesOut(this.now(), bytes);
    });
    this.liveness = new Liveness(now, this.link);
    this.report = stepReport('datagram', connectionEvents, now);
    this.connectionEvents = connectionEvents;
  }

  /** The next channel opens on another server (a redirect to the process hosting our room). */
  moveTo(url: string): void {
    this.url = url;
  }

  /** Opens a channel bound by `token`, replacing any channel we had. */
  open(token: string): void {
    if (this.stopped || !this.enabled) {
      this.state = 'fallback';
      this.note = 'WebRTC disabled: positions travel over the stream';
      this.handlers.onStateChange();
      return;
    }
    const previous = this.link.current;
    this.link.current = null; // so the old channel's close is not taken for a failure
    previous?.close();
    if (this.state !== 'fallback') this.state = 'connecting';
    const handlers: TransportHandlers = {
      onOpen: () => {
        if (this.link.current !== connection) return;
        this.state = 'open';
        this.note = '';
        this.attempts = 0;
        this.liveness.heard();
        this.handlers.onStateChange();
      },
      onData: (data: TransportData) => {
        if (this.link.current !== connection || typeof data === 'string') return;
        this.liveness.heard();
        this.receive(data);
      },
      onClose: (error) => {
        if (this.link.current !== connection) return;
        this.link.current = null;
        if (this.stopped) return;
        // The stream carries positions until a new channel opens.
        this.state = 'fallback';
        this.note = error ? `WebRTC could not connect (${error}): positions travel over the stream` : 'WebRTC channel lost: positions travel over the stream';
        this.handlers.onStateChange();
        this.scheduleRetry();
      },
    };
    const connection = new GeckosTransport(this.url, token, handlers, this.report, this.connectionEvents, this.now);
    this.link.current = connection;
  }

  /** Sends one datagram through the simulated network: maybe lost, late, reordered or twice. */
  send(bytes: Uint8Array): void {
    this.link.send(bytes);
  }

  /**
   * Pings, or closes the channel after HEARTBEAT_TIMEOUT_MS of silence (it
   * then falls back and retries). Silence our own simulated loss may cause
   * does not count (liveness.ts, conditioned-transport.ts).
   */
  beat(): void {
    if (this.state !== 'open' || !this.link.current) return;
    if (this.liveness.silentTooLong()) this.link.current.close();
    else this.send(encodePing({ type: DATAGRAM_TYPE_PING, id: ++this.pingId, clientTimeMs: Math.round(this.now()) >>> 0 }));
  }

  /** Starts measuring afresh at `nowMs`. */
  resetMeter(nowMs: number, lateThresholdMs: number, options: ChannelMeterOptions = {}): void {
    this.meter = new ChannelMeter(nowMs, lateThresholdMs, options);
    this.malformed = 0;
  }

  /** Closes for good: no retry. */
  close(): void {
    this.stopped = true;
    this.link.current?.close();
    this.state = 'closed';
  }

  private scheduleRetry() {
    const delay = backoffDelayMs(this.attempts++, DATAGRAM_RETRY_MIN_MS, DATAGRAM_RETRY_MAX_MS, this.random);
    setTimeout(() => {
      if (!this.stopped && this.state !== 'open') this.handlers.requestToken();
    }, delay);
  }

  private receive(bytes: Uint8Array) {
    const type = datagramType(bytes);
    if (type === DATAGRAM_TYPE_SNAPSHOT || type === DATAGRAM_TYPE_SNAPSHOT_DELTA) return this.handlers.onSnapshotBytes(bytes);
    if (type !== DATAGRAM_TYPE_PONG) return void this.malformed++;
    const pong = decodePing(bytes);
    if (!pong.ok || pong.value.type !== DATAGRAM_TYPE_PONG) return void this.malformed++;
    const now = this.now();
    this.meter.recordBytesIn(now, bytes.byteLength);
    this.meter.recordRtt((Math.round(now) >>> 0) - pong.value.clientTimeMs, now);
    this.handlers.onClockSample(pong.value.clientTimeMs, pong.value.serverTimeMs, now);
  }
}
