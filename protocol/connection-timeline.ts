// The vocabulary of the connection timeline: every step a connection of
// either channel passes, who can see it (the page or the server), the socket
// call it stands for, and how well it can be measured. The server sends its
// steps to the player over the stream (`connection-timeline` in
// wire/stream.ts); the page adds its own and draws both as a waterfall; the
// bots print them as a table. One list, so the three agree on the words.
//
// The classic lesson this stands for: a stream socket is socket → connect →
// (the server's accept) → send/recv → close; a datagram socket is socket →
// bind → sendto/recvfrom with no connection at all (WebRTC adds ICE, DTLS and
// SCTP on top, and signaling over HTTP before any of them); a WebSocket
// begins as an ordinary HTTP request the server upgrades (101 Switching
// Protocols), after which either side may push.
import type { ChannelName } from './constants.ts';

/** Who observed a step, on whose clock. */
export type TimelineSide = 'page' | 'server';

/**
 * How a step's times were obtained:
 * - `exact`: read on the page's own clock;
 * - `server-clock`: read on the server's clock, placed on the page's with the clock offset (± half the round trip, or pinned);
 * - `approximate`: inferred (for example from a neighbouring step, or a state seen at a poll);
 * - `unavailable`: this stack cannot observe it (the Node bots' WebRTC reports less than a browser): shown as such, never invented.
 */
export type TimelineQuality = 'exact' | 'server-clock' | 'approximate' | 'unavailable';

/** Why an attempt to open a channel was made. */
export type AttemptReason = 'initial' | 'reconnect' | 'retry' | 'redirect' | 'fresh-start';

/** Marks across both lanes: things that happened to the session, not to one connection. */
export type TimelineEventKind = 'reconnect' | 'resume' | 'fresh-start' | 'redirect' | 'fallback' | 'fallback-ended' | 'conditions' | 'refused' | 'shutdown';

/** Steps the server sees (it sends these); the page adds its own (PAGE_STEPS). */
export const SERVER_STEP_IDS = [
  // stream
  'tcp-accept',
  'http-upgrade',
  'upgrade-101',
  'hello-welcome',
  'hello-refused',
  'hello-redirect',
  // datagram
  'signaling-offer',
  'signaling-answer',
  'token-accepted',
  'token-refused',
  'ice',
  'channel-open',
  'first-datagram-in',
  'first-datagram-out',
  // either
  'closed',
] as const;
export type ServerStepId = (typeof SERVER_STEP_IDS)[number];

export const PAGE_STEP_IDS = [
  // stream
  'ws-connect',
  'hello-welcome',
  'hello-refused',
  'hello-redirect',
  'first-message',
  // datagram
  'signaling-offer',
  'signaling-answer',
  'signaling-candidates',
  'ice-gathering',
  'ice-checks',
  'dtls',
  'sctp',
  'channel-open',
  'first-datagram-out',
  'first-datagram-in',
  // either
  'closed',
] as const;
export type PageStepId = (typeof PAGE_STEP_IDS)[number];

export type TimelineStepId = ServerStepId | PageStepId;

/** What one step is, for the panel and the bots' table: the socket call (or HTTP exchange) it stands for, and a line on how it is measured. */
export interface StepMeaning {
  channel: ChannelName | 'either';
  /** The socket call, and the HTTP request/response where there is one. */
  socketCall: string;
  label: string;
}

