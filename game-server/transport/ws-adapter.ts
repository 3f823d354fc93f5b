// The stream's transport: ws WebSockets, as Channels (transport.ts). It owns
// what is about the socket, not the game: the upgrade itself, sends that
// refuse to queue without end, the error listener ws requires, and liveness
// (WebSocket pings on the real transport). The stream gateway
// (stream-gateway.ts) decides who may upgrade and what messages mean.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  CLOSE_FRAME_FLUSH_MS,
  CLOSE_HEARTBEAT_TIMEOUT,
  CLOSE_TOO_SLOW,
  DROP_BUFFERING,
  DROP_SLOW_CONSUMER,
  MAX_STREAM_BACKLOG_BYTES,
  MAX_STREAM_BUFFERED_BYTES,
  MAX_STREAM_MESSAGE_BYTES,
  STREAM_LIVENESS_CHECK_MS,
  STREAM_PONG_TIMEOUT_MS,
} from '../../protocol/constants.ts';
import type { ServerMessage } from '../../protocol/wire/stream.ts';
import { log } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { StreamTransport } from './transport.ts';
import { NO_CONNECTION_EVENTS, type ConnectionEvents, type ConnectionStep } from './connection-events.ts';
import { ConnectionTimelineRecorder } from './connection-timeline-recorder.ts';

/** One open WebSocket, as the stream gateway uses it. */
export interface WsTransport extends StreamTransport {
  readonly open: boolean;
  /** Every frame the client sends, after it counted for liveness and metrics. */
  onMessage(handler: (data: RawData, isBinary: boolean) => void): void;
  /** Once, when the socket closed (either end, or liveness). */
  onClose(handler: () => void): void;
  /** Who this socket plays as, for logs and connection events, once its hello was accepted. */
  identify(room: string, playerId: number): void;
  /** Cuts the socket without a closing handshake. */
  terminate(): void;
  /** This connection's steps so far (accept, upgrade, 101); the gateway adds the hello's and sends them. */
  readonly timeline: ConnectionTimelineRecorder;
}

export interface WsAdapter {
  /** Completes a WebSocket upgrade the gateway has let through, and hands over the open channel. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, opened: (channel: WsTransport) => void): void;
  readonly connectionCount: number;
  close(): void;
}

export function createWsAdapter(httpServer: Server, metrics: Metrics, clock: () => number, events: ConnectionEvents = NO_CONNECTION_EVENTS): WsAdapter {
  // maxPayload: ws refuses a larger frame while reading its header (close 1009), before buffering it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_STREAM_MESSAGE_BYTES, clientTracking: false });
  const recording = events !== NO_CONNECTION_EVENTS;
  /** When each TCP connection was accepted (the HTTP server's 'connection'): the timeline's first step. Weak: it dies with its socket. */
  const acceptedAt = new WeakMap<Socket, number>();
  const onTcpConnection = (socket: Socket) => acceptedAt.set(socket, clock());
  httpServer.on('connection', onTcpConnection);
  const channels = new Set<OpenSocket>();
  let connectionsOpened = 0;

  /** What the adapter keeps per open socket. */
  interface OpenSocket {
    socket: WebSocket;
    connectionId: string;
    lastHeardAtMs: number;
    heardFrom: boolean;
    player: { room: string; playerId: number } | null;
    messageHandler: ((data: RawData, isBinary: boolean) => void) | null;
    closeHandlers: (() => void)[];
    timeline: ConnectionTimelineRecorder;
  }

  function record(open: Pick<OpenSocket, 'connectionId' | 'player'>, step: ConnectionStep, atMs = clock()) {
    events.record({ step, atMs, channel: 'stream', connectionId: open.connectionId, ...(open.player ?? {}) });
  }

