// One-way latency of the floor's messages, counted in fixed buckets so that
// a side can keep a running count (cheap per message, bounded memory) and the
// parent can take the difference over its window and a percentile of it.
// Buckets are fine where the floor lives (50 µs up to 5 ms) and coarser
// above (1 ms to 200 ms, 10 ms to 2 s), so a queue that builds up shows too.

const FINE_STEP_MS = 0.05;
const FINE_UNTIL_MS = 5;
const MEDIUM_STEP_MS = 1;
const MEDIUM_UNTIL_MS = 200;
const COARSE_STEP_MS = 10;
const COARSE_UNTIL_MS = 2_000;
const FINE_BUCKETS = Math.round(FINE_UNTIL_MS / FINE_STEP_MS);
const MEDIUM_BUCKETS = Math.round((MEDIUM_UNTIL_MS - FINE_UNTIL_MS) / MEDIUM_STEP_MS);
const COARSE_BUCKETS = Math.round((COARSE_UNTIL_MS - MEDIUM_UNTIL_MS) / COARSE_STEP_MS);
/** The last bucket holds everything from COARSE_UNTIL_MS up. */
export const LATENCY_BUCKETS = FINE_BUCKETS + MEDIUM_BUCKETS + COARSE_BUCKETS + 1;

/** The bucket a latency falls in (a negative one, from clock skew between processes, in the first). */
export function latencyBucket(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < FINE_UNTIL_MS) return Math.floor(ms / FINE_STEP_MS);
  if (ms < MEDIUM_UNTIL_MS) return FINE_BUCKETS + Math.floor((ms - FINE_UNTIL_MS) / MEDIUM_STEP_MS);
  if (ms < COARSE_UNTIL_MS) return FINE_BUCKETS + MEDIUM_BUCKETS + Math.floor((ms - MEDIUM_UNTIL_MS) / COARSE_STEP_MS);
  return LATENCY_BUCKETS - 1;
}

/** A bucket's upper edge in ms: what a percentile that lands in it reports (Infinity for the last). */
export function bucketUpperMs(bucket: number): number {
  if (bucket < FINE_BUCKETS) return (bucket + 1) * FINE_STEP_MS;
  if (bucket < FINE_BUCKETS + MEDIUM_BUCKETS) return FINE_UNTIL_MS + (bucket - FINE_BUCKETS + 1) * MEDIUM_STEP_MS;
  if (bucket < LATENCY_BUCKETS - 1) return MEDIUM_UNTIL_MS + (bucket - FINE_BUCKETS - MEDIUM_BUCKETS + 1) * COARSE_STEP_MS;
  return Infinity;
}

/** `end − start`, bucket by bucket: what arrived between two readings of a running count. */
export function histogramBetween(start: readonly number[], end: readonly number[]): number[] {
  return end.map((count, i) => count - (start[i] ?? 0));
}

/** The `p`th percentile (0–100) of a histogram, as its bucket's upper edge; null when it is empty. */
export function histogramPercentileMs(counts: readonly number[], p: number): number | null {
  const total = counts.reduce((n, c) => n + c, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let bucket = 0; bucket < counts.length; bucket++) {
    seen += counts[bucket]!;
    if (seen >= rank) return Math.round(bucketUpperMs(bucket) * 100) / 100;
  }
  return null;
}
