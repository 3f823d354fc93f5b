// What the client sees of each connection's life, with times on the page's
// clock (the `now` NetClient is given, by default performance.now()): the ws
// adapter when it makes its socket, when it opens, its first message, its
// close; NetClient when it says hello and how the server answers; the geckos
// adapter when signaling starts, what its peer connection passes through
// (geckos/peer-connection-tap.ts: ICE, DTLS, SCTP, the data channel), its
// first datagram each way, its close; and the signaling requests as Resource
// Timing measured them (geckos/signaling-timing.ts). The server's adapters
// report their side in similar words (game-server/transport/connection-events.ts);
// the connection timeline (play/connection-timeline-log.ts) reads both, and
// nothing in the game depends on them. Each step is reported once per
// connection (never once per message), so they cost nearly nothing.
import type { ChannelName } from './channels.ts';

export type ConnectionStep =
  /** ws: `new WebSocket` (the TCP connect and HTTP upgrade start). */
  | 'connecting'
  /** geckos: signaling started (the offer's HTTP request). */
  | 'signaling'
  /** ws: the socket opened (upgrade done); geckos: signaling and ICE done, the data channel open. */
  | 'channel-open'
  /** The first message on this connection (for geckos, the first datagram: what the client counts as open). */
  | 'first-message'
  /** Either: closed, or gave up opening (`detail` says why). */
  | 'closed'
  // The stream's first exchange (NetClient): the hello handed to the game's send, and the server's answer to it.
  | 'hello'
  | 'welcome'
  | 'refused'
  | 'redirected'
  // The datagram channel's peer connection (geckos/peer-connection-tap.ts), as its own events tell it:
  /** geckos made its RTCPeerConnection (the offer's response is in); `detail` is the WebRTC stack, a WebRtcStack. */
  | 'peer-connection'
  | 'ice-gathering'
  | 'ice-gathered'
  | 'ice-checking'
  | 'ice-connected'
  | 'ice-failed'
  | 'dtls-connecting'
  | 'dtls-connected'
  | 'dtls-failed'
  | 'sctp-connected'
  /** The server's data channel arrived open (its DATA_CHANNEL_OPEN, over SCTP). */
  | 'data-channel'
  /** The first datagram handed to the data channel. */
  | 'first-send';

/**
 * Whose WebRTC this is: the browser's own, whose DTLS and SCTP transports
 * report their states apart, or node-datachannel's W3C polyfill (the bots),
 * whose transports only echo the peer connection's state.
 */
export type WebRtcStack = 'browser' | 'polyfill';

/** One signaling request of the datagram channel, as Resource Timing measured it (page clock, ms). */
export interface SignalingRequest {
  request: 'offer' | 'answer' | 'candidates';
  /** fetchStart → responseEnd. */
  startMs: number;
  endMs: number;
  /** The response's status where the platform reports it (Chrome ≥ 109), else null. */
  status: number | null;
  /** Time spent opening a TCP connection for it (0: a kept-alive one was reused). */
  connectMs: number;
  /** Request sent → first byte of the response: the server's time plus a round trip. */
  waitMs: number;
  /** The server's own durations, from its Server-Timing header (browsers only; Node's fetch does not report them). */
  serverTiming: { name: string; durationMs: number; description: string }[];
}

export interface ConnectionEvent {
  channel: ChannelName;
  step: ConnectionStep;
  /** The page's clock, ms. */
  atMs: number;
  detail?: string;
}

export interface ConnectionEvents {
  record(event: ConnectionEvent): void;
  /** A signaling request's measured times (they arrive late: Resource Timing entries are delivered in batches). */
  request?(request: SignalingRequest): void;
}

/** The default: nobody listens. */
export const NO_CONNECTION_EVENTS: ConnectionEvents = { record() {} };

/** Events told to `first`, then to `second` if there is one (the timeline, and a caller's own listener). */
export function alsoTo(first: Required<ConnectionEvents>, second: ConnectionEvents | undefined): ConnectionEvents {
  if (!second || second === NO_CONNECTION_EVENTS) return first;
  return {
    record(event) {
      first.record(event);
      second.record(event);
    },
    request(request) {
      first.request(request);
      second.request?.(request);
    },
  };
}

/** What an adapter calls: a step (and why), stamped with the channel and the time by its channel. */
export type StepReport = (step: ConnectionStep, detail?: string) => void;

/** A report for `channel`'s adapters, stamping each step with `now()`. */
export function stepReport(channel: ChannelName, events: ConnectionEvents, now: () => number): StepReport {
  if (events === NO_CONNECTION_EVENTS) return () => {};
  return (step, detail) => events.record({ channel, step, atMs: now(), ...(detail !== undefined ? { detail } : {}) });
}
