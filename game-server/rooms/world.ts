// The authoritative world, its physics: players' bodies, wandering NPCs and
// coins, advanced one fixed step at a time. It knows nothing of sockets,
// wall-clock time or which inputs are due: the room's arena (arena.ts) calls
// `step()` at TICK_RATE, moves each body by the inputs input-admission.ts
// lets in (`movePlayer`), and reads `entities()` for snapshots. Its layout
// comes from the seed, except what its scenario (scenario.ts) sets.
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  COIN_COUNT,
  COIN_RADIUS_PX,
  COIN_RESPAWN_MS,
  ENTITY_KIND_COIN,
  ENTITY_KIND_NPC,
  ENTITY_KIND_PLAYER,
  NPC_RADIUS_PX,
  NPC_SPEED_PX_PER_S,
  NPC_TURN_INTERVAL_MS,
  PLAYER_RADIUS_PX,
  POINTS_PER_COIN,
  WORLD_ENTITY_ID_BASE,
} from '../../protocol/constants.ts';
import { seededRandom } from '../../protocol/sim/random.ts';
import { stepPlayer, stepWanderer, touchesCoin, type MoveInput, type Vec2 } from '../../protocol/sim/sim.ts';
import type { EntityState } from '../../protocol/wire/snapshot.ts';
import { RANDOM_WORLD, type Placement, type Scenario } from './scenario.ts';

/** A player's body in the arena: where it is. Its Player holds it while they are in the arena. */
export interface PlayerBody extends Vec2 {
  readonly id: number;
}

interface Npc extends Vec2 {
  id: number;
  heading: number;
}

interface Coin extends Vec2 {
  id: number;
  /** Tick at which a taken coin reappears; 0 while it is on the field. */
  respawnTick: number;
}

export interface Pickup {
  playerId: number;
  points: number;
}

export interface WorldOptions {
  tickRateHz: number;
  npcCount: number;
  seed: number;
  /** Spawn points, coin spots and placements set on purpose (tests, demos); RANDOM_WORLD when absent. */
  scenario?: Scenario;
}

export class World {
  tick = 0;
  /** The bodies in the arena, by player id (placements name players by id), in the order they entered. */
  private readonly bodies = new Map<number, PlayerBody>();
  private readonly npcs: Npc[] = [];
  private readonly coins: Coin[] = [];
  private readonly random: () => number;
  private readonly dtMs: number;
  private readonly scenario: Scenario;
  /** The scenario's placements, or null when it sets none (decided once: nothing to ask at every step). */
  private readonly takePlacements: (() => Placement[]) | null;

  constructor(options: WorldOptions) {
    this.random = seededRandom(options.seed);
    this.dtMs = 1000 / options.tickRateHz;
    this.scenario = options.scenario ?? RANDOM_WORLD;
    this.takePlacements = this.scenario.takePlacements?.bind(this.scenario) ?? null;
    let nextId = WORLD_ENTITY_ID_BASE;
    for (let i = 0; i < options.npcCount; i++) {
      this.npcs.push({ id: nextId++, ...this.randomSpot(NPC_RADIUS_PX), heading: this.random() * 2 * Math.PI });
    }
    for (let i = 0; i < COIN_COUNT; i++) {
      const spot = this.randomSpot(COIN_RADIUS_PX);
      this.coins.push({ id: nextId++, ...(this.scenario.coinSpot?.(i) ?? spot), respawnTick: 0 });
    }
  }

  get playerCount(): number {
    return this.bodies.size;
  }

  /** Places a player's body at its scenario's spawn point, or a random spot, and returns it. */
  addPlayer(id: number): PlayerBody {
    const spot = this.randomSpot(PLAYER_RADIUS_PX);
    const body: PlayerBody = { id, ...(this.scenario.spawnPoint?.(id) ?? spot) };
    this.bodies.set(id, body);
    return body;
  }

  removePlayer(id: number): void {
    this.bodies.delete(id);
  }

  /** Moves a body by one input, one step's worth (the shared simulation, as the client predicts it). */
  movePlayer(body: PlayerBody, input: MoveInput): void {
    const next = stepPlayer(body, input, this.dtMs);
    body.x = next.x;
    body.y = next.y;
  }

  /**
   * Advances the world one fixed step: the scenario's placements, then
   * `movePlayers` (the room applies the inputs due, by `movePlayer`), then
   * the NPCs and coins. Returns the coins picked up in it.
   */
  step(movePlayers?: () => void): Pickup[] {
    this.tick++;
    if (this.takePlacements) this.applyPlacements(this.takePlacements());
    movePlayers?.();
    for (const npc of this.npcs) this.wander(npc);
    return this.collectCoins();
  }

  /** Every visible entity, players first, in a stable order. */
  entities(): EntityState[] {
    const list: EntityState[] = [];
    for (const p of this.bodies.values()) list.push({ id: p.id, kind: ENTITY_KIND_PLAYER, x: p.x, y: p.y });
    for (const n of this.npcs) list.push({ id: n.id, kind: ENTITY_KIND_NPC, x: n.x, y: n.y });
    for (const c of this.coins) {
      if (c.respawnTick === 0) list.push({ id: c.id, kind: ENTITY_KIND_COIN, x: c.x, y: c.y });
    }
    return list;
  }

  /** The scenario's moves, done first in the step so the step's inputs go on from the new spot. */
  private applyPlacements(placements: Placement[]): void {
    for (const { playerId, at } of placements) {
      const body = this.bodies.get(playerId);
      if (body) {
        body.x = at.x;
        body.y = at.y;
      }
    }
  }

  private wander(npc: Npc): void {
    if (this.random() < this.dtMs / NPC_TURN_INTERVAL_MS) npc.heading += (this.random() - 0.5) * Math.PI;
    const next = stepWanderer(npc, npc.heading, NPC_SPEED_PX_PER_S, NPC_RADIUS_PX, this.dtMs);
    npc.x = next.position.x;
    npc.y = next.position.y;
    npc.heading = next.heading;
  }

  private collectCoins(): Pickup[] {
    const pickups: Pickup[] = [];
    const respawnTicks = Math.round(COIN_RESPAWN_MS / this.dtMs);
    for (const coin of this.coins) {
      if (coin.respawnTick !== 0) {
        if (this.tick >= coin.respawnTick) Object.assign(coin, this.randomSpot(COIN_RADIUS_PX), { respawnTick: 0 });
        continue;
      }
      for (const body of this.bodies.values()) {
        if (touchesCoin(body, coin)) {
          pickups.push({ playerId: body.id, points: POINTS_PER_COIN });
          coin.respawnTick = this.tick + respawnTicks;
          break;
        }
      }
    }
    return pickups;
  }

  /**
   * A random spot inside the arena. Drawn even where the scenario decides
   * instead, so a scenario changes only what it sets: the NPCs' wandering
   * and every other spot stay those of the seed.
   */
  private randomSpot(radius: number): Vec2 {
    return {
      x: radius + this.random() * (ARENA_WIDTH_PX - 2 * radius),
      y: radius + this.random() * (ARENA_HEIGHT_PX - 2 * radius),
    };
  }
}
