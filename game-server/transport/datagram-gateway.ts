// The datagram channel: geckos.io (WebRTC data channels, unordered, no
// retransmits) carrying raw binary inputs up and snapshots down.
//
// - Authorization: the client's `authorization` is a single-use datagram
//   token from the stream's welcome; it binds the channel to that player.
//   Inputs are attributed by channel, never by what the packet says.
// - Every datagram is decoded by our codecs; anything malformed is dropped
//   and counted by reason. geckos' own parser is bypassed (see below).
// - Sends check the channel state, size and buffer first and count drops.
// - Clients never see geckos' connection ids, only aliases from node:crypto
//   (connection-aliases.ts); neither is logged.
// - Liveness: silence past HEARTBEAT_TIMEOUT_MS closes a channel, unless the
//   player's simulated loss can explain it and the peer connection itself
//   is still connected (see `silenceIsSimulated`).
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import geckos, { type ServerChannel } from '@geckos.io/server';
import {
  DATAGRAM_OPEN_TIMEOUT_MS,
  DATAGRAM_TYPE_INPUT,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DROP_ABANDONED_HANDSHAKE,
  DROP_AUTH_MISSING,
  DROP_BUFFERING,
  DROP_CHANNEL_CLOSED,
  DROP_NOT_BINARY,
  DROP_OVERSIZE,
  DROP_SIGNALING_ERROR,
  DROP_TOO_LONG,
  DROP_UNBOUND,
  DROP_UNKNOWN_TYPE,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  MAX_CLIENT_DATAGRAM_BYTES,
  MAX_DATAGRAM_BUFFERED_BYTES,
} from '../../protocol/constants.ts';
import { failed } from '../../protocol/result.ts';
import { asBytes } from '../../protocol/wire/bytes.ts';
import { decodeInputPacket } from '../../protocol/wire/input.ts';
import { datagramType, decodePing, encodePing } from '../../protocol/wire/ping.ts';
import { ConditionedDatagramLink, type SocketDatagramLink } from './conditioned-links.ts';
import { ConnectionAliases, signalingRouteName, translateSignaling } from './connection-aliases.ts';
import { keepClosedChannelsHarmless } from './geckos-closed-channel-guard.ts';
import type { Lobby } from '../rooms/lobby.ts';
import { log } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Room } from '../rooms/room.ts';

/** How long close() waits for geckos to close its peer connections (each of its own closes gives up after 2 s, two steps). */
const GECKOS_CLOSE_WAIT_MS = 5_000;
const GECKOS_CLOSE_POLL_MS = 20;

export interface DatagramGatewayOptions {
  /** Seeds each channel's simulated network. */
  seed: number;
  portRange?: { min: number; max: number };
  bindAddress?: string;
}

export interface DatagramGateway {
  /** Handles a geckos signaling request (paths under /.wrtc/v2); the HTTP front has already read its (capped) body. */
  handleSignaling(request: IncomingMessage, response: ServerResponse): void;
  readonly channelCount: number;
  close(): Promise<void>;
}

/** The native data channel under a geckos ServerChannel (node-datachannel). */
type NativeChannel = ServerChannel['dataChannel'];

interface BoundChannel {
  channel: ServerChannel;
  link: ConditionedDatagramLink;
  room: Room;
  playerId: number;
  lastHeardAtMs: number;
}

