// The client's transport adapters report their lifecycle (game-client/net/connection-events.ts)
// in order, on the page's clock: for a real client against a real server,
// the stream's socket is made, opens and hears its first message; the data
// channel signals, opens and hears its first datagram; a dropped stream
// reports its close and the next socket's steps; both report closing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import type { ConnectionEvent } from '../../game-client/net/connection-events.ts';
import { DroppableStream } from '../stream-drops.ts';
import { connectClient, shutDown, startTestServer, waitFor, type TestClient } from './harness.ts';

let server: RunningServer;
let client: TestClient | undefined;
const events: ConnectionEvent[] = [];
const stream = new DroppableStream();
/** The adapters' own lifecycle steps (NetClient and the peer-connection tap report more between them). */
const LIFECYCLE = new Set(['connecting', 'signaling', 'channel-open', 'first-message', 'closed']);
const steps = (channel: string) => events.filter((e) => e.channel === channel && LIFECYCLE.has(e.step)).map((e) => e.step);

beforeAll(async () => {
  server = await startTestServer();
  client = await connectClient(server.url, 'timeline', { connectionEvents: { record: (event) => events.push(event) }, webSocket: stream.webSocket });
});

afterAll(() => shutDown(server, client));

describe('client connection events', () => {
  it('come in order for the stream and the data channel, with times that never go back', async () => {
    expect(steps('stream')).toEqual(['connecting', 'channel-open', 'first-message']);
    expect(steps('datagram')).toEqual(['signaling', 'channel-open', 'first-message']);
    // The hello and its answer, between the stream's open and nothing after the welcome.
    const said = events.filter((e) => e.channel === 'stream').map((e) => e.step);
    expect(said.indexOf('hello')).toBeGreaterThan(said.indexOf('channel-open'));
    expect(said.indexOf('welcome')).toBeGreaterThan(said.indexOf('hello'));
    for (const channel of ['stream', 'datagram']) {
      const times = events.filter((e) => e.channel === channel && LIFECYCLE.has(e.step)).map((e) => e.atMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    // A dropped stream: its socket's close, then a new socket's whole life.
    stream.drop();
    await waitFor(() => client!.net.streamState === 'open' && steps('stream').length === 7, 'the stream back');
    expect(steps('stream')).toEqual(['connecting', 'channel-open', 'first-message', 'closed', 'connecting', 'channel-open', 'first-message']);
    client!.net.close();
    await waitFor(() => steps('stream').length === 8 && steps('datagram').includes('closed'), 'both closes reported');
    expect(steps('stream').at(-1)).toBe('closed');
    expect(steps('datagram').at(-1)).toBe('closed');
  });
});
