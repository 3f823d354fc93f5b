// The stream channel: a ws WebSocket server at STREAM_PATH on the game's HTTP
// port. It validates every frame, applies per-client rate limits, answers
// heartbeats and turns messages into calls on the game. A bad frame gets an
// `error` message back; it never reaches the game and never throws.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  CLOSE_HEARTBEAT_TIMEOUT,
  CLOSE_HELLO_TIMEOUT,
  CLOSE_NORMAL,
  CLOSE_RATE_LIMITED,
  CLOSE_SERVER_FULL,
  DROP_BUFFERING,
  ERROR_ALREADY_JOINED,
  ERROR_BINARY_NOT_ACCEPTED,
  ERROR_INVALID_MESSAGE,
  ERROR_NOT_JOINED,
  ERROR_RATE_LIMITED,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  HELLO_TIMEOUT_MS,
  MAX_RATE_LIMIT_STRIKES,
  MAX_STREAM_BUFFERED_BYTES,
  MAX_STREAM_MESSAGE_BYTES,
  DATAGRAM_TYPE_INPUT,
  STREAM_INPUT_BURST,
  STREAM_INPUT_REFILL_FACTOR,
  DATAGRAM_RETRY_MIN_MS,
  MAX_STREAM_BACKLOG_BYTES,
  DROP_SLOW_CONSUMER,
  CLOSE_TOO_SLOW,
  STREAM_MESSAGE_BURST,
  STREAM_MESSAGE_REFILL_PER_S,
  STREAM_PATH,
} from '../protocol/constants.ts';
import { asBytes } from '../protocol/decode-result.ts';
import { decodeInputPacket } from '../protocol/input.ts';
import { parseClientMessage, type ClientMessage, type ServerMessage } from '../protocol/stream.ts';
import { ConditionedStreamLink, type SocketStreamLink } from './conditioned-links.ts';
import type { Game } from './game.ts';
import { log } from './log.ts';
import type { Metrics } from './metrics.ts';
import { TokenBucket } from './token-bucket.ts';

/** What the gateway keeps per open socket; all of it goes in the one close handler. */
interface Connection {
  socket: WebSocket;
  link: ConditionedStreamLink;
  playerId: number | null;
  lastHeardAtMs: number;
  limit: TokenBucket;
  inputLimit: TokenBucket;
  strikes: number;
  helloTimer: ReturnType<typeof setTimeout>;
  lastDatagramTokenAtMs: number;
}

export interface StreamGateway {
  /** Open sockets (tests check that closing removes them). */
  readonly connectionCount: number;
  close(): void;
}

export interface StreamGatewayOptions {
  /** Seeds each connection's simulated network. */
  seed: number;
  /** The server's tick rate: clients send one input packet per tick. */
  tickRateHz: number;
}

