// Held direction keys → one tick's movement input: full stick along each held
// direction, opposite keys cancel, and a diagonal is left for the sim to
// normalize.
import { describe, expect, it } from 'vitest';
import { INPUT_AXIS_MAX } from '../../protocol/constants.ts';
import { clampInput } from '../../protocol/sim/sim.ts';
import { inputFromKeys, NO_KEYS, type DirectionKeys } from '../../game-client/play/keys.ts';

/** Keys with only the named ones held. */
const held = (...names: (keyof DirectionKeys)[]): DirectionKeys => ({
  ...NO_KEYS,
  ...Object.fromEntries(names.map((name) => [name, true])),
});

describe('inputFromKeys', () => {
  it('gives no movement when no key is held', () => {
    expect(inputFromKeys(NO_KEYS)).toEqual({ moveX: 0, moveY: 0 });
  });

  it('moves at full stick in each single direction (y grows downward)', () => {
    expect(inputFromKeys(held('right'))).toEqual({ moveX: INPUT_AXIS_MAX, moveY: 0 });
    expect(inputFromKeys(held('left'))).toEqual({ moveX: -INPUT_AXIS_MAX, moveY: 0 });
    expect(inputFromKeys(held('down'))).toEqual({ moveX: 0, moveY: INPUT_AXIS_MAX });
    expect(inputFromKeys(held('up'))).toEqual({ moveX: 0, moveY: -INPUT_AXIS_MAX });
  });

  it('cancels opposite keys on the same axis', () => {
    expect(inputFromKeys(held('left', 'right'))).toEqual({ moveX: 0, moveY: 0 });
    expect(inputFromKeys(held('up', 'down'))).toEqual({ moveX: 0, moveY: 0 });
    expect(inputFromKeys(held('up', 'down', 'left', 'right'))).toEqual({ moveX: 0, moveY: 0 });
  });

  it('keeps the other axis when one axis cancels', () => {
    expect(inputFromKeys(held('left', 'right', 'up'))).toEqual({ moveX: 0, moveY: -INPUT_AXIS_MAX });
    expect(inputFromKeys(held('up', 'down', 'right'))).toEqual({ moveX: INPUT_AXIS_MAX, moveY: 0 });
  });

  it('gives both axes at INPUT_AXIS_MAX on a diagonal, leaving normalization to the sim', () => {
    const diagonals: [DirectionKeys, number, number][] = [
      [held('up', 'right'), INPUT_AXIS_MAX, -INPUT_AXIS_MAX],
      [held('up', 'left'), -INPUT_AXIS_MAX, -INPUT_AXIS_MAX],
      [held('down', 'right'), INPUT_AXIS_MAX, INPUT_AXIS_MAX],
      [held('down', 'left'), -INPUT_AXIS_MAX, INPUT_AXIS_MAX],
    ];
    for (const [keys, moveX, moveY] of diagonals) {
      const input = inputFromKeys(keys);
      expect(input).toEqual({ moveX, moveY });
      // Longer than full stick as sent; the sim's clamp brings it back to unit length.
      expect(Math.hypot(input.moveX, input.moveY)).toBeGreaterThan(INPUT_AXIS_MAX);
      const clamped = clampInput(input);
      expect(Math.hypot(clamped.moveX, clamped.moveY)).toBeLessThanOrEqual(INPUT_AXIS_MAX);
    }
  });
});
