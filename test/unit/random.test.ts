// The seeded PRNG: same seed, same sequence; values in [0, 1).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../protocol/sim/random.ts';

const take = (next: () => number, n: number) => Array.from({ length: n }, next);

describe('seededRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(take(seededRandom(42), 1000)).toEqual(take(seededRandom(42), 1000));
  });

  it('matches the published mulberry32 outputs', () => {
    // Reference values from an independent implementation of mulberry32, as 32-bit integers.
    const asU32 = (seed: number) => take(seededRandom(seed), 4).map((v) => v * 2 ** 32);
    expect(asU32(0)).toEqual([1144304738, 1416247, 958946056, 627933444]);
    expect(asU32(42)).toEqual([2581720956, 1925393290, 3661312704, 2876485805]);
  });

  it('gives different sequences for different seeds', () => {
    expect(take(seededRandom(1), 10)).not.toEqual(take(seededRandom(2), 10));
  });

  it('does not repeat a value within a short run', () => {
    const values = take(seededRandom(7), 1000);
    expect(new Set(values).size).toBe(1000);
  });

  it('treats the seed as a uint32', () => {
    expect(take(seededRandom(-1), 5)).toEqual(take(seededRandom(0xffffffff), 5));
    expect(take(seededRandom(2 ** 32 + 3), 5)).toEqual(take(seededRandom(3), 5));
  });

  it('yields values in [0, 1) for any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        for (const v of take(seededRandom(seed), 200)) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThan(1);
        }
      }),
    );
  });

  it('spreads values evenly over [0, 1)', () => {
    const values = take(seededRandom(12345), 20_000);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    const buckets = new Array<number>(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]!++;
    for (const count of buckets) expect(count).toBeGreaterThan(1800); // 2000 expected per tenth
  });
});
