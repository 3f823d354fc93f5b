// Limits that hold across connections, per remote address: a loop of
// {connect, hello, chat, leave} can neither join without bound nor multiply
// the chat limit by rejoining under new names, in another room, or in a room
// disposed and opened again.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../game-server/server.ts';
import {
  ADDRESS_CHAT_BURST,
  ADDRESS_CHAT_REFILL_PER_S,
  CHAT_BURST,
  CLOSE_RATE_LIMITED,
  ERROR_CHAT_RATE_LIMITED,
  ERROR_JOIN_RATE_LIMITED,
  JOIN_BURST,
  JOIN_REFILL_PER_S,
  MAX_SOCKETS_WITHOUT_HELLO_PER_ADDRESS,
} from '../../protocol/constants.ts';
import { connectClient, joinRaw, RawStream, shutDown, startTestServer, waitFor, type TestClient } from './harness.ts';

let server: RunningServer;
let observer: TestClient;

beforeAll(async () => {
  // More seats per address than a join burst: the join-rate test meets the
  // rate limit alone. With the default 16 seats, a bucket that had refilled
  // (a slow machine between tests) let the seat limit answer first.
  server = await startTestServer(['--max-seats-per-address', String(2 * JOIN_BURST)]);
  observer = await connectClient(server.url, 'observer', { useDatagram: false });
});

afterAll(() => shutDown(server, observer));

/** The HTTP status a WebSocket upgrade to the game gets: 101 when it opens (then closed again), else the refusal's. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    // Resolved once closed, so the server no longer counts it when the caller goes on.
    socket.once('open', () => {
      socket.once('close', () => resolve(101));
      socket.close();
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Opens a socket and says hello; resolves with the first answer: a welcome, or an error. */
async function hello(name: string): Promise<{ raw: RawStream; welcomed: boolean; error?: string }> {
  const raw = new RawStream(server.url);
  await raw.opened();
  raw.send(JSON.stringify({ type: 'hello', name }));
  const first = await waitFor(() => raw.messages.find((m) => m.type === 'welcome' || m.type === 'error'), 'an answer to hello');
  return { raw, welcomed: first.type === 'welcome', ...(first.type === 'error' ? { error: first.code } : {}) };
}

