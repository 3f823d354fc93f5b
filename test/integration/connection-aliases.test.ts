// The connection ids a client sees are aliases from node:crypto, and geckos'
// own ids (Math.random) open nothing: over a real geckos client and server
// (node-datachannel on both ends). Issue item 7: a geckos id alone closed a
// player's data channel through POST …/<id>/close.
import { randomBytes } from 'node:crypto';
import geckos, { type ClientChannel } from '@geckos.io/client';
import { bridge } from '@geckos.io/common/lib/bridge.js';
import { EVENTS } from '@geckos.io/common/lib/constants.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { CONNECTION_ALIAS_BYTES, DATAGRAM_TYPE_PING, HEARTBEAT_INTERVAL_MS } from '../../protocol/constants.ts';
import { encodePing } from '../../protocol/wire/ping.ts';
import { RawStream, startTestServer, waitFor } from './harness.ts';

/** Snapshots a channel must still receive to count as open (a few tenths of a second at 30 Hz). */
const SNAPSHOTS_TO_STAY_OPEN = 10;
const ALIAS_CHARS = Math.ceil((CONNECTION_ALIAS_BYTES * 4) / 3);

let server: RunningServer;
/** geckos' server-side channels, as geckos announces them (its ids are the real ones). */
const serverChannels: { id: string | undefined }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  // geckos announces every opened channel on its process-wide bridge; we only watch.
  bridge.on(EVENTS.CONNECTION, (channel: { id: string | undefined }) => serverChannels.push(channel));
});
afterAll(() => server.close());

interface Player {
  raw: RawStream;
  channel: ClientChannel;
  /** The id geckos gave this player's connection on the server. */
  geckosId: string;
  /** Raw datagrams (snapshots, pongs) received so far. */
  received(): number;
  close(): void;
}

/** A player with a stream and a raw geckos channel, kept alive with pings (a silent channel is closed). */
async function joinWithChannel(name: string): Promise<Player> {
  const raw = new RawStream(server.url);
  await raw.opened();
  raw.send(JSON.stringify({ type: 'hello', name }));
  const welcome = await raw.next('welcome');
  const seen = serverChannels.length;
  const url = new URL(server.url);
  const channel = geckos({ url: `http://${url.hostname}`, port: Number(url.port), authorization: welcome.datagramToken });
  await new Promise<void>((resolve, reject) => channel.onConnect((error) => (error ? reject(error) : resolve())));
  let received = 0;
  channel.onRaw(() => (received += 1));
  let pingId = 0;
  const pings = setInterval(() => {
    channel.raw.emit(encodePing({ type: DATAGRAM_TYPE_PING, id: ++pingId, clientTimeMs: 0 }));
  }, HEARTBEAT_INTERVAL_MS / 2);
  await waitFor(() => received > 0, `${name}'s first snapshot`);
  const geckosId = (await waitFor(() => serverChannels[seen], `${name}'s server channel`)).id!;
  return {
    raw,
    channel,
    geckosId,
    received: () => received,
    close() {
      clearInterval(pings);
      channel.close();
      raw.socket.close();
    },
  };
}

/** The status of a signaling request naming connection `id`. */
async function signal(id: string, route: 'close' | 'remote-description' | 'additional-candidates'): Promise<number> {
  const method = route === 'additional-candidates' ? 'GET' : 'POST';
  const response = await fetch(`${server.url}/.wrtc/v2/connections/${id}/${route}`, {
    method,
    ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Resolves once `player` has received `count` more datagrams. */
async function keepsReceiving(player: Player, count = SNAPSHOTS_TO_STAY_OPEN): Promise<void> {
  const from = player.received();
  await waitFor(() => player.received() >= from + count, 'more snapshots');
}

describe('connection ids', () => {
  let alice: Player;
  beforeAll(async () => {
    alice = await joinWithChannel('alice');
  });
  afterAll(() => alice?.close());

  it("hands the client an alias from node:crypto, and geckos' own id appears nowhere in what it got", () => {
    expect(alice.channel.id).toMatch(new RegExp(`^[A-Za-z0-9_-]{${ALIAS_CHARS}}$`));
    expect(alice.geckosId).toMatch(/^[0-9a-zA-Z]{24}$/);
    expect(alice.channel.id).not.toBe(alice.geckosId);
    // Everything the client kept from geckos' answer: userData, id and the SDP offer.
    const answer = (alice.channel as unknown as { connectionsManager: { remotePeerConnection: unknown } }).connectionsManager.remotePeerConnection;
    expect(JSON.stringify(answer)).toContain(alice.channel.id);
    expect(JSON.stringify(answer)).not.toContain(alice.geckosId);
  });

  it("answers 404 to a close naming geckos' own id, and the player keeps its channel", async () => {
    const channelsBefore = server.datagramChannels();
    expect(await signal(alice.geckosId, 'close')).toBe(404);
    expect(await signal(alice.geckosId, 'additional-candidates')).toBe(404);
    await keepsReceiving(alice);
    expect(server.datagramChannels()).toBe(channelsBefore);
  });

  it('answers 404 to an id never handed out, on every route that names a connection', async () => {
    const guess = randomBytes(CONNECTION_ALIAS_BYTES).toString('base64url');
    expect(await signal(guess, 'close')).toBe(404);
    expect(await signal(guess, 'remote-description')).toBe(404);
    expect(await signal(guess, 'additional-candidates')).toBe(404);
    await keepsReceiving(alice);
  });

  it('answers a route that names the alias (the geckos client polls its candidates this way)', async () => {
    expect(await signal(alice.channel.id!, 'additional-candidates')).toBe(200);
  });
});

describe('closing a channel by its alias', () => {
  it('closes it (what the geckos client does on close), and the alias is forgotten', async () => {
    const bob = await joinWithChannel('bob');
    const alias = bob.channel.id!;
    const before = server.datagramChannels();
    expect(await signal(alias, 'close')).toBe(200);
    await waitFor(() => server.datagramChannels() === before - 1, "bob's channel to close", 10_000);
    expect(await signal(alias, 'additional-candidates')).toBe(404);
    bob.close();
  });
});
