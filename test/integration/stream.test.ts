// The stream channel over real ws sockets: welcome, reliable ordered events,
// and what happens to bad input. One real server for the whole file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEARTBEAT_TIMEOUT_MS,
  RECONNECT_MIN_DELAY_MS,
  CLOSE_RATE_LIMITED,
  ERROR_BAD_JSON,
  ERROR_BINARY_NOT_ACCEPTED,
  ERROR_CHAT_RATE_LIMITED,
  ERROR_INVALID_MESSAGE,
  ERROR_NOT_JOINED,
  ERROR_RATE_LIMITED,
  MAX_RATE_LIMIT_STRIKES,
  MAX_STREAM_MESSAGE_BYTES,
  STREAM_MESSAGE_BURST,
  STREAM_MESSAGE_REFILL_PER_S,
} from '../../protocol/constants.ts';
import type { RunningServer } from '../../game-server/server.ts';
import { JoinRefusedError, NetClient } from '../../game-client/net/net-client.ts';
import type { ScriptedWorld } from '../scripted-world.ts';
import { connectClient, joinRaw, shutDown, RawStream, startTwoPlayerArena, waitFor, type TestClient } from './harness.ts';

let server: RunningServer;
let world: ScriptedWorld;
let alice: TestClient;
let bob: TestClient;

beforeAll(async () => ({ server, world, alice, bob } = await startTwoPlayerArena()));

afterAll(() => shutDown(server, alice, bob));

/** A raw socket that has said hello and got its welcome. */
const joinedRaw = (name: string): Promise<RawStream> => joinRaw(server.url, name);

describe('welcome', () => {
  it('gives a player id, tokens, config and the players already here', async () => {
    const raw = new RawStream(server.url);
    await raw.opened();
    raw.send(JSON.stringify({ type: 'hello', name: 'carol' }));
    const welcome = await raw.next('welcome');
    expect(welcome.playerId).toBeGreaterThan(0);
    expect(welcome.name).toBe('carol');
    expect(welcome.sessionToken).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(welcome.datagramToken).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(welcome.sessionToken).not.toBe(welcome.datagramToken);
    expect(welcome.resumed).toBe(false);
    expect(welcome.config).toEqual({ tickRateHz: 60, snapshotRateHz: 30, arenaWidthPx: 1600, arenaHeightPx: 900 });
    expect(welcome.players.map((p) => p.name)).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']));
    expect(welcome.scores[String(alice.net.playerId)]).toBe(0);
    raw.socket.close();
  });

  it('announces a new player to everyone already here', async () => {
    const raw = await joinedRaw('dave');
    const daveId = (await raw.next('welcome')).playerId;
    await waitFor(() => alice.events.some((e) => e.type === 'join' && e.playerId === daveId), 'alice to see dave join');
    await waitFor(() => bob.events.some((e) => e.type === 'join' && e.playerId === daveId), 'bob to see dave join');
    raw.socket.close();
  });
});

describe('a refused hello', () => {
  it("makes start() fail once with the server's reason, and the client stops instead of reconnecting", async () => {
    const connectionsBefore = server.streamConnections();
    const net = new NetClient({ url: server.url, name: 'x'.repeat(200), useDatagram: false });
    const failure = await net.start().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(JoinRefusedError);
    expect((failure as JoinRefusedError).message).toMatch(/name/);
    expect(net.streamState).toBe('closed');
    // Nothing is retried (a reconnect would come within RECONNECT_MIN_DELAY_MS): the socket goes and stays gone.
    // (Sockets of earlier tests may still be closing: compare with no more than before.)
    await waitFor(() => server.streamConnections() <= connectionsBefore, 'the refused socket to close');
    await new Promise((resolve) => setTimeout(resolve, 4 * RECONNECT_MIN_DELAY_MS));
    expect(server.streamConnections()).toBeLessThanOrEqual(connectionsBefore);
  });
});

describe('reliable events', () => {
  it('delivers chat and score events to every client in the same order', async () => {
    const before = { alice: alice.events.length, bob: bob.events.length };
    for (let i = 0; i < 3; i++) {
      alice.net.chat(`a${i}`);
      bob.net.chat(`b${i}`);
    }
    // A coin pickup, made certain by standing the player on a coin.
    world.place(bob.net.playerId, world.coins[0]!);
    const isBobsScore = (e: { type: string; playerId?: number }) => e.type === 'score' && e.playerId === bob.net.playerId;
    await waitFor(() => alice.events.slice(before.alice).some(isBobsScore), "bob's score event");
    await waitFor(() => alice.events.slice(before.alice).filter((e) => e.type === 'chat').length === 6, 'six chat lines at alice');
    await waitFor(() => bob.events.slice(before.bob).length >= alice.events.slice(before.alice).length, 'bob to catch up');

    const seen = (c: TestClient, from: number) => c.events.slice(from).map((e) => `${e.seq}:${e.type}`);
    expect(seen(bob, before.bob)).toEqual(seen(alice, before.alice));
    const seqs = alice.events.slice(before.alice).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(alice.events.find(isBobsScore)).toMatchObject({ score: 1, delta: 1 });
  });

  it('refuses chat beyond the rate limit with an error message', async () => {
    const raw = await joinedRaw('spammer');
    for (let i = 0; i < 10; i++) raw.send(JSON.stringify({ type: 'chat', text: `spam ${i}` }));
    const error = await raw.next('error');
    expect(error.code).toBe(ERROR_CHAT_RATE_LIMITED);
    raw.socket.close();
  });
});

