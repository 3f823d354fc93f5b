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

/** The pooled `q`-th percentile of the given windows' ages. */
export function pooledPercentile(windows: readonly (readonly number[])[], q: number): number {
  return percentile(windows.flat(), q);
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
  const ratioOf = (r: readonly (readonly number[])[], s: readonly (readonly number[])[]) =>
    Math.max(pooledPercentile(s, q), floorMs) / Math.max(pooledPercentile(r, q), floorMs);
  const random = seededRandom(seed);
  const pick = (windows: readonly (readonly number[])[]) => Array.from({ length: windows.length }, () => windows[Math.floor(random() * windows.length)]!);
  const pickPairs = () => {
    const indices = Array.from({ length: real.length }, () => Math.floor(random() * real.length));
    return ratioOf(indices.map((i) => real[i]!), indices.map((i) => simulated[i]!));
  };
  const ratios = Array.from({ length: resamples }, () => (paired ? pickPairs() : ratioOf(pick(real), pick(simulated))));
  const round = (v: number) => Math.round(v * 100) / 100;
  return { ratio: round(ratioOf(real, simulated)), ci: [round(percentile(ratios, TAIL)), round(percentile(ratios, 100 - TAIL))] };
}
