// The room directory: where every game server process and its rooms are
// listed, in a real Redis shared by all of them (as Colyseus keeps its
// presence and matchmaking in Redis). Each process stays the authority for
// its own rooms; the directory only says which process hosts which room, so
// any entry point can list every room and send a player to the right one.
//
// Keys (all under KEY_PREFIX, all expiring, refreshed on a heartbeat):
//   server:{id}          JSON ServerEntry; gone TTL after the process dies
//   servers              sorted set of server ids, scored by expiry
//   room:{name}          JSON DirectoryRoom; claimed atomically, one owner per name
//   rooms                sorted set of room names, scored by expiry: the index to list
//   seat:{token}         a seat reserved in a room on another process; taken once, by its owner
//   reserved:{name}      sorted set of a room's live reservations, scored by expiry
//   reserved-by:{addr}   the live reservations one remote address holds
//   holds:{addr}         what an address holds on each server (players, rooms it opened)
//   holders:{addr}       the servers that published holds:{addr}, scored by expiry
//   budget:{kind}:{addr} a rate limit shared by every process (joins, chat)
//
// It fails safe: every command has a deadline (DIRECTORY_COMMAND_TIMEOUT_MS),
// health is the time since the last command that succeeded, not the state
// of a socket (a hung Redis keeps its socket open), expiries use Redis's
// clock (directory-scripts.ts), and what is read back is validated
// (directory-entries.ts). A room is listed, and a player sent to it, only
// if its entry names a live registered server at that server's own URL.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import {
  DIRECTORY_COMMAND_TIMEOUT_MS,
  DIRECTORY_HEALTHY_WITHIN_MS,
  MAX_RESERVATIONS_PER_ADDRESS,
  MAX_RESERVATIONS_PER_ADDRESS_PER_ROOM,
} from '../../protocol/constants.ts';
import { parseDirectoryRoom, parseServerEntry, type DirectoryRoom, type ServerEntry } from './directory-entries.ts';
import {
  CLAIM_ROOM,
  COUNT_RESERVATIONS,
  LIVE_MEMBERS,
  PUBLISH_HOLDINGS,
  READ_HOLDINGS,
  REGISTER_SERVER,
  RELEASE_ROOM,
  RELEASE_SEAT,
  RESERVE_SEAT,
  TAKE_SEAT,
  TAKE_TOKEN,
} from './directory-scripts.ts';
import { log } from '../ops/log.ts';
import { equalJitterMs } from '../../protocol/backoff.ts';

export type { DirectoryRoom, ServerEntry } from './directory-entries.ts';

export const KEY_PREFIX = 'arena:';

export interface DirectoryOptions {
  /** A key lives this long unless refreshed: a dead process's rooms vanish within it. */
  ttlMs: number;
  /** How often this process refreshes its keys (well under ttlMs). */
  heartbeatMs: number;
  /** How long a seat reserved for a player sent to another process stays held. */
  seatReservationMs: number;
  /** Each Redis command's deadline (default DIRECTORY_COMMAND_TIMEOUT_MS). */
  commandTimeoutMs?: number;
  /** [0, 1), for the jitter of the reconnect delay (default Math.random). */
  random?: () => number;
}

/** What an address holds on this server: published so the others count it too. */
export interface Holdings {
  seats: number;
  rooms: number;
}

/** What this process tells the directory on each heartbeat. */
export interface DirectorySource {
  self(): ServerEntry;
  /** The rooms this process hosts and still claims (not those it lost to another process). */
  rooms(): { name: string; players: number; capacity: number }[];
  /** What each remote address holds here now. */
  holdings?(): Map<string, Holdings>;
  /** Another server holds the claim on a room this one hosts: it must stop admitting and move its players there. */
  claimLost?(name: string, owner: DirectoryRoom): void;
}

/** A reservation's outcome. */
export type Reservation = { ok: true; token: string } | { ok: false; reason: 'full' | 'gone' | 'address' };

