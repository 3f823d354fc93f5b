// Bit-level writing and reading for the delta snapshot: most significant bit
// first, Elias gamma codes, zero padding, a reader that never throws, and the
// two's complement helpers behind per-entity deltas.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitReader, BitWriter, signedBitsFor, toSigned, toUnsigned } from '../../protocol/wire/bits.ts';

/** The bytes as a string of '0'/'1', most significant bit first, for layout checks. */
function bitString(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(2).padStart(8, '0')).join('');
}

/** Writes one gamma code and returns exactly its bits (measured by reading it back). */
function gammaCode(n: number): string {
  const writer = new BitWriter();
  writer.writeGamma(n);
  const bytes = writer.finish();
  const reader = new BitReader(bytes);
  expect(reader.readGamma()).toBe(n);
  const used = bytes.byteLength * 8 - reader.remaining;
  return bitString(bytes).slice(0, used);
}

/** Elias gamma length: floor(log2 n) zeros, then n itself in floor(log2 n) + 1 bits. */
const gammaLength = (n: number) => 2 * Math.floor(Math.log2(n)) + 1;

describe('BitWriter / BitReader', () => {
  it('writes most significant bit first, packing fields across byte boundaries', () => {
    const writer = new BitWriter();
    writer.write(1, 1);
    writer.write(0, 1);
    writer.write(0b101, 3);
    writer.write(0b1111_0000_1, 9); // straddles the first and second byte
    expect(bitString(writer.finish())).toBe('10' + '101' + '111100001' + '00'); // 14 bits, padded to 16
  });

  it('round-trips mixed widths from 1 to 32 bits, including values at and above 2^31', () => {
    const fields: [value: number, width: number][] = [
      [1, 1],
      [0, 1],
      [5, 3],
      [0xabc, 12],
      [2 ** 31, 32],
      [0xffffffff, 32],
      [0x7fffffff, 31],
      [0, 32],
      [1, 32],
      [123_456, 17],
      [0xffff, 16],
      [2 ** 31 + 12345, 32],
      [3, 2],
    ];
    const writer = new BitWriter();
    for (const [value, width] of fields) writer.write(value, width);
    const reader = new BitReader(writer.finish());
    for (const [value, width] of fields) expect(reader.read(width)).toBe(value);
    expect(reader.overrun).toBe(false);
  });

  it('writes only the low `count` bits of a value', () => {
    const writer = new BitWriter();
    writer.write(0b1111_1010, 3); // only 010 goes out
    expect(bitString(writer.finish())).toBe('01000000');
  });

  it('pads the last byte with zeros, and writes no byte for no bits', () => {
    expect(new BitWriter().finish()).toEqual(new Uint8Array(0));

    const oneBit = new BitWriter();
    oneBit.write(1, 1);
    expect(Array.from(oneBit.finish())).toEqual([0x80]);

    const nineOnes = new BitWriter();
    nineOnes.write(0x1ff, 9);
    expect(Array.from(nineOnes.finish())).toEqual([0xff, 0x80]);

    const sixteen = new BitWriter();
    sixteen.write(0xffff, 16);
    expect(Array.from(sixteen.finish())).toEqual([0xff, 0xff]); // whole bytes: nothing added
  });

  it('grows past its initial buffer without losing bytes', () => {
    const writer = new BitWriter(1);
    for (let i = 0; i < 300; i++) writer.write(i & 0xff, 8);
    expect(Array.from(writer.finish())).toEqual(Array.from({ length: 300 }, (_, i) => i & 0xff));
  });

  it('round-trips any sequence of (value, width) fields and gamma codes', () => {
    const field = fc.oneof(
      fc.integer({ min: 1, max: 32 }).chain((width) => fc.record({ width: fc.constant(width), value: fc.integer({ min: 0, max: 2 ** width - 1 }) })),
      fc.record({ gamma: fc.integer({ min: 1, max: 0xffffffff }) }),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 60 }), (fields) => {
        const writer = new BitWriter(4); // small, so growing is exercised too
        let bitCount = 0;
        for (const f of fields) {
          if ('gamma' in f) {
            writer.writeGamma(f.gamma);
            bitCount += gammaLength(f.gamma);
          } else {
            writer.write(f.value, f.width);
            bitCount += f.width;
          }
        }
        const bytes = writer.finish();
        expect(bytes.byteLength).toBe(Math.ceil(bitCount / 8));

        const reader = new BitReader(bytes);
        for (const f of fields) {
          if ('gamma' in f) expect(reader.readGamma()).toBe(f.gamma);
          else expect(reader.read(f.width)).toBe(f.value);
        }
        expect(reader.overrun).toBe(false);
        expect(reader.remaining).toBe(bytes.byteLength * 8 - bitCount); // only the padding is left
      }),
    );
  });
});

