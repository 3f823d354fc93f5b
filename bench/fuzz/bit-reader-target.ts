// BitReader (protocol/wire/bits.ts), the delta decoder's bit source, under fuzz on
// its own: random bytes read with a random sequence of widths and gamma codes.
// Every answer is compared with a plain bit-by-bit reference reader; past the
// end, the reader must set `overrun` (and go on answering) instead of throwing.
import { BitReader } from '../../protocol/wire/bits.ts';
import { below, between, chance, pick, randomBytes, skewedLength, type Random } from './fuzz-random.ts';
import { toHex, type FuzzTarget, type Outcome } from './fuzz-target.ts';

/** A read of this "width" stands for readGamma(). */
const GAMMA = -1;
const BITS_PER_BYTE = 8;
/** BitReader.read takes 0..32 bits at once. */
const MAX_READ_BITS = 32;
/** A gamma code has at most this many leading zeros (32 bits of payload). */
const MAX_GAMMA_ZEROS = 31;
const MAX_INPUT_BYTES = 64;
const MAX_READS = 48;
const GAMMA_SHARE = 0.35;
/** Reads at the widths where shifts go wrong, rather than uniformly. */
const EDGE_WIDTH_SHARE = 0.3;
const EDGE_WIDTHS = [0, 1, 7, 8, 9, 15, 16, 17, 31, MAX_READ_BITS];
/** Inputs of all-zero bytes: the only way to reach "more than 31 leading zeros". */
const ZEROS_SHARE = 0.05;

export interface BitReads {
  bytes: Uint8Array;
  /** Widths in bits, or GAMMA. */
  reads: number[];
}

function generate(random: Random): BitReads {
  const length = skewedLength(random, MAX_INPUT_BYTES);
  const bytes = chance(random, ZEROS_SHARE) ? new Uint8Array(length) : randomBytes(random, length);
  const reads = Array.from({ length: between(random, 1, MAX_READS) }, () => {
    if (chance(random, GAMMA_SHARE)) return GAMMA;
    return chance(random, EDGE_WIDTH_SHARE) ? pick(random, EDGE_WIDTHS) : below(random, MAX_READ_BITS + 1);
  });
  return { bytes, reads };
}

/** The reference: bit `i` of `bytes`, most significant first. */
const bitAt = (bytes: Uint8Array, i: number) => (bytes[i >>> 3]! >>> (BITS_PER_BYTE - 1 - (i & 7))) & 1;

function bitsAt(bytes: Uint8Array, from: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) value = value * 2 + bitAt(bytes, from + i);
  return value;
}

/** What the reference expects of one read at `position`: its value and the next position, or null for an overrun. */
function expected(bytes: Uint8Array, position: number, width: number): { value: number; next: number } | null {
  const limit = bytes.byteLength * BITS_PER_BYTE;
  if (width !== GAMMA) return position + width > limit ? null : { value: bitsAt(bytes, position, width), next: position + width };
  let zeros = 0;
  while (position < limit && bitAt(bytes, position) === 0) {
    position++;
    if (++zeros > MAX_GAMMA_ZEROS) return null;
  }
  if (position >= limit || position + 1 + zeros > limit) return null;
  return { value: 2 ** zeros + bitsAt(bytes, position + 1, zeros), next: position + 1 + zeros };
}

function run({ bytes, reads }: BitReads): Outcome {
  const reader = new BitReader(bytes);
  let position = 0;
  let overran = false;
  for (const width of reads) {
    const value = width === GAMMA ? reader.readGamma() : reader.read(width);
    if (!Number.isFinite(value) || value < 0) return { violation: `read ${width} gave ${value}` };
    if (reader.remaining < 0) return { violation: `remaining is ${reader.remaining}` };
    if (overran) {
      if (!reader.overrun) return { violation: 'overrun was cleared' };
      continue;
    }
    const want = expected(bytes, position, width);
    if (want === null) {
      if (!reader.overrun) return { violation: `read ${width} at bit ${position} ran past the end without setting overrun` };
      overran = true;
      continue;
    }
    if (reader.overrun) return { violation: `read ${width} at bit ${position} set overrun within the bytes` };
    if (value !== want.value) return { violation: `read ${width} at bit ${position} gave ${value}, the reference ${want.value}` };
    position = want.next;
    if (reader.remaining !== bytes.byteLength * BITS_PER_BYTE - position) return { violation: `remaining ${reader.remaining} at bit ${position}` };
  }
  return overran ? 'rejected' : 'accepted';
}

export const bitReaderTarget: FuzzTarget<BitReads> = {
  name: 'BitReader',
  description: 'read(0..32) and readGamma() vs a bit-by-bit reference; accepted = no overrun (protocol/wire/bits.ts)',
  generate,
  run,
  show: ({ bytes, reads }) => `bytes=${toHex(bytes) || '(empty)'} reads=${JSON.stringify(reads)} (${GAMMA} = readGamma)`,
};
