// Wires one game server together: HTTP front, stream gateway (ws), datagram
// gateway (geckos), metrics and health on the ops listener, the lobby of
// rooms, and (with a Redis URL) the room directory shared with other server
// processes. main.ts calls it with the parsed config; tests call it with port 0.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import {
  DATAGRAM_NETWORK_SEED_FACTOR,
  DIRECTORY_HEARTBEAT_MS,
  DIRECTORY_TTL_MS,
  SEAT_RESERVATION_MS,
  SHUTDOWN_FLUSH_MS,
  STREAM_NETWORK_SEED_FACTOR,
} from '../protocol/constants.ts';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createDatagramGateway } from './transport/datagram-gateway.ts';
import { Lobby, type ScenarioChoice } from './rooms/lobby.ts';
import { createRequestHandler, DEFAULT_HTTP_TIMEOUTS, httpServerOptions, type HttpTimeouts } from './http/request-handler.ts';
import { localUrl } from './local-url.ts';
import { createOpsRequestHandler } from './ops/ops-http.ts';
import type { Listener } from './preflight.ts';
import { Matchmaker } from './cluster/matchmaker.ts';
import { RoomDirectory } from './cluster/room-directory.ts';
import { createMetrics } from './ops/metrics.ts';
import type { ServerConfig } from './config.ts';
import { attachStreamGateway } from './transport/stream-gateway.ts';
import type { ConnectionEvents } from './transport/connection-events.ts';

export interface RunningServer {
  /** http://host:port, with the real port when 0 was asked for. */
  url: string;
  port: number;
  /** The ops listener's http://host:port: /metrics and the detailed /healthz. */
  opsUrl: string;
  lobby: Lobby;
  /** This process's name in the room directory. */
  serverId: string;
  /** The room directory, when a Redis URL was configured. */
  directory: RoomDirectory | null;
  metrics: ReturnType<typeof createMetrics>;
  /** The server's clock, in ms since it started: what snapshots and pongs carry. */
  clock(): number;
  streamConnections(): number;
  datagramChannels(): number;
  /** Tells clients, closes every socket and channel, stops the loop. */
  close(): Promise<void>;
}

/** What a server is told besides its config: `kernelLossPct` is the real loss a lab applies to its ports (told to players). */
export interface ServerExtras {
  kernelLossPct?: number;
  /** Replaces some of the HTTP deadlines (DEFAULT_HTTP_TIMEOUTS); tests use short ones. */
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Sets the worlds up on purpose (scenario.ts): how tests place players and coins, in every room or room by room. Without it, the seed's random worlds. */
  scenario?: ScenarioChoice;
  /** Told each step of every connection's life, on both channels (transport/connection-events.ts); nobody by default. */
  connectionEvents?: ConnectionEvents;
}

