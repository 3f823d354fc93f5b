// The server as a real process, as production runs it (the compiled server
// in dist-server/ with plain node, no tsx: npm start and the Docker image):
// configuration printed at start, HTTP endpoints on the game's port and on
// the ops listener, signaling limits, and a graceful shutdown on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_GOING_AWAY } from '../../protocol/constants.ts';
import { compiledServer } from './compiled-server.ts';
import { RawStream, waitFor } from './harness.ts';

let child: ChildProcess;
let output = '';
let url = '';
let opsUrl = '';
let exit: Promise<number | null>;

/** The start line the server logs, parsed. */
const startLine = () => JSON.parse(output.split('\n').find((l) => l.includes('listening'))!);

beforeAll(async () => {
  // Port 0: the OS picks a free port as the server binds it, so no other
  // process can take it in between (as it could if we probed one first).
  child = spawn(process.execPath, ['--enable-source-maps', compiledServer(), '--host', '127.0.0.1', '--npcs', '7'], {
    env: { ...process.env, PORT: '0', TICK_RATE: '50', SNAPSHOT_RATE: '25', LOG_LEVEL: 'info', VITEST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(() => output.includes('listening'), 'the server to start', 20_000);
  ({ url, opsUrl } = startLine());
});

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('the server process', () => {
  it('prints its configuration at start, flags and environment merged', () => {
    expect(startLine()).toMatchObject({ tickRate: 50, snapshotRate: 25, npcs: 7, host: '127.0.0.1', port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
  });

  it('prints its ops listener: on loopback, on a port of its own', () => {
    expect(startLine()).toMatchObject({ opsHost: '127.0.0.1', opsPort: 0 });
    expect(opsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(opsUrl).not.toMatch(/:0$/);
    expect(new URL(opsUrl).port).not.toBe(new URL(url).port);
  });

  it("answers /healthz on the game's port with its status only, and /metrics there with 404", async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('{"status":"ok"}');
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(404);
    expect(await metrics.text()).not.toContain('arena_');
  });

  it('serves only /healthz and /metrics on the ops listener', async () => {
    expect((await fetch(`${opsUrl}/rooms`)).status).toBe(404);
    expect((await fetch(`${opsUrl}/`)).status).toBe(404);
  });

  it('answers /healthz on the ops listener with status, players and each occupied room, whose tick advances', async () => {
    expect(await (await fetch(`${opsUrl}/healthz`)).json()).toMatchObject({ status: 'ok', players: 0, rooms: [] });
    // A room ticks only while someone is in it: join one, then watch its tick.
    const player = new RawStream(url);
    await player.opened();
    player.send(JSON.stringify({ type: 'hello', name: 'probe', room: 'probe-room' }));
    await player.next('welcome');
    const roomTick = async () => {
      const health = await (await fetch(`${opsUrl}/healthz`)).json();
      expect(health).toMatchObject({ players: 1, rooms: [{ name: 'probe-room', players: 1 }] });
      return health.rooms[0].tick as number;
    };
    const first = await roomTick();
    let later = first;
    for (let attempt = 0; attempt < 50 && later <= first; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      later = await roomTick();
    }
    expect(later).toBeGreaterThan(first);
    player.send(JSON.stringify({ type: 'leave' }));
    await waitFor(() => player.closed, 'the probe to leave');
  });

  it('serves Prometheus metrics at /metrics on the ops listener', async () => {
    const response = await fetch(`${opsUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      'arena_players',
      'arena_rooms',
      'arena_tick_duration_seconds_bucket',
      'arena_room_tick_duration_seconds',
      'arena_messages_in_total',
      'arena_drops_total',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('refuses a signaling body over the size limit before geckos reads it (413)', async () => {
    const response = await fetch(`${url}/.wrtc/v2/connections/abcdefghijklmnopqrstuvwx/remote-description`, {
      method: 'POST',
      body: 'x'.repeat(100_000),
    });
    expect(response.status).toBe(413);
  });

  it('on SIGTERM tells connected clients, closes their sockets (1001) and exits 0', async () => {
    const raw = new RawStream(url);
    await raw.opened();
    raw.send(JSON.stringify({ type: 'hello', name: 'witness' }));
    await raw.next('welcome');
    child.kill('SIGTERM');
    expect(await raw.next('shutdown')).toMatchObject({ reason: expect.any(String) });
    await waitFor(() => raw.closed, 'the socket to close');
    expect(raw.closed!.code).toBe(CLOSE_GOING_AWAY);
    expect(await exit).toBe(0);
    // Both listeners are closed.
    await expect(fetch(`${opsUrl}/healthz`)).rejects.toThrow();
  });
});
