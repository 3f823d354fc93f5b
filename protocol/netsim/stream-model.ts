// The stream model: when a message written to a TCP connection reaches the
// other side's application, under the player's chosen loss, latency and
// jitter. Nothing is lost and nothing is reordered; what loss costs is time,
// and every later message waits behind a missing one (head-of-line blocking).
//
// It follows Linux TCP to first order, because that is what a WebSocket
// really runs on. Each rule was checked against tcpdump captures of the
// game's own stream connections under real kernel loss (`npm run
// bench:fidelity -- --save-capture DIR`, read by bench/fidelity/read-capture.ts):
//
// 1. Fast repair (RFC 8985 RACK, with SACK). A lost segment is noticed when
//    the next segment's SACK comes back, and resent at once: about one send
//    interval plus a round trip after the loss. If that next segment or its
//    SACK is lost too, the repair waits for the one after (ACK loss counts).
//    1b. A lost repair is sometimes found the same way (RFC 8985 §6.2), when
//    a later segment was let out and SACKed: RACK_LOST_RETRANSMISSION_SHARE.
//    1c. The next segment is whatever the application writes next, not
//    always the next snapshot: a score event written in the same tick as the
//    snapshot, or a pong between two. When a loss is decided the model cannot
//    know that write yet, so it assumes the usual send interval; when the
//    next write comes sooner and gets through, the repair is moved up to it
//    (`revisedArrival`: the delivery it hands out again, earlier). Only ever
//    earlier: a write later than assumed does not delay a repair already
//    handed out, and the extra intervals drawn for lost SACKs are kept.
//    (What it changed in the fidelity runs: docs/network-lab.md, rule 1c.)
// 2. Tail-loss probe (RFC 8985 §7). When nothing follows soon enough for a
//    SACK, a probe resends the last segment after PTO = 2 × SRTT (+ 200 ms
//    when alone in flight, as Linux's `tcp_schedule_loss_probe`), or after
//    the RTO if that is sooner (Linux again).
// 3. Retransmission timeout (RFC 6298, as Linux sets it). When the repair
//    itself is lost: RTO = SRTT + max(200 ms, 4 × RTTVAR) (Linux's
//    `__tcp_set_rto`: the 200 ms TCP_RTO_MIN floors the variance term, which
//    is why loopback RTOs read 204 ms), doubling on each further loss, up to
//    MAX_RTO_BACKOFFS (see why there).
// 4. Lost ACKs. The ACK of a repair can be lost too; then the sender waits
//    out a timeout and resends a copy the receiver already has, unless a
//    later ACK arrives first (ACK_LOSS_STALL_SHARE of lost ACKs cost a
//    timeout, measured). After a timeout's resend nothing else is in flight
//    to bring a later ACK: a lost ACK (or a lost copy of data the receiver
//    already has) keeps the window closed until the receiver's own next
//    write carries the ACK (it writes every receiverWriteIntervalMs, at a
//    moment the model draws) or the next, doubled timeout resends, whichever
//    comes first. Captures of the game's connections (page and observers):
//    the sender missed the ACK of a timeout's resend that the receiver had
//    acknowledged about p of the time (24 of 283 at 10 %, 42 of 241 at
//    20 %), and about half of those waits ended within 400 ms, when the
//    client's ping carried the ACK (docs/network-lab.md, rule 4 revised).
// 5. Recovery. From a repair until the sender hears it acknowledged nothing
//    new leaves (captures: no new data between a repair and the timeout that
//    followed it, 241 times in 250), so when that takes a timeout, the
//    messages written meanwhile leave together in one segment when it ends,
//    with one loss trial between them (coalescing).
// 6. Delayed ACKs in the timers. The sender's SRTT is not the path's: the
//    receiver holds the ACK of a lone segment until the next one or its
//    timer (ackDelayMs), so a 30 Hz stream's RTO on loopback is about
//    217 ms, not 200 (captures of the page's connection: timeouts waited
//    204–242 ms, median 222, at 10 % loss). SACKs and the ACKs of repairs
//    are not delayed (out-of-order data is acknowledged at once).
//
// Each segment, first send or resend, gets one loss trial with probability
// `lossPct`; so does the ACK of each copy that gets through (after a fast
// repair, one that costs a timeout: ACK_LOSS_STALL_SHARE of them); a lost
// ACK after a timeout draws when the receiver next writes. Pure and seeded: the
// caller passes send times in.
import {
  ACK_LOSS_STALL_SHARE,
  MAX_RETRANSMISSIONS,
  MAX_RTO_BACKOFFS,
  MIN_RTO_MS,
  MIN_TLP_PTO_MS,
  DELAYED_ACK_MIN_MS,
  HEARTBEAT_INTERVAL_MS,
  RACK_LOST_RETRANSMISSION_SHARE,
  SEND_GAP_SMOOTHING,
} from '../constants.ts';
import { clampConditions, oneWayDelay, PERFECT_NETWORK, type NetworkConditions } from './conditioner.ts';
import { seededRandom } from '../sim/random.ts';

