// Wires one game server together: HTTP front, stream gateway (ws), datagram
// gateway (geckos), metrics and the lobby of rooms. main.ts calls it with the
// parsed config; tests call it with port 0.
import { createServer } from 'node:http';
import { DATAGRAM_NETWORK_SEED_FACTOR, SHUTDOWN_FLUSH_MS, STREAM_NETWORK_SEED_FACTOR } from '../protocol/constants.ts';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createDatagramGateway } from './datagram-gateway.ts';
import { Lobby, type ScenarioChoice } from './lobby.ts';
import { createRequestHandler, DEFAULT_HTTP_TIMEOUTS, httpServerOptions, type HttpTimeouts } from './http.ts';
import { localUrl } from './local-url.ts';
import { createMetrics } from './metrics.ts';
import type { ServerConfig } from './config.ts';
import { attachStreamGateway } from './stream-gateway.ts';

export interface RunningServer {
  /** http://host:port, with the real port when 0 was asked for. */
  url: string;
  port: number;
  lobby: Lobby;
  metrics: ReturnType<typeof createMetrics>;
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
}

export async function startServer(config: ServerConfig, extras: ServerExtras = {}): Promise<RunningServer> {
  const startedAt = performance.now();
  const clock = () => performance.now() - startedAt;
  const metrics = createMetrics();
  const lobby = new Lobby({
    roomCapacity: config.roomCapacity,
    maxRooms: config.maxRooms,
    roomIdleMs: config.roomIdleMs,
    tickRateHz: config.tickRate,
    snapshotRateHz: config.snapshotRate,
    npcCount: config.npcs,
    seed: config.seed,
    metrics,
    clock,
    ...(extras.kernelLossPct ? { kernelLossPct: extras.kernelLossPct } : {}),
    ...(extras.scenario ? { scenario: extras.scenario } : {}),
  });
  const datagram = createDatagramGateway(lobby, metrics, clock, {
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
      health: () => ({
        status: 'ok',
        players: lobby.playerCount,
        // Rooms with players in them; empty ones wait in /rooms until disposed.
        rooms: lobby.health(),
        uptimeS: Math.round(clock() / 1000),
        streamConnections: stream.connectionCount,
        datagramChannels: datagram.channelCount,
      }),
      rooms: () => lobby.list(),
      metrics: async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    }),
  );
  const stream = attachStreamGateway(httpServer, lobby, metrics, clock, {
    seed: config.seed * STREAM_NETWORK_SEED_FACTOR,
    tickRateHz: config.tickRate,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  lobby.start();
  const port = (httpServer.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    url: localUrl(config.host, port),
    port,
    lobby,
    metrics,
    streamConnections: () => stream.connectionCount,
    datagramChannels: () => datagram.channelCount,
    close() {
      closing ??= (async () => {
        lobby.shutdown();
        await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS));
        stream.close();
        await datagram.close();
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })();
      return closing;
    },
  };
}
