// The datagram channel over real geckos.io / WebRTC (node-datachannel on both
// ends): who may bind a channel, snapshots down, inputs up, and bad datagrams.
import geckos, { type ClientChannel } from '@geckos.io/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeckosTransport } from '../../game-client/net/geckos/geckos-transport.ts';
import { nodeChannelsAwaitingClose } from '../../game-client/net/geckos/node-webrtc.ts';
import { startInputLoop } from '../../game-client/net/input-loop.ts';
import { NetClient } from '../../game-client/net/net-client.ts';
import type { RunningServer } from '../../game-server/server.ts';
import { DROP_NOT_BINARY, DROP_TOO_LONG, DROP_TOO_SHORT, DROP_UNKNOWN_TYPE, INPUT_AXIS_MAX, PLAYER_SPEED_PX_PER_S } from '../../protocol/constants.ts';
import type { ScriptedWorld } from '../scripted-world.ts';
import { connectClient, shutDown, eventually, RawStream, startTwoPlayerArena, waitFor, type TestClient } from './harness.ts';

let server: RunningServer;
let world: ScriptedWorld;
let alice: TestClient;
let bob: TestClient;

beforeAll(async () => ({ server, world, alice, bob } = await startTwoPlayerArena()));

afterAll(() => shutDown(server, alice, bob));

/** Tries to open a data channel with `token`; resolves 'open' or the failure reason. */
function tryDatagram(token: string): Promise<{ result: string; connection: GeckosTransport }> {
  return new Promise((resolve) => {
    const connection: GeckosTransport = new GeckosTransport(server.url, token, {
      onOpen: () => resolve({ result: 'open', connection }),
      onData: () => {},
      onClose: (error) => resolve({ result: error ?? 'closed', connection }),
    });
  });
}

/** A fresh welcome (with an unused datagram token) from a raw stream socket. */
async function freshWelcome(name: string) {
  const raw = new RawStream(server.url);
  await raw.opened();
  raw.send(JSON.stringify({ type: 'hello', name }));
  return { raw, welcome: await raw.next('welcome') };
}

/**
 * Holds full right for `ticks` inputs, numbered from `firstSeq + 1`, through
 * the client's own input loop and redundancy window (the browser's and the
 * bot's); returns the last sequence number.
 */
async function holdRight(client: TestClient, ticks: number, firstSeq: number): Promise<number> {
  const right = { moveX: INPUT_AXIS_MAX, moveY: 0 };
  client.net.inputs.rejoin({ resumed: false, inputSeq: firstSeq }); // a fresh count: the next input is firstSeq + 1
  let lastSeq = firstSeq;
  await new Promise<void>((done) => {
    let sent = 0;
    const stop = startInputLoop(client.net.config!.tickRateHz, () => {
      if (sent === ticks) return; // the rest of a catch-up that came after the last one
      lastSeq = client.net.inputs.send(right);
      if (++sent === ticks) {
        stop();
        done();
      }
    });
  });
  return lastSeq;
}

describe('authorization', () => {
  it('refuses a data channel without a token (401)', async () => {
    expect((await tryDatagram('')).result).toBe('status 401');
  });

  it('refuses a data channel with a wrong token (401)', async () => {
    expect((await tryDatagram('not-a-token-that-was-ever-issued')).result).toBe('status 401');
  });

  it('refuses a second channel with a token already used (401)', async () => {
    const { raw, welcome } = await freshWelcome('once');
    const first = await tryDatagram(welcome.datagramToken);
    expect(first.result).toBe('open');
    expect((await tryDatagram(welcome.datagramToken)).result).toBe('status 401');
    first.connection.close();
    raw.socket.close();
  });

  it('counts refused authorizations in the metrics', async () => {
    expect(await server.metrics.dropCount('datagram', 'in', 'auth-unknown')).toBeGreaterThanOrEqual(2);
    expect(await server.metrics.dropCount('datagram', 'in', 'auth-missing')).toBeGreaterThanOrEqual(1);
  });
});

