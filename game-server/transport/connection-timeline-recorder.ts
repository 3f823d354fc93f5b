// One connection's timeline as the server saw it: the steps it passed
// (protocol/connection-timeline.ts), each from start to end on the server's
// clock, sent to the player as a `connection-timeline` stream message to sit
// beside the page's own steps. The adapters and gateways note steps as the
// connection passes them: a handful of calls per connection, none per game
// message. A record holds at most TIMELINE_MAX_SERVER_STEPS steps and lives
// exactly as long as what holds it (the ws adapter's socket, the geckos
// adapter's entry for a connection geckos holds).
import type { ChannelName } from '../../protocol/constants.ts';
import { SERVER_STEP_IDS, TIMELINE_MAX_DETAIL_CHARS, TIMELINE_MAX_SERVER_STEPS, type ServerStepId } from '../../protocol/connection-timeline.ts';
import type { ConnectionTimelineMessage } from '../../protocol/wire/stream.ts';

type TimelineStep = ConnectionTimelineMessage['steps'][number];

export class ConnectionTimelineRecorder {
  private readonly steps: TimelineStep[] = [];
  /** How many steps the last message carried: a new message goes out only when a step was added since. */
  private stepsSent = 0;

  constructor(
    readonly channel: ChannelName,
    /** Ours (`stream-3`, `datagram-7`), never geckos' id. */
    readonly connectionId: string,
  ) {}

  /**
   * Notes step `id`, from `startMs` to `endMs` (a point when they are equal or
   * `endMs` is left out). Each step once per connection: a second note of the
   * same id, or one past TIMELINE_MAX_SERVER_STEPS, is ignored.
   */
  add(id: ServerStepId, startMs: number, endMs = startMs, detail?: string): void {
    if (this.has(id) || this.steps.length >= TIMELINE_MAX_SERVER_STEPS) return;
    const start = roundMs(startMs);
    // A step never ends before it starts (the schema refuses that), even when rounding would say so.
    const step: TimelineStep = { id, startMs: start, endMs: Math.max(start, roundMs(endMs)) };
    if (detail !== undefined) step.detail = detail.slice(0, TIMELINE_MAX_DETAIL_CHARS);
    this.steps.push(step);
  }

  has(id: ServerStepId): boolean {
    return this.steps.some((step) => step.id === id);
  }

  /**
   * Every step so far, earliest start first, when one was added since the
   * last message; null when there is nothing new to tell. Steps that start
   * in the same tenth of a millisecond (an offer and the token check inside
   * it) keep the order a connection passes them (SERVER_STEP_IDS). Each
   * message carries the whole record, so a later one for the same
   * connection supersedes the earlier.
   */
  nextMessage(): ConnectionTimelineMessage | null {
    if (this.steps.length === this.stepsSent) return null;
    this.stepsSent = this.steps.length;
    const steps = [...this.steps].sort((a, b) => a.startMs - b.startMs || STEP_ORDER.get(a.id)! - STEP_ORDER.get(b.id)!);
    return { type: 'connection-timeline', channel: this.channel, connectionId: this.connectionId, steps };
  }
}

const STEP_ORDER = new Map(SERVER_STEP_IDS.map((id, i) => [id, i]));

/** To a tenth of a millisecond, never negative: finer than the clock is worth, and shorter on the wire. */
function roundMs(ms: number): number {
  return Math.max(0, Math.round(ms * 10) / 10);
}
