// The authoritative world: determinism, how inputs move players (and how
// fast at most: the input admission the room's loop applies them through),
// coins, NPCs, and staying inside the arena.
import { describe, expect, it } from 'vitest';
import type { WorldOptions } from '../../game-server/rooms/world.ts';
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
  MAX_INPUT_CREDITS,
  MAX_QUEUED_INPUTS,
  MAX_CATCH_UP_STEPS,
  MAX_STALL_INPUTS,
  STALL_CREDITS_KEPT_MS,
  NPC_RADIUS_PX,
  PLAYER_RADIUS_PX,
  PLAYER_SPEED_PX_PER_S,
  POINTS_PER_COIN,
  WORLD_ENTITY_ID_BASE,
} from '../../protocol/constants.ts';
import type { InputPacket } from '../../protocol/wire/input.ts';
import { stepPlayer, type MoveInput, type Vec2 } from '../../protocol/sim/sim.ts';
import { ScriptedWorld } from '../scripted-world.ts';
import { SteppedWorld } from '../stepped-world.ts';

/** The world as the room's loop steps it: physics plus input admission. */
type World = SteppedWorld;

const TICK_RATE_HZ = 60;
const DT_MS = 1000 / TICK_RATE_HZ;
const STEP_PX = (PLAYER_SPEED_PX_PER_S * DT_MS) / 1000;
const RIGHT: MoveInput = { moveX: INPUT_AXIS_MAX, moveY: 0 };
const DOWN: MoveInput = { moveX: 0, moveY: INPUT_AXIS_MAX };
const CENTER: Vec2 = { x: ARENA_WIDTH_PX / 2, y: ARENA_HEIGHT_PX / 2 };

function newWorld(options: Partial<WorldOptions> = {}): World {
  return new SteppedWorld({ tickRateHz: TICK_RATE_HZ, npcCount: 4, seed: 1, ...options });
}

/** A world with player 1 standing at `at` (its spawn point). */
function worldWithPlayer(at: Vec2, options: Partial<WorldOptions> = {}): World {
  const world = newWorld({ scenario: { spawnPoint: (id) => (id === 1 ? at : undefined) }, ...options });
  world.addPlayer(1);
  return world;
}

/** A packet carrying `inputs` (newest first) ending at `seq`. */
const packet = (seq: number, ...inputs: MoveInput[]): InputPacket => ({ seq, ackTick: 0, inputs });

function positionOf(world: World, id: number): Vec2 {
  const entity = world.entities().find((e) => e.id === id && e.kind === ENTITY_KIND_PLAYER);
  if (!entity) throw new Error(`player ${id} is not in the world`);
  return { x: entity.x, y: entity.y };
}

const countOf = (world: World, kind: number) => world.entities().filter((e) => e.kind === kind).length;

function steps(world: World, n: number) {
  for (let i = 0; i < n; i++) world.step();
}

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
    expect(world.entities().slice(0, 2).map((e) => e.id)).toEqual([5, 3]);
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

