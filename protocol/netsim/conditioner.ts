// A seeded network simulator. Given when a message is sent, it says when (or
// whether) it is delivered, under the player's chosen conditions. Pure: the
// caller owns the timers and passes the clock in, so tests can replay a run.
//
// Two models, because the two channels fail differently:
// - datagram (UDP-like): each packet is independently lost with probability
//   `lossPct`, delayed by `latencyMs` ± `jitterMs`, and duplicated with
//   probability `duplicatePct`. Packets are reordered whenever jitter makes a
//   later packet's delay shorter than an earlier one's, as on a real path.
// - stream (TCP-like): nothing is ever lost, but a lost segment costs time
//   and holds up every later message. It follows Linux TCP: fast repair,
//   tail-loss probes, timeouts only when a repair is lost, and coalescing
//   during timeout recovery. Its own file: stream-model.ts.
import { CONDITION_LIMITS, DUPLICATE_EXTRA_DELAY_MS } from '../constants.ts';
import { seededRandom } from '../sim/random.ts';

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

/** The conditions in a line, for the connection timeline's marks. */
export function describeConditions(c: NetworkConditions): string {
  return `simulated: latency ${c.latencyMs} ms ± ${c.jitterMs} ms, loss ${c.lossPct} %, duplicates ${c.duplicatePct} %`;
}

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
export function oneWayDelay(conditions: NetworkConditions, random: () => number): number {
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
    const first = sentAtMs + oneWayDelay(c, this.random);
    if (this.random() * 100 >= c.duplicatePct) return [first];
    return [first, first + DUPLICATE_EXTRA_DELAY_MS + oneWayDelay({ ...c, latencyMs: 0 }, this.random)];
  }
}
