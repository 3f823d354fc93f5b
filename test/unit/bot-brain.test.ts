// A headless bot's steering: keep heading for the chosen coin while it
// exists, pick another at random when it is gone, wander between waypoints
// inside the arena when there are no coins, and always ask for (close to)
// full speed within the legal input range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARENA_HEIGHT_PX, ARENA_WIDTH_PX, ENTITY_KIND_COIN, ENTITY_KIND_NPC, ENTITY_KIND_PLAYER, INPUT_AXIS_MAX } from '../../protocol/constants.ts';
import { seededRandom } from '../../protocol/sim/random.ts';
import { clampInput, stepPlayer, touchesCoin, type MoveInput, type Vec2 } from '../../protocol/sim/sim.ts';
import type { EntityState } from '../../protocol/wire/snapshot.ts';
import { randomWaypoint, steer, type BotGoal } from '../../game-client/play/bot-brain.ts';

/** Mirror the private constants in bot-brain.ts. */
const ARRIVED_PX = 12;
const WAYPOINT_MARGIN_PX = 50;

const DT_MS = 1000 / 60;

const coin = (id: number, x: number, y: number): EntityState => ({ id, kind: ENTITY_KIND_COIN, x, y });
const noGoal = (waypoint: Vec2 = { x: 800, y: 450 }): BotGoal => ({ coinId: null, waypoint });

/** Angle between the input and the direction from `from` to `to`, in degrees. */
function headingErrorDeg(input: MoveInput, from: Vec2, to: Vec2): number {
  const wanted = Math.atan2(to.y - from.y, to.x - from.x);
  const got = Math.atan2(input.moveY, input.moveX);
  const diff = Math.abs(wanted - got) % (2 * Math.PI);
  return (Math.min(diff, 2 * Math.PI - diff) * 180) / Math.PI;
}

const insideMargins = (p: Vec2) =>
  p.x >= WAYPOINT_MARGIN_PX && p.x <= ARENA_WIDTH_PX - WAYPOINT_MARGIN_PX && p.y >= WAYPOINT_MARGIN_PX && p.y <= ARENA_HEIGHT_PX - WAYPOINT_MARGIN_PX;

describe('randomWaypoint', () => {
  it('keeps WAYPOINT_MARGIN_PX from the walls at both ends of the random range', () => {
    expect(randomWaypoint(() => 0)).toEqual({ x: WAYPOINT_MARGIN_PX, y: WAYPOINT_MARGIN_PX });
    const far = randomWaypoint(() => 0.999999);
    expect(insideMargins(far)).toBe(true);
    expect(far.x).toBeCloseTo(ARENA_WIDTH_PX - WAYPOINT_MARGIN_PX, 2);
    expect(far.y).toBeCloseTo(ARENA_HEIGHT_PX - WAYPOINT_MARGIN_PX, 2);
  });

  it('stays inside the margins for any seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const random = seededRandom(seed);
        for (let i = 0; i < 50; i++) expect(insideMargins(randomWaypoint(random))).toBe(true);
      }),
    );
  });

  it('spreads waypoints over the arena rather than repeating one spot', () => {
    const random = seededRandom(3);
    const waypoints = Array.from({ length: 200 }, () => randomWaypoint(random));
    expect(Math.min(...waypoints.map((w) => w.x))).toBeLessThan(ARENA_WIDTH_PX / 4);
    expect(Math.max(...waypoints.map((w) => w.x))).toBeGreaterThan((3 * ARENA_WIDTH_PX) / 4);
    expect(Math.min(...waypoints.map((w) => w.y))).toBeLessThan(ARENA_HEIGHT_PX / 4);
    expect(Math.max(...waypoints.map((w) => w.y))).toBeGreaterThan((3 * ARENA_HEIGHT_PX) / 4);
  });
});

