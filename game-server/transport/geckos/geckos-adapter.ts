// The datagram channel's transport: geckos.io (WebRTC data channels,
// unordered, no retransmits), as Transports (../transport.ts). Every workaround
// this project needs around geckos 3.1 and node-datachannel lives here, each
// with its reason where it is done; the datagram gateway
// (../datagram-gateway.ts) is the game's policy over what this hands it.
//
// The workarounds:
// - the signaling hijack: geckos' routes get a private emitter, and we call
//   them after our own checks (shutting down, connection aliases), catching
//   what they throw (handleSignaling);
// - connection aliases: clients never see geckos' Math.random ids
//   (connection-aliases.ts); neither is logged;
// - the closed-channel guard (closed-channel-guard.ts) and, for the process,
//   the rejection guard (rejection-guard.ts, installed by main.ts);
// - geckos' message parser replaced by ours (openedChannel);
// - handshakes never completed are reaped (abandoned-handshakes.ts);
// - every native data channel is held until its close is delivered, and
//   closed before its peer connection (native-channel-holds.ts): the process
//   stops node-datachannel's threads once, at exit, never when a server closes;
// - close() closes every connection itself, not through geckos' close handler
//   (which would stop node-datachannel for the whole process);
// - the connection timeline's steps are taken where geckos lets us see them:
//   its answers' heads (signaling-timing.ts, which adds Server-Timing), its
//   authorization hook, node-datachannel's ICE state (ice-timing.ts).
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingMessage, OutgoingMessage, ServerResponse } from 'node:http';
import geckos, { type ServerChannel } from '@geckos.io/server';
import {
  DROP_BUFFERING,
  DROP_CHANNEL_CLOSED,
  DROP_OVERSIZE,
  DROP_SIGNALING_ERROR,
  HEARTBEAT_INTERVAL_MS,
  MAX_DATAGRAM_BUFFERED_BYTES,
} from '../../../protocol/constants.ts';
import type { Result } from '../../../protocol/result.ts';
import type { ConnectionTimelineMessage } from '../../../protocol/wire/stream.ts';
import { log } from '../../ops/log.ts';
import type { Metrics } from '../../ops/metrics.ts';
import type { Transport } from '../transport.ts';
import { NO_CONNECTION_EVENTS, type ConnectionEvents, type ConnectionStep } from '../connection-events.ts';
import { AbandonedHandshakes } from './abandoned-handshakes.ts';
import { keepClosedChannelsHarmless } from './closed-channel-guard.ts';
import { holdNativeChannels, nativeChannelsAwaitingClose } from './native-channel-holds.ts';
import { ConnectionAliases, signalingRouteName, translateSignaling } from './connection-aliases.ts';
import { ConnectionTimelineRecorder } from '../connection-timeline-recorder.ts';
import { IceTiming } from './ice-timing.ts';
import { timeSignalingAnswer } from './signaling-timing.ts';

/** How long close() waits for its channels' closes to be delivered (node-datachannel's threads, usually a few ms). */
const CHANNELS_CLOSED_WAIT_MS = 2_000;
const CHANNELS_CLOSED_POLL_MS = 10;

/** The native data channel under a geckos ServerChannel (node-datachannel). */
type NativeChannel = ServerChannel['dataChannel'];

/** Whose a data channel is: the room and player its datagram token named. */
export interface DatagramPlayer {
  room: string;
  playerId: number;
}

/** What the adapter keeps per connection, from its offer until geckos no longer holds it: our name, its player once known, its timeline. */
interface NamedConnection {
  connectionId: string;
  player: DatagramPlayer | null;
  timeline: ConnectionTimelineRecorder;
  ice: IceTiming;
}

/** A datagram as node-datachannel delivers it: a Buffer (a view into a pool) or an ArrayBuffer for binary, a string for text. */
export type RawDatagram = string | Buffer | ArrayBuffer;

