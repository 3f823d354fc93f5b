// Where a hello goes when several server processes share a room directory
// (room-directory.ts, in Redis): a room of this process, or a room on
// another process, in which case the player is sent there (`redirect`) with
// a seat held for them. Without a directory every hello goes to this
// process's lobby exactly as on a lone server.
//
// Each process stays the authority for its own rooms: the directory only
// decides which process hosts a name, and holds reservations. Joins
// themselves always happen in the owning process. The rules that keep one
// host per name, whatever Redis does:
// - every hello that asks the directory is answered within
//   DIRECTORY_JOIN_DEADLINE_MS; past it, or while Redis is not answering,
//   the hello is decided without it (`seatWithoutDirectory`): rooms hosted
//   here still seat players, but a room this process does not host is never
//   opened here (it may live elsewhere), and quick play opens only names no
//   other process would choose;
// - a room whose claim another process won stops admitting, and its
//   players and later hellos are sent to the owner.
import { createHash } from 'node:crypto';
import {
  ADDRESS_CHAT_BURST,
  ADDRESS_CHAT_REFILL_PER_S,
  DIRECTORY_HEARTBEAT_MS,
  DIRECTORY_JOIN_DEADLINE_MS,
  ERROR_ADDRESS_RESERVATIONS,
  ERROR_DIRECTORY_UNAVAILABLE,
  ERROR_INVALID_MESSAGE,
  ERROR_JOIN_RATE_LIMITED,
  ERROR_ROOM_FULL,
  ERROR_ROOM_GONE,
  JOIN_BURST,
  JOIN_REFILL_PER_S,
  SEAT_RESERVATION_MS,
} from '../../protocol/constants.ts';
import { failed, ok, type Result } from '../../protocol/result.ts';
import type { RoomSummary } from '../../protocol/wire/room-list.ts';
import type { DatagramLink, StreamLink } from '../rooms/links.ts';
import type { ServerMessage } from '../../protocol/wire/stream.ts';
import type { RoomDoor, Seating, SeatRequest } from '../transport/room-door.ts';
import { QUICK_PLAY_PREFIX, type Lobby } from '../rooms/lobby.ts';
import { log } from '../ops/log.ts';
import type { Room } from '../rooms/room.ts';
import type { DirectoryRoom, RoomDirectory } from './room-directory.ts';

/** Names tried when another process claims the same new name at the same moment. */
const MAX_NAME_ATTEMPTS = 20;

/** The names quick play gives rooms while the directory is away (`arena-<6 hex of the server id>-N`): kept from named hellos. */
const OUTAGE_ROOM_NAME = new RegExp(`^${QUICK_PLAY_PREFIX}[0-9a-f]{6}-\\d+$`);

/** Thrown inside a seating attempt whose deadline passed: it must seat nobody, the hello was answered without it. */
class Abandoned extends Error {}

export class Matchmaker implements RoomDoor {
  private heldSeatsTimer: ReturnType<typeof setInterval> | null = null;
  private heldSeatsRefreshedAtMs = 0;
  /** Rooms hosted here whose name another process won, with the winner. */
  private readonly lost = new Map<string, DirectoryRoom>();
  /** Quick play's new rooms while the directory is away: a name no other process would pick (from this one's id). */
  private readonly outagePrefix: string;

  constructor(
    private readonly lobby: Lobby,
    private readonly directory: RoomDirectory | null,
    private readonly serverId: string,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.outagePrefix = `${QUICK_PLAY_PREFIX}${createHash('sha256').update(serverId).digest('hex').slice(0, 6)}-`;
  }

  /** With a directory: keeps each room's count of seats held for players on their way here. */
  start(): void {
    if (!this.directory || this.heldSeatsTimer) return;
    this.heldSeatsTimer = setInterval(() => this.refreshHeldSeats(), DIRECTORY_HEARTBEAT_MS);
  }

  stop(): void {
    if (this.heldSeatsTimer) clearInterval(this.heldSeatsTimer);
    this.heldSeatsTimer = null;
  }

