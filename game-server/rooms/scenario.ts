// A scenario sets a room's world up on purpose instead of by chance: where a
// player appears, where the coins lie, and players moved between steps. Tests
// and demos give one to the server at creation (`startServer(config,
// { scenario })`); each room consults its own. Whatever a scenario leaves
// open, the room's seeded random world decides, so without one (RANDOM_WORLD)
// the world is exactly the seed's.
import type { Vec2 } from '../../protocol/sim/sim.ts';

/** A player set down at a spot, as a teleport: its inputs go on from there. */
export interface Placement {
  playerId: number;
  at: Vec2;
}

/** What a room asks its scenario. Every part is optional; undefined means "leave it to the seed". */
export interface Scenario {
  /** Where a player entering the arena appears (a join or a return). */
  spawnPoint?(playerId: number): Vec2 | undefined;
  /** Where coin `index` (0 to COIN_COUNT − 1) lies when the world is made. A taken coin comes back at random. */
  coinSpot?(index: number): Vec2 | undefined;
  /**
   * Placements to apply at the start of the next step, before that step's
   * inputs: inside the simulation, so every client sees the move in the
   * next snapshot. Each placement is handed over once; one for a player not
   * in the room is dropped.
   */
  takePlacements?(): Placement[];
}

/** The default: nothing scripted, the world is the seed's alone. */
export const RANDOM_WORLD: Scenario = {};