export function createDatagramGateway(
  lobby: Lobby,
  metrics: Metrics,
  clock: () => number,
  options: DatagramGatewayOptions,
): DatagramGateway {
  const io = geckos({
    ordered: false,
    maxRetransmits: 0,
    iceServers: [],
    ...(options.portRange ? { portRange: options.portRange } : {}),
    ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}),
    cors: { origin: '*', allowAuthorization: true },
    authorization: async (auth: string | undefined) => {
      const check = auth ? lobby.authorizeDatagram(auth) : failed(DROP_AUTH_MISSING);
      if (!check.ok) {
        metrics.dropped('datagram', 'in', check.error);
        log.info({ reason: check.error }, 'datagram authorization refused');
        return false; // geckos answers 401
      }
      // userData is sent back to the client, so it holds nothing secret.
      return { room: check.value.room, playerId: check.value.playerId };
    },
  });

  keepClosedChannelsHarmless(io.connectionsManager.connections as never);
  // Every peer connection geckos keeps, pending handshakes included: what a leak would grow.
  metrics.countPeerConnectionsWith(() => io.connectionsManager.connections.size);

  // geckos attaches its routes to an http.Server-like emitter. We give it a
  // private one and call its listener ourselves, after our own checks.
  const signaling = new EventEmitter();
  io.addServer(signaling as never);
  const geckosRoutes = signaling.listeners('request')[0] as (request: IncomingMessage, response: ServerResponse) => unknown;
  /** geckos' connections that have not (yet) become a bound channel, with when we first saw them. */
  const unbound = new Map<string, number>();
  /** The ids clients see, each standing for a geckos connection id (connection-aliases.ts). */
  const aliases = new ConnectionAliases();
  const geckosHolds = (realId: string) => io.connectionsManager.connections.has(realId);

  const bound = new Map<string, BoundChannel>();
  let channelsOpened = 0;

  io.onConnection((channel: ServerChannel) => {
    const userData = channel.userData as { room?: unknown; playerId?: unknown } | undefined;
    const playerId = Number(userData?.playerId);
    // The room can have been disposed between authorization and now.
    const room = typeof userData?.room === 'string' ? lobby.room(userData.room) : undefined;
    const native = channel.dataChannel;
    const link = linkFor(channel, native);
    // A channel geckos closed before its "open" arrived reports closed (geckos-closed-channel-guard.ts).
    if (!native?.isOpen() || !room || !Number.isInteger(playerId) || !room.bindDatagram(playerId, link)) {
      metrics.dropped('datagram', 'in', DROP_UNBOUND);
      void channel.close().catch(() => {});
      return;
    }
    const entry: BoundChannel = { channel, link, room, playerId, lastHeardAtMs: clock() };
    bound.set(channel.id!, entry);
    // geckos' parser JSON-parses any text datagram and throws on "null" inside
    // a native callback, which would take the process down. We replace it:
    // node-datachannel keeps one message callback per channel.
    native.onMessage((message: string | Buffer | ArrayBuffer) => onDatagram(entry, message));
    channel.onDisconnect(() => {
      bound.delete(channel.id!);
      link.dispose();
      room.datagramClosed(playerId, link);
    });
    // No channel id here: geckos' ids must never reach a log (connection-aliases.ts).
    log.info({ room: room.name, playerId }, 'datagram channel bound');
  });

  /** The channel's link, behind the player's simulated network (perfect until they choose otherwise). */
  function linkFor(channel: ServerChannel, native: NativeChannel): ConditionedDatagramLink {
    return new ConditionedDatagramLink(channelLink(channel, native), options.seed + ++channelsOpened, clock, metrics);
  }

  function channelLink(channel: ServerChannel, native: NativeChannel): SocketDatagramLink {
    return {
      send(bytes: Uint8Array) {
        if (!native.isOpen()) return drop(DROP_CHANNEL_CLOSED);
        // An unreliable channel must not queue: a snapshot waiting behind
        // others arrives late, and the next one supersedes it anyway.
        if (native.bufferedAmount() > MAX_DATAGRAM_BUFFERED_BYTES) return drop(DROP_BUFFERING);
        if (bytes.byteLength > (channel.maxMessageSize ?? Infinity)) return drop(DROP_OVERSIZE);
        try {
          native.sendMessageBinary(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        } catch {
          return drop(DROP_CHANNEL_CLOSED);
        }
        metrics.sent('datagram', bytes.byteLength);
        return true;
      },
      close() {
        void channel.close().catch(() => {});
      },
    };
  }

  function drop(reason: string): false {
    metrics.dropped('datagram', 'out', reason);
    return false;
  }

  function onDatagram(entry: BoundChannel, message: string | Buffer | ArrayBuffer) {
    const bytes = typeof message === 'string' ? null : asBytes(message);
    metrics.received('datagram', bytes?.byteLength ?? Buffer.byteLength(message as string));
    if (!bytes) return metrics.dropped('datagram', 'in', DROP_NOT_BINARY);
    if (bytes.byteLength > MAX_CLIENT_DATAGRAM_BYTES) return metrics.dropped('datagram', 'in', DROP_TOO_LONG);
    entry.lastHeardAtMs = clock();
    switch (datagramType(bytes)) {
      case DATAGRAM_TYPE_INPUT: {
        const packet = decodeInputPacket(bytes);
        if (!packet.ok) return metrics.dropped('datagram', 'in', packet.error);
        entry.room.onInputPacket(entry.playerId, packet.value);
        return;
      }
      case DATAGRAM_TYPE_PING: {
        const ping = decodePing(bytes);
        if (!ping.ok) return metrics.dropped('datagram', 'in', ping.error);
        if (ping.value.type !== DATAGRAM_TYPE_PING) return metrics.dropped('datagram', 'in', DROP_UNKNOWN_TYPE);
        const { id, clientTimeMs } = ping.value;
        entry.link.send(encodePing({ type: DATAGRAM_TYPE_PONG, id, clientTimeMs, serverTimeMs: Math.round(clock()) }));
        return;
      }
      default:
        metrics.dropped('datagram', 'in', DROP_UNKNOWN_TYPE);
    }
  }

  // A vanished WebRTC peer takes ICE many seconds to notice; clients ping
  // every HEARTBEAT_INTERVAL_MS and send inputs every tick, so on a perfect
  // path silence means gone.
  const heartbeat = setInterval(() => {
    const now = clock();
    closeAbandonedConnections(now);
    aliases.forgetClosed(geckosHolds);
    for (const entry of bound.values()) {
      if (now - entry.lastHeardAtMs <= HEARTBEAT_TIMEOUT_MS || silenceIsSimulated(entry)) continue;
      log.info({ room: entry.room.name, playerId: entry.playerId }, 'datagram heartbeat timed out');
      metrics.datagramHeartbeatTimedOut();
      bound.delete(entry.channel.id!);
      entry.room.datagramClosed(entry.playerId, entry.link);
      entry.link.close();
    }
  }, HEARTBEAT_INTERVAL_MS);

  /**
   * Whether a silent channel's silence may be the player's own simulated
   * network, with the real transport still alive. What a client sends passes
   * through its simulated loss before it reaches the socket: at the harshest
   * loss the server accepts (90 %), a client with only its 1 Hz pings to send
   * (one that watches, or whose game loop is throttled) stays silent past
   * HEARTBEAT_TIMEOUT_MS more often than not, and even one sending an input
   * every tick sometimes does (about 10^-7 a check at 60 Hz, and far more at
   * a low TICK_RATE). Latency and jitter only shift packets, by at most
   * CONDITION_LIMITS.latencyMs + jitterMs, well under the timeout: loss
   * alone can silence a live client.
   *
   * So under simulated loss, liveness is judged on the real transport, as
   * the stream's is (its WebSocket pings skip the simulation): the native
   * peer connection, whose state geckos also watches, stays 'connected'
   * while the peer answers ICE consent checks (libjuice: every 4–6 s, given
   * up after 30 s without an answer). A peer that vanishes is not
   * kept for long: its stream's liveness takes the player out of the arena
   * within the documented 2–7 s, and the room then closes this channel; a
   * dead UDP path with a live stream is noticed first by the client (it
   * hears nothing, closes its end and tells us), and at worst by ICE. On a
   * perfect path, silence still means gone.
   */
  function silenceIsSimulated(entry: BoundChannel): boolean {
    if (entry.link.conditions.lossPct <= 0) return false;
    try {
      return entry.channel.webrtcConnection?.peerConnection?.state() === 'connected';
    } catch {
      return false; // a connection closing under us
    }
  }

  /**
   * A client that signals but never completes the handshake leaves a native
   * peer connection behind, which geckos keeps forever. Close any connection
   * not bound to a player within DATAGRAM_OPEN_TIMEOUT_MS (plus a beat).
   */
  function closeAbandonedConnections(now: number) {
    const connections = io.connectionsManager.connections;
    for (const [id, connection] of connections) {
      if (!id || bound.has(id)) {
        if (id) unbound.delete(id);
        continue;
      }
      const firstSeen = unbound.get(id) ?? now;
      unbound.set(id, firstSeen);
      if (now - firstSeen > DATAGRAM_OPEN_TIMEOUT_MS + HEARTBEAT_INTERVAL_MS) {
        unbound.delete(id);
        metrics.dropped('datagram', 'in', DROP_ABANDONED_HANDSHAKE);
        // geckos closes a data channel only if it is open; this one never
        // opened, so close it first, then let geckos close the connection.
        try {
          connection.channel?.dataChannel?.close();
        } catch {
          // already gone
        }
        void connection.close().catch(() => {});
      }
    }
    for (const id of unbound.keys()) if (!connections.has(id)) unbound.delete(id);
  }

  let shuttingDown = false;
  return {
    handleSignaling(request, response) {
      // A handshake begun while closing would add a peer connection that
      // geckos' close has already passed over.
      if (shuttingDown) {
        response.writeHead(503, { connection: 'close' }).end('server shutting down\n');
        return;
      }
      const route = signalingRouteName(request.url);
      // Clients name connections by alias; geckos gets its own ids, or a path that names none.
      translateSignaling(request, response, aliases, geckosHolds);
      // geckos' routes are async, and one answers 400 to a body without an
      // sdp, then writes a second status and throws: caught here, that is a
      // refused request instead of an unhandled rejection that ends the process.
      Promise.resolve()
        .then(() => geckosRoutes(request, response))
        .catch((error: unknown) => {
          metrics.dropped('datagram', 'in', DROP_SIGNALING_ERROR);
          log.info({ err: error, route }, 'signaling request failed');
          if (!response.headersSent) response.writeHead(400).end('bad signaling request\n');
        });
    },
    get channelCount() {
      return bound.size;
    },
    async close() {
      shuttingDown = true;
      clearInterval(heartbeat);
      aliases.clear();
      const channelsClosing = [...bound.values()].map((entry) => entry.channel.close().catch(() => {}));
      bound.clear();
      await Promise.all(channelsClosing);
      // geckos' 'close' handler closes every peer connection it holds
      // (handshakes never bound included), then stops node-datachannel's
      // native threads; nobody awaits it. Wait for it here, so close() means
      // closed: a process that exits while those threads run can crash in
      // native code (a test worker "exited unexpectedly" after all its tests
      // had passed, about once in 20 browser runs).
      signaling.emit('close');
      const deadline = Date.now() + GECKOS_CLOSE_WAIT_MS;
      while (io.connectionsManager.connections.size > 0 && Date.now() < deadline) await sleep(GECKOS_CLOSE_POLL_MS);
      await new Promise((resolve) => setImmediate(resolve)); // its cleanup runs (synchronously) once the last one is gone
      // A connection it never saw (a handshake already under way at the 'close') is closed here.
      const leftovers = [...io.connectionsManager.connections.values()] as unknown as { close(): Promise<void> }[];
      await Promise.all(leftovers.map((peer) => peer.close().catch(() => {})));
    },
  };
}