  /** A redirect the player will never see (its socket closed first): the seat held for it is free again at once. */
  abandoned(seating: Seating): void {
    if (seating.kind === 'elsewhere' && seating.reservation) void this.directory?.releaseSeat(seating.reservation).catch(() => {});
  }

  /** The directory says another process won `name`: stop admitting, send everyone there. */
  claimLost(name: string, owner: DirectoryRoom): void {
    const room = this.lobby.room(name);
    if (!room || this.lost.has(name)) return;
    this.lost.set(name, owner);
    room.moveEveryoneTo(owner.url);
  }

  /** The lobby disposed a room: a lost one is forgotten with it. */
  roomDisposed(name: string): void {
    this.lost.delete(name);
  }

  async seat(request: SeatRequest, stream: StreamLink): Promise<Result<Seating>> {
    const directory = this.directory;
    if (!directory) return this.seatHere(request, stream);
    if (directory.connected) {
      const attempt = { abandoned: false };
      try {
        return await withDeadline(this.seatInCluster(directory, request, stream, attempt), DIRECTORY_JOIN_DEADLINE_MS);
      } catch (error) {
        attempt.abandoned = true;
        log.warn({ err: error }, 'room directory failed during a join; deciding without it');
      }
    }
    return this.seatWithoutDirectory(request, stream);
  }

  /** A datagram token's room and player: tokens are issued by rooms here, so the lobby alone knows them. */
  authorizeDatagram(token: string): Result<{ room: string; playerId: number }> {
    return this.lobby.authorizeDatagram(token);
  }

  /** Binds a player's opened data channel: the room may have been disposed since its token was authorized. */
  bindDatagram(roomName: string, playerId: number, link: DatagramLink): Room | null {
    const room = this.lobby.room(roomName);
    return room?.bindDatagram(playerId, link) ? room : null;
  }

  /** A message on a player's stream, if its room is here and the player in it. */
  tell(roomName: string, playerId: number, message: ServerMessage): void {
    this.lobby.room(roomName)?.tell(playerId, message);
  }

  /**
   * Takes a chat token from the address's budget shared by the cluster (the
   * process's own budget in the room applies too). While the directory is
   * away the process's budget alone decides.
   */
  async allowChat(address: string): Promise<boolean> {
    if (!this.directory?.connected) return true;
    return this.directory.takeToken('chat', address, ADDRESS_CHAT_BURST, ADDRESS_CHAT_REFILL_PER_S).catch(() => true);
  }

  /** The rooms to list: this process's, and with a directory every other process's too (with their URL). */
  rooms(): RoomSummary[] {
    const here = this.lobby.list().rooms;
    if (!this.directory?.connected) return here;
    // As of the last heartbeat (at most a second old): a /rooms loop costs Redis nothing.
    const others = this.directory
      .listedRooms()
      // A room of ours that another process won is listed at its new host.
      .filter((room) => room.serverId !== this.serverId && !this.lobby.room(room.name)?.admitting)
      .map(({ name, players, capacity, url }) => ({ name, players, capacity, url }));
    return [...here, ...others].sort((a, b) => b.players - a.players || a.name.localeCompare(b.name));
  }

  private seatHere(request: SeatRequest, stream: StreamLink): Result<Seating> {
    const result = this.lobby.join(request, stream);
    return result.ok ? ok({ kind: 'seated', ...result.value }) : result;
  }

  /** Redis is not answering: seat where this process alone can tell it is right, refuse quickly where it cannot. */
  private seatWithoutDirectory(request: SeatRequest, stream: StreamLink): Result<Seating> {
    const { room: name } = request;
    if (name === undefined) return this.seatHere({ ...request, newRoomPrefix: this.outagePrefix }, stream);
    const lostTo = this.lost.get(name);
    if (lostTo) return ok({ kind: 'elsewhere', url: lostTo.url, room: name });
    if (this.lobby.room(name)) return this.seatHere(request, stream);
    return failed(
      ERROR_DIRECTORY_UNAVAILABLE,
      `room ${name} is not on this server, and the room directory is not answering to say where it is: try quick play, or again in a few seconds`,
    );
  }

