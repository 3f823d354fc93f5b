// The lobby: every room this process hosts, by name. It sends each hello to
// a room (the named one, created on first join, or quick play's choice),
// finds the room a datagram token belongs to, lists the rooms for the join
// screen, and disposes rooms that stayed empty past their idle time. Rooms
// never see each other; only the lobby knows there is more than one.
import {
  ADDRESS_CHAT_BURST,
  ADDRESS_CHAT_REFILL_PER_S,
  type DROP_AUTH_EXPIRED,
  DROP_AUTH_UNKNOWN,
  ERROR_ADDRESS_ROOMS,
  ERROR_SERVER_FULL,
  ROOM_SWEEP_INTERVAL_MS,
} from '../../protocol/constants.ts';
import { failed, ok, type Result } from '../../protocol/result.ts';
import type { RoomList } from '../../protocol/wire/room-list.ts';
import { AddressLimits } from '../limits/address-limits.ts';
import { log } from '../ops/log.ts';
import { Room, type Joined, type RoomSettings } from './room.ts';
import type { Scenario } from './scenario.ts';
import type { StreamLink } from './links.ts';
import type { Holdings } from '../cluster/room-directory.ts';

export interface LobbyOptions extends RoomSettings {
  /** Players per room. */
  roomCapacity: number;
  /** Rooms hosted at once; a join that would open one more is refused. */
  maxRooms: number;
  /** Players one remote address may have in arenas at once (with a directory, in the whole cluster). */
  maxSeatsPerAddress: number;
  /** Rooms one remote address may have opened that still exist (with a directory, in the whole cluster). */
  maxRoomsPerAddress: number;
  /** An empty room is disposed this long after its last player left. */
  roomIdleMs: number;
  /** Each room's world is seeded from this and the order rooms were opened in. */
  seed: number;
  /** Sets up each room's world (tests): see scenario.ts and ScenarioChoice. */
  scenario?: ScenarioChoice;
  /** Told when a room is disposed (the room directory gives its name back). */
  onRoomDisposed?(name: string): void;
}

/** One scenario for every room (tests with one room), or each room's own by name. */
export type ScenarioChoice = Scenario | ((roomName: string) => Scenario);

/** A stream's hello, as the lobby needs it. */
export interface JoinRequest {
  name: string;
  /** The room asked for by name; absent means quick play. */
  room?: string;
  resume?: { sessionToken: string; lastSeq: number };
  /** The remote address (joins and chat are limited per address). */
  address: string;
  /** The player brings a seat another server reserved for them in `room` (already checked). */
  reservedSeat?: boolean;
  /** What the address holds on other processes of the cluster (the room directory says), counted against the same bounds. */
  heldElsewhere?: Holdings;
  /** Quick play names a new room this, then 1, 2 … (default QUICK_PLAY_PREFIX). */
  newRoomPrefix?: string;
}

/** A joined player's room, with the welcome and replay to send. */
export type LobbyJoinResult = Result<{ room: Room } & Joined>;

/** Quick play's new rooms are called arena-1, arena-2 … (the first free name). */
export const QUICK_PLAY_PREFIX = 'arena-';