/** One opened data channel, as the datagram gateway uses it. */
export interface GeckosTransport extends Transport {
  readonly kind: 'datagram';
  /** Whether the native channel is open (one geckos closed before its late "open" reports closed: closed-channel-guard.ts). */
  readonly open: boolean;
  /** What the authorization hook returned for this channel. */
  readonly userData: unknown;
  /** Every datagram the client sends (geckos' parser never sees them). */
  onMessage(handler: (message: RawDatagram) => void): void;
  /** Once, when geckos reports the channel disconnected. */
  onClosed(handler: () => void): void;
  /** Whether the peer connection underneath still answers ICE consent checks: liveness on the real transport. */
  transportAlive(): boolean;
  /** Who this channel plays as, for connection events. */
  identify(room: string, playerId: number): void;
}

export interface GeckosAdapterOptions {
  portRange?: { min: number; max: number };
  bindAddress?: string;
  /**
   * geckos' authorization hook: the client's `authorization` string in, the
   * player it names out (the channel's userData, also sent back to the
   * client: nothing secret), or why not (geckos answers 401).
   */
  authorize(authorization: string | undefined): Result<DatagramPlayer>;
  /** A channel opened: true if the game keeps it. One it does not keep, it closes itself. */
  opened(channel: GeckosTransport): boolean;
  /**
   * Tells the player, over its stream, its datagram connection's steps as
   * the server saw them: once the connection has carried a datagram each
   * way, and again when it closes (or, never having opened, fails).
   */
  tellPlayer(player: DatagramPlayer, timeline: ConnectionTimelineMessage): void;
  /** Told of each connection's steps; nobody by default. */
  connectionEvents?: ConnectionEvents;
}

export interface GeckosAdapter {
  /** Handles a geckos signaling request (paths under /.wrtc/v2); the HTTP front has already read its (capped) body. */
  handleSignaling(request: IncomingMessage, response: ServerResponse): void;
  /** Closes every channel and peer connection, and waits (bounded) until their closes are delivered; node-datachannel's threads run on until the process stops them at exit. */
  close(): Promise<void>;
}

