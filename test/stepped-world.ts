// A room's fixed step without the room: a World (the physics) and the input
// admission (game-server/rooms/input-admission.ts) driven the way the room's
// arena drives them, with each player's inputs and body kept by id as a
// Player keeps its own. The unit tests of either part script inputs and
// steps with it, and with the helpers below.
import { InputAdmission, PlayerInputs, type QueueResult } from '../game-server/rooms/input-admission.ts';
import { World, type Pickup, type PlayerBody, type WorldOptions } from '../game-server/rooms/world.ts';
import { ARENA_HEIGHT_PX, ARENA_WIDTH_PX, ENTITY_KIND_PLAYER, INPUT_AXIS_MAX, PLAYER_SPEED_PX_PER_S } from '../protocol/constants.ts';
import type { MoveInput, Vec2 } from '../protocol/sim/sim.ts';
import type { InputPacket } from '../protocol/wire/input.ts';
import type { EntityState } from '../protocol/wire/snapshot.ts';

export const TICK_RATE_HZ = 60;
export const DT_MS = 1000 / TICK_RATE_HZ;
/** How far one full-speed input moves a player in one step. */
export const STEP_PX = (PLAYER_SPEED_PX_PER_S * DT_MS) / 1000;
export const RIGHT: MoveInput = { moveX: INPUT_AXIS_MAX, moveY: 0 };
export const CENTER: Vec2 = { x: ARENA_WIDTH_PX / 2, y: ARENA_HEIGHT_PX / 2 };

export class SteppedWorld {
  readonly world: World;
  private readonly admission: InputAdmission;
  private readonly players = new Map<number, { inputs: PlayerInputs; body: PlayerBody }>();
  private readonly movePlayers = () => this.admission.applyInputs(this.players.values(), this.world);

  constructor(options: WorldOptions) {
    this.world = new World(options);
    this.admission = new InputAdmission(options.tickRateHz);
  }

  get tick(): number {
    return this.world.tick;
  }

  get playerCount(): number {
    return this.world.playerCount;
  }

  /** A player enters the arena: a body in the world, and fresh inputs (as Room.enterArena). */
  addPlayer(id: number): void {
    this.players.set(id, { inputs: new PlayerInputs(this.world.tick), body: this.world.addPlayer(id) });
  }

  removePlayer(id: number): void {
    this.world.removePlayer(id);
    this.players.delete(id);
  }

  /** A packet's inputs through the admission; nothing for a player not in the arena (as Room.onInputPacket). */
  queueInputs(id: number, packet: InputPacket, stepsOwed = 0): QueueResult {
    const player = this.players.get(id);
    if (!player) return { accepted: 0, stale: 0, overflow: 0 };
    return this.admission.admit(player.inputs, packet, stepsOwed);
  }

  /** Newest input sequence applied for a player (0 before any, or out of the arena). */
  lastAppliedInput(id: number): number {
    return this.players.get(id)?.inputs.lastAppliedSeq ?? 0;
  }

  /** The loop skipped `count` steps (FixedStepLoop's `skipped`). */
  creditSkippedSteps(count: number): void {
    this.admission.creditSkippedSteps(count, this.world.tick, this.players.values());
  }

  step(): Pickup[] {
    return this.world.step(this.movePlayers);
  }

  entities(): EntityState[] {
    return this.world.entities();
  }
}

/** A world at TICK_RATE_HZ with four NPCs and seed 1, unless `options` say otherwise. */
export function newWorld(options: Partial<WorldOptions> = {}): SteppedWorld {
  return new SteppedWorld({ tickRateHz: TICK_RATE_HZ, npcCount: 4, seed: 1, ...options });
}

/** A world with player 1 standing at `at` (its spawn point). */
export function worldWithPlayer(at: Vec2, options: Partial<WorldOptions> = {}): SteppedWorld {
  const world = newWorld({ scenario: { spawnPoint: (id) => (id === 1 ? at : undefined) }, ...options });
  world.addPlayer(1);
  return world;
}

/** A packet carrying `inputs` (newest first) ending at `seq`. */
export const packet = (seq: number, ...inputs: MoveInput[]): InputPacket => ({ seq, ackTick: 0, inputs });

export function positionOf(world: SteppedWorld, id: number): Vec2 {
  const entity = world.entities().find((e) => e.id === id && e.kind === ENTITY_KIND_PLAYER);
  if (!entity) throw new Error(`player ${id} is not in the world`);
  return { x: entity.x, y: entity.y };
}

export function steps(world: SteppedWorld, n: number): void {
  for (let i = 0; i < n; i++) world.step();
}
