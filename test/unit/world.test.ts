// The authoritative world: determinism, coins, NPCs, the scenario, and
// staying inside the arena. How inputs get in, and how fast at most, is
// input-admission.test.ts.
import { describe, expect, it } from 'vitest';
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  COIN_COUNT,
  COIN_RADIUS_PX,
  COIN_RESPAWN_MS,
  ENTITY_KIND_COIN,
  ENTITY_KIND_NPC,
  ENTITY_KIND_PLAYER,
  INPUT_AXIS_MAX,
  NPC_RADIUS_PX,
  PLAYER_RADIUS_PX,
  POINTS_PER_COIN,
  WORLD_ENTITY_ID_BASE,
} from '../../protocol/constants.ts';
import { stepPlayer, type MoveInput, type Vec2 } from '../../protocol/sim/sim.ts';
import { ScriptedWorld } from '../scripted-world.ts';
import { CENTER, DT_MS, newWorld, packet, positionOf, RIGHT, type SteppedWorld, steps } from '../stepped-world.ts';

const DOWN: MoveInput = { moveX: 0, moveY: INPUT_AXIS_MAX };

const countOf = (world: SteppedWorld, kind: number) => world.entities().filter((e) => e.kind === kind).length;

describe('World setup', () => {
  it('creates the requested number of NPCs and COIN_COUNT coins, with world ids', () => {
    const world = newWorld({ npcCount: 7 });
    const entities = world.entities();
    expect(countOf(world, ENTITY_KIND_NPC)).toBe(7);
    expect(countOf(world, ENTITY_KIND_COIN)).toBe(COIN_COUNT);
    expect(entities.map((e) => e.id)).toEqual(Array.from({ length: 7 + COIN_COUNT }, (_, i) => WORLD_ENTITY_ID_BASE + i));
  });

  it('can have no NPCs', () => {
    expect(countOf(newWorld({ npcCount: 0 }), ENTITY_KIND_NPC)).toBe(0);
  });

  it('lists players first, then NPCs, then coins', () => {
    const world = newWorld({ npcCount: 2 });
    world.addPlayer(5);
    world.addPlayer(3);
    expect(world.entities().map((e) => e.kind)).toEqual([
      ENTITY_KIND_PLAYER,
      ENTITY_KIND_PLAYER,
      ENTITY_KIND_NPC,
      ENTITY_KIND_NPC,
      ...Array<number>(COIN_COUNT).fill(ENTITY_KIND_COIN),
    ]);
    expect(
      world
        .entities()
        .slice(0, 2)
        .map((e) => e.id),
    ).toEqual([5, 3]);
  });

  it('adds and removes players', () => {
    const world = newWorld();
    world.addPlayer(1);
    expect(world.entities().some((e) => e.id === 1)).toBe(true);
    expect(world.playerCount).toBe(1);
    world.removePlayer(1);
    expect(world.entities().some((e) => e.id === 1)).toBe(false);
    expect(countOf(world, ENTITY_KIND_PLAYER)).toBe(0);
  });
});

describe('World determinism', () => {
  /** Runs the same script of joins and inputs in a fresh world. */
  function run(seed: number) {
    const world = newWorld({ seed, npcCount: 6 });
    world.addPlayer(1);
    world.addPlayer(2);
    for (let tick = 1; tick <= 300; tick++) {
      world.queueInputs(1, packet(tick, tick % 90 < 45 ? RIGHT : DOWN));
      world.queueInputs(2, packet(tick, { moveX: -INPUT_AXIS_MAX, moveY: tick % 2 ? 60 : -60 }));
      world.step();
    }
    return world.entities();
  }

  it('produces the same world from the same seed and inputs', () => {
    expect(run(7)).toEqual(run(7));
  });

  it('produces a different world from a different seed', () => {
    expect(run(7)).not.toEqual(run(8));
  });
});

