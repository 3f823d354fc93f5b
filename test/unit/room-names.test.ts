// "New room" names: valid room names as the server checks them, readable,
// and not one of the rooms listed now.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../protocol/sim/random.ts';
import { checkRoomName } from '../../protocol/wire/stream.ts';
import { newRoomName } from '../../game-client/play/room-names.ts';

describe('newRoomName', () => {
  it('gives a valid room name the server keeps as it is, for any seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const name = newRoomName(seededRandom(seed));
        expect(name).toMatch(/^room-[a-z0-9]{4}$/);
        expect(checkRoomName(name)).toEqual({ ok: true, name });
      }),
    );
  });

  it('avoids characters that read alike (0/o, 1/l/i)', () => {
    const names = Array.from({ length: 500 }, (_, seed) => newRoomName(seededRandom(seed)).slice('room-'.length)).join('');
    expect(names).not.toMatch(/[01oli]/);
  });

  it('draws again when the name is already listed', () => {
    const first = newRoomName(seededRandom(7));
    const second = newRoomName(seededRandom(7), new Set([first]));
    expect(second).not.toBe(first);
    expect(checkRoomName(second).ok).toBe(true);
  });

  it('still gives a name when the random source keeps repeating a listed one', () => {
    const stuck = () => 0;
    const name = newRoomName(stuck);
    expect(newRoomName(stuck, new Set([name]))).toBe(name);
  });
});
