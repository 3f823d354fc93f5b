// The server's side of the connection timeline, against a real server: what a
// player receives over its stream (`connection-timeline`) for the stream
// itself after its welcome, or before a refused hello's socket closes.
// Only order and presence are checked, never durations: the machine is shared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { parseServerMessage, type ConnectionTimelineMessage, type ServerMessage } from '../../protocol/wire/stream.ts';
import { joinRaw, RawStream, shutDown, startTestServer, waitFor } from './harness.ts';

let server: RunningServer;
const sockets: RawStream[] = [];

beforeAll(async () => {
  // One seat per room, so a second hello to a named room is refused.
  server = await startTestServer(['--room-capacity', '1']);
});
afterAll(async () => {
  for (const raw of sockets) raw.socket.terminate();
  await shutDown(server);
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
