// One player's game in the browser: the network client, the fixed-rate input
// loop, prediction for the own player, interpolation buffers for everyone
// else, and the roster. Scenes read `frame()`; the UI subscribes to events;
// `status()` is what window.netcode.status() returns.
import {
  DEFAULT_TICK_RATE_HZ,
  ENTITY_KIND_COIN,
  ENTITY_KIND_PLAYER,
  INPUT_REDUNDANCY,
  MAX_INPUT_CATCH_UP,
} from '../protocol/constants.ts';
import type { MoveInput } from '../protocol/sim/sim.ts';
import type { EntityState, Snapshot } from '../protocol/wire/snapshot.ts';
import { isPerfect } from '../protocol/netsim/conditioner.ts';
import type { UpdateMark } from '../protocol/netsim/stats.ts';
import type { ErrorMessage, GameEvent, Welcome } from '../protocol/wire/stream.ts';
import { NetClient, type ChannelName, type ChannelStatus } from './net/net-client.ts';
import { SnapshotBuffer } from './play/interpolation.ts';
import { inputFromKeys, NO_KEYS, type DirectionKeys } from './play/keys.ts';
import { Prediction } from './play/prediction.ts';
import { Roster } from './play/roster.ts';
import { conditionsOf, DEFAULT_SETTINGS, type ClientSettings } from './play/settings.ts';

export interface DrawnEntity extends EntityState {
  name?: string;
  own?: boolean;
}

export interface Frame {
  /** Entities from the chosen path (in compare mode: from the datagram channel). */
  entities: DrawnEntity[];
  /**
   * Compare mode only: every moving entity but our own (players and NPCs) as
   * the stream delivers it. The own player is drawn predicted, ahead of any
   * update, so a ghost of it would show the prediction, not the channel.
   */
  ghosts: DrawnEntity[];
}

/** What `status()` returns: a plain, JSON-safe view the UI and tests read. */
export type SessionStatus = ReturnType<GameSession['status']>;

export interface SessionEvents {
  /** `freshStart`: the server did not know our session (it restarted): new id, score 0. */
  onWelcome?(welcome: Welcome, freshStart: boolean): void;
  onShutdown?(reason: string): void;
  onEvent?(event: GameEvent, replayed: boolean): void;
  onServerError?(error: ErrorMessage): void;
  onStateChange?(): void;
}

export class GameSession {
  readonly net: NetClient;
  readonly roster = new Roster();
  settings: ClientSettings = { ...DEFAULT_SETTINGS };
  fps = 0;
  /** Milliseconds the scene's update takes per frame (moving average), rendering excluded. */
  updateMs = 0;
  private prediction = new Prediction(1000 / DEFAULT_TICK_RATE_HZ);
  private readonly buffers: Record<ChannelName, SnapshotBuffer> = { datagram: new SnapshotBuffer(), stream: new SnapshotBuffer() };
  private keys: DirectionKeys = NO_KEYS;
  private inputSeq = 0;
  private recentInputs: MoveInput[] = [];
  private reconciledTick = 0;
  private inputTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAtMs = 0;
  private lastEntities: DrawnEntity[] = [];
  private lastGhosts: DrawnEntity[] = [];

  constructor(
    url: string,
    name: string,
    resume: { sessionToken: string; lastSeq: number } | undefined,
    initial: ClientSettings,
    private readonly events: SessionEvents = {},
  ) {
    this.settings = { ...initial };
    this.net = new NetClient(
      { url, name, ...(resume ? { resume } : {}) },
      {
        onWelcome: (welcome, freshStart) => this.onWelcome(welcome, freshStart),
        onShutdown: (reason) => events.onShutdown?.(reason),
        onEvent: (event, replayed) => {
          this.roster.applyEvent(event, replayed);
          events.onEvent?.(event, replayed);
        },
        onSnapshot: (snapshot, via) => this.onSnapshot(snapshot, via),
        onServerError: (error) => events.onServerError?.(error),
        onStateChange: () => events.onStateChange?.(),
      },
    );
    this.net.stats.datagram.lateThresholdMs = initial.interpDelayMs;
    this.net.stats.stream.lateThresholdMs = initial.interpDelayMs;
  }

  start(): Promise<void> {
    return this.net.start();
  }

  /** The keys held now; sampled once per simulation tick. */
  setKeys(keys: DirectionKeys): void {
    this.keys = keys;
  }

