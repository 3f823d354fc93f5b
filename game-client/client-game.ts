// One player's game in the browser: the network client, the input loop,
// prediction for the own player, interpolation buffers for everyone else,
// and the roster. The scene reads `picture()`, the panels read `status()` and
// `settings` (their types are in game-view.ts); `status()` is also what
// window.netcode.status() returns.
import { DEFAULT_TICK_RATE_HZ, ENTITY_KIND_COIN, ENTITY_KIND_PLAYER, UPDATE_COST_SMOOTHING } from '../protocol/constants.ts';
import { isPerfect } from '../protocol/netsim/conditioner.ts';
import type { EntityState, Snapshot } from '../protocol/wire/snapshot.ts';
import type { ErrorMessage, GameEvent, Welcome } from '../protocol/wire/stream.ts';
import type { ArenaSource, ChannelName, DrawnEntity, ArenaPicture, GameStatus, NetGraphSource, SettingsSource, UpdateMark } from './game-view.ts';
import { startInputLoop } from './net/input-loop.ts';
import { NetClient } from './net/net-client.ts';
import { SnapshotBuffer } from './play/interpolation.ts';
import { inputFromKeys, NO_KEYS, type DirectionKeys } from './play/keys.ts';
import { Prediction } from './play/prediction.ts';
import { Roster } from './play/roster.ts';
import { conditionsOf, DEFAULT_SETTINGS, type ClientSettings } from './play/settings.ts';
import type { SavedPlayer } from './saved-player.ts';

export interface ClientGameHandlers {
  /** `freshStart`: the server did not know our session (it restarted): new id, score 0. */
  onWelcome?(welcome: Welcome, freshStart: boolean): void;
  onShutdown?(reason: string): void;
  onEvent?(event: GameEvent, replayed: boolean): void;
  onServerError?(error: ErrorMessage): void;
  onStateChange?(): void;
}

/** Who joins, and where: a room name (absent: quick play, the server chooses), and a session to resume. */
export interface JoinOptions {
  name: string;
  room?: string;
  resume?: { sessionToken: string; lastSeq: number };
}

export class ClientGame implements ArenaSource, SettingsSource, NetGraphSource {
  readonly net: NetClient;
  readonly roster = new Roster();
  settings: ClientSettings = { ...DEFAULT_SETTINGS };
  private fps = 0;
  /** Milliseconds the scene's update takes per frame (moving average), rendering excluded. */
  private updateMs = 0;
  private prediction = new Prediction(1000 / DEFAULT_TICK_RATE_HZ);
  private readonly buffers: Record<ChannelName, SnapshotBuffer> = { datagram: new SnapshotBuffer(), stream: new SnapshotBuffer() };
  private keys: DirectionKeys = NO_KEYS;
  private reconciledTick = 0;
  private stopInputLoop: (() => void) | null = null;
  private lastFrameAtMs = 0;
  private lastEntities: DrawnEntity[] = [];
  private lastGhosts: DrawnEntity[] = [];

  constructor(
    url: string,
    join: JoinOptions,
    initial: ClientSettings,
    private readonly handlers: ClientGameHandlers = {},
  ) {
    this.settings = { ...initial };
    this.net = new NetClient(
      { url, ...join },
      {
        onWelcome: (welcome, freshStart) => this.onWelcome(welcome, freshStart),
        onShutdown: (reason) => handlers.onShutdown?.(reason),
        onEvent: (event, replayed) => {
          this.roster.applyEvent(event, replayed);
          handlers.onEvent?.(event, replayed);
        },
        onSnapshot: (snapshot, via) => this.onSnapshot(snapshot, via),
        onServerError: (error) => handlers.onServerError?.(error),
        onStateChange: () => handlers.onStateChange?.(),
      },
    );
    this.net.setLateThreshold(initial.interpDelayMs);
  }

  start(): Promise<void> {
    return this.net.start();
  }

  get playerId(): number {
    return this.net.playerId;
  }

  /** What this tab keeps so a reload resumes the same player, in the same room. */
  savedPlayer(): SavedPlayer {
    return {
      name: this.net.name,
      sessionToken: this.net.sessionToken,
      lastSeq: this.net.lastSeq,
      ...(this.net.room ? { room: this.net.room.name } : {}),
    };
  }

  chat(text: string): void {
    this.net.chat(text);
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
    this.net.setLateThreshold(after.interpDelayMs);
  }

  /** Entities to draw now, at `nowMs` on the client clock. */
  picture(nowMs: number): ArenaPicture {
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
    return this.net.updateHistory(channel);
  }

  /** Starts the correction statistics afresh (the largest correction, snaps): "since now". */
  resetPredictionStats(): void {
    this.prediction.maxErrorPx = 0;
    this.prediction.snaps = 0;
  }

  recordFrame(fps: number, updateMs: number): void {
    this.fps = fps;
    this.updateMs += (updateMs - this.updateMs) * UPDATE_COST_SMOOTHING;
  }

  /** A plain, JSON-safe view of the game, for the HUD, tests and curious players. */
  status(): GameStatus {
    return {
      playerId: this.net.playerId,
      name: this.net.name,
      room: this.net.room?.name ?? null,
      roomCapacity: this.net.room?.capacity ?? null,
      score: this.roster.get(this.net.playerId)?.score ?? 0,
      path: this.settings.path,
      kernelLossPct: this.net.config?.kernelLossPct ?? 0,
      fps: Math.round(this.fps),
      updateMs: Math.round(this.updateMs * 100) / 100,
      channels: { datagram: this.net.channelStatus('datagram'), stream: this.net.channelStatus('stream') },
      datagramNote: this.net.datagramNote,
      entities: this.lastEntities.map(({ id, kind, x, y, name }) => ({
        id,
        kind: (['player', 'npc', 'coin'] as const)[kind],
        x: Math.round(x * 10) / 10,
        y: Math.round(y * 10) / 10,
        ...(name ? { name } : {}),
      })),
      ghosts: this.lastGhosts.map(({ id, x, y }) => ({ id, x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 })),
      connection: {
        stream: this.net.streamState,
        session: this.net.sessionState,
        shutdownReason: this.net.shutdownReason,
        reconnectAttempts: this.net.reconnectAttempts,
      },
      players: this.roster.ranked(),
      timeline: this.net.timeline(),
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
    this.stopInputLoop?.();
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
    // A new arena entry (or a page reload) starts inputs from the server's
    // count and prediction afresh; a resume keeps both.
    if (this.net.inputs.rejoin(welcome)) {
      this.prediction = new Prediction(1000 / welcome.config.tickRateHz);
      this.reconciledTick = 0;
    }
    if (this.settings.path !== 'datagram') this.net.setPath(this.settings.path);
    if (!isPerfect(conditionsOf(this.settings)) && isPerfect(this.net.conditions)) this.net.setConditions(conditionsOf(this.settings));
    // One input per server tick, whatever the frame rate, so prediction and server step the same amounts.
    this.stopInputLoop?.();
    this.stopInputLoop = startInputLoop(welcome.config.tickRateHz, () => this.sendInput());
    this.handlers.onWelcome?.(welcome, freshStart);
  }

  private sendInput() {
    const input = inputFromKeys(this.keys);
    const seq = this.net.inputs.send(input);
    if (this.settings.prediction) this.prediction.applyInput(seq, input);
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
