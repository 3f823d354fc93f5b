// The TCP-like stream model, one rule at a time. Most tests script the
// model's draws (each loss trial and each delay takes one number in [0, 1):
// below lossPct/100 means lost), so every step is visible; the last ones run
// a fixed seed over many messages.
import { describe, expect, it } from 'vitest';
import { DELAYED_ACK_MIN_MS, HEARTBEAT_TIMEOUT_MS, MAX_RTO_BACKOFFS, MIN_RTO_MS, MIN_TLP_PTO_MS } from '../../protocol/constants.ts';
import { PERFECT_NETWORK, type NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import { percentile } from '../../protocol/netsim/percentile.ts';
import { StreamModel, worstStreamStallMs } from '../../protocol/netsim/stream-model.ts';
import { seededRandom } from '../../protocol/sim/random.ts';

const conditions = (c: Partial<NetworkConditions>): NetworkConditions => ({ ...PERFECT_NETWORK, ...c });
/** 50 % loss makes the scripted draws easy to read: LOST = 0.1, KEPT = 0.9 (delays ignore them: no jitter). */
const LOSSY = conditions({ lossPct: 50, latencyMs: 20 });
const LOST = 0.1;
const KEPT = 0.9;
const ONE_WAY = 20;
const RTT = 40;
const GAP = 33;
/** The RTO once writes come GAP apart: the sender's SRTT carries the receiver's ACK delay, GAP / 2 (rule 6). */
const WARM_RTO = RTT + GAP / 2 + MIN_RTO_MS;

/** Draws in the order given, then "kept" forever. */
function scripted(draws: number[]): () => number {
  let i = 0;
  return () => draws[i++] ?? KEPT;
}

/** A model whose first `warmup` writes (GAP apart) were delivered, so it knows the send interval. */
function warmedUp(draws: number[], warmup = 3) {
  // Each clean write takes two draws: its loss trial and its delay.
  const model = new StreamModel(scripted([...Array(2 * warmup).fill(KEPT), ...draws]), LOSSY);
  for (let i = 0; i < warmup; i++) expect(model.delivery(i * GAP)).toBe(i * GAP + ONE_WAY);
  return { model, next: warmup * GAP };
}

describe('StreamModel rules', () => {
  it('adds nothing but latency when nothing is lost', () => {
    const model = new StreamModel(2, conditions({ latencyMs: 25 }));
    for (let i = 0; i < 100; i++) expect(model.delivery(i * GAP)).toBeCloseTo(i * GAP + 25, 9);
  });

  it('rule 1, fast repair: a loss is resent when the next segment is SACKed, one send interval plus a round trip later', () => {
    // The lost write: lost; the next segment kept, its SACK kept; repair kept, its delay.
    const { model, next } = warmedUp([LOST, KEPT, KEPT, KEPT, KEPT]);
    expect(model.delivery(next)).toBe(next + GAP + RTT + ONE_WAY);
    expect(model.fates['fast-repair']).toBe(1);
    // The two writes after it arrived sooner, but wait behind it: head-of-line blocking.
    expect(model.delivery(next + GAP)).toBe(next + GAP + RTT + ONE_WAY);
    expect(model.delivery(next + 2 * GAP)).toBe(next + GAP + RTT + ONE_WAY);
    expect(model.delivery(next + 3 * GAP)).toBe(next + 3 * GAP + ONE_WAY);
  });

  it("rule 1, ACK loss: a lost SACK waits for the next segment's", () => {
    // Lost; the next segment kept but its SACK lost; the one after and its SACK kept.
    const { model, next } = warmedUp([LOST, KEPT, LOST, KEPT, KEPT, KEPT, KEPT]);
    expect(model.delivery(next)).toBe(next + 2 * GAP + RTT + ONE_WAY);
  });

  it('rule 1, the next segment lost too: the repair waits for the one after', () => {
    const { model, next } = warmedUp([LOST, LOST, KEPT, KEPT, KEPT, KEPT]);
    expect(model.delivery(next)).toBe(next + 2 * GAP + RTT + ONE_WAY);
  });

  it('rule 1b, a lost repair found by RACK: resent again one send interval and a round trip later, with no timeout', () => {
    // Lost; next segment and SACK kept; the repair lost, and RACK finds it (a draw below the share); the second repair kept.
    const { model, next } = warmedUp([LOST, KEPT, KEPT, LOST, LOST, KEPT, KEPT]);
    expect(model.delivery(next)).toBe(next + 2 * (GAP + RTT) + ONE_WAY);
    expect(model.fates.timeout).toBe(0);
  });

  it("rule 1c, a sooner next write: its SACK brings the repair, and the lost write's delivery moves up to it", () => {
    // Lost, the next segment assumed GAP later (kept, its SACK kept); repair kept, its delay, its ACK's delay, the ACK kept.
    // Then a write 1 ms on: kept, its delay.
    const { model, next } = warmedUp([LOST, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT]);
    const predicted = next + GAP + RTT + ONE_WAY;
    expect(model.delivery(next)).toBe(predicted);
    const repaired = next + 1 + RTT + ONE_WAY;
    expect(model.delivery(next + 1)).toBe(repaired);
    expect(model.revisedArrival).toEqual({ fromMs: predicted, toMs: repaired });
    // The write after that moves nothing.
    model.delivery(next + GAP);
    expect(model.revisedArrival).toBeNull();
  });

  it('rule 1c, a repair moved up never overtakes what was delivered before it (it stops at that delivery)', () => {
    const { model, next } = warmedUp([
      // X: lost; next segment and SACK kept; the repair lost and found by RACK; the second repair kept, its delay, its ACK's delay, the ACK kept.
      ...[LOST, KEPT, KEPT, LOST, LOST, KEPT, KEPT, KEPT, KEPT],
      // A, 1 ms later: lost; the next three segments (or their SACKs) lost, the fourth kept; the repair kept, its delays, its ACK kept.
      ...[LOST, LOST, LOST, LOST, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT],
      // B, 1 ms after A: kept, its delay.
    ]);
    const xArrives = next + 2 * (GAP + RTT) + ONE_WAY;
    expect(model.delivery(next)).toBe(xArrives);
    // Writes 1 ms apart shrink the smoothed send gap (an eighth of the way each time).
    const gapAtA = GAP + (1 - GAP) / 8;
    const aArrives = next + 1 + 4 * gapAtA + RTT + ONE_WAY;
    expect(aArrives).toBeGreaterThan(xArrives);
    expect(model.delivery(next + 1)).toBeCloseTo(aArrives, 9);
    // B gets through 1 ms on: A's repair would move up by gapAtA − 1, to before X; it stops at X.
    expect(aArrives - (gapAtA - 1)).toBeLessThan(xArrives);
    expect(model.delivery(next + 2)).toBe(xArrives);
    expect(model.revisedArrival).toEqual({ fromMs: expect.closeTo(aArrives, 9), toMs: xArrives });
  });

  it('rule 1c, a sooner next write that is lost itself moves nothing (the repair waits for a later SACK)', () => {
    // As above, but the write 1 ms on is lost.
    const { model, next } = warmedUp([LOST, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT, LOST]);
    const predicted = next + GAP + RTT + ONE_WAY;
    expect(model.delivery(next)).toBe(predicted);
    expect(model.delivery(next + 1)).toBeGreaterThanOrEqual(predicted);
    expect(model.revisedArrival).toBeNull();
  });

  it('rule 1c, deliveries() hands out the moved times for writes known ahead', () => {
    // Three clean writes; the fourth lost and repaired as above; the fifth, 1 ms on, kept.
    const draws = [...Array(6).fill(KEPT), LOST, ...Array(8).fill(KEPT)];
    const model = new StreamModel(scripted(draws), LOSSY);
    const next = 3 * GAP;
    expect(model.deliveries([0, GAP, 2 * GAP, next, next + 1])).toEqual([
      ONE_WAY,
      GAP + ONE_WAY,
      2 * GAP + ONE_WAY,
      next + 1 + RTT + ONE_WAY,
      next + 1 + RTT + ONE_WAY,
    ]);
  });

  it('rule 4, a lost ACK of a fast repair: the repair arrived, but nothing new leaves until a timeout resends it', () => {
    const rto = WARM_RTO;
    // Lost; next segment and SACK kept; repair kept, its delay, its ACK's delay; the ACK lost (stalling); then kept.
    const { model, next } = warmedUp([LOST, KEPT, KEPT, KEPT, KEPT, KEPT, LOST, KEPT]);
    const repairAt = next + GAP + RTT;
    expect(model.delivery(next)).toBe(repairAt + ONE_WAY);
    expect(model.fates.timeout).toBe(1);
    // Written after the repair: held until the timeout's copy is acknowledged, then sent (one way more).
    expect(model.delivery(repairAt + 10)).toBe(repairAt + rto + RTT + ONE_WAY);
  });

  it('rule 2, tail-loss probe: with nothing following soon, the tail is resent after PTO = 2 × SRTT + 200 ms (alone in flight), or the RTO if sooner', () => {
    // Jitter 60 ms: RTO = 40 + 240 = 280 ms, so the probe's own 2 × 40 + 200 = 280 is not cut. (Jitter draws: KEPT = +0.8 × 60.)
    const jittery = conditions({ lossPct: 50, latencyMs: 20, jitterMs: 60 });
    const model = new StreamModel(scripted([KEPT, 0.5, KEPT, 0.5, LOST, KEPT, 0.5]), jittery);
    model.delivery(0);
    model.delivery(1000); // writes a second apart: no SACK will come in time
    expect(model.ptoMs).toBe(2 * RTT + MIN_RTO_MS);
    expect(model.delivery(2000)).toBe(2000 + 2 * RTT + MIN_RTO_MS + ONE_WAY);
    expect(model.fates['tail-probe']).toBe(1);
    // Without the jitter the RTO (40 + 200 ms) comes before 2 × 40 + 200: Linux probes then (tcp_schedule_loss_probe).
    const alone = new StreamModel(1, LOSSY);
    alone.delivery(0);
    alone.delivery(1000);
    expect(alone.ptoMs).toBe(RTT + MIN_RTO_MS);
  });

  it('rule 2, the probe comes after only 2 × SRTT + 2 ms when writes come faster than round trips (several in flight)', () => {
    const model = new StreamModel(1, LOSSY);
    for (let t = 0; t < 100; t += 5) model.delivery(t); // a write every 5 ms, RTT 40 ms: SRTT 40 + 5 / 2 (rule 6)
    expect(model.ptoMs).toBe(2 * (RTT + 5 / 2) + MIN_TLP_PTO_MS);
  });

  it("rule 6, delayed ACKs: the sender's SRTT carries half the write gap below 40 ms, the 40 ms timer up to an RTO apart, nothing beyond", () => {
    const at = (gapMs: number) => {
      const model = new StreamModel(1, conditions({ latencyMs: 20 }));
      for (let i = 0; i < 60; i++) model.delivery(i * gapMs);
      return model;
    };
    // 30 Hz: samples alternate 33 and 0 ms (every second segment acknowledged at once), RTO 40 + 16.5 + 200.
    expect(at(GAP).srttMs).toBe(RTT + GAP / 2);
    expect(at(GAP).rtoMs).toBe(WARM_RTO);
    // 10 Hz: each lone segment waits the receiver's 40 ms timer.
    expect(at(100).srttMs).toBe(RTT + DELAYED_ACK_MIN_MS);
    // Once a second: longer than an RTO between segments, the receiver acknowledges at once.
    expect(at(1000).srttMs).toBe(RTT);
    // SACKs are not delayed: a loss is still repaired one gap and one path round trip later (rule 1).
    expect(at(GAP).pathRttMs).toBe(RTT);
  });

  it('rule 3, timeout: only when the repair is lost; RTO = SRTT + max(200 ms, 4 × RTTVAR), doubling', () => {
    expect(new StreamModel(1, LOSSY).rtoMs).toBe(RTT + MIN_RTO_MS);
    expect(new StreamModel(1, conditions({ latencyMs: 150, jitterMs: 60 })).rtoMs).toBe(300 + 240);
    expect(new StreamModel(1, PERFECT_NETWORK, 300).rtoMs).toBe(300);

    const rto = WARM_RTO;
    // Lost, next segment and SACK kept, repair lost; the first timeout's resend kept, its delay, its ACK kept.
    const once = warmedUp([LOST, KEPT, KEPT, LOST, KEPT, KEPT, KEPT]);
    expect(once.model.delivery(once.next)).toBe(once.next + GAP + RTT + rto + ONE_WAY);
    expect(once.model.fates.timeout).toBe(1);
    // The resend after the first timeout lost too: the second waits twice as long.
    // (The KEPT after the lost repair: RACK did not find it; see rule 1b.)
    const twice = warmedUp([LOST, KEPT, KEPT, LOST, KEPT, LOST, KEPT, KEPT, KEPT]);
    expect(twice.model.delivery(twice.next)).toBe(twice.next + GAP + RTT + rto + 2 * rto + ONE_WAY);
  });

  it('rule 5, coalescing: writes made during timeout recovery leave together in one segment, with one loss trial', () => {
    const rto = WARM_RTO;
    const { model, next } = warmedUp([LOST, KEPT, KEPT, LOST, KEPT, KEPT, KEPT]);
    const lostArrives = model.delivery(next);
    const recoveryEnds = lostArrives + ONE_WAY; // the retransmission's ACK is back
    const timeoutAt = next + GAP + RTT + rto;
    // Writes after the timeout fired and before recovery ends: all arrive together, one ONE_WAY after recovery ends.
    const during = [timeoutAt + 1, timeoutAt + 5, timeoutAt + 10].map((t) => model.delivery(t));
    expect(new Set(during).size).toBe(1);
    expect(during[0]).toBe(recoveryEnds + ONE_WAY);
    expect(model.coalescedMessages).toBe(2);
  });

  it("rule 4, a lost ACK of a timeout's resend keeps the window closed for another, doubled RTO when the receiver writes nothing sooner", () => {
    const rto = WARM_RTO;
    // Lost, next segment and SACK kept, repair lost, not found by RACK; resend kept, its delay, the ACK's delay, the ACK lost;
    // the receiver's next write 0.9 of its interval later (after the doubled timeout); then kept.
    const { model, next } = warmedUp([LOST, KEPT, KEPT, LOST, KEPT, KEPT, KEPT, KEPT, LOST, KEPT]);
    const arrival = model.delivery(next);
    const resendAt = next + GAP + RTT + rto;
    expect(arrival).toBe(resendAt + ONE_WAY);
    // A write just after the data arrived still waits: the sender has not heard the ACK.
    const written = arrival + 2 * ONE_WAY;
    // The next copy, after the doubled timeout, is acknowledged; the write leaves then.
    expect(model.delivery(written)).toBe(resendAt + 2 * rto + RTT + ONE_WAY);
  });
  it("rule 4, a lost ACK of a timeout's resend: the receiver's next write carries it, if that comes before the next timeout", () => {
    const rto = WARM_RTO;
    // As above, but the receiver writes a tenth of its interval after the data arrived (100 ms, before the doubled timeout); that write's delay.
    const { model, next } = warmedUp([LOST, KEPT, KEPT, LOST, KEPT, KEPT, KEPT, KEPT, LOST, 0.1, KEPT]);
    const arrival = model.delivery(next);
    const resendAt = next + GAP + RTT + rto;
    expect(arrival).toBe(resendAt + ONE_WAY);
    // The write comes a tenth of its interval after the data arrived, before the doubled timeout; its ACK is one way.
    const ackHeardAt = arrival + 0.1 * model.receiverWriteIntervalMs + ONE_WAY;
    expect(ackHeardAt).toBeLessThan(resendAt + 2 * rto);
    // A write just after the data arrived leaves when that ACK is heard.
    expect(model.delivery(arrival + 2 * ONE_WAY)).toBe(ackHeardAt + ONE_WAY);
  });

  it('at the bound of MAX_RTO_BACKOFFS + 1 timeouts the last copy is acknowledged: no wait for a write stretches the stall past it', () => {
    const rto = WARM_RTO;
    // Lost, next segment and SACK kept, repair lost, not found by RACK; four timeouts' copies: three lost,
    // the fourth kept (its delay, its ACK's delay) but its ACK lost — past the bound, so it counts as heard.
    const { model, next } = warmedUp([LOST, KEPT, KEPT, LOST, KEPT, LOST, LOST, LOST, KEPT, KEPT, KEPT, LOST]);
    const resendAt = next + GAP + RTT + rto * (1 + 2 + 4 + 8);
    const arrival = model.delivery(next);
    expect(arrival).toBe(resendAt + ONE_WAY);
    // Written while that ACK is on its way back: held until it is heard, then one way.
    expect(model.delivery(arrival + 1)).toBe(resendAt + RTT + ONE_WAY);
  });
});

describe('MAX_RTO_BACKOFFS', () => {
  it("is the last doubling whose chain of timeouts fits inside the page's heartbeat timeout (a longer real stall ends in a reconnect)", () => {
    const chainMs = (backoffs: number) => MIN_RTO_MS * (2 ** (backoffs + 1) - 1);
    expect(chainMs(MAX_RTO_BACKOFFS)).toBeLessThanOrEqual(HEARTBEAT_TIMEOUT_MS);
    expect(chainMs(MAX_RTO_BACKOFFS + 1)).toBeGreaterThan(HEARTBEAT_TIMEOUT_MS);
  });
});

describe('StreamModel on a fixed seed', () => {
  /** Writes `count` messages 33 ms apart; returns their delays. */
  function run(model: StreamModel, count: number) {
    let previous = -Infinity;
    let inOrder = true;
    const delays = Array.from({ length: count }, (_, i) => {
      const sentAt = i * GAP;
      const at = model.delivery(sentAt);
      if (at < previous) inOrder = false;
      previous = at;
      return at - sentAt;
    });
    return { delays, inOrder };
  }

  it('delivers every message, in order, even at high loss', () => {
    const { delays, inOrder } = run(new StreamModel(9, conditions({ lossPct: 50, latencyMs: 30, jitterMs: 20 })), 5000);
    expect(delays.every(Number.isFinite)).toBe(true);
    expect(inOrder).toBe(true);
  });

  it('delivers in order, and moves repairs only earlier, when other messages come between the snapshots (rule 1c)', () => {
    // A 30 Hz rhythm, and an event or a pong after about one snapshot in four, 0–32 ms after it.
    const random = seededRandom(12);
    const sendTimes = Array.from({ length: 4000 }, (_, i) => i * GAP).flatMap((t) => (random() < 0.25 ? [t, t + random() * (GAP - 1)] : [t]));
    const network = conditions({ lossPct: 20, latencyMs: 30, jitterMs: 20 });
    const model = new StreamModel(5, network);
    const moved: number[] = [];
    for (const t of sendTimes) {
      model.delivery(t);
      if (model.revisedArrival) moved.push(model.revisedArrival.fromMs - model.revisedArrival.toMs);
    }
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((earlierBy) => earlierBy > 0)).toBe(true);
    const final = new StreamModel(5, network).deliveries(sendTimes);
    expect(final.every((at, i) => i === 0 || at >= final[i - 1]!)).toBe(true);
    expect(final.every((at, i) => at >= sendTimes[i]!)).toBe(true);
    expect(Math.max(...final.map((at, i) => at - sendTimes[i]!))).toBeLessThan(worstStreamStallMs(network));
  });

  it('at 20 % loss never stalls longer than worstStreamStallMs (what liveness checks allow)', () => {
    const network = conditions({ lossPct: 20, latencyMs: 30, jitterMs: 20 });
    const { delays } = run(new StreamModel(4, network), 20_000);
    expect(Math.max(...delays)).toBeLessThan(worstStreamStallMs(network));
  });

  it('at 10 % loss and 30 Hz repairs most losses fast: timeouts are about one loss in ten, the median is the latency', () => {
    const model = new StreamModel(1, conditions({ lossPct: 10, latencyMs: 20 }));
    const { delays } = run(model, 20_000);
    const losses = model.fates['fast-repair'] + model.fates['tail-probe'];
    expect(losses / 20_000).toBeGreaterThan(0.08);
    expect(model.fates.timeout / losses).toBeGreaterThan(0.05);
    expect(model.fates.timeout / losses).toBeLessThan(0.15);
    expect(percentile(delays, 50)).toBe(20);
    // Not everything waits an RTO: the 90th percentile is a fast repair's cost, the 99th a timeout's.
    expect(percentile(delays, 90)).toBeLessThan(MIN_RTO_MS);
    expect(percentile(delays, 99)).toBeGreaterThan(MIN_RTO_MS);
  });

  it('stops doubling after MAX_RTO_BACKOFFS, so even 90 % loss never stalls beyond worstStreamStallMs', () => {
    const network = conditions({ lossPct: 90 });
    const model = new StreamModel(3, network);
    const { delays } = run(model, 500);
    expect(Math.max(...delays)).toBeLessThan(worstStreamStallMs(network) + 2 ** (MAX_RTO_BACKOFFS + 1) * model.rtoMs);
  });
});
