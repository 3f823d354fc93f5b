// Bit-level writing and reading, most significant bit first, for the delta
// snapshot. The reader never throws: reading past the end sets `overrun`,
// which the decoder checks, so a truncated packet becomes an error value.

/** Appends bits to a growing byte buffer. */
export class BitWriter {
  private bytes: Uint8Array;
  private bitLength = 0;

  constructor(initialBytes = 256) {
    this.bytes = new Uint8Array(initialBytes);
  }

  /** Writes the low `count` bits of `value` (0 ≤ count ≤ 32), filling a byte at a time. */
  write(value: number, count: number): void {
    while (count > 0) {
      const index = this.bitLength >>> 3;
      if (index >= this.bytes.length) this.grow();
      const free = 8 - (this.bitLength & 7);
      const take = Math.min(free, count);
      const chunk = (value >>> (count - take)) & ((1 << take) - 1);
      this.bytes[index]! |= chunk << (free - take);
      this.bitLength += take;
      count -= take;
    }
  }

  /** Elias gamma code of n ≥ 1: small numbers take few bits (1 → 1 bit, 2–3 → 3 bits, 4–7 → 5 bits …). */
  writeGamma(n: number): void {
    const bits = 32 - Math.clz32(n);
    this.write(0, bits - 1);
    this.write(n, bits);
  }

  /** The bytes written so far, the last one padded with zero bits. */
  finish(): Uint8Array {
    return this.bytes.slice(0, Math.ceil(this.bitLength / 8));
  }

  private grow() {
    const grown = new Uint8Array(this.bytes.length * 2);
    grown.set(this.bytes);
    this.bytes = grown;
  }
}

/** Reads bits from a byte view; past the end it yields zeros and sets `overrun`. */
export class BitReader {
  overrun = false;
  private bitPosition = 0;
  private readonly bitLimit: number;

  /** Reads `bytes` from byte `startByte` on (a body after its header, without a subarray per packet). */
  constructor(
    private readonly bytes: Uint8Array,
    startByte = 0,
  ) {
    this.bitLimit = bytes.byteLength * 8;
    this.bitPosition = Math.min(startByte * 8, this.bitLimit);
  }

  /** Reads `count` bits (0 ≤ count ≤ 32) as an unsigned number, a byte at a time. */
  read(count: number): number {
    let value = 0;
    while (count > 0) {
      if (this.bitPosition >= this.bitLimit) {
        this.overrun = true;
        return value * 2 ** count;
      }
      const available = 8 - (this.bitPosition & 7);
      const take = Math.min(available, count);
      const chunk = (this.bytes[this.bitPosition >>> 3]! >>> (available - take)) & ((1 << take) - 1);
      value = value * (1 << take) + chunk;
      this.bitPosition += take;
      count -= take;
    }
    return value;
  }

  /** Reads an Elias gamma code (see BitWriter.writeGamma); at most 32 bits of payload. */
  readGamma(): number {
    let zeros = 0;
    while (this.readBit() === 0) {
      if (this.overrun || ++zeros > 31) {
        this.overrun = true;
        return 1;
      }
    }
    return zeros === 0 ? 1 : 2 ** zeros + this.read(zeros);
  }

  /** Bits left unread. */
  get remaining(): number {
    return this.bitLimit - this.bitPosition;
  }

  private readBit(): number {
    if (this.bitPosition >= this.bitLimit) {
      this.overrun = true;
      return 0;
    }
    const bit = (this.bytes[this.bitPosition >>> 3]! >>> (7 - (this.bitPosition & 7))) & 1;
    this.bitPosition++;
    return bit;
  }
}

/** Two's complement in `bits` bits (1–31), and back: plain 32-bit shifts. */
export const toUnsigned = (value: number, bits: number) => value & ((1 << bits) - 1);
export const toSigned = (value: number, bits: number) => (value << (32 - bits)) >> (32 - bits);

/** Bits needed to hold every value in [-limit, limit] in two's complement. */
export function signedBitsFor(limit: number): number {
  let bits = 1;
  while (limit > 2 ** (bits - 1) - 1 || -limit < -(2 ** (bits - 1))) bits++;
  return bits;
}
