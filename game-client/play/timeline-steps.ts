// One attempt's steps, made from what was observed of it: each step an
// interval on the page's clock (ms since the timeline began), with the socket
// call it stands for, how well it is known and how it was measured. The rule
// is to invent nothing: a step is drawn from two observed points (or one
// Resource Timing entry, or the server's own report); a step one end of which
// had to be inferred says `approximate` and from what; a step this WebRTC
// stack cannot observe says `unavailable` and has no times; a step that has
// not happened yet is not there. Pure.
import {
  STEP_MEANINGS,
  type TimelineQuality,
  type TimelineSide,
  type TimelineStep,
  type AttemptReason,
  type TimelineStepId,
} from '../../protocol/connection-timeline.ts';
import type { ChannelName } from '../../protocol/constants.ts';
import type { ConnectionTimelineMessage } from '../../protocol/wire/stream.ts';
import type { ConnectionStep, SignalingRequest } from '../net/connection-events.ts';

/** The server's clock on the page's: server minus page, the round trip the estimate came from, and whether it is exact. */
export interface TimelineClock {
  offsetMs: number;
  rttMs: number;
  pinned: boolean;
}

/** One point the page observed: when, and what it said. */
export interface ObservedPoint {
  atMs: number;
  detail?: string;
}

/** The server's steps of one connection, on its clock, and the clock they are placed with once that server is left behind. */
export interface ServerSide {
  connectionId: string;
  steps: ConnectionTimelineMessage['steps'];
  frozenClock: TimelineClock | null;
}

/** One attempt, as observed: raw, until `view()` makes steps of it. */
export interface AttemptRecord {
  n: number;
  channel: ChannelName;
  reason: AttemptReason;
  outcome: string;
  /** The first time each step was seen on this connection (a step is kept once). */
  points: Partial<Record<ConnectionStep, ObservedPoint>>;
  requests: SignalingRequest[];
  server: ServerSide | null;
}

const EVENT_SOURCE = 'the page’s clock when the event reached its script';

/** The steps of `attempt`, in the order they began (steps that cannot be observed last). */
export function attemptSteps(attempt: AttemptRecord, originMs: number, clock: TimelineClock | null): TimelineStep[] {
  const steps: TimelineStep[] = [];
  const add = (id: TimelineStepId, side: TimelineSide, from: number, to: number, quality: TimelineQuality, source: string, detail?: string) => {
    const startMs = round(from - originMs);
    const endMs = round(Math.max(from, to) - originMs);
    steps.push({ id, side, seedCall: seedCall(side, id), startMs, endMs, durationMs: round(endMs - startMs), quality, source, ...(detail ? { detail } : {}) });
  };
  const unavailable = (id: TimelineStepId, why: string) =>
    steps.push({ id, side: 'page', seedCall: seedCall('page', id), startMs: null, endMs: null, durationMs: null, quality: 'unavailable', source: why });
  const point = (step: ConnectionStep) => attempt.points[step];
  /** A step from `from` to `to`, or, if it never ended, to the close (saying so); nothing if it has not begun. */
  const between = (id: TimelineStepId, from: ObservedPoint | undefined, to: ObservedPoint | undefined, source: string, detail?: string) => {
    if (!from) return;
    if (to) return add(id, 'page', from.atMs, to.atMs, 'exact', source, detail ?? to.detail);
    const closed = point('closed');
    if (closed) add(id, 'page', from.atMs, closed.atMs, 'exact', source, `did not finish: closed${closed.detail ? ` (${closed.detail})` : ''}`);
  };

  if (attempt.channel === 'stream') streamSteps(attempt, between);
  else datagramSteps(attempt, add, between, unavailable);
  const closed = point('closed');
  if (closed) add('closed', 'page', closed.atMs, closed.atMs, 'exact', `socket’s close event, on ${EVENT_SOURCE}`, closed.detail);
  if (attempt.server && clock) serverSteps(attempt, clock, add);
  return steps.sort((a, b) => (a.startMs ?? Infinity) - (b.startMs ?? Infinity));
}

type Between = (id: TimelineStepId, from: ObservedPoint | undefined, to: ObservedPoint | undefined, source: string, detail?: string) => void;
type Add = (id: TimelineStepId, side: TimelineSide, from: number, to: number, quality: TimelineQuality, source: string, detail?: string) => void;

function streamSteps(attempt: AttemptRecord, between: Between) {
  const p = attempt.points;
  between(
    'ws-connect',
    p.connecting,
    p['channel-open'],
    `new WebSocket() → its open event, on ${EVENT_SOURCE}: TCP connect, the upgrade request and its 101 (the page cannot see them apart; the server’s rows can)`,
  );
  const answer = p.welcome ? 'hello-welcome' : p.refused ? 'hello-refused' : p.redirected ? 'hello-redirect' : 'hello-welcome';
  between(
    answer,
    p.hello,
    p.welcome ?? p.refused ?? p.redirected,
    `hello handed to the game’s send → the answer parsed, on ${EVENT_SOURCE}; includes the simulated network, which acts above the socket`,
  );
  between('first-message', p['channel-open'], p['first-message'], `open event → the first message event, on ${EVENT_SOURCE}`);
}