  function upgrade(request: IncomingMessage, tcp: Duplex, head: Buffer, opened: (channel: WsTransport) => void) {
    const connectionId = `stream-${++connectionsOpened}`;
    // Called from the HTTP server's 'upgrade': the request line and headers have just been parsed.
    const upgradeAtMs = clock();
    const tcpAcceptAtMs = acceptedAt.get(request.socket) ?? upgradeAtMs;
    const timeline = new ConnectionTimelineRecorder('stream', connectionId);
    timeline.add('tcp-accept', tcpAcceptAtMs);
    timeline.add('http-upgrade', tcpAcceptAtMs, upgradeAtMs);
    let upgraded = false;
    if (recording) {
      record({ connectionId, player: null }, 'accepted', tcpAcceptAtMs);
      // ws answers a malformed upgrade itself (400) and never calls back: that connection ends here.
      tcp.once('close', () => {
        if (!upgraded) record({ connectionId, player: null }, 'closed');
      });
    }
    wss.handleUpgrade(request, tcp, head, (socket) => {
      // ws calls back right after writing the 101 (no verifyClient, no async extension negotiation here).
      timeline.add('upgrade-101', upgradeAtMs, clock());
      upgraded = true;
      const open: OpenSocket = {
        socket,
        connectionId,
        lastHeardAtMs: clock(),
        heardFrom: false,
        player: null,
        messageHandler: null,
        closeHandlers: [],
        timeline,
      };
      if (recording) record(open, 'upgraded');
      channels.add(open);
      // Without an 'error' listener one malformed frame would crash the process (websockets/ws#1916).
      socket.on('error', (error: Error & { code?: string }) => {
        metrics.dropped('stream', 'in', error.code ?? 'socket-error');
        log.debug({ err: error, ...open.player }, 'stream socket error');
      });
      socket.on('message', (data, isBinary) => {
        const now = clock();
        if (recording && !open.heardFrom) record(open, 'first-message', now);
        open.heardFrom = true;
        metrics.received('stream', Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength);
        open.lastHeardAtMs = now;
        open.messageHandler?.(data, isBinary);
      });
      // Protocol-level pongs come from the client's WebSocket stack itself, never
      // through the player's simulated network: proof that the peer is there.
      socket.on('pong', () => (open.lastHeardAtMs = clock()));
      socket.once('close', () => {
        channels.delete(open);
        for (const handler of open.closeHandlers) handler();
        if (recording) record(open, 'closed');
      });
      if (recording) record(open, 'channel-open');
      opened(channelFor(open));
    });
  }

  function channelFor(open: OpenSocket): WsTransport {
    const { socket } = open;
    return {
      kind: 'stream',
      connectionId: open.connectionId,
      timeline: open.timeline,
      get open() {
        return socket.readyState === WebSocket.OPEN;
      },
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
      close(code?: number, reason?: string) {
        socket.close(code, reason);
      },
      terminate() {
        socket.terminate();
      },
      identify(room: string, playerId: number) {
        open.player = { room, playerId };
      },
      onMessage(handler) {
        open.messageHandler = handler;
      },
      onClose(handler) {
        open.closeHandlers.push(handler);
      },
    };
  }

  // Liveness on the real transport: a WebSocket ping every STREAM_LIVENESS_CHECK_MS,
  // answered by the client's WebSocket stack (browsers do it unasked). Game
  // messages do not count for this: they pass through the player's simulated
  // network, which a client could set to stall for minutes, whereas the
  // protocol's ping and pong never do. A socket that has not answered for
  // STREAM_PONG_TIMEOUT_MS is dead (TCP itself may not notice for minutes),
  // whatever preset its player chose.
  const heartbeat = setInterval(() => {
    const now = clock();
    for (const open of channels) {
      if (now - open.lastHeardAtMs > STREAM_PONG_TIMEOUT_MS) {
        log.info({ ...open.player }, 'stream heartbeat timed out');
        closeDead(open.socket);
      } else if (open.socket.readyState === WebSocket.OPEN) {
        open.socket.ping();
      }
    }
  }, STREAM_LIVENESS_CHECK_MS);

  /**
   * Says why (close 4000), then cuts the connection without waiting for a
   * closing handshake a dead peer will never send: ws would otherwise hold
   * the socket, and the player's seat, for its 30 s close timeout.
   */
  function closeDead(socket: WebSocket) {
    socket.close(CLOSE_HEARTBEAT_TIMEOUT, 'heartbeat timeout');
    setTimeout(() => socket.terminate(), CLOSE_FRAME_FLUSH_MS).unref();
  }

  return {
    upgrade,
    get connectionCount() {
      return channels.size;
    },
    close() {
      clearInterval(heartbeat);
      httpServer.off('connection', onTcpConnection);
      for (const open of channels) open.socket.terminate();
      wss.close();
    },
  };
}
