// Turns held direction keys into one tick's movement input.
import { INPUT_AXIS_MAX } from '../../protocol/constants.ts';
import type { MoveInput } from '../../protocol/sim/sim.ts';

export interface DirectionKeys {
  up: boolean;
  down: boolean;
  left: boolean;
  right: boolean;
}

export const NO_KEYS: DirectionKeys = { up: false, down: false, left: false, right: false };

/** Full speed along the held directions; opposite keys cancel. The sim normalizes diagonals. */
export function inputFromKeys(keys: DirectionKeys): MoveInput {
  return {
    moveX: (Number(keys.right) - Number(keys.left)) * INPUT_AXIS_MAX,
    moveY: (Number(keys.down) - Number(keys.up)) * INPUT_AXIS_MAX,
  };
}
