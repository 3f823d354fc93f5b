// The binary input packet: exact round trip, one test per rejection path of
// the decoder, and fuzzing to show it never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DATAGRAM_TYPE_INPUT,
  DATAGRAM_TYPE_SNAPSHOT,
  DROP_BAD_COUNT,
  DROP_BAD_VALUE,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  INPUT_AXIS_MAX,
  INPUT_BYTES,
  INPUT_HEADER_BYTES,
  INPUT_REDUNDANCY,
} from '../../protocol/constants.ts';
import { decodeInputPacket, encodeInputPacket, type InputPacket } from '../../protocol/wire/input.ts';

const DECODER_ERRORS = [DROP_TOO_SHORT, DROP_TOO_LONG, DROP_UNKNOWN_TYPE, DROP_BAD_COUNT, DROP_BAD_VALUE];

const packet: InputPacket = {
  seq: 1000,
  ackTick: 77,
  inputs: [
    { moveX: INPUT_AXIS_MAX, moveY: -INPUT_AXIS_MAX },
    { moveX: 0, moveY: 5 },
    { moveX: -1, moveY: 1 },
  ],
};

/** Raw bytes of a packet, for tampering with one field at a time. */
function bytesOf(p: InputPacket = packet): Uint8Array {
  return encodeInputPacket(p);
}

/** Copies `bytes` into the middle of a bigger buffer full of junk, the way a Node Buffer sits in its pool. */
function pooled(bytes: Uint8Array): Uint8Array {
  const pool = new Uint8Array(bytes.byteLength + 100).fill(0xee);
  pool.set(bytes, 37);
  return pool.subarray(37, 37 + bytes.byteLength);
}

function expectRejected(bytes: Uint8Array, error: string) {
  expect(decodeInputPacket(bytes)).toEqual({ ok: false, error });
}

describe('encodeInputPacket / decodeInputPacket', () => {
  it('round-trips a packet exactly', () => {
    expect(decodeInputPacket(encodeInputPacket(packet))).toEqual({ ok: true, value: packet });
  });

  it('lays out the header as documented', () => {
    const bytes = bytesOf();
    expect(bytes.byteLength).toBe(INPUT_HEADER_BYTES + 3 * INPUT_BYTES);
    expect(Array.from(bytes.subarray(0, INPUT_HEADER_BYTES))).toEqual([DATAGRAM_TYPE_INPUT, 0, 0, 3, 232, 0, 0, 0, 77, 3]);
    expect(Array.from(bytes.subarray(INPUT_HEADER_BYTES, INPUT_HEADER_BYTES + 2))).toEqual([127, 0x81]); // 127, -127
  });

  it('writes at most INPUT_REDUNDANCY inputs', () => {
    const many = { seq: 50, ackTick: 0, inputs: Array.from({ length: 9 }, (_, i) => ({ moveX: i, moveY: 0 })) };
    const decoded = decodeInputPacket(encodeInputPacket(many));
    expect(decoded.ok && decoded.value.inputs.map((i) => i.moveX)).toEqual(Array.from({ length: INPUT_REDUNDANCY }, (_, i) => i));
  });

  it('decodes from a view at a non-zero byteOffset inside a bigger buffer', () => {
    const view = pooled(bytesOf());
    expect(view.byteOffset).toBe(37);
    expect(decodeInputPacket(view)).toEqual({ ok: true, value: packet });
  });

  it('round-trips any valid packet', () => {
    const validPacket = fc
      .array(
        fc.record({
          moveX: fc.integer({ min: -INPUT_AXIS_MAX, max: INPUT_AXIS_MAX }),
          moveY: fc.integer({ min: -INPUT_AXIS_MAX, max: INPUT_AXIS_MAX }),
        }),
        { minLength: 1, maxLength: INPUT_REDUNDANCY },
      )
      .chain((inputs) =>
        fc.record({
          seq: fc.integer({ min: inputs.length, max: 0xffffffff }),
          ackTick: fc.integer({ min: 0, max: 0xffffffff }),
          inputs: fc.constant(inputs),
        }),
      );
    fc.assert(
      fc.property(validPacket, (p) => {
        expect(decodeInputPacket(encodeInputPacket(p))).toEqual({ ok: true, value: p });
      }),
    );
  });
});