describe('snapshots and inputs', () => {
  it('delivers snapshots over the datagram channel with every entity', async () => {
    const from = alice.snapshots.length;
    await waitFor(() => alice.snapshots.length > from + 10, 'ten snapshots');
    const recent = alice.snapshots.slice(from);
    expect(recent.every((s) => s.via === 'datagram')).toBe(true);
    const ids = recent.at(-1)!.snapshot.entities.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining([alice.net.playerId, bob.net.playerId]));
    expect(recent.at(-1)!.snapshot.entities.filter((e) => e.kind === 1)).toHaveLength(4); // NPCs
  });

  it('moves the player by its inputs, and acknowledges them', async () => {
    const start = alice.ownPosition()!;
    // Stand clear of the right wall so the move is not clamped.
    world.place(alice.net.playerId, { x: 300, y: start.y });
    await waitFor(() => Math.abs(alice.ownPosition()!.x - 300) < 0.1, 'the placed position to arrive');
    const lastSeq = await holdRight(alice, 30, 0);
    await waitFor(() => alice.snapshots.at(-1)!.snapshot.ackInputSeq === lastSeq, 'every input to be acknowledged');
    const moved = alice.ownPosition()!.x - 300;
    expect(moved).toBeCloseTo((PLAYER_SPEED_PX_PER_S * 30) / 60, 0); // exactly 30 steps, none lost or doubled
  });

  it('never moves another player: inputs belong to the channel that sent them', async () => {
    const bobBefore = bob.ownPosition()!;
    await holdRight(alice, 20, 1000);
    await waitFor(() => alice.snapshots.at(-1)!.snapshot.ackInputSeq === 1020, 'alice inputs applied');
    const bobAfter = alice.snapshots.at(-1)!.snapshot.entities.find((e) => e.id === bob.net.playerId)!;
    expect(bobAfter.x).toBeCloseTo(bobBefore.x, 1);
    expect(bobAfter.y).toBeCloseTo(bobBefore.y, 1);
  });
});

describe('bad datagrams', () => {
  let channel: ClientChannel;
  let raw: RawStream;

  beforeAll(async () => {
    const fresh = await freshWelcome('noisy');
    raw = fresh.raw;
    const url = new URL(server.url);
    channel = geckos({ url: `http://${url.hostname}`, port: Number(url.port), authorization: fresh.welcome.datagramToken });
    await new Promise<void>((resolve, reject) => channel.onConnect((error) => (error ? reject(error) : resolve())));
    // The channel is usable once the server's first snapshot comes through.
    await new Promise<void>((resolve) => channel.onRaw(() => resolve()));
  });

  afterAll(() => {
    channel?.close();
    raw?.socket.close();
  });

  it('drops and counts malformed datagrams by reason, and keeps serving everyone', async () => {
    const dropped = async (reason: string) => server.metrics.dropCount('datagram', 'in', reason);
    const before = {
      short: await dropped(DROP_TOO_SHORT),
      type: await dropped(DROP_UNKNOWN_TYPE),
      text: await dropped(DROP_NOT_BINARY),
      long: await dropped(DROP_TOO_LONG),
    };
    channel.raw.emit(new Uint8Array([1, 0, 0])); // an input packet cut short
    channel.raw.emit(new Uint8Array([99, 1, 2, 3])); // no such type
    channel.raw.emit(new Uint8Array(500)); // far over the largest input packet
    channel.raw.emit('null'); // geckos' own parser would throw on this one
    channel.raw.emit('hello');
    await eventually(async () => {
      expect(await dropped(DROP_TOO_SHORT)).toBe(before.short + 1);
      expect(await dropped(DROP_UNKNOWN_TYPE)).toBe(before.type + 1);
      expect(await dropped(DROP_TOO_LONG)).toBe(before.long + 1);
      expect(await dropped(DROP_NOT_BINARY)).toBe(before.text + 2);
    });

    // The server is alive and everyone else still plays.
    const from = alice.snapshots.length;
    await waitFor(() => alice.snapshots.length > from + 5, 'alice to keep receiving snapshots');
    const seq = await holdRight(bob, 6, 5000); // an even count: inputs go out two a packet
    await waitFor(() => bob.snapshots.at(-1)!.snapshot.ackInputSeq === seq, "bob's inputs to be applied");
  });

  it('closes a data channel that goes silent past the heartbeat timeout', async () => {
    const before = server.datagramChannels();
    // This channel never sent a valid datagram after the junk above, nor pings.
    await waitFor(() => server.datagramChannels() < before, 'the silent channel to be closed', 10_000);
  });
});

