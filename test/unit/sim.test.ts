// The shared movement rules: what an input may ask for, how far a step goes,
// where the walls are, and when a player touches a coin.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  COIN_RADIUS_PX,
  INPUT_AXIS_MAX,
  NPC_RADIUS_PX,
  NPC_SPEED_PX_PER_S,
  PLAYER_RADIUS_PX,
  PLAYER_SPEED_PX_PER_S,
} from '../../protocol/constants.ts';
import { clampInput, stepPlayer, stepWanderer, touchesCoin } from '../../protocol/sim/sim.ts';

const DT_MS = 1000 / 60;
const STEP_PX = (PLAYER_SPEED_PX_PER_S * DT_MS) / 1000; // 4 px at 60 Hz
const CENTER = { x: ARENA_WIDTH_PX / 2, y: ARENA_HEIGHT_PX / 2 };

describe('clampInput', () => {
  it('clamps each axis to ±INPUT_AXIS_MAX', () => {
    expect(clampInput({ moveX: 300, moveY: 0 })).toEqual({ moveX: INPUT_AXIS_MAX, moveY: 0 });
    expect(clampInput({ moveX: 0, moveY: -300 })).toEqual({ moveX: 0, moveY: -INPUT_AXIS_MAX });
  });

  it('truncates fractional axes toward zero', () => {
    expect(clampInput({ moveX: 12.9, moveY: -12.9 })).toEqual({ moveX: 12, moveY: -12 });
  });

  it('scales a full diagonal down to unit length', () => {
    // 127 / √2 = 89.8, truncated so the vector stays inside the circle.
    expect(clampInput({ moveX: INPUT_AXIS_MAX, moveY: INPUT_AXIS_MAX })).toEqual({ moveX: 89, moveY: 89 });
    expect(clampInput({ moveX: -INPUT_AXIS_MAX, moveY: INPUT_AXIS_MAX })).toEqual({ moveX: -89, moveY: 89 });
  });

  it('leaves a vector already inside the unit circle unchanged', () => {
    expect(clampInput({ moveX: 60, moveY: -80 })).toEqual({ moveX: 60, moveY: -80 });
  });

  it('turns NaN and infinite axes into 0', () => {
    expect(clampInput({ moveX: Number.NaN, moveY: 50 })).toEqual({ moveX: 0, moveY: 50 });
    expect(clampInput({ moveX: 50, moveY: Number.POSITIVE_INFINITY })).toEqual({ moveX: 50, moveY: 0 });
  });

  it('never returns a vector longer than INPUT_AXIS_MAX, whatever it is given', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), (moveX, moveY) => {
        const clamped = clampInput({ moveX, moveY });
        expect(Number.isInteger(clamped.moveX)).toBe(true);
        expect(Number.isInteger(clamped.moveY)).toBe(true);
        expect(Math.hypot(clamped.moveX, clamped.moveY)).toBeLessThanOrEqual(INPUT_AXIS_MAX);
      }),
    );
  });
});

describe('stepPlayer', () => {
  it('moves PLAYER_SPEED_PX_PER_S × dt at full stick', () => {
    const next = stepPlayer(CENTER, { moveX: INPUT_AXIS_MAX, moveY: 0 }, DT_MS);
    expect(next.x - CENTER.x).toBeCloseTo(STEP_PX, 10);
    expect(next.y).toBe(CENTER.y);
  });

  it('scales with the step length', () => {
    const next = stepPlayer(CENTER, { moveX: 0, moveY: -INPUT_AXIS_MAX }, 50);
    expect(CENTER.y - next.y).toBeCloseTo((PLAYER_SPEED_PX_PER_S * 50) / 1000, 10);
  });

  it('stays put with no input', () => {
    expect(stepPlayer(CENTER, { moveX: 0, moveY: 0 }, DT_MS)).toEqual(CENTER);
  });

  it('is not faster on the diagonal than along an axis', () => {
    const next = stepPlayer(CENTER, { moveX: INPUT_AXIS_MAX, moveY: INPUT_AXIS_MAX }, DT_MS);
    const moved = Math.hypot(next.x - CENTER.x, next.y - CENTER.y);
    expect(moved).toBeLessThanOrEqual(STEP_PX);
    expect(moved).toBeGreaterThan(0.98 * STEP_PX); // still close to full speed
  });

  it('never moves further than one full step, for any input', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (moveX, moveY) => {
        const next = stepPlayer(CENTER, { moveX, moveY }, DT_MS);
        expect(Math.hypot(next.x - CENTER.x, next.y - CENTER.y)).toBeLessThanOrEqual(STEP_PX + 1e-9);
      }),
    );
  });

  it('stops at the walls, one radius in from the edge', () => {
    let p = { x: PLAYER_RADIUS_PX + 5, y: PLAYER_RADIUS_PX + 5 };
    for (let i = 0; i < 10; i++) p = stepPlayer(p, { moveX: -INPUT_AXIS_MAX, moveY: 0 }, DT_MS);
    for (let i = 0; i < 10; i++) p = stepPlayer(p, { moveX: 0, moveY: -INPUT_AXIS_MAX }, DT_MS);
    expect(p).toEqual({ x: PLAYER_RADIUS_PX, y: PLAYER_RADIUS_PX });

    let q = { x: ARENA_WIDTH_PX - PLAYER_RADIUS_PX - 5, y: ARENA_HEIGHT_PX - PLAYER_RADIUS_PX - 5 };
    for (let i = 0; i < 10; i++) q = stepPlayer(q, { moveX: INPUT_AXIS_MAX, moveY: INPUT_AXIS_MAX }, DT_MS);
    expect(q).toEqual({ x: ARENA_WIDTH_PX - PLAYER_RADIUS_PX, y: ARENA_HEIGHT_PX - PLAYER_RADIUS_PX });
  });
});