/** What became of one segment, for tests and the fidelity benchmark. */
export type SegmentFate = 'delivered' | 'fast-repair' | 'tail-probe' | 'timeout';

/** One segment's history, as `npm run bench:tcp-stalls` reads real ones from packets: sends, and each wait before a resend. */
export interface SegmentHistory {
  transmissions: number;
  waitsMs: number[];
}

/** Recoveries remembered ahead of the writes (each lasts at least an RTO, so a handful at most in practice). */
const MAX_RECOVERIES = 64;
/** A write sooner than the predicted one by less than this moves no repair (float noise in a steady rhythm). */
const REVISION_MIN_MS = 0.01;

/** A fast repair decided on a predicted next write (rule 1c): moved up if the real next write comes sooner. */
interface RepairAwaitingTrigger {
  /** When the model assumed the next segment would leave: the lost segment's departure plus the usual send interval. */
  predictedTriggerMs: number;
  /** The arrival it handed out on that assumption. */
  arrivalMs: number;
  /** The latest delivery before it: the revised arrival never goes below this (in order). */
  floorMs: number;
}

/** A delivery handed out earlier, now earlier still (rule 1c): whatever was due at `fromMs` is due at `toMs`. */
export interface RevisedArrival {
  fromMs: number;
  toMs: number;
}

export class StreamModel {
  private readonly random: () => number;
  conditions: NetworkConditions;
  /** Newest delivery time handed out: no message arrives before an earlier one. */
  private lastDeliveryMs = -Infinity;
  private lastSendMs = -Infinity;
  /** Smoothed gap between writes: whether a later segment will come soon enough to SACK a loss. */
  private sendGapMs = Infinity;
  /**
   * Timeout recoveries, in time order and disjoint: new data written during
   * one waits for its end, then leaves in one segment (`arrivalMs` once the
   * first such write has decided that segment's fate).
   */
  private recoveries: { fromMs: number; untilMs: number; arrivalMs: number | null }[] = [];
  /**
   * The receiving application writes back at least this often, and each of
   * its writes carries an ACK (rule 4): the game's client pings every
   * HEARTBEAT_INTERVAL_MS, and the server answers each ping (it writes more
   * often when the stream carries snapshots, so for the client's own sends
   * this is the slowest case). Infinity: a receiver that never writes.
   */
  receiverWriteIntervalMs = HEARTBEAT_INTERVAL_MS;
  /** Fates of the segments sent so far (first sends; a batch counts once). */
  readonly fates: Record<SegmentFate, number> = { delivered: 0, 'fast-repair': 0, 'tail-probe': 0, timeout: 0 };
  /** Messages that left in a segment shared with others (written during timeout recovery). */
  coalescedMessages = 0;
  private moved: RevisedArrival | null = null;
  /** The last write's fast repair, while the write after it may still move it up (rule 1c). */
  private awaitingTrigger: RepairAwaitingTrigger | null = null;

  /** `seed` seeds the loss and jitter draws; tests may pass the draws themselves (numbers in [0, 1)). */
  constructor(
    seed: number | (() => number),
    conditions: NetworkConditions = PERFECT_NETWORK,
    private readonly minRtoMs = MIN_RTO_MS,
    /** Told each segment's history as it is decided (the benchmark compares them with a capture); nothing is kept otherwise. */
    private readonly observe?: (segment: SegmentHistory) => void,
  ) {
    this.random = typeof seed === 'number' ? seededRandom(seed) : seed;
    this.conditions = clampConditions(conditions);
  }

