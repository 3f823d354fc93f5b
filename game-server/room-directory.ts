// The room directory: where every game server process and its rooms are
// listed, in a real Redis shared by all of them (as Colyseus keeps its
// presence and matchmaking in Redis). Each process stays the authority for
// its own rooms; the directory only says which process hosts which room, so
// any entry point can list every room and send a player to the right one.
//
// Keys (all under KEY_PREFIX, all expiring, refreshed on a heartbeat):
//   server:{id}          JSON ServerEntry; gone TTL after the process dies
//   room:{name}          JSON DirectoryRoom; claimed with "set if absent", so
//                        two processes never both host one room name
//   rooms                sorted set of room names, scored by their expiry: the index to list
//   seat:{token}         a seat reserved in a room on another process; taken once (GETDEL)
//   reserved:{name}      sorted set of a room's live reservations, scored by expiry
//
// Every operation is a single command or a Lua script, so each is atomic in
// Redis: no check-then-act race between processes.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { log } from './log.ts';

export const KEY_PREFIX = 'arena:';

export interface ServerEntry {
  id: string;
  /** Where a browser or bot reaches this process (its HTTP origin: page, /ws, signaling). */
  url: string;
  players: number;
  rooms: number;
}

export interface DirectoryRoom {
  name: string;
  players: number;
  capacity: number;
  serverId: string;
  url: string;
}

export interface DirectoryOptions {
  /** A key lives this long unless refreshed: a dead process's rooms vanish within it. */
  ttlMs: number;
  /** How often this process refreshes its keys (well under ttlMs). */
  heartbeatMs: number;
  /** How long a seat reserved for a player sent to another process stays held. */
  seatReservationMs: number;
}

/** What this process tells the directory on each heartbeat. */
export interface DirectorySource {
  self(): ServerEntry;
  rooms(): { name: string; players: number; capacity: number }[];
}

// Claims `room:{name}` for this server, or refreshes it if it is already ours.
// Returns the current owner's JSON (ours after a successful claim).
const CLAIM_ROOM = `
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).serverId ~= ARGV[2] then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return ARGV[1]`;

// Deletes `room:{name}` only if this server owns it.
const RELEASE_ROOM = `
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).serverId == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 0`;

