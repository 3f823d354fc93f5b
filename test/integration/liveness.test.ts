// Liveness is judged on the real transport (WebSocket protocol pings that the
// client's WebSocket stack answers; for the data channel, its peer
// connection's state once the player's simulated loss could explain a
// silence), not on game messages that pass through the player's simulated
// network. So a vanished client leaves within the documented 2–7 s whatever
// preset it chose, and a live client under the harshest simulated network is
// never cut, nor its data channel closed.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInputLoop } from '../../game-client/net/input-loop.ts';
import type { RunningServer } from '../../game-server/server.ts';
import { CLOSE_HEARTBEAT_TIMEOUT, CONDITION_LIMITS, DROP_SIMULATED_LOSS, HEARTBEAT_TIMEOUT_MS, INPUT_AXIS_MAX } from '../../protocol/constants.ts';
import type { NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import { connectClient, eventually, RawStream, shutDown, startTestServer, waitFor, type TestClient } from './harness.ts';

/** The documented bound: a vanished client is out of the arena within this. */
const GONE_WITHIN_MS = 7_000;
/** The worst network the server accepts (clampConditions): most loss, latency and jitter; duplicates would only help. */
const HARSHEST: NetworkConditions = {
  lossPct: CONDITION_LIMITS.lossPct,
  latencyMs: CONDITION_LIMITS.latencyMs,
  jitterMs: CONDITION_LIMITS.jitterMs,
  duplicatePct: 0,
};
/** How long the WebRTC clients play under HARSHEST: several heartbeat timeouts. */
const HARSH_PLAY_MS = 12_000;

let server: RunningServer;
let watcher: TestClient;
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startTestServer();
  watcher = await connectClient(server.url, 'watcher', { useDatagram: false });
});

afterAll(async () => {
  for (const child of children) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await shutDown(server, watcher);
});