describe('decodeInputPacket rejections', () => {
  it('drops a datagram shorter than the header', () => {
    expectRejected(bytesOf().subarray(0, INPUT_HEADER_BYTES - 1), DROP_TOO_SHORT);
    expectRejected(new Uint8Array(0), DROP_TOO_SHORT);
  });

  it('drops a datagram of another type', () => {
    const bytes = bytesOf();
    bytes[0] = DATAGRAM_TYPE_SNAPSHOT;
    expectRejected(bytes, DROP_UNKNOWN_TYPE);
  });

  it('drops a packet that carries no inputs', () => {
    const bytes = bytesOf().slice(0, INPUT_HEADER_BYTES);
    bytes[9] = 0;
    expectRejected(bytes, DROP_BAD_COUNT);
  });

  it('drops a packet that claims more than INPUT_REDUNDANCY inputs', () => {
    const count = INPUT_REDUNDANCY + 1;
    const bytes = new Uint8Array(INPUT_HEADER_BYTES + count * INPUT_BYTES);
    bytes.set(bytesOf().subarray(0, INPUT_HEADER_BYTES));
    bytes[9] = count;
    expectRejected(bytes, DROP_BAD_COUNT);
  });

  it('drops a packet whose body is shorter than its count says', () => {
    expectRejected(bytesOf().subarray(0, INPUT_HEADER_BYTES + 2 * INPUT_BYTES + 1), DROP_TOO_SHORT);
  });

  it('drops a packet with bytes after the last input', () => {
    const bytes = bytesOf();
    const longer = new Uint8Array(bytes.byteLength + 1);
    longer.set(bytes);
    expectRejected(longer, DROP_TOO_LONG);
  });

  it('drops a packet whose oldest input would have a sequence below 1', () => {
    // seq 2 with 3 inputs means inputs 2, 1 and 0; sequences start at 1.
    expectRejected(bytesOf({ ...packet, seq: 2 }), DROP_BAD_VALUE);
    expectRejected(bytesOf({ seq: 0, ackTick: 0, inputs: [{ moveX: 0, moveY: 0 }] }), DROP_BAD_VALUE);
  });

  it('accepts a packet whose oldest input has sequence 1', () => {
    expect(decodeInputPacket(bytesOf({ ...packet, seq: 3 })).ok).toBe(true);
  });

  it('drops an axis of -128, which no encoder writes', () => {
    const x = bytesOf();
    x[INPUT_HEADER_BYTES + INPUT_BYTES] = 0x80; // second input's moveX
    expectRejected(x, DROP_BAD_VALUE);
    const y = bytesOf();
    y[INPUT_HEADER_BYTES + 1] = 0x80; // first input's moveY
    expectRejected(y, DROP_BAD_VALUE);
  });

  it('never throws on random bytes, and re-encodes whatever it accepts to the same bytes', () => {
    const noise = fc.uint8Array({ maxLength: 2 * (INPUT_HEADER_BYTES + INPUT_REDUNDANCY * INPUT_BYTES) });
    // Half the cases start like an input packet, so the deeper checks are reached too.
    const plausible = fc.tuple(fc.integer({ min: 0, max: INPUT_REDUNDANCY + 1 }), fc.uint8Array({ minLength: 9, maxLength: 30 })).map(([count, rest]) => {
      const bytes = Uint8Array.of(DATAGRAM_TYPE_INPUT, ...rest);
      bytes[9] = count;
      return bytes;
    });
    fc.assert(
      fc.property(fc.oneof(noise, plausible), (bytes) => {
        const result = decodeInputPacket(bytes);
        if (result.ok) expect(encodeInputPacket(result.value)).toEqual(bytes);
        else expect(DECODER_ERRORS).toContain(result.error);
      }),
      { numRuns: 2000 },
    );
  });
});