describe('Elias gamma codes', () => {
  it('spells n as floor(log2 n) zeros followed by n in binary', () => {
    expect(gammaCode(1)).toBe('1');
    expect(gammaCode(2)).toBe('010');
    expect(gammaCode(3)).toBe('011');
    expect(gammaCode(4)).toBe('00100');
    expect(gammaCode(7)).toBe('00111');
    expect(gammaCode(8)).toBe('0001000');
  });

  it('costs 1 bit for 1, 3 bits for 2–3, 5 bits for 4–7, up to 63 bits for 2^32 - 1', () => {
    expect(gammaCode(1)).toHaveLength(1);
    for (const n of [2, 3]) expect(gammaCode(n)).toHaveLength(3);
    for (const n of [4, 5, 6, 7]) expect(gammaCode(n)).toHaveLength(5);
    for (const n of [8, 15]) expect(gammaCode(n)).toHaveLength(7);
    expect(gammaCode(2 ** 16)).toHaveLength(33);
    expect(gammaCode(2 ** 31)).toHaveLength(63);
    expect(gammaCode(2 ** 32 - 1)).toHaveLength(63);
  });

  it('round-trips 1, 2, 3, 4, 2^31 and 2^32 - 1 back to back', () => {
    const values = [1, 2, 3, 4, 2 ** 31, 2 ** 32 - 1];
    const writer = new BitWriter();
    for (const n of values) writer.writeGamma(n);
    const reader = new BitReader(writer.finish());
    expect(values.map(() => reader.readGamma())).toEqual(values);
    expect(reader.overrun).toBe(false);
  });

  it('round-trips any n from 1 to 2^32 - 1 in 2·floor(log2 n) + 1 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), (n) => {
        expect(gammaCode(n)).toHaveLength(gammaLength(n));
      }),
    );
  });
});