describe('steer toward coins', () => {
  const own: Vec2 = { x: 400, y: 400 };
  const near = coin(0xf010, 420, 400); // 20 px east
  const far = coin(0xf011, 400, 800); // 400 px south

  it('keeps heading for its chosen coin while it is still there, even past a nearer one', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { input, goal } = steer(own, [near, far], { coinId: far.id, waypoint: own }, seededRandom(seed));
      expect(goal.coinId).toBe(far.id);
      expect(input).toEqual({ moveX: 0, moveY: INPUT_AXIS_MAX });
    }
  });

  it('picks one of the coins present when its coin is gone', () => {
    const coins = [coin(1 + 0xf000, 100, 100), coin(2 + 0xf000, 700, 100), coin(3 + 0xf000, 700, 700)];
    const { input, goal } = steer(own, coins, { coinId: 0xf0ff, waypoint: own }, seededRandom(1));
    const chosen = coins.find((c) => c.id === goal.coinId);
    expect(chosen).toBeDefined();
    expect(headingErrorDeg(input, own, chosen!)).toBeLessThan(1);
  });

  it('picks a coin when it had none', () => {
    const { goal } = steer(own, [far], noGoal(), seededRandom(1));
    expect(goal.coinId).toBe(far.id);
  });

  it('picks at random, so bots spread out instead of all chasing the nearest coin', () => {
    const coins = [near, far, coin(0xf012, 1200, 100), coin(0xf013, 50, 850)];
    const chosen = new Set<number | null>();
    for (let seed = 0; seed < 40; seed++) chosen.add(steer(own, coins, noGoal(), seededRandom(seed)).goal.coinId);
    expect(chosen).toEqual(new Set(coins.map((c) => c.id)));
  });

  it('never chases players or NPCs', () => {
    const others: EntityState[] = [
      { id: 2, kind: ENTITY_KIND_PLAYER, x: 500, y: 400 },
      { id: 0xf000, kind: ENTITY_KIND_NPC, x: 300, y: 400 },
    ];
    const waypoint = { x: 400, y: 100 };
    const { input, goal } = steer(own, others, { coinId: 2, waypoint }, seededRandom(1));
    expect(goal.coinId).toBeNull();
    expect(input).toEqual({ moveX: 0, moveY: -INPUT_AXIS_MAX }); // to the waypoint, due north
  });

  it('reaches a coin by steering every tick', () => {
    const target = coin(0xf020, 900, 700);
    let position: Vec2 = { x: 200, y: 200 };
    let goal = noGoal();
    const random = seededRandom(5);
    let ticks = 0;
    // 860 px at 4 px a tick is about 215 ticks; allow a little for rounding.
    while (!touchesCoin(position, target) && ticks < 230) {
      const steered = steer(position, [target], goal, random);
      position = stepPlayer(position, steered.input, DT_MS);
      goal = steered.goal;
      ticks++;
    }
    expect(touchesCoin(position, target)).toBe(true);
  });
});

describe('steer without coins', () => {
  it('walks toward its waypoint and keeps it', () => {
    const own = { x: 400, y: 400 };
    const waypoint = { x: 700, y: 100 }; // up and to the right, 45°
    const { input, goal } = steer(own, [], noGoal(waypoint), seededRandom(1));
    expect(goal).toEqual({ coinId: null, waypoint });
    expect(input).toEqual({ moveX: 90, moveY: -90 }); // 127 / √2 = 89.8, rounded
  });

  it('picks a new waypoint inside the margins on arrival, standing still for that tick', () => {
    const waypoint = { x: 700, y: 300 };
    const own = { x: waypoint.x + ARRIVED_PX - 1, y: waypoint.y };
    const { input, goal } = steer(own, [], noGoal(waypoint), seededRandom(1));
    expect(input).toEqual({ moveX: 0, moveY: 0 });
    expect(goal.coinId).toBeNull();
    expect(goal.waypoint).not.toEqual(waypoint);
    expect(insideMargins(goal.waypoint)).toBe(true);
  });

  it('keeps walking when just outside the arrival distance', () => {
    const waypoint = { x: 700, y: 300 };
    const own = { x: waypoint.x - ARRIVED_PX - 1, y: waypoint.y };
    const { input, goal } = steer(own, [], noGoal(waypoint), seededRandom(1));
    expect(input).toEqual({ moveX: INPUT_AXIS_MAX, moveY: 0 });
    expect(goal.waypoint).toEqual(waypoint);
  });

  it('wanders from waypoint to waypoint, each one reached', () => {
    const random = seededRandom(11);
    let position: Vec2 = { x: 800, y: 450 };
    let goal = noGoal(randomWaypoint(random));
    const reached: Vec2[] = [];
    for (let tick = 0; tick < 3000 && reached.length < 5; tick++) {
      const steered = steer(position, [], goal, random);
      if (steered.goal.waypoint !== goal.waypoint) reached.push(goal.waypoint);
      position = stepPlayer(position, steered.input, DT_MS);
      goal = steered.goal;
    }
    expect(reached).toHaveLength(5);
  });
});

describe('steer input', () => {
  it('is integer, within ±INPUT_AXIS_MAX per axis, close to full speed and on course', () => {
    const arenaPoint = fc.record({
      x: fc.double({ min: 0, max: ARENA_WIDTH_PX, noNaN: true }),
      y: fc.double({ min: 0, max: ARENA_HEIGHT_PX, noNaN: true }),
    });
    fc.assert(
      fc.property(arenaPoint, arenaPoint, fc.boolean(), (own, target, asCoin) => {
        fc.pre(Math.hypot(target.x - own.x, target.y - own.y) >= ARRIVED_PX);
        const entities = asCoin ? [coin(0xf001, target.x, target.y)] : [];
        const { input } = steer(own, entities, { coinId: 0xf001, waypoint: target }, seededRandom(1));
        expect(Number.isInteger(input.moveX) && Number.isInteger(input.moveY)).toBe(true);
        expect(Math.abs(input.moveX)).toBeLessThanOrEqual(INPUT_AXIS_MAX);
        expect(Math.abs(input.moveY)).toBeLessThanOrEqual(INPUT_AXIS_MAX);
        // What the sim will actually apply: at least 98 % of full speed, within 1° of the target.
        const applied = clampInput(input);
        expect(Math.hypot(applied.moveX, applied.moveY)).toBeGreaterThanOrEqual(0.98 * INPUT_AXIS_MAX);
        expect(headingErrorDeg(applied, own, target)).toBeLessThan(1);
      }),
    );
  });
});
