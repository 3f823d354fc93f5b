// The adapters report each connection's steps through the one small interface
// a connection timeline will read (game-server/transport/connection-events.ts):
// a real server with a recording listener, a real client over ws and geckos.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../game-server/config.ts';
import { startServer, type RunningServer } from '../../game-server/server.ts';
import type { ChannelName } from '../../protocol/constants.ts';
import type { ConnectionEvent } from '../../game-server/transport/connection-events.ts';
import { connectClient, shutDown, waitFor, type TestClient } from './harness.ts';

const recorded: ConnectionEvent[] = [];
let server: RunningServer;
let alice: TestClient | undefined;

beforeAll(async () => {
  const config = loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'no-client-here'], {});
  server = await startServer(config, { connectionEvents: { record: (event) => void recorded.push(event) } });
});
afterAll(() => shutDown(server, alice));

/** The steps of the first connection of `kind`, in the order they were reported. */
function firstConnection(kind: ChannelName): ConnectionEvent[] {
  const first = recorded.find((event) => event.channel === kind);
  return first ? recorded.filter((event) => event.connectionId === first.connectionId) : [];
}

function expectNonDecreasingTimes(events: ConnectionEvent[]) {
  for (let i = 1; i < events.length; i++) expect(events[i]!.atMs).toBeGreaterThanOrEqual(events[i - 1]!.atMs);
}

describe('connection events', () => {
  it('reports every step of both channels, in order, with non-decreasing times, from accept to close', async () => {
    alice = await connectClient(server.url, 'alice');
    const playerId = alice.net.playerId;
    const room = alice.welcomes[0]!.room.name;
    const steps = (kind: ChannelName) => firstConnection(kind).map((event) => event.step);
    // Its first ping or input, which the client sends once the channel is open.
    await waitFor(() => steps('datagram').includes('first-message'), 'a first datagram');
    alice.net.close();
    await waitFor(() => steps('stream').includes('closed') && steps('datagram').includes('closed'), 'both channels to be reported closed');

    const stream = firstConnection('stream');
    expect(steps('stream')).toEqual(['accepted', 'upgraded', 'channel-open', 'first-message', 'closed']);
    expectNonDecreasingTimes(stream);
    expect(stream[0]!.connectionId).toMatch(/^stream-\d+$/);
    // The player is known once its hello is seated: the close carries it.
    expect(stream.at(-1)).toMatchObject({ room, playerId });

    const datagram = firstConnection('datagram');
    expect(steps('datagram')).toEqual(['accepted', 'channel-open', 'first-message', 'closed']);
    expectNonDecreasingTimes(datagram);
    // Ours, never geckos' id.
    expect(datagram[0]!.connectionId).toMatch(/^datagram-\d+$/);
    expect(datagram.find((event) => event.step === 'channel-open')).toMatchObject({ room, playerId });
    // The stream is accepted before the data channel is asked for (its token comes in the welcome).
    expect(stream[0]!.atMs).toBeLessThanOrEqual(datagram[0]!.atMs);
  });
});