  /** The path's round trip: the chosen latency, both ways. A SACK, or the ACK of a repair, takes this long. */
  get pathRttMs(): number {
    return 2 * this.conditions.latencyMs;
  }

  /**
   * The receiver's delayed ACK, as the sender's RTT samples see it (rule 6),
   * following Linux's receiver (`tcp_event_data_recv`, `__tcp_ack_snd_check`):
   * - writes less than TCP_ATO_MIN (40 ms) apart: it acknowledges every
   *   second segment at once and would hold a lone one longer than the gap
   *   (its timer stretches to about twice the gap), so the samples alternate
   *   about G and 0: G / 2 more than the path on average, and as much
   *   deviation;
   * - further apart, up to an RTO: each lone segment waits the 40 ms timer;
   * - further apart than an RTO: it acknowledges at once (quick-ACK mode).
   */
  get ackDelayMs(): number {
    const gap = this.sendGapMs;
    if (gap < DELAYED_ACK_MIN_MS) return gap / 2;
    return gap <= this.pathRttMs + this.minRtoMs ? DELAYED_ACK_MIN_MS : 0;
  }

  /** How much the ACK delay varies between samples: half the gap while every second segment is acknowledged at once, else none. */
  private get ackDelayDeviationMs(): number {
    return this.sendGapMs < DELAYED_ACK_MIN_MS ? this.ackDelayMs : 0;
  }

  /** The sender's smoothed round trip: the path's, plus the receiver's ACK delay (rule 6). */
  get srttMs(): number {
    return this.pathRttMs + this.ackDelayMs;
  }

  /** Round-trip variation: jitter in each direction, or the ACK delay's alternation if larger. */
  get rttvarMs(): number {
    return Math.max(this.conditions.jitterMs, this.ackDelayDeviationMs);
  }

  /** Linux's retransmission timeout: SRTT + max(TCP_RTO_MIN, 4 × RTTVAR). */
  get rtoMs(): number {
    return this.srttMs + Math.max(this.minRtoMs, 4 * this.rttvarMs);
  }

  /**
   * The tail-loss probe timeout, as Linux sets it (`tcp_schedule_loss_probe`):
   * 2 × SRTT, plus TCP_RTO_MIN when the segment is alone in flight (the
   * receiver may be delaying its ACK), else plus a couple of milliseconds;
   * never later than the RTO ("if the RTO formula yields an earlier time,
   * then use that time"). A game's stream writes less often than once per
   * round trip, so its segments usually are alone, and the probe comes only
   * after 200 ms.
   */
  get ptoMs(): number {
    const aloneInFlight = this.sendGapMs >= this.pathRttMs;
    return Math.min(2 * this.srttMs + (aloneInFlight ? this.minRtoMs : MIN_TLP_PTO_MS), this.rtoMs);
  }

  /** Set by the last `delivery` call when it moved an earlier delivery up (rule 1c); null otherwise. */
  get revisedArrival(): RevisedArrival | null {
    return this.moved;
  }

  /**
   * When a message written at `sentAtMs` reaches the receiving application.
   * Calls must come in time order. A call may also move the previous
   * message's delivery up (rule 1c): then `revisedArrival` says from when to
   * when, and a caller holding that message must move it (`deliveries` does).
   */
  delivery(sentAtMs: number): number {
    if (this.lastSendMs > -Infinity) {
      const gap = sentAtMs - this.lastSendMs;
      this.sendGapMs = this.sendGapMs === Infinity ? gap : this.sendGapMs + SEND_GAP_SMOOTHING * (gap - this.sendGapMs);
    }
    this.lastSendMs = sentAtMs;
    // Rule 1c looks one write ahead only (a write that joins a recovery's batch ends the wait too, so a batch's repair is never moved).
    const awaiting = this.awaitingTrigger;
    this.awaitingTrigger = null;
    this.moved = null;
    while (this.recoveries.length > 0 && this.recoveries[0]!.untilMs <= sentAtMs) this.recoveries.shift();
    const recovery = this.recoveries[0];
    let arrival: number;
    if (recovery && recovery.fromMs <= sentAtMs) {
      // Rule 5: the window is closed; this message joins the segment that leaves when recovery ends.
      if (recovery.arrivalMs === null) recovery.arrivalMs = this.transmit(recovery.untilMs);
      else this.coalescedMessages++;
      arrival = recovery.arrivalMs;
    } else {
      const before = this.fates.delivered;
      arrival = this.transmit(sentAtMs);
      // Rule 1c: this segment left and got through; if that is sooner than the model assumed, its SACK brings the repair.
      if (awaiting && this.fates.delivered > before) this.moveRepairUp(awaiting, sentAtMs);
    }
    this.lastDeliveryMs = Math.max(this.lastDeliveryMs, arrival);
    return this.lastDeliveryMs;
  }

