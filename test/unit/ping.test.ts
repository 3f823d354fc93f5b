// The datagram heartbeat: a 9-byte PING, and a 13-byte PONG that adds the server's clock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DATAGRAM_TYPE_INPUT,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DATAGRAM_TYPE_SNAPSHOT,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  PING_BYTES,
  PONG_BYTES,
} from '../../protocol/constants.ts';
import { datagramType, decodePing, encodePing, type Ping, type Pong } from '../../protocol/wire/ping.ts';

const ping: Ping = { type: DATAGRAM_TYPE_PING, id: 7, clientTimeMs: 0xfffffff0 };
const pong: Pong = { type: DATAGRAM_TYPE_PONG, id: 0xffffffff, clientTimeMs: 0, serverTimeMs: 123456 };

function expectRejected(bytes: Uint8Array, error: string) {
  expect(decodePing(bytes)).toEqual({ ok: false, error });
}

describe('encodePing / decodePing', () => {
  it('round-trips a ping and a pong exactly', () => {
    expect(decodePing(encodePing(ping))).toEqual({ ok: true, value: ping });
    expect(decodePing(encodePing(pong))).toEqual({ ok: true, value: pong });
    expect(encodePing(pong).byteLength).toBe(PONG_BYTES);
  });

  it('is PING_BYTES long, big-endian', () => {
    expect(Array.from(encodePing({ type: DATAGRAM_TYPE_PING, id: 0x01020304, clientTimeMs: 0x0a0b0c0d }))).toEqual([
      DATAGRAM_TYPE_PING,
      1,
      2,
      3,
      4,
      10,
      11,
      12,
      13,
    ]);
    expect(PING_BYTES).toBe(9);
  });

  it('decodes from a view at a non-zero byteOffset inside a bigger buffer', () => {
    const pool = new Uint8Array(64).fill(0xee);
    pool.set(encodePing(ping), 13);
    const view = pool.subarray(13, 13 + PING_BYTES);
    expect(decodePing(view)).toEqual({ ok: true, value: ping });
  });

  it('round-trips any id and times that fit u32', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(u32, u32, u32, (id, clientTimeMs, serverTimeMs) => {
        const p: Ping = { type: DATAGRAM_TYPE_PING, id, clientTimeMs };
        const q: Pong = { type: DATAGRAM_TYPE_PONG, id, clientTimeMs, serverTimeMs };
        expect(decodePing(encodePing(p))).toEqual({ ok: true, value: p });
        expect(decodePing(encodePing(q))).toEqual({ ok: true, value: q });
      }),
    );
  });

  it("drops a pong cut to a ping's length", () => {
    expectRejected(encodePing(pong).subarray(0, PING_BYTES), DROP_TOO_SHORT);
  });
});

describe('decodePing rejections', () => {
  it('drops a ping shorter than PING_BYTES', () => {
    expectRejected(encodePing(ping).subarray(0, PING_BYTES - 1), DROP_TOO_SHORT);
    expectRejected(new Uint8Array(0), DROP_TOO_SHORT);
  });

  it('drops a ping longer than PING_BYTES', () => {
    const longer = new Uint8Array(PING_BYTES + 1);
    longer.set(encodePing(ping));
    expectRejected(longer, DROP_TOO_LONG);
  });

  it('drops a datagram that is neither PING nor PONG', () => {
    const bytes = encodePing(ping);
    bytes[0] = DATAGRAM_TYPE_SNAPSHOT;
    expectRejected(bytes, DROP_UNKNOWN_TYPE);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2 * PONG_BYTES }), (bytes) => {
        const result = decodePing(bytes);
        if (result.ok) expect(encodePing(result.value)).toEqual(bytes);
        else expect([DROP_TOO_SHORT, DROP_TOO_LONG, DROP_UNKNOWN_TYPE]).toContain(result.error);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('datagramType', () => {
  it('reads the first byte', () => {
    expect(datagramType(Uint8Array.of(DATAGRAM_TYPE_INPUT, 9, 9))).toBe(DATAGRAM_TYPE_INPUT);
    expect(datagramType(encodePing(pong))).toBe(DATAGRAM_TYPE_PONG);
  });

  it('reads the first byte of a view, not of its backing buffer', () => {
    const pool = Uint8Array.of(0xee, 0xee, DATAGRAM_TYPE_SNAPSHOT, 1);
    expect(datagramType(pool.subarray(2))).toBe(DATAGRAM_TYPE_SNAPSHOT);
  });

  it('is 0 for an empty datagram', () => {
    expect(datagramType(new Uint8Array(0))).toBe(0);
    expect(datagramType(Uint8Array.of(1, 2, 3).subarray(3))).toBe(0);
  });
});