  private async seatInCluster(directory: RoomDirectory, request: SeatRequest, stream: StreamLink, attempt: { abandoned: boolean }): Promise<Result<Seating>> {
    /** After each await: a hello answered without us (deadline passed) must not be seated a second time. */
    const stillOurs = () => {
      if (attempt.abandoned) throw new Abandoned('seating abandoned at its deadline');
    };
    const { room: name, reservation, address } = request;
    // Joins per address, shared by every process: N entry points do not give one address N budgets.
    const allowed = await directory.takeToken('join', address, JOIN_BURST, JOIN_REFILL_PER_S);
    stillOurs();
    if (!allowed)
      return failed(ERROR_JOIN_RATE_LIMITED, `at most ${JOIN_REFILL_PER_S} joins per second from one address across the cluster (burst ${JOIN_BURST})`);
    const heldElsewhere = await directory.holdingsElsewhere(address);
    stillOurs();
    const withHoldings: SeatRequest = { ...request, heldElsewhere };
    // A resume without a name looks for the session in this process's rooms, where sessions live.
    if (name === undefined && request.resume) return this.seatHere(withHoldings, stream);
    if (name === undefined) return this.quickPlay(directory, withHoldings, stream, stillOurs);

    if (this.lost.has(name)) return this.seatWhereLost(directory, name, withHoldings, stream, stillOurs);
    const local = this.lobby.room(name);
    if (reservation !== undefined) {
      // Spent wherever it is shown; it seats someone only here, in a room this process owns (checked in Redis, atomically).
      const taken = await directory.takeSeat(name, reservation);
      stillOurs();
      if (taken && local) return this.seatHere({ ...withHoldings, reservedSeat: true }, stream);
    }
    if (local) return this.seatHere(withHoldings, stream);
    const listed = await directory.room(name);
    stillOurs();
    if (listed && listed.serverId !== this.serverId) return this.sendTo(directory, listed, address, stillOurs);
    // Nobody hosts it: open it here, if this process and this address may (asked first, so a refusal leaves no claim).
    if (OUTAGE_ROOM_NAME.test(name)) return failed(ERROR_INVALID_MESSAGE, `room names like ${name} are kept for quick play`);
    const openable = this.lobby.canOpen(address, heldElsewhere);
    if (!openable.ok) return openable;
    const claimedBy = await directory.claim({ name, players: 0, capacity: this.lobby.capacity });
    stillOurs();
    if (!claimedBy) return this.seatHereOrRelease(directory, withHoldings, stream);
    // Someone claimed it a moment ago: send the player there only if that server is registered at that URL.
    const owner = await directory.room(name);
    stillOurs();
    if (!owner) return failed(ERROR_DIRECTORY_UNAVAILABLE, `room ${name} is being opened elsewhere; try again`);
    return this.sendTo(directory, owner, address, stillOurs);
  }

  /**
   * A hello for a room of ours that another process won: to the owner the
   * directory names now. If no one holds the name any more (the owner
   * disposed it), this copy may take it back and admit again.
   */
  private async seatWhereLost(
    directory: RoomDirectory,
    name: string,
    request: SeatRequest,
    stream: StreamLink,
    stillOurs: () => void,
  ): Promise<Result<Seating>> {
    const owner = await directory.room(name);
    stillOurs();
    if (owner && owner.serverId !== this.serverId) return this.sendTo(directory, owner, request.address, stillOurs);
    const room = this.lobby.room(name);
    if (!room) return failed(ERROR_ROOM_GONE, `room ${name} is no longer hosted; try again`);
    const claimedBy = await directory.claim({ name, players: room.playerCount, capacity: room.capacity });
    stillOurs();
    if (claimedBy) return this.sendTo(directory, claimedBy, request.address, stillOurs);
    this.lost.delete(name);
    room.admitting = true;
    return this.seatHere(request, stream);
  }

  /** Seats the player in a room just claimed; if the lobby still refuses, the name goes back, so no claim outlives the refusal. */
  private seatHereOrRelease(directory: RoomDirectory, request: SeatRequest, stream: StreamLink): Result<Seating> {
    const seated = this.seatHere(request, stream);
    if (!seated.ok && request.room !== undefined && !this.lobby.room(request.room)) void directory.release(request.room).catch(() => {});
    return seated;
  }

