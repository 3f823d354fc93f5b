// The client side of the network, shared by the browser game and the
// headless bot. It composes the session (session.ts: who the server knows
// us as, and its state), the two channels it drives (stream-channel.ts,
// datagram-channel.ts), the input sender and the snapshot intake: it says
// the session's hello on each new stream socket, binds a data channel with
// the welcome's datagram token, follows redirects, resumes after the stream
// drops, and keeps both channels alive with one heartbeat. It keeps the
// connection timeline (play/connection-timeline-log.ts): what both channels'
// sockets did, what the server said of its side, and why each attempt was made.
import { HEARTBEAT_INTERVAL_MS, LATE_UPDATE_MS } from '../../protocol/constants.ts';
import { ClockSync } from '../../protocol/netsim/clock-sync.ts';
import { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import { describeConditions, isPerfect, PERFECT_NETWORK, type NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import type { UpdateMark } from '../../protocol/netsim/stats.ts';
import type { ErrorMessage, GameConfig, GameEvent, PositionPath, Redirect, Welcome } from '../../protocol/wire/stream.ts';
import type { ChannelName, ChannelStatus, DatagramChannelState, StreamChannelState } from './channels.ts';
import { SnapshotIntake } from './snapshot-intake.ts';
import { DatagramChannel } from './datagram-channel.ts';
import { InputSender } from './input-sender.ts';
import type { AttemptReason, ConnectionTimeline } from '../../protocol/connection-timeline.ts';
import { ConnectionTimelineLog } from '../play/connection-timeline-log.ts';
import { alsoTo, stepReport, type StepReport } from './connection-events.ts';
import { Session } from './session.ts';
import type { SessionState } from './session-state.ts';
import { StreamChannel, type StreamMessage } from './stream-channel.ts';
import { JoinRefusedError, type NetClientHandlers, type NetClientOptions } from './net-client-options.ts';

export { JoinRefusedError, type NetClientHandlers, type NetClientOptions };

export class NetClient {
  clock = new ClockSync();
  /** The simulated network this player chose; applied to what we send, and by the server to what it sends us. */
  conditions: NetworkConditions = PERFECT_NETWORK;
  /** Sends our inputs: one tick's input with the few before it, on whichever channel carries inputs now. */
  readonly inputs: InputSender;

  private readonly stream: StreamChannel;
  private readonly datagram: DatagramChannel;
  private intake = new SnapshotIntake();
  private readonly outgoing: ConditionedSender;
  private readonly now: () => number;
  /** An update older than this when applied is "late" (the interpolation delay). */
  private lateThresholdMs = LATE_UPDATE_MS;
  private readonly session: Session;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private readonly timelineLog: ConnectionTimelineLog;
  /** The stream's steps NetClient itself sees: the hello, and the server's answer to it. */
  private readonly streamReport: StepReport;
  /** Since the last welcome, we followed a redirect (the next datagram attempt is made for it). */
  private redirectedSinceWelcome = false;
  private welcomedBefore = false;
  private datagramStateSeen: DatagramChannelState = 'connecting';
  /** The channels' meters keep the net graph's bookkeeping (NetClientOptions.netGraph). */
  private readonly netGraph: boolean;
  /** `start()`'s promise, until the first welcome settles it (or a refusal rejects it). */
  private pendingStart: { resolve(): void; reject(error: Error): void } | null = null;

  constructor(
    options: NetClientOptions,
    private readonly handlers: NetClientHandlers = {},
  ) {
    this.session = new Session(options);
    this.now = options.now ?? (() => performance.now());
    this.timelineLog = new ConnectionTimelineLog(this.now());
    const connectionEvents = alsoTo(this.timelineLog, options.connectionEvents);
    this.streamReport = stepReport('stream', connectionEvents, this.now);
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.outgoing = new ConditionedSender(seed, this.now, globalThis);
    const addClockSample = (sentAtMs: number, serverTimeMs: number, receivedAtMs: number) => this.clock.addSample(sentAtMs, serverTimeMs, receivedAtMs);
    this.stream = new StreamChannel(
      options.url,
      this.outgoing,
      this.now,
      options.webSocket,
      {
        onOpen: () => {
          this.streamReport('hello');
          this.stream.send(this.session.hello());
        },
        onMessage: (message) => this.onStreamMessage(message),
        onSnapshotBytes: (bytes) => this.onSnapshotBytes(bytes, 'stream'),
        onReconnecting: () => this.onStreamLost(),
        onClockSample: addClockSample,
      },
      connectionEvents,
      options.random,
    );
    this.datagram = new DatagramChannel(
      options.url,
      options.useDatagram !== false,
      this.outgoing,
      this.now,
      {
        onSnapshotBytes: (bytes) => this.onSnapshotBytes(bytes, 'datagram'),
        onClockSample: addClockSample,
        requestToken: () => {
          this.timelineLog.nextReason('datagram', 'retry');
          this.stream.send({ type: 'datagram-token' });
        },
        onStateChange: () => this.onDatagramState(),
      },
      connectionEvents,
      options.random,
    );
    this.inputs = new InputSender(this.datagram, this.stream, () => this.intake);
    this.netGraph = options.netGraph ?? true;
    if (!this.netGraph) this.resetStats();
  }

  /** Where the session is: connecting, joined, resuming, redirecting, shut down or gone (session-state.ts). */
  get sessionState(): SessionState {
    return this.session.state;
  }

  /** The reason the server gave when it announced its shutdown, while we wait for it to welcome us again; else null. */
  get shutdownReason(): string | null {
    return this.session.shutdownReason;
  }

  get playerId(): number {
    return this.session.playerId;
  }

  get name(): string {
    return this.session.name;
  }

  get sessionToken(): string {
    return this.session.sessionToken;
  }

  get config(): GameConfig | null {
    return this.session.config;
  }

  /** The server we play on: the one we were given, or the one a redirect sent us to. */
  get serverUrl(): string {
    return this.session.serverUrl;
  }

  /** The room we play in (its name and capacity), from the newest welcome. */
  get room(): Welcome['room'] | null {
    return this.session.room;
  }

  /** Newest reliable event sequence seen; sent when resuming. */
  get lastSeq(): number {
    return this.session.lastSeq;
  }

  /**
   * How long the stream has been down without a new welcome (0 while up).
   * Long enough, and the server itself may be gone: the page then asks its
   * entry point whether our room still exists.
   */
  streamDownForMs(): number {
    const since = this.stream.downSinceMs;
    return since === null ? 0 : this.now() - since;
  }

  get streamState(): StreamChannelState {
    return this.stream.state;
  }

  get datagramState(): DatagramChannelState {
    return this.datagram.state;
  }

  /** Why the datagram channel is not open, for the HUD. */
  get datagramNote(): string {
    return this.datagram.note;
  }

  /** Reconnect attempts since the stream was last open. */
  get reconnectAttempts(): number {
    return this.stream.reconnectAttempts;
  }

  /** Every step of both channels' life so far, server steps placed with the clock offset now (`status().timeline`). */
  timeline(): ConnectionTimeline {
    return this.timelineLog.view(this.clock.synced ? { offsetMs: this.clock.offsetMs, rttMs: this.clock.rttMs, pinned: this.clock.pinned } : null);
  }

  /** Connects; resolves on the first welcome, rejects with JoinRefusedError if the server refuses the hello. */
  start(): Promise<void> {
    const welcomed = new Promise<void>((resolve, reject) => (this.pendingStart = { resolve, reject }));
    this.stream.open();
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    return welcomed;
  }

  /**
   * Chooses the simulated network: applied here to everything we send, and
   * sent to the server (which clamps it) for everything it sends us.
   */
  setConditions(conditions: NetworkConditions): void {
    this.conditions = this.outgoing.setConditions(conditions);
    this.stream.sendNow({ type: 'settings', conditions: this.conditions });
    this.timelineLog.mark('conditions', 'both', this.now(), describeConditions(this.conditions));
  }

  chat(text: string): void {
    this.stream.send({ type: 'chat', text });
  }

  /** Chooses which channel carries positions to us: datagram, stream, or both (compare). */
  setPath(path: PositionPath): void {
    this.stream.sendNow({ type: 'settings', path });
  }

  /** Says goodbye (the player leaves now) and closes both channels. */
  leave(): void {
    this.stream.send({ type: 'leave' });
    this.close();
  }

  /** Closes both channels without a goodbye (the session stays resumable, by a new client). */
  close(): void {
    this.session.end();
    this.outgoing.cancelAll();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.stream.close();
    this.datagram.close();
  }

  /** Starts both channels' measurements afresh (after the network or path changed). */
  resetStats(): void {
    this.stream.resetMeter(this.now(), this.lateThresholdMs, { netGraph: this.netGraph });
    this.datagram.resetMeter(this.now(), this.lateThresholdMs, { netGraph: this.netGraph });
  }

  /** An update older than `ms` when applied counts as late (it missed its interpolation slot). */
  setLateThreshold(ms: number): void {
    this.lateThresholdMs = ms;
    this.stream.meter.lateThresholdMs = ms;
    this.datagram.meter.lateThresholdMs = ms;
  }

  /** One channel's state, counts and measured figures. */
  channelStatus(channel: ChannelName): ChannelStatus {
    const link = this.channel(channel);
    const counts = this.intake.counts[channel];
    return {
      state: link.state,
      malformed: link.malformed,
      fullSnapshots: counts.full,
      deltaSnapshots: counts.delta,
      baselineMisses: counts.baselineMisses,
      ...link.meter.figures(this.now()),
    };
  }

  /**
   * A channel's running counts alone, without the percentiles channelStatus
   * works out (sorting every kept age): what a load test reads for a hundred
   * bots at a time, where channelStatus for each held the process for 100 ms
   * or more, and the snapshots queued behind it aged.
   */
  channelCounts(channel: ChannelName): { received: number; lost: number; bytesIn: number; bytesOut: number } {
    const { meter } = this.channel(channel);
    return { received: meter.received, lost: meter.lost, bytesIn: meter.bytesIn, bytesOut: meter.bytesOut };
  }

  /** Every update age measured on `channel` since the last reset (at most STATS_SAMPLE_WINDOW): what its percentiles are taken over. */
  ageSamples(channel: ChannelName): number[] {
    return this.channel(channel).meter.ageSamples();
  }

  /** The newest position updates on `channel` and what became of each (the net graph's strip). */
  updateHistory(channel: ChannelName): UpdateMark[] {
    return this.channel(channel).meter.history();
  }

  private channel(channel: ChannelName): StreamChannel | DatagramChannel {
    return channel === 'datagram' ? this.datagram : this.stream;
  }

  private onStreamMessage(message: StreamMessage) {
    switch (message.type) {
      case 'welcome':
        return this.onWelcome(message);
      case 'error':
        // Before the first welcome, the only thing we sent is hello: an error refuses it.
        if (this.pendingStart) return this.refuseJoin(message);
        return this.handlers.onServerError?.(message);
      case 'datagram-token':
        return this.datagram.open(message.token);
      case 'redirect':
        return this.followRedirect(message);
      case 'shutdown':
        this.session.shutdown(message.reason);
        this.timelineLog.mark('shutdown', 'both', this.now(), message.reason);
        this.handlers.onShutdown?.(message.reason);
        this.handlers.onStateChange?.();
        return;
      case 'connection-timeline':
        return this.timelineLog.serverSteps(message);
      default:
        return this.onGameEvent(message);
    }
  }

  /**
   * Our room is hosted by another server process: the next socket goes
   * there (this one is closing), saying hello with the seat held for us
   * (session.ts decides whether to follow).
   */
  private followRedirect(redirect: Redirect) {
    const answer = this.session.redirect(redirect);
    this.streamReport('redirected', redirect.url);
    if (!answer.ok) {
      if (this.pendingStart) return this.refuseJoin(answer.refusal);
      this.handlers.onServerError?.(answer.refusal);
      return this.close();
    }
    // Another process: another clock. What its predecessor said stays placed with the old one.
    this.freezeServerClock();
    this.timelineLog.nextReason('stream', 'redirect');
    this.redirectedSinceWelcome = true;
    this.timelineLog.mark('redirect', 'both', this.now(), `room ${redirect.room} is on ${answer.target}`);
    this.stream.moveTo(answer.target);
    this.datagram.moveTo(answer.target);
    this.handlers.onStateChange?.();
  }

  private onWelcome(welcome: Welcome) {
    const freshStart = this.session.welcome(welcome);
    this.streamReport('welcome', welcome.resumed ? 'resumed' : undefined);
    if (welcome.resumed && this.welcomedBefore)
      this.timelineLog.mark('resume', 'both', this.now(), `same player #${welcome.playerId}, events replayed after #${welcome.lastSeq}`);
    if (freshStart) this.timelineLog.mark('fresh-start', 'both', this.now(), `the server no longer knew the session: new player #${welcome.playerId}`);
    if (freshStart) this.forgetServer();
    const datagramReasonNow = datagramReason(this.welcomedBefore, freshStart, this.redirectedSinceWelcome);
    this.welcomedBefore = true;
    this.redirectedSinceWelcome = false;
    this.stream.welcomed();
    // A new connection starts with a perfect network on the server side.
    if (!isPerfect(this.conditions)) this.stream.sendNow({ type: 'settings', conditions: this.conditions });
    this.handlers.onWelcome?.(welcome, freshStart);
    this.handlers.onStateChange?.();
    // A resumed session may still have its data channel; only open one if not.
    // A fresh start needs a new one: the old channel was bound to a session the server forgot.
    if (this.datagram.state !== 'open' || freshStart) {
      this.timelineLog.nextReason('datagram', datagramReasonNow);
      this.datagram.open(welcome.datagramToken);
    }
    this.pendingStart?.resolve();
    this.pendingStart = null;
  }

  /**
   * Forgets everything that belonged to the previous server: its snapshot
   * ticks and baselines (a restarted server counts ticks from 1 again, and
   * deltas need baselines it knows we have), its clock, our measurements.
   */
  private forgetServer() {
    this.freezeServerClock();
    this.intake = new SnapshotIntake();
    this.clock = new ClockSync();
    this.stream.forgetPings();
    this.resetStats();
  }

  /** The server refused our hello: stop, and let `start()`'s caller say why. */
  private refuseJoin(error: ErrorMessage) {
    this.streamReport('refused', error.code);
    this.timelineLog.mark('refused', 'stream', this.now(), error.message);
    const pendingStart = this.pendingStart;
    this.pendingStart = null;
    this.close();
    pendingStart?.reject(new JoinRefusedError(error.code, error.message));
  }

  private onGameEvent(event: GameEvent) {
    const taken = this.session.event(event);
    if (taken) this.handlers.onEvent?.(event, taken.replayed);
  }

  private onSnapshotBytes(bytes: Uint8Array, via: ChannelName) {
    const link = this.channel(via);
    const result = this.intake.take(bytes, via, this.now(), link.meter, this.clock);
    if (!result.ok) {
      if (result.error === 'malformed') link.malformed++;
      return;
    }
    this.handlers.onSnapshot?.(result.value.snapshot, via, result.value.ageMs);
  }

  /** The stream dropped: the session waits to resume, and the next socket is made for a reason the session's state says. */
  private onStreamLost() {
    const wasJoined = this.session.state === 'joined';
    this.session.streamLost();
    const state = this.session.state;
    this.timelineLog.nextReason('stream', state === 'redirecting' ? 'redirect' : state === 'connecting' ? 'retry' : 'reconnect');
    if (wasJoined) this.timelineLog.mark('reconnect', 'stream', this.now(), 'the stream dropped: reconnecting to resume the session');
    this.handlers.onStateChange?.();
  }

  /** The datagram channel changed state: its fallbacks are marked on the timeline. */
  private onDatagramState() {
    const before = this.datagramStateSeen;
    const now = this.datagram.state;
    this.datagramStateSeen = now;
    if (now === 'fallback' && before !== 'fallback') this.timelineLog.mark('fallback', 'datagram', this.now(), this.datagram.note);
    if (now === 'open' && before === 'fallback') this.timelineLog.mark('fallback-ended', 'datagram', this.now(), 'positions back on the data channel');
    this.handlers.onStateChange?.();
  }

  /** Places what the current server said with its clock's last offset, before that clock is forgotten. */
  private freezeServerClock() {
    if (this.clock.synced) this.timelineLog.freezeServerClock({ offsetMs: this.clock.offsetMs, rttMs: this.clock.rttMs, pinned: this.clock.pinned });
  }

  /** Pings both channels; each declares itself dead after HEARTBEAT_TIMEOUT_MS of silence. */
  private beat() {
    this.stream.beat();
    this.datagram.beat();
  }
}

/** Why a welcome opens a data channel: the first, after a fresh start, after a redirect, or to go with a resumed stream. */
function datagramReason(welcomedBefore: boolean, freshStart: boolean, redirected: boolean): AttemptReason {
  if (freshStart) return 'fresh-start';
  if (redirected) return 'redirect';
  return welcomedBefore ? 'reconnect' : 'initial';
}