function datagramSteps(attempt: AttemptRecord, add: Add, between: Between, unavailable: (id: TimelineStepId, why: string) => void) {
  const p = attempt.points;
  const polyfill = p['peer-connection']?.detail === 'polyfill';
  const request = (kind: SignalingRequest['request']) => attempt.requests.find((r) => r.request === kind);

  const offer = request('offer');
  if (offer) addRequest(add, 'signaling-offer', offer);
  else if (p.signaling && p['peer-connection'])
    add(
      'signaling-offer',
      'page',
      p.signaling.atMs,
      p['peer-connection'].atMs,
      'approximate',
      'no Resource Timing entry: from geckos’ connect() to the peer connection it makes once the offer is parsed',
    );
  else if (p.signaling && p.closed?.detail?.startsWith('status'))
    add(
      'signaling-offer',
      'page',
      p.signaling.atMs,
      p.closed.atMs,
      'approximate',
      'no Resource Timing entry: from geckos’ connect() to its error',
      `HTTP ${p.closed.detail}`,
    );

  between('ice-gathering', p['ice-gathering'], p['ice-gathered'], `icegatheringstatechange: gathering → complete, on ${EVENT_SOURCE}`);
  // Reached the channel without this stack ever saying it gathered: it does not report it (node-datachannel gathers before it says anything).
  if (!p['ice-gathering'] && p['data-channel']) unavailable('ice-gathering', 'this WebRTC stack reported no gathering states');
  const answer = request('answer');
  if (answer) addRequest(add, 'signaling-answer', answer);
  else if (p['peer-connection'] && polyfill)
    unavailable('signaling-answer', 'no Resource Timing entry: Node’s fetch makes one only once the body is read, and geckos never reads the answer’s');
  const candidates = attempt.requests.filter((r) => r.request === 'candidates');
  if (candidates.length > 0) {
    const first = candidates[0]!;
    const last = candidates.reduce((a, b) => (b.endMs > a.endMs ? b : a));
    add(
      'signaling-candidates',
      'page',
      first.startMs,
      last.endMs,
      'exact',
      'Resource Timing: the first poll’s start → the last one’s end',
      `${candidates.length} GET polls (geckos asks for the server’s late candidates, backing off)`,
    );
  }
  between('ice-checks', p['ice-checking'], p['ice-connected'] ?? p['ice-failed'], `iceconnectionstatechange: checking → connected, on ${EVENT_SOURCE}`);

  if (polyfill) {
    const why = 'node-datachannel’s polyfill reports the DTLS and SCTP transports’ state as the peer connection’s own: they cannot be told apart here';
    unavailable('dtls', why);
    unavailable('sctp', why);
  } else {
    if (p['dtls-connecting'])
      between(
        'dtls',
        p['dtls-connecting'],
        p['dtls-connected'] ?? p['dtls-failed'],
        `RTCDtlsTransport statechange: connecting → connected, on ${EVENT_SOURCE}`,
      );
    else if (p['dtls-connected'] && p['ice-connected'])
      add(
        'dtls',
        'page',
        p['ice-connected'].atMs,
        p['dtls-connected'].atMs,
        'approximate',
        'its start not seen: from ICE connected (DTLS cannot begin sooner) to RTCDtlsTransport connected',
      );
    between(
      'sctp',
      p['dtls-connected'],
      p['sctp-connected'],
      `from DTLS connected (SCTP’s INIT follows it) to RTCSctpTransport statechange connected, on ${EVENT_SOURCE}`,
    );
  }

  const opened = p['data-channel'] ?? p['channel-open'];
  const before = p['sctp-connected'] ?? p['dtls-connected'] ?? p['ice-connected'];
  if (p['data-channel'] && before)
    between('channel-open', before, p['data-channel'], `the last transport step → the datachannel event (the server’s DATA_CHANNEL_OPEN), on ${EVENT_SOURCE}`);
  else if (opened && before)
    add('channel-open', 'page', before.atMs, opened.atMs, 'approximate', 'no datachannel event seen: to geckos’ connect callback, which follows it');
  between('first-datagram-out', opened, p['first-send'], `channel open → the first datagram handed to it, on ${EVENT_SOURCE}`);
  between('first-datagram-in', opened, p['first-message'], `channel open → the first datagram’s message event, on ${EVENT_SOURCE}`);
}

function addRequest(add: Add, id: TimelineStepId, r: SignalingRequest) {
  const parts = [
    r.status !== null ? `HTTP ${r.status}` : 'status not reported',
    r.connectMs > 0 ? `TCP connect ${round(r.connectMs)} ms` : 'kept-alive connection',
    `request → first byte ${round(r.waitMs)} ms`,
    ...r.serverTiming.map((t) => `server ${t.name} ${round(t.durationMs)} ms`),
  ];
  add(
    id,
    'page',
    r.startMs,
    r.endMs,
    'exact',
    `Resource Timing: fetchStart → responseEnd${r.serverTiming.length ? '; Server-Timing for the server’s own part' : ''}`,
    parts.join(' · '),
  );
}

function serverSteps(attempt: AttemptRecord, current: TimelineClock, add: Add) {
  const server = attempt.server!;
  const clock = server.frozenClock ?? current;
  const how = clock.pinned ? 'pinned: exact on this machine' : `± ${round(clock.rttMs / 2)} ms, half the best ping’s round trip`;
  const source = `the server’s clock, placed with the clock offset ${round(clock.offsetMs)} ms (${how})`;
  for (const step of server.steps) add(step.id, 'server', step.startMs - clock.offsetMs, step.endMs - clock.offsetMs, 'server-clock', source, step.detail);
}

function seedCall(side: TimelineSide, id: TimelineStepId): string {
  return STEP_MEANINGS[`${side}:${id}`]?.socketCall ?? '';
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