export class Lobby {
  private readonly rooms = new Map<string, Room>();
  /** Who opened each room (by remote address), while it exists: an address may hold only so many. */
  private readonly openedBy = new Map<string, string>();
  /** Process-wide, not per room: a loop of {join room A, chat, leave, join room B …} must not multiply the chat limit. */
  private readonly addressChat = new AddressLimits(ADDRESS_CHAT_BURST, ADDRESS_CHAT_REFILL_PER_S);
  private roomsOpened = 0;
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly options: LobbyOptions) {}

  /** Starts disposing idle rooms. */
  start(): void {
    this.sweeper ??= setInterval(() => this.disposeIdleRooms(), ROOM_SWEEP_INTERVAL_MS);
  }

  /** Says goodbye to every player in every room and stops. */
  shutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const room of this.rooms.values()) room.shutdown();
  }

  get playerCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.playerCount;
    return count;
  }

  /** Capacity of a room opened now. */
  get capacity(): number {
    return this.options.roomCapacity;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  room(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /** The rooms this process hosts. */
  allRooms(): IterableIterator<Room> {
    return this.rooms.values();
  }

  /** The rooms as the join screen lists them: fullest first, then by name. */
  list(): RoomList {
    const rooms = [...this.rooms.values()]
      .filter((room) => room.admitting) // a room another process won is on its way out
      .map((room) => ({ name: room.name, players: room.playerCount, capacity: room.capacity }))
      .sort((a, b) => b.players - a.players || a.name.localeCompare(b.name));
    return { rooms, capacity: this.options.roomCapacity, roomsLeft: Math.max(0, this.options.maxRooms - this.rooms.size) };
  }

  /** For /healthz: the rooms with players in them, the seats held in each for players on their way, and how far each has ticked (proof its loop runs). */
  health(): { name: string; players: number; capacity: number; heldSeats: number; tick: number }[] {
    return [...this.rooms.values()]
      .filter((room) => room.playerCount > 0)
      .map((room) => ({ name: room.name, players: room.playerCount, capacity: room.capacity, heldSeats: room.heldSeats, tick: room.tick }));
  }

  /**
   * Seats a player. A named room is joined, or opened if it does not exist;
   * without a name, quick play picks one. A resume goes back to the
   * session's room: the named one, or whichever holds the token.
   */
  join(request: JoinRequest, stream: StreamLink): LobbyJoinResult {
    const { name, resume, address } = request;
    const held = this.heldBy(address, request.heldElsewhere);
    const addressFull = held.seats >= this.options.maxSeatsPerAddress;
    const room =
      request.room !== undefined
        ? this.namedRoom(request.room, address, held)
        : this.quickPlayRoom(request.resume?.sessionToken, address, held, request.newRoomPrefix ?? QUICK_PLAY_PREFIX);
    if (!room.ok) return room;
    const admission = { address, ...(request.reservedSeat ? { reservedSeat: true } : {}), ...(addressFull ? { addressFull } : {}) };
    const result = resume ? room.value.resume(resume.sessionToken, resume.lastSeq, name, stream, admission) : room.value.join(name, stream, admission);
    return result.ok ? ok({ room: room.value, ...result.value }) : result;
  }

  /** What each remote address holds in this process now: players in arenas, and rooms it opened. */
  holdings(): Map<string, Holdings> {
    const seats = new Map<string, number>();
    for (const room of this.rooms.values()) room.countSeatsByAddress(seats);
    const holdings = new Map<string, Holdings>();
    for (const [address, count] of seats) holdings.set(address, { seats: count, rooms: 0 });
    for (const address of this.openedBy.values()) {
      const held = holdings.get(address) ?? { seats: 0, rooms: 0 };
      held.rooms++;
      holdings.set(address, held);
    }
    return holdings;
  }

  /** What `address` holds here, plus what it holds elsewhere in the cluster. */
  private heldBy(address: string, elsewhere: Holdings = { seats: 0, rooms: 0 }): Holdings {
    const here = this.holdings().get(address) ?? { seats: 0, rooms: 0 };
    return { seats: here.seats + elsewhere.seats, rooms: here.rooms + elsewhere.rooms };
  }

  /** geckos' authorization hook: which room's player a datagram token names. */
  authorizeDatagram(token: string): Result<{ room: string; playerId: number }, typeof DROP_AUTH_UNKNOWN | typeof DROP_AUTH_EXPIRED> {
    for (const room of this.rooms.values()) {
      const check = room.authorizeDatagram(token);
      if (check.ok) return ok({ room: room.name, playerId: check.value });
      if (check.error !== DROP_AUTH_UNKNOWN) return failed(check.error); // its room, but expired
    }
    return failed(DROP_AUTH_UNKNOWN);
  }

  private namedRoom(name: string, address: string, held: Holdings): Result<Room> {
    const room = this.rooms.get(name);
    return room ? ok(room) : this.open(name, address, held);
  }

  /**
   * Quick play: the session's own room when resuming; otherwise the fullest
   * room with a free seat (players find each other instead of spreading
   * thin), or a new room when every one is full.
   */
  private quickPlayRoom(sessionToken: string | undefined, address: string, held: Holdings, prefix: string): Result<Room> {
    if (sessionToken) {
      for (const room of this.rooms.values()) if (room.sessions.findByToken(sessionToken)) return ok(room);
    }
    let best: Room | null = null;
    for (const room of this.rooms.values()) {
      if (room.hasSpace && (!best || room.playerCount > best.playerCount)) best = room;
    }
    if (best) return ok(best);
    let n = 1;
    while (this.rooms.has(`${prefix}${n}`)) n++;
    return this.open(`${prefix}${n}`, address, held);
  }

  /**
   * Whether `address` could open a room here now (with what it holds
   * elsewhere in the cluster): the matchmaker asks before it claims a name in
   * the directory, so a refused hello leaves no claim behind.
   */
  canOpen(address: string, heldElsewhere?: Holdings): Result<null> {
    return this.mayOpen(this.heldBy(address, heldElsewhere));
  }

  private mayOpen(held: Holdings): Result<null> {
    if (this.rooms.size >= this.options.maxRooms) {
      return failed(ERROR_SERVER_FULL, `this server hosts ${this.options.maxRooms} rooms, its most; join one of them`);
    }
    // Without this bound one address could open every room a process may host, and hold them.
    if (held.rooms >= this.options.maxRoomsPerAddress) {
      return failed(ERROR_ADDRESS_ROOMS, `your address has opened ${this.options.maxRoomsPerAddress} rooms that are still open, its most; join one of them`);
    }
    return ok(null);
  }

  private open(name: string, address: string, held: Holdings): Result<Room> {
    const allowed = this.mayOpen(held);
    if (!allowed.ok) return allowed;
    const { options } = this;
    const room = new Room({
      name,
      capacity: options.roomCapacity,
      tickRateHz: options.tickRateHz,
      snapshotRateHz: options.snapshotRateHz,
      npcCount: options.npcCount,
      // Rooms differ from each other, and a server started with the same seed makes the same rooms in the same order.
      seed: options.seed + this.roomsOpened++ * ROOM_SEED_STRIDE,
      metrics: options.metrics,
      clock: options.clock,
      addressChat: this.addressChat,
      ...(options.kernelLossPct ? { kernelLossPct: options.kernelLossPct } : {}),
      ...(options.scenario ? { scenario: typeof options.scenario === 'function' ? options.scenario(name) : options.scenario } : {}),
    });
    this.rooms.set(name, room);
    if (address) this.openedBy.set(name, address);
    log.info({ room: name, rooms: this.rooms.size }, 'room opened');
    return ok(room);
  }

  /** Rooms empty for longer than roomIdleMs go; their sessions can no longer be resumed. Runs every ROOM_SWEEP_INTERVAL_MS. */
  disposeIdleRooms(): void {
    const now = this.options.clock();
    for (const room of [...this.rooms.values()]) {
      if (room.emptySinceMs !== null && now - room.emptySinceMs >= this.options.roomIdleMs) {
        this.rooms.delete(room.name);
        this.openedBy.delete(room.name);
        room.dispose();
        this.options.onRoomDisposed?.(room.name);
      }
    }
  }
}

/** Spacing between rooms' seeds, so neighbouring rooms' worlds do not share a random sequence. */
const ROOM_SEED_STRIDE = 7919;