describe('per-address limits', () => {
  it('a loop of joins and leaves cannot multiply the chat limit', async () => {
    const startedAt = Date.now();
    let sent = 0;
    // Half the join burst, five lines each: without a per-address limit, all 50 lines would arrive.
    for (let i = 0; i < JOIN_BURST / 2; i++) {
      const { raw, welcomed } = await hello(`looper-${i}`);
      expect(welcomed).toBe(true);
      for (let line = 0; line < CHAT_BURST; line++) raw.send(JSON.stringify({ type: 'chat', text: `spam ${i}.${line}` }));
      sent += CHAT_BURST;
      raw.send(JSON.stringify({ type: 'leave' }));
      await waitFor(() => raw.closed, 'the leave to close the socket');
    }
    const elapsedS = (Date.now() - startedAt) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last lines reach the observer
    const delivered = observer.events.filter((e) => e.type === 'chat' && e.text.startsWith('spam')).length;
    console.log(`${sent} chat lines sent over ${JOIN_BURST / 2} rejoins in ${elapsedS.toFixed(1)} s; ${delivered} delivered`);
    expect(delivered).toBeLessThanOrEqual(ADDRESS_CHAT_BURST + Math.ceil(ADDRESS_CHAT_REFILL_PER_S * (elapsedS + 0.3)));
    expect(delivered).toBeLessThan(sent);
  });

  it(`refuses joins past the burst (${JOIN_BURST}, then ${JOIN_REFILL_PER_S}/s) with join-rate-limited and close ${CLOSE_RATE_LIMITED}`, async () => {
    // All the sockets open first, then every hello goes out at once: the
    // server meets them in one burst, however slowly this machine runs
    // (one hello after another would let the bucket refill between them).
    const sockets = Array.from({ length: JOIN_BURST + 10 }, () => new RawStream(server.url));
    await Promise.all(sockets.map((raw) => raw.opened()));
    const startedAt = Date.now();
    for (const [i, raw] of sockets.entries()) raw.send(JSON.stringify({ type: 'hello', name: `burst-${i}` }));
    const answers = await Promise.all(
      sockets.map((raw) => waitFor(() => raw.messages.find((m) => m.type === 'welcome' || m.type === 'error'), 'an answer to hello')),
    );
    const elapsedS = (Date.now() - startedAt) / 1000;
    const welcomed = answers.filter((m) => m.type === 'welcome').length;
    const refused = sockets.filter((_, i) => answers[i]!.type === 'error');
    expect(welcomed).toBeLessThanOrEqual(JOIN_BURST + Math.ceil(JOIN_REFILL_PER_S * elapsedS));
    expect(refused.length).toBeGreaterThan(0);
    for (const raw of refused) {
      expect(raw.messages.find((m) => m.type === 'error')!.code).toBe(ERROR_JOIN_RATE_LIMITED);
      await waitFor(() => raw.closed, 'the refused socket to close');
      expect(raw.closed!.code).toBe(CLOSE_RATE_LIMITED);
    }
    for (const raw of sockets) raw.socket.close();
    // Everyone else plays on: the observer's stream is untouched.
    expect(observer.net.streamState).toBe('open');
  });

  it(`refuses a WebSocket upgrade with 429 past ${MAX_SOCKETS_WITHOUT_HELLO_PER_ADDRESS} sockets without hello from one address, until one says hello`, async () => {
    // All of them must still be open when the next upgrade is asked for. On a
    // loaded machine, opening them took longer than HELLO_TIMEOUT_MS once, and
    // the server closed the first for their silence (as it should): then
    // replace those and ask again.
    let waiting: RawStream[] = [];
    let status = 0;
    for (let attempt = 1; attempt <= 3; attempt++) {
      waiting = waiting.filter((raw) => !raw.closed);
      while (waiting.length < MAX_SOCKETS_WITHOUT_HELLO_PER_ADDRESS) waiting.push(new RawStream(server.url));
      await Promise.all(waiting.map((raw) => raw.opened()));
      status = await upgradeStatus(server.url);
      if (status === 429 || waiting.every((raw) => !raw.closed)) break;
    }
    expect(status).toBe(429);
    // One hello (welcomed or refused by the join limit, either way no longer
    // waiting) frees a place. The newest socket says it: the furthest from its hello timeout.
    const newest = waiting.at(-1)!;
    newest.send(JSON.stringify({ type: 'hello', name: 'finally' }));
    await waitFor(() => newest.messages.find((m) => m.type === 'welcome' || m.type === 'error'), 'an answer to hello');
    expect(await upgradeStatus(server.url)).toBe(101);
    for (const raw of waiting) raw.socket.close();
    expect(observer.net.streamState).toBe('open');
  });
});

/** Lines one address chatted: what the server took (echoed back to the sender) and what it refused. */
interface ChatTally {
  sent: string[];
  accepted: string[];
  refused: string[];
  /** Error codes the refusals came with. */
  refusalCodes: string[];
}

const newTally = (): ChatTally => ({ sent: [], accepted: [], refused: [], refusalCodes: [] });

/**
 * `seats` players in turn, each joining `room`, sending CHAT_BURST lines (all
 * its own seat's budget allows), waiting for an answer to every line (its own
 * line back, or an error), and leaving.
 */
async function chatInTurns(url: string, room: string, seats: number, tally: ChatTally): Promise<void> {
  for (let seat = 0; seat < seats; seat++) {
    const raw = await joinRaw(url, `${room}-${seat}`, room);
    const lines = Array.from({ length: CHAT_BURST }, (_, line) => `${room} ${tally.sent.length + line}`);
    for (const text of lines) raw.send(JSON.stringify({ type: 'chat', text }));
    tally.sent.push(...lines);
    const echoed = () => raw.messages.flatMap((m) => (m.type === 'chat' && lines.includes(m.text) ? [m.text] : []));
    const errors = () => raw.messages.flatMap((m) => (m.type === 'error' ? [m.code] : []));
    await waitFor(() => echoed().length + errors().length === lines.length, `an answer to each of ${room}-${seat}'s lines`);
    tally.accepted.push(...echoed());
    tally.refused.push(...lines.filter((text) => !echoed().includes(text)));
    tally.refusalCodes.push(...errors());
    raw.send(JSON.stringify({ type: 'leave' }));
    await waitFor(() => raw.closed, 'the leave to close the socket');
  }
}

