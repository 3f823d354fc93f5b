// The token bucket behind per-client rate limits: a burst, then a steady refill.
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../game-server/limits/token-bucket.ts';

/** How many of `n` takes at `nowMs` succeed. */
const takes = (bucket: TokenBucket, n: number, nowMs: number) => Array.from({ length: n }, () => bucket.take(nowMs)).filter(Boolean).length;

describe('TokenBucket', () => {
  it('allows a full burst at once, then refuses', () => {
    const bucket = new TokenBucket(5, 1, 0);
    expect(takes(bucket, 5, 0)).toBe(5);
    expect(bucket.take(0)).toBe(false);
  });

  it('refills at refillPerS', () => {
    const bucket = new TokenBucket(5, 2, 0);
    takes(bucket, 5, 0);
    expect(takes(bucket, 10, 1000)).toBe(2);
    expect(takes(bucket, 10, 2500)).toBe(3);
  });

  it('keeps fractions of a token between takes', () => {
    const bucket = new TokenBucket(1, 1, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(500)).toBe(false); // half a token
    expect(bucket.take(999)).toBe(false);
    expect(bucket.take(1000)).toBe(true); // the half plus another half
  });

  it('never holds more than the burst, however long it idles', () => {
    const bucket = new TokenBucket(3, 10, 0);
    expect(takes(bucket, 10, 3_600_000)).toBe(3);
  });

  it('gives nothing back when the clock does not advance', () => {
    const bucket = new TokenBucket(2, 1000, 0);
    expect(takes(bucket, 5, 0)).toBe(2);
    expect(takes(bucket, 5, 0)).toBe(0);
  });

  it('holds a steady client to refillPerS over a long run', () => {
    const bucket = new TokenBucket(5, 20, 0);
    let allowed = 0;
    for (let t = 0; t < 10_000; t += 10) allowed += takes(bucket, 1, t); // tries 100/s for 10 s
    expect(allowed).toBe(5 + 20 * 10 - 1); // burst + refills up to t = 9990
  });
});