export class RoomDirectory {
  private readonly redis: Redis;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastSuccessAtMs = -Infinity;
  private reportedHealthy = false;
  /** Names this server holds, with when it first claimed each (Redis ms): the oldest claim keeps a contested name. */
  private readonly claimed = new Map<string, number>();
  /** A heartbeat still running: the next one is skipped, so a slow Redis is not asked twice as much. */
  private beating = false;
  /** Every live room of every server as of the last heartbeat: what /rooms and quick play list (a read per request would let one client's /rooms loop load Redis). */
  private listed: DirectoryRoom[] = [];
  /** Addresses published on the last heartbeat: one that holds nothing now is published as 0, once. */
  private publishedAddresses = new Set<string>();
  /** Registered servers as of the last heartbeat (id → entry): where redirects may go. */
  private registered = new Map<string, ServerEntry>();

  /** `redisUrl` is a redis:// URL (a password in it is used) or a Unix socket path. */
  constructor(
    private readonly redisUrl: string,
    private readonly source: DirectorySource,
    private readonly options: DirectoryOptions,
  ) {
    this.redis = new Redis(redisUrl, {
      // Fail a command at once while Redis is away, rather than queue it:
      // the game goes on without the directory and the next heartbeat retries.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // A Redis that is connected but does not answer (hung, swapping, stopped
      // by a signal) never closes its socket: only a deadline notices.
      commandTimeout: options.commandTimeoutMs ?? DIRECTORY_COMMAND_TIMEOUT_MS,
      // Jittered, so servers that lost the same Redis do not all come back in step.
      retryStrategy: () => equalJitterMs(RECONNECT_EVERY_MS, options.random ?? Math.random),
      lazyConnect: true,
    });
    this.redis.on('ready', () => void this.beat());
    this.redis.on('error', () => {}); // health and the log line come from command results; ioredis would print each retry otherwise
  }

  /** Whether a Redis command succeeded within DIRECTORY_HEALTHY_WITHIN_MS (for /healthz, and whether to ask it at all). */
  get connected(): boolean {
    return performance.now() - this.lastSuccessAtMs <= DIRECTORY_HEALTHY_WITHIN_MS;
  }

  /** Milliseconds since a Redis command last succeeded (null if none ever did). */
  get msSinceLastSuccess(): number | null {
    return Number.isFinite(this.lastSuccessAtMs) ? Math.round(performance.now() - this.lastSuccessAtMs) : null;
  }

  /** The URLs of the live servers of this cluster, as of the last heartbeat (for the /ws Origin check). */
  clusterOrigins(): string[] {
    return [...this.registered.values()].map((server) => server.url);
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
    if (this.connected) {
      const id = this.source.self().id;
      await Promise.all([...this.claimed.keys()].map((name) => this.release(name))).catch(() => {});
      await this.run(this.redis.multi().del(serverKey(id)).zrem(SERVERS_INDEX, id).exec()).catch(() => {});
    }
    this.redis.disconnect();
  }

  /**
   * Claims a room name for this server. Resolves with null when it is now
   * ours, or the room as another server hosts it. Rejects when Redis does not answer in time.
   */
  async claim(room: { name: string; players: number; capacity: number }): Promise<DirectoryRoom | null> {
    const self = this.source.self();
    const entry = JSON.stringify({ ...room, serverId: self.id, url: self.url });
    const since = this.claimed.get(room.name);
    const [won, text] = (await this.run(
      this.redis.eval(
        CLAIM_ROOM,
        2,
        roomKey(room.name),
        ROOMS_INDEX,
        entry,
        self.id,
        String(this.options.ttlMs),
        room.name,
        since === undefined ? '' : String(since),
        KEY_PREFIX,
      ),
    )) as [number, string];
    const owner = parseDirectoryRoom(text);
    if (won === 1) {
      this.claimed.set(room.name, owner?.since ?? since ?? 0);
      return null;
    }
    this.claimed.delete(room.name);
    // The script keeps a name only for a live owner registered at the entry's URL; one our schema refuses is still not ours.
    if (!owner) throw new Error(`room ${room.name} is held by an entry that is not valid`);
    return owner;
  }

  /** Gives a room name back (the room was disposed, or lost). */
  async release(name: string): Promise<void> {
    this.claimed.delete(name);
    await this.run(this.redis.eval(RELEASE_ROOM, 2, roomKey(name), ROOMS_INDEX, this.source.self().id, name));
  }

  /** Every live room on every live server as of the last heartbeat (at most a heartbeat old). */
  listedRooms(): DirectoryRoom[] {
    return this.listed;
  }

