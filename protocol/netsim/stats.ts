// Per-channel measurements: what arrived, what was lost or reordered, how old
// each update was when it was applied, round-trip time and bandwidth.
// Pure: the caller passes the clock in.
import { LATE_UPDATE_MS, NET_GRAPH_UPDATES, STATS_SAMPLE_WINDOW, STATS_SEQUENCE_WINDOW } from '../constants.ts';
import { percentile, percentiles } from './percentile.ts';
import { RecentWindow, type RecentSummary } from './recent-window.ts';

/** What became of one update, for the net graph. */
export type UpdateOutcome = 'on-time' | 'late' | 'lost';

export interface UpdateMark {
  seq: number;
  outcome: UpdateOutcome;
  /** Age when applied (0 for a lost update, or before the clocks are synced). */
  ageMs: number;
}

/** What a ChannelMeter reports: totals since it started, and the recent window. */
export interface ChannelFigures {
  received: number;
  lost: number;
  /** 0–100. */
  lossPct: number;
  outOfOrder: number;
  duplicates: number;
  late: number;
  ageP50Ms: number;
  ageP95Ms: number;
  ageP99Ms: number;
  rttMs: number;
  kbpsIn: number;
  kbpsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** The same figures over the last few seconds only (what the net graph shows). */
  recent: RecentSummary;
}

