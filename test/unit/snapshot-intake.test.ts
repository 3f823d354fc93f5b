// The snapshot intake: bytes from either channel become states, counted,
// measured and acknowledged; deltas need a baseline it kept.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TICK_RATE_HZ } from '../../protocol/constants.ts';
import { ClockSync } from '../../protocol/netsim/clock-sync.ts';
import { ChannelMeter } from '../../protocol/netsim/stats.ts';
import { encodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { encodeSnapshot, type Snapshot } from '../../protocol/wire/snapshot.ts';
import { SnapshotIntake } from '../../game-client/net/snapshot-intake.ts';

const snapshot = (seq: number, x = 100): Snapshot => ({
  seq,
  tick: seq * (DEFAULT_TICK_RATE_HZ / 30),
  serverTimeMs: seq * 33,
  ackInputSeq: 0,
  entities: [{ id: 1, kind: 0, x, y: 200 }],
});

describe('SnapshotIntake', () => {
  it('takes a full snapshot in, counts it and acknowledges its tick', () => {
    const intake = new SnapshotIntake();
    const result = intake.take(encodeSnapshot(snapshot(1)), 'datagram', 0, new ChannelMeter(), new ClockSync());
    expect(result).toMatchObject({ ok: true, value: { snapshot: { seq: 1, entities: [{ id: 1, x: 100 }] }, ageMs: null } });
    expect(intake.counts.datagram).toEqual({ full: 1, delta: 0, baselineMisses: 0 });
    expect(intake.newestTick).toBe(snapshot(1).tick);
  });

  it('rebuilds a delta against a state that came over the other channel', () => {
    const intake = new SnapshotIntake();
    intake.take(encodeSnapshot(snapshot(1)), 'stream', 0, new ChannelMeter(), new ClockSync());
    const delta = encodeDeltaSnapshot(snapshot(2, 108), snapshot(1).tick, snapshot(1).entities);
    const result = intake.take(delta, 'datagram', 0, new ChannelMeter(), new ClockSync());
    expect(result).toMatchObject({ ok: true, value: { snapshot: { seq: 2, entities: [{ id: 1, x: 108 }] } } });
    expect(intake.counts.datagram.delta).toBe(1);
  });

  it('drops and counts a delta whose baseline it does not have', () => {
    const intake = new SnapshotIntake();
    const delta = encodeDeltaSnapshot(snapshot(2), snapshot(1).tick, snapshot(1).entities);
    expect(intake.take(delta, 'datagram', 0, new ChannelMeter(), new ClockSync())).toEqual({ ok: false, error: 'missing-baseline' });
    expect(intake.counts.datagram.baselineMisses).toBe(1);
    expect(intake.newestTick).toBe(0);
  });

  it('calls bytes that are no snapshot malformed', () => {
    const intake = new SnapshotIntake();
    expect(intake.take(new Uint8Array([2, 0, 0]), 'stream', 0, new ChannelMeter(), new ClockSync())).toEqual({ ok: false, error: 'malformed' });
  });

  it('passes a duplicate no further', () => {
    const intake = new SnapshotIntake();
    const meter = new ChannelMeter();
    const bytes = encodeSnapshot(snapshot(1));
    expect(intake.take(bytes, 'datagram', 0, meter, new ClockSync()).ok).toBe(true);
    expect(intake.take(bytes, 'datagram', 5, meter, new ClockSync())).toEqual({ ok: false, error: 'stale' });
    expect(meter.figures(5).duplicates).toBe(1);
  });

  it('reads the age on the estimated server clock once it is synced', () => {
    const intake = new SnapshotIntake();
    const clock = new ClockSync();
    clock.addSample(0, 1_000, 0); // the server's clock is 1000 ms ahead
    const meter = new ChannelMeter();
    const result = intake.take(encodeSnapshot({ ...snapshot(1), serverTimeMs: 960 }), 'datagram', 0, meter, clock);
    expect(result).toMatchObject({ ok: true, value: { ageMs: 40 } });
    expect(meter.figures(0).ageP50Ms).toBe(40);
  });
});
