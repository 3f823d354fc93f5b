// One room: its players, an arena (arena.ts: the world, its fixed-step loop,
// input admission and snapshots), an event log, chat and scores, and a
// capacity. It decides when a player (player.ts) joins, resumes, leaves or is
// sent elsewhere; chat and scores happen here. It talks to players only
// through the two link interfaces in links.ts, which the stream and datagram
// gateways implement. Nothing in one room reaches another: the lobby
// (lobby.ts) holds the rooms and routes players to one.
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  ADDRESS_CHAT_REFILL_PER_S,
  CHAT_HISTORY_LINES,
  CHAT_REFILL_PER_S,
  CLOSE_GOING_AWAY,
  DROP_QUEUE_FULL,
  ERROR_ADDRESS_SEATS,
  ERROR_CHAT_RATE_LIMITED,
  ERROR_NOT_JOINED,
  ERROR_SERVER_FULL,
  ERROR_ROOM_FULL,
  LINKDEAD_GRACE_MS,
  MAX_SESSIONS,
  SWEEP_INTERVAL_MS,
} from '../../protocol/constants.ts';
import { failed, ok, type Result } from '../../protocol/result.ts';
import type { InputPacket } from '../../protocol/wire/input.ts';
import type { ChatEvent, GameEvent, ServerMessage, Welcome } from '../../protocol/wire/stream.ts';
import { EventLog, type UnsequencedEvent } from './event-log.ts';
import { Arena } from './arena.ts';
import { log as processLog } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Scenario } from './scenario.ts';
import { SessionStore, type DatagramTokenCheck, type Session } from './sessions.ts';
import type { DatagramLink, PlayerSettings, StreamLink } from './links.ts';
import { Player } from './player.ts';
import type { AddressLimits } from '../limits/address-limits.ts';

/** What every room of a process shares (the lobby passes it on to each room it opens). */
export interface RoomSettings {
  tickRateHz: number;
  snapshotRateHz: number;
  npcCount: number;
  metrics: Metrics;
  /** Milliseconds on a monotonic clock; the snapshot `serverTimeMs` uses it. */
  clock: () => number;
  /** Real loss the kernel applies to this server's ports (`npm run lab`), told to players in the welcome. */
  kernelLossPct?: number;
}

export interface RoomOptions extends RoomSettings {
  /** The room's name (roomNameSchema): in links, the HUD, logs and metric labels. */
  name: string;
  /** Players the arena holds at once (at most MAX_PLAYERS). */
  capacity: number;
  seed: number;
  /** The world set on purpose (tests, demos): see scenario.ts. Without it, the seed's random world. */
  scenario?: Scenario;
  /**
   * The chat budget per remote address, shared by every room of the process
   * (the lobby owns it): a room of its own would give a fresh budget to each
   * room joined, and to a room disposed and opened again.
   */
  addressChat: AddressLimits;
}

/** How a join or resume may seat a player, beyond the room's own capacity. */
export interface Admission {
  /** The remote address the stream comes from (chat is limited per address too). */
  address: string;
  /** They bring a seat held for them (a redirect from another server), which they now take. */
  reservedSeat?: boolean;
  /** The address already holds as many seats as it may: no new seat in the arena for it. */
  addressFull?: boolean;
}

/** A join or resume: the welcome and the events to replay, or the error code and message the client is sent. */
export interface Joined {
  welcome: Welcome;
  replay: GameEvent[];
}
export type JoinResult = Result<Joined>;

export class Room {
  readonly name: string;
  readonly capacity: number;
  /** Everyone with a session here, in the arena or not (they may resume), by player id: the one map of players by id. */
  private readonly players = new Map<number, Player>();
  /** Session and datagram tokens; the players they name are those above. */
  readonly sessions = new SessionStore(this.players);
  /**
   * Seats held for players another server process is sending here (a room
   * directory's reservations, refreshed by the matchmaker): a direct join leaves them free.
   */
  heldSeats = 0;
  /**
   * False once another process holds this room's name in the directory (it
   * won the claim): nobody new is seated here, and the lobby sends its
   * players to the owner. One host per name.
   */
  admitting = true;
  /** When the arena last became empty (clock ms), or null while someone is in it; the lobby disposes rooms empty for long. */
  emptySinceMs: number | null;
  private readonly arena: Arena;
  private readonly log: typeof processLog;
  private readonly events = new EventLog();
  private readonly recentChat: ChatEvent[] = [];
  private lastSweepAtMs = 0;