describe('bad input', () => {
  it('answers a message that is not JSON with a bad-json error', async () => {
    const raw = await joinedRaw('typo');
    raw.send('{"type": "chat", "text": ');
    expect(await raw.next('error')).toMatchObject({ code: ERROR_BAD_JSON });
    raw.socket.close();
  });

  it('answers a message that fails its schema with an invalid-message error naming the field', async () => {
    const raw = await joinedRaw('schema');
    raw.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(500) }));
    const error = await raw.next('error');
    expect(error.code).toBe(ERROR_INVALID_MESSAGE);
    expect(error.message).toMatch(/^text:/);
    raw.send(JSON.stringify({ type: 'teleport', x: 0, y: 0 }));
    expect(await raw.next('error', 1)).toMatchObject({ code: ERROR_INVALID_MESSAGE });
    raw.socket.close();
  });

  // JSON.stringify escapes a lone surrogate as \udXXX (well-formed JSON.stringify), as a client would
  // send it; JSON.parse on the server turns the escape back into the lone surrogate the schema refuses.
  it('refuses a hello whose name has a lone surrogate with invalid-message, and sends no welcome', async () => {
    const raw = new RawStream(server.url);
    await raw.opened();
    const hello = JSON.stringify({ type: 'hello', name: 'bad\uD800name' });
    expect(hello).toContain('bad\\ud800name');
    raw.send(hello);
    const error = await raw.next('error');
    expect(error.code).toBe(ERROR_INVALID_MESSAGE);
    expect(error.message).toMatch(/^name:.*surrogate/);
    // Messages are answered in order: a welcome would have come before this pong.
    await raw.roundTripMs();
    expect(raw.messages.some((m) => m.type === 'welcome')).toBe(false);
    raw.socket.close();
  });

  it('refuses a chat line with a lone surrogate, delivers it to no one, and keeps the sender playing', async () => {
    const raw = await joinedRaw('surrogate');
    const bobEvents = bob.events.length;
    raw.send(JSON.stringify({ type: 'chat', text: 'hi \uDC00' }));
    const error = await raw.next('error');
    expect(error.code).toBe(ERROR_INVALID_MESSAGE);
    expect(error.message).toMatch(/^text:.*surrogate/);
    raw.send(JSON.stringify({ type: 'chat', text: 'hi again' }));
    // Events reach bob in order: the refused line, had it been published, would have come first.
    await waitFor(() => bob.events.slice(bobEvents).some((e) => e.type === 'chat' && e.text === 'hi again'), 'bob to get the valid line');
    const chatFrom = (messages: { type: string; text?: string }[]) => messages.flatMap((m) => (m.type === 'chat' ? [m.text] : []));
    expect(chatFrom(bob.events.slice(bobEvents))).toEqual(['hi again']);
    expect(chatFrom(raw.messages)).toEqual(['hi again']);
    expect(raw.closed).toBeNull();
    raw.socket.close();
  });

  it('refuses anything but hello before hello', async () => {
    const raw = new RawStream(server.url);
    await raw.opened();
    raw.send(JSON.stringify({ type: 'chat', text: 'hi' }));
    expect(await raw.next('error')).toMatchObject({ code: ERROR_NOT_JOINED });
    raw.socket.close();
  });

  it('refuses binary frames that are not input packets', async () => {
    const raw = await joinedRaw('binary');
    raw.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    expect(await raw.next('error')).toMatchObject({ code: ERROR_BINARY_NOT_ACCEPTED });
    raw.socket.close();
  });

  it('closes a socket that sends a frame over the size limit (1009) without buffering it', async () => {
    const raw = await joinedRaw('big');
    raw.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(MAX_STREAM_MESSAGE_BYTES * 4) }));
    await waitFor(() => raw.closed, 'the oversized socket to close');
    expect(raw.closed!.code).toBe(1009); // ws's own close for a frame over maxPayload (RFC 6455: message too big)
    expect(await server.metrics.dropCount('stream', 'in', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')).toBeGreaterThan(0);
  });

  it('keeps every other player playing while one client misbehaves', async () => {
    const raw = await joinedRaw('vandal');
    const aliceSnapshots = alice.snapshots.length;
    const bobEvents = bob.events.length;
    for (const junk of ['', 'null', '[]', '{"type":"hello"}', '{"type":"ping","id":-1,"clientTimeMs":0}', '\u0000\u0001']) {
      raw.send(junk);
    }
    raw.send(Buffer.alloc(64, 0xff));
    await waitFor(() => raw.messages.filter((m) => m.type === 'error').length >= 6, 'errors for each junk frame');
    alice.net.chat('still here');
    await waitFor(() => bob.events.slice(bobEvents).some((e) => e.type === 'chat' && e.text === 'still here'), 'bob to get the chat');
    await waitFor(() => alice.snapshots.length > aliceSnapshots + 10, 'alice to keep receiving snapshots');
    expect(alice.net.streamState).toBe('open');
    expect(bob.net.datagramState).toBe('open');
    raw.socket.close();
  });
});