  /** Every live room on every live server (entries that fail validation, or name no registered server at its URL, are left out). */
  async rooms(): Promise<DirectoryRoom[]> {
    const names = (await this.run(this.redis.eval(LIVE_MEMBERS, 1, ROOMS_INDEX, String(MAX_ROOMS_LISTED)))) as string[];
    if (names.length === 0) return [];
    const entries = (await this.run(this.redis.mget(names.map(roomKey)))).map(parseDirectoryRoom);
    const servers = await this.servers();
    return entries.filter((room): room is DirectoryRoom => room !== null && isHostedAt(room, servers));
  }

  /** One room's entry, or null if no live registered server hosts it (or its entry is not valid). */
  async room(name: string): Promise<DirectoryRoom | null> {
    const room = parseDirectoryRoom(await this.run(this.redis.get(roomKey(name))));
    if (!room) return null;
    const self = this.source.self();
    if (room.serverId === self.id) return room.url === self.url ? room : null;
    const server = parseServerEntry(await this.run(this.redis.get(serverKey(room.serverId))));
    return server && isHostedAt(room, new Map([[server.id, server]])) ? room : null;
  }

  /**
   * Holds a seat in `room` (on whichever server hosts it) for a player from
   * `address` on the way there: a token, or why not — the room is full
   * (counting other reservations), gone, or the address holds its share.
   */
  async reserveSeat(room: string, address: string): Promise<Reservation> {
    const token = randomBytes(RESERVATION_TOKEN_BYTES).toString('base64url');
    const answer = (await this.run(
      this.redis.eval(
        RESERVE_SEAT,
        4,
        roomKey(room),
        reservedKey(room),
        seatKey(token),
        reservedByKey(address),
        token,
        String(this.options.seatReservationMs),
        room,
        address,
        String(MAX_RESERVATIONS_PER_ADDRESS),
        String(MAX_RESERVATIONS_PER_ADDRESS_PER_ROOM),
      ),
    )) as string;
    if (answer === 'ok') return { ok: true, token };
    return { ok: false, reason: answer === 'full' || answer === 'address' ? answer : 'gone' };
  }

  /** Takes a reservation for `room`: true once per token, and only on the server that owns the room (and did when it was made). */
  async takeSeat(room: string, token: string): Promise<boolean> {
    const taken = await this.run(this.redis.eval(TAKE_SEAT, 2, seatKey(token), roomKey(room), token, room, this.source.self().id, KEY_PREFIX));
    return taken === 1;
  }

  /** Gives an unused reservation back: its seat is free again at once. */
  async releaseSeat(token: string): Promise<void> {
    await this.run(this.redis.eval(RELEASE_SEAT, 1, seatKey(token), token, KEY_PREFIX));
  }

  /** Live reservations for a room of ours: seats that direct joins must leave free. */
  async reservations(room: string): Promise<number> {
    return (await this.run(this.redis.eval(COUNT_RESERVATIONS, 1, reservedKey(room)))) as number;
  }

  /** Takes a token from `address`'s bucket of `kind`, shared by every process of the cluster. */
  async takeToken(kind: string, address: string, burst: number, refillPerS: number): Promise<boolean> {
    const taken = await this.run(this.redis.eval(TAKE_TOKEN, 1, budgetKey(kind, address), String(burst), String(refillPerS)));
    return taken === 1;
  }

  /** What `address` holds on every other live server, as of their last heartbeats. */
  async holdingsElsewhere(address: string): Promise<Holdings> {
    const [seats, rooms] = (await this.run(this.redis.eval(READ_HOLDINGS, 2, holdsKey(address), holdersKey(address), this.source.self().id))) as [
      number,
      number,
    ];
    return { seats, rooms };
  }

  /** Every live registered server with a valid entry, by id. */
  private async servers(): Promise<Map<string, ServerEntry>> {
    const ids = (await this.run(this.redis.eval(LIVE_MEMBERS, 1, SERVERS_INDEX, String(MAX_SERVERS_LISTED)))) as string[];
    const servers = new Map<string, ServerEntry>();
    if (ids.length === 0) return servers;
    for (const entry of (await this.run(this.redis.mget(ids.map(serverKey)))).map(parseServerEntry)) {
      if (entry) servers.set(entry.id, entry);
    }
    return servers;
  }

