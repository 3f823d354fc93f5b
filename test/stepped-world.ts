// A room's fixed step without the room: a World (the physics) and the input
// admission (game-server/rooms/input-admission.ts) driven the way Room drives
// them, with each player's inputs and body kept by id as a Player keeps its
// own. Unit tests of either part use it to script inputs and steps.
import { InputAdmission, PlayerInputs, type QueueResult } from '../game-server/rooms/input-admission.ts';
import { World, type Pickup, type PlayerBody, type WorldOptions } from '../game-server/rooms/world.ts';
import type { InputPacket } from '../protocol/wire/input.ts';
import type { EntityState } from '../protocol/wire/snapshot.ts';

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
