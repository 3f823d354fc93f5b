// The stream channel's policy: WebSockets (ws-adapter.ts) at STREAM_PATH on
// the game's HTTP port. It lets through the upgrades its gate
// (stream-upgrade-gate.ts) admits, validates every frame, applies
// per-client rate limits and turns messages into calls on the player's room
// (the room door, room-door.ts, seats a hello in one, here or on another
// server process). A bad frame gets an `error` message back; it
// never reaches a room and never throws.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData } from 'ws';
import {
  CLOSE_HELLO_TIMEOUT,
  CLOSE_NORMAL,
  CLOSE_RATE_LIMITED,
  CLOSE_SERVER_FULL,
  ADDRESS_CHAT_REFILL_PER_S,
  ERROR_ALREADY_JOINED,
  ERROR_CHAT_RATE_LIMITED,
  ERROR_BINARY_NOT_ACCEPTED,
  ERROR_INVALID_MESSAGE,
  ERROR_NOT_JOINED,
  ERROR_SERVER_FULL,
  ERROR_JOIN_RATE_LIMITED,
  ERROR_RATE_LIMITED,
  JOIN_BURST,
  JOIN_REFILL_PER_S,
  HELLO_TIMEOUT_MS,
  MAX_RATE_LIMIT_STRIKES,
  DATAGRAM_TYPE_INPUT,
  STREAM_INPUT_BURST,
  STREAM_INPUT_REFILL_FACTOR,
  DATAGRAM_RETRY_MIN_MS,
  STREAM_MESSAGE_BURST,
  STREAM_MESSAGE_REFILL_PER_S,
} from '../../protocol/constants.ts';
import { asBytes } from '../../protocol/wire/bytes.ts';
import type { Result } from '../../protocol/result.ts';
import { parseClientMessage, type ClientMessage } from '../../protocol/wire/stream.ts';
import { ConditionedStreamLink } from './conditioned-links.ts';
import type { Seating } from './room-door.ts';
import { log } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { AddressLimits } from '../limits/address-limits.ts';
import { TokenBucket } from '../limits/token-bucket.ts';
import type { ConnectionEvents } from './connection-events.ts';
import { receiveInput, type SeatedPlayer } from './receive-input.ts';
import type { RoomDoor } from './room-door.ts';
import { StreamUpgradeGate, type UpgradeGateOptions } from './stream-upgrade-gate.ts';
import { createWsAdapter, type WsTransport } from './ws-adapter.ts';

/** What the gateway keeps per open socket; all of it goes in the one close handler. */
interface Connection {
  socket: WsTransport;
  /** The remote address: joins and chat are limited per address, across connections. */
  address: string;
  link: ConditionedStreamLink;
  /** Who this socket plays as, once its hello was accepted. */
  player: SeatedPlayer | null;
  /** A hello is being placed (the room door may ask the room directory): a second one is refused. */
  joining: boolean;
  limit: TokenBucket;
  inputLimit: TokenBucket;
  strikes: number;
  helloTimer: ReturnType<typeof setTimeout>;
  /** Counted by the upgrade gate until its first hello or its close. */
  awaitingHello: boolean;
  /** When its hello was read: the start of the connection timeline's hello step. */
  helloAtMs: number;
  lastDatagramTokenAtMs: number;
}

export interface StreamGateway {
  /** Open sockets (tests check that closing removes them). */
  readonly connectionCount: number;
  /**
   * Answers every new upgrade 503 from now on: a server saying goodbye must
   * not welcome a page that reconnects meanwhile (its retry comes 125–250 ms
   * after the goodbye, inside the flush before the sockets close), or that
   * page would take the dying server's welcome for a return and lose the
   * goodbye's reason.
   */
  stopAdmitting(): void;
  close(): void;
}

export interface StreamGatewayOptions extends UpgradeGateOptions {
  /** Seeds each connection's simulated network. */
  seed: number;
  /** The server's tick rate: clients send one input packet per tick. */
  tickRateHz: number;
  /** Told of each connection's steps (connection-events.ts); nobody by default. */
  connectionEvents?: ConnectionEvents;
}