  /** Runs a command; a success is what /healthz counts, and the first after a failure is logged. */
  private async run<T>(command: Promise<T>): Promise<T> {
    const value = await command;
    this.lastSuccessAtMs = performance.now();
    if (!this.reportedHealthy) {
      this.reportedHealthy = true;
      log.info({ redis: redactedUrl(this.redisUrl) }, 'room directory: Redis answering, registering');
    }
    return value;
  }

  /**
   * Refreshes this server's key, its rooms' and its addresses' holdings;
   * claims rooms it hosts but had not claimed (after Redis came back), and
   * reports rooms another server now owns.
   */
  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const self = this.source.self();
      await this.run(this.redis.eval(REGISTER_SERVER, 2, serverKey(self.id), SERVERS_INDEX, JSON.stringify(self), self.id, String(this.options.ttlMs)));
      // All at once (ioredis pipelines them on its one connection): one slow room must not hold the others past their expiry.
      await Promise.all(this.source.rooms().map((room) => this.refreshClaim(room)));
      await this.publishHoldings(self.id);
      this.registered = await this.servers();
      this.listed = await this.rooms();
    } catch (error) {
      if (this.reportedHealthy && !this.connected) {
        this.reportedHealthy = false;
        log.warn({ redis: redactedUrl(this.redisUrl), err: error }, 'room directory: Redis not answering; serving own rooms only');
      }
    } finally {
      this.beating = false;
    }
  }

  /** Refreshes one room's claim; tells the source if another server holds it. One room's trouble is logged, and the heartbeat goes on. */
  private async refreshClaim(room: { name: string; players: number; capacity: number }): Promise<void> {
    try {
      const owner = await this.claim(room);
      if (!owner) return;
      log.warn({ room: room.name, owner: owner.serverId }, 'room directory: another server holds the claim on a room this one hosts; moving its players there');
      this.source.claimLost?.(room.name, owner);
    } catch (error) {
      log.warn({ room: room.name, err: error }, "room directory: could not refresh a room's claim");
    }
  }

  private async publishHoldings(id: string): Promise<void> {
    const holdings = this.source.holdings?.() ?? new Map<string, Holdings>();
    const args: string[] = [];
    for (const [address, held] of holdings) args.push(address, String(held.seats), String(held.rooms));
    for (const address of this.publishedAddresses) if (!holdings.has(address)) args.push(address, '0', '0');
    if (args.length > 0) await this.run(this.redis.eval(PUBLISH_HOLDINGS, 0, KEY_PREFIX, id, String(this.options.ttlMs), ...args));
    this.publishedAddresses = new Set(holdings.keys());
  }
}

/** Whether a room's entry names a registered server, at that server's own URL (a redirect goes nowhere else). */
function isHostedAt(room: DirectoryRoom, servers: Map<string, ServerEntry>): boolean {
  const server = servers.get(room.serverId);
  if (server && server.url === room.url) return true;
  log.debug({ room: room.name, serverId: room.serverId }, 'room directory: entry names no registered server at its URL; ignored');
  return false;
}

/** The Redis URL without its password, for logs. */
export function redactedUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** Between Redis reconnect attempts, before jitter (between half of it and all of it). */
const RECONNECT_EVERY_MS = 500;
const RESERVATION_TOKEN_BYTES = 18;
/** A listing stops here: the directory is for a cluster, not the internet. */
const MAX_SERVERS_LISTED = 1000;
const MAX_ROOMS_LISTED = 10_000;
const ROOMS_INDEX = `${KEY_PREFIX}rooms`;
const SERVERS_INDEX = `${KEY_PREFIX}servers`;
const serverKey = (id: string) => `${KEY_PREFIX}server:${id}`;
const roomKey = (name: string) => `${KEY_PREFIX}room:${name}`;
const reservedKey = (name: string) => `${KEY_PREFIX}reserved:${name}`;
const seatKey = (token: string) => `${KEY_PREFIX}seat:${token}`;
const reservedByKey = (address: string) => `${KEY_PREFIX}reserved-by:${address}`;
const holdsKey = (address: string) => `${KEY_PREFIX}holds:${address}`;
const holdersKey = (address: string) => `${KEY_PREFIX}holders:${address}`;
const budgetKey = (kind: string, address: string) => `${KEY_PREFIX}budget:${kind}:${address}`;
