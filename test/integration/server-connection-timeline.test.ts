// The server's side of the connection timeline, against a real server: what a
// player receives over its stream (`connection-timeline`) for the stream
// itself after its welcome, or before a refused hello's socket closes; for
// its data channel (a real geckos client over node-datachannel) once a
// datagram has gone each way, or once an offer it asked for closed unopened;
// and the Server-Timing header on signaling answers. Only order and
// presence are checked, never durations: the machine is shared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { parseServerMessage, type ConnectionTimelineMessage, type ServerMessage } from '../../protocol/wire/stream.ts';
import { connectClient, joinRaw, RawStream, shutDown, startTestServer, waitFor, type TestClient } from './harness.ts';

let server: RunningServer;
const sockets: RawStream[] = [];
let dora: TestClient | undefined;

beforeAll(async () => {
  // One seat per room, so a second hello to a named room is refused (and each player here opens a room of their own).
  server = await startTestServer(['--room-capacity', '1', '--max-rooms-per-address', '16']);
});
afterAll(async () => {
  for (const raw of sockets) raw.socket.terminate();
  await shutDown(server, dora);
});

/** A stream socket that has said hello (to `room`, if named). */
async function sayHello(name: string, room?: string): Promise<RawStream> {
  const raw = new RawStream(server.url);
  sockets.push(raw);
  await raw.opened();
  raw.send(JSON.stringify({ type: 'hello', name, ...(room !== undefined ? { room } : {}) }));
  return raw;
}

/** The timeline a socket received, checked by the client's own parser: what a page would accept. */
async function timelineOf(raw: RawStream): Promise<ConnectionTimelineMessage> {
  const message = await raw.next('connection-timeline');
  const parsed = parseServerMessage(JSON.stringify(message));
  if (!parsed.ok) throw new Error(`the client would refuse it: ${parsed.message}`);
  return parsed.value as ConnectionTimelineMessage;
}

const indexOf = (messages: ServerMessage[], type: ServerMessage['type']) => messages.findIndex((m) => m.type === type);

/** Each step ends no earlier than it starts, and starts no earlier than the one before ends. */
function expectBackToBack(steps: ConnectionTimelineMessage['steps']) {
  for (const [i, step] of steps.entries()) {
    expect(step.endMs).toBeGreaterThanOrEqual(step.startMs);
    if (i > 0) expect(step.startMs).toBeGreaterThanOrEqual(steps[i - 1]!.endMs);
  }
}

describe('the stream connection timeline', () => {
  it('arrives after the welcome: accept, upgrade request, 101 and hello → welcome, in order, on the server clock', async () => {
    const raw = await sayHello('alice');
    const timeline = await timelineOf(raw);
    const nowMs = server.clock();
    expect(indexOf(raw.messages, 'welcome')).toBeGreaterThanOrEqual(0);
    expect(indexOf(raw.messages, 'welcome')).toBeLessThan(indexOf(raw.messages, 'connection-timeline'));
    expect(timeline).toMatchObject({ channel: 'stream', connectionId: expect.stringMatching(/^stream-\d+$/) });
    expect(timeline.steps.map((step) => step.id)).toEqual(['tcp-accept', 'http-upgrade', 'upgrade-101', 'hello-welcome']);
    const [accept, upgrade] = timeline.steps;
    expect(accept!.endMs).toBe(accept!.startMs); // accept() is a moment
    expect(upgrade!.startMs).toBe(accept!.startMs); // the upgrade request is read on the accepted connection
    expectBackToBack(timeline.steps);
    expect(timeline.steps.at(-1)!.endMs).toBeLessThanOrEqual(nowMs);
    // One message per milestone: nothing more for this connection as the game goes on.
    await raw.roundTripMs();
    expect(raw.messages.filter((m) => m.type === 'connection-timeline')).toHaveLength(1);
  });

  it('arrives before a refused hello closes the socket, with the refusal as its last step', async () => {
    const first = await joinRaw(server.url, 'bob', 'duel');
    sockets.push(first);
    const raw = await sayHello('carol', 'duel');
    const timeline = await timelineOf(raw);
    const error = raw.messages.find((m) => m.type === 'error');
    expect(error).toBeDefined();
    expect(timeline.steps.map((step) => step.id)).toEqual(['tcp-accept', 'http-upgrade', 'upgrade-101', 'hello-refused']);
    expect(timeline.steps.at(-1)!.detail).toBe(error?.type === 'error' ? error.code : '');
    expectBackToBack(timeline.steps);
    await waitFor(() => raw.closed, 'the refused socket to close');
    expect(indexOf(raw.messages, 'welcome')).toBe(-1);
  });
});

type Step = ConnectionTimelineMessage['steps'][number];

/** A WebSocket class for NetClient that keeps every `connection-timeline` the client receives (NetClient itself only passes them on). */
function tappedWebSocket(received: ConnectionTimelineMessage[]): typeof WebSocket {
  return class extends globalThis.WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string') return;
        const parsed = parseServerMessage(event.data);
        if (parsed.ok && parsed.value.type === 'connection-timeline') received.push(parsed.value);
      });
    }
  } as typeof WebSocket;
}

