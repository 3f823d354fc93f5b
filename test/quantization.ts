// The snapshot codec's precision, as the tests check it. protocol/wire/snapshot.ts
// documents the quantisation (positions in fixed point, POSITION_SCALE steps
// per pixel, rounded to the nearest step); the game never needs the bound
// itself, so it is derived here, from that documented rule.
import { POSITION_SCALE } from '../protocol/constants.ts';

/** Largest quantization error of a coordinate, in pixels: half a fixed-point step. */
export const POSITION_PRECISION_PX = 1 / (2 * POSITION_SCALE);
