// Rooms over real sockets: two rooms on one server keep their players,
// chat, scores and snapshots apart; a session belongs to its room; quick play
// fills the fullest room and spills into a new one; a full room says so; an
// empty room stops ticking and is disposed with its metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARENA_HEIGHT_PX, COIN_COUNT, ENTITY_KIND_PLAYER, ERROR_ROOM_FULL } from '../../protocol/constants.ts';
import { parseRoomList } from '../../protocol/wire/room-list.ts';
import type { RunningServer } from '../../game-server/server.ts';
import { ScriptedWorld } from '../scripted-world.ts';
import { connectClient, eventually, joinRaw, RawStream, shutDown, startTestServer, waitFor, type TestClient } from './harness.ts';

const roomList = async (server: RunningServer) => {
  const list = parseRoomList(await (await fetch(`${server.url}/rooms`)).json());
  if (!list.ok) throw new Error(list.message);
  return list.value;
};

const playersIn = (client: TestClient) => client.snapshots.at(-1)?.snapshot.entities.filter((e) => e.kind === ENTITY_KIND_PLAYER).length ?? 0;

describe('two rooms on one server', () => {
  // Red's coins all lie along the bottom edge and its (few) players appear in
  // a row above them: a player spawned on a coin would score there, and the
  // test below needs any score event in red to be a leak from blue.
  const bottomRow = Array.from({ length: COIN_COUNT }, (_, i) => ({ x: 100 + 150 * i, y: ARENA_HEIGHT_PX - 40 }));
  const worlds = { red: new ScriptedWorld(bottomRow, (id) => ({ x: 200 + 100 * id, y: 300 })), blue: new ScriptedWorld() };
  let server: RunningServer;
  let ann: TestClient;
  let cid: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    server = await startTestServer([], (room) => worlds[room as keyof typeof worlds] ?? new ScriptedWorld());
    ann = await connectClient(server.url, 'ann', { room: 'red' });
    cid = await connectClient(server.url, 'cid', { room: 'red' });
    bob = await connectClient(server.url, 'bob', { room: 'blue' });
  });

  afterAll(() => shutDown(server, ann, cid, bob));

  it('seats each player in the room it asked for', () => {
    expect(ann.net.room).toEqual({ name: 'red', capacity: 32 });
    expect(bob.net.room?.name).toBe('blue');
    // Player ids are a room's own: the first player of each room is 1.
    expect(ann.net.playerId).toBe(1);
    expect(bob.net.playerId).toBe(1);
    expect(bob.welcomes[0]!.players.map((p) => p.name)).toEqual(['bob']);
  });

  it('sends each room only its own players in snapshots', async () => {
    await waitFor(() => playersIn(ann) === 2 && playersIn(bob) === 1, 'red to see two players and blue one');
    const start = bob.snapshots.length;
    await waitFor(() => bob.snapshots.length > start + 10, 'more blue snapshots');
    expect(bob.snapshots.slice(start).every(({ snapshot }) => snapshot.entities.filter((e) => e.kind === ENTITY_KIND_PLAYER).length === 1)).toBe(true);
  });

  it('keeps chat and joins inside the room', async () => {
    ann.net.chat('red team only');
    bob.net.chat('blue here');
    await waitFor(() => cid.events.some((e) => e.type === 'chat' && e.text === 'red team only'), 'cid to hear ann');
    await waitFor(() => bob.events.some((e) => e.type === 'chat' && e.text === 'blue here'), 'bob to hear himself');
    // Both lines were sent before either arrived; by now a leak would have too.
    expect(cid.events.some((e) => e.type === 'chat' && e.text === 'blue here')).toBe(false);
    expect(bob.events.some((e) => e.type === 'chat' && e.text === 'red team only')).toBe(false);
    expect(bob.events.some((e) => e.type === 'join')).toBe(false);
  });

  it('scores a coin in its own room only', async () => {
    worlds.blue.place(bob.net.playerId, worlds.blue.coins[0]!);
    await waitFor(() => bob.events.some((e) => e.type === 'score' && e.playerId === bob.net.playerId), 'bob to score in blue');
    // Ann has the same player id in red: the point must not reach her.
    expect([...ann.events, ...cid.events].some((e) => e.type === 'score')).toBe(false);
  });

  it('lists both rooms, fullest first', async () => {
    expect((await roomList(server)).rooms).toEqual([
      { name: 'red', players: 2, capacity: 32 },
      { name: 'blue', players: 1, capacity: 32 },
    ]);
    const health = await (await fetch(`${server.opsUrl}/healthz`)).json();
    expect(health).toMatchObject({
      players: 3,
      rooms: [
        { name: 'red', players: 2 },
        { name: 'blue', players: 1 },
      ],
    });
    const metrics = await (await fetch(`${server.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^arena_room_players\{room="red"\} 2$/m);
    expect(metrics).toMatch(/^arena_room_tick_duration_seconds\{quantile="0\.99",room="blue"\} /m);
  });

  it('does not let a session token from one room resume in another', async () => {
    const raw = new RawStream(server.url);
    await raw.opened();
    raw.send(JSON.stringify({ type: 'hello', name: 'thief', room: 'blue', resume: { sessionToken: ann.net.sessionToken, lastSeq: 0 } }));
    const welcome = await raw.next('welcome');
    expect(welcome).toMatchObject({ resumed: false, name: 'thief', room: { name: 'blue' } });
    expect(welcome.playerId).not.toBe(undefined);
    expect(ann.net.streamState).toBe('open'); // ann's session in red was not taken over
    raw.send(JSON.stringify({ type: 'leave' }));
    await waitFor(() => raw.closed, 'thief to leave');
  });
});

describe('quick play and full rooms', () => {
  let server: RunningServer;
  const sockets: RawStream[] = [];

  beforeAll(async () => {
    server = await startTestServer(['--room-capacity', '2']);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.socket.close();
    await server.close();
  });

  it('fills the fullest room with space, then opens a new one', async () => {
    for (const name of ['p1', 'p2', 'p3']) sockets.push(await joinRaw(server.url, name));
    const rooms = sockets.map((s) => s.messages.find((m) => m.type === 'welcome')!).map((w) => (w.type === 'welcome' ? w.room.name : ''));
    expect(rooms).toEqual(['arena-1', 'arena-1', 'arena-2']);
    expect((await roomList(server)).rooms).toEqual([
      { name: 'arena-1', players: 2, capacity: 2 },
      { name: 'arena-2', players: 1, capacity: 2 },
    ]);
    // The next one goes to the fuller room with space, arena-2, not a third room.
    sockets.push(await joinRaw(server.url, 'p4'));
    expect(sockets[3]!.messages.find((m) => m.type === 'welcome')).toMatchObject({ room: { name: 'arena-2' } });
  });

  it('refuses a named room that is full, with a message saying so', async () => {
    const raw = new RawStream(server.url);
    sockets.push(raw);
    await raw.opened();
    raw.send(JSON.stringify({ type: 'hello', name: 'late', room: 'arena-1' }));
    const error = await raw.next('error');
    expect(error.code).toBe(ERROR_ROOM_FULL);
    expect(error.message).toMatch(/arena-1 is full/);
    await waitFor(() => raw.closed, 'the refused socket to close');
  });

  it('refuses a room name that could not be a link', async () => {
    const raw = new RawStream(server.url);
    sockets.push(raw);
    await raw.opened();
    raw.send(JSON.stringify({ type: 'hello', name: 'odd', room: '../etc' }));
    expect((await raw.next('error')).code).toBe('invalid-message');
  });
});

describe('an empty room', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer(['--room-idle-ms', '300']);
  });

  afterAll(() => server.close());

  it('stops ticking when its last player leaves, and is disposed after its idle time', async () => {
    const raw = await joinRaw(server.url, 'solo', 'lonely');
    const room = server.lobby.room('lonely')!;
    expect(room.ticking).toBe(true);
    const tickBefore = room.tick;
    await waitFor(() => room.tick > tickBefore, 'the room to tick');
    raw.send(JSON.stringify({ type: 'leave' }));
    await waitFor(() => !room.ticking, 'the room to stop ticking');
    const stoppedAt = room.tick;
    expect((await roomList(server)).rooms).toEqual([{ name: 'lonely', players: 0, capacity: 32 }]);
    await eventually(async () => expect((await roomList(server)).rooms).toEqual([]), 5_000);
    expect(server.lobby.room('lonely')).toBeUndefined();
    expect(room.tick).toBe(stoppedAt);
    expect(await (await fetch(`${server.opsUrl}/metrics`)).text()).not.toContain('room="lonely"');
    // The name is free again: joining it opens a fresh room.
    const again = await joinRaw(server.url, 'solo', 'lonely');
    expect(again.messages.find((m) => m.type === 'welcome')).toMatchObject({ room: { name: 'lonely' }, playerId: 1 });
    again.socket.close();
  });
});