  constructor(private readonly options: RoomOptions) {
    this.name = options.name;
    this.capacity = options.capacity;
    this.log = processLog.child({ room: options.name });
    this.arena = new Arena({ ...options, log: this.log }, this.players, {
      scored: (player, points) => this.score(player, points),
      woke: (now) => this.sweepEvery(now),
    });
    this.emptySinceMs = options.clock();
    options.metrics.roomOpened(options.name);
  }

  /** Whether the loop runs: only while someone is in the arena (an empty room does not tick). */
  get ticking(): boolean {
    return this.arena.running;
  }

  /** Players in the arena now. */
  get playerCount(): number {
    return this.arena.playerCount;
  }

  get tick(): number {
    return this.arena.tick;
  }

  /** A free seat for a direct join: seats held for players on their way from another server are not free. */
  get hasSpace(): boolean {
    return this.admitting && this.arena.playerCount + this.heldSeats < this.capacity;
  }

  /** Adds this room's players in the arena to `counts`, by remote address. */
  countSeatsByAddress(counts: Map<string, number>): void {
    for (const player of this.players.values()) {
      if (player.inArena) counts.set(player.address, (counts.get(player.address) ?? 0) + 1);
    }
  }

  /**
   * A new player: a session, a place in the arena and a join event for
   * everyone else.
   */
  join(name: string, stream: StreamLink, admission: Admission = { address: '' }): JoinResult {
    const { address, reservedSeat } = admission;
    if (!this.admitting) return this.full();
    if (admission.addressFull) return addressFull();
    if (reservedSeat) {
      if (this.arena.playerCount >= this.capacity) return this.full();
      this.heldSeats = Math.max(0, this.heldSeats - 1);
    } else if (!this.hasSpace) {
      return this.full();
    }
    // Resumable sessions of players who left are kept for a while, but not
    // without bound: past MAX_SESSIONS the longest-gone one is forgotten.
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.longestDisconnected();
      if (oldest) this.forget(oldest);
    }
    const session = this.sessions.create(name);
    if (!session) return failed(ERROR_SERVER_FULL, 'no free player id');
    const player = new Player(session, stream, address, this.options.clock());
    this.players.set(player.id, player);
    this.enterArena(player);
    this.log.info({ playerId: player.id, name }, 'player joined');
    return ok({ welcome: this.welcome(player, false), replay: [] });
  }

  /**
   * A returning player with a session token: same id, same score. Events
   * after `lastSeq` are returned for replay. An unknown or expired token
   * joins as a new player instead (welcome.resumed = false).
   */
  resume(sessionToken: string, lastSeq: number, name: string, stream: StreamLink, admission: Admission = { address: '' }): JoinResult {
    const { address } = admission;
    if (!this.admitting) return this.full();
    const session = this.sessions.findByToken(sessionToken);
    const player = session && this.players.get(session.playerId);
    if (!player) return this.join(name, stream, { address, ...(admission.addressFull ? { addressFull: true } : {}) });
    // Refuse before touching the player, so a refused resume leaves them exactly as they were.
    if (!player.inArena && !this.hasSpace) return this.full();
    // A player out of the arena, or one resumed from another address, takes a new seat for that address:
    // neither leave-join-resume nor handing seats from one address to another may pass the bound.
    if ((!player.inArena || player.address !== address) && admission.addressFull) return addressFull();
    player.resumeOn(stream, address);
    if (!player.inArena) this.enterArena(player);
    this.log.info({ playerId: player.id, lastSeq }, 'session resumed');
    const replay = this.events.since(lastSeq);
    return ok({ welcome: this.welcome(player, true, replay.complete), replay: replay.events });
  }

  /** The stream closed. The player stays LINKDEAD_GRACE_MS, then leaves; the session stays resumable. */
  streamClosed(playerId: number, stream: StreamLink): void {
    this.players.get(playerId)?.streamClosed(stream, this.options.clock()); // an older, replaced link changes nothing
  }

  /** The player said goodbye: out of the arena now, session ended. */
  leave(playerId: number): void {
    const player = this.players.get(playerId);
    if (!player) return;
    this.leaveArena(player, 'left');
    this.forget(player.session);
  }

  /** Ends a session for good: its seat, its data channel, its token. */
  private forget(session: Session): void {
    const player = this.players.get(session.playerId);
    if (player) this.leaveArena(player, 'disconnected');
    player?.datagram?.close();
    this.players.delete(session.playerId);
    this.sessions.delete(session);
  }

  chat(playerId: number, text: string): Result<null> {
    const player = this.players.get(playerId);
    if (!player) return failed(ERROR_NOT_JOINED, 'no such player');
    const now = this.options.clock();
    if (!player.chat.take(now)) {
      return failed(ERROR_CHAT_RATE_LIMITED, `at most ${CHAT_REFILL_PER_S} line per second`);
    }
    // All players from one address share a budget too, in every room, so rejoining under new names or elsewhere buys nothing.
    if (!this.options.addressChat.take(player.address, now)) {
      return failed(ERROR_CHAT_RATE_LIMITED, `at most ${ADDRESS_CHAT_REFILL_PER_S} lines per second from one address`);
    }
    const event = this.publish({
      type: 'chat',
      playerId,
      name: player.session.name,
      text,
      serverTimeMs: Math.round(this.options.clock()),
    });
    this.recentChat.push(event as ChatEvent);
    if (this.recentChat.length > CHAT_HISTORY_LINES) this.recentChat.shift();
    return ok(null);
  }

  /** Applies a player's own settings: the position path, and the simulated network for what we send it. */
  applySettings(playerId: number, settings: PlayerSettings): void {
    const player = this.players.get(playerId);
    if (!player) return;
    if (settings.path) player.delivery.path = settings.path;
    if (settings.conditions) player.setConditions(settings.conditions);
  }

  newDatagramToken(playerId: number): string {
    return this.sessions.issueDatagramToken(playerId, this.options.clock());
  }

  /** geckos' authorization hook lands here: a valid, unexpired, unused token names the player. */
  authorizeDatagram(token: string): DatagramTokenCheck {
    return this.sessions.consumeDatagramToken(token, this.options.clock());
  }

  /** Binds an open data channel to a player, replacing (and closing) any older one. */
  bindDatagram(playerId: number, datagram: DatagramLink): boolean {
    const player = this.players.get(playerId);
    if (!player) return false;
    player.bindDatagram(datagram);
    this.arena.greet(player, datagram);
    return true;
  }

  /** A message on one player's stream, if they are here and it is open. */
  tell(playerId: number, message: ServerMessage): void {
    this.players.get(playerId)?.send(message);
  }

  datagramClosed(playerId: number, datagram: DatagramLink): void {
    this.players.get(playerId)?.datagramClosed(datagram);
  }

  /** Inputs from the datagram channel bound to `playerId` (never from the packet's content). */
  onInputPacket(playerId: number, packet: InputPacket): void {
    const player = this.players.get(playerId);
    if (!player) return;
    const overflow = this.arena.receive(player, packet)?.overflow ?? 0;
    for (let i = 0; i < overflow; i++) this.options.metrics.dropped('datagram', 'in', DROP_QUEUE_FULL);
  }

  /** Tells every client the server is going away, closes their links and stops the loop. */
  shutdown(): void {
    this.arena.stop();
    for (const player of this.players.values()) {
      player.shutDown();
    }
  }

  /**
   * Another process owns this room's name now: stop admitting, and send
   * every connected player to `url`, where the room lives on (their
   * session does not travel: they join there as new players).
   */
  moveEveryoneTo(url: string): void {
    this.admitting = false;
    for (const player of [...this.players.values()]) {
      player.redirect(url, this.name);
      // Gone from here at once: the seat must not count against its address while the player joins the owner.
      this.leave(player.id);
    }
  }

  /** The lobby is done with this room (empty past its idle time): stop, forget every session, drop its metrics. */
  dispose(): void {
    this.arena.stop();
    for (const player of [...this.players.values()]) {
      player.stream?.close(CLOSE_GOING_AWAY, 'room closed');
      this.forget(player.session);
    }
    this.options.metrics.roomClosed(this.name);
    this.log.info('room disposed');
  }

  private full(): JoinResult {
    if (!this.admitting) return failed(ERROR_ROOM_FULL, `room ${this.name} has moved to another server; ask again`);
    return failed(ERROR_ROOM_FULL, `room ${this.name} is full (${this.capacity} players)`);
  }

  private sweepEvery(now: number): void {
    if (now - this.lastSweepAtMs < SWEEP_INTERVAL_MS) return;
    this.lastSweepAtMs = now;
    try {
      this.sweep(now);
    } catch (error) {
      this.log.error({ err: error }, 'sweep failed');
    }
  }

  /** A coin picked up in the arena's step: the points go to the player's session, and everyone hears of it. */
  private score(player: Player, points: number): void {
    player.session.score += points;
    this.publish({ type: 'score', playerId: player.id, score: player.session.score, delta: points });
  }

  /** Removes players whose stream stayed closed past the grace period, and expired sessions. */
  private sweep(nowMs: number): void {
    for (const player of this.players.values()) {
      const since = player.session.disconnectedAtMs;
      if (player.inArena && since !== null && nowMs - since > LINKDEAD_GRACE_MS) {
        this.leaveArena(player, 'disconnected');
        player.dropDatagram();
      }
    }
    for (const expired of this.sessions.sweep(nowMs)) this.forget(expired);
  }

  private enterArena(player: Player): void {
    this.arena.enter(player);
    this.emptySinceMs = null;
    this.options.metrics.roomPlayers(this.name, this.arena.playerCount);
    this.publish({ type: 'join', playerId: player.id, name: player.session.name, score: player.session.score }, player.id);
  }

  private leaveArena(player: Player, reason: 'left' | 'disconnected'): void {
    if (!player.inArena) return;
    this.arena.leave(player); // the last one out stops the loop
    this.options.metrics.roomPlayers(this.name, this.arena.playerCount);
    if (this.arena.playerCount === 0) this.emptySinceMs = this.options.clock();
    this.publish({ type: 'leave', playerId: player.id, name: player.session.name, reason });
    this.log.info({ playerId: player.id, reason }, 'player left');
  }

  /** Numbers an event, logs it for replay and sends it to every connected player (but `except`). */
  private publish(event: UnsequencedEvent, except?: number): GameEvent {
    const sequenced = this.events.append(event);
    for (const player of this.players.values()) {
      if (player.id !== except) player.send(sequenced);
    }
    return sequenced;
  }

  private welcome(player: Player, resumed: boolean, replayComplete = true): Welcome {
    const players = [...this.players.values()].filter((p) => p.inArena).map((p) => ({ id: p.id, name: p.session.name, score: p.session.score }));
    const { session } = player;
    return {
      type: 'welcome',
      playerId: session.playerId,
      name: session.name,
      sessionToken: session.token,
      datagramToken: this.newDatagramToken(session.playerId),
      resumed,
      room: { name: this.name, capacity: this.capacity },
      lastSeq: this.events.newestSeq,
      replayComplete,
      inputSeq: player.lastAppliedInput,
      config: {
        tickRateHz: this.options.tickRateHz,
        snapshotRateHz: this.options.snapshotRateHz,
        arenaWidthPx: ARENA_WIDTH_PX,
        arenaHeightPx: ARENA_HEIGHT_PX,
        ...(this.options.kernelLossPct ? { kernelLossPct: this.options.kernelLossPct } : {}),
      },
      players,
      scores: Object.fromEntries(players.map((p) => [String(p.id), p.score])),
      recentChat: [...this.recentChat],
    };
  }
}

function addressFull(): JoinResult {
  return failed(ERROR_ADDRESS_SEATS, 'your address already has as many players in the game as one address may');
}
