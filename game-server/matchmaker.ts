// Where a hello goes when several server processes share a room directory
// (room-directory.ts, in Redis): a room of this process, or a room on
// another process, in which case the player is sent there (`redirect`) with
// a seat held for them. Without a directory, or while Redis is unreachable,
// every hello goes to this process's lobby exactly as on a lone server.
//
// Each process stays the authority for its own rooms: the directory only
// decides which process hosts a name (the first to claim it), and holds
// reservations. Joins themselves always happen in the owning process.
import { DIRECTORY_HEARTBEAT_MS, ERROR_ROOM_FULL } from '../protocol/constants.ts';
import { failed, ok, type Result } from '../protocol/result.ts';
import type { RoomSummary } from '../protocol/wire/room-list.ts';
import type { StreamLink } from './links.ts';
import { QUICK_PLAY_PREFIX, type JoinRequest, type Lobby } from './lobby.ts';
import { log } from './log.ts';
import type { Joined, Room } from './room.ts';
import type { DirectoryRoom, RoomDirectory } from './room-directory.ts';

/** A hello's outcome: seated here, or sent to the process that hosts the room. */
export type Seating =
  | ({ kind: 'seated'; room: Room } & Joined)
  | { kind: 'elsewhere'; url: string; room: string; reservation: string };

/** The hello as the matchmaker needs it: a lobby request plus a reservation brought from a redirect. */
export interface SeatRequest extends JoinRequest {
  reservation?: string;
}

/** Names tried when another process claims the same new name at the same moment. */
const MAX_NAME_ATTEMPTS = 20;

export class Matchmaker {
  private heldSeatsTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly lobby: Lobby,
    private readonly directory: RoomDirectory | null,
    private readonly serverId: string,
  ) {}

  /** With a directory: keeps each room's count of seats held for players on their way here. */
  start(): void {
    if (!this.directory || this.heldSeatsTimer) return;
    const directory = this.directory;
    this.heldSeatsTimer = setInterval(() => {
      if (!directory.connected) return;
      for (const room of this.lobby.allRooms()) {
        directory.reservations(room.name).then(
          (held) => (room.heldSeats = held),
          () => {},
        );
      }
    }, DIRECTORY_HEARTBEAT_MS);
  }

  stop(): void {
    if (this.heldSeatsTimer) clearInterval(this.heldSeatsTimer);
    this.heldSeatsTimer = null;
  }

  async seat(request: SeatRequest, stream: StreamLink): Promise<Result<Seating>> {
    if (this.directory?.connected) {
      try {
        return await this.seatInCluster(this.directory, request, stream);
      } catch (error) {
        // Redis went away mid-way: serve the player here, as a lone server would.
        log.warn({ err: error }, 'room directory failed during a join; seating locally');
      }
    }
    return this.seatHere(request, stream);
  }

  /** The rooms to list: this process's, and with a directory every other process's too (with their URL). */
  async rooms(): Promise<RoomSummary[]> {
    const here = this.lobby.list().rooms;
    if (!this.directory?.connected) return here;
    const elsewhere = await this.directory.rooms().catch(() => [] as DirectoryRoom[]);
    const others = elsewhere
      .filter((room) => room.serverId !== this.serverId && !this.lobby.room(room.name))
      .map(({ name, players, capacity, url }) => ({ name, players, capacity, url }));
    return [...here, ...others].sort((a, b) => b.players - a.players || a.name.localeCompare(b.name));
  }

  private seatHere(request: SeatRequest, stream: StreamLink): Result<Seating> {
    const result = this.lobby.join(request, stream);
    return result.ok ? ok({ kind: 'seated', ...result.value }) : result;
  }

  private async seatInCluster(directory: RoomDirectory, request: SeatRequest, stream: StreamLink): Promise<Result<Seating>> {
    const { room: name, reservation } = request;
    // A resume without a name looks for the session in this process's rooms, where sessions live.
    if (name === undefined && request.resume) return this.seatHere(request, stream);
    if (name !== undefined) {
      if (reservation !== undefined && (await directory.takeSeat(name, reservation))) {
        return this.seatHere({ ...request, reservedSeat: true }, stream);
      }
      if (this.lobby.room(name)) return this.seatHere(request, stream);
      const owner = (await directory.room(name)) ?? (await directory.claim({ name, players: 0, capacity: this.lobby.capacity }));
      if (!owner || owner.serverId === this.serverId) return this.seatHere(request, stream);
      return this.sendTo(directory, owner.name, owner.url);
    }
    return this.quickPlay(directory, request, stream);
  }

  /**
   * Quick play over the whole directory: the fullest room with a free seat,
   * this process's first when equally full; a new room here when all are full.
   */
  private async quickPlay(directory: RoomDirectory, request: SeatRequest, stream: StreamLink): Promise<Result<Seating>> {
    const listed = await this.rooms();
    const candidates = listed
      .filter((room) => room.players < room.capacity)
      .sort((a, b) => b.players - a.players || Number(a.url !== undefined) - Number(b.url !== undefined));
    for (const candidate of candidates) {
      if (candidate.url === undefined) {
        if (this.lobby.room(candidate.name)?.hasSpace) return this.seatHere({ ...request, room: candidate.name }, stream);
        continue;
      }
      const sent = await this.sendTo(directory, candidate.name, candidate.url);
      if (sent.ok) return sent;
    }
    // Named like a lone server's (lobby.ts), but the first name free in the whole directory
    // (as listed above; the claim is what makes it ours, atomically).
    const taken = new Set(listed.map((room) => room.name));
    for (let n = 1, attempts = 0; attempts < MAX_NAME_ATTEMPTS; n++) {
      const name = `${QUICK_PLAY_PREFIX}${n}`;
      if (taken.has(name) || this.lobby.room(name)) continue;
      attempts++;
      const owner = await directory.claim({ name, players: 0, capacity: this.lobby.capacity });
      if (!owner) return this.seatHere({ ...request, room: name }, stream);
    }
    return this.seatHere(request, stream); // the directory is in a state we do not understand: play here
  }

  /** Holds a seat in a room on another process and tells the client to go there. */
  private async sendTo(directory: RoomDirectory, room: string, url: string): Promise<Result<Seating>> {
    const reservation = await directory.reserveSeat(room);
    if (!reservation) return failed(ERROR_ROOM_FULL, `room ${room} is full`);
    return ok({ kind: 'elsewhere', url, room, reservation });
  }
}