export async function startServer(config: ServerConfig, extras: ServerExtras = {}): Promise<RunningServer> {
  const startedAt = performance.now();
  const clock = () => performance.now() - startedAt;
  const metrics = createMetrics();
  // At most 64 characters, as a --server-id must be: a long host name is cut.
  const serverId =
    config.serverId ??
    `${hostname()
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 40)}-${process.pid}-${randomBytes(2).toString('hex')}`;
  /** Where other servers send players to reach us: known once we listen (port 0 picks it then). */
  let publicUrl = config.publicUrl ?? '';
  const lobby: Lobby = new Lobby({
    roomCapacity: config.roomCapacity,
    maxRooms: config.maxRooms,
    maxSeatsPerAddress: config.maxSeatsPerAddress,
    maxRoomsPerAddress: config.maxRoomsPerAddress,
    roomIdleMs: config.roomIdleMs,
    tickRateHz: config.tickRate,
    snapshotRateHz: config.snapshotRate,
    npcCount: config.npcs,
    seed: config.seed,
    metrics,
    clock,
    ...(extras.kernelLossPct ? { kernelLossPct: extras.kernelLossPct } : {}),
    ...(extras.scenario ? { scenario: extras.scenario } : {}),
    onRoomDisposed: (name) => {
      matchmaker.roomDisposed(name);
      void directory?.release(name).catch(() => {});
    },
  });
  const directory = config.redisUrl
    ? new RoomDirectory(
        config.redisUrl,
        {
          self: () => ({ id: serverId, url: publicUrl, players: lobby.playerCount, rooms: lobby.roomCount }),
          rooms: () => lobby.list().rooms,
          holdings: () => lobby.holdings(),
          claimLost: (name, owner) => matchmaker.claimLost(name, owner),
        },
        { ttlMs: DIRECTORY_TTL_MS, heartbeatMs: DIRECTORY_HEARTBEAT_MS, seatReservationMs: SEAT_RESERVATION_MS },
      )
    : null;
  const matchmaker: Matchmaker = new Matchmaker(lobby, directory, serverId, clock);
  const datagram = createDatagramGateway(matchmaker, metrics, clock, {
    ...(extras.connectionEvents ? { connectionEvents: extras.connectionEvents } : {}),
    seed: config.seed * DATAGRAM_NETWORK_SEED_FACTOR,
    ...(config.rtcPortMin !== undefined ? { portRange: { min: config.rtcPortMin, max: config.rtcPortMax! } } : {}),
    ...(config.rtcBind ? { bindAddress: config.rtcBind } : {}),
  });
  const httpServer = createServer(
    httpServerOptions({ ...DEFAULT_HTTP_TIMEOUTS, ...extras.httpTimeouts }),
    createRequestHandler({
      staticDir: config.staticDir,
      ...(config.publicIp ? { publicIp: config.publicIp } : {}),
      signaling: datagram.handleSignaling,
      refused: (reason) => metrics.dropped('datagram', 'in', reason),
      rooms: async () => ({ ...lobby.list(), rooms: await matchmaker.rooms() }),
    }),
  );
  const opsServer = createServer(
    httpServerOptions({ ...DEFAULT_HTTP_TIMEOUTS, ...extras.httpTimeouts }),
    createOpsRequestHandler({
      health: () => ({
        status: 'ok',
        players: lobby.playerCount,
        // Rooms with players in them; empty ones wait in /rooms until disposed.
        rooms: lobby.health(),
        // Without Redis a lone server; with it, whether the shared room directory is reachable now.
        directory: directory ? (directory.connected ? 'connected' : 'unreachable') : 'none',
        // How long since Redis last answered a command: a hung Redis keeps its socket open, so this is the figure to watch.
        ...(directory ? { directoryLastAnswerMsAgo: directory.msSinceLastSuccess } : {}),
        serverId,
        uptimeS: Math.round(clock() / 1000),
        streamConnections: stream.connectionCount,
        datagramChannels: datagram.channelCount,
      }),
      metrics: async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    }),
  );
  const stream = attachStreamGateway(httpServer, matchmaker, metrics, clock, {
    seed: config.seed * STREAM_NETWORK_SEED_FACTOR,
    tickRateHz: config.tickRate,
    allowedOrigins: config.allowedOrigins,
    clusterOrigins,
    ...(extras.connectionEvents ? { connectionEvents: extras.connectionEvents } : {}),
  });

  /**
   * Origins of the cluster's servers, whose pages may be sent here by a
   * redirect: this server's own PUBLIC_URL (a page behind a proxy whose Host
   * differs) and every server registered in the room directory (as of its
   * last heartbeat).
   */
  function clusterOrigins(): Iterable<string> {
    return [...(publicUrl ? [publicUrl] : []), ...(directory?.clusterOrigins() ?? [])];
  }

  await listen(httpServer, config.port, config.host, 'game');
  await listen(opsServer, config.opsPort, config.opsHost, 'ops').catch((error: unknown) => {
    httpServer.close();
    throw error;
  });
  lobby.start();
  const port = (httpServer.address() as AddressInfo).port;
  const opsPort = (opsServer.address() as AddressInfo).port;
  publicUrl ||= localUrl(config.host, port);
  await directory?.start();
  matchmaker.start();

  let closing: Promise<void> | null = null;
  return {
    url: localUrl(config.host, port),
    port,
    opsUrl: localUrl(config.opsHost, opsPort),
    lobby,
    serverId,
    directory,
    metrics,
    clock,
    streamConnections: () => stream.connectionCount,
    datagramChannels: () => datagram.channelCount,
    close() {
      closing ??= (async () => {
        // No new stream first: a page that reconnects during the goodbye's flush must find the door shut, not a welcome.
        stream.stopAdmitting();
        matchmaker.stop();
        await directory?.stop();
        lobby.shutdown();
        await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS));
        stream.close();
        await datagram.close();
        for (const server of [httpServer, opsServer]) server.closeAllConnections();
        await Promise.all([httpServer, opsServer].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      })();
      return closing;
    },
  };
}

/** Listens on host:port; a failure carries the listener's name, so the start's one line names the right flag (preflight.ts). */
function listen(server: Server, port: number, host: string, listener: Listener): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(Object.assign(error, { listener })));
    server.listen(port, host, () => resolve());
  });
}