// Reserves a seat if players + live reservations < capacity. Returns 1, or 0 when full or gone.
const RESERVE_SEAT = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local room = cjson.decode(current)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if room.players + redis.call('ZCARD', KEYS[2]) >= room.capacity then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[4])
return 1`;

export class RoomDirectory {
  private readonly redis: Redis;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private reachable = false;
  private readonly claimed = new Set<string>();

  /** `redisUrl` is a redis:// URL or a Unix socket path. */
  constructor(
    redisUrl: string,
    private readonly source: DirectorySource,
    private readonly options: DirectoryOptions,
  ) {
    this.redis = new Redis(redisUrl, {
      // Fail a command at once while Redis is away, rather than queue it:
      // the game goes on without the directory and the next heartbeat retries.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => RECONNECT_EVERY_MS,
      lazyConnect: true,
    });
    this.redis.on('ready', () => {
      if (!this.reachable) log.info({ redis: redisUrl }, 'room directory: Redis reachable, registering');
      this.reachable = true;
      void this.beat();
    });
    this.redis.on('close', () => {
      if (this.reachable && this.heartbeat) log.warn({ redis: redisUrl }, 'room directory: Redis unreachable; serving own rooms only');
      this.reachable = false;
    });
    this.redis.on('error', () => {}); // 'close' says it; ioredis would print each retry otherwise
  }

  /** Whether Redis answered lately (for /healthz). */
  get connected(): boolean {
    return this.reachable;
  }

  /** Connects and starts the heartbeat; resolves even if Redis is down (it keeps retrying). */
  async start(): Promise<void> {
    this.heartbeat ??= setInterval(() => void this.beat(), this.options.heartbeatMs);
    await this.redis.connect().catch(() => {});
  }

  /** Removes this server and its rooms from the directory, and disconnects. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.reachable) {
      const id = this.source.self().id;
      await Promise.all([...this.claimed].map((name) => this.release(name))).catch(() => {});
      await this.redis.del(serverKey(id)).catch(() => {});
    }
    this.redis.disconnect();
  }

  /**
   * Claims a room name for this server. Resolves with null when it is now
   * ours, or the room as another server hosts it. Rejects while Redis is unreachable.
   */
  async claim(room: { name: string; players: number; capacity: number }): Promise<DirectoryRoom | null> {
    const self = this.source.self();
    const entry: DirectoryRoom = { ...room, serverId: self.id, url: self.url };
    const owner = JSON.parse(
      (await this.redis.eval(
        CLAIM_ROOM,
        2,
        roomKey(room.name),
        ROOMS_INDEX,
        JSON.stringify(entry),
        self.id,
        String(this.options.ttlMs),
        String(Date.now() + this.options.ttlMs),
        room.name,
      )) as string,
    ) as DirectoryRoom;
    if (owner.serverId !== self.id) return owner;
    this.claimed.add(room.name);
    return null;
  }

  /** Gives a room name back (the room was disposed). */
  async release(name: string): Promise<void> {
    this.claimed.delete(name);
    await this.redis.eval(RELEASE_ROOM, 2, roomKey(name), ROOMS_INDEX, this.source.self().id, name);
  }

  /** Every live room on every server. */
  async rooms(): Promise<DirectoryRoom[]> {
    await this.redis.zremrangebyscore(ROOMS_INDEX, '-inf', Date.now());
    const names = await this.redis.zrange(ROOMS_INDEX, 0, -1);
    if (names.length === 0) return [];
    const values = await this.redis.mget(names.map(roomKey));
    return values.flatMap((value) => (value ? [JSON.parse(value) as DirectoryRoom] : []));
  }

  /** One room's entry, or null if no live server hosts it. */
  async room(name: string): Promise<DirectoryRoom | null> {
    const value = await this.redis.get(roomKey(name));
    return value ? (JSON.parse(value) as DirectoryRoom) : null;
  }

  /** Every live server. */
  async servers(): Promise<ServerEntry[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${KEY_PREFIX}server:*`, 'COUNT', 100);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0' && keys.length < MAX_SERVERS_LISTED);
    if (keys.length === 0) return [];
    return (await this.redis.mget(keys)).flatMap((value) => (value ? [JSON.parse(value) as ServerEntry] : []));
  }

  /**
   * Holds a seat in `room` (on whichever server hosts it) for a player on
   * the way there. Resolves with the reservation token, or null if the room
   * is full (counting other reservations) or gone.
   */
  async reserveSeat(room: string): Promise<string | null> {
    const token = randomBytes(RESERVATION_TOKEN_BYTES).toString('base64url');
    const now = Date.now();
    const held = await this.redis.eval(
      RESERVE_SEAT,
      3,
      roomKey(room),
      reservedKey(room),
      seatKey(token),
      String(now),
      String(now + this.options.seatReservationMs),
      token,
      String(this.options.seatReservationMs),
      room,
    );
    return held === 1 ? token : null;
  }

  /** Takes a reservation for `room`: true once per token, while it lasts. */
  async takeSeat(room: string, token: string): Promise<boolean> {
    const reservedFor = await this.redis.getdel(seatKey(token));
    if (reservedFor !== room) return false;
    await this.redis.zrem(reservedKey(room), token);
    return true;
  }

  /** Live reservations for a room of ours: seats that direct joins must leave free. */
  async reservations(room: string): Promise<number> {
    await this.redis.zremrangebyscore(reservedKey(room), '-inf', Date.now());
    return this.redis.zcard(reservedKey(room));
  }

  /** Refreshes this server's key and its rooms'; claims rooms it hosts but had not claimed (after Redis came back). */
  private async beat(): Promise<void> {
    if (!this.reachable) return;
    try {
      const self = this.source.self();
      await this.redis.set(serverKey(self.id), JSON.stringify(self), 'PX', this.options.ttlMs);
      for (const room of this.source.rooms()) {
        const owner = await this.claim(room);
        if (owner) log.error({ room: room.name, owner: owner.serverId }, 'room directory: another server claims a room this one hosts');
      }
    } catch (error) {
      log.debug({ err: error }, 'room directory: heartbeat failed');
    }
  }
}

const RECONNECT_EVERY_MS = 500;
const RESERVATION_TOKEN_BYTES = 18;
/** A listing stops here: the directory is for a cluster, not the internet. */
const MAX_SERVERS_LISTED = 1000;
const ROOMS_INDEX = `${KEY_PREFIX}rooms`;
const serverKey = (id: string) => `${KEY_PREFIX}server:${id}`;
const roomKey = (name: string) => `${KEY_PREFIX}room:${name}`;
const reservedKey = (name: string) => `${KEY_PREFIX}reserved:${name}`;
const seatKey = (token: string) => `${KEY_PREFIX}seat:${token}`;
