// The last few seconds of one channel's measurements: what the net graph
// shows. Totals since the settings changed answer "how did this setup do";
// this window answers "how is it doing now", and forgets a burst of loss
// within seconds of the network getting better. Pure: the caller passes the
// clock in.
import { STATS_MIN_RATE_SPAN_MS, STATS_RECENT_MAX_EVENTS, STATS_RECENT_WINDOW_MS } from '../constants.ts';
import { percentile } from './percentile.ts';

/** Figures over the last `windowMs` milliseconds. */
export interface RecentSummary {
  /** How far back these figures reach: STATS_RECENT_WINDOW_MS, or less right after a reset. */
  windowMs: number;
  received: number;
  lost: number;
  /** 0–100. */
  lossPct: number;
  outOfOrder: number;
  late: number;
  ageP50Ms: number;
  ageP95Ms: number;
  rttMs: number;
  kbpsIn: number;
  kbpsOut: number;
}

/** One update's fate, as it was decided at `atMs`. */
interface UpdateEvent {
  atMs: number;
  seq: number;
  /** `recovered`: was counted lost, then arrived after all (the arrival counts, not the loss). */
  kind: 'received' | 'lost' | 'recovered' | 'stale';
  outOfOrder: boolean;
  ageMs: number | null;
  late: boolean;
}

interface TimedValue {
  atMs: number;
  value: number;
}

/** Drops entries older than `sinceMs` (and beyond `max`) from the front of a time-ordered list. */
function prune<T extends { atMs: number }>(list: T[], sinceMs: number, max: number, onDrop?: (item: T) => void) {
  let drop = 0;
  while (drop < list.length && (list[drop]!.atMs < sinceMs || list.length - drop > max)) {
    onDrop?.(list[drop]!);
    drop++;
  }
  if (drop > 0) list.splice(0, drop);
}

export class RecentWindow {
  private readonly updates: UpdateEvent[] = [];
  /** The update events still in the window, by sequence number. */
  private readonly bySeq = new Map<number, UpdateEvent>();
  private readonly rtts: TimedValue[] = [];
  private readonly bytesIn: TimedValue[] = [];
  private readonly bytesOut: TimedValue[] = [];

  constructor(private readonly startedAtMs: number) {}

  addReceived(nowMs: number, seq: number, outOfOrder: boolean) {
    const lost = this.bySeq.get(seq);
    if (lost?.kind === 'lost') lost.kind = 'recovered';
    this.push(nowMs, { atMs: nowMs, seq, kind: 'received', outOfOrder, ageMs: null, late: false });
  }

  /** Sequence numbers `from` … `to - 1` were skipped: lost, until one of them shows up. */
  addLost(nowMs: number, from: number, to: number) {
    // A gap longer than the window holds (a long stall) is counted only as far as the window reaches.
    for (let seq = Math.max(from, to - STATS_RECENT_MAX_EVENTS); seq < to; seq++) {
      this.push(nowMs, { atMs: nowMs, seq, kind: 'lost', outOfOrder: false, ageMs: null, late: false });
    }
  }

  /** An update too old to account for: out of order, not used. */
  addStale(nowMs: number) {
    this.push(nowMs, { atMs: nowMs, seq: -1, kind: 'stale', outOfOrder: true, ageMs: null, late: false });
  }

  setAge(seq: number, ageMs: number, late: boolean) {
    const update = this.bySeq.get(seq);
    if (update?.kind !== 'received') return;
    update.ageMs = ageMs;
    update.late = late;
  }

  addRtt(nowMs: number, rttMs: number) {
    this.rtts.push({ atMs: nowMs, value: rttMs });
    this.prune(nowMs);
  }

  addBytesIn(nowMs: number, bytes: number) {
    this.bytesIn.push({ atMs: nowMs, value: bytes });
    this.prune(nowMs);
  }

  addBytesOut(nowMs: number, bytes: number) {
    this.bytesOut.push({ atMs: nowMs, value: bytes });
    this.prune(nowMs);
  }

  summary(nowMs: number): RecentSummary {
    this.prune(nowMs);
    const windowMs = Math.max(0, Math.min(STATS_RECENT_WINDOW_MS, nowMs - this.startedAtMs));
    let received = 0;
    let lost = 0;
    let outOfOrder = 0;
    let late = 0;
    const ages: number[] = [];
    for (const update of this.updates) {
      if (update.kind === 'received') received++;
      if (update.kind === 'lost') lost++;
      if (update.outOfOrder) outOfOrder++;
      if (update.late) late++;
      if (update.ageMs !== null) ages.push(update.ageMs);
    }
    const round = (v: number) => Math.round(v * 10) / 10;
    const rateSpanMs = Math.max(STATS_MIN_RATE_SPAN_MS, windowMs);
    const kbps = (list: TimedValue[]) => round((8 * list.reduce((sum, item) => sum + item.value, 0)) / rateSpanMs); // bits per ms = kbit/s
    return {
      windowMs: Math.round(windowMs),
      received,
      lost,
      lossPct: received + lost === 0 ? 0 : round((100 * lost) / (received + lost)),
      outOfOrder,
      late,
      ageP50Ms: round(percentile(ages, 50)),
      ageP95Ms: round(percentile(ages, 95)),
      rttMs: round(
        percentile(
          this.rtts.map((r) => r.value),
          50,
        ),
      ),
      kbpsIn: kbps(this.bytesIn),
      kbpsOut: kbps(this.bytesOut),
    };
  }

  private push(nowMs: number, update: UpdateEvent) {
    this.updates.push(update);
    if (update.seq >= 0) this.bySeq.set(update.seq, update);
    this.prune(nowMs);
  }

  private prune(nowMs: number) {
    const since = nowMs - STATS_RECENT_WINDOW_MS;
    prune(this.updates, since, STATS_RECENT_MAX_EVENTS, (update) => {
      if (this.bySeq.get(update.seq) === update) this.bySeq.delete(update.seq);
    });
    prune(this.rtts, since, STATS_RECENT_MAX_EVENTS);
    prune(this.bytesIn, since, STATS_RECENT_MAX_EVENTS);
    prune(this.bytesOut, since, STATS_RECENT_MAX_EVENTS);
  }
}
