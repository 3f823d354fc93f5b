// The network simulator on fixed seeds: loss, delay, duplication and
// reordering for datagrams; in-order delivery with head-of-line blocking for
// the stream.
import { describe, expect, it } from 'vitest';
import { CONDITION_LIMITS, MIN_RTO_MS } from '../../protocol/constants.ts';
import { clampConditions, DatagramModel, isPerfect, PERFECT_NETWORK, StreamModel, type NetworkConditions } from '../../protocol/conditioner.ts';
import { percentile } from '../../protocol/percentile.ts';

const SNAPSHOT_INTERVAL_MS = 1000 / 30;
const conditions = (c: Partial<NetworkConditions>): NetworkConditions => ({ ...PERFECT_NETWORK, ...c });

/** Sends `count` packets 33 ms apart through a datagram model; returns each one's deliveries. */
function sendDatagrams(model: DatagramModel, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const sentAt = i * SNAPSHOT_INTERVAL_MS;
    return { seq: i, sentAt, deliveries: model.deliveries(sentAt) };
  });
}

describe('DatagramModel', () => {
  it('loses about the chosen share of packets', () => {
    const sent = sendDatagrams(new DatagramModel(7, conditions({ lossPct: 20 })), 20_000);
    const lost = sent.filter((p) => p.deliveries.length === 0).length / sent.length;
    expect(lost).toBeGreaterThan(0.19);
    expect(lost).toBeLessThan(0.21);
  });

  it('loses nothing at 0 % and delivers after exactly the latency without jitter', () => {
    const sent = sendDatagrams(new DatagramModel(7, conditions({ latencyMs: 50 })), 1000);
    expect(sent.every((p) => p.deliveries.length === 1 && p.deliveries[0] === p.sentAt + 50)).toBe(true);
  });

  it('keeps every delay within latency ± jitter', () => {
    const sent = sendDatagrams(new DatagramModel(3, conditions({ latencyMs: 80, jitterMs: 30 })), 5000);
    const delays = sent.map((p) => p.deliveries[0]! - p.sentAt);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThanOrEqual(110);
    expect(percentile(delays, 50)).toBeGreaterThan(75);
    expect(percentile(delays, 50)).toBeLessThan(85);
  });

  it('duplicates about the chosen share, the twin arriving later', () => {
    const sent = sendDatagrams(new DatagramModel(11, conditions({ duplicatePct: 10, latencyMs: 20 })), 20_000);
    const twins = sent.filter((p) => p.deliveries.length === 2);
    expect(twins.length / sent.length).toBeGreaterThan(0.09);
    expect(twins.length / sent.length).toBeLessThan(0.11);
    expect(twins.every((p) => p.deliveries[1]! > p.deliveries[0]!)).toBe(true);
  });

  it('reorders packets when jitter exceeds the gap between them, and never without jitter', () => {
    const arrivalOrder = (model: DatagramModel) =>
      sendDatagrams(model, 3000)
        .map((p) => ({ seq: p.seq, at: p.deliveries[0]! }))
        .sort((a, b) => a.at - b.at);
    const countReordered = (order: { seq: number }[]) => {
      let highest = -1;
      let reordered = 0;
      for (const { seq } of order) {
        if (seq < highest) reordered++;
        highest = Math.max(highest, seq);
      }
      return reordered;
    };
    expect(countReordered(arrivalOrder(new DatagramModel(5, conditions({ latencyMs: 100, jitterMs: 60 }))))).toBeGreaterThan(100);
    expect(countReordered(arrivalOrder(new DatagramModel(5, conditions({ latencyMs: 100 }))))).toBe(0);
  });

  it('repeats exactly under the same seed, and differs under another', () => {
    const run = (seed: number) => JSON.stringify(sendDatagrams(new DatagramModel(seed, conditions({ lossPct: 30, jitterMs: 20 })), 200));
    expect(run(42)).toBe(run(42));
    expect(run(42)).not.toBe(run(43));
  });
});

describe('StreamModel', () => {
  /** Sends `count` messages 33 ms apart; returns their delays. */
  function sendStream(model: StreamModel, count: number) {
    let previous = -Infinity;
    let inOrder = true;
    const delays = Array.from({ length: count }, (_, i) => {
      const sentAt = i * SNAPSHOT_INTERVAL_MS;
      const at = model.delivery(sentAt);
      if (at < previous) inOrder = false;
      previous = at;
      return at - sentAt;
    });
    return { delays, inOrder };
  }

  it('delivers every message, in order, even at high loss', () => {
    const { delays, inOrder } = sendStream(new StreamModel(9, conditions({ lossPct: 50, latencyMs: 30, jitterMs: 20 })), 5000);
    expect(delays).toHaveLength(5000);
    expect(delays.every(Number.isFinite)).toBe(true);
    expect(inOrder).toBe(true);
  });

  it('at 10 % loss has a p95 delay above the RTO, while delivered datagrams stay near latency + jitter', () => {
    const network = conditions({ lossPct: 10, latencyMs: 40, jitterMs: 10 });
    const stream = new StreamModel(1, network);
    const { delays: streamDelays } = sendStream(stream, 10_000);
    const datagramDelays = sendDatagrams(new DatagramModel(1, network), 10_000).flatMap((p) => p.deliveries.map((at) => at - p.sentAt));
    expect(stream.rtoMs).toBe(MIN_RTO_MS);
    expect(percentile(streamDelays, 95)).toBeGreaterThan(stream.rtoMs);
    expect(percentile(datagramDelays, 95)).toBeLessThanOrEqual(50);
    // Head-of-line blocking: messages that were not lost themselves wait too.
    expect(percentile(streamDelays, 50)).toBeGreaterThan(percentile(datagramDelays, 50));
  });

  it('adds nothing but latency at 0 % loss', () => {
    const { delays } = sendStream(new StreamModel(2, conditions({ latencyMs: 25 })), 1000);
    for (const d of delays) expect(d).toBeCloseTo(25, 9);
  });

  it('takes a configurable RTO floor, and grows the RTO with the round trip', () => {
    expect(new StreamModel(1, PERFECT_NETWORK, 300).rtoMs).toBe(300);
    expect(new StreamModel(1, conditions({ latencyMs: 150, jitterMs: 20 })).rtoMs).toBe(2 * 150 + 4 * 20);
  });
});

describe('clampConditions', () => {
  it('clamps every setting into its limits and turns non-numbers into 0', () => {
    expect(clampConditions({ lossPct: 150, latencyMs: -5, jitterMs: Number.NaN, duplicatePct: 1e9 })).toEqual({
      lossPct: CONDITION_LIMITS.lossPct,
      latencyMs: 0,
      jitterMs: 0,
      duplicatePct: CONDITION_LIMITS.duplicatePct,
    });
  });

  it('knows a perfect network', () => {
    expect(isPerfect(PERFECT_NETWORK)).toBe(true);
    expect(isPerfect(conditions({ jitterMs: 1 }))).toBe(false);
  });
});