  /**
   * Quick play over the whole directory: the fullest room with a free seat,
   * this process's first when equally full; a new room here when all are full.
   */
  private async quickPlay(directory: RoomDirectory, request: SeatRequest, stream: StreamLink, stillOurs: () => void): Promise<Result<Seating>> {
    const listed = this.rooms();
    const candidates = listed
      .filter((room) => room.players < room.capacity)
      .sort((a, b) => b.players - a.players || Number(a.url !== undefined) - Number(b.url !== undefined));
    for (const candidate of candidates) {
      if (candidate.url === undefined) {
        if (this.lobby.room(candidate.name)?.hasSpace) return this.seatHere({ ...request, room: candidate.name }, stream);
        continue;
      }
      const owner = await directory.room(candidate.name);
      stillOurs();
      if (!owner || owner.serverId === this.serverId) continue;
      const sent = await this.sendTo(directory, owner, request.address, stillOurs);
      if (sent.ok || sent.error === ERROR_ADDRESS_RESERVATIONS) return sent;
    }
    const openable = this.lobby.canOpen(request.address, request.heldElsewhere);
    if (!openable.ok) return openable;
    // Named like a lone server's (lobby.ts), but the first name free in the whole directory
    // (as listed above; the claim is what makes it ours, atomically).
    const taken = new Set(listed.map((room) => room.name));
    for (let n = 1, attempts = 0; attempts < MAX_NAME_ATTEMPTS; n++) {
      const name = `${QUICK_PLAY_PREFIX}${n}`;
      if (taken.has(name) || this.lobby.room(name)) continue;
      attempts++;
      const owner = await directory.claim({ name, players: 0, capacity: this.lobby.capacity });
      stillOurs();
      if (!owner) return this.seatHereOrRelease(directory, { ...request, room: name }, stream);
    }
    // The directory is in a state we do not understand: a room no other process would name.
    return this.seatHere({ ...request, newRoomPrefix: this.outagePrefix }, stream);
  }

  /**
   * Holds a seat for the player in a room on another process (a registered
   * one) and tells the client to go there. A reservation made after the
   * hello's deadline is given back at once.
   */
  private async sendTo(directory: RoomDirectory, room: DirectoryRoom, address: string, stillOurs: () => void): Promise<Result<Seating>> {
    const reservation = await directory.reserveSeat(room.name, address);
    if (reservation.ok) {
      try {
        stillOurs();
      } catch (abandoned) {
        void directory.releaseSeat(reservation.token).catch(() => {});
        throw abandoned;
      }
      return ok({ kind: 'elsewhere', url: room.url, room: room.name, reservation: reservation.token });
    }
    stillOurs();
    if (reservation.reason === 'address') {
      return failed(ERROR_ADDRESS_RESERVATIONS, 'your address holds as many seats reserved on other servers as it may; wait a few seconds');
    }
    if (reservation.reason === 'gone') return failed(ERROR_ROOM_GONE, `room ${room.name} is no longer hosted; try again`);
    return failed(ERROR_ROOM_FULL, `room ${room.name} is full`);
  }

  /**
   * Each room's seats held for players on their way here, from Redis. While
   * Redis does not answer, the counts lapse after a reservation's life: a
   * reservation cannot outlive it just because nobody could ask.
   */
  private refreshHeldSeats(): void {
    const directory = this.directory!;
    if (!directory.connected) {
      if (this.clock() - this.heldSeatsRefreshedAtMs > SEAT_RESERVATION_MS) for (const room of this.lobby.allRooms()) room.heldSeats = 0;
      return;
    }
    for (const room of this.lobby.allRooms()) {
      directory.reservations(room.name).then(
        (held) => {
          room.heldSeats = held;
          this.heldSeatsRefreshedAtMs = this.clock();
        },
        () => {},
      );
    }
  }
}

/** Rejects if `promise` has not settled within `ms`. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