describe('vanished clients', () => {
  it('removes a killed client within a few seconds and announces its departure', async () => {
    const raw = await joinedRaw('killed');
    const id = (await raw.next('welcome')).playerId;
    raw.socket.terminate(); // no close frame, like a killed process
    const left = await waitFor(() => alice.events.find((e) => e.type === 'leave' && e.playerId === id), 'the leave event', 8_000);
    expect(left).toMatchObject({ reason: 'disconnected' });
  });

  it('keeps a client that sends no game pings but whose WebSocket answers protocol pings', async () => {
    const raw = await joinedRaw('quiet'); // says hello, then never sends another message
    const id = (await raw.next('welcome')).playerId;
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_TIMEOUT_MS + 1_500));
    expect(alice.events.find((e) => e.type === 'leave' && e.playerId === id)).toBeUndefined();
    expect(raw.closed).toBeNull();
    raw.socket.close();
  });

  it('forgets a closed socket: no connection is left behind once every client is gone', async () => {
    const raw = await joinedRaw('temporary');
    const before = server.streamConnections();
    raw.socket.close();
    await waitFor(() => server.streamConnections() === before - 1, 'the connection to be removed');
  });
});

describe('fallback without WebRTC', () => {
  it('carries positions over the stream, and inputs too, when the client has no data channel', async () => {
    const dora = await connectClient(server.url, 'dora', { useDatagram: false });
    expect(dora.net.datagramState).toBe('fallback');
    expect(dora.net.datagramNote).toMatch(/stream/);
    await waitFor(() => dora.snapshots.filter((s) => s.via === 'stream').length > 10, 'snapshots over the stream');
    const start = dora.ownPosition()!;
    world.place(dora.net.playerId, { x: 300, y: start.y });
    await waitFor(() => Math.abs(dora.ownPosition()!.x - 300) < 0.5, 'the placed position');
    const right = { moveX: 127, moveY: 0 };
    // Through the client's own input path: sequence numbers 1 to 30, and no data channel to take them.
    for (let seq = 1; seq <= 30; seq++) {
      expect(dora.net.inputs.send(right)).toBe(seq);
      await new Promise((resolve) => setTimeout(resolve, 1000 / 60));
    }
    await waitFor(() => dora.snapshots.at(-1)!.snapshot.ackInputSeq === 30, 'the inputs sent over the stream to be applied');
    expect(dora.ownPosition()!.x).toBeCloseTo(300 + 120, 0);
    expect(dora.snapshots.every((s) => s.via === 'stream')).toBe(true);
    dora.net.close();
  });
});

describe('flood protection', () => {
  it('counts junk binary frames against the message budget and disconnects a client that keeps flooding (4002)', async () => {
    const raw = await joinedRaw('flooder');
    const startedAtMs = performance.now();
    for (let i = 0; i < 200; i++) raw.send(Buffer.from([0xde, 0xad]));
    await waitFor(() => raw.closed, 'the flooder to be cut off');
    expect(raw.closed!.code).toBe(CLOSE_RATE_LIMITED);
    // One error per frame the budget let in (the burst, plus what it refilled
    // while the frames trickled in: 92 of 91 on a loaded machine once), then
    // the strikes.
    const refilled = Math.ceil((STREAM_MESSAGE_REFILL_PER_S * (performance.now() - startedAtMs)) / 1000);
    const errors = raw.messages.filter((m) => m.type === 'error');
    expect(errors.length).toBeLessThanOrEqual(STREAM_MESSAGE_BURST + refilled + MAX_RATE_LIMIT_STRIKES + 1);
    expect(errors.some((e) => e.type === 'error' && e.code === ERROR_RATE_LIMITED)).toBe(true);
  });

  it('rations datagram tokens: a second request right away is refused', async () => {
    const raw = await joinedRaw('tokens');
    raw.send(JSON.stringify({ type: 'datagram-token' }));
    raw.send(JSON.stringify({ type: 'datagram-token' }));
    await raw.next('datagram-token');
    expect(await raw.next('error')).toMatchObject({ code: ERROR_RATE_LIMITED });
    expect(raw.messages.filter((m) => m.type === 'datagram-token')).toHaveLength(1);
    raw.socket.close();
  });
});