/** The chat lines `observer` has been sent. */
const heardBy = (observer: RawStream) => observer.messages.flatMap((m) => (m.type === 'chat' ? [m.text] : []));

/** Time for a line the server wrongly let through to reach an observer too. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

/** What the token bucket can have given since `startedAtMs`: its burst and its refill. */
const addressBudget = (startedAtMs: number) => ADDRESS_CHAT_BURST + Math.ceil((ADDRESS_CHAT_REFILL_PER_S * (Date.now() - startedAtMs)) / 1000);

describe('the per-address chat limit across rooms', () => {
  let server: RunningServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('follows the address from one room to another: lines past the burst are refused and reach no one', async () => {
    server = await startTestServer();
    const observers = { a: await joinRaw(server.url, 'watcher-a', 'a'), b: await joinRaw(server.url, 'watcher-b', 'b') };
    const seatsPerRoom = ADDRESS_CHAT_BURST / CHAT_BURST; // each room alone would take all of its lines
    const tally = newTally();
    const startedAt = Date.now();
    await chatInTurns(server.url, 'a', seatsPerRoom, tally);
    await chatInTurns(server.url, 'b', seatsPerRoom, tally);
    const budget = addressBudget(startedAt);
    const heard = () => [...heardBy(observers.a), ...heardBy(observers.b)];
    await waitFor(() => tally.accepted.every((text) => heard().includes(text)), 'the observers to hear every accepted line');
    await settle();
    console.log(`${tally.sent.length} lines sent in rooms a and b; ${tally.accepted.length} accepted (budget ${budget})`);

    expect(tally.accepted.length).toBeLessThanOrEqual(budget);
    expect(tally.refused.length).toBeGreaterThan(0);
    expect(tally.refusalCodes).toEqual(tally.refused.map(() => ERROR_CHAT_RATE_LIMITED));
    expect(tally.refused.filter((text) => heard().includes(text))).toEqual([]);
    // Room b's observer heard only what was accepted in room b: not a fresh burst of its own.
    expect(heardBy(observers.b).filter((text) => text.startsWith('b '))).toEqual(tally.accepted.filter((text) => text.startsWith('b ')));
    observers.a.socket.close();
    observers.b.socket.close();
  });

  it('survives the room: a room disposed and opened again does not refill it', async () => {
    server = await startTestServer(['--room-idle-ms', '300']);
    const tally = newTally();
    const first = await joinRaw(server.url, 'watcher', 'a');
    const startedAt = Date.now();
    await chatInTurns(server.url, 'a', ADDRESS_CHAT_BURST / CHAT_BURST, tally);
    const firstRoom = server.lobby.room('a');
    first.send(JSON.stringify({ type: 'leave' }));
    await waitFor(() => server!.lobby.room('a') === undefined, 'room a to be disposed');
    const again = await joinRaw(server.url, 'watcher', 'a');
    expect(server.lobby.room('a')).not.toBe(firstRoom);
    const acceptedBefore = tally.accepted.length;
    await chatInTurns(server.url, 'a', ADDRESS_CHAT_BURST / CHAT_BURST + 2, tally);
    const budget = addressBudget(startedAt);
    const acceptedAgain = tally.accepted.slice(acceptedBefore);
    await waitFor(() => acceptedAgain.every((text) => heardBy(again).includes(text)), 'the observer to hear every accepted line');
    await settle();
    console.log(`${tally.sent.length} lines sent before and after room a was disposed; ${tally.accepted.length} accepted (budget ${budget})`);

    expect(tally.accepted.length).toBeLessThanOrEqual(budget);
    expect(tally.refusalCodes).toEqual(tally.refused.map(() => ERROR_CHAT_RATE_LIMITED));
    expect(tally.refused.filter((text) => heardBy(again).includes(text))).toEqual([]);
    expect(heardBy(again).filter((text) => text.startsWith('a '))).toEqual(acceptedAgain);
    again.socket.close();
  });
});