/** Starts a preset client (`datagram`: with its WebRTC data channel open) in its own process and waits for its player id. */
async function presetClient(name: string, preset: string, datagram = false): Promise<{ child: ChildProcess; playerId: number }> {
  const args = ['--import', 'tsx', 'test/integration/fixtures/preset-client.ts', server.url, name, preset, ...(datagram ? ['datagram'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  const match = await waitFor(() => /ready (\d+)/.exec(output), `${name} to join`, 15_000);
  return { child, playerId: Number(match[1]) };
}

/** The server's arena_webrtc_peer_connections gauge: every native peer connection geckos holds. */
async function peerConnections(): Promise<number> {
  return (await server.metrics.registry.getSingleMetric('arena_webrtc_peer_connections')!.get()).values[0]!.value;
}

const leftAt = (playerId: number) => () => watcher.events.find((e) => e.type === 'leave' && e.playerId === playerId);

describe('liveness on the real transport', () => {
  for (const [index, preset] of ['4G', 'bad mobile'].entries()) {
    it(`removes a frozen client (SIGSTOP) that chose "${preset}" within ${GONE_WITHIN_MS / 1000} s`, async () => {
      const { child, playerId } = await presetClient(`frozen-${index}`, preset);
      await new Promise((resolve) => setTimeout(resolve, 500)); // its settings reach the server
      const frozenAt = Date.now();
      child.kill('SIGSTOP');
      await waitFor(leftAt(playerId), 'the frozen client to leave', GONE_WITHIN_MS + 2_000);
      const tookMs = Date.now() - frozenAt;
      console.log(`frozen "${preset}" client left after ${tookMs} ms`);
      expect(tookMs).toBeLessThan(GONE_WITHIN_MS);
      child.kill('SIGKILL');
    });
  }

  it(`removes a frozen WebRTC client that chose the harshest network, and closes its data channel, within ${GONE_WITHIN_MS / 1000} s`, async () => {
    // Under simulated loss the datagram heartbeat trusts the peer connection
    // (ConditionedDatagramLink.silenceIsSimulated, conditioned-links.ts), which a frozen peer keeps "connected" for a while:
    // the channel must still go with the player, whom the stream's liveness removes.
    const channelsBefore = server.datagramChannels();
    const connectionsBefore = await peerConnections();
    const lostBefore = await server.metrics.dropCount('datagram', 'out', DROP_SIMULATED_LOSS);
    const { child, playerId } = await presetClient('frozen-rtc', 'harshest', true);
    expect(server.datagramChannels()).toBe(channelsBefore + 1);
    expect(await peerConnections()).toBe(connectionsBefore + 1);
    // Its settings reached the server: it is losing what it sends this client (the only lossy channel here).
    await eventually(async () => expect(await server.metrics.dropCount('datagram', 'out', DROP_SIMULATED_LOSS)).toBeGreaterThan(lostBefore + 5));
    const frozenAt = Date.now();
    child.kill('SIGSTOP');
    await waitFor(leftAt(playerId), 'the frozen WebRTC client to leave', GONE_WITHIN_MS + 2_000);
    const leftAfterMs = Date.now() - frozenAt;
    await waitFor(() => server.datagramChannels() === channelsBefore, 'its data channel to close', GONE_WITHIN_MS + 2_000);
    const closedAfterMs = Date.now() - frozenAt;
    console.log(`frozen WebRTC "harshest" client left after ${leftAfterMs} ms, its data channel closed after ${closedAfterMs} ms`);
    expect(leftAfterMs).toBeLessThan(GONE_WITHIN_MS);
    expect(closedAfterMs).toBeLessThan(GONE_WITHIN_MS);
    // Its native peer connection went with it.
    await eventually(async () => expect(await peerConnections()).toBe(connectionsBefore));
    child.kill('SIGKILL');
  });

  it('never cuts a live client under the harshest simulated network', async () => {
    const harsh = await connectClient(server.url, 'harsh', { useDatagram: false });
    harsh.net.setConditions(HARSHEST);
    const { playerId } = harsh.net;
    // Well past the heartbeat timeout: its game messages crawl, its WebSocket still answers pings.
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_TIMEOUT_MS + 3_000));
    expect(leftAt(playerId)()).toBeUndefined();
    expect(server.lobby.playerCount).toBeGreaterThanOrEqual(2);
    harsh.net.close();
  });

  it('keeps live WebRTC clients, their streams and their data channels under the harshest simulated network', async () => {
    // One plays as the game and the bot do, an input every tick on the data
    // channel from its welcome on. The other has nothing to send but its
    // pings, once a second (a client that only watches).
    const player = await connectClient(server.url, 'harsh-rtc');
    const idle = await connectClient(server.url, 'harsh-rtc-idle');
    const clients = [player, idle];
    const timeoutsBefore = await server.metrics.datagramHeartbeatTimeouts();
    const moves = [
      { moveX: INPUT_AXIS_MAX, moveY: 0 },
      { moveX: -INPUT_AXIS_MAX, moveY: 0 },
    ];
    let ticks = 0;
    // Back and forth (a second each way), so the player never rests against a wall.
    const stopInputs = startInputLoop(player.net.config!.tickRateHz, () => player.net.inputs.send(moves[Math.floor(ticks++ / 60) % 2]!));
    const cuts: string[] = [];
    const watch = setInterval(() => {
      for (const { net } of clients) {
        if (net.streamState !== 'open') cuts.push(`${net.name}: stream ${net.streamState}`);
        if (net.datagramState !== 'open') cuts.push(`${net.name}: data channel ${net.datagramState} (${net.datagramNote})`);
      }
    }, 20);
    let ackBefore = 0;
    try {
      for (const client of clients) {
        client.net.setConditions(HARSHEST);
        client.net.resetStats();
      }
      // Both ends apply it: each client sees the server lose most of what it sends.
      for (const client of clients) {
        await waitFor(() => {
          const datagram = client.net.channelStatus('datagram');
          return datagram.received >= 3 && datagram.lossPct >= 50;
        }, `${client.net.name} to see the server's simulated loss`);
      }
      ackBefore = player.snapshots.at(-1)?.snapshot.ackInputSeq ?? 0;
      await new Promise((resolve) => setTimeout(resolve, HARSH_PLAY_MS)); // the deliberate span: they just play
    } finally {
      stopInputs();
      clearInterval(watch);
    }

    try {
      // The server's datagram heartbeat closed no channel; and nothing was cut at either end:
      // no data channel closed, no stream closed (a reconnect would also bring a second welcome).
      expect(await server.metrics.datagramHeartbeatTimeouts()).toBe(timeoutsBefore);
      expect([...new Set(cuts)]).toEqual([]);
      for (const client of clients) expect(client.welcomes).toHaveLength(1);
      // The player kept playing: the server applied its inputs, through 90 % loss each way.
      expect(player.snapshots.at(-1)!.snapshot.ackInputSeq).toBeGreaterThan(ackBefore);
      // Both keep their seats: they never left, and an observer still sees them in the arena.
      const ids = clients.map((c) => c.net.playerId);
      for (const id of ids) expect(leftAt(id)()).toBeUndefined();
      const from = watcher.snapshots.length;
      await waitFor(
        () => watcher.snapshots.slice(from).some(({ snapshot }) => ids.every((id) => snapshot.entities.some((e) => e.id === id))),
        'the watcher to see both harsh clients',
      );
    } finally {
      for (const client of clients) client.net.close();
    }
  });

  it('closes a socket that stops answering with 4000 (heartbeat timeout)', async () => {
    const raw = new RawStream(server.url);
    await raw.opened();
    raw.send(JSON.stringify({ type: 'hello', name: 'paused' }));
    const { playerId } = await raw.next('welcome');
    raw.socket.pause(); // reads nothing more, so answers no ping: a frozen process
    await waitFor(leftAt(playerId), 'the paused client to leave', GONE_WITHIN_MS + 2_000);
    raw.socket.resume(); // now it reads what was sent: the close frame, then the end
    await waitFor(() => raw.closed, 'the close');
    expect(raw.closed!.code).toBe(CLOSE_HEARTBEAT_TIMEOUT);
  });
});
