// The game: joins, resumes and leaves, chat and scores, and the fixed-step
// loop. It talks to players only through the two link interfaces in links.ts,
// which the stream and datagram gateways implement; snapshots go out through
// its SnapshotSender.
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  ADDRESS_CHAT_BURST,
  ADDRESS_CHAT_REFILL_PER_S,
  CHAT_BURST,
  CHAT_HISTORY_LINES,
  CHAT_REFILL_PER_S,
  CLOSE_GOING_AWAY,
  CLOSE_SESSION_REPLACED,
  DROP_QUEUE_FULL,
  ERROR_CHAT_RATE_LIMITED,
  ERROR_NOT_JOINED,
  ERROR_SERVER_FULL,
  LINKDEAD_GRACE_MS,
  MAX_CATCH_UP_STEPS,
  MAX_PLAYERS,
  MAX_SESSIONS,
  SWEEP_INTERVAL_MS,
} from '../protocol/constants.ts';
import { clampConditions, PERFECT_NETWORK, type NetworkConditions } from '../protocol/netsim/conditioner.ts';
import { failed, ok, type Result } from '../protocol/result.ts';
import type { InputPacket } from '../protocol/wire/input.ts';
import type { ChatEvent, GameEvent, Welcome } from '../protocol/wire/stream.ts';
import { EventLog, type UnsequencedEvent } from './event-log.ts';
import { log } from './log.ts';
import type { Metrics } from './metrics.ts';
import { Room } from './room.ts';
import type { Scenario } from './scenario.ts';
import { SessionStore, type DatagramTokenCheck, type Session } from './sessions.ts';
import type { DatagramLink, PlayerSettings, StreamLink } from './links.ts';
import { SnapshotSender, type SnapshotRecipient } from './snapshot-sender.ts';
import { AddressLimits } from './address-limits.ts';
import { TokenBucket } from './token-bucket.ts';

/** Everything the server holds for one session. */
interface Seat {
  session: Session;
  stream: StreamLink | null;
  datagram: DatagramLink | null;
  conditions: NetworkConditions;
  /**
   * In the world, simulated and in snapshots. A seat can exist without it:
   * the player left (stream gone past the grace period) but may still resume.
   */
  inArena: boolean;
  chat: TokenBucket;
  /** The remote address it last joined or resumed from (chat is also limited per address). */
  address: string;
}

export interface GameOptions {
  tickRateHz: number;
  snapshotRateHz: number;
  npcCount: number;
  seed: number;
  metrics: Metrics;
  /** Milliseconds on a monotonic clock; the snapshot `serverTimeMs` uses it. */
  clock: () => number;
  /** Real loss the kernel applies to this server's ports (`npm run lab`), told to players in the welcome. */
  kernelLossPct?: number;
  /** The world set on purpose (tests, demos): see scenario.ts. Without it, the seed's random world. */
  scenario?: Scenario;
}

/** A join or resume: the welcome and the events to replay, or the error code and message the client is sent. */
export type JoinResult = Result<{ welcome: Welcome; replay: GameEvent[] }>;

export class Game {
  readonly room: Room;
  readonly sessions = new SessionStore();
  private readonly seats = new Map<number, Seat>();
  private readonly events = new EventLog();
  private readonly recentChat: ChatEvent[] = [];
  private readonly addressChat = new AddressLimits(ADDRESS_CHAT_BURST, ADDRESS_CHAT_REFILL_PER_S);
  private readonly snapshotSender: SnapshotSender;
  private loop: ReturnType<typeof setInterval> | null = null;
  private lastStepAtMs = 0;
  private unsimulatedMs = 0;
  private lastSweepAtMs = 0;

  constructor(private readonly options: GameOptions) {
    this.snapshotSender = new SnapshotSender(options.metrics);
    this.room = new Room({ tickRateHz: options.tickRateHz, npcCount: options.npcCount, seed: options.seed, scenario: options.scenario });
  }

