// Draws for the fuzzer, all from one seeded PRNG (protocol/sim/random.ts), so an
// input is fixed by the seed and its index: any failure can be replayed.
export type Random = () => number;

const BYTE_BITS = 8;
const WORD_BYTES = 4;
const WORD_VALUES = 2 ** 32;

/** An integer in [0, n). */
export const below = (random: Random, n: number): number => Math.floor(random() * n);

/** An integer in [min, max]. */
export const between = (random: Random, min: number, max: number): number => min + below(random, max - min + 1);

export const chance = (random: Random, probability: number): boolean => random() < probability;

/** True half the time. */
export const coinFlip = (random: Random): boolean => random() < 1 / 2;

export const pick = <T>(random: Random, list: readonly T[]): T => list[below(random, list.length)]!;

/**
 * A length in [0, max], skewed toward short: most inputs stay near the sizes
 * decoders branch on, a few are long (the cube of a uniform draw).
 */
export const skewedLength = (random: Random, max: number): number => Math.floor((max + 1) * random() ** 3);

/** `length` random bytes, four from each draw (random bytes are the bulk of what the fuzzer makes). */
export function randomBytes(random: Random, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += WORD_BYTES) {
    let word = below(random, WORD_VALUES);
    for (let j = i; j < Math.min(length, i + WORD_BYTES); j++, word >>>= BYTE_BITS) bytes[j] = word; // a Uint8Array keeps the low 8 bits
  }
  return bytes;
}