/** A fixed-size window of the newest samples. */
class SampleWindow {
  private readonly samples: number[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {}
  add(value: number) {
    if (this.samples.length < this.capacity) this.samples.push(value);
    else this.samples[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }
  values(): readonly number[] {
    return this.samples;
  }
}

/**
 * The sequence numbers seen within the newest `size`, to spot duplicates: a
 * ring indexed by seq mod size holding the seq last seen there (no Set entry
 * to add and delete per update). Exact within `size` of the highest seq added
 * (a seq that old is never added, so nothing in the window is overwritten);
 * older ones read as not seen, as the Set that forgot them did.
 */
class SeenRing {
  private readonly slots: Float64Array;
  constructor(private readonly size: number) {
    this.slots = new Float64Array(size).fill(-1);
  }
  has(seq: number, highest: number): boolean {
    return seq > highest - this.size && this.slots[seq % this.size] === seq;
  }
  add(seq: number): void {
    this.slots[seq % this.size] = seq;
  }
}

/** What the recent window reports when the net graph's bookkeeping is off: nothing. */
const NO_RECENT: RecentSummary = {
  windowMs: 0,
  received: 0,
  lost: 0,
  lossPct: 0,
  outOfOrder: 0,
  late: 0,
  ageP50Ms: 0,
  ageP95Ms: 0,
  rttMs: 0,
  kbpsIn: 0,
  kbpsOut: 0,
};

/** How a ChannelMeter is made. */
export interface ChannelMeterOptions {
  /**
   * Keep the net graph's bookkeeping: the recent window (its figures and the
   * rates) and the strip of the newest updates' outcomes (default true). A
   * headless bot turns it off: no page draws it, and it cost a 100-bot
   * process about a tenth of its JavaScript thread.
   */
  netGraph?: boolean;
}

/**
 * Forgets the keys that left a window of `size` sequence numbers when the
 * highest moved from `previous` to `highest`: just that range, so a packet
 * costs a few deletes rather than a pass over everything kept.
 */
function forgetFallenOut(keys: { keys(): Iterable<number>; delete(key: number): boolean }, previous: number, highest: number, size: number) {
  const from = previous - size + 1;
  const to = highest - size;
  if (to - from > size) {
    for (const key of [...keys.keys()]) if (key <= to) keys.delete(key);
  } else {
    for (let key = from; key <= to; key++) keys.delete(key);
  }
}

/** Measures one channel (datagram or stream) as one receiver sees it. */
export class ChannelMeter {
  received = 0;
  duplicates = 0;
  outOfOrder = 0;
  late = 0;
  bytesIn = 0;
  bytesOut = 0;
  private firstSeq = -1;
  private highestSeq = -1;
  /** Sequence numbers received within STATS_SEQUENCE_WINDOW of the highest, to spot duplicates. */
  private readonly seen = new SeenRing(STATS_SEQUENCE_WINDOW);
  private readonly ages = new SampleWindow(STATS_SAMPLE_WINDOW);
  private readonly rtts = new SampleWindow(STATS_SAMPLE_WINDOW);
  /** Everything above, but only the last few seconds of it (null: the net graph's bookkeeping is off). */
  private readonly window: RecentWindow | null;
  /** The newest NET_GRAPH_UPDATES sequence numbers and what became of each. */
  private readonly marks = new Map<number, UpdateMark>();
  /** An update older than this when applied is "late": it missed its interpolation slot. */
  lateThresholdMs = LATE_UPDATE_MS;

  /** The net graph's strip is kept (see ChannelMeterOptions). */
  private readonly keepMarks: boolean;

  /** `startedAtMs`: when measuring began (a reset), so the recent window never reaches back before it. */
  constructor(startedAtMs = 0, lateThresholdMs = LATE_UPDATE_MS, options: ChannelMeterOptions = {}) {
    const netGraph = options.netGraph ?? true;
    this.window = netGraph ? new RecentWindow(startedAtMs) : null;
    this.keepMarks = netGraph;
    this.lateThresholdMs = lateThresholdMs;
  }

  /**
   * Records a sequenced update. Returns false for a duplicate or one too old to
   * account for, which the caller should not apply.
   */
  recordUpdate(seq: number, nowMs: number, bytes: number): boolean {
    this.bytesIn += bytes;
    this.window?.addBytesIn(nowMs, bytes);
    if (this.firstSeq < 0) this.firstSeq = seq;
    if (this.seen.has(seq, this.highestSeq)) {
      this.duplicates++;
      return false;
    }
    // Older than anything we account for: it arrived out of order, too late to use.
    if (seq < this.firstSeq || seq <= this.highestSeq - STATS_SEQUENCE_WINDOW) {
      this.outOfOrder++;
      this.window?.addStale(nowMs);
      return false;
    }
    this.received++;
    this.seen.add(seq);
    if (seq < this.highestSeq) {
      this.outOfOrder++;
      this.window?.addReceived(nowMs, seq, true);
      // It was marked lost when a newer one overtook it: it came, but late.
      this.mark(seq, 'late', 0);
    } else {
      this.window?.addReceived(nowMs, seq, false);
      if (this.highestSeq >= 0) this.window?.addLost(nowMs, this.highestSeq + 1, seq);
      const previous = this.highestSeq;
      this.highestSeq = seq;
      if (!this.keepMarks) return true;
      forgetFallenOut(this.marks, previous, seq, NET_GRAPH_UPDATES);
      // Everything skipped between the previous highest and this one is lost, until it shows up.
      if (previous >= 0) {
        for (let gap = Math.max(previous + 1, seq - NET_GRAPH_UPDATES + 1); gap < seq; gap++) this.mark(gap, 'lost', 0);
      }
      this.mark(seq, 'on-time', 0);
    }
    return true;
  }

  /** Records how old the update `seq` was when applied (ms since the server produced it). */
  recordAge(ageMs: number, seq?: number) {
    this.ages.add(Math.max(0, ageMs));
    const late = ageMs > this.lateThresholdMs;
    if (late) this.late++;
    if (seq !== undefined) this.window?.setAge(seq, Math.max(0, ageMs), late);
    if (seq !== undefined && this.keepMarks && this.marks.has(seq)) {
      const outcome = late || this.marks.get(seq)!.outcome === 'late' ? 'late' : 'on-time';
      this.mark(seq, outcome, Math.max(0, ageMs));
    }
  }

  /** The newest updates, oldest first, for a scrolling history. */
  history(): UpdateMark[] {
    return [...this.marks.values()].sort((a, b) => a.seq - b.seq);
  }

  recordRtt(rttMs: number, nowMs?: number) {
    this.rtts.add(rttMs);
    if (nowMs !== undefined) this.window?.addRtt(nowMs, rttMs);
  }

  /** Counts bytes received that carry no sequence (pongs, events). */
  recordBytesIn(nowMs: number, bytes: number) {
    this.bytesIn += bytes;
    this.window?.addBytesIn(nowMs, bytes);
  }

  recordBytesOut(nowMs: number, bytes: number) {
    this.bytesOut += bytes;
    this.window?.addBytesOut(nowMs, bytes);
  }

  /** Notes what became of `seq`, if it is still within the net graph's window. */
  private mark(seq: number, outcome: UpdateOutcome, ageMs: number) {
    if (this.keepMarks && seq > this.highestSeq - NET_GRAPH_UPDATES) this.marks.set(seq, { seq, outcome, ageMs });
  }

  /** Updates never received between the first and the highest sequence seen. */
  get lost(): number {
    if (this.highestSeq < 0) return 0;
    return Math.max(0, this.highestSeq - this.firstSeq + 1 - this.received);
  }

  /** The update ages behind the percentiles (the last STATS_SAMPLE_WINDOW, unordered): bench:fidelity pools them over windows. */
  ageSamples(): number[] {
    return [...this.ages.values()];
  }

  /** Everything measured so far, as plain figures. */
  figures(nowMs: number): ChannelFigures {
    const expected = this.received + this.lost;
    const round = (v: number) => Math.round(v * 10) / 10;
    const [ageP50Ms, ageP95Ms, ageP99Ms] = percentiles(this.ages.values(), [50, 95, 99]) as [number, number, number];
    const recent = this.window?.summary(nowMs) ?? NO_RECENT;
    return {
      received: this.received,
      lost: this.lost,
      lossPct: expected === 0 ? 0 : round((100 * this.lost) / expected),
      outOfOrder: this.outOfOrder,
      duplicates: this.duplicates,
      late: this.late,
      ageP50Ms: round(ageP50Ms),
      ageP95Ms: round(ageP95Ms),
      ageP99Ms: round(ageP99Ms),
      rttMs: round(percentile(this.rtts.values(), 50)),
      kbpsIn: recent.kbpsIn,
      kbpsOut: recent.kbpsOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      recent,
    };
  }
}