  get playerCount(): number {
    return this.room.playerCount;
  }

  get tick(): number {
    return this.room.tick;
  }

  /** A new player: a session, a place in the arena and a join event for everyone else. */
  join(name: string, stream: StreamLink, address = ''): JoinResult {
    if (this.room.playerCount >= MAX_PLAYERS) {
      return failed(ERROR_SERVER_FULL, `the arena holds ${MAX_PLAYERS} players`);
    }
    // Resumable sessions of players who left are kept for a while, but not
    // without bound: past MAX_SESSIONS the longest-gone one is forgotten.
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.longestDisconnected();
      if (oldest) this.forget(oldest);
    }
    const session = this.sessions.create(name);
    if (!session) return failed(ERROR_SERVER_FULL, 'no free player id');
    const seat: Seat = {
      session,
      stream,
      datagram: null,
      conditions: PERFECT_NETWORK,
      inArena: false,
      chat: new TokenBucket(CHAT_BURST, CHAT_REFILL_PER_S, this.options.clock()),
      address,
    };
    this.seats.set(session.playerId, seat);
    this.snapshotSender.addPlayer(session.playerId);
    this.enterArena(seat);
    log.info({ playerId: session.playerId, name }, 'player joined');
    return ok({ welcome: this.welcome(seat, false), replay: [] });
  }

  /**
   * A returning player with a session token: same id, same score. Events
   * after `lastSeq` are returned for replay. An unknown or expired token
   * joins as a new player instead (welcome.resumed = false).
   */
  resume(sessionToken: string, lastSeq: number, name: string, stream: StreamLink, address = ''): JoinResult {
    const session = this.sessions.findByToken(sessionToken);
    const seat = session && this.seats.get(session.playerId);
    if (!session || !seat) return this.join(name, stream, address);
    // Refuse before touching the seat, so a refused resume leaves it exactly as it was.
    if (!seat.inArena && this.room.playerCount >= MAX_PLAYERS) {
      return failed(ERROR_SERVER_FULL, `the arena holds ${MAX_PLAYERS} players`);
    }
    if (seat.stream && seat.stream !== stream) seat.stream.close(CLOSE_SESSION_REPLACED, 'session resumed elsewhere');
    seat.stream = stream;
    seat.address = address;
    stream.setConditions(seat.conditions);
    session.disconnectedAtMs = null;
    if (!seat.inArena) this.enterArena(seat);
    log.info({ playerId: session.playerId, lastSeq }, 'session resumed');
    const replay = this.events.since(lastSeq);
    return ok({ welcome: this.welcome(seat, true, replay.complete), replay: replay.events });
  }

  /** The stream closed. The player stays LINKDEAD_GRACE_MS, then leaves; the session stays resumable. */
  streamClosed(playerId: number, stream: StreamLink): void {
    const seat = this.seats.get(playerId);
    if (!seat || seat.stream !== stream) return; // an older, replaced link
    seat.stream = null;
    seat.session.disconnectedAtMs = this.options.clock();
  }

  /** The player said goodbye: out of the arena now, session ended. */
  leave(playerId: number): void {
    const seat = this.seats.get(playerId);
    if (!seat) return;
    this.leaveArena(seat, 'left');
    this.forget(seat.session);
  }

  /** Ends a session for good: its seat, its data channel, its token. */
  private forget(session: Session): void {
    const seat = this.seats.get(session.playerId);
    if (seat) this.leaveArena(seat, 'disconnected');
    seat?.datagram?.close();
    this.seats.delete(session.playerId);
    this.snapshotSender.removePlayer(session.playerId);
    this.sessions.delete(session);
  }

  chat(playerId: number, text: string): Result<null> {
    const seat = this.seats.get(playerId);
    if (!seat) return failed(ERROR_NOT_JOINED, 'no such player');
    const now = this.options.clock();
    if (!seat.chat.take(now)) {
      return failed(ERROR_CHAT_RATE_LIMITED, `at most ${CHAT_REFILL_PER_S} line per second`);
    }
    // All players from one address share a budget too, so rejoining under new names buys nothing.
    if (!this.addressChat.take(seat.address, now)) {
      return failed(ERROR_CHAT_RATE_LIMITED, `at most ${ADDRESS_CHAT_REFILL_PER_S} lines per second from one address`);
    }
    const event = this.publish({
      type: 'chat',
      playerId,
      name: seat.session.name,
      text,
      serverTimeMs: Math.round(this.options.clock()),
    });
    this.recentChat.push(event as ChatEvent);
    if (this.recentChat.length > CHAT_HISTORY_LINES) this.recentChat.shift();
    return ok(null);
  }

  /** Applies a player's own settings: the position path, and the simulated network for what we send it. */
  applySettings(playerId: number, settings: PlayerSettings): void {
    const seat = this.seats.get(playerId);
    if (!seat) return;
    if (settings.path) this.snapshotSender.setPath(playerId, settings.path);
    if (settings.conditions) {
      seat.conditions = clampConditions(settings.conditions);
      seat.stream?.setConditions(seat.conditions);
      seat.datagram?.setConditions(seat.conditions);
    }
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
    const seat = this.seats.get(playerId);
    if (!seat) return false;
    if (seat.datagram && seat.datagram !== datagram) seat.datagram.close();
    seat.datagram = datagram;
    datagram.setConditions(seat.conditions);
    // A new channel starts from a full snapshot (none while out of the arena).
    this.snapshotSender.greet(playerId, datagram, seat.inArena ? this.room.lastAppliedInput(playerId) : null);
    return true;
  }

  datagramClosed(playerId: number, datagram: DatagramLink): void {
    const seat = this.seats.get(playerId);
    if (seat?.datagram === datagram) seat.datagram = null;
  }

  /** Inputs from the datagram channel bound to `playerId` (never from the packet's content). */
  onInputPacket(playerId: number, packet: InputPacket): void {
    this.snapshotSender.acknowledge(playerId, packet.ackTick, this.room.tick);
    const result = this.room.queueInputs(playerId, packet);
    for (let i = 0; i < result.overflow; i++) this.options.metrics.dropped('datagram', 'in', DROP_QUEUE_FULL);
  }

  /** Starts the fixed-step loop. */
  start(): void {
    const stepMs = 1000 / this.options.tickRateHz;
    this.lastStepAtMs = this.options.clock();
    // The interval only wakes us; the accumulator decides how many steps are due,
    // so the simulation keeps real time even though timers fire late.
    this.loop = setInterval(() => {
      const now = this.options.clock();
      this.unsimulatedMs += now - this.lastStepAtMs;
      this.lastStepAtMs = now;
      let steps = 0;
      while (this.unsimulatedMs >= stepMs && steps < MAX_CATCH_UP_STEPS) {
        this.safeTick();
        this.unsimulatedMs -= stepMs;
        steps++;
      }
      if (steps === MAX_CATCH_UP_STEPS && this.unsimulatedMs >= stepMs) {
        // Too far behind: skip the rest, don't spiral. The players' inputs
        // for the skipped steps are still coming; the room lets them in.
        this.room.creditSkippedSteps(Math.floor(this.unsimulatedMs / stepMs));
        this.unsimulatedMs = 0;
      }
      if (now - this.lastSweepAtMs >= SWEEP_INTERVAL_MS) {
        this.lastSweepAtMs = now;
        try {
          this.sweep(now);
        } catch (error) {
          log.error({ err: error }, 'sweep failed');
        }
      }
    }, stepMs / 2);
  }

  /** Tells every client the server is going away and closes their links. */
  shutdown(): void {
    if (this.loop) clearInterval(this.loop);
    this.loop = null;
    for (const seat of this.seats.values()) {
      seat.stream?.send({ type: 'shutdown', reason: 'server shutting down' });
      seat.stream?.close(CLOSE_GOING_AWAY, 'server shutting down');
      seat.datagram?.close();
    }
  }

  /** One simulation step plus, when due, snapshots. Exceptions are logged, never thrown into the timer. */
  private safeTick(): void {
    const endTimer = this.options.metrics.tickDuration.startTimer();
    try {
      const pickups = this.room.step();
      for (const { playerId, points } of pickups) {
        const seat = this.seats.get(playerId);
        if (!seat) continue;
        seat.session.score += points;
        this.publish({ type: 'score', playerId, score: seat.session.score, delta: points });
      }
      const { tickRateHz, snapshotRateHz } = this.options;
      const tick = this.room.tick;
      if (Math.floor((tick * snapshotRateHz) / tickRateHz) > Math.floor(((tick - 1) * snapshotRateHz) / tickRateHz)) {
        this.sendSnapshots();
      }
    } catch (error) {
      log.error({ err: error, tick: this.room.tick }, 'tick failed');
    } finally {
      endTimer();
    }
  }

  /** Hands this tick's state to the sender, with who is in the arena and how to reach them. */
  private sendSnapshots(): void {
    const recipients: SnapshotRecipient[] = [];
    for (const { session, stream, datagram, inArena } of this.seats.values()) {
      if (!inArena) continue;
      const playerId = session.playerId;
      recipients.push({ playerId, ackInputSeq: this.room.lastAppliedInput(playerId), stream, datagram });
    }
    this.snapshotSender.send(this.room.tick, Math.round(this.options.clock()), this.room.entities(), recipients);
  }

  /** Removes players whose stream stayed closed past the grace period, and expired sessions. */
  private sweep(nowMs: number): void {
    for (const seat of this.seats.values()) {
      const since = seat.session.disconnectedAtMs;
      if (seat.inArena && since !== null && nowMs - since > LINKDEAD_GRACE_MS) {
        this.leaveArena(seat, 'disconnected');
        seat.datagram?.close();
        seat.datagram = null;
      }
    }
    for (const expired of this.sessions.sweep(nowMs)) this.forget(expired);
  }

  private enterArena(seat: Seat): void {
    this.room.addPlayer(seat.session.playerId);
    seat.inArena = true;
    this.options.metrics.players.set(this.room.playerCount);
    this.publish(
      { type: 'join', playerId: seat.session.playerId, name: seat.session.name, score: seat.session.score },
      seat.session.playerId,
    );
  }

  private leaveArena(seat: Seat, reason: 'left' | 'disconnected'): void {
    if (!seat.inArena) return;
    this.room.removePlayer(seat.session.playerId);
    seat.inArena = false;
    this.options.metrics.players.set(this.room.playerCount);
    this.publish({ type: 'leave', playerId: seat.session.playerId, name: seat.session.name, reason });
    log.info({ playerId: seat.session.playerId, reason }, 'player left');
  }

  /** Numbers an event, logs it for replay and sends it to every connected player (but `except`). */
  private publish(event: UnsequencedEvent, except?: number): GameEvent {
    const sequenced = this.events.append(event);
    for (const seat of this.seats.values()) {
      if (seat.session.playerId !== except) seat.stream?.send(sequenced);
    }
    return sequenced;
  }

  private welcome(seat: Seat, resumed: boolean, replayComplete = true): Welcome {
    const players = [...this.seats.values()]
      .filter((s) => s.inArena)
      .map((s) => ({ id: s.session.playerId, name: s.session.name, score: s.session.score }));
    return {
      type: 'welcome',
      playerId: seat.session.playerId,
      name: seat.session.name,
      sessionToken: seat.session.token,
      datagramToken: this.newDatagramToken(seat.session.playerId),
      resumed,
      lastSeq: this.events.newestSeq,
      replayComplete,
      inputSeq: this.room.lastAppliedInput(seat.session.playerId),
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
