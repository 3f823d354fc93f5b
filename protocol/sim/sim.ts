// Deterministic movement and pickup rules, shared by the server's simulation
// and the client's prediction. Same inputs, same numbers, on both ends.
import { ARENA_HEIGHT_PX, ARENA_WIDTH_PX, COIN_RADIUS_PX, INPUT_AXIS_MAX, PLAYER_RADIUS_PX, PLAYER_SPEED_PX_PER_S } from '../constants.ts';

export interface Vec2 {
  x: number;
  y: number;
}

/** One tick of player intent: each axis in -INPUT_AXIS_MAX..INPUT_AXIS_MAX. */
export interface MoveInput {
  moveX: number;
  moveY: number;
}

/** Clamps each axis to the legal range and the vector to unit length, so no input moves faster than full speed. */
export function clampInput(input: MoveInput): MoveInput {
  const axis = (v: number) => (Number.isFinite(v) ? Math.max(-INPUT_AXIS_MAX, Math.min(INPUT_AXIS_MAX, Math.trunc(v))) : 0);
  const moveX = axis(input.moveX);
  const moveY = axis(input.moveY);
  const length = Math.hypot(moveX, moveY);
  if (length <= INPUT_AXIS_MAX) return { moveX, moveY };
  const scale = INPUT_AXIS_MAX / length;
  // Truncate toward zero so the clamped vector never exceeds the limit.
  return { moveX: Math.trunc(moveX * scale), moveY: Math.trunc(moveY * scale) };
}

/** Keeps a circle of `radius` inside the arena walls. */
export function clampToArena(position: Vec2, radius: number): Vec2 {
  return {
    x: Math.max(radius, Math.min(ARENA_WIDTH_PX - radius, position.x)),
    y: Math.max(radius, Math.min(ARENA_HEIGHT_PX - radius, position.y)),
  };
}

/** Advances a player by one fixed step of `dtMs` under `input`. */
export function stepPlayer(position: Vec2, input: MoveInput, dtMs: number): Vec2 {
  const { moveX, moveY } = clampInput(input);
  const distance = (PLAYER_SPEED_PX_PER_S * dtMs) / 1000;
  return clampToArena(
    {
      x: position.x + (moveX / INPUT_AXIS_MAX) * distance,
      y: position.y + (moveY / INPUT_AXIS_MAX) * distance,
    },
    PLAYER_RADIUS_PX,
  );
}

/** Advances a wanderer along `heading` (radians); it turns back from walls instead of sticking to them. */
export function stepWanderer(position: Vec2, heading: number, speedPxPerS: number, radius: number, dtMs: number): { position: Vec2; heading: number } {
  const distance = (speedPxPerS * dtMs) / 1000;
  let dx = Math.cos(heading) * distance;
  let dy = Math.sin(heading) * distance;
  const next = { x: position.x + dx, y: position.y + dy };
  if (next.x < radius || next.x > ARENA_WIDTH_PX - radius) dx = -dx;
  if (next.y < radius || next.y > ARENA_HEIGHT_PX - radius) dy = -dy;
  return {
    position: clampToArena({ x: position.x + dx, y: position.y + dy }, radius),
    heading: Math.atan2(dy, dx),
  };
}

/** True when a player standing at `player` touches the coin at `coin`. */
export function touchesCoin(player: Vec2, coin: Vec2): boolean {
  const reach = PLAYER_RADIUS_PX + COIN_RADIUS_PX;
  const dx = player.x - coin.x;
  const dy = player.y - coin.y;
  return dx * dx + dy * dy <= reach * reach;
}
