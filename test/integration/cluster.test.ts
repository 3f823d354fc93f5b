// Two game server processes sharing a real Redis room directory, with real
// clients over ws and geckos: both list the same rooms, a join through one
// process to a room on the other plays there, a Redis restart loses no
// player, and a killed process's rooms vanish within the expiry so that
// quick play never sends anyone to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_TTL_MS } from '../../protocol/constants.ts';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-server.ts';
import { connectClient, eventually, RawStream, waitFor, type TestClient } from './harness.ts';
import { health, roomsSeenBy, startServerProcess, type ServerProcess } from './cluster-processes.ts';

let redis: PrivateRedis;
let a: ServerProcess;
let b: ServerProcess;
let alice: TestClient;
let bob: TestClient;
let carol: TestClient;
const extraClients: TestClient[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  [a, b] = await Promise.all([startServerProcess('a', redis.url), startServerProcess('b', redis.url)]);
  await eventually(async () => {
    expect((await health(a)).directory).toBe('connected');
    expect((await health(b)).directory).toBe('connected');
  }, 10_000);
  alice = await connectClient(a.url, 'alice', { room: 'north' });
  bob = await connectClient(b.url, 'bob', { room: 'south' });
});

afterAll(async () => {
  for (const client of [alice, bob, carol, ...extraClients]) client?.net.close();
  a?.process.kill();
  b?.process.kill();
  await redis?.stop();
});

describe('two server processes and a Redis room directory', () => {
  it("lists every room from either process, with the other process's URL", async () => {
    await eventually(async () => {
      expect(await roomsSeenBy(a)).toEqual([
        { name: 'north', players: 1, capacity: 32 },
        { name: 'south', players: 1, capacity: 32, url: b.url },
      ]);
      expect(await roomsSeenBy(b)).toEqual([
        { name: 'north', players: 1, capacity: 32, url: a.url },
        { name: 'south', players: 1, capacity: 32 },
      ]);
    }, 5_000);
  });

  it('sends a player who asks process A for a room on B to B, where they play', async () => {
    carol = await connectClient(a.url, 'carol', { room: 'south' });
    expect(carol.net.serverUrl).toBe(b.url);
    expect(carol.net.room).toEqual({ name: 'south', capacity: 32 });
    expect(carol.net.datagramState).toBe('open');
    await waitFor(() => bob.events.some((e) => e.type === 'join' && e.name === 'carol'), 'bob to see carol join');
    await waitFor(() => carol.snapshots.at(-1)?.snapshot.entities.some((e) => e.id === bob.net.playerId), 'carol to see bob');
    await eventually(async () => expect((await health(b)).players).toBe(2));
    expect((await health(a)).players).toBe(1);
  });

  it('quick play through A picks the fullest room anywhere (south, on B)', async () => {
    await eventually(async () => expect((await roomsSeenBy(a)).find((r) => r.name === 'south')?.players).toBe(2));
    const dave = await connectClient(a.url, 'dave');
    extraClients.push(dave);
    expect(dave.net.room?.name).toBe('south');
    expect(dave.net.serverUrl).toBe(b.url);
  });

  it('resumes a session through the other process: the redirect carries it to its room', async () => {
    const erin = await connectClient(b.url, 'erin', { room: 'south' });
    const { playerId, sessionToken } = erin.net;
    erin.net.close(); // the page goes away without a goodbye, then reloads on A's address
    const viaA = new RawStream(a.url);
    await viaA.opened();
    viaA.send(JSON.stringify({ type: 'hello', name: 'erin', room: 'south', resume: { sessionToken, lastSeq: 0 } }));
    const redirect = await viaA.next('redirect');
    expect(redirect).toMatchObject({ url: b.url, room: 'south' });
    const onB = new RawStream(redirect.url);
    await onB.opened();
    onB.send(JSON.stringify({ type: 'hello', name: 'erin', room: 'south', reservation: redirect.reservation, resume: { sessionToken, lastSeq: 0 } }));
    expect(await onB.next('welcome')).toMatchObject({ resumed: true, playerId, room: { name: 'south' } });
    // The reservation was spent: saying it again buys nothing.
    const again = new RawStream(b.url);
    await again.opened();
    again.send(JSON.stringify({ type: 'hello', name: 'mallory', room: 'south', reservation: redirect.reservation }));
    expect(await again.next('welcome')).toMatchObject({ resumed: false, room: { name: 'south' } });
    for (const raw of [viaA, onB, again]) raw.send(JSON.stringify({ type: 'leave' }));
  });

  it('keeps every game going while Redis is down, and registers again when it is back', async () => {
    await redis.down();
    await eventually(async () => expect((await health(a)).directory).toBe('unreachable'));
    // Both rooms still play: snapshots keep coming on each process.
    const [aliceSeen, bobSeen] = [alice.snapshots.length, bob.snapshots.length];
    await waitFor(() => alice.snapshots.length > aliceSeen + 30 && bob.snapshots.length > bobSeen + 30, 'snapshots while Redis is down');
    expect(await roomsSeenBy(a)).toEqual([{ name: 'north', players: 1, capacity: 32 }]); // its own rooms only
    await redis.up();
    await eventually(async () => {
      expect((await health(a)).directory).toBe('connected');
      expect((await health(b)).directory).toBe('connected');
    }, 15_000);
    await eventually(async () => expect((await roomsSeenBy(a)).map((r) => r.name).sort()).toEqual(['north', 'south']), 5_000);
    expect(alice.net.streamState).toBe('open');
    expect(bob.net.streamState).toBe('open');
  });

  it("forgets a killed process's rooms within the expiry, and quick play never sends anyone there", async () => {
    b.process.kill();
    const killedAt = Date.now();
    await eventually(async () => expect((await roomsSeenBy(a)).map((r) => r.name)).toEqual(['north']), DIRECTORY_TTL_MS + 3_000);
    console.log(`B's rooms left the directory ${Date.now() - killedAt} ms after it was killed (expiry ${DIRECTORY_TTL_MS} ms)`);
    for (let i = 0; i < 3; i++) {
      const raw = new RawStream(a.url);
      await raw.opened();
      raw.send(JSON.stringify({ type: 'hello', name: `quick${i}` }));
      await waitFor(() => raw.messages.find((m) => m.type === 'welcome' || m.type === 'redirect'), 'an answer to quick play');
      expect(raw.messages.find((m) => m.type === 'redirect')).toBeUndefined();
      expect(raw.messages.find((m) => m.type === 'welcome')).toMatchObject({ room: { name: 'north' } });
      raw.socket.close();
    }
  });
});
