// The connection timeline, assembled: every attempt to open either channel,
// what the page observed of it (connection-events.ts: points on the page's
// clock, and the signaling requests Resource Timing measured), what the
// server said of it (its `connection-timeline` message, on the server's
// clock), and the marks across both lanes (reconnects, resumes, redirects,
// fallbacks, changes of the simulated network). Kept raw; `view()` turns it
// into steps (timeline-steps.ts) placed on the page's clock with the clock
// offset of that moment. Bounded: the newest TIMELINE_MAX_ATTEMPTS attempts
// per channel and TIMELINE_MAX_EVENTS marks. Pure: times are passed in.
import {
  TIMELINE_MAX_ATTEMPTS,
  TIMELINE_MAX_EVENTS,
  TIMELINE_MAX_SERVER_STEPS,
  type AttemptReason,
  type ConnectionTimeline,
  type TimelineEvent,
  type TimelineEventKind,
} from '../../protocol/connection-timeline.ts';
import type { ChannelName } from '../../protocol/constants.ts';
import type { ConnectionTimelineMessage } from '../../protocol/wire/stream.ts';
import type { ConnectionEvent, SignalingRequest } from '../net/connection-events.ts';
import { attemptSteps, type AttemptRecord, type TimelineClock } from './timeline-steps.ts';

export type { TimelineClock };

/** Candidate polls kept per attempt (geckos makes about ten). */
const MAX_REQUESTS_PER_ATTEMPT = 16;

/** Also a ConnectionEvents listener: NetClient hands it every observation (record, request). */
export class ConnectionTimelineLog {
  private readonly attempts: Record<ChannelName, AttemptRecord[]> = { stream: [], datagram: [] };
  private readonly events: TimelineEvent[] = [];
  private readonly counts: Record<ChannelName, number> = { stream: 0, datagram: 0 };
  private readonly nextReasons: Partial<Record<ChannelName, AttemptReason>> = {};

  /** `originMs`: the page's clock when the timeline began (the player asked to join); every time shown counts from it. */
  constructor(private readonly originMs: number) {}

  /** The next attempt on `channel` is made for `reason` (until then: `initial` for the first, `retry` after). */
  nextReason(channel: ChannelName, reason: AttemptReason): void {
    this.nextReasons[channel] = reason;
  }

  /** A point the page observed. `connecting` (stream) and `signaling` (datagram) begin a new attempt. */
  record(event: ConnectionEvent): void {
    if (event.step === 'connecting' || event.step === 'signaling') this.begin(event.channel);
    const attempt = this.current(event.channel);
    if (!attempt || attempt.points[event.step]) return;
    attempt.points[event.step] = { atMs: event.atMs, ...(event.detail !== undefined ? { detail: event.detail } : {}) };
    attempt.outcome = outcomeAfter(attempt.outcome, event);
  }

  /** A signaling request Resource Timing measured: it belongs to the newest datagram attempt begun before it. */
  request(request: SignalingRequest): void {
    const attempt = newest(this.attempts.datagram, (a) => (a.points.signaling?.atMs ?? Infinity) <= request.startMs);
    if (!attempt || attempt.requests.length >= MAX_REQUESTS_PER_ATTEMPT) return;
    attempt.requests.push(request);
  }

  /**
   * The server's side of one connection. It belongs to the attempt that
   * already has its connection id (a later message about the same
   * connection), else to the newest attempt on that channel with none.
   */
  serverSteps(message: ConnectionTimelineMessage): void {
    const list = this.attempts[message.channel];
    const attempt = list.find((a) => a.server?.connectionId === message.connectionId) ?? newest(list, (a) => a.server === null);
    if (!attempt) return;
    const kept = attempt.server?.steps.filter((old) => !message.steps.some((step) => step.id === old.id)) ?? [];
    const steps = [...kept, ...message.steps].slice(-TIMELINE_MAX_SERVER_STEPS);
    attempt.server = { connectionId: message.connectionId, steps, frozenClock: attempt.server?.frozenClock ?? null };
    const refusal = message.steps.find((step) => step.id === 'token-refused');
    if (refusal) attempt.outcome = `refused: datagram token${refusal.detail ? ` (${refusal.detail})` : ''}`;
  }

  /**
   * The page is about to forget this server's clock (a fresh start, or a
   * redirect to another process): steps on that clock are placed with its
   * last offset from now on.
   */
  freezeServerClock(clock: TimelineClock): void {
    for (const list of Object.values(this.attempts)) for (const a of list) if (a.server && !a.server.frozenClock) a.server.frozenClock = clock;
  }

  /** A mark across both lanes. */
  mark(kind: TimelineEventKind, channel: ChannelName | 'both', atMs: number, detail: string): void {
    this.events.push({ atMs: round(atMs - this.originMs), channel, kind, detail });
    if (this.events.length > TIMELINE_MAX_EVENTS) this.events.shift();
  }

  /** The timeline as status().timeline shows it, server steps placed with `clock` (null: not synced yet, so not placed yet). */
  view(clock: TimelineClock | null): ConnectionTimeline {
    const placed = (channel: ChannelName) =>
      this.attempts[channel].map((a) => ({ n: a.n, reason: a.reason, outcome: a.outcome, steps: attemptSteps(a, this.originMs, clock) }));
    return {
      clock: clock ?? { offsetMs: 0, rttMs: 0, pinned: false },
      channels: { stream: placed('stream'), datagram: placed('datagram') },
      events: this.events.map((e) => ({ ...e })),
    };
  }

  private begin(channel: ChannelName) {
    const list = this.attempts[channel];
    const reason = this.nextReasons[channel] ?? (list.length === 0 ? 'initial' : 'retry');
    delete this.nextReasons[channel];
    list.push({ n: ++this.counts[channel], channel, reason, outcome: 'pending', points: {}, requests: [], server: null });
    if (list.length > TIMELINE_MAX_ATTEMPTS) list.shift();
  }

  private current(channel: ChannelName): AttemptRecord | undefined {
    return this.attempts[channel].at(-1);
  }
}

/** What an attempt came to, after `event`: open once it reached the game, or why not. Settled outcomes stay. */
function outcomeAfter(outcome: string, event: ConnectionEvent): string {
  if (outcome !== 'pending') return outcome;
  const why = event.detail ? `: ${event.detail}` : '';
  switch (event.step) {
    case 'welcome':
      return event.detail === 'resumed' ? 'open (resumed)' : 'open';
    case 'refused':
      return `refused${why}`;
    case 'redirected':
      return `redirected${why}`;
    case 'first-message':
      return event.channel === 'datagram' ? 'open' : outcome;
    case 'closed':
      return event.detail ? `failed: ${event.detail}` : 'closed';
    default:
      return outcome;
  }
}

/** The newest of `list` that `test` accepts (Array.findLast is ES2023; the page targets older). */
function newest<T>(list: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return list[i];
  return undefined;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
