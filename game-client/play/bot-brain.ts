// How a headless bot decides where to go: it picks a coin at random and heads
// for it until the coin is gone (so bots spread out instead of all chasing the
// nearest one); with no coin in sight it walks to random waypoints.
// Pure: the world and the random source are passed in.
import { ARENA_HEIGHT_PX, ARENA_WIDTH_PX, ENTITY_KIND_COIN, INPUT_AXIS_MAX } from '../../protocol/constants.ts';
import type { MoveInput, Vec2 } from '../../protocol/sim/sim.ts';
import type { EntityState } from '../../protocol/wire/snapshot.ts';

/** Close enough to a waypoint to pick the next one. */
const ARRIVED_PX = 12;
/** Waypoints keep this far from the walls. */
const WAYPOINT_MARGIN_PX = 50;

export interface BotGoal {
  coinId: number | null;
  waypoint: Vec2;
}

export function randomWaypoint(random: () => number): Vec2 {
  return {
    x: WAYPOINT_MARGIN_PX + random() * (ARENA_WIDTH_PX - 2 * WAYPOINT_MARGIN_PX),
    y: WAYPOINT_MARGIN_PX + random() * (ARENA_HEIGHT_PX - 2 * WAYPOINT_MARGIN_PX),
  };
}

/** The input that heads from `own` toward the goal, and the goal to keep for next time. */
export function steer(own: Vec2, entities: readonly EntityState[], goal: BotGoal, random: () => number): { input: MoveInput; goal: BotGoal } {
  const coins = entities.filter((e) => e.kind === ENTITY_KIND_COIN);
  let coin = coins.find((c) => c.id === goal.coinId);
  if (!coin && coins.length > 0) coin = coins[Math.floor(random() * coins.length)];
  let next: BotGoal = { coinId: coin?.id ?? null, waypoint: goal.waypoint };
  const target = coin ?? goal.waypoint;
  const dx = target.x - own.x;
  const dy = target.y - own.y;
  const length = Math.hypot(dx, dy);
  if (length < ARRIVED_PX) {
    if (!coin) next = { coinId: null, waypoint: randomWaypoint(random) };
    return { input: { moveX: 0, moveY: 0 }, goal: next };
  }
  return {
    input: { moveX: Math.round((dx / length) * INPUT_AXIS_MAX), moveY: Math.round((dy / length) * INPUT_AXIS_MAX) },
    goal: next,
  };
}
