// The client's end of the datagram channel: one DatagramConnection at a
// time, bound with a single-use token from the stream. When WebRTC fails the
// channel falls back (positions and inputs take the stream) and asks for a new
// token after a backoff. It pings for round trips (the cleanest clock
// samples: no head-of-line blocking) and liveness, and measures. What we
// send goes through the player's simulated network: maybe lost, late,
// reordered or twice.
import {
  DATAGRAM_RETRY_MAX_MS,
  DATAGRAM_RETRY_MIN_MS,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DATAGRAM_TYPE_SNAPSHOT,
  DATAGRAM_TYPE_SNAPSHOT_DELTA,
  HEARTBEAT_TIMEOUT_MS,
} from '../../protocol/constants.ts';
import type { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import { ChannelMeter } from '../../protocol/netsim/stats.ts';
import { datagramType, decodePing, encodePing } from '../../protocol/wire/ping.ts';
import type { DatagramChannelState } from './channels.ts';
import { DatagramConnection } from './datagram-connection.ts';

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
  private connection: DatagramConnection | null = null;
  private attempts = 0;
  private stopped = false;
  private lastHeardMs = 0;
  private pingId = 0;

  constructor(
    /** The game's HTTP origin; geckos signals over it. */
    private url: string,
    /** false: never open WebRTC, positions over the stream only. */
    private readonly enabled: boolean,
    private readonly outgoing: ConditionedSender,
    private readonly now: () => number,
    private readonly handlers: DatagramChannelHandlers,
  ) {}

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
    const previous = this.connection;
    this.connection = null; // so the old channel's close is not taken for a failure
    previous?.close();
    if (this.state !== 'fallback') this.state = 'connecting';
    const connection = new DatagramConnection(this.url, token, {
      onOpen: () => {
        if (this.connection !== connection) return;
        this.state = 'open';
        this.note = '';
        this.attempts = 0;
        this.lastHeardMs = this.now();
        this.handlers.onStateChange();
      },
      onBytes: (bytes) => {
        if (this.connection !== connection) return;
        this.lastHeardMs = this.now();
        this.receive(bytes);
      },
      onClose: (error) => {
        if (this.connection !== connection) return;
        this.connection = null;
        if (this.stopped) return;
        // The stream carries positions until a new channel opens.
        this.state = 'fallback';
        this.note = error
          ? `WebRTC could not connect (${error}): positions travel over the stream`
          : 'WebRTC channel lost: positions travel over the stream';
        this.handlers.onStateChange();
        this.scheduleRetry();
      },
    });
    this.connection = connection;
  }

  /** Sends one datagram through the simulated network: maybe lost, late, reordered or twice. */
  send(bytes: Uint8Array): void {
    this.outgoing.datagram(() => {
      if (this.connection?.send(bytes)) this.meter.recordBytesOut(this.now(), bytes.byteLength);
    });
  }

  /**
   * Pings, or closes the channel after HEARTBEAT_TIMEOUT_MS of silence (it
   * then falls back and retries). The server's datagrams to us pass through
   * our own simulated loss first: at 90 % a 30 Hz stream of snapshots falls
   * silent that long now and then. So under simulated loss, silence closes
   * the channel only if the real transport is down too (as the server judges
   * it, datagram-gateway.ts); on a perfect path silence means gone.
   */
  beat(): void {
    if (this.state !== 'open' || !this.connection) return;
    const now = this.now();
    const silenceIsSimulated = this.outgoing.conditions.lossPct > 0 && this.connection.transportConnected();
    if (now - this.lastHeardMs > HEARTBEAT_TIMEOUT_MS && !silenceIsSimulated) {
      this.connection.close();
    } else {
      this.send(encodePing({ type: DATAGRAM_TYPE_PING, id: ++this.pingId, clientTimeMs: Math.round(now) >>> 0 }));
    }
  }

  /** Starts measuring afresh at `nowMs`. */
  resetMeter(nowMs: number, lateThresholdMs: number): void {
    this.meter = new ChannelMeter(nowMs, lateThresholdMs);
    this.malformed = 0;
  }

  /** Closes for good: no retry. */
  close(): void {
    this.stopped = true;
    this.connection?.close();
    this.state = 'closed';
  }

  private scheduleRetry() {
    const delay = Math.min(DATAGRAM_RETRY_MAX_MS, DATAGRAM_RETRY_MIN_MS * 2 ** this.attempts++);
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