  /**
   * Changes settings. A new network or path is sent to the server (which
   * applies it to what it sends us) and starts the measurements afresh, so
   * the numbers describe the new setup only.
   */
  update(changes: Partial<ClientSettings>): void {
    const before = this.settings;
    this.settings = { ...before, ...changes };
    const after = this.settings;
    const networkChanged =
      after.loss !== before.loss || after.latency !== before.latency || after.jitter !== before.jitter || after.duplicate !== before.duplicate;
    if (networkChanged) this.net.setConditions(conditionsOf(after));
    if (after.path !== before.path) this.net.setPath(after.path);
    // "Late" is measured against the interpolation delay: a new delay is a new measurement too.
    if (networkChanged || after.path !== before.path || after.interpDelayMs !== before.interpDelayMs) this.net.resetStats();
    this.net.stats.datagram.lateThresholdMs = after.interpDelayMs;
    this.net.stats.stream.lateThresholdMs = after.interpDelayMs;
  }

  /** Entities to draw now, at `nowMs` on the client clock. */
  frame(nowMs: number): Frame {
    const elapsed = this.lastFrameAtMs ? nowMs - this.lastFrameAtMs : 0;
    this.lastFrameAtMs = nowMs;
    const primary: ChannelName = this.settings.path === 'stream' ? 'stream' : 'datagram';
    // Before the data channel opens (or when WebRTC fails) positions come over the stream.
    const source = this.buffers[primary].size > 0 ? primary : primary === 'datagram' ? 'stream' : 'datagram';
    const entities = this.sampleRemote(source, nowMs).map((e) => this.decorate(e));
    const own = this.ownDrawPosition(elapsed, source);
    const ownIndex = entities.findIndex((e) => e.id === this.net.playerId);
    if (own && ownIndex >= 0) entities[ownIndex] = { ...entities[ownIndex]!, ...own, own: true };
    else if (own) entities.push({ id: this.net.playerId, kind: ENTITY_KIND_PLAYER, ...own, name: this.net.name, own: true });
    const ghosts =
      this.settings.path === 'compare'
        ? this.sampleRemote('stream', nowMs)
            .filter((e) => e.kind !== ENTITY_KIND_COIN && e.id !== this.net.playerId)
            .map((e) => this.decorate(e))
        : [];
    this.lastEntities = entities;
    this.lastGhosts = ghosts;
    return { entities, ghosts };
  }

  /** The newest position updates on `channel` and what became of each (the net graph's strip). */
  updateHistory(channel: ChannelName): UpdateMark[] {
    return this.net.stats[channel].history();
  }

  /** Starts the correction statistics afresh (the largest correction, snaps): "since now". */
  resetPredictionStats(): void {
    this.prediction.maxErrorPx = 0;
    this.prediction.snaps = 0;
  }

  recordUpdateCost(ms: number): void {
    this.updateMs += (ms - this.updateMs) * 0.05;
  }

  /** A plain, JSON-safe picture of the session, for tests and curious players. */
  status() {
    const channel = (name: ChannelName): ChannelStatus => this.net.channelStatus(name);
    return {
      playerId: this.net.playerId,
      name: this.net.name,
      score: this.roster.get(this.net.playerId)?.score ?? 0,
      path: this.settings.path,
      /** Real loss on the server's ports (a lab run), on top of anything simulated; 0 normally. */
      kernelLossPct: this.net.config?.kernelLossPct ?? 0,
      fps: Math.round(this.fps),
      updateMs: Math.round(this.updateMs * 100) / 100,
      channels: { datagram: channel('datagram'), stream: channel('stream') },
      datagramNote: this.net.datagramNote,
      entities: this.lastEntities.map(({ id, kind, x, y, name }) => ({
        id,
        kind: (['player', 'npc', 'coin'] as const)[kind],
        x: Math.round(x * 10) / 10,
        y: Math.round(y * 10) / 10,
        ...(name ? { name } : {}),
      })),
      /** Compare mode: where the stream puts each moving entity (world units), beside its solid from datagrams. */
      ghosts: this.lastGhosts.map(({ id, x, y }) => ({ id, x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 })),
      connection: {
        stream: this.net.streamState,
        /** The server announced a shutdown and has not welcomed us since. */
        shutdownReason: this.net.shutdownReason,
        reconnectAttempts: this.net.reconnectAttempts,
      },
      players: this.roster.ranked(),
      prediction: {
        pendingInputs: this.prediction.pendingCount,
        lastCorrectionPx: Math.round(this.prediction.lastErrorPx * 1000) / 1000,
        maxCorrectionPx: Math.round(this.prediction.maxErrorPx * 1000) / 1000,
        snaps: this.prediction.snaps,
      },
      settings: { ...this.settings },
    };
  }

