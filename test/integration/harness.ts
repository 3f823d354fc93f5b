// Shared setup for integration tests: a real server on an ephemeral loopback
// port (with a scripted world when a test moves players), real clients over
// real ws and geckos sockets, raw sockets for what clients never send, and a
// polling wait.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { loadConfig } from '../../game-server/config.ts';
import type { ScenarioChoice } from '../../game-server/rooms/lobby.ts';
import { startServer, type RunningServer } from '../../game-server/server.ts';
import { NetClient, type NetClientOptions } from '../../game-client/net/net-client.ts';
import { installNodePolyfills } from '../../game-client/net/node-polyfills.ts';
import type { Snapshot } from '../../protocol/wire/snapshot.ts';
import type { GameEvent, ServerMessage, Welcome } from '../../protocol/wire/stream.ts';
import { ScriptedWorld } from '../scripted-world.ts';

installNodePolyfills();

/** A server on loopback, port 0, serving no client; `scenario` sets its worlds up (scripted-world.ts), in every room or room by room. */
export async function startTestServer(flags: string[] = [], scenario?: ScenarioChoice): Promise<RunningServer> {
  return startServer(loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'no-client-here', ...flags], {}), { scenario });
}

/** The setup most integration files share: a server with a scripted world, and two players with open data channels. */
export interface TwoPlayerArena {
  server: RunningServer;
  /** The server's scenario: `world.place(...)` moves a player at the next step, `world.coins` are where coins lie. */
  world: ScriptedWorld;
  alice: TestClient;
  bob: TestClient;
}

/** Starts a TwoPlayerArena; `options` go to each player's NetClient (e.g. its network seed). */
export async function startTwoPlayerArena(options: { alice?: Partial<NetClientOptions>; bob?: Partial<NetClientOptions> } = {}): Promise<TwoPlayerArena> {
  const world = new ScriptedWorld();
  const server = await startTestServer([], world);
  let alice: TestClient | undefined;
  try {
    alice = await connectClient(server.url, 'alice', options.alice);
    const bob = await connectClient(server.url, 'bob', options.bob);
    return { server, world, alice, bob };
  } catch (error) {
    await shutDown(server, alice); // afterAll never learns of this server
    throw error;
  }
}

/**
 * Closes the clients, lets the server hear of it, then closes the server,
 * as players leaving and then a server stopping would.
 */
export async function shutDown(server: RunningServer | undefined, ...clients: (TestClient | undefined)[]): Promise<void> {
  for (const client of clients) client?.net.close();
  await new Promise((resolve) => setTimeout(resolve, CLIENT_SETTLE_MS));
  await server?.close();
}

const CLIENT_SETTLE_MS = 500;

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(check: () => T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface TestClient {
  net: NetClient;
  welcomes: Welcome[];
  events: GameEvent[];
  replayed: GameEvent[];
  errors: string[];
  snapshots: { snapshot: Snapshot; via: 'datagram' | 'stream' }[];
  /** Newest snapshot position of this client's own player. */
  ownPosition(): { x: number; y: number } | undefined;
}

/** A full client (stream + datagram) that has its welcome and an open data channel. */
export async function connectClient(url: string, name: string, options: Partial<NetClientOptions> = {}): Promise<TestClient> {
  const client: TestClient = {
    net: null!,
    welcomes: [],
    events: [],
    replayed: [],
    errors: [],
    snapshots: [],
    ownPosition() {
      const last = client.snapshots.at(-1)?.snapshot;
      return last?.entities.find((e) => e.id === client.net.playerId);
    },
  };
  client.net = new NetClient(
    { url, name, ...options },
    {
      onWelcome: (welcome) => client.welcomes.push(welcome),
      onEvent: (event, replayed) => (replayed ? client.replayed : client.events).push(event),
      onServerError: (error) => client.errors.push(error.code),
      onSnapshot: (snapshot, via) => {
        client.snapshots.push({ snapshot, via });
        if (client.snapshots.length > 2000) client.snapshots.splice(0, 1000);
      },
    },
  );
  await client.net.start();
  if (options.useDatagram !== false) await waitFor(() => client.net.datagramState === 'open', `${name}'s data channel`);
  return client;
}

/** A bare ws socket for sending what a well-behaved client never would. */
export class RawStream {
  readonly messages: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly socket: WebSocket;
  private pingsSent = 0;

  /** `from`: a loopback source address (127.0.0.2, …) to stand for another client machine. */
  constructor(url: string, from?: string) {
    this.socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, from ? { localAddress: from } : {});
    this.socket.on('error', () => {});
    this.socket.on('message', (data, isBinary) => {
      if (!isBinary) this.messages.push(JSON.parse(data.toString()) as ServerMessage);
    });
    this.socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState === WebSocket.OPEN) return resolve();
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Sends a game ping; resolves with the milliseconds until its pong (which crosses the player's simulated network). */
  async roundTripMs(timeoutMs = 10_000): Promise<number> {
    const id = ++this.pingsSent;
    const sentAtMs = performance.now();
    this.send(JSON.stringify({ type: 'ping', id, clientTimeMs: Math.round(sentAtMs) }));
    await waitFor(() => this.messages.some((m) => m.type === 'pong' && m.id === id), `pong ${id}`, timeoutMs);
    return performance.now() - sentAtMs;
  }

  /** Waits for the next message of `type` after the first `skip` of them. */
  async next<T extends ServerMessage['type']>(type: T, skip = 0): Promise<Extract<ServerMessage, { type: T }>> {
    return waitFor(() => this.messages.filter((m) => m.type === type)[skip] as Extract<ServerMessage, { type: T }> | undefined, `a ${type} message`);
  }
}

/** A raw socket that has said hello as `name` (in `room`, or by quick play) and got its welcome. */
export async function joinRaw(url: string, name: string, room?: string, from?: string): Promise<RawStream> {
  const raw = new RawStream(url, from);
  await raw.opened();
  raw.send(JSON.stringify({ type: 'hello', name, ...(room !== undefined ? { room } : {}) }));
  await raw.next('welcome');
  return raw;
}

/** Retries an (async) assertion until it passes; rethrows its last failure after `timeoutMs`. */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