/** Keyed by `side:id`, since both sides name some steps alike (hello-welcome, channel-open, closed). */
export const STEP_MEANINGS: Record<`${TimelineSide}:${string}`, StepMeaning> = {
  'page:ws-connect': { channel: 'stream', socketCall: 'connect() + GET Upgrade: websocket → 101', label: 'new WebSocket → open' },
  'server:tcp-accept': { channel: 'stream', socketCall: 'accept()', label: 'TCP connection accepted' },
  'server:http-upgrade': { channel: 'stream', socketCall: 'recv() GET / Upgrade: websocket', label: 'accept → upgrade request parsed' },
  'server:upgrade-101': { channel: 'stream', socketCall: 'send() HTTP/1.1 101 Switching Protocols', label: 'upgrade request → 101 written' },
  'page:hello-welcome': { channel: 'stream', socketCall: 'send() hello → recv() welcome', label: 'hello → welcome' },
  'server:hello-welcome': { channel: 'stream', socketCall: 'recv() hello → send() welcome', label: 'hello read → welcome sent' },
  'server:hello-refused': { channel: 'stream', socketCall: 'recv() hello → send() error', label: 'hello refused' },
  'server:hello-redirect': { channel: 'stream', socketCall: 'recv() hello → send() redirect', label: 'hello → redirect' },
  'page:hello-refused': { channel: 'stream', socketCall: 'send() hello → recv() error', label: 'hello → refused' },
  'page:hello-redirect': { channel: 'stream', socketCall: 'send() hello → recv() redirect', label: 'hello → redirect' },
  'page:first-message': { channel: 'stream', socketCall: 'recv()', label: 'open → first message' },
  'page:signaling-offer': { channel: 'datagram', socketCall: 'HTTP POST /connections → 200 (offer)', label: 'signaling: offer' },
  'server:signaling-offer': { channel: 'datagram', socketCall: 'HTTP POST /connections → 200 (offer)', label: 'offer made' },
  'page:signaling-answer': { channel: 'datagram', socketCall: 'HTTP POST /remote-description → 200', label: 'signaling: answer' },
  'server:signaling-answer': { channel: 'datagram', socketCall: 'HTTP POST /remote-description → 200', label: 'answer applied' },
  'page:signaling-candidates': { channel: 'datagram', socketCall: 'HTTP GET /additional-candidates', label: 'signaling: candidates' },
  'server:token-accepted': { channel: 'datagram', socketCall: 'HTTP Authorization checked', label: 'datagram token accepted' },
  'server:token-refused': { channel: 'datagram', socketCall: 'HTTP 401', label: 'datagram token refused' },
  'page:ice-gathering': { channel: 'datagram', socketCall: 'bind() (local candidates)', label: 'ICE gathering' },
  'page:ice-checks': { channel: 'datagram', socketCall: 'sendto()/recvfrom() STUN checks', label: 'ICE checks' },
  'server:ice': { channel: 'datagram', socketCall: 'sendto()/recvfrom() STUN checks', label: 'ICE (server)' },
  'page:dtls': { channel: 'datagram', socketCall: 'sendto()/recvfrom() DTLS handshake', label: 'DTLS' },
  'page:sctp': { channel: 'datagram', socketCall: 'sendto()/recvfrom() SCTP INIT/COOKIE', label: 'SCTP association' },
  'page:channel-open': { channel: 'datagram', socketCall: 'DATA_CHANNEL_OPEN (over SCTP)', label: 'data channel open' },
  'server:channel-open': { channel: 'datagram', socketCall: 'DATA_CHANNEL_OPEN (over SCTP)', label: 'data channel open (server)' },
  'page:first-datagram-out': { channel: 'datagram', socketCall: 'sendto()', label: 'first datagram sent' },
  'page:first-datagram-in': { channel: 'datagram', socketCall: 'recvfrom()', label: 'first datagram received' },
  'server:first-datagram-in': { channel: 'datagram', socketCall: 'recvfrom()', label: 'first datagram received (server)' },
  'server:first-datagram-out': { channel: 'datagram', socketCall: 'sendto()', label: 'first datagram sent (server)' },
  'page:closed': { channel: 'either', socketCall: 'close()', label: 'closed' },
  'server:closed': { channel: 'either', socketCall: 'close()', label: 'closed (server)' },
};

/** One step as `status().timeline` and the panel hold it: times on the page's clock (ms since the timeline began). */
export interface TimelineStep {
  id: TimelineStepId;
  side: TimelineSide;
  /** The socket call it stands for (STEP_MEANINGS). */
  seedCall: string;
  /** ms since the timeline began; null (all three) when `quality` is `unavailable`: never a made-up time. */
  startMs: number | null;
  endMs: number | null;
  durationMs: number | null;
  quality: TimelineQuality;
  /** How it was measured, in a line: the hover text. */
  source: string;
  detail?: string;
}

/** One attempt to open one channel. */
export interface TimelineAttempt {
  n: number;
  reason: AttemptReason;
  /** `pending` until it ends: `open` (reached the game), or why not (`refused: …`, `closed`, `failed: …`). */
  outcome: string;
  steps: TimelineStep[];
}

export interface TimelineEvent {
  atMs: number;
  channel: ChannelName | 'both';
  kind: TimelineEventKind;
  detail: string;
}

/** `window.netcode.status().timeline`. */
export interface ConnectionTimeline {
  /** The offset used to place server steps (server clock minus page clock), the round trip it came from, and whether it was pinned (known exactly) rather than estimated. */
  clock: { offsetMs: number; rttMs: number; pinned: boolean };
  channels: Record<ChannelName, TimelineAttempt[]>;
  events: TimelineEvent[];
}

/** How many attempts per channel, and events, the timeline keeps (the oldest go first). */
export const TIMELINE_MAX_ATTEMPTS = 6;
export const TIMELINE_MAX_EVENTS = 24;
/** At most this many steps in one `connection-timeline` message (the schema's bound). */
export const TIMELINE_MAX_SERVER_STEPS = 16;
/** The longest `detail` a server step carries (an error code, a redirect's address), in characters. */
export const TIMELINE_MAX_DETAIL_CHARS = 120;
