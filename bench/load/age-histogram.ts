// Update ages as the bots report them per window: counts per bucket, keyed by
// the bucket's upper edge in ms ({"1.5": 120, "2": 80, …}). Percentiles do not
// add up across bot processes, but counts do: the bench merges every
// process's histogram and takes the percentile of the whole.

export type AgeHistogram = Record<string, number>;

/** The bucket-wise sum of `histograms`. */
export function mergeHistograms(histograms: readonly AgeHistogram[]): AgeHistogram {
  const merged: AgeHistogram = {};
  for (const histogram of histograms) {
    for (const [edge, count] of Object.entries(histogram)) merged[edge] = (merged[edge] ?? 0) + count;
  }
  return merged;
}

/**
 * The p-th percentile (0–100) by nearest rank, as the upper edge of the
 * bucket that holds it (so never below the true value by more than a bucket);
 * 0 for an empty histogram.
 */
export function histogramPercentile(histogram: AgeHistogram, p: number): number {
  const buckets = Object.entries(histogram)
    .map(([edge, count]) => ({ edge: Number(edge), count }))
    .filter((b) => Number.isFinite(b.edge) && b.count > 0)
    .sort((a, b) => a.edge - b.edge);
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0) return 0;
  const rank = Math.min(total, Math.max(1, Math.ceil((p / 100) * total)));
  let seen = 0;
  for (const bucket of buckets) {
    seen += bucket.count;
    if (seen >= rank) return bucket.edge;
  }
  return buckets[buckets.length - 1]!.edge;
}