describe('cleanup', () => {
  it('forgets a data channel when its client closes', async () => {
    const carol = await connectClient(server.url, 'carol');
    const before = server.datagramChannels();
    const awaitingClose = nodeChannelsAwaitingClose();
    carol.net.close();
    await waitFor(() => server.datagramChannels() === before - 1, 'the channel to be forgotten', 10_000);
    // Both ends' native channels delivered their close: nothing is left for node-datachannel's exit to trip on.
    await waitFor(() => nodeChannelsAwaitingClose() === awaitingClose - 1, "carol's native channel to deliver its close", 10_000);
  });
});

describe('delta snapshots', () => {
  it('switches to deltas once the client acknowledges, and every delta rebuilds the exact state of its tick', async () => {
    // In compare mode the same tick reaches alice twice: a delta on the
    // datagram channel and a full snapshot on the stream.
    alice.net.setPath('compare');
    const fullByTick = new Map<number, string>();
    const deltaByTick = new Map<number, string>();
    const fingerprint = (entities: { id: number; kind: number; x: number; y: number }[]) =>
      JSON.stringify([...entities].sort((a, b) => a.id - b.id).map((e) => [e.id, e.kind, e.x, e.y]));
    const before = alice.net.channelStatus('datagram').deltaSnapshots;
    const from = alice.snapshots.length;
    await holdRight(alice, 90, 10_000); // inputs carry the acknowledgements

    for (const { snapshot, via } of alice.snapshots.slice(from)) {
      (via === 'stream' ? fullByTick : deltaByTick).set(snapshot.tick, fingerprint(snapshot.entities));
    }
    const status = alice.net.channelStatus('datagram');
    expect(status.deltaSnapshots - before).toBeGreaterThan(20);
    expect(status.baselineMisses).toBe(0);
    const common = [...deltaByTick.keys()].filter((tick) => fullByTick.has(tick));
    expect(common.length).toBeGreaterThan(20);
    for (const tick of common) expect(deltaByTick.get(tick), `tick ${tick}`).toBe(fullByTick.get(tick));
    expect(await server.metrics.registry.getSingleMetricAsString('arena_datagram_snapshots_total')).toMatch(/encoding="delta"} [1-9]/);
    alice.net.setPath('datagram');
  });
});

describe('the WebRTC handshake', () => {
  /** Starts a handshake with a fresh token and never finishes it: the geckos connection id. */
  async function abandonedHandshake(): Promise<{ id: string; raw: RawStream }> {
    const { raw, welcome } = await freshWelcome('half-open');
    const response = await fetch(`${server.url}/.wrtc/v2/connections`, {
      method: 'POST',
      headers: { authorization: welcome.datagramToken, 'content-type': 'application/json' },
      body: '',
    });
    expect(response.status).toBe(200);
    return { id: ((await response.json()) as { id: string }).id, raw };
  }

  it('refuses a remote description without an sdp and keeps running (geckos would answer twice and throw)', async () => {
    const { id, raw } = await abandonedHandshake();
    const response = await fetch(`${server.url}/.wrtc/v2/connections/${id}/remote-description`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(((await (await fetch(`${server.url}/healthz`)).json()) as { status: string }).status).toBe('ok');
    raw.socket.close();
  });

  it('closes a handshake that never completes, so native connections cannot pile up', async () => {
    const before = await server.metrics.dropCount('datagram', 'in', 'abandoned-handshake');
    const { raw } = await abandonedHandshake();
    await eventually(async () => {
      expect(await server.metrics.dropCount('datagram', 'in', 'abandoned-handshake')).toBeGreaterThan(before);
    }, 12_000);
    raw.socket.close();
  });
});

describe('a client that chose the stream for positions', () => {
  it('still gets a working data channel (the server opens it with a full snapshot)', async () => {
    const net = new NetClient({ url: server.url, name: 'streamer' });
    await net.start();
    net.setPath('stream');
    await waitFor(() => net.datagramState === 'open', 'the data channel', 10_000);
    net.close();
  });
});