  close(): void {
    if (this.inputTimer) clearInterval(this.inputTimer);
    this.net.close();
  }

  private onWelcome(welcome: Welcome, freshStart: boolean) {
    this.roster.applyWelcome(welcome);
    if (freshStart) {
      // Everything drawn came from the old server: its entities (our old self
      // among them) and ticks must not linger next to the new world.
      for (const buffer of Object.values(this.buffers)) buffer.clear();
      this.lastEntities = [];
      this.lastGhosts = [];
    }
    if (!welcome.resumed || this.inputSeq === 0) {
      // A new arena entry (or a page reload): the server's input count is in the welcome.
      this.prediction = new Prediction(1000 / welcome.config.tickRateHz);
      this.recentInputs = [];
      this.reconciledTick = 0;
    }
    // Inputs keep counting up across a resume, so none is mistaken for an old one.
    this.inputSeq = Math.max(welcome.resumed ? this.inputSeq : 0, welcome.inputSeq);
    if (this.settings.path !== 'datagram') this.net.setPath(this.settings.path);
    if (!isPerfect(conditionsOf(this.settings)) && isPerfect(this.net.conditions)) this.net.setConditions(conditionsOf(this.settings));
    this.startInputLoop(welcome.config.tickRateHz);
    this.events.onWelcome?.(welcome, freshStart);
  }

  /**
   * Samples the keys at the server's tick rate, whatever the frame rate: one
   * input per tick, so prediction and server step the same amounts. Runs on
   * a timer, not in the render loop, which browsers pause in hidden tabs.
   */
  private startInputLoop(tickRateHz: number) {
    if (this.inputTimer) clearInterval(this.inputTimer);
    const startedAt = performance.now();
    let ticks = 0;
    this.inputTimer = setInterval(() => {
      const due = Math.floor(((performance.now() - startedAt) * tickRateHz) / 1000) - ticks;
      // After a long stall (a hidden tab) skip ahead instead of sending a burst.
      for (let i = 0; i < Math.min(due, MAX_INPUT_CATCH_UP); i++) this.sendInput();
      ticks += due;
    }, 1000 / tickRateHz / 2);
  }

  private sendInput() {
    const input = inputFromKeys(this.keys);
    this.inputSeq++;
    this.recentInputs.unshift(input);
    this.recentInputs.length = Math.min(this.recentInputs.length, INPUT_REDUNDANCY);
    this.net.sendInputs({ seq: this.inputSeq, inputs: this.recentInputs });
    if (this.settings.prediction) this.prediction.applyInput(this.inputSeq, input);
  }

  private onSnapshot(snapshot: Snapshot, via: ChannelName) {
    this.buffers[via].insert(snapshot);
    // The own player follows the newest state from either channel; an older,
    // reordered snapshot must not pull it back.
    if (snapshot.tick <= this.reconciledTick) return;
    this.reconciledTick = snapshot.tick;
    const own = snapshot.entities.find((e) => e.id === this.net.playerId);
    if (own && this.settings.prediction) this.prediction.reconcile(own, snapshot.ackInputSeq, this.settings.reconciliation);
  }

  private sampleRemote(channel: ChannelName, nowMs: number): EntityState[] {
    const buffer = this.buffers[channel];
    if (!this.settings.interpolation || !this.net.clock.synced) return buffer.newest();
    return buffer.sample(this.net.clock.serverNow(nowMs) - this.settings.interpDelayMs);
  }

  /** Own player: predicted, or (prediction off) exactly what the newest snapshot says. */
  private ownDrawPosition(elapsedMs: number, source: ChannelName): { x: number; y: number } | null {
    if (this.settings.prediction) return this.prediction.drawPosition(elapsedMs);
    return this.buffers[source].newest().find((e) => e.id === this.net.playerId) ?? null;
  }

  private decorate(entity: EntityState): DrawnEntity {
    return entity.kind === ENTITY_KIND_PLAYER ? { ...entity, name: this.roster.nameOf(entity.id) } : entity;
  }
}
