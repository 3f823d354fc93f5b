// Reconnect and retry delays: exponential backoff with equal jitter. Without
// jitter, every client a server restart dropped comes back on the same
// schedule, in waves that hit the restarted server together; a random half of
// each delay spreads them out, and the other half keeps a floor, so a client
// never retries at once in a tight loop (full jitter may wait 0 ms).
// Pure: the randomness is passed in, so tests choose it.

/** The delay before retry number `attempt` (0 first): min·2^attempt capped at max, then between half of it and all of it. */
export function backoffDelayMs(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, minMs * 2 ** attempt);
  return equalJitterMs(capped, random);
}

/** Between half of `ms` and all of it, uniformly: `random` gives [0, 1). */
export function equalJitterMs(ms: number, random: () => number): number {
  return ms / 2 + random() * (ms / 2);
}