  /**
   * Deliveries of messages written at these times (in time order), with
   * every move of rule 1c applied: for callers that know the writes ahead
   * (the fidelity replay, tests).
   */
  deliveries(sendTimesMs: readonly number[]): number[] {
    const delivered: number[] = [];
    for (const sentAtMs of sendTimesMs) {
      const at = this.delivery(sentAtMs);
      const moved = this.revisedArrival;
      for (let j = delivered.length - 1; moved && j >= 0 && delivered[j] === moved.fromMs; j--) delivered[j] = moved.toMs;
      delivered.push(at);
    }
    return delivered;
  }

  /** Rule 1c: the previous write's fast repair, triggered by a write at `triggerMs` instead of the predicted one. */
  private moveRepairUp(awaiting: RepairAwaitingTrigger, triggerMs: number) {
    const earlierBy = awaiting.predictedTriggerMs - triggerMs;
    // Only a delivery the repair set (not one held behind something older) moves, and never before what came before it.
    if (earlierBy < REVISION_MIN_MS || this.lastDeliveryMs !== awaiting.arrivalMs) return;
    const toMs = Math.max(awaiting.floorMs, awaiting.arrivalMs - earlierBy);
    if (toMs >= awaiting.arrivalMs) return;
    this.moved = { fromMs: awaiting.arrivalMs, toMs };
    this.lastDeliveryMs = toMs;
  }

  /** Sends one segment at `departMs` and returns when it arrives, repairs included. */
  private transmit(departMs: number): number {
    const owd = () => oneWayDelay(this.conditions, this.random);
    if (!this.lost()) {
      this.fates.delivered++;
      this.observe?.({ transmissions: 1, waitsMs: [] });
      return departMs + owd();
    }
    const fast = this.sendGapMs < this.ptoMs;
    let resendAt: number;
    /** Rule 1c: when the model assumes the next segment leaves (its SACK triggers the repair). */
    const predictedTriggerMs = departMs + this.sendGapMs;
    if (fast) {
      // Rule 1: the next segment's SACK. If that segment or its SACK is lost
      // too, the repair waits for the segment after (both directions count).
      resendAt = predictedTriggerMs + this.pathRttMs;
      for (let i = 0; i < MAX_RETRANSMISSIONS && (this.lost() || this.lost()); i++) resendAt += this.sendGapMs;
      this.fates['fast-repair']++;
    } else {
      // Rule 2: nothing follows soon enough; a probe resends the tail.
      resendAt = departMs + this.ptoMs;
      this.fates['tail-probe']++;
    }
    /** The resend after which nothing new left (rule 5): the last one found fast. */
    let windowClosedAt = resendAt;
    const waitsMs = [resendAt - departMs];
    let rto = this.rtoMs;
    let timeouts = 0;
    let rackRepairs = 0;
    /** When the receiver has the segment: the first copy that gets through. */
    let arrival: number | null = null;
    /** When the sender hears it acknowledged, which reopens the window (rule 5). */
    let ackedAt: number;
    // Each copy, the repair and every timeout's resend, has its own loss trial; then its ACK.
    for (;;) {
      if (!this.lost()) {
        const copyArrives = resendAt + owd();
        arrival ??= copyArrives;
        const ackBackAt = copyArrives + owd();
        // Rule 4: after a repair a later ACK often makes up for a lost one; after a timeout's resend nothing else is in flight.
        const ackLost = timeouts === 0 ? this.ackStalls() : this.lost();
        if (!ackLost) {
          ackedAt = ackBackAt;
          break;
        }
      } else if (fast && timeouts === 0 && rackRepairs < MAX_RETRANSMISSIONS && this.random() < RACK_LOST_RETRANSMISSION_SHARE) {
        // Rule 1b: RACK finds the lost repair from a later segment's SACK (when new data was let out).
        rackRepairs++;
        resendAt += this.sendGapMs + this.pathRttMs;
        windowClosedAt = resendAt;
        waitsMs.push(this.sendGapMs + this.pathRttMs);
        continue;
      }
      if (timeouts > MAX_RTO_BACKOFFS) {
        // The model's bound (see MAX_RTO_BACKOFFS): this copy gets through and is acknowledged.
        arrival ??= resendAt + owd();
        ackedAt = resendAt + this.pathRttMs;
        break;
      }
      // Rule 4: once the receiver has the data, its own next write carries the ACK, if it comes before the next timeout.
      // (A moment drawn afresh at each stage; the write's own loss is not tried: the next timeout bounds the wait anyway.)
      if (arrival !== null && timeouts > 0) {
        const writeAt = Math.max(resendAt, arrival) + this.random() * this.receiverWriteIntervalMs;
        if (writeAt < resendAt + rto) {
          ackedAt = writeAt + owd();
          break;
        }
      }
      // Rule 3: a timeout, doubling each time, at most MAX_RTO_BACKOFFS + 1 per loss (see it).
      resendAt += rto;
      waitsMs.push(rto);
      rto *= 2;
      timeouts++;
    }
    if (timeouts > 0) {
      this.fates.timeout++;
      // Rule 5: from the repair until the sender hears an ACK, nothing new leaves.
      this.addRecovery(windowClosedAt, ackedAt);
    } else if (fast) {
      // Rule 1c: a sooner next write may still move this repair up. (Not after a timeout: its
      // recovery window has been laid down, and a few ms matter little against an RTO.)
      this.awaitingTrigger = { predictedTriggerMs, arrivalMs: arrival!, floorMs: this.lastDeliveryMs };
    }
    // The history is told now and not revised: it holds the assumed first wait, which rule 1c may shorten later.
    this.observe?.({ transmissions: waitsMs.length + 1, waitsMs });
    return arrival!; // every way out of the loop has set it
  }

