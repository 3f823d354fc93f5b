// A seeded network simulator. Given when a message is sent, it says when (or
// whether) it is delivered, under the player's chosen conditions. Pure: the
// caller owns the timers and passes the clock in, so tests can replay a run.
//
// Two models, because the two channels fail differently:
// - datagram (UDP-like): each packet is independently lost with probability
//   `lossPct`, delayed by `latencyMs` ± `jitterMs`, and duplicated with
//   probability `duplicatePct`. Packets are reordered whenever jitter makes a
//   later packet's delay shorter than an earlier one's, as on a real path.
// - stream (TCP-like): nothing is ever lost. A "lost" segment is resent after
//   a retransmission timeout — the larger of a floor (200 ms, Linux's minimum)
//   and RFC 6298's SRTT + 4·RTTVAR estimate — doubling on each repeat, and
//   every later message waits behind it: head-of-line blocking.
import {
  CONDITION_LIMITS,
  DUPLICATE_EXTRA_DELAY_MS,
  MAX_RETRANSMISSIONS,
  MIN_RTO_MS,
} from './constants.ts';
import { seededRandom } from './random.ts';

export interface NetworkConditions {
  /** Probability of losing a packet (datagram) or a segment (stream), 0–100. */
  lossPct: number;
  /** One-way delay added to every message, ms. */
  latencyMs: number;
  /** Each message's delay varies uniformly by up to ± this, ms. */
  jitterMs: number;
  /** Probability of delivering a datagram twice, 0–100 (streams never duplicate). */
  duplicatePct: number;
}

export const PERFECT_NETWORK: NetworkConditions = { lossPct: 0, latencyMs: 0, jitterMs: 0, duplicatePct: 0 };

/** Keeps every setting within CONDITION_LIMITS (non-numbers become 0). */
export function clampConditions(conditions: NetworkConditions): NetworkConditions {
  const clamp = (value: number, max: number) => (Number.isFinite(value) ? Math.max(0, Math.min(max, value)) : 0);
  return {
    lossPct: clamp(conditions.lossPct, CONDITION_LIMITS.lossPct),
    latencyMs: clamp(conditions.latencyMs, CONDITION_LIMITS.latencyMs),
    jitterMs: clamp(conditions.jitterMs, CONDITION_LIMITS.jitterMs),
    duplicatePct: clamp(conditions.duplicatePct, CONDITION_LIMITS.duplicatePct),
  };
}

export function isPerfect(conditions: NetworkConditions): boolean {
  return conditions.lossPct === 0 && conditions.latencyMs === 0 && conditions.jitterMs === 0 && conditions.duplicatePct === 0;
}

/** One message's one-way delay: latency ± jitter, never negative. */
function delay(conditions: NetworkConditions, random: () => number): number {
  return Math.max(0, conditions.latencyMs + (random() * 2 - 1) * conditions.jitterMs);
}

/** The datagram model: independent loss, delay, jitter and duplication per packet. */
export class DatagramModel {
  private readonly random: () => number;
  conditions: NetworkConditions;

  constructor(seed: number, conditions: NetworkConditions = PERFECT_NETWORK) {
    this.random = seededRandom(seed);
    this.conditions = clampConditions(conditions);
  }

  /** Delivery times for a packet sent at `sentAtMs`: none (lost), one, or two (duplicated). */
  deliveries(sentAtMs: number): number[] {
    const c = this.conditions;
    if (this.random() * 100 < c.lossPct) return [];
    const first = sentAtMs + delay(c, this.random);
    if (this.random() * 100 >= c.duplicatePct) return [first];
    return [first, first + DUPLICATE_EXTRA_DELAY_MS + delay({ ...c, latencyMs: 0 }, this.random)];
  }
}

/**
 * How long a stream may fall silent without anything being wrong, under
 * these conditions: a segment lost MAX_RETRANSMISSIONS times in a row waits
 * out every doubled RTO, and everything behind it waits too. A liveness
 * check must allow that on top of its usual timeout, or it would take a
 * simulated stall for a vanished peer.
 */
export function worstStreamStallMs(conditions: NetworkConditions, minRtoMs = MIN_RTO_MS): number {
  if (conditions.lossPct === 0) return conditions.latencyMs + conditions.jitterMs;
  const rto = Math.max(minRtoMs, 2 * conditions.latencyMs + 4 * conditions.jitterMs);
  return rto * (2 ** MAX_RETRANSMISSIONS - 1) + conditions.latencyMs + conditions.jitterMs;
}

/** The stream model: every message arrives, in order, but a lost segment holds up all behind it. */
export class StreamModel {
  private readonly random: () => number;
  private lastDeliveryMs = -Infinity;
  conditions: NetworkConditions;

  constructor(
    seed: number,
    conditions: NetworkConditions = PERFECT_NETWORK,
    private readonly minRtoMs = MIN_RTO_MS,
  ) {
    this.random = seededRandom(seed);
    this.conditions = clampConditions(conditions);
  }

  /** The retransmission timeout: round trip plus four times its variation, but at least the floor. */
  get rtoMs(): number {
    const c = this.conditions;
    return Math.max(this.minRtoMs, 2 * c.latencyMs + 4 * c.jitterMs);
  }

  /** When a message sent at `sentAtMs` is delivered: never before one sent earlier. */
  delivery(sentAtMs: number): number {
    const c = this.conditions;
    let arrival = sentAtMs + delay(c, this.random);
    // Each loss costs one RTO before the resend, doubling like TCP's backoff.
    // (Capped so a 100 % setting cannot stall forever.)
    let rto = this.rtoMs;
    for (let i = 0; i < MAX_RETRANSMISSIONS && this.random() * 100 < c.lossPct; i++) {
      arrival += rto;
      rto *= 2;
    }
    this.lastDeliveryMs = Math.max(this.lastDeliveryMs, arrival);
    return this.lastDeliveryMs;
  }
}
