// The datagram channel's policy: raw binary inputs up and snapshots down,
// over the data channels the geckos adapter (geckos/geckos-adapter.ts) opens.
//
// - Authorization: the client's `authorization` is a single-use datagram
//   token from the stream's welcome; it binds the channel to that player.
//   Inputs are attributed by channel, never by what the packet says.
// - Every datagram is decoded by our codecs; anything malformed is dropped
//   and counted by reason.
// - Liveness: silence past HEARTBEAT_TIMEOUT_MS closes a channel, unless the
//   player's simulated loss can explain it and the peer connection itself
//   is still connected (ConditionedDatagramLink.silenceIsSimulated).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DATAGRAM_TYPE_INPUT,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DROP_AUTH_MISSING,
  DROP_NOT_BINARY,
  DROP_TOO_LONG,
  DROP_UNBOUND,
  DROP_UNKNOWN_TYPE,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  MAX_CLIENT_DATAGRAM_BYTES,
} from '../../protocol/constants.ts';
import { failed } from '../../protocol/result.ts';
import { asBytes } from '../../protocol/wire/bytes.ts';
import { datagramType, decodePing, encodePing } from '../../protocol/wire/ping.ts';
import { ConditionedDatagramLink } from './conditioned-links.ts';
import type { ConnectionEvents } from './connection-events.ts';
import { createGeckosAdapter, type GeckosTransport, type RawDatagram } from './geckos/geckos-adapter.ts';
import { receiveInput } from './receive-input.ts';
import type { RoomDoor } from './room-door.ts';
import { log } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Room } from '../rooms/room.ts';

export interface DatagramGatewayOptions {
  /** Seeds each channel's simulated network. */
  seed: number;
  portRange?: { min: number; max: number };
  bindAddress?: string;
  /** Told of each connection's steps (connection-events.ts); nobody by default. */
  connectionEvents?: ConnectionEvents;
}

export interface DatagramGateway {
  /** Handles a geckos signaling request (paths under /.wrtc/v2); the HTTP front has already read its (capped) body. */
  handleSignaling(request: IncomingMessage, response: ServerResponse): void;
  readonly channelCount: number;
  close(): Promise<void>;
}

interface BoundChannel {
  channel: GeckosTransport;
  link: ConditionedDatagramLink;
  room: Room;
  playerId: number;
  lastHeardAtMs: number;
}

export function createDatagramGateway(rooms: RoomDoor, metrics: Metrics, clock: () => number, options: DatagramGatewayOptions): DatagramGateway {
  const bound = new Set<BoundChannel>();
  let channelsOpened = 0;

  const geckos = createGeckosAdapter(metrics, clock, {
    ...(options.portRange ? { portRange: options.portRange } : {}),
    ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}),
    ...(options.connectionEvents ? { connectionEvents: options.connectionEvents } : {}),
    authorize(auth) {
      const check = auth ? rooms.authorizeDatagram(auth) : failed(DROP_AUTH_MISSING);
      if (!check.ok) {
        metrics.dropped('datagram', 'in', check.error);
        log.info({ reason: check.error }, 'datagram authorization refused');
      }
      // Its value becomes userData, which is sent back to the client: room and player, nothing secret.
      return check;
    },
    opened: bind,
    tellPlayer: (player, timeline) => rooms.tell(player.room, player.playerId, timeline),
  });

  /** Binds an opened channel to the player its token named; false (closed, counted) if it cannot be. */
  function bind(channel: GeckosTransport): boolean {
    const userData = channel.userData as { room?: unknown; playerId?: unknown } | undefined;
    const playerId = Number(userData?.playerId);
    const link = linkFor(channel);
    // The room can have been disposed between authorization and now.
    const room = channel.open && typeof userData?.room === 'string' && Number.isInteger(playerId) ? rooms.bindDatagram(userData.room, playerId, link) : null;
    if (!room) {
      metrics.dropped('datagram', 'in', DROP_UNBOUND);
      channel.close();
      return false;
    }
    const entry: BoundChannel = { channel, link, room, playerId, lastHeardAtMs: clock() };
    bound.add(entry);
    channel.identify(room.name, playerId);
    channel.onMessage((message) => onDatagram(entry, message));
    channel.onClosed(() => {
      bound.delete(entry);
      link.dispose();
      room.datagramClosed(playerId, link);
    });
    // No channel id here: geckos' ids must never reach a log (geckos/connection-aliases.ts).
    log.info({ room: room.name, playerId }, 'datagram channel bound');
    return true;
  }

  /** The channel's link, behind the player's simulated network (perfect until they choose otherwise). */
  function linkFor(channel: GeckosTransport): ConditionedDatagramLink {
    return new ConditionedDatagramLink(channel, options.seed + ++channelsOpened, clock, metrics);
  }

  function onDatagram(entry: BoundChannel, message: RawDatagram) {
    const bytes = typeof message === 'string' ? null : asBytes(message);
    metrics.received('datagram', bytes?.byteLength ?? Buffer.byteLength(message as string));
    if (!bytes) return metrics.dropped('datagram', 'in', DROP_NOT_BINARY);
    if (bytes.byteLength > MAX_CLIENT_DATAGRAM_BYTES) return metrics.dropped('datagram', 'in', DROP_TOO_LONG);
    entry.lastHeardAtMs = clock();
    switch (datagramType(bytes)) {
      case DATAGRAM_TYPE_INPUT: {
        const admitted = receiveInput(bytes, entry);
        if (!admitted.ok) metrics.dropped('datagram', 'in', admitted.error);
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
    for (const entry of bound) {
      if (now - entry.lastHeardAtMs <= HEARTBEAT_TIMEOUT_MS || entry.link.silenceIsSimulated(() => entry.channel.transportAlive())) continue;
      log.info({ room: entry.room.name, playerId: entry.playerId }, 'datagram heartbeat timed out');
      metrics.datagramHeartbeatTimedOut();
      bound.delete(entry);
      entry.room.datagramClosed(entry.playerId, entry.link);
      entry.link.close();
    }
  }, HEARTBEAT_INTERVAL_MS);

  return {
    handleSignaling: geckos.handleSignaling,
    get channelCount() {
      return bound.size;
    },
    async close() {
      clearInterval(heartbeat);
      bound.clear();
      await geckos.close();
    },
  };
}