export function createGeckosAdapter(metrics: Metrics, clock: () => number, options: GeckosAdapterOptions): GeckosAdapter {
  const events = options.connectionEvents ?? NO_CONNECTION_EVENTS;
  const recording = events !== NO_CONNECTION_EVENTS;
  const io = geckos({
    ordered: false,
    maxRetransmits: 0,
    iceServers: [],
    ...(options.portRange ? { portRange: options.portRange } : {}),
    ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}),
    cors: { origin: '*', allowAuthorization: true },
    // geckos passes the request's response too: by it we find the connection being offered.
    authorization: async (auth: string | undefined, _request: IncomingMessage, response: OutgoingMessage) =>
      authorize(auth, offers.get(response as ServerResponse)),
  });
  const connections = io.connectionsManager.connections;

  keepClosedChannelsHarmless(connections as never);
  holdNativeChannels(connections as never);
  // Every peer connection geckos keeps, pending handshakes included: what a leak would grow.
  metrics.countPeerConnectionsWith(() => connections.size);
  metrics.countChannelsAwaitingCloseWith(nativeChannelsAwaitingClose);

  // geckos attaches its routes to an http.Server-like emitter. We give it a
  // private one and call its listener ourselves, after our own checks.
  const signaling = new EventEmitter();
  io.addServer(signaling as never);
  const geckosRoutes = signaling.listeners('request')[0] as (request: IncomingMessage, response: ServerResponse) => unknown;
  /** The ids clients see, each standing for a geckos connection id (connection-aliases.ts). */
  const aliases = new ConnectionAliases();
  const geckosHolds = (realId: string) => connections.has(realId);

  /** Our name for each connection geckos holds (or held until the last sweep), by geckos' id. */
  const connectionIds = new Map<string, NamedConnection>();
  /** A connection being offered (`POST /connections`), by its response, until the answer is written: the authorization hook runs meanwhile. */
  const offers = new WeakMap<ServerResponse, NamedConnection>();
  let connectionsAccepted = 0;
  /** Channels the game kept, by geckos' id, until they close: the reaper leaves these alone. */
  const kept = new Map<string, ServerChannel>();
  const abandoned = new AbandonedHandshakes(metrics);

  function record(connectionId: string, step: ConnectionStep, player: { room: string; playerId: number } | null = null) {
    events.record({ step, atMs: clock(), channel: 'datagram', connectionId, ...(player ?? {}) });
  }

  function newConnection(): NamedConnection {
    const connectionId = `datagram-${++connectionsAccepted}`;
    const timeline = new ConnectionTimelineRecorder('datagram', connectionId);
    return { connectionId, player: null, timeline, ice: new IceTiming(timeline, clock) };
  }

  /** Reports `closed` for a connection once, tells its player, and forgets it. */
  function forget(realId: string) {
    const named = connectionIds.get(realId);
    if (!named) return;
    connectionIds.delete(realId);
    if (recording) record(named.connectionId, 'closed', named.player);
    named.timeline.add('closed', clock());
    tellPlayer(named);
  }

  /** Sends the player the connection's steps, if it has a player and a step is new since the last time. */
  function tellPlayer(named: NamedConnection) {
    if (!named.player) return;
    const message = named.timeline.nextMessage();
    if (message) options.tellPlayer(named.player, message);
  }

  /** The authorization hook, timed: a token accepted names the connection's player from now on. */
  function authorize(auth: string | undefined, named: NamedConnection | undefined): object | false {
    const startMs = clock();
    const verdict = options.authorize(auth);
    if (named && verdict.ok) named.player = verdict.value;
    if (verdict.ok) named?.timeline.add('token-accepted', startMs, clock());
    else named?.timeline.add('token-refused', startMs, clock(), verdict.error);
    return verdict.ok ? { ...verdict.value } : false; // false: geckos answers 401
  }

  io.onConnection((channel: ServerChannel) => {
    const realId = channel.id!;
    // geckos tells every server in the process of every channel that opens
    // (its event bridge is process-wide), and keeps telling a closed one.
    if (shuttingDown || !connections.has(realId)) return;
    const named = connectionIds.get(realId) ?? newConnection();
    connectionIds.set(realId, named);
    const openedAtMs = clock();
    named.ice.opened(openedAtMs);
    // ICE connected, then DTLS, SCTP and the channel's open: this step is all that follows ICE.
    named.timeline.add('channel-open', named.ice.connectedAtMs ?? openedAtMs, openedAtMs);
    const native = channel.dataChannel;
    let messageHandler: ((message: RawDatagram) => void) | null = null;
    let heardFrom = false;
    let spoke = false;
    /** Once the connection has carried a datagram each way, its setup is over: the player hears of it. */
    const reachedGame = () => {
      if (heardFrom && spoke) tellPlayer(named);
    };
    // geckos' parser JSON-parses any text datagram and throws on "null" inside
    // a native callback, which would take the process down. We replace it:
    // node-datachannel keeps one message callback per channel.
    native?.onMessage((message: RawDatagram) => {
      if (!heardFrom) {
        heardFrom = true;
        if (recording) record(named.connectionId, 'first-message', named.player);
        named.timeline.add('first-datagram-in', clock());
        reachedGame();
      }
      messageHandler?.(message);
    });
    const closedHandlers: (() => void)[] = [];
    channel.onDisconnect(() => {
      kept.delete(realId);
      for (const handler of closedHandlers) handler();
      forget(realId);
    });
    const opened: GeckosTransport = {
      kind: 'datagram',
      connectionId: named.connectionId,
      get open() {
        return native?.isOpen() ?? false;
      },
      userData: channel.userData,
      sendBinary(bytes) {
        const sent = send(channel, native, bytes);
        if (sent && !spoke) {
          spoke = true;
          named.timeline.add('first-datagram-out', clock());
          reachedGame();
        }
        return sent;
      },
      close() {
        kept.delete(realId);
        void channel.close().catch(() => {});
      },
      onMessage(handler) {
        messageHandler = handler;
      },
      onClosed(handler) {
        closedHandlers.push(handler);
      },
      transportAlive() {
        try {
          return channel.webrtcConnection?.peerConnection?.state() === 'connected';
        } catch {
          return false; // a connection closing under us
        }
      },
      identify(room, playerId) {
        named.player = { room, playerId };
      },
    };
    if (!options.opened(opened)) return;
    kept.set(realId, channel);
    if (recording) record(named.connectionId, 'channel-open', named.player);
  });

  function send(channel: ServerChannel, native: NativeChannel, bytes: Uint8Array): boolean {
    if (!native?.isOpen()) return drop(DROP_CHANNEL_CLOSED);
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
  }

  function drop(reason: string): false {
    metrics.dropped('datagram', 'out', reason);
    return false;
  }

  const reaper = setInterval(() => {
    abandoned.sweep(clock(), connections as never, kept);
    aliases.forgetClosed(geckosHolds);
    for (const realId of connectionIds.keys()) if (!geckosHolds(realId)) forget(realId);
  }, HEARTBEAT_INTERVAL_MS);

  let shuttingDown = false;
  return {
    handleSignaling(request, response) {
      const startedAtMs = clock();
      const route = signalingRouteName(request.url);
      // A handshake begun while closing would add a peer connection that
      // geckos' close has already passed over.
      if (shuttingDown) {
        response.writeHead(503, { connection: 'close' }).end('server shutting down\n');
        return;
      }
      const offer = route === 'connections' && request.method === 'POST' ? acceptedOffer(response) : undefined;
      // Clients name connections by alias; geckos gets its own ids, or a path that names none.
      const realId = translateSignaling(request, response, aliases, geckosHolds, offer?.created);
      const named = offer?.named ?? (realId === undefined ? undefined : connectionIds.get(realId));
      const step = route === 'connections' ? 'signaling-offer' : route === 'remote-description' ? 'signaling-answer' : null;
      timeSignalingAnswer(response, route, startedAtMs, clock, (atMs, status) => {
        if (!named || !step) return;
        named.timeline.add(step, startedAtMs, atMs, status === 200 ? undefined : `HTTP ${status}`);
        if (step === 'signaling-answer' && status === 200) named.ice.answerApplied(realId === undefined ? undefined : connections.get(realId)?.peerConnection);
      });
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
    async close() {
      shuttingDown = true;
      clearInterval(reaper);
      aliases.clear();
      // geckos' own close handler closes its connections and then stops
      // node-datachannel for the whole process (its cleanup()), under every
      // other server and client the process still runs; and cleanup() is
      // where a data channel collected too early crashes the process
      // (native-channel-holds.ts). So it never runs: we close the connections
      // ourselves, and the process stops node-datachannel once, at exit.
      signaling.removeAllListeners('close');
      const channelsClosing = [...kept.values()].map((channel) => channel.close().catch(() => {}));
      kept.clear();
      await Promise.all(channelsClosing);
      // Every other connection geckos holds (handshakes never bound included).
      const others = [...connections.values()] as unknown as { close(): Promise<void> }[];
      await Promise.all(others.map((peer) => peer.close().catch(() => {})));
      // Their closes come back from node-datachannel's threads: wait for them (bounded), so nothing is in flight when this returns.
      for (let waited = 0; nativeChannelsAwaitingClose() > 0 && waited < CHANNELS_CLOSED_WAIT_MS; waited += CHANNELS_CLOSED_POLL_MS) {
        await sleep(CHANNELS_CLOSED_POLL_MS, undefined, { ref: false });
      }
      for (const realId of [...connectionIds.keys()]) forget(realId);
    },
  };

  /**
   * A client asks for a new connection (geckos answers with its offer): we
   * name it now, and learn geckos' id for it from the answer. One refused
   * (a 401, a failure) is closed as soon as the answer is written; its
   * player, if its token named one, hears of it.
   */
  function acceptedOffer(response: ServerResponse): { named: NamedConnection; created: (realId: string) => void } {
    const named = newConnection();
    offers.set(response, named);
    if (recording) record(named.connectionId, 'accepted');
    let created = false;
    response.once('close', () => {
      if (created) return;
      if (recording) record(named.connectionId, 'closed', named.player);
      named.timeline.add('closed', clock());
      tellPlayer(named);
    });
    return {
      named,
      created(realId) {
        created = true;
        connectionIds.set(realId, named);
        named.ice.watch(connections.get(realId)?.peerConnection);
      },
    };
  }
}
