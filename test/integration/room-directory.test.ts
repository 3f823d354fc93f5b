// The room directory against a real redis-server (scripts/redis-server.ts
// installs and starts one): two "servers" list each other's rooms, a room
// name has one owner, a dead server's rooms expire, a reserved seat is taken
// once, and a directory re-registers when Redis comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomDirectory, type DirectoryOptions, type DirectorySource } from '../../game-server/room-directory.ts';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-server.ts';
import { eventually, waitFor } from './harness.ts';

const OPTIONS: DirectoryOptions = { ttlMs: 1_500, heartbeatMs: 200, seatReservationMs: 2_000 };

/** A stand-in for one game server's lobby: the rooms it says it hosts. */
function serverSource(id: string, rooms: { name: string; players: number; capacity: number }[]): DirectorySource {
  return {
    self: () => ({ id, url: `http://127.0.0.1:${id === 'a' ? 1001 : 1002}`, players: rooms.reduce((n, r) => n + r.players, 0), rooms: rooms.length }),
    rooms: () => rooms,
  };
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
          { name: 'blue', players: 1, capacity: 4, serverId: 'b', url: 'http://127.0.0.1:1002' },
          { name: 'red', players: 2, capacity: 4, serverId: 'a', url: 'http://127.0.0.1:1001' },
        ]);
      }
    });
    expect((await a.servers()).map((s) => s.id).sort()).toEqual(['a', 'b']);
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
      expect((await watcher.servers()).map((s) => s.id)).not.toContain('dead');
    }, 3_000);
    expect(await watcher.room('ghost-town')).toBeNull();
  });

  it('reserves a seat only while the room has space, and a reservation is taken once', async () => {
    const host = await directory(serverSource('host', [{ name: 'pair', players: 1, capacity: 2 }]));
    const other = await directory(serverSource('other', []));
    await eventually(async () => expect(await other.room('pair')).not.toBeNull());
    const seat = await other.reserveSeat('pair');
    expect(seat).toEqual(expect.any(String));
    expect(await other.reserveSeat('pair')).toBeNull(); // 1 player + 1 reservation = capacity
    expect(await host.reservations('pair')).toBe(1);
    expect(await host.takeSeat('pair', seat!)).toBe(true);
    expect(await host.takeSeat('pair', seat!)).toBe(false);
    expect(await host.takeSeat('elsewhere', 'made-up-token')).toBe(false);
    expect(await other.reserveSeat('no-such-room')).toBeNull();
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
});
