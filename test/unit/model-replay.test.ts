// bench:fidelity --model-only: the recorded real windows replayed through the
// stream model, every connection of each window on its own baseline.
import { describe, expect, it } from 'vitest';
import { replayThroughModel } from '../../bench/fidelity/model-replay.ts';
import type { Run } from '../../bench/fidelity/report.ts';

/** A recorded real window: only what the replay reads is filled in. */
function realWindow(lossPct: number, rep: number, observerAges: number[][], pageP50Ms: number): Run {
  return {
    mode: 'real',
    lossPct,
    rep,
    seconds: 10,
    datagramLossPct: lossPct,
    datagramAgeP50Ms: 30,
    datagramAgeP95Ms: 40,
    datagramLate: 0,
    streamAgeP50Ms: pageP50Ms,
    streamAgeP95Ms: pageP50Ms,
    streamLate: 0,
    streamReceived: 300,
    streamRttMs: 1,
    survived: true,
    streamAges: [pageP50Ms],
    observers: observerAges.map((ages) => ({ ages, reconnects: 0 })),
  };
}

describe('replayThroughModel', () => {
  // The 0 % window, measured once (rep 1): the page's drawing adds 60 ms, the two observers 1.5 and 4 ms.
  const baseline = realWindow(0, 1, [[1.5], [4]], 60);
  const [, atTwenty] = replayThroughModel([baseline, realWindow(20, 2, [[900], [900]], 90)]);

  it('replays every observer of a window, each on its own 0 % age, the page on its own', () => {
    const [first, second] = atTwenty!.observers!;
    // The model only adds to a connection's lossless age, so its least is that age.
    expect(Math.min(...first!.ages)).toBe(1.5);
    expect(Math.min(...second!.ages)).toBe(4);
    expect(Math.min(...atTwenty!.streamAges!)).toBe(60);
    expect(atTwenty!.mode).toBe('simulated');
    expect(first!.ages).toHaveLength(300); // 10 s of 30 Hz writes
  });

  it('gives each connection its own draw of the loss', () => {
    const [first, second] = atTwenty!.observers!;
    const stalls = (ages: number[], baselineMs: number) => ages.map((age) => Math.round((age - baselineMs) * 10) / 10);
    expect(stalls(first!.ages, 1.5)).not.toEqual(stalls(second!.ages, 4));
    expect(Math.max(...stalls(first!.ages, 1.5))).toBeGreaterThan(100); // 20 % loss over 10 s stalls somewhere
  });
});
