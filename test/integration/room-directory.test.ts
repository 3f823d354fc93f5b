// The room directory against a real redis-server (scripts/redis-server.ts
// installs and starts one): two "servers" list each other's rooms, a room
// name has one owner, a dead server's rooms expire, a reserved seat is taken
// once, and a directory re-registers when Redis comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { afterEach, vi } from 'vitest';
import { MAX_RESERVATIONS_PER_ADDRESS, MAX_RESERVATIONS_PER_ADDRESS_PER_ROOM } from '../../protocol/constants.ts';
import { KEY_PREFIX, RoomDirectory, type DirectoryOptions, type DirectorySource, type DirectoryRoom } from '../../game-server/cluster/room-directory.ts';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-server.ts';
import { eventually, waitFor } from './harness.ts';

const OPTIONS: DirectoryOptions = { ttlMs: 1_500, heartbeatMs: 200, seatReservationMs: 2_000 };

/** A stand-in for one game server's lobby: the rooms it says it hosts. */
function serverSource(id: string, rooms: { name: string; players: number; capacity: number }[], extra: Partial<DirectorySource> = {}): DirectorySource {
  return {
    self: () => ({ id, url: urlOf(id), players: rooms.reduce((n, r) => n + r.players, 0), rooms: rooms.length }),
    rooms: () => rooms,
    ...extra,
  };
}

/** Each stand-in server's own URL: a and b on 1001 and 1002, the rest numbered as they come. */
const ports = new Map([
  ['a', 1001],
  ['b', 1002],
]);
const urlOf = (id: string) => {
  if (!ports.has(id)) ports.set(id, 1100 + ports.size);
  return `http://127.0.0.1:${ports.get(id)}`;
};

/** A plain Redis client, to write what no server of ours would (poisoned or malformed entries). */
function rawRedis(): Redis {
  const client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  return client;
}

let redis: PrivateRedis;
const directories: RoomDirectory[] = [];

async function directory(source: DirectorySource, options: Partial<DirectoryOptions> = {}): Promise<RoomDirectory> {
  const made = new RoomDirectory(redis.url, source, { ...OPTIONS, ...options });
  directories.push(made);
  await made.start();
  await waitFor(() => made.connected, 'the directory to reach Redis');
  return made;
}

beforeAll(async () => {
  redis = await startPrivateRedis();
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  for (const made of directories) await made.stop();
  await redis?.stop();
});

