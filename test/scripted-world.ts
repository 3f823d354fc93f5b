// The scenario tests write as they go (game-server/rooms/scenario.ts): coins at
// spots the test knows, and players moved where it wants them at the next
// step. A test makes one, gives it to the server (or a Room) at creation,
// and keeps it to script the world. Unit, integration and browser tests share it.
import type { Placement, Scenario } from '../game-server/rooms/scenario.ts';
import type { Vec2 } from '../protocol/sim/sim.ts';

/** Where a scripted world puts coin 0 unless told otherwise: a corner, clear of the spots tests place players at. */
const CORNER_COIN: Vec2 = { x: 100, y: 60 };

export class ScriptedWorld implements Scenario {
  private readonly pending: Placement[] = [];

  /**
   * `coins[i]` is where coin i lies when the world is made; coins past the
   * list lie where the seed puts them, and a taken coin comes back at random.
   */
  constructor(
    readonly coins: readonly Vec2[] = [CORNER_COIN],
    /** Where player `id` appears when it joins; a random spot when absent (or undefined for that id). */
    private readonly spawn?: (playerId: number) => Vec2 | undefined,
  ) {}

  spawnPoint(playerId: number): Vec2 | undefined {
    return this.spawn?.(playerId);
  }

  /** Moves a player to `at` at the start of the next step, inside the simulation: every client sees it. */
  place(playerId: number, at: Vec2): void {
    this.pending.push({ playerId, at: { x: at.x, y: at.y } });
  }

  coinSpot(index: number): Vec2 | undefined {
    return this.coins[index];
  }

  takePlacements(): Placement[] {
    return this.pending.splice(0);
  }
}