describe('stepWanderer', () => {
  const step = (position: { x: number; y: number }, heading: number) => stepWanderer(position, heading, NPC_SPEED_PX_PER_S, NPC_RADIUS_PX, DT_MS);

  it('moves NPC_SPEED_PX_PER_S × dt along its heading in open space', () => {
    const next = step(CENTER, Math.PI / 2);
    expect(next.position.x).toBeCloseTo(CENTER.x, 10);
    expect(next.position.y - CENTER.y).toBeCloseTo((NPC_SPEED_PX_PER_S * DT_MS) / 1000, 10);
    expect(next.heading).toBeCloseTo(Math.PI / 2, 10);
  });

  it('turns back from the right wall instead of sticking to it', () => {
    const start = { x: ARENA_WIDTH_PX - NPC_RADIUS_PX - 1, y: CENTER.y };
    const next = step(start, 0);
    expect(next.position.x).toBeLessThan(start.x);
    expect(Math.abs(next.heading)).toBeCloseTo(Math.PI, 10);
  });

  it('turns back from the top wall, keeping its horizontal motion', () => {
    const start = { x: CENTER.x, y: NPC_RADIUS_PX + 1 };
    const next = step(start, -Math.PI / 4); // up and to the right
    expect(next.position.y).toBeGreaterThan(start.y);
    expect(next.position.x).toBeGreaterThan(start.x);
    expect(next.heading).toBeCloseTo(Math.PI / 4, 10);
  });

  it('stays inside the arena over many steps from any start and heading', () => {
    const inside = (v: number, max: number) => v >= NPC_RADIUS_PX && v <= max - NPC_RADIUS_PX;
    fc.assert(
      fc.property(
        fc.double({ min: NPC_RADIUS_PX, max: ARENA_WIDTH_PX - NPC_RADIUS_PX, noNaN: true }),
        fc.double({ min: NPC_RADIUS_PX, max: ARENA_HEIGHT_PX - NPC_RADIUS_PX, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        (x, y, heading) => {
          let state = { position: { x, y }, heading };
          for (let i = 0; i < 2000; i++) {
            state = step(state.position, state.heading);
            if (!inside(state.position.x, ARENA_WIDTH_PX) || !inside(state.position.y, ARENA_HEIGHT_PX)) {
              throw new Error(`left the arena at step ${i}: ${JSON.stringify(state)}`);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('touchesCoin', () => {
  const reach = PLAYER_RADIUS_PX + COIN_RADIUS_PX; // 26 px = 2 × (5, 12, 13)

  it('counts a touch at exactly the sum of the radii', () => {
    expect(reach).toBe(26);
    expect(touchesCoin({ x: 100, y: 100 }, { x: 100 + reach, y: 100 })).toBe(true);
    expect(touchesCoin({ x: 100, y: 100 }, { x: 110, y: 124 })).toBe(true); // 10² + 24² = 26²
  });

  it('does not count a coin just out of reach', () => {
    expect(touchesCoin({ x: 100, y: 100 }, { x: 100 + reach + 0.01, y: 100 })).toBe(false);
    expect(touchesCoin({ x: 100, y: 100 }, { x: 110, y: 124.01 })).toBe(false);
  });

  it('counts a coin under the player', () => {
    expect(touchesCoin({ x: 100, y: 100 }, { x: 100, y: 100 })).toBe(true);
  });
});
