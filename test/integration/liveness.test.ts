// Liveness is judged on the real transport (WebSocket protocol pings that the
// client's WebSocket stack answers), not on game messages that pass through
// the player's simulated network. So a vanished client leaves within the
// documented 2–7 s whatever preset it chose, and a live client under the
// harshest simulated network is never cut.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { CLOSE_HEARTBEAT_TIMEOUT, CONDITION_LIMITS, HEARTBEAT_TIMEOUT_MS } from '../../protocol/constants.ts';
import { connectClient, RawStream, shutDown, startTestServer, waitFor, type TestClient } from './harness.ts';

/** The documented bound: a vanished client is out of the arena within this. */
const GONE_WITHIN_MS = 7_000;

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

/** Starts a preset client in its own process and waits for its player id. */
async function presetClient(name: string, preset: string): Promise<{ child: ChildProcess; playerId: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/fixtures/preset-client.ts', server.url, name, preset], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  const match = await waitFor(() => /ready (\d+)/.exec(output), `${name} to join`, 15_000);
  return { child, playerId: Number(match[1]) };
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

  it('never cuts a live client under the harshest simulated network', async () => {
    const harsh = await connectClient(server.url, 'harsh', { useDatagram: false });
    harsh.net.setConditions({
      lossPct: CONDITION_LIMITS.lossPct,
      latencyMs: CONDITION_LIMITS.latencyMs,
      jitterMs: CONDITION_LIMITS.jitterMs,
      duplicatePct: 0,
    });
    const { playerId } = harsh.net;
    // Well past the heartbeat timeout: its game messages crawl, its WebSocket still answers pings.
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_TIMEOUT_MS + 3_000));
    expect(leftAt(playerId)()).toBeUndefined();
    expect(server.lobby.playerCount).toBeGreaterThanOrEqual(2);
    harsh.net.close();
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
