// The client side of both channels, shared by the browser game and the
// headless bot. It opens the stream, says hello, binds a data channel with
// the welcome's datagram token, keeps both alive with heartbeats, measures
// each, and resumes the session after the stream drops.
import {
  CLOCK_SYNC_WARMUP_INTERVAL_MS,
  CLOCK_SYNC_WARMUP_PINGS,
  CLOSE_HEARTBEAT_TIMEOUT,
  CLOSE_SIMULATED_DROP,
  DATAGRAM_RETRY_MAX_MS,
  MAX_PINGS_IN_FLIGHT,
  DATAGRAM_RETRY_MIN_MS,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DATAGRAM_TYPE_SNAPSHOT,
  DATAGRAM_TYPE_SNAPSHOT_DELTA,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  RECONNECT_MAX_DELAY_MS,
  RECONNECT_MIN_DELAY_MS,
  STREAM_PATH,
} from '../../protocol/constants.ts';
import { ClockSync } from '../../protocol/netsim/clock-sync.ts';
import { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import { isPerfect, PERFECT_NETWORK, type NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import { encodeInputPacket, type InputPacket } from '../../protocol/wire/input.ts';
import { datagramType, decodePing, encodePing } from '../../protocol/wire/ping.ts';
import type { Snapshot } from '../../protocol/wire/snapshot.ts';
import { ChannelStats, type ChannelSummary } from '../../protocol/netsim/stats.ts';
import type {
  ErrorMessage,
  GameConfig,
  GameEvent,
  PositionPath,
  ServerMessage,
  Welcome,
} from '../../protocol/wire/stream.ts';
import { DatagramConnection } from './datagram-connection.ts';
import { SnapshotIntake } from './snapshot-intake.ts';
import { StreamConnection } from './stream-connection.ts';

export type ChannelName = 'datagram' | 'stream';
/** `fallback`: WebRTC could not connect, positions come over the stream. */
export type DatagramLinkState = 'connecting' | 'open' | 'closed' | 'fallback';
export type StreamLinkState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface NetClientOptions {
  /** The game's HTTP origin, e.g. http://127.0.0.1:8080. */
  url: string;
  name: string;
  /** A session to resume (after a page reload). */
  resume?: { sessionToken: string; lastSeq: number };
  /** false: never open WebRTC, positions over the stream only. */
  useDatagram?: boolean;
  now?: () => number;
  /** Seeds this client's simulated network (upstream). */
  seed?: number;
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

export interface ChannelStatus extends ChannelSummary {
  state: string;
  /** Datagrams or frames that failed to decode. */
  malformed: number;
  /** Snapshots that arrived whole, and as deltas against an acknowledged baseline. */
  fullSnapshots: number;
  deltaSnapshots: number;
  /** Deltas dropped because their baseline was no longer here (never corrupts the state). */
  baselineMisses: number;
}

export class NetClient {
  playerId = 0;
  name: string;
  sessionToken = '';
  config: GameConfig | null = null;
  /** Newest reliable event sequence seen; sent when resuming. */
  lastSeq = 0;
  /**
   * Newest snapshot tick received on any channel; acknowledged in every input
   * packet. Stream snapshots count too: every decoded state is kept as a
   * possible baseline, whichever channel brought it.
   */
  newestTick = 0;
  streamState: StreamLinkState = 'connecting';
  datagramState: DatagramLinkState = 'connecting';
  /** Why the datagram channel is not open, for the HUD. */
  datagramNote = '';
  /** Set when the server announced its shutdown; cleared by the next welcome. */
  shutdownReason: string | null = null;
  /** Reconnect attempts since the stream was last open. */
  reconnectAttempts = 0;
  stats = { datagram: new ChannelStats(), stream: new ChannelStats() };
  clock = new ClockSync();
  readonly malformed = { datagram: 0, stream: 0 };
  private intake = new SnapshotIntake();
  /** The simulated network this player chose; applied to what we send, and by the server to what it sends us. */
  conditions: NetworkConditions = PERFECT_NETWORK;

  private stream: StreamConnection | null = null;
  private datagram: DatagramConnection | null = null;
  private readonly now: () => number;
  private resume: { sessionToken: string; lastSeq: number } | undefined;
  private historyUntilSeq = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private datagramAttempts = 0;
  private pingId = 0;
  private readonly streamPings = new Map<number, number>();
  private lastHeard = { datagram: 0, stream: 0 };
  private stopped = false;
  private welcomed: { resolve(): void; reject(error: Error): void } | null = null;
  /** True once any welcome arrived: a later fresh welcome means the server forgot us. */
  private hadSession = false;
  private readonly outgoing: ConditionedSender;

  constructor(
    private readonly options: NetClientOptions,
    private readonly handlers: NetClientHandlers = {},
  ) {
    this.name = options.name;
    this.now = options.now ?? (() => performance.now());
    this.resume = options.resume;
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.outgoing = new ConditionedSender(seed, this.now, globalThis);
  }

  /** Connects; resolves on the first welcome, rejects with JoinRefusedError if the server refuses the hello. */
  start(): Promise<void> {
    const welcomed = new Promise<void>((resolve, reject) => (this.welcomed = { resolve, reject }));
    this.openStream();
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    return welcomed;
  }

  /**
   * Sends an input packet: over the datagram channel, or over the stream when
   * WebRTC failed. Not while the first data channel is still connecting
   * (under a second): behind simulated stream loss those inputs would reach
   * the server in one burst, which its input rate limit refuses.
   */
  sendInputs(packet: Omit<InputPacket, 'ackTick'>): void {
    const bytes = encodeInputPacket({ ...packet, ackTick: this.newestTick });
    if (this.datagramState === 'open') this.sendDatagram(bytes);
    else if (this.datagramState !== 'connecting') this.sendStreamBinary(bytes);
  }

  /**
   * Chooses the simulated network: applied here to everything we send, and
   * sent to the server (which clamps it) for everything it sends us.
   */
  setConditions(conditions: NetworkConditions): void {
    this.conditions = this.outgoing.setConditions(conditions);
    this.sendSettings({ type: 'settings', conditions: this.conditions });
  }

  chat(text: string): void {
    this.sendStream({ type: 'chat', text });
  }

  /** Chooses which channel carries positions to us: datagram, stream, or both (compare). */
  setPath(path: PositionPath): void {
    this.sendSettings({ type: 'settings', path });
  }

  /** Says goodbye (the player leaves now) and closes both channels. */
  leave(): void {
    this.sendStream({ type: 'leave' });
    this.close();
  }

  /** Closes both channels without a goodbye (the session stays resumable). */
  close(): void {
    this.stopped = true;
    this.outgoing.cancelAll();
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stream?.close();
    this.datagram?.close();
    this.streamState = 'closed';
    this.datagramState = 'closed';
  }

  /** Starts both channels' measurements afresh (after the network or path changed). */
  resetStats(): void {
    const lateThresholdMs = this.stats.datagram.lateThresholdMs;
    for (const channel of ['datagram', 'stream'] as const) {
      this.stats[channel] = new ChannelStats(this.now());
      this.stats[channel].lateThresholdMs = lateThresholdMs;
    }
    this.malformed.datagram = 0;
    this.malformed.stream = 0;
  }

  /** Test hook: drop the stream as a network fault would; the client reconnects. */
  dropStream(): void {
    this.stream?.close(CLOSE_SIMULATED_DROP, 'simulated drop');
  }

  channelStatus(channel: ChannelName): ChannelStatus {
    const counts = this.intake.counts[channel];
    return {
      state: channel === 'datagram' ? this.datagramState : this.streamState,
      malformed: this.malformed[channel],
      fullSnapshots: counts.full,
      deltaSnapshots: counts.delta,
      baselineMisses: counts.baselineMisses,
      ...this.stats[channel].summary(this.now()),
    };
  }

  // ── Stream ─────────────────────────────────────────────────────────────────

  private openStream() {
    const wsUrl = new URL(STREAM_PATH, this.options.url);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    this.stream = new StreamConnection(wsUrl.toString(), {
      onOpen: () => {
        this.lastHeard.stream = this.now();
        this.sendStream({ type: 'hello', name: this.name, ...(this.resume ? { resume: this.resume } : {}) });
      },
      onMessage: (message, bytes) => {
        this.lastHeard.stream = this.now();
        this.stats.stream.recordBytesIn(this.now(), bytes);
        this.onStreamMessage(message);
      },
      onBinary: (bytes) => {
        this.lastHeard.stream = this.now();
        this.onSnapshotBytes(bytes, 'stream');
      },
      onInvalid: () => this.malformed.stream++,
      onClose: () => this.onStreamClosed(),
    });
  }

  private onStreamMessage(message: ServerMessage) {
    switch (message.type) {
      case 'welcome':
        return this.onWelcome(message);
      case 'pong': {
        const sentAt = this.streamPings.get(message.id);
        if (sentAt === undefined) return;
        this.streamPings.delete(message.id);
        const now = this.now();
        this.clock.addSample(sentAt, message.serverTimeMs, now);
        this.stats.stream.recordRtt(now - sentAt, now);
        return;
      }
      case 'error':
        // Before the first welcome, the only thing we sent is hello: an error refuses it.
        if (this.welcomed && !this.hadSession) return this.refuseJoin(message);
        return this.handlers.onServerError?.(message);
      case 'datagram-token':
        return this.openDatagram(message.token);
      case 'shutdown':
        this.shutdownReason = message.reason;
        this.handlers.onShutdown?.(message.reason);
        this.handlers.onStateChange?.();
        return;
      default:
        return this.onGameEvent(message);
    }
  }

  private onWelcome(welcome: Welcome) {
    const resumed = welcome.resumed;
    const freshStart = this.hadSession && !resumed;
    if (freshStart) this.forgetServer();
    this.hadSession = true;
    this.shutdownReason = null;
    this.playerId = welcome.playerId;
    this.name = welcome.name;
    this.sessionToken = welcome.sessionToken;
    this.config = welcome.config;
    // Events up to welcome.lastSeq are already in welcome's state; on a resume
    // the server follows with those we missed, which we show as history.
    if (!resumed) this.lastSeq = welcome.lastSeq;
    this.historyUntilSeq = welcome.lastSeq;
    this.resume = { sessionToken: welcome.sessionToken, lastSeq: this.lastSeq };
    this.streamState = 'open';
    this.reconnectAttempts = 0;
    // A new connection starts with a perfect network on the server side.
    if (!isPerfect(this.conditions)) this.sendSettings({ type: 'settings', conditions: this.conditions });
    this.handlers.onWelcome?.(welcome, freshStart);
    this.handlers.onStateChange?.();
    // A few quick pings give the clock estimate (update ages) a good start.
    for (let i = 1; i <= CLOCK_SYNC_WARMUP_PINGS; i++) setTimeout(() => this.pingStream(), i * CLOCK_SYNC_WARMUP_INTERVAL_MS);
    // A resumed session may still have its data channel; only open one if not.
    // A fresh start needs a new one: the old channel was bound to a session the server forgot.
    if (this.datagramState !== 'open' || freshStart) this.openDatagram(welcome.datagramToken);
    this.welcomed?.resolve();
    this.welcomed = null;
  }

  /**
   * Forgets everything that belonged to the previous server: its snapshot
   * ticks and baselines (a restarted server counts ticks from 1 again, and
   * deltas need baselines it knows we have), its clock, our measurements.
   */
  private forgetServer() {
    this.intake = new SnapshotIntake();
    this.newestTick = 0;
    this.clock = new ClockSync();
    this.streamPings.clear();
    this.resetStats();
  }

  /** The server refused our hello: stop, and let `start()`'s caller say why. */
  private refuseJoin(error: ErrorMessage) {
    const welcomed = this.welcomed;
    this.welcomed = null;
    this.close();
    welcomed?.reject(new JoinRefusedError(error.code, error.message));
  }

  private onGameEvent(event: GameEvent) {
    if (event.seq <= this.lastSeq) return; // already seen (a replay overlap)
    this.lastSeq = event.seq;
    if (this.resume) this.resume.lastSeq = event.seq;
    this.handlers.onEvent?.(event, event.seq <= this.historyUntilSeq);
  }

  private onStreamClosed() {
    this.stream = null;
    if (this.stopped) return;
    this.streamState = 'reconnecting';
    this.handlers.onStateChange?.();
    const delay = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_MIN_DELAY_MS * 2 ** this.reconnectAttempts++);
    this.retryTimer = setTimeout(() => this.openStream(), delay);
  }

  /** Sends on the stream through the simulated network: late, in order, never lost. */
  private sendStream(message: Parameters<StreamConnection['send']>[0]) {
    this.outgoing.stream(() => this.stats.stream.recordBytesOut(this.now(), this.stream?.send(message) ?? 0));
  }

  /**
   * Settings skip our own simulated network, like a knob on a lab's network
   * emulator: both ends switch at once, so the measurements restarted at the
   * change describe the new settings, not a settings message still crawling
   * through the old ones.
   */
  private sendSettings(message: Extract<Parameters<StreamConnection['send']>[0], { type: 'settings' }>) {
    this.stats.stream.recordBytesOut(this.now(), this.stream?.send(message) ?? 0);
  }

  private sendStreamBinary(bytes: Uint8Array) {
    this.outgoing.stream(() => this.stats.stream.recordBytesOut(this.now(), this.stream?.sendBinary(bytes) ?? 0));
  }

  /** Sends one datagram through the simulated network: maybe lost, late, reordered or twice. */
  private sendDatagram(bytes: Uint8Array) {
    this.outgoing.datagram(() => {
      if (this.datagram?.send(bytes)) this.stats.datagram.recordBytesOut(this.now(), bytes.byteLength);
    });
  }

  // ── Datagram ───────────────────────────────────────────────────────────────

  private openDatagram(token: string) {
    if (this.stopped || this.options.useDatagram === false) {
      this.datagramState = 'fallback';
      this.datagramNote = 'WebRTC disabled: positions travel over the stream';
      this.handlers.onStateChange?.();
      return;
    }
    const previous = this.datagram;
    this.datagram = null; // so the old channel's close is not taken for a failure
    previous?.close();
    if (this.datagramState !== 'fallback') this.datagramState = 'connecting';
    const connection = new DatagramConnection(this.options.url, token, {
      onOpen: () => {
        if (this.datagram !== connection) return;
        this.datagramState = 'open';
        this.datagramNote = '';
        this.datagramAttempts = 0;
        this.lastHeard.datagram = this.now();
        this.handlers.onStateChange?.();
      },
      onBytes: (bytes) => {
        if (this.datagram !== connection) return;
        this.lastHeard.datagram = this.now();
        this.onDatagramBytes(bytes);
      },
      onClose: (error) => {
        if (this.datagram !== connection) return;
        this.datagram = null;
        if (this.stopped) return;
        // The stream carries positions until a new channel opens.
        this.datagramState = 'fallback';
        this.datagramNote = error
          ? `WebRTC could not connect (${error}): positions travel over the stream`
          : 'WebRTC channel lost: positions travel over the stream';
        this.handlers.onStateChange?.();
        this.scheduleDatagramRetry();
      },
    });
    this.datagram = connection;
  }

  private scheduleDatagramRetry() {
    const delay = Math.min(DATAGRAM_RETRY_MAX_MS, DATAGRAM_RETRY_MIN_MS * 2 ** this.datagramAttempts++);
    setTimeout(() => {
      if (!this.stopped && this.datagramState !== 'open') this.sendStream({ type: 'datagram-token' });
    }, delay);
  }

  private onDatagramBytes(bytes: Uint8Array) {
    const type = datagramType(bytes);
    if (type === DATAGRAM_TYPE_SNAPSHOT || type === DATAGRAM_TYPE_SNAPSHOT_DELTA) return this.onSnapshotBytes(bytes, 'datagram');
    const now = this.now();
    if (type === DATAGRAM_TYPE_PONG) {
      const pong = decodePing(bytes);
      if (!pong.ok || pong.value.type !== DATAGRAM_TYPE_PONG) return void this.malformed.datagram++;
      this.stats.datagram.recordBytesIn(now, bytes.byteLength);
      this.stats.datagram.recordRtt((Math.round(now) >>> 0) - pong.value.clientTimeMs, now);
      // The datagram path has no head-of-line blocking: under stream loss it
      // gives the cleanest round trips for the clock estimate.
      this.clock.addSample(pong.value.clientTimeMs, pong.value.serverTimeMs, now);
      return;
    }
    this.malformed.datagram++;
  }

  private onSnapshotBytes(bytes: Uint8Array, via: ChannelName) {
    const now = this.now();
    const result = this.intake.decode(bytes, via);
    if (!result.ok) {
      if (result.reason === 'malformed') this.malformed[via]++;
      return;
    }
    const { snapshot } = result;
    const stats = this.stats[via];
    if (!stats.recordUpdate(snapshot.seq, now, bytes.byteLength)) return; // duplicate
    const ageMs = this.clock.synced ? this.clock.serverNow(now) - snapshot.serverTimeMs : null;
    if (ageMs !== null) stats.recordAge(ageMs, snapshot.seq);
    this.newestTick = Math.max(this.newestTick, snapshot.tick);
    this.handlers.onSnapshot?.(snapshot, via, ageMs);
  }

  // ── Heartbeat ──────────────────────────────────────────────────────────────

  private pingStream() {
    if (this.streamState !== 'open') return;
    const now = this.now();
    const id = ++this.pingId;
    this.streamPings.set(id, now);
    if (this.streamPings.size > MAX_PINGS_IN_FLIGHT) this.streamPings.delete(this.streamPings.keys().next().value!);
    this.sendStream({ type: 'ping', id, clientTimeMs: Math.round(now) });
  }

  /** Pings both channels and declares a channel dead after HEARTBEAT_TIMEOUT_MS of silence. */
  private beat() {
    const now = this.now();
    if (this.streamState === 'open' && this.stream) {
      // A stall of our own simulated network is not a dead server.
      if (now - this.lastHeard.stream > HEARTBEAT_TIMEOUT_MS + this.outgoing.streamStallMs) {
        this.stream.close(CLOSE_HEARTBEAT_TIMEOUT, 'heartbeat timeout');
      } else {
        this.pingStream();
      }
    }
    if (this.datagramState === 'open' && this.datagram) {
      if (now - this.lastHeard.datagram > HEARTBEAT_TIMEOUT_MS) {
        this.datagram.close();
      } else {
        this.sendDatagram(encodePing({ type: DATAGRAM_TYPE_PING, id: ++this.pingId, clientTimeMs: Math.round(now) >>> 0 }));
      }
    }
  }
}
