// The fidelity benchmark's confidence intervals: a bootstrap over windows.
import { describe, expect, it } from 'vitest';
import { bootstrapRatio, pooledPercentile, SortedWindows } from '../../bench/fidelity/bootstrap.ts';
import { percentile } from '../../protocol/netsim/percentile.ts';
import { seededRandom } from '../../protocol/sim/random.ts';

/** Fewer resamples than the benchmark's 2000: enough for these checks, and quick. */
const RESAMPLES = 300;

/** `count` windows of 600 ages, exponential with the given mean (a stall-like tail). */
function windows(count: number, meanMs: number, seed: number): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Array.from({ length: 600 }, () => -meanMs * Math.log(1 - random())));
}

describe('bootstrapRatio', () => {
  it('pools the windows before taking the percentile', () => {
    expect(
      pooledPercentile(
        [
          [1, 2],
          [3, 4, 5],
        ],
        50,
      ),
    ).toBe(3);
  });

  it("finds a resample's pooled percentile without pooling: the same as pooling each window as many times as it was drawn", () => {
    const ws = windows(4, 100, 21);
    const sorted = new SortedWindows(ws);
    for (const times of [
      [1, 1, 1, 1],
      [2, 0, 1, 1],
      [0, 0, 4, 0],
      [3, 1, 0, 0],
    ]) {
      const pooled = ws.flatMap((w, i) => Array.from({ length: times[i]! }, () => w).flat());
      for (const q of [1, 50, 95, 100]) expect(sorted.percentile(times, q)).toBe(percentile(pooled, q));
    }
  });

  it('gives a ratio near 1, with an interval around it, for two samples of one distribution', () => {
    const { ratio, ci } = bootstrapRatio(windows(6, 100, 1), windows(6, 100, 2), 95, 1, RESAMPLES);
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
    expect(ci[0]).toBeLessThanOrEqual(ratio);
    expect(ci[1]).toBeGreaterThanOrEqual(ratio);
    expect(ci[1] - ci[0]).toBeLessThan(0.3);
  });

  it('finds a real difference: twice the mean is a ratio near 2, its interval clear of 1', () => {
    const { ratio, ci } = bootstrapRatio(windows(6, 100, 3), windows(6, 200, 4), 95, 1, RESAMPLES);
    expect(ratio).toBeGreaterThan(1.6);
    expect(ci[0]).toBeGreaterThan(1.33);
  });

  it('is wider with fewer windows, and repeats exactly for a seed', () => {
    const few = bootstrapRatio(windows(3, 100, 5), windows(3, 100, 6), 95, 1, RESAMPLES);
    const many = bootstrapRatio(windows(12, 100, 5), windows(12, 100, 6), 95, 1, RESAMPLES);
    expect(few.ci[1] - few.ci[0]).toBeGreaterThan(many.ci[1] - many.ci[0]);
    expect(bootstrapRatio(windows(3, 100, 7), windows(3, 100, 8), 50, 42, RESAMPLES)).toEqual(
      bootstrapRatio(windows(3, 100, 7), windows(3, 100, 8), 50, 42, RESAMPLES),
    );
  });

  it('paired: resampling pairs cancels what a pair shares, so the interval is narrower and still holds the ratio', () => {
    // Each pair of windows shares a scale (the machine's load then): 0.5×–2× from pair to pair.
    const random = seededRandom(11);
    const scales = Array.from({ length: 6 }, () => 2 ** (random() * 2 - 1));
    const scaled = (ws: number[][]) => ws.map((w, i) => w.map((age) => age * scales[i]!));
    const real = scaled(windows(6, 100, 12));
    const simulated = scaled(windows(6, 100, 13));
    const unpaired = bootstrapRatio(real, simulated, 50, 1, RESAMPLES);
    const paired = bootstrapRatio(real, simulated, 50, 1, RESAMPLES, 0.1, true);
    expect(paired.ci[1] - paired.ci[0]).toBeLessThan((unpaired.ci[1] - unpaired.ci[0]) / 2);
    // Both modes draw from one distribution: the paired interval sits near 1, around the ratio.
    expect(paired.ci[0]).toBeGreaterThan(0.85);
    expect(paired.ci[1]).toBeLessThan(1.15);
    expect(paired.ci[0]).toBeLessThanOrEqual(paired.ratio);
    expect(paired.ci[1]).toBeGreaterThanOrEqual(paired.ratio);
    expect(() => bootstrapRatio(real, simulated.slice(1), 50, 1, RESAMPLES, 0.1, true)).toThrow();
  });
});