describe('the room directory', () => {
  it('lists every server and every room, whichever server asks', async () => {
    const a = await directory(serverSource('a', [{ name: 'red', players: 2, capacity: 4 }]));
    const b = await directory(serverSource('b', [{ name: 'blue', players: 1, capacity: 4 }]));
    await eventually(async () => {
      for (const asker of [a, b]) {
        const rooms = (await asker.rooms()).sort((x, y) => x.name.localeCompare(y.name));
        expect(rooms).toEqual([
          { name: 'blue', players: 1, capacity: 4, serverId: 'b', url: 'http://127.0.0.1:1002', since: expect.any(Number) },
          { name: 'red', players: 2, capacity: 4, serverId: 'a', url: 'http://127.0.0.1:1001', since: expect.any(Number) },
        ]);
      }
    });
    await eventually(() => expect(a.clusterOrigins().sort()).toEqual(['http://127.0.0.1:1001', 'http://127.0.0.1:1002']));
    await a.stop();
    await b.stop();
    expect(await a.rooms().catch(() => 'stopped')).toBe('stopped'); // a stopped directory is disconnected
    expect(await (await directory(serverSource('c', []))).rooms()).toEqual([]);
  });

  it('gives a room name one owner: a second claim gets the first owner back', async () => {
    const a = await directory(serverSource('a', []));
    const b = await directory(serverSource('b', []));
    expect(await a.claim({ name: 'duel', players: 0, capacity: 2 })).toBeNull();
    expect(await b.claim({ name: 'duel', players: 0, capacity: 2 })).toMatchObject({ name: 'duel', serverId: 'a' });
    expect(await a.claim({ name: 'duel', players: 1, capacity: 2 })).toBeNull(); // its own claim refreshes
    await a.release('duel');
    expect(await b.claim({ name: 'duel', players: 0, capacity: 2 })).toBeNull();
    await b.release('duel');
  });

  it('forgets a server that stops refreshing within the expiry', async () => {
    // A heartbeat far longer than the expiry: after its first beat it is as good as dead.
    await directory(serverSource('dead', [{ name: 'ghost-town', players: 3, capacity: 4 }]), { heartbeatMs: 60_000, ttlMs: 500 });
    const watcher = await directory(serverSource('watcher', []));
    await eventually(async () => expect((await watcher.rooms()).map((r) => r.name)).toContain('ghost-town'));
    await eventually(async () => {
      expect((await watcher.rooms()).map((r) => r.name)).not.toContain('ghost-town');
      expect(watcher.clusterOrigins()).not.toContain(urlOf('dead'));
    }, 3_000);
    expect(await watcher.room('ghost-town')).toBeNull();
  });

  it('reserves a seat only while the room has space, and a reservation is taken once', async () => {
    const host = await directory(serverSource('host', [{ name: 'pair', players: 1, capacity: 2 }]));
    const other = await directory(serverSource('other', []));
    await eventually(async () => expect(await other.room('pair')).not.toBeNull());
    const seat = await other.reserveSeat('pair', '127.0.0.2');
    if (!seat.ok) throw new Error(`no seat: ${seat.reason}`);
    expect(await other.reserveSeat('pair', '127.0.0.3')).toEqual({ ok: false, reason: 'full' }); // 1 player + 1 reservation = capacity
    expect(await host.reservations('pair')).toBe(1);
    expect(await host.takeSeat('pair', seat.token)).toBe(true);
    expect(await host.takeSeat('pair', seat.token)).toBe(false);
    expect(await host.takeSeat('elsewhere', 'made-up-token')).toBe(false);
    expect(await other.reserveSeat('no-such-room', '127.0.0.2')).toEqual({ ok: false, reason: 'gone' });
  });

  it('keeps going while Redis is down, and registers again when it is back', async () => {
    const survivor = await directory(serverSource('survivor', [{ name: 'phoenix', players: 1, capacity: 4 }]));
    await eventually(async () => expect(await survivor.room('phoenix')).not.toBeNull());
    await redis.down();
    await waitFor(() => !survivor.connected, 'the directory to notice Redis is gone');
    await expect(survivor.rooms()).rejects.toThrow();
    await redis.up(); // an empty Redis: nothing survived the restart
    await waitFor(() => survivor.connected, 'the directory to reconnect', 10_000);
    await eventually(async () => expect(await survivor.room('phoenix')).toMatchObject({ serverId: 'survivor' }));
  });

  it('bounds the reservations one address holds, in all and per room', async () => {
    const rooms = ['big-1', 'big-2', 'big-3'].map((name) => ({ name, players: 0, capacity: 32 }));
    await directory(serverSource('roomy', rooms));
    const asker = await directory(serverSource('asker', []));
    await eventually(async () => expect((await asker.rooms()).map((r) => r.name)).toEqual(expect.arrayContaining(rooms.map((r) => r.name))));
    const hostile = '127.0.0.2';
    for (let i = 0; i < MAX_RESERVATIONS_PER_ADDRESS_PER_ROOM; i++) expect((await asker.reserveSeat('big-1', hostile)).ok).toBe(true);
    expect(await asker.reserveSeat('big-1', hostile)).toEqual({ ok: false, reason: 'address' });
    let held = MAX_RESERVATIONS_PER_ADDRESS_PER_ROOM;
    for (const room of ['big-2', 'big-3']) {
      while (held < MAX_RESERVATIONS_PER_ADDRESS && (await asker.reserveSeat(room, hostile)).ok) held++;
    }
    expect(held).toBe(MAX_RESERVATIONS_PER_ADDRESS);
    expect(await asker.reserveSeat('big-3', hostile)).toEqual({ ok: false, reason: 'address' });
    // Everyone else is untouched by it.
    expect((await asker.reserveSeat('big-1', '127.0.0.3')).ok).toBe(true);
  });

  it("lets only the room's owner honour a reservation, and spends it wherever it is shown", async () => {
    const owner = await directory(serverSource('owner', [{ name: 'keep', players: 0, capacity: 8 }]));
    const entry = await directory(serverSource('entry', []));
    await eventually(async () => expect(await entry.room('keep')).not.toBeNull());
    const seat = await entry.reserveSeat('keep', '127.0.1.2');
    if (!seat.ok) throw new Error(seat.reason);
    expect(await entry.takeSeat('keep', seat.token)).toBe(false); // shown back to the process that made it
    expect(await owner.takeSeat('keep', seat.token)).toBe(false); // spent: it freed its seat
    expect(await owner.reservations('keep')).toBe(0);
    const second = await entry.reserveSeat('keep', '127.0.1.2');
    if (!second.ok) throw new Error(second.reason);
    expect(await owner.takeSeat('keep', second.token)).toBe(true);
  });

  it('ignores entries that are malformed or name no registered server, and lets such an entry be claimed over', async () => {
    const honest = await directory(serverSource('honest', [{ name: 'fine', players: 1, capacity: 4 }]));
    const raw = rawRedis();
    try {
      const poisoned: DirectoryRoom = { name: 'trap', players: 1, capacity: 4, serverId: 'evil', url: 'http://evil.example:8080' };
      const future = Date.now() + 60_000;
      await raw.set(`${KEY_PREFIX}room:trap`, JSON.stringify(poisoned));
      await raw.set(`${KEY_PREFIX}room:junk`, '{"name": "junk", "players": "lots"');
      await raw.set(`${KEY_PREFIX}room:sneaky`, JSON.stringify({ ...poisoned, name: 'sneaky', serverId: 'honest', url: 'http://evil.example:8080' }));
      await raw.zadd(`${KEY_PREFIX}rooms`, future, 'trap', future, 'junk', future, 'sneaky');
      await eventually(async () => expect((await honest.rooms()).map((r) => r.name)).toContain('fine'));
      expect((await honest.rooms()).map((r) => r.name)).not.toEqual(expect.arrayContaining(['trap']));
      expect((await honest.rooms()).map((r) => r.name)).not.toContain('junk');
      expect((await honest.rooms()).map((r) => r.name)).not.toContain('sneaky');
      expect(await honest.room('trap')).toBeNull();
      expect(await honest.room('junk')).toBeNull();
      expect(await honest.room('sneaky')).toBeNull(); // a registered id, but not at its registered URL
      expect(await honest.reserveSeat('junk', '127.0.1.2')).toEqual({ ok: false, reason: 'gone' });
      // An owner that is no registered server holds nothing against a claim.
      expect(await honest.claim({ name: 'trap', players: 0, capacity: 4 })).toBeNull();
      expect(await honest.claim({ name: 'junk', players: 0, capacity: 4 })).toBeNull();
      await honest.release('trap');
      await honest.release('junk');
    } finally {
      raw.disconnect();
    }
  });

  it('keeps a contested name with the server that claimed it first, however many players the other seated', async () => {
    const lostAt: string[] = [];
    const rooms = [{ name: 'split', players: 1, capacity: 8 }];
    const first = await directory(serverSource('first', rooms, { claimLost: (name) => lostAt.push(`first:${name}`) }));
    await eventually(async () => expect(await first.room('split')).toMatchObject({ serverId: 'first' }));
    const raw = rawRedis();
    try {
      // The first owner's entry lapses (a stall), and a newcomer claims the name and seats many players.
      await raw.del(`${KEY_PREFIX}room:split`);
      const newcomer = await directory(serverSource('newcomer', [], { claimLost: (name) => lostAt.push(`newcomer:${name}`) }));
      expect(await newcomer.claim({ name: 'split', players: 0, capacity: 8 })).toBeNull();
      expect(await newcomer.claim({ name: 'split', players: 8, capacity: 8 })).toBeNull(); // its own refresh
      // The first owner's next heartbeat takes it back: the older claim wins.
      await eventually(async () => expect(await newcomer.room('split')).toMatchObject({ serverId: 'first' }));
      expect(await newcomer.claim({ name: 'split', players: 8, capacity: 8 })).toMatchObject({ serverId: 'first' });
      expect(lostAt).not.toContain('first:split');
    } finally {
      raw.disconnect();
    }
  });

  it("gives a name away only to a live server at its registered URL: a planted entry with a real server's id moves nobody", async () => {
    const lostAt: string[] = [];
    const victim = await directory(serverSource('victim', [{ name: 'lobby', players: 2, capacity: 8 }], { claimLost: (name) => lostAt.push(name) }));
    await directory(serverSource('bystander', []));
    await eventually(async () => expect(await victim.room('lobby')).toMatchObject({ serverId: 'victim' }));
    const raw = rawRedis();
    try {
      const planted = { name: 'lobby', players: 32, capacity: 32, serverId: 'bystander', url: 'http://evil.example:4444', since: 0 };
      await raw.set(`${KEY_PREFIX}room:lobby`, JSON.stringify(planted));
      // The victim's next heartbeats take the name back; it never hears it lost the room.
      await eventually(async () => expect(await victim.room('lobby')).toMatchObject({ serverId: 'victim' }));
      await new Promise((resolve) => setTimeout(resolve, OPTIONS.heartbeatMs * 3));
      expect(lostAt).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });

  it("goes on refreshing every room when one entry has a field it does not know (a newer server's)", async () => {
    const rooms = [
      { name: 'aaa', players: 1, capacity: 4 },
      { name: 'zzz', players: 1, capacity: 4 },
    ];
    const host = await directory(serverSource('steady', rooms));
    const watcher = await directory(serverSource('reader', []));
    await eventually(async () => expect((await watcher.rooms()).map((r) => r.name)).toEqual(expect.arrayContaining(['aaa', 'zzz'])));
    const raw = rawRedis();
    try {
      const current = JSON.parse((await raw.get(`${KEY_PREFIX}room:aaa`))!) as object;
      await raw.set(`${KEY_PREFIX}room:aaa`, JSON.stringify({ ...current, region: 'eu-west' }), 'PX', OPTIONS.ttlMs);
      // Well past the expiry: both are still there, so both were refreshed.
      await new Promise((resolve) => setTimeout(resolve, OPTIONS.ttlMs * 2));
      expect((await watcher.rooms()).map((r) => r.name)).toEqual(expect.arrayContaining(['aaa', 'zzz']));
      expect(await host.room('aaa')).toMatchObject({ serverId: 'steady' });
    } finally {
      raw.disconnect();
    }
  });

  it('shares a rate budget between processes: one address gets one bucket, not one per process', async () => {
    const a = await directory(serverSource('budget-a', []));
    const b = await directory(serverSource('budget-b', []));
    const burst = 6;
    let taken = 0;
    for (let i = 0; i < burst; i++) if (await (i % 2 ? a : b).takeToken('test', '127.0.0.9', burst, 0.001)) taken++;
    expect(taken).toBe(burst);
    expect(await a.takeToken('test', '127.0.0.9', burst, 0.001)).toBe(false);
    expect(await b.takeToken('test', '127.0.0.9', burst, 0.001)).toBe(false);
    expect(await b.takeToken('test', '127.0.0.10', burst, 0.001)).toBe(true);
  });

  it('counts what an address holds on the other servers', async () => {
    const holdings = new Map([['127.0.0.7', { seats: 3, rooms: 1 }]]);
    const a = await directory(serverSource('hold-a', [], { holdings: () => holdings }));
    const b = await directory(serverSource('hold-b', []));
    await eventually(async () => expect(await b.holdingsElsewhere('127.0.0.7')).toEqual({ seats: 3, rooms: 1 }));
    expect(await a.holdingsElsewhere('127.0.0.7')).toEqual({ seats: 0, rooms: 0 }); // its own are not "elsewhere"
    holdings.clear();
    await eventually(async () => expect(await b.holdingsElsewhere('127.0.0.7')).toEqual({ seats: 0, rooms: 0 }));
  });

  it("times expiries by Redis's clock: a process whose clock is far off neither prunes others nor overbooks", async () => {
    const host = await directory(serverSource('clocked', [{ name: 'two-seats', players: 0, capacity: 2 }]));
    const skewed = await directory(serverSource('skewed', []));
    await eventually(async () => expect(await skewed.room('two-seats')).not.toBeNull());
    const realNow = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 11_000); // 11 s ahead, then 5 s behind
    expect((await skewed.reserveSeat('two-seats', '127.0.2.2')).ok).toBe(true);
    expect((await skewed.reserveSeat('two-seats', '127.0.3.3')).ok).toBe(true);
    expect(await skewed.reserveSeat('two-seats', '127.0.3.4')).toEqual({ ok: false, reason: 'full' });
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - 5_000);
    expect((await skewed.rooms()).map((r) => r.name)).toContain('two-seats');
    expect(await host.reservations('two-seats')).toBe(2);
  });

  it('answers within its deadline while Redis hangs, says so in its health, and recovers', async () => {
    const patient = await directory(serverSource('patient', [{ name: 'frozen', players: 1, capacity: 4 }]), { commandTimeoutMs: 300 });
    redis.hang();
    try {
      const startedAt = Date.now();
      await expect(patient.rooms()).rejects.toThrow(/timed out/i);
      expect(Date.now() - startedAt).toBeLessThan(3_000);
      await waitFor(() => !patient.connected, 'health to say Redis is not answering', 5_000).catch((error: Error) => {
        // Seen once beside another suite, never reproduced: say whether Redis was still stopped, so the next failure explains itself.
        throw new Error(`${error.message}: last success ${patient.msSinceLastSuccess} ms ago, redis-server state ${redis.state()} (T: stopped)`);
      });
    } finally {
      redis.unhang();
    }
    await waitFor(() => patient.connected, 'the directory to answer again', 10_000);
    expect(await patient.room('frozen')).toMatchObject({ serverId: 'patient' });
  });
});
