// Per-channel measurements: percentiles, loss / reorder / duplicate
// accounting for a sequence pattern, late updates, and kbit/s over a window.
import { describe, expect, it } from 'vitest';
import { LATE_UPDATE_MS, NET_GRAPH_UPDATES, STATS_MIN_RATE_SPAN_MS, STATS_RECENT_WINDOW_MS, STATS_SEQUENCE_WINDOW } from '../../protocol/constants.ts';
import { percentile } from '../../protocol/netsim/percentile.ts';
import { ChannelMeter } from '../../protocol/netsim/stats.ts';

/** Feeds sequence numbers in order of arrival; returns what recordUpdate said for each. */
function feed(stats: ChannelMeter, seqs: number[]): boolean[] {
  return seqs.map((seq) => stats.recordUpdate(seq, 0, 10));
}

describe('percentile', () => {
  const oneToTen = [7, 3, 10, 1, 5, 9, 2, 8, 4, 6];

  it('is 0 for no values', () => {
    expect(percentile([], 50)).toBe(0);
  });

  it('picks by nearest rank', () => {
    expect(percentile(oneToTen, 50)).toBe(5);
    expect(percentile(oneToTen, 90)).toBe(9);
    expect(percentile(oneToTen, 95)).toBe(10);
    expect(percentile(oneToTen, 11)).toBe(2);
  });

  it('gives the minimum at 0 and the maximum at 100', () => {
    expect(percentile(oneToTen, 0)).toBe(1);
    expect(percentile(oneToTen, 100)).toBe(10);
  });

  it('sorts numerically, not as strings', () => {
    expect(percentile([100, 9, 20], 50)).toBe(20);
  });

  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('ChannelMeter sequence accounting', () => {
  it('counts a gap, a reorder and a duplicate in 1,2,4,3,6,6', () => {
    const stats = new ChannelMeter();
    expect(feed(stats, [1, 2, 4, 3, 6, 6])).toEqual([true, true, true, true, true, false]);
    expect(stats.received).toBe(5);
    expect(stats.lost).toBe(1); // 5 is missing
    expect(stats.outOfOrder).toBe(1); // 3 after 4
    expect(stats.duplicates).toBe(1); // the second 6
  });

  it('stops counting a packet as lost once it arrives late', () => {
    const stats = new ChannelMeter();
    feed(stats, [1, 2, 4, 3, 6, 6, 5]);
    expect(stats.received).toBe(6);
    expect(stats.lost).toBe(0);
    expect(stats.outOfOrder).toBe(2);
    expect(stats.duplicates).toBe(1);
  });

  it('reports nothing lost before the first update', () => {
    const stats = new ChannelMeter();
    expect(stats.lost).toBe(0);
    expect(stats.figures(0).lossPct).toBe(0);
  });

  it('counts from the first sequence seen, not from 1', () => {
    const stats = new ChannelMeter();
    feed(stats, [1000, 1001, 1003]);
    expect(stats.received).toBe(3);
    expect(stats.lost).toBe(1);
  });

  it('gives loss as a percentage of expected updates, to one decimal', () => {
    const twoInTen = new ChannelMeter();
    feed(twoInTen, [1, 2, 4, 5, 6, 8, 9, 10]);
    expect(twoInTen.figures(0)).toMatchObject({ received: 8, lost: 2, lossPct: 20 });

    const oneInThree = new ChannelMeter();
    feed(oneInThree, [1, 3]);
    expect(oneInThree.figures(0).lossPct).toBe(33.3);
  });

  it('refuses an update older than the first one seen', () => {
    const stats = new ChannelMeter();
    expect(feed(stats, [5, 4])).toEqual([true, false]);
    expect(stats.received).toBe(1);
  });

  it('refuses an update STATS_SEQUENCE_WINDOW or more behind the highest as out of order, but takes one just inside', () => {
    const stats = new ChannelMeter();
    const highest = 1 + 2 * STATS_SEQUENCE_WINDOW;
    feed(stats, [1, highest]);
    expect(stats.recordUpdate(highest - STATS_SEQUENCE_WINDOW, 0, 10)).toBe(false);
    expect(stats.recordUpdate(highest - STATS_SEQUENCE_WINDOW + 1, 0, 10)).toBe(true);
    expect(stats.outOfOrder).toBe(2); // both arrived after a newer one
    expect(stats.duplicates).toBe(0); // neither had been seen before
  });

  it('still spots a duplicate after many updates have passed', () => {
    const stats = new ChannelMeter();
    for (let seq = 1; seq <= 3 * STATS_SEQUENCE_WINDOW; seq++) stats.recordUpdate(seq, 0, 10);
    const recent = 3 * STATS_SEQUENCE_WINDOW - 10;
    expect(stats.recordUpdate(recent, 0, 10)).toBe(false);
    expect(stats.received).toBe(3 * STATS_SEQUENCE_WINDOW);
    expect(stats.lost).toBe(0);
  });

  it('takes a seen update that fell STATS_SEQUENCE_WINDOW behind for out of order, not a duplicate, even when the one that would replace it was lost', () => {
    const stats = new ChannelMeter();
    // 5 is seen; 5 + STATS_SEQUENCE_WINDOW (the next to use its slot) never comes.
    feed(stats, [5, 6, 5 + STATS_SEQUENCE_WINDOW + 1]);
    expect(stats.recordUpdate(5, 0, 10)).toBe(false);
    expect(stats.duplicates).toBe(0);
    expect(stats.outOfOrder).toBe(1);
  });
});

describe('ChannelMeter without the net graph (a headless bot)', () => {
  /** The same arrivals, ages and round trips into a meter with and one without the net graph's bookkeeping. */
  function both(): [ChannelMeter, ChannelMeter] {
    const meters: [ChannelMeter, ChannelMeter] = [new ChannelMeter(0, 100), new ChannelMeter(0, 100, { netGraph: false })];
    for (const meter of meters) {
      for (const [i, seq] of [1, 2, 4, 3, 6, 6, 9].entries()) {
        meter.recordUpdate(seq, i * 33, 100);
        meter.recordAge(20 * i, seq);
      }
      meter.recordRtt(40, 300);
      meter.recordBytesOut(300, 50);
    }
    return meters;
  }

  it('counts, ages and round trips as the page does', () => {
    const [page, bot] = both();
    const { recent: _pageRecent, kbpsIn: _pageIn, kbpsOut: _pageOut, ...pageFigures } = page.figures(300);
    const { recent: _botRecent, kbpsIn: _botIn, kbpsOut: _botOut, ...botFigures } = bot.figures(300);
    expect(botFigures).toEqual(pageFigures);
    expect(bot.ageSamples()).toEqual(page.ageSamples());
    expect(botFigures.duplicates).toBe(1);
    expect(botFigures.lost).toBe(3);
  });

  it('keeps neither the recent window nor the strip of updates', () => {
    const [page, bot] = both();
    expect(page.figures(300).recent.received).toBeGreaterThan(0);
    expect(page.history().length).toBeGreaterThan(0);
    expect(bot.figures(300).recent).toMatchObject({ windowMs: 0, received: 0, lost: 0 });
    expect(bot.history()).toEqual([]);
  });
});

describe('ChannelMeter ages and round trips', () => {
  it(`counts an update as late only when older than LATE_UPDATE_MS (${LATE_UPDATE_MS} ms)`, () => {
    const stats = new ChannelMeter();
    stats.recordAge(LATE_UPDATE_MS);
    expect(stats.late).toBe(0);
    stats.recordAge(LATE_UPDATE_MS + 1);
    expect(stats.late).toBe(1);
  });

  it('summarizes ages by percentile, clamping negative ages to 0', () => {
    const stats = new ChannelMeter();
    for (const age of [-5, 10, 20, 30, 40, 50, 60, 70, 80, 200]) stats.recordAge(age);
    expect(stats.figures(0)).toMatchObject({ ageP50Ms: 40, ageP95Ms: 200, ageP99Ms: 200, late: 1 });
  });

  it('records a negative age (clock skew) as 0', () => {
    const stats = new ChannelMeter();
    stats.recordAge(-5);
    expect(stats.figures(0)).toMatchObject({ ageP50Ms: 0, late: 0 });
  });

  it('reports the median round trip', () => {
    const stats = new ChannelMeter();
    for (const rtt of [30, 10, 20, 500]) stats.recordRtt(rtt);
    expect(stats.figures(0).rttMs).toBe(20);
  });
});

describe('ChannelMeter byte rates', () => {
  const W = STATS_RECENT_WINDOW_MS;

  it(`averages bytes over the last STATS_RECENT_WINDOW_MS (${W} ms)`, () => {
    const stats = new ChannelMeter();
    stats.recordUpdate(1, 0, 500);
    stats.recordBytesIn(W, 500);
    // 1000 bytes = 8000 bits over the whole window.
    expect(stats.figures(W).kbpsIn).toBe(8000 / W);
    expect(stats.figures(W + 1).kbpsIn).toBe(4000 / W); // the first has left the window
    expect(stats.figures(2 * W + 1).kbpsIn).toBe(0);
  });

  it('right after a reset, spreads bytes over the time since it (but at least STATS_MIN_RATE_SPAN_MS)', () => {
    const stats = new ChannelMeter(10_000);
    stats.recordBytesIn(10_100, 250);
    expect(stats.figures(10_100).kbpsIn).toBe(2000 / STATS_MIN_RATE_SPAN_MS);
    expect(stats.figures(12_000).kbpsIn).toBe(1); // 2000 bits over 2 s
  });

  it('keeps total bytes after they leave the rate window', () => {
    const stats = new ChannelMeter();
    stats.recordUpdate(1, 0, 500);
    stats.recordUpdate(1, 0, 500); // a duplicate still cost bandwidth
    stats.recordBytesOut(0, 300);
    const summary = stats.figures(60_000);
    expect(summary).toMatchObject({ bytesIn: 1000, bytesOut: 300, kbpsIn: 0, kbpsOut: 0 });
  });

  it('measures outgoing bytes separately', () => {
    const stats = new ChannelMeter();
    stats.recordBytesOut(0, 250);
    stats.recordBytesOut(100, 250);
    expect(stats.figures(100)).toMatchObject({ kbpsOut: 4, kbpsIn: 0 }); // 4000 bits over the 1 s minimum span
  });
});

describe('ChannelMeter recent window (what the net graph shows)', () => {
  const W = STATS_RECENT_WINDOW_MS;
  /** Feeds `seqs` at the given times (ms). */
  const feedAt = (stats: ChannelMeter, seqs: number[], atMs: number) => {
    for (const seq of seqs) stats.recordUpdate(seq, atMs, 10);
  };

  it('forgets a burst of loss once it is older than the window, while the totals keep it', () => {
    const stats = new ChannelMeter();
    feedAt(stats, [1, 3, 5, 7], 0); // 3 of 7 lost
    feedAt(stats, [8, 9, 10, 11], W + 100);
    const summary = stats.figures(W + 100);
    expect(summary.lost).toBe(3);
    expect(summary.recent).toMatchObject({ received: 4, lost: 0, lossPct: 0, windowMs: W });
  });

  it('counts a loss in the window, and takes it back when the update arrives late', () => {
    const stats = new ChannelMeter();
    feedAt(stats, [1, 2, 4], 0);
    expect(stats.figures(0).recent).toMatchObject({ received: 3, lost: 1, lossPct: 25 });
    feedAt(stats, [3], 10);
    expect(stats.figures(10).recent).toMatchObject({ received: 4, lost: 0, outOfOrder: 1 });
  });

  it('reaches back only to the reset: a fresh window describes the new settings', () => {
    const stats = new ChannelMeter(20_000);
    feedAt(stats, [1, 2], 21_000);
    expect(stats.figures(22_000).recent.windowMs).toBe(2_000);
    expect(stats.figures(40_000).recent.windowMs).toBe(W);
  });

  it('gives recent ages, late updates and round trips', () => {
    const stats = new ChannelMeter();
    stats.lateThresholdMs = 100;
    feedAt(stats, [1, 2, 3], 0);
    stats.recordAge(20, 1);
    stats.recordAge(40, 2);
    stats.recordAge(300, 3);
    stats.recordRtt(50, 0);
    expect(stats.figures(0).recent).toMatchObject({ ageP50Ms: 40, ageP95Ms: 300, late: 1, rttMs: 50 });
    expect(stats.figures(W + 1).recent).toMatchObject({ ageP50Ms: 0, late: 0, rttMs: 0, received: 0 });
  });

  it('stays bounded however long a gap is', () => {
    const stats = new ChannelMeter();
    feedAt(stats, [1, 10_000_000], 0);
    expect(stats.figures(0).recent.lost).toBeLessThanOrEqual(2048);
  });
});

describe('ChannelMeter update history (net graph)', () => {
  it('marks each update on time, late (arrived after a newer one, or too old) or lost', () => {
    const stats = new ChannelMeter();
    stats.lateThresholdMs = 100;
    for (const seq of [1, 2, 4, 3, 6]) stats.recordUpdate(seq, 0, 10);
    stats.recordAge(150, 6);
    stats.recordAge(20, 4);
    expect(stats.history().map((m) => `${m.seq}:${m.outcome}`)).toEqual(['1:on-time', '2:on-time', '3:late', '4:on-time', '5:lost', '6:late']);
    expect(stats.history().find((m) => m.seq === 6)!.ageMs).toBe(150);
  });

  it('keeps only the newest NET_GRAPH_UPDATES updates', () => {
    const stats = new ChannelMeter();
    for (let seq = 1; seq <= 500; seq++) stats.recordUpdate(seq, 0, 10);
    const history = stats.history();
    expect(history).toHaveLength(NET_GRAPH_UPDATES);
    expect(history.at(-1)!.seq).toBe(500);
  });
});