/** The steps by id (each id is there at most once). */
function byId(steps: Step[]): Record<string, Step> {
  return Object.fromEntries(steps.map((step) => [step.id, step]));
}

/** A signaling request from outside the game client: its status, Server-Timing header and body. */
async function signal(path: string, authorization?: string) {
  const response = await fetch(`${server.url}/.wrtc/v2${path}`, {
    method: 'POST',
    body: '',
    headers: authorization ? { authorization } : {},
  });
  return { status: response.status, serverTiming: response.headers.get('server-timing'), body: await response.text() };
}

describe('the datagram connection timeline', () => {
  it('arrives once a datagram has gone each way: offer, token, answer, ICE, open, first datagrams, in order', async () => {
    const received: ConnectionTimelineMessage[] = [];
    dora = await connectClient(server.url, 'dora', { webSocket: tappedWebSocket(received) });
    const timeline = await waitFor(() => received.find((m) => m.channel === 'datagram'), 'the datagram timeline');
    const nowMs = server.clock();
    expect(timeline.connectionId).toMatch(/^datagram-\d+$/);
    const ids = timeline.steps.map((step) => step.id);
    expect(ids.slice(0, 5)).toEqual(['signaling-offer', 'token-accepted', 'signaling-answer', 'ice', 'channel-open']);
    expect([...ids.slice(5)].sort()).toEqual(['first-datagram-in', 'first-datagram-out']);
    const step = byId(timeline.steps);
    // The token is checked while the offer is being made.
    expect(step['token-accepted']!.startMs).toBeGreaterThanOrEqual(step['signaling-offer']!.startMs);
    expect(step['token-accepted']!.endMs).toBeLessThanOrEqual(step['signaling-offer']!.endMs);
    expect(step['signaling-answer']!.startMs).toBeGreaterThanOrEqual(step['signaling-offer']!.endMs);
    // ICE checks begin once the client's answer is applied. node-datachannel
    // reports no `checking`: the state is read as the answer is applied, and
    // on loopback the checks can already be over by then (once in three full runs on a
    // quiet machine). Then the step says so and starts where it ends, never a guess.
    expect(step.ice!.startMs).toBeGreaterThanOrEqual(step['signaling-answer']!.startMs);
    if ((step.ice!.detail ?? '').includes('start not seen')) expect(step.ice!.startMs).toBe(step.ice!.endMs);
    // DTLS, SCTP and the channel's open follow ICE.
    expect(step['channel-open']!.startMs).toBe(step.ice!.endMs);
    for (const first of ['first-datagram-in', 'first-datagram-out']) {
      expect(step[first]!.startMs).toBeGreaterThanOrEqual(step['channel-open']!.endMs);
      expect(step[first]!.endMs).toBeLessThanOrEqual(nowMs);
    }
    // The stream's own timeline came first, and nothing more comes while the game goes on.
    expect(received.map((m) => m.channel)).toEqual(['stream', 'datagram']);
    const welcomeAtMs = byId(received[0]!.steps)['hello-welcome']!.endMs;
    expect(step['signaling-offer']!.startMs).toBeGreaterThanOrEqual(welcomeAtMs);
    const seen = dora.snapshots.length;
    await waitFor(() => dora!.snapshots.length > seen + 10, 'ten more snapshots');
    expect(received).toHaveLength(2);
  });

  it('reaches the player whose token an offer spent, when that offer closes without opening', async () => {
    const raw = await joinRaw(server.url, 'erin');
    sockets.push(raw);
    const welcome = await raw.next('welcome');
    const offer = await signal('/connections', welcome.datagramToken);
    expect(offer.status).toBe(200);
    const { id } = JSON.parse(offer.body) as { id: string };
    expect((await signal(`/connections/${id}/close`)).status).toBe(200);
    const message = await raw.next('connection-timeline', 1);
    expect(message).toMatchObject({ channel: 'datagram', connectionId: expect.stringMatching(/^datagram-\d+$/) });
    expect(message.steps.map((step) => step.id)).toEqual(['signaling-offer', 'token-accepted', 'closed']);
    expectBackToBack(message.steps.filter((step) => step.id !== 'token-accepted'));
  });

  it('puts a Server-Timing header on signaling answers, a refused offer included', async () => {
    const refused = await signal('/connections', 'not-a-token-anyone-was-given');
    expect(refused.status).toBe(401);
    expect(refused.serverTiming).toMatch(/^offer;dur=\d+(\.\d)?;desc="offer made"$/);
    const raw = await joinRaw(server.url, 'fred');
    sockets.push(raw);
    const offer = await signal('/connections', (await raw.next('welcome')).datagramToken);
    expect(offer.status).toBe(200);
    expect(offer.serverTiming).toMatch(/^offer;dur=\d+(\.\d)?;desc="offer made"$/);
    const { id } = JSON.parse(offer.body) as { id: string };
    const closed = await signal(`/connections/${id}/close`);
    expect(closed.serverTiming).toMatch(/^close;dur=\d+(\.\d)?;desc="connection closed"$/);
  });
});