describe('World inputs, through the input admission', () => {
  it('moves a player by exactly one sim step per input', () => {
    const world = worldWithPlayer(CENTER);
    expect(world.queueInputs(1, packet(1, RIGHT))).toEqual({ accepted: 1, stale: 0, overflow: 0 });
    world.step();
    expect(positionOf(world, 1)).toEqual(stepPlayer(CENTER, RIGHT, DT_MS));
    expect(positionOf(world, 1).x - CENTER.x).toBeCloseTo(STEP_PX, 10);
    expect(world.lastAppliedInput(1)).toBe(1);
  });

  it('does not move a player without input', () => {
    const world = worldWithPlayer(CENTER);
    steps(world, 10);
    expect(positionOf(world, 1)).toEqual(CENTER);
    expect(world.lastAppliedInput(1)).toBe(0);
  });

  it('applies queued inputs oldest first, even when they arrive newest first', () => {
    // Against the left wall, LEFT then RIGHT ends one step out; RIGHT then LEFT ends on the wall.
    const LEFT: MoveInput = { moveX: -INPUT_AXIS_MAX, moveY: 0 };
    const start = { x: PLAYER_RADIUS_PX, y: CENTER.y };
    const inOnePacket = worldWithPlayer(start);
    inOnePacket.queueInputs(1, packet(2, RIGHT, LEFT)); // seq 2 RIGHT, seq 1 LEFT
    const reordered = worldWithPlayer(start);
    reordered.queueInputs(1, packet(2, RIGHT));
    reordered.queueInputs(1, packet(1, LEFT));
    for (const world of [inOnePacket, reordered]) {
      steps(world, 5);
      expect(world.lastAppliedInput(1)).toBe(2);
      expect(positionOf(world, 1).x).toBeCloseTo(PLAYER_RADIUS_PX + STEP_PX, 10);
    }
  });

  it('ignores an input it has already queued (packets repeat inputs on purpose)', () => {
    const world = worldWithPlayer(CENTER);
    world.queueInputs(1, packet(1, RIGHT));
    expect(world.queueInputs(1, packet(1, RIGHT))).toEqual({ accepted: 0, stale: 1, overflow: 0 });
    steps(world, 5);
    expect(positionOf(world, 1).x - CENTER.x).toBeCloseTo(STEP_PX, 10);
  });

  it('ignores an input it has already applied', () => {
    const world = worldWithPlayer(CENTER);
    world.queueInputs(1, packet(1, RIGHT));
    world.step();
    expect(world.queueInputs(1, packet(2, RIGHT, RIGHT))).toEqual({ accepted: 1, stale: 1, overflow: 0 });
    expect(world.queueInputs(1, packet(1, RIGHT))).toEqual({ accepted: 0, stale: 1, overflow: 0 });
    steps(world, 5);
    expect(positionOf(world, 1).x - CENTER.x).toBeCloseTo(2 * STEP_PX, 10);
    expect(world.lastAppliedInput(1)).toBe(2);
  });

  it('does nothing for a player who is not in the world', () => {
    const world = newWorld();
    expect(world.queueInputs(99, packet(1, RIGHT))).toEqual({ accepted: 0, stale: 0, overflow: 0 });
    expect(world.lastAppliedInput(99)).toBe(0);
  });

  it(`keeps only the newest MAX_QUEUED_INPUTS (${MAX_QUEUED_INPUTS}) inputs and reports the overflow`, () => {
    const start = { x: 200, y: CENTER.y };
    const world = worldWithPlayer(start);
    for (let seq = 1; seq <= MAX_QUEUED_INPUTS; seq++) {
      expect(world.queueInputs(1, packet(seq, RIGHT))).toEqual({ accepted: 1, stale: 0, overflow: 0 });
    }
    const newest = MAX_QUEUED_INPUTS + 4;
    expect(world.queueInputs(1, packet(newest, RIGHT, RIGHT, RIGHT, RIGHT))).toEqual({ accepted: 4, stale: 0, overflow: 4 });
    steps(world, MAX_QUEUED_INPUTS + 5);
    // The four oldest were dropped: the newest was applied, and only MAX_QUEUED_INPUTS steps were taken.
    expect(world.lastAppliedInput(1)).toBe(newest);
    expect(positionOf(world, 1).x - start.x).toBeCloseTo(MAX_QUEUED_INPUTS * STEP_PX, 10);
  });

  it('drops a late input that is older than a full queue', () => {
    const world = worldWithPlayer(CENTER);
    for (let seq = 2; seq <= MAX_QUEUED_INPUTS + 1; seq++) world.queueInputs(1, packet(seq, RIGHT));
    expect(world.queueInputs(1, packet(1, RIGHT))).toEqual({ accepted: 1, stale: 0, overflow: 1 });
  });

  it('moves a client sending 10 inputs per tick no faster than one input per tick on average', () => {
    const start = { x: PLAYER_RADIUS_PX, y: CENTER.y };
    const world = worldWithPlayer(start);
    const ticks = 300;
    let seq = 0;
    for (let tick = 0; tick < ticks; tick++) {
      for (let i = 0; i < 10; i++) {
        seq++;
        // Like a real client: each packet repeats the previous inputs too.
        world.queueInputs(1, packet(seq, ...Array<MoveInput>(Math.min(seq, 4)).fill(RIGHT)));
      }
      world.step();
    }
    const moved = positionOf(world, 1).x - start.x;
    // At most one input per tick, plus what the budget lets a player bank.
    expect(moved).toBeLessThanOrEqual((ticks + MAX_INPUT_CREDITS - 1) * STEP_PX + 1e-6);
    expect(moved).toBeGreaterThanOrEqual(ticks * STEP_PX - 1e-6); // and it never falls behind real time
  });

  it(`lets a paused client catch up by at most MAX_INPUT_CREDITS (${MAX_INPUT_CREDITS}) inputs in one tick`, () => {
    expect(MAX_QUEUED_INPUTS).toBeGreaterThan(MAX_INPUT_CREDITS); // else the queue, not the budget, would limit
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS + 2); // idle: credits build up to the cap
    for (let seq = 1; seq <= MAX_INPUT_CREDITS + 1; seq++) world.queueInputs(1, packet(seq, RIGHT));
    world.step();
    expect(world.lastAppliedInput(1)).toBe(MAX_INPUT_CREDITS);
    world.step();
    expect(world.lastAppliedInput(1)).toBe(MAX_INPUT_CREDITS + 1);
  });

  it('applies at once the inputs for steps the server skipped while it was stalled', () => {
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS); // credits at the cap
    const skipped = 20;
    world.creditSkippedSteps(skipped);
    // The client kept sending through the stall: one input per skipped step, and a few more.
    const sent = skipped + MAX_INPUT_CREDITS - 2;
    for (let seq = 1; seq <= sent; seq++) world.queueInputs(1, packet(seq, RIGHT));
    world.step();
    expect(world.lastAppliedInput(1)).toBe(sent);
  });

  it('keeps every input that arrives while the server is stalled, beyond MAX_QUEUED_INPUTS, and applies them all', () => {
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS); // credits at the cap
    // The server's process is stalled for 50 steps; the client's packets are
    // handled first when it wakes, while those steps are still owed...
    const stalled = 50;
    for (let seq = 1; seq <= stalled; seq++) {
      expect(world.queueInputs(1, packet(seq, RIGHT), stalled).overflow).toBe(0);
    }
    // ...then the loop runs what it may and skips the rest (FixedStepLoop), and the next step applies the lot.
    world.step();
    world.creditSkippedSteps(stalled - 1);
    world.step();
    expect(world.lastAppliedInput(1)).toBe(stalled);
  });

  it('keeps the inputs of skipped steps that arrive after the loop has reported them, and applies them all', () => {
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS); // credits at the cap
    const skipped = 100;
    world.creditSkippedSteps(skipped); // the timer ran first: nothing is owed now, the credits say what was skipped
    for (let seq = 1; seq <= skipped; seq++) expect(world.queueInputs(1, packet(seq, RIGHT)).overflow).toBe(0);
    world.step();
    expect(world.lastAppliedInput(1)).toBe(skipped);
  });

  it(`credits at most MAX_STALL_INPUTS (${MAX_STALL_INPUTS}) skipped steps`, () => {
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS);
    world.creditSkippedSteps(10 * MAX_STALL_INPUTS);
    const sent = MAX_QUEUED_INPUTS + MAX_STALL_INPUTS + 5;
    let overflow = 0;
    for (let seq = 1; seq <= sent; seq++) overflow += world.queueInputs(1, packet(seq, RIGHT)).overflow;
    expect(overflow).toBe(5);
    world.step();
    // The step applies what the credits allow: the cap's worth, no more.
    expect(world.lastAppliedInput(1)).toBe(5 + MAX_INPUT_CREDITS + MAX_STALL_INPUTS);
  });

  it(`makes room for at most MAX_STALL_INPUTS (${MAX_STALL_INPUTS}) owed steps`, () => {
    const world = worldWithPlayer(CENTER);
    const sent = MAX_QUEUED_INPUTS + MAX_STALL_INPUTS + 3;
    let overflow = 0;
    for (let seq = 1; seq <= sent; seq++) overflow += world.queueInputs(1, packet(seq, RIGHT), 10 * MAX_STALL_INPUTS).overflow;
    expect(overflow).toBe(3);
  });

  it('keeps the credits of skipped steps while their inputs are late, the queue standing empty meanwhile', () => {
    // Seen under load: the loop caught up two steps before the stall's
    // datagrams reached the JavaScript (the native threads that receive them
    // were starved too). Ending the credits at the first empty step made the
    // queue bound drop three of those inputs: a 12 px correction.
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS);
    const skipped = 60;
    world.creditSkippedSteps(skipped);
    steps(world, 2); // nothing has arrived yet
    const sent = skipped + 2;
    let overflow = 0;
    for (let seq = 1; seq <= sent; seq++) overflow += world.queueInputs(1, packet(seq, RIGHT)).overflow;
    expect(overflow).toBe(0);
    world.step();
    expect(world.lastAppliedInput(1)).toBe(sent);
  });

  it(`does not let the credits of a stall be banked past STALL_CREDITS_KEPT_MS (${STALL_CREDITS_KEPT_MS} ms)`, () => {
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS);
    world.creditSkippedSteps(200);
    steps(world, Math.ceil(STALL_CREDITS_KEPT_MS / DT_MS)); // nothing queued all that time: the stall's credits lapse
    for (let seq = 1; seq <= 20; seq++) world.queueInputs(1, packet(seq, RIGHT));
    world.step();
    expect(world.lastAppliedInput(1)).toBe(MAX_INPUT_CREDITS);
  });

  it('lets each stall\'s credits lapse on their own, however often the server stalls', () => {
    // A server that stalls every half second must not let an idle player
    // pile up the credits of all its stalls.
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS);
    const grant = 20;
    const every = Math.ceil(STALL_CREDITS_KEPT_MS / DT_MS / 2);
    for (let stall = 0; stall < 10; stall++) {
      world.creditSkippedSteps(grant);
      steps(world, every);
    }
    world.creditSkippedSteps(grant); // the newest stall: it and the one before are within STALL_CREDITS_KEPT_MS
    for (let seq = 1; seq <= 200; seq++) world.queueInputs(1, packet(seq, RIGHT), 200);
    world.step();
    expect(world.lastAppliedInput(1)).toBeLessThanOrEqual(MAX_INPUT_CREDITS + 2 * grant);
    expect(world.lastAppliedInput(1)).toBeGreaterThan(MAX_INPUT_CREDITS + grant);
  });

  it('grants no credits of a stall to a player who entered during it', () => {
    const world = worldWithPlayer(CENTER);
    steps(world, MAX_INPUT_CREDITS);
    world.addPlayer(2); // handled while the server was stalled...
    steps(world, MAX_CATCH_UP_STEPS); // ...then the loop woke, ran its catch-up steps
    world.creditSkippedSteps(100); // and skipped the rest
    for (let seq = 1; seq <= 50; seq++) world.queueInputs(2, packet(seq, RIGHT), 50);
    world.step();
    expect(world.lastAppliedInput(2)).toBeLessThanOrEqual(MAX_INPUT_CREDITS);
  });

  it('starts a re-added player with a fresh input sequence', () => {
    const world = worldWithPlayer(CENTER);
    world.queueInputs(1, packet(50, RIGHT));
    world.step();
    world.removePlayer(1);
    world.addPlayer(1);
    expect(world.lastAppliedInput(1)).toBe(0);
    expect(world.queueInputs(1, packet(1, RIGHT)).accepted).toBe(1);
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
  const coinSpots = (world: World): Vec2[] =>
    world.entities().flatMap((e) => (e.kind === ENTITY_KIND_COIN ? [{ x: e.x, y: e.y }] : []));

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
    const others = (world: World) => world.entities().filter((e) => e.id !== firstCoinId);
    expect(others(scripted)).toEqual(others(plain));
  });

  it('moves a placed player at the start of the next step, before that step\'s input', () => {
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
