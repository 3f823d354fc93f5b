// How sure the fidelity benchmark is of a ratio: a bootstrap over windows.
// Each mode (real kernel loss, the page's simulation) has a few windows of
// update ages at one loss; the statistic is the ratio of the pooled
// percentile (all windows' ages together) of one mode to the other's.
// Windows, not single ages, are resampled, because ages within a window are
// not independent (one long stall delays every update behind it): the spread
// between windows is what the interval must carry. Pure and seeded, so a
// report's intervals can be recomputed from its JSON.
import { percentile } from '../../protocol/netsim/percentile.ts';
import { seededRandom } from '../../protocol/sim/random.ts';

/** Resamples: enough for the 2.5th and 97.5th percentiles to settle to about ±0.01 on these ratios. */
export const BOOTSTRAP_RESAMPLES = 2000;
/** A 95 % interval. */
const TAIL = 2.5;

export interface RatioEstimate {
  /** simulated ÷ real, pooled percentile. */
  ratio: number;
  /** The 95 % bootstrap interval of the ratio, [low, high]. */
  ci: [number, number];
}

/** The pooled `q`-th percentile of the given windows' ages, by nearest rank (as protocol/netsim/percentile.ts). */
export function pooledPercentile(windows: readonly (readonly number[])[], q: number): number {
  return new SortedWindows(windows).percentile(
    windows.map(() => 1),
    q,
  );
}

/**
 * Windows sorted once, so that a resample (each window taken some number of
 * times) has its pooled percentile found without pooling: the bootstrap
 * takes 2000 of them per ratio over about 150,000 ages (a page and
 * twenty observers, twelve windows), where sorting each pool took minutes.
 */
export class SortedWindows {
  private readonly sorted: Float64Array[];
  /** Every age of every window, sorted: the candidates for a percentile. */
  private readonly values: Float64Array;

  constructor(windows: readonly (readonly number[])[]) {
    this.sorted = windows.map((w) => Float64Array.from(w).sort());
    this.values = Float64Array.from(windows.flat()).sort();
  }

  /** The `q`-th percentile of the pool that holds window i `times[i]` times: the smallest age with at least rank ages at or below it. */
  percentile(times: readonly number[], q: number): number {
    const total = this.sorted.reduce((n, w, i) => n + w.length * times[i]!, 0);
    if (total === 0) return 0;
    const rank = Math.min(total, Math.max(1, Math.ceil((q / 100) * total)));
    let low = 0;
    let high = this.values.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.countAtMost(this.values[mid]!, times) >= rank) high = mid;
      else low = mid + 1;
    }
    return this.values[low]!;
  }

  private countAtMost(value: number, times: readonly number[]): number {
    let count = 0;
    this.sorted.forEach((w, i) => {
      if (times[i] === 0) return;
      let low = 0;
      let high = w.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (w[mid]! <= value) low = mid + 1;
        else high = mid;
      }
      count += low * times[i]!;
    });
    return count;
  }
}

/**
 * simulated ÷ real of the pooled `q`-th percentile, with a 95 % interval
 * from resampling each mode's windows with replacement. A percentile below
 * `floorMs` counts as `floorMs` (a 0 % baseline near zero would make the
 * ratio meaningless).
 */
export function bootstrapRatio(
  real: readonly (readonly number[])[],
  simulated: readonly (readonly number[])[],
  q: number,
  seed = 1,
  resamples = BOOTSTRAP_RESAMPLES,
  floorMs = 0.1,
  /**
   * Windows come in pairs (real[i] and simulated[i] measured back to back,
   * sharing the machine's state then): resample pairs, so what they share
   * cancels in the ratio instead of widening the interval.
   */
  paired = false,
): RatioEstimate {
  if (real.length === 0 || simulated.length === 0) throw new Error('a ratio needs windows of both modes');
  if (paired && real.length !== simulated.length) throw new Error('paired windows need as many of each mode');
  const realSorted = new SortedWindows(real);
  const simulatedSorted = new SortedWindows(simulated);
  const ratioOf = (realTimes: number[], simulatedTimes: number[]) =>
    Math.max(simulatedSorted.percentile(simulatedTimes, q), floorMs) / Math.max(realSorted.percentile(realTimes, q), floorMs);
  const random = seededRandom(seed);
  /** How many times each of `count` windows is drawn when `count` are drawn with replacement. */
  const draw = (count: number) => {
    const times = new Array<number>(count).fill(0);
    for (let i = 0; i < count; i++) times[Math.floor(random() * count)]!++;
    return times;
  };
  const ratios = Array.from({ length: resamples }, () => {
    if (!paired) return ratioOf(draw(real.length), draw(simulated.length));
    const times = draw(real.length);
    return ratioOf(times, times);
  });
  const round = (v: number) => Math.round(v * 100) / 100;
  const once = (windows: readonly unknown[]) => windows.map(() => 1);
  return { ratio: round(ratioOf(once(real), once(simulated))), ci: [round(percentile(ratios, TAIL)), round(percentile(ratios, 100 - TAIL))] };
}
