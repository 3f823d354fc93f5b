// Clock estimation from ping/pong round trips (Cristian's algorithm): the
// sample with the smallest round trip decides the offset.
import { describe, expect, it } from 'vitest';
import { ClockSync } from '../../protocol/netsim/clock-sync.ts';

// In these tests the server clock runs 500 ms ahead of the client's.
const TRUE_OFFSET_MS = 500;

describe('ClockSync', () => {
  it('is not synced and has offset 0 before any sample', () => {
    const clock = new ClockSync();
    expect(clock.synced).toBe(false);
    expect(clock.offsetMs).toBe(0);
    expect(clock.serverNow(1234)).toBe(1234);
  });

  it('takes server time plus half the round trip as the server clock at receipt', () => {
    const clock = new ClockSync();
    // Sent at 1000, stamped by the server at client-time 1040 (+500), received at 1080.
    clock.addSample(1000, 1040 + TRUE_OFFSET_MS, 1080);
    expect(clock.synced).toBe(true);
    expect(clock.offsetMs).toBe(TRUE_OFFSET_MS);
    expect(clock.serverNow(2000)).toBe(2000 + TRUE_OFFSET_MS);
  });

  it('uses the sample with the smallest round trip, not the newest or the average', () => {
    const clock = new ClockSync();
    // A slow sample, queued on the way back: the estimate is off by 70 ms.
    clock.addSample(0, 10 + TRUE_OFFSET_MS, 300); // rtt 300, offset 10 + 500 + 150 - 300 = 360
    // The fastest sample: symmetric 10 ms each way.
    clock.addSample(400, 410 + TRUE_OFFSET_MS, 420); // rtt 20, offset 500
    // A newer, slower one.
    clock.addSample(1000, 1100 + TRUE_OFFSET_MS, 1120); // rtt 120, offset 540
    expect(clock.offsetMs).toBe(TRUE_OFFSET_MS);
  });

  it('keeps the first of equally fast samples', () => {
    const clock = new ClockSync();
    clock.addSample(0, 600, 20); // rtt 20, offset 600 + 10 - 20 = 590
    clock.addSample(200, 900, 220); // rtt 20, offset 900 + 10 - 220 = 690
    expect(clock.offsetMs).toBe(590);
  });

  it('treats a negative round trip (clock stepped back) as zero', () => {
    const clock = new ClockSync();
    clock.addSample(100, 700, 90);
    expect(clock.offsetMs).toBe(700 - 90);
  });

  it('forgets an old fast sample once many newer samples have arrived', () => {
    const clock = new ClockSync();
    clock.addSample(0, 5 + 999, 10); // rtt 10, offset 999 (an outlier)
    for (let i = 1; i <= 100; i++) {
      const sent = i * 1000;
      clock.addSample(sent, sent + 25 + TRUE_OFFSET_MS, sent + 50); // rtt 50, offset 500
    }
    expect(clock.offsetMs).toBe(TRUE_OFFSET_MS);
  });

  it('uses a pinned offset instead of the estimate until unpinned', () => {
    const clock = new ClockSync();
    expect(clock.synced).toBe(false);
    clock.pin(123);
    expect(clock.synced).toBe(true);
    clock.addSample(0, 600, 20); // estimate 590
    expect(clock.offsetMs).toBe(123);
    expect(clock.serverNow(1000)).toBe(1123);
    clock.pin(null);
    expect(clock.offsetMs).toBe(590);
  });
});