export function attachStreamGateway(httpServer: Server, rooms: RoomDoor, metrics: Metrics, clock: () => number, options: StreamGatewayOptions): StreamGateway {
  const ws = createWsAdapter(httpServer, metrics, clock, options.connectionEvents);
  const joinLimits = new AddressLimits(JOIN_BURST, JOIN_REFILL_PER_S);
  const gate = new StreamUpgradeGate(metrics, options);
  let connectionsOpened = 0;

  let admitting = true;
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!admitting) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const address = gate.admit(request, socket);
    if (address !== null) ws.upgrade(request, socket, head, (channel) => accept(channel, address));
  };
  httpServer.on('upgrade', onUpgrade);

  function accept(socket: WsTransport, address: string) {
    const connection: Connection = {
      socket,
      address,
      link: linkFor(socket),
      player: null,
      joining: false,
      limit: new TokenBucket(STREAM_MESSAGE_BURST, STREAM_MESSAGE_REFILL_PER_S, clock()),
      // One input packet per tick, plus slack for clumps (fallback clients send every input here).
      inputLimit: new TokenBucket(STREAM_INPUT_BURST, STREAM_INPUT_REFILL_FACTOR * options.tickRateHz, clock()),
      strikes: 0,
      lastDatagramTokenAtMs: -Infinity,
      helloTimer: setTimeout(() => socket.close(CLOSE_HELLO_TIMEOUT, 'no hello'), HELLO_TIMEOUT_MS),
      awaitingHello: true,
      helloAtMs: 0,
    };
    gate.opened(address);
    socket.onMessage((data, isBinary) => onMessage(connection, data, isBinary));
    socket.onClose(() => {
      clearTimeout(connection.helloTimer);
      saidHello(connection);
      connection.link.dispose();
      connection.player?.room.streamClosed(connection.player.playerId, connection.link);
    });
  }

  /** The connection no longer counts against its address's sockets without hello (its first hello came, or it closed). */
  function saidHello(connection: Connection) {
    if (!connection.awaitingHello) return;
    connection.awaitingHello = false;
    gate.saidHello(connection.address);
  }

  /** The socket's link, behind the player's simulated network (perfect until they choose otherwise). */
  function linkFor(socket: WsTransport): ConditionedStreamLink {
    return new ConditionedStreamLink(socket, options.seed + ++connectionsOpened, clock, metrics);
  }

  function reject(connection: Connection, code: string, message: string) {
    metrics.dropped('stream', 'in', code);
    connection.link.send({ type: 'error', code, message });
  }

  function onMessage(connection: Connection, data: RawData, isBinary: boolean) {
    const now = clock();
    if (isBinary) {
      onBinary(connection, data, now);
      return;
    }
    if (!takeOrStrike(connection, connection.limit, now, `at most ${STREAM_MESSAGE_REFILL_PER_S} messages per second`)) return;
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) {
      reject(connection, parsed.error, parsed.message ?? parsed.error);
      return;
    }
    dispatch(connection, parsed.value, now);
  }

  /**
   * Takes a token from `bucket`, or refuses the message with an error and a
   * strike. Strikes fade as the client behaves (one per accepted message);
   * a client that keeps flooding is disconnected.
   */
  function takeOrStrike(connection: Connection, bucket: TokenBucket, now: number, message: string): boolean {
    if (bucket.take(now)) {
      connection.strikes = Math.max(0, connection.strikes - 1);
      return true;
    }
    if (++connection.strikes > MAX_RATE_LIMIT_STRIKES) connection.socket.close(CLOSE_RATE_LIMITED, 'rate limited');
    else reject(connection, ERROR_RATE_LIMITED, message);
    return false;
  }

  /** Binary frames are input packets sent over the stream as a fallback when WebRTC is unavailable. */
  function onBinary(connection: Connection, data: RawData, now: number) {
    const bytes = asBytes(Array.isArray(data) ? Buffer.concat(data) : data);
    if (!bytes || bytes[0] !== DATAGRAM_TYPE_INPUT) {
      // Counted like any message, so junk frames cannot buy unlimited error replies.
      if (takeOrStrike(connection, connection.limit, now, `at most ${STREAM_MESSAGE_REFILL_PER_S} messages per second`)) {
        reject(connection, ERROR_BINARY_NOT_ACCEPTED, 'binary frames must be input packets');
      }
      return;
    }
    if (!takeOrStrike(connection, connection.inputLimit, now, 'at most one input packet per tick')) return;
    const admitted = receiveInput(bytes, connection.player);
    if (admitted.ok) return;
    if (admitted.error === ERROR_NOT_JOINED) reject(connection, ERROR_NOT_JOINED, 'say hello first');
    else reject(connection, ERROR_INVALID_MESSAGE, `bad input packet: ${admitted.error}`);
  }

  function dispatch(connection: Connection, message: ClientMessage, now: number) {
    const { link } = connection;
    if (message.type === 'ping') {
      link.send({ type: 'pong', id: message.id, clientTimeMs: message.clientTimeMs, serverTimeMs: Math.round(now) });
      return;
    }
    if (message.type === 'hello') {
      saidHello(connection);
      connection.helloAtMs = now;
      if (connection.player || connection.joining) {
        reject(connection, ERROR_ALREADY_JOINED, 'hello was already accepted on this socket');
        return;
      }
      // Per address, not per socket: a loop of connect-hello-leave must not buy fresh limits.
      if (!joinLimits.take(connection.address, now)) {
        const answeredAtMs = clock();
        reject(connection, ERROR_JOIN_RATE_LIMITED, `at most ${JOIN_REFILL_PER_S} joins per second from one address (burst ${JOIN_BURST})`);
        sendTimeline(connection, 'hello-refused', answeredAtMs, ERROR_JOIN_RATE_LIMITED);
        connection.socket.close(CLOSE_RATE_LIMITED, 'joining too fast');
        return;
      }
      connection.joining = true;
      const request = {
        name: message.name,
        address: connection.address,
        ...(message.room !== undefined ? { room: message.room } : {}),
        ...(message.reservation !== undefined ? { reservation: message.reservation } : {}),
        ...(message.resume ? { resume: message.resume } : {}),
      };
      rooms
        .seat(request, link)
        .then(
          (result) => placed(connection, result),
          (error: unknown) => {
            log.error({ err: error }, 'seating a player failed');
            placed(connection, { ok: false, error: ERROR_SERVER_FULL, message: 'could not seat you; try again' });
          },
        )
        // An answer that fails to go out must not become an unhandled rejection: that would end the process.
        .catch((error: unknown) => log.error({ err: error }, 'answering a hello failed'));
      return;
    }
    if (!connection.player) {
      reject(connection, ERROR_NOT_JOINED, 'say hello first');
      return;
    }
    const { room, playerId } = connection.player;
    switch (message.type) {
      case 'chat':
        // The address's chat budget is shared by every process of a cluster (in Redis); the room applies its own too.
        void rooms
          .allowChat(connection.address)
          .then((allowed) => {
            if (connection.player?.playerId !== playerId || connection.player.room !== room) return; // left meanwhile
            if (!allowed) return reject(connection, ERROR_CHAT_RATE_LIMITED, `at most ${ADDRESS_CHAT_REFILL_PER_S} lines per second from one address`);
            const result = room.chat(playerId, message.text);
            if (!result.ok) reject(connection, result.error, result.message ?? result.error);
          })
          .catch((error: unknown) => log.error({ err: error }, 'chat failed'));
        return;
      case 'datagram-token':
        // Each token can start a WebRTC handshake (a native peer connection): ration them.
        if (now - connection.lastDatagramTokenAtMs < DATAGRAM_RETRY_MIN_MS) {
          reject(connection, ERROR_RATE_LIMITED, `at most one datagram token per ${DATAGRAM_RETRY_MIN_MS} ms`);
          return;
        }
        connection.lastDatagramTokenAtMs = now;
        link.send({ type: 'datagram-token', token: room.newDatagramToken(playerId) });
        return;
      case 'settings':
        room.applySettings(playerId, {
          ...(message.path ? { path: message.path } : {}),
          ...(message.conditions ? { conditions: message.conditions } : {}),
        });
        return;
      case 'leave':
        connection.player = null;
        room.leave(playerId);
        connection.socket.close(CLOSE_NORMAL, 'bye');
        return;
    }
  }

  /** The hello's outcome: welcome and replay, a redirect to the room's server, or a refusal. */
  function placed(connection: Connection, result: Result<Seating>) {
    connection.joining = false;
    const { link, socket } = connection;
    if (!socket.open) {
      // Gone while we were placing it: a seat taken here goes linkdead like any closed stream; one held elsewhere is given back.
      if (result.ok && result.value.kind === 'seated') result.value.room.streamClosed(result.value.welcome.playerId, link);
      else if (result.ok) rooms.abandoned(result.value);
      return;
    }
    const answeredAtMs = clock();
    if (!result.ok) {
      reject(connection, result.error, result.message ?? result.error);
      sendTimeline(connection, 'hello-refused', answeredAtMs, result.error);
      // The error message above says why; a close reason must fit in 123 bytes (ws throws otherwise), so it carries the code.
      socket.close(CLOSE_SERVER_FULL, result.error);
      return;
    }
    clearTimeout(connection.helloTimer);
    const seating = result.value;
    if (seating.kind === 'elsewhere') {
      link.send({ type: 'redirect', url: seating.url, room: seating.room, reservation: seating.reservation });
      sendTimeline(connection, 'hello-redirect', answeredAtMs, `room ${seating.room} at ${seating.url}`);
      socket.close(CLOSE_NORMAL, 'room is on another server');
      return;
    }
    const { room, welcome, replay } = seating;
    connection.player = { room, playerId: welcome.playerId };
    socket.identify(room.name, welcome.playerId);
    link.send(welcome);
    sendTimeline(connection, 'hello-welcome', answeredAtMs);
    for (const event of replay) link.send(event);
  }

  /**
   * Ends the connection timeline's hello step at `answeredAtMs` and sends the
   * player the stream's steps as the server saw them
   * (connection-timeline-recorder.ts): after the welcome, or before the
   * socket is closed on a refusal or a redirect.
   *
   * `answeredAtMs` is read just before the answer is handed to the socket,
   * not after: the write wakes the page's process, and on a busy machine the
   * kernel often runs it at once and leaves this thread waiting for a CPU
   * (44–79 ms in /proc/thread-self/schedstat on a first join beside a
   * booting Chromium, with 1–2 ms on the CPU), long after the page already
   * has the answer. A stamp after the write would show the server's step
   * longer than the page's whole round trip.
   */
  function sendTimeline(connection: Connection, step: 'hello-welcome' | 'hello-refused' | 'hello-redirect', answeredAtMs: number, detail?: string) {
    const { timeline } = connection.socket;
    timeline.add(step, connection.helloAtMs, answeredAtMs, detail);
    const message = timeline.nextMessage();
    if (message) connection.link.send(message);
  }

  return {
    get connectionCount() {
      return ws.connectionCount;
    },
    stopAdmitting() {
      admitting = false;
    },
    close() {
      httpServer.off('upgrade', onUpgrade);
      ws.close();
    },
  };
}
