// The authoritative world: players, wandering NPCs and coins, advanced one
// fixed step at a time. It knows nothing of sockets or wall-clock time; the
// room's loop calls `step()` at TICK_RATE and reads `entities()` for snapshots.
// Its layout comes from the seed, except what its scenario (scenario.ts) sets.
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  COIN_COUNT,
  COIN_RADIUS_PX,
  COIN_RESPAWN_MS,
  ENTITY_KIND_COIN,
  ENTITY_KIND_NPC,
  ENTITY_KIND_PLAYER,
  MAX_CATCH_UP_STEPS,
  MAX_INPUT_CREDITS,
  MAX_QUEUED_INPUTS,
  MAX_STALL_INPUTS,
  STALL_CREDITS_KEPT_MS,
  NPC_RADIUS_PX,
  NPC_SPEED_PX_PER_S,
  NPC_TURN_INTERVAL_MS,
  PLAYER_RADIUS_PX,
  POINTS_PER_COIN,
  WORLD_ENTITY_ID_BASE,
} from '../../protocol/constants.ts';
import type { InputPacket } from '../../protocol/wire/input.ts';
import { seededRandom } from '../../protocol/sim/random.ts';
import { stepPlayer, stepWanderer, touchesCoin, type Vec2 } from '../../protocol/sim/sim.ts';
import type { EntityState } from '../../protocol/wire/snapshot.ts';
import { InputQueue } from './input-queue.ts';
import { RANDOM_WORLD, type Scenario } from './scenario.ts';

interface Player extends Vec2 {
  id: number;
  /** Inputs received but not yet applied. */
  queue: InputQueue;
  lastAppliedSeq: number;
  inputCredits: number;
  /** The tick it entered at: a stall that was under way then is not its own. */
  addedAtTick: number;
}

/** The credits one server stall granted (its skipped steps), and the tick they lapse at. */
interface StallGrant {
  count: number;
  untilTick: number;
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

/** What `queueInputs` did with a packet: inputs accepted, already applied, or dropped for lack of room. */
export interface QueueResult {
  accepted: number;
  stale: number;
  overflow: number;
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
  private readonly players = new Map<number, Player>();
  private readonly npcs: Npc[] = [];
  private readonly coins: Coin[] = [];
  private readonly random: () => number;
  private readonly dtMs: number;
  private readonly scenario: Scenario;
  /** Stalls of the last STALL_CREDITS_KEPT_MS: together they cap the credits anyone may hold beyond MAX_INPUT_CREDITS. */
  private stallGrants: StallGrant[] = [];

  constructor(options: WorldOptions) {
    this.random = seededRandom(options.seed);
    this.dtMs = 1000 / options.tickRateHz;
    this.scenario = options.scenario ?? RANDOM_WORLD;
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
    return this.players.size;
  }

  hasPlayer(id: number): boolean {
    return this.players.has(id);
  }

  /** Places a player at its scenario's spawn point, or a random spot. Its input sequence starts fresh. */
  addPlayer(id: number): void {
    const spot = this.randomSpot(PLAYER_RADIUS_PX);
    this.players.set(id, {
      id,
      ...(this.scenario.spawnPoint?.(id) ?? spot),
      queue: new InputQueue(),
      lastAppliedSeq: 0,
      inputCredits: 1,
      addedAtTick: this.tick,
    });
  }

  removePlayer(id: number): void {
    this.players.delete(id);
  }

  /** Newest input sequence applied for a player (0 before any). */
  lastAppliedInput(id: number): number {
    return this.players.get(id)?.lastAppliedSeq ?? 0;
  }

  /**
   * Queues the inputs of one packet. Inputs already applied or queued are
   * ignored (packets repeat them on purpose); the queue keeps the newest
   * MAX_QUEUED_INPUTS beyond what the server owes the player, so a flood can
   * neither grow memory nor build up lag. What it owes is its own stall:
   * `stepsOwed` (due but not yet run: the process has not woken since) and
   * the credits of steps it skipped. Those inputs were sent in real time and
   * will all be applied at the next step; dropping them would move the
   * player back, a correction the player did nothing to cause.
   */
  queueInputs(id: number, packet: InputPacket, stepsOwed = 0): QueueResult {
    const result: QueueResult = { accepted: 0, stale: 0, overflow: 0 };
    const player = this.players.get(id);
    if (!player) return result;
    packet.inputs.forEach((input, i) => {
      const seq = packet.seq - i;
      if (seq > player.lastAppliedSeq && player.queue.add(seq, input)) result.accepted++;
      else result.stale++;
    });
    const owed = Math.min(MAX_STALL_INPUTS, stepsOwed + Math.max(0, player.inputCredits - MAX_INPUT_CREDITS));
    result.overflow = player.queue.trimTo(MAX_QUEUED_INPUTS + owed);
    return result;
  }