describe('BitReader at and past the end', () => {
  it('counts the bits left in `remaining`, never below zero', () => {
    const reader = new BitReader(new Uint8Array(3));
    expect(reader.remaining).toBe(24);
    reader.read(5);
    expect(reader.remaining).toBe(19);
    reader.read(19);
    expect(reader.remaining).toBe(0);
    expect(reader.overrun).toBe(false); // reading exactly to the end is not an overrun
    reader.read(8);
    expect(reader.remaining).toBe(0);
    expect(reader.overrun).toBe(true);
  });

  it('sets `overrun` instead of throwing when reading past the end, and yields zeros for the missing bits', () => {
    const reader = new BitReader(Uint8Array.of(0xff));
    expect(reader.read(6)).toBe(0b111111);
    expect(() => reader.read(4)).not.toThrow();
    expect(reader.overrun).toBe(true);

    const again = new BitReader(Uint8Array.of(0xff));
    again.read(6);
    expect(again.read(4)).toBe(0b1100); // two real bits, then two zeros
  });

  it('reads zeros from an empty buffer, with `overrun` set', () => {
    const reader = new BitReader(new Uint8Array(0));
    expect(reader.read(32)).toBe(0);
    expect(reader.overrun).toBe(true);
  });

  it('keeps `overrun` set once it has happened, even if later reads fit', () => {
    const reader = new BitReader(Uint8Array.of(0, 0, 0, 0, 0xff, 0xff));
    reader.readGamma(); // 32 zeros: no legal code
    expect(reader.overrun).toBe(true);
    expect(reader.read(8)).toBe(0xff); // these bits exist
    expect(reader.overrun).toBe(true);
  });

  it('sets `overrun` for a gamma code whose zeros run to the end of the bytes', () => {
    const reader = new BitReader(Uint8Array.of(0x00, 0x00));
    expect(() => reader.readGamma()).not.toThrow();
    expect(reader.overrun).toBe(true);
  });

  it('sets `overrun` for a gamma code whose payload is cut off', () => {
    const reader = new BitReader(Uint8Array.of(0b0000_0001)); // 7 zeros, the 1, then 7 missing bits
    reader.readGamma();
    expect(reader.overrun).toBe(true);
  });

  it('sets `overrun` for a gamma code of 32 or more zeros, which no 32-bit value has, even with bytes left', () => {
    const bytes = Uint8Array.of(0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff);
    const reader = new BitReader(bytes);
    expect(() => reader.readGamma()).not.toThrow();
    expect(reader.overrun).toBe(true);
  });

  it('accepts exactly 31 zeros, the longest legal gamma prefix (2^32 - 1)', () => {
    const reader = new BitReader(Uint8Array.of(0, 0, 0, 0b0000_0001, 0xff, 0xff, 0xff, 0xfe));
    expect(reader.readGamma()).toBe(2 ** 32 - 1);
    expect(reader.overrun).toBe(false);
  });

  it('reads only the bytes of its view, not the rest of the backing buffer', () => {
    const pool = Uint8Array.of(0xee, 0x12, 0x34, 0xee);
    const reader = new BitReader(pool.subarray(1, 3));
    expect(reader.remaining).toBe(16);
    expect(reader.read(16)).toBe(0x1234);
    expect(reader.read(8)).toBe(0); // the 0xee after the view is not visible
    expect(reader.overrun).toBe(true);
  });

  it('never throws on any bytes and any sequence of reads', () => {
    const step = fc.oneof(fc.integer({ min: 0, max: 32 }), fc.constant('gamma' as const));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.array(step, { maxLength: 20 }), (bytes, steps) => {
        const reader = new BitReader(bytes);
        for (const s of steps) {
          const value = s === 'gamma' ? reader.readGamma() : reader.read(s);
          expect(Number.isInteger(value) && value >= 0).toBe(true);
          expect(reader.remaining).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});

describe('toSigned / toUnsigned', () => {
  it('maps small negative numbers to the top of the unsigned range and back', () => {
    expect(toUnsigned(-1, 4)).toBe(15);
    expect(toSigned(15, 4)).toBe(-1);
    expect(toUnsigned(-8, 4)).toBe(8);
    expect(toSigned(8, 4)).toBe(-8);
    expect(toSigned(7, 4)).toBe(7);
    expect(toUnsigned(-1, 1)).toBe(1);
    expect(toSigned(1, 1)).toBe(-1);
    expect(toSigned(0, 1)).toBe(0);
    expect(toUnsigned(-(2 ** 30), 31)).toBe(2 ** 30);
    expect(toSigned(2 ** 30 - 1, 31)).toBe(2 ** 30 - 1);
    expect(toSigned(2 ** 31 - 1, 31)).toBe(-1);
  });

  it('round-trips every value that fits in `bits` bits, for widths 1 to 31', () => {
    const widthAndValue = fc
      .integer({ min: 1, max: 31 })
      .chain((bits) => fc.tuple(fc.constant(bits), fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 })));
    fc.assert(
      fc.property(widthAndValue, ([bits, value]) => {
        const unsigned = toUnsigned(value, bits);
        expect(unsigned).toBeGreaterThanOrEqual(0);
        expect(unsigned).toBeLessThan(2 ** bits);
        expect(toSigned(unsigned, bits)).toBe(value);
      }),
    );
  });

  it('round-trips through a BitWriter field of that width', () => {
    const writer = new BitWriter();
    writer.write(toUnsigned(-3, 5), 5);
    writer.write(toUnsigned(12, 5), 5);
    const reader = new BitReader(writer.finish());
    expect(toSigned(reader.read(5), 5)).toBe(-3);
    expect(toSigned(reader.read(5), 5)).toBe(12);
  });
});

describe('signedBitsFor', () => {
  it('needs one bit for 0, two for 1, and one more each time the limit passes 2^(b-1) - 1', () => {
    expect(signedBitsFor(0)).toBe(1);
    expect(signedBitsFor(1)).toBe(2);
    expect(signedBitsFor(2)).toBe(3);
    expect(signedBitsFor(3)).toBe(3);
    expect(signedBitsFor(4)).toBe(4);
    expect(signedBitsFor(7)).toBe(4);
    expect(signedBitsFor(8)).toBe(5);
    expect(signedBitsFor(127)).toBe(8);
    expect(signedBitsFor(128)).toBe(9);
    expect(signedBitsFor(32767)).toBe(16);
    expect(signedBitsFor(32768)).toBe(17);
  });

  it('gives the fewest bits that hold both -limit and +limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 - 1 }), (limit) => {
        // up to 31 bits, the documented range
        const bits = signedBitsFor(limit);
        expect(toSigned(toUnsigned(limit, bits), bits)).toBe(limit);
        expect(toSigned(toUnsigned(-limit, bits), bits)).toBe(0 - limit); // 0 - 0 is +0, as the shifts give
        if (bits > 1) expect(2 ** (bits - 2) - 1).toBeLessThan(limit); // one bit fewer would not hold +limit
      }),
    );
  });
});
