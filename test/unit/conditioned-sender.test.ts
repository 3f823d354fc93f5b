// The sender's half of the simulated network runs each stream message when
// the stream model says it arrives, including the repairs a later write
// moves up (stream-model.ts, rule 1c): what a player sees is what the model
// computes for the same writes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PERFECT_NETWORK } from '../../protocol/netsim/conditioner.ts';
import { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import { StreamModel } from '../../protocol/netsim/stream-model.ts';
import { seededRandom } from '../../protocol/sim/random.ts';

describe('ConditionedSender stream', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every message at the time the stream model gives it, moved repairs included, in order', () => {
    const conditions = { ...PERFECT_NETWORK, lossPct: 20, latencyMs: 10 };
    // Whole milliseconds (the fake clock's step): a 30 Hz rhythm, and an event 1–32 ms after about one snapshot in three.
    const random = seededRandom(3);
    const sendTimes = Array.from({ length: 600 }, (_, i) => Math.round(i * (1000 / 30))).flatMap((t) =>
      random() < 0.33 ? [t, t + 1 + Math.floor(random() * 31)] : [t],
    );
    // The sender's stream model is seeded with its seed + 1 (conditioned-sender.ts).
    const expected = new StreamModel(8, conditions).deliveries(sendTimes);
    let moves = 0;
    const check = new StreamModel(8, conditions);
    for (const t of sendTimes) {
      check.delivery(t);
      if (check.revisedArrival) moves++;
    }
    // The schedule has repairs to move, or this test would check nothing of rule 1c.
    expect(moves).toBeGreaterThan(5);

    const start = Date.now();
    const sender = new ConditionedSender(7, () => Date.now() - start, globalThis);
    sender.setConditions(conditions);
    const ran: { i: number; atMs: number }[] = [];
    for (const [i, sentAt] of sendTimes.entries()) {
      vi.advanceTimersByTime(sentAt - (Date.now() - start));
      sender.stream(() => ran.push({ i, atMs: Date.now() - start }));
    }
    vi.advanceTimersByTime(10_000);

    expect(ran.map((r) => r.i)).toEqual(sendTimes.map((_, i) => i));
    // The fake clock fires a timer on the first whole millisecond at or after its time.
    expect(ran.map((r) => r.atMs)).toEqual(expected.map((at, i) => Math.max(sendTimes[i]!, Math.ceil(at))));
  });
});