  /** Advances the world one fixed step. Returns the coins picked up in it. */
  step(): Pickup[] {
    this.tick++;
    this.applyPlacements();
    const creditCap = MAX_INPUT_CREDITS + this.liveStallCredits();
    for (const player of this.players.values()) this.applyInputs(player, creditCap);
    for (const npc of this.npcs) this.wander(npc);
    return this.collectCoins();
  }

  /** Every visible entity, players first, in a stable order. */
  entities(): EntityState[] {
    const list: EntityState[] = [];
    for (const p of this.players.values()) list.push({ id: p.id, kind: ENTITY_KIND_PLAYER, x: p.x, y: p.y });
    for (const n of this.npcs) list.push({ id: n.id, kind: ENTITY_KIND_NPC, x: n.x, y: n.y });
    for (const c of this.coins) {
      if (c.respawnTick === 0) list.push({ id: c.id, kind: ENTITY_KIND_COIN, x: c.x, y: c.y });
    }
    return list;
  }

  /**
   * The server fell so far behind that it skipped `count` steps instead of
   * running them (the room's FixedStepLoop, "don't spiral"). Its players did not: their
   * clients sent an input for each of those steps, which arrive after the
   * stall. Each player earns the skipped steps' credits, beyond the usual
   * cap, so those inputs are applied at once instead of being dropped or
   * queued for good, and the player's own prediction stays right. A client
   * cannot earn these: only the server's own stall grants them, and they
   * last STALL_CREDITS_KEPT_MS.
   */
  creditSkippedSteps(count: number): void {
    this.stallGrants.push({ count, untilTick: this.tick + Math.ceil(STALL_CREDITS_KEPT_MS / this.dtMs) });
    for (const player of this.players.values()) {
      // Entered during this stall (the loop ran its catch-up steps since): it
      // sent nothing in the skipped steps, so they are not owed to it.
      if (player.addedAtTick >= this.tick - MAX_CATCH_UP_STEPS) continue;
      player.inputCredits = Math.min(MAX_INPUT_CREDITS + MAX_STALL_INPUTS, player.inputCredits + count);
    }
  }

  /** The scenario's moves, done first in the step so the step's inputs go on from the new spot. */
  private applyPlacements(): void {
    for (const { playerId, at } of this.scenario.takePlacements?.() ?? []) {
      const player = this.players.get(playerId);
      if (player) {
        player.x = at.x;
        player.y = at.y;
      }
    }
  }

  /** Credits the stalls of the last STALL_CREDITS_KEPT_MS granted, all together; lapsed grants are forgotten. */
  private liveStallCredits(): number {
    if (this.stallGrants.length === 0) return 0; // nearly every step: nothing to allocate
    this.stallGrants = this.stallGrants.filter((grant) => this.tick < grant.untilTick);
    return this.stallGrants.reduce((sum, grant) => sum + grant.count, 0);
  }

  /** `creditCap`: MAX_INPUT_CREDITS plus the live stall credits, worked out once per step. */
  private applyInputs(player: Player, creditCap: number): void {
    if (player.inputCredits < MAX_INPUT_CREDITS) player.inputCredits++;
    while (player.inputCredits >= 1 && player.queue.size > 0) {
      const { seq, input } = player.queue.takeOldest()!;
      const next = stepPlayer(player, input, this.dtMs);
      player.x = next.x;
      player.y = next.y;
      player.lastAppliedSeq = seq;
      player.inputCredits--;
    }
    // Credits left over from a stall are not a bank to spend later: each
    // stall's lapse after STALL_CREDITS_KEPT_MS, however many stalls follow,
    // and then a client may run ahead of real time by MAX_INPUT_CREDITS and
    // no more. Until then an empty queue does not end them: the stall's
    // inputs may still be on their way.
    player.inputCredits = Math.min(player.inputCredits, creditCap);
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
      for (const player of this.players.values()) {
        if (touchesCoin(player, coin)) {
          pickups.push({ playerId: player.id, points: POINTS_PER_COIN });
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
