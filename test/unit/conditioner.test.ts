// The datagram network simulator on fixed seeds: loss, delay, duplication
// and reordering (the stream model has its own tests: stream-model.test.ts).
import { describe, expect, it } from 'vitest';
import { CONDITION_LIMITS } from '../../protocol/constants.ts';
import { clampConditions, DatagramModel, isPerfect, PERFECT_NETWORK, type NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import { percentile } from '../../protocol/netsim/percentile.ts';

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