describe('World coins', () => {
  const respawnTicks = Math.round(COIN_RESPAWN_MS / DT_MS);
  const COIN_SPOT: Vec2 = { x: 400, y: 300 };

  /** A world whose first coin lies at COIN_SPOT, with the scripted world that placed it. */
  function worldWithCoin() {
    const script = new ScriptedWorld([COIN_SPOT]);
    return { world: newWorld({ npcCount: 0, scenario: script }), script };
  }

  /** Where the coins on the field are. */
  const coinSpots = (world: SteppedWorld): Vec2[] => world.entities().flatMap((e) => (e.kind === ENTITY_KIND_COIN ? [{ x: e.x, y: e.y }] : []));

  /** Puts player 1 on the first coin and steps once; returns the world, the pickups and the coin's id. */
  function pickUpFirstCoin() {
    const { world, script } = worldWithCoin();
    const coin = world.entities().find((e) => e.kind === ENTITY_KIND_COIN)!;
    expect(COIN_SPOT).toEqual({ x: coin.x, y: coin.y });
    world.addPlayer(1);
    script.place(1, { x: coin.x, y: coin.y });
    const pickups = world.step();
    return { world, pickups, coinId: coin.id };
  }

  it('gives a pickup to the player touching a coin, and the coin disappears', () => {
    const { world, pickups, coinId } = pickUpFirstCoin();
    expect(pickups).toEqual([{ playerId: 1, points: POINTS_PER_COIN }]);
    expect(world.entities().some((e) => e.id === coinId)).toBe(false);
    expect(countOf(world, ENTITY_KIND_COIN)).toBe(COIN_COUNT - 1);
    expect(coinSpots(world)).toHaveLength(COIN_COUNT - 1);
  });

  it('picks a coin up from as far as the two radii', () => {
    const { world, script } = worldWithCoin();
    const [coin] = script.coins;
    world.addPlayer(1);
    script.place(1, { x: coin!.x, y: coin!.y - (PLAYER_RADIUS_PX + COIN_RADIUS_PX) });
    expect(world.step()).toEqual([{ playerId: 1, points: POINTS_PER_COIN }]);
  });

  it('gives a coin to only one of two players touching it', () => {
    const { world, script } = worldWithCoin();
    const [coin] = script.coins;
    world.addPlayer(1);
    world.addPlayer(2);
    script.place(1, coin!);
    script.place(2, coin!);
    expect(world.step()).toHaveLength(1);
  });

  it(`respawns a taken coin COIN_RESPAWN_MS (${COIN_RESPAWN_MS} ms) worth of ticks later`, () => {
    const { world, coinId } = pickUpFirstCoin();
    expect(respawnTicks).toBe(120);
    steps(world, respawnTicks - 1);
    expect(world.entities().some((e) => e.id === coinId)).toBe(false);
    world.step();
    const back = world.entities().find((e) => e.id === coinId);
    expect(back?.kind).toBe(ENTITY_KIND_COIN);
    expect(countOf(world, ENTITY_KIND_COIN)).toBe(COIN_COUNT);
  });

  it('does not give a pickup while the coin is away', () => {
    const { world } = pickUpFirstCoin(); // the player stays on the empty spot
    for (let i = 0; i < respawnTicks - 1; i++) expect(world.step()).toEqual([]);
  });
});

describe('World scenario', () => {
  it('puts a joining player at its spawn point and the coins at their spots', () => {
    const spots = [
      { x: 100, y: 100 },
      { x: 200, y: 100 },
    ];
    const world = newWorld({ scenario: { spawnPoint: () => CENTER, coinSpot: (i) => spots[i] } });
    world.addPlayer(1);
    expect(positionOf(world, 1)).toEqual(CENTER);
    const coins = world.entities().filter((e) => e.kind === ENTITY_KIND_COIN);
    expect(coins.slice(0, 2).map(({ x, y }) => ({ x, y }))).toEqual(spots);
  });

  it('leaves everything it does not set to the seed', () => {
    const plain = newWorld({ seed: 5 });
    const scripted = newWorld({ seed: 5, scenario: new ScriptedWorld([{ x: 100, y: 100 }]) });
    for (const world of [plain, scripted]) {
      world.addPlayer(1);
      steps(world, 100);
    }
    const firstCoinId = WORLD_ENTITY_ID_BASE + 4; // after the four NPCs
    const others = (world: SteppedWorld) => world.entities().filter((e) => e.id !== firstCoinId);
    expect(others(scripted)).toEqual(others(plain));
  });

  it("moves a placed player at the start of the next step, before that step's input", () => {
    const script = new ScriptedWorld();
    const world = newWorld({ scenario: script });
    world.addPlayer(1);
    script.place(1, CENTER);
    script.place(99, CENTER); // not in the world: dropped
    world.queueInputs(1, packet(1, RIGHT));
    expect(positionOf(world, 1)).not.toEqual(CENTER);
    world.step();
    expect(positionOf(world, 1)).toEqual(stepPlayer(CENTER, RIGHT, DT_MS));
    expect(world.entities().some((e) => e.id === 99)).toBe(false);
    world.step();
    expect(positionOf(world, 1)).toEqual(stepPlayer(CENTER, RIGHT, DT_MS)); // a placement is applied once
  });
});

describe('World bounds', () => {
  it('keeps every entity inside the arena over many steps', () => {
    const world = newWorld({ npcCount: 20, seed: 99 });
    for (let id = 1; id <= 3; id++) world.addPlayer(id);
    const radius = { [ENTITY_KIND_PLAYER]: PLAYER_RADIUS_PX, [ENTITY_KIND_NPC]: NPC_RADIUS_PX, [ENTITY_KIND_COIN]: COIN_RADIUS_PX };
    for (let tick = 1; tick <= 3000; tick++) {
      const heading = tick / 200; // player 2 circles
      world.queueInputs(1, packet(tick, RIGHT));
      world.queueInputs(2, packet(tick, { moveX: Math.round(127 * Math.cos(heading)), moveY: Math.round(127 * Math.sin(heading)) }));
      world.queueInputs(3, packet(tick, { moveX: -INPUT_AXIS_MAX, moveY: -INPUT_AXIS_MAX }));
      world.step();
      for (const e of world.entities()) {
        const r = radius[e.kind];
        if (e.x < r || e.x > ARENA_WIDTH_PX - r || e.y < r || e.y > ARENA_HEIGHT_PX - r) {
          throw new Error(`entity ${e.id} (kind ${e.kind}) left the arena at tick ${tick}: ${e.x}, ${e.y}`);
        }
      }
    }
    // The players that pushed against walls are resting on them.
    expect(positionOf(world, 1).x).toBe(ARENA_WIDTH_PX - PLAYER_RADIUS_PX);
    expect(positionOf(world, 3)).toEqual({ x: PLAYER_RADIUS_PX, y: PLAYER_RADIUS_PX });
  });
});