export function attachStreamGateway(
  httpServer: Server,
  game: Game,
  metrics: Metrics,
  clock: () => number,
  options: StreamGatewayOptions,
): StreamGateway {
  // maxPayload: ws refuses a larger frame while reading its header (close 1009), before buffering it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_STREAM_MESSAGE_BYTES, clientTracking: false });
  const connections = new Set<Connection>();
  let connectionsOpened = 0;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== STREAM_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws));
  };
  httpServer.on('upgrade', onUpgrade);

  function accept(socket: WebSocket) {
    const connection: Connection = {
      socket,
      link: linkFor(socket),
      playerId: null,
      lastHeardAtMs: clock(),
      limit: new TokenBucket(STREAM_MESSAGE_BURST, STREAM_MESSAGE_REFILL_PER_S, clock()),
      // One input packet per tick, plus slack for clumps (fallback clients send every input here).
      inputLimit: new TokenBucket(STREAM_INPUT_BURST, STREAM_INPUT_REFILL_FACTOR * options.tickRateHz, clock()),
      strikes: 0,
      lastDatagramTokenAtMs: -Infinity,
      helloTimer: setTimeout(() => socket.close(CLOSE_HELLO_TIMEOUT, 'no hello'), HELLO_TIMEOUT_MS),
    };
    connections.add(connection);
    // Without an 'error' listener one malformed frame would crash the process (websockets/ws#1916).
    socket.on('error', (error: Error & { code?: string }) => {
      metrics.dropped('stream', 'in', error.code ?? 'socket-error');
      log.debug({ err: error, playerId: connection.playerId }, 'stream socket error');
    });
    socket.on('message', (data, isBinary) => onMessage(connection, data, isBinary));
    socket.once('close', () => {
      clearTimeout(connection.helloTimer);
      connection.link.dispose();
      connections.delete(connection);
      if (connection.playerId !== null) game.streamClosed(connection.playerId, connection.link);
    });
  }

  /** The socket's link, behind the player's simulated network (perfect until they choose otherwise). */
  function linkFor(socket: WebSocket): ConditionedStreamLink {
    return new ConditionedStreamLink(socketLink(socket), options.seed + ++connectionsOpened, clock, metrics);
  }

  function socketLink(socket: WebSocket): SocketStreamLink {
    return {
      send(message: ServerMessage) {
        if (socket.readyState !== WebSocket.OPEN) return;
        // A client that does not read would make us buffer without end: cut it off
        // (it can resume, and the event log replays what it missed).
        if (socket.bufferedAmount > MAX_STREAM_BACKLOG_BYTES) {
          metrics.dropped('stream', 'out', DROP_SLOW_CONSUMER);
          socket.close(CLOSE_TOO_SLOW, 'not reading');
          return;
        }
        const text = JSON.stringify(message);
        socket.send(text);
        metrics.sent('stream', Buffer.byteLength(text));
      },
      sendBinary(bytes: Uint8Array) {
        if (socket.readyState !== WebSocket.OPEN) return false;
        // Snapshots are superseded by the next one: skip rather than queue behind a slow reader.
        if (socket.bufferedAmount > MAX_STREAM_BUFFERED_BYTES) {
          metrics.dropped('stream', 'out', DROP_BUFFERING);
          return false;
        }
        socket.send(bytes, { binary: true });
        metrics.sent('stream', bytes.byteLength);
        return true;
      },
      close(code: number, reason: string) {
        socket.close(code, reason);
      },
    };
  }

  function reject(connection: Connection, code: string, message: string) {
    metrics.dropped('stream', 'in', code);
    connection.link.send({ type: 'error', code, message });
  }

  function onMessage(connection: Connection, data: RawData, isBinary: boolean) {
    const now = clock();
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
    metrics.received('stream', bytes);
    connection.lastHeardAtMs = now;
    if (isBinary) {
      onBinary(connection, data, now);
      return;
    }
    if (!takeOrStrike(connection, connection.limit, now, `at most ${STREAM_MESSAGE_REFILL_PER_S} messages per second`)) return;
    const parsed = parseClientMessage(data.toString());
    if (!parsed.ok) {
      reject(connection, parsed.detail!.code, parsed.detail!.message);
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
    const packet = decodeInputPacket(bytes);
    if (!packet.ok) {
      reject(connection, ERROR_INVALID_MESSAGE, `bad input packet: ${packet.error}`);
      return;
    }
    if (connection.playerId === null) {
      reject(connection, ERROR_NOT_JOINED, 'say hello first');
      return;
    }
    game.onInputPacket(connection.playerId, packet.value);
  }

  function dispatch(connection: Connection, message: ClientMessage, now: number) {
    const { link } = connection;
    if (message.type === 'ping') {
      link.send({ type: 'pong', id: message.id, clientTimeMs: message.clientTimeMs, serverTimeMs: Math.round(now) });
      return;
    }
    if (message.type === 'hello') {
      if (connection.playerId !== null) {
        reject(connection, ERROR_ALREADY_JOINED, 'hello was already accepted on this socket');
        return;
      }
      const result = message.resume
        ? game.resume(message.resume.sessionToken, message.resume.lastSeq, message.name, link)
        : game.join(message.name, link);
      if (!result.ok) {
        reject(connection, result.code, result.message);
        connection.socket.close(CLOSE_SERVER_FULL, result.message);
        return;
      }
      clearTimeout(connection.helloTimer);
      connection.playerId = result.welcome.playerId;
      link.send(result.welcome);
      for (const event of result.replay) link.send(event);
      return;
    }
    const playerId = connection.playerId;
    if (playerId === null) {
      reject(connection, ERROR_NOT_JOINED, 'say hello first');
      return;
    }
    switch (message.type) {
      case 'chat': {
        const result = game.chat(playerId, message.text);
        if (!result.ok) reject(connection, result.code, result.message);
        return;
      }
      case 'datagram-token':
        // Each token can start a WebRTC handshake (a native peer connection): ration them.
        if (now - connection.lastDatagramTokenAtMs < DATAGRAM_RETRY_MIN_MS) {
          reject(connection, ERROR_RATE_LIMITED, `at most one datagram token per ${DATAGRAM_RETRY_MIN_MS} ms`);
          return;
        }
        connection.lastDatagramTokenAtMs = now;
        link.send({ type: 'datagram-token', token: game.newDatagramToken(playerId) });
        return;
      case 'settings':
        game.applySettings(playerId, {
          ...(message.path ? { path: message.path } : {}),
          ...(message.conditions ? { conditions: message.conditions } : {}),
        });
        return;
      case 'leave':
        connection.playerId = null;
        game.leave(playerId);
        connection.socket.close(CLOSE_NORMAL, 'bye');
        return;
    }
  }

  // Application heartbeat: clients ping every HEARTBEAT_INTERVAL_MS. A socket
  // silent for HEARTBEAT_TIMEOUT_MS is dead (TCP may not notice for minutes).
  const heartbeat = setInterval(() => {
    const now = clock();
    for (const connection of connections) {
      // The player's own simulated loss can stall its stream for seconds: that is not silence.
      if (now - connection.lastHeardAtMs > HEARTBEAT_TIMEOUT_MS + connection.link.stallToleranceMs) {
        log.info({ playerId: connection.playerId }, 'stream heartbeat timed out');
        connection.socket.close(CLOSE_HEARTBEAT_TIMEOUT, 'heartbeat timeout');
        connection.socket.terminate();
      }
    }
  }, HEARTBEAT_INTERVAL_MS);

  return {
    get connectionCount() {
      return connections.size;
    },
    close() {
      clearInterval(heartbeat);
      httpServer.off('upgrade', onUpgrade);
      for (const connection of connections) connection.socket.terminate();
      wss.close();
    },
  };
}