  /** Closes the window from `fromMs` to `untilMs`, merged with any recovery it overlaps. */
  private addRecovery(fromMs: number, untilMs: number) {
    const last = this.recoveries.at(-1);
    if (last && fromMs <= last.untilMs) {
      // Overlapping recoveries are one long one (a batch not yet sent leaves at the new end).
      if (untilMs > last.untilMs && last.arrivalMs === null) last.untilMs = untilMs;
      else if (untilMs > last.untilMs) this.recoveries.push({ fromMs: last.untilMs, untilMs, arrivalMs: null });
      return;
    }
    this.recoveries.push({ fromMs, untilMs, arrivalMs: null });
    if (this.recoveries.length > MAX_RECOVERIES) this.recoveries.shift();
  }

  private lost(): boolean {
    return this.random() * 100 < this.conditions.lossPct;
  }

  /** A lost ACK that no later ACK makes up for before the timeout (ACK_LOSS_STALL_SHARE of lost ACKs). */
  private ackStalls(): boolean {
    return this.random() * 100 < this.conditions.lossPct * ACK_LOSS_STALL_SHARE;
  }
}

/**
 * How long a stream may fall silent without anything being wrong, under
 * these conditions: a segment whose repair is lost waits out doubled RTOs,
 * MAX_RTO_BACKOFFS + 1 of them at worst (data and ACK losses together), and
 * everything behind it waits too; the segment that then carries what queued
 * up may be unlucky once more.
 * A liveness check must allow that on top of its usual timeout, or it would
 * take a simulated stall for a vanished peer.
 */
export function worstStreamStallMs(conditions: NetworkConditions, minRtoMs = MIN_RTO_MS): number {
  const model = new StreamModel(0, conditions, minRtoMs);
  if (model.conditions.lossPct === 0) return conditions.latencyMs + conditions.jitterMs;
  // The RTO with the longest ACK delay the model gives its SRTT (rule 6), whatever the writes' rhythm.
  const rtoMs = model.rtoMs + DELAYED_ACK_MIN_MS;
  return 2 * rtoMs * (2 ** (MAX_RTO_BACKOFFS + 1) - 1) + conditions.latencyMs + conditions.jitterMs;
}
