// Client-side prediction and server reconciliation for the own player.
//
// Most tests here play against a simulated server: it runs the same step
// (protocol/sim/sim.ts stepPlayer) on the same inputs, but late, and reports
// how many inputs it has applied (the ack) with its position. Without loss,
// reconciling against it must land exactly where the client predicted; a
// real correction must be blended out on screen, not snapped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  ENTITY_KIND_PLAYER,
  INPUT_AXIS_MAX,
  MAX_INPUT_CREDITS,
  PLAYER_RADIUS_PX,
  PLAYER_SPEED_PX_PER_S,
} from '../../protocol/constants.ts';
import { stepPlayer, type MoveInput, type Vec2 } from '../../protocol/sim/sim.ts';
import { decodeSnapshot, encodeSnapshot } from '../../protocol/wire/snapshot.ts';
import { POSITION_PRECISION_PX } from '../quantization.ts';
import { inputFromKeys, NO_KEYS } from '../../game-client/play/keys.ts';
import { Prediction } from '../../game-client/play/prediction.ts';

/** Mirror the private constants in prediction.ts. */
const MAX_PENDING_INPUTS = 300;
const SNAP_DISTANCE_PX = 80;
const CORRECTION_HALF_LIFE_MS = 60;

const DT_MS = 1000 / 60;
const STEP_PX = (PLAYER_SPEED_PX_PER_S * DT_MS) / 1000; // 4 px at 60 Hz
const START: Vec2 = { x: 400, y: 450 };
const STILL: MoveInput = { moveX: 0, moveY: 0 };
const RIGHT: MoveInput = { moveX: INPUT_AXIS_MAX, moveY: 0 };
/** Both axes through the quantization grid at once: the worst case for rounding. */
const DOWN_RIGHT: MoveInput = inputFromKeys({ ...NO_KEYS, down: true, right: true });
/** The largest reconciliation error that quantized snapshot positions can cause: two rounding errors of up to POSITION_PRECISION_PX per axis. */
const QUANTIZATION_BOUND_PX = 2 * Math.SQRT2 * POSITION_PRECISION_PX;

const distance = (a: Vec2, b: Vec2) => Math.hypot(a.x - b.x, a.y - b.y);

/** Where `inputs` take a player from `start`, one stepPlayer each: what the server computes. */
function walk(start: Vec2, inputs: readonly MoveInput[]): Vec2 {
  return inputs.reduce((position, input) => stepPlayer(position, input, DT_MS), start);
}

/** A position as the client receives it: through the snapshot codec, in 1/POSITION_SCALE px steps. */
function viaSnapshot(position: Vec2): Vec2 {
  const bytes = encodeSnapshot({
    seq: 1,
    tick: 1,
    serverTimeMs: 0,
    ackInputSeq: 0,
    entities: [{ id: 1, kind: ENTITY_KIND_PLAYER, ...position }],
  });
  const decoded = decodeSnapshot(bytes);
  if (!decoded.ok) throw new Error(decoded.error);
  const own = decoded.value.entities[0]!;
  return { x: own.x, y: own.y };
}

/** A prediction that has had its first snapshot at `at`, with nothing pending. */
function predictionAt(at: Vec2): Prediction {
  const prediction = new Prediction(DT_MS);
  prediction.reconcile(at, 0, true);
  return prediction;
}

/** Applies `inputs` as seq from+1, from+2 … */
function applyAll(prediction: Prediction, inputs: readonly MoveInput[], from = 0) {
  for (const [i, input] of inputs.entries()) prediction.applyInput(from + i + 1, input);
}

interface Link {
  /** Ticks from the client applying an input to the earliest tick the server applies it. */
  lagTicks: number;
  /** How many waiting inputs the server may apply at `tick`: 1 is steady; 0, 0, 0, 4 is a clump. */
  appliesAt?: (tick: number) => number;
  /** A snapshot reaches the client every this many ticks (2 = 30 Hz snapshots at 60 Hz). */
  snapshotEveryTicks?: number;
  /** Send the server's position through the snapshot codec (quantized) instead of exactly. */
  quantized?: boolean;
}

/**
 * Plays `inputs`, one per tick, against a lossless server over `link`: the
 * client predicts each input at once and reconciles with every snapshot.
 * Returns the prediction and the largest distance, right after a reconcile,
 * between the predicted position and where the inputs really lead.
 */
function playAgainstServer(start: Vec2, inputs: readonly MoveInput[], link: Link) {
  const { lagTicks, appliesAt = () => 1, snapshotEveryTicks = 2, quantized = false } = link;
  const prediction = new Prediction(DT_MS);
  let server = start;
  let applied = 0;
  let worstDivergencePx = 0;
  for (let tick = 1; tick <= inputs.length; tick++) {
    prediction.applyInput(tick, inputs[tick - 1]!);

    // The server: inputs reach it lagTicks late, and it applies what its budget allows.
    const arrived = Math.max(0, tick - lagTicks);
    const target = Math.min(arrived, applied + appliesAt(tick));
    for (; applied < target; applied++) server = stepPlayer(server, inputs[applied]!, DT_MS);

    if (tick % snapshotEveryTicks === 0) {
      prediction.reconcile(quantized ? viaSnapshot(server) : server, applied, true);
      const truth = walk(start, inputs.slice(0, tick));
      worstDivergencePx = Math.max(worstDivergencePx, distance(prediction.position!, truth));
    }
  }
  return { prediction, worstDivergencePx };
}

/** A few seconds of keyboard play: straight runs, diagonals, stops and turns. */
const KEYBOARD_SESSION: MoveInput[] = [
  ...Array<MoveInput>(40).fill(RIGHT),
  ...Array<MoveInput>(30).fill(DOWN_RIGHT),
  ...Array<MoveInput>(10).fill(STILL),
  ...Array<MoveInput>(25).fill(inputFromKeys({ ...NO_KEYS, up: true, left: true })),
  ...Array<MoveInput>(35).fill(inputFromKeys({ ...NO_KEYS, up: true })),
  ...Array<MoveInput>(20).fill(inputFromKeys({ ...NO_KEYS, left: true, down: true })),
];

describe('Prediction before the first snapshot', () => {
  it('has no position and draws nothing, but keeps the inputs', () => {
    const prediction = new Prediction(DT_MS);
    applyAll(prediction, [RIGHT, RIGHT, RIGHT]);
    expect(prediction.position).toBeNull();
    expect(prediction.drawPosition(16)).toBeNull();
    expect(prediction.pendingCount).toBe(3);
  });

  it('replays the kept inputs from the first snapshot, which is no correction', () => {
    const prediction = new Prediction(DT_MS);
    applyAll(prediction, [RIGHT, RIGHT, RIGHT]);
    prediction.reconcile(START, 1, true);
    expect(prediction.position).toEqual(walk(START, [RIGHT, RIGHT]));
    expect(prediction.drawPosition(0)).toEqual(prediction.position);
    expect(prediction.lastErrorPx).toBe(0);
    expect(prediction.snaps).toBe(0);
  });
});

describe('Prediction.applyInput', () => {
  it('steps exactly like stepPlayer, including diagonals, oversized inputs and walls', () => {
    const inputs: MoveInput[] = [RIGHT, DOWN_RIGHT, { moveX: -50, moveY: 113 }, { moveX: 500, moveY: -500 }, STILL];
    const prediction = predictionAt(START);
    applyAll(prediction, inputs);
    expect(prediction.position).toEqual(walk(START, inputs));

    const nearWall = { x: ARENA_WIDTH_PX - PLAYER_RADIUS_PX - 1, y: ARENA_HEIGHT_PX / 2 };
    const atWall = predictionAt(nearWall);
    applyAll(atWall, [RIGHT, RIGHT]);
    expect(atWall.position).toEqual({ x: ARENA_WIDTH_PX - PLAYER_RADIUS_PX, y: nearWall.y });
  });

  it(`keeps at most ${MAX_PENDING_INPUTS} unacknowledged inputs, forgetting the oldest`, () => {
    const prediction = predictionAt({ x: 100, y: 450 });
    applyAll(prediction, Array<MoveInput>(MAX_PENDING_INPUTS + 50).fill(RIGHT));
    expect(prediction.pendingCount).toBe(MAX_PENDING_INPUTS);
    // Replaying from the start replays only the newest 300: 1200 px, not 1400.
    prediction.reconcile({ x: 100, y: 450 }, 0, true);
    expect(prediction.position!.x).toBeCloseTo(100 + MAX_PENDING_INPUTS * STEP_PX, 9);
  });
});

describe('Prediction.reconcile against a server running the same sim', () => {
  it('drops the acknowledged inputs and keeps the rest for replay', () => {
    const prediction = predictionAt(START);
    const inputs = Array<MoveInput>(10).fill(RIGHT);
    applyAll(prediction, inputs);
    prediction.reconcile(walk(START, inputs.slice(0, 6)), 6, true);
    expect(prediction.pendingCount).toBe(4);
    prediction.reconcile(walk(START, inputs), 10, true);
    expect(prediction.pendingCount).toBe(0);
  });

  it('lands exactly on the prediction with a lagged ack (6 ticks late, 30 Hz snapshots)', () => {
    const { prediction, worstDivergencePx } = playAgainstServer(START, KEYBOARD_SESSION, { lagTicks: 6 });
    expect(worstDivergencePx).toBeLessThan(1e-9);
    expect(prediction.lastErrorPx).toBeLessThan(1e-9);
    expect(prediction.maxErrorPx).toBeLessThan(1e-9);
    expect(prediction.snaps).toBe(0);
    expect(distance(prediction.drawPosition(16)!, prediction.position!)).toBeLessThan(1e-9);
  });

  it('lands exactly on the prediction when inputs are acknowledged in clumps', () => {
    // The server applies nothing for three ticks, then four inputs at once.
    const clumps = (tick: number) => (tick % 4 === 0 ? 4 : 0);
    const { prediction, worstDivergencePx } = playAgainstServer(START, KEYBOARD_SESSION, {
      lagTicks: 5,
      appliesAt: clumps,
      snapshotEveryTicks: 1,
    });
    expect(worstDivergencePx).toBeLessThan(1e-9);
    expect(prediction.maxErrorPx).toBeLessThan(1e-9);
    expect(prediction.snaps).toBe(0);
  });

  it('stays within the quantization bound when the server position comes through the snapshot codec', () => {
    const { prediction, worstDivergencePx } = playAgainstServer(START, KEYBOARD_SESSION, {
      lagTicks: 6,
      quantized: true,
    });
    expect(prediction.maxErrorPx).toBeGreaterThan(0); // the rounding is really there …
    expect(prediction.maxErrorPx).toBeLessThanOrEqual(QUANTIZATION_BOUND_PX); // … and stays tiny
    expect(worstDivergencePx).toBeLessThanOrEqual(Math.SQRT2 * POSITION_PRECISION_PX + 1e-9);
    expect(prediction.snaps).toBe(0);
  });

  it('never diverges by more than quantization, for any inputs, lag, clumps and snapshot rate', () => {
    const input = fc.record({
      moveX: fc.integer({ min: -INPUT_AXIS_MAX, max: INPUT_AXIS_MAX }),
      moveY: fc.integer({ min: -INPUT_AXIS_MAX, max: INPUT_AXIS_MAX }),
    });
    fc.assert(
      fc.property(
        fc.record({
          start: fc.record({
            x: fc.double({ min: PLAYER_RADIUS_PX, max: ARENA_WIDTH_PX - PLAYER_RADIUS_PX, noNaN: true }),
            y: fc.double({ min: PLAYER_RADIUS_PX, max: ARENA_HEIGHT_PX - PLAYER_RADIUS_PX, noNaN: true }),
          }),
          inputs: fc.array(input, { minLength: 1, maxLength: 150 }),
          lagTicks: fc.integer({ min: 0, max: 30 }),
          budgets: fc.array(fc.integer({ min: 0, max: MAX_INPUT_CREDITS }), { minLength: 1, maxLength: 16 }),
          snapshotEveryTicks: fc.integer({ min: 1, max: 4 }),
          quantized: fc.boolean(),
        }),
        ({ start, inputs, lagTicks, budgets, snapshotEveryTicks, quantized }) => {
          // The server's budget cycles through `budgets`: zeros then a bigger number make a clump.
          const appliesAt = (tick: number) => budgets[tick % budgets.length]!;
          const { prediction, worstDivergencePx } = playAgainstServer(start, inputs, {
            lagTicks,
            appliesAt,
            snapshotEveryTicks,
            quantized,
          });
          const slack = 1e-9;
          expect(worstDivergencePx).toBeLessThanOrEqual((quantized ? Math.SQRT2 * POSITION_PRECISION_PX : 0) + slack);
          expect(prediction.maxErrorPx).toBeLessThanOrEqual((quantized ? QUANTIZATION_BOUND_PX : 0) + slack);
          expect(prediction.snaps).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  // Each reconcile compares two positions that were each rounded to the
  // snapshot grid, so the two rounding errors can add up: 2·√2·POSITION_PRECISION_PX
  // on a diagonal. Plain keyboard play gets past one rounding step.
  it('keeps maxErrorPx within two quantization steps at 0 loss, as its doc comment says', () => {
    const { prediction } = playAgainstServer(START, KEYBOARD_SESSION, { lagTicks: 6, quantized: true });
    expect(prediction.snaps).toBe(0);
    expect(prediction.maxErrorPx).toBeGreaterThan(Math.SQRT2 * POSITION_PRECISION_PX); // the rounding really does add up…
    expect(prediction.maxErrorPx).toBeLessThanOrEqual(QUANTIZATION_BOUND_PX); // …but never past two steps
  });
});

describe('Prediction.reconcile after a server correction', () => {
  const inputs = Array<MoveInput>(10).fill(RIGHT);
  /** The server lost input 5 (the player stood still for that tick) and has applied up to input 8. */
  const serverLostInput5 = walk(
    START,
    inputs.slice(0, 8).map((input, i) => (i === 4 ? STILL : input)),
  );

  /** A prediction that walked 10 steps right, then heard about the lost input. */
  function corrected(): Prediction {
    const prediction = predictionAt(START);
    applyAll(prediction, inputs);
    prediction.reconcile(serverLostInput5, 8, true);
    return prediction;
  }

  it('reports the correction in lastErrorPx and maxErrorPx', () => {
    const prediction = corrected();
    expect(prediction.position!.x).toBeCloseTo(START.x + 9 * STEP_PX, 9);
    expect(prediction.lastErrorPx).toBeCloseTo(STEP_PX, 9);
    expect(prediction.maxErrorPx).toBeCloseTo(STEP_PX, 9);
    expect(prediction.snaps).toBe(0);
  });

  it('draws from where the player was, not snapping to the corrected position', () => {
    const prediction = corrected();
    const predictedBefore = walk(START, inputs);
    expect(distance(prediction.drawPosition(0)!, predictedBefore)).toBeLessThan(1e-9);
  });

  it(`blends the correction out, halving it every ${CORRECTION_HALF_LIFE_MS} ms`, () => {
    const prediction = corrected();
    const offset = () => prediction.drawPosition(0)!.x - prediction.position!.x;
    expect(offset()).toBeCloseTo(STEP_PX, 9);
    prediction.drawPosition(CORRECTION_HALF_LIFE_MS);
    expect(offset()).toBeCloseTo(STEP_PX / 2, 9);
    prediction.drawPosition(CORRECTION_HALF_LIFE_MS);
    expect(offset()).toBeCloseTo(STEP_PX / 4, 9);
    prediction.drawPosition(8 * CORRECTION_HALF_LIFE_MS);
    expect(offset()).toBeCloseTo(STEP_PX / 1024, 9);
  });

  it('blends at the same pace whatever the frame rate', () => {
    const atOneFrame = corrected();
    const atFourFrames = corrected();
    const oneFrame = atOneFrame.drawPosition(CORRECTION_HALF_LIFE_MS)!;
    let fourFrames = atFourFrames.drawPosition(CORRECTION_HALF_LIFE_MS / 4)!;
    for (let i = 0; i < 3; i++) fourFrames = atFourFrames.drawPosition(CORRECTION_HALF_LIFE_MS / 4)!;
    expect(fourFrames.x).toBeCloseTo(oneFrame.x, 9);
    expect(fourFrames.y).toBeCloseTo(oneFrame.y, 9);
  });

  it('keeps blending smoothly through a later snapshot that agrees', () => {
    const prediction = corrected();
    const drawnBefore = prediction.drawPosition(16)!;
    // The server catches up on inputs 9 and 10 (with input 5 still lost).
    prediction.reconcile(walk(serverLostInput5, [RIGHT, RIGHT]), 10, true);
    expect(prediction.lastErrorPx).toBeLessThan(1e-9);
    expect(distance(prediction.drawPosition(0)!, drawnBefore)).toBeLessThan(1e-9);
  });

  it('blends a correction just under the snap distance', () => {
    const prediction = predictionAt(START);
    applyAll(prediction, inputs);
    const predicted = prediction.position!;
    prediction.reconcile({ x: predicted.x - (SNAP_DISTANCE_PX - 1), y: predicted.y }, 10, true);
    expect(prediction.snaps).toBe(0);
    expect(prediction.maxErrorPx).toBeCloseTo(SNAP_DISTANCE_PX - 1, 9);
    expect(prediction.drawPosition(0)!.x).toBeCloseTo(predicted.x, 9);
  });

  it('applies a correction beyond the snap distance at once, counting it in snaps and not in maxErrorPx', () => {
    const prediction = corrected(); // maxErrorPx is one step (4 px) from the lost input
    const teleported = { x: 1200, y: 200 };
    prediction.reconcile(teleported, 10, true);
    expect(prediction.snaps).toBe(1);
    expect(prediction.lastErrorPx).toBeGreaterThan(SNAP_DISTANCE_PX);
    expect(prediction.maxErrorPx).toBeCloseTo(STEP_PX, 9);
    expect(prediction.position).toEqual(teleported);
    expect(prediction.drawPosition(0)).toEqual(teleported);
  });

  it('snaps when corrections still on screen add up past the snap distance', () => {
    // Two 50 px corrections in quick succession: the player would be drawn 100 px off.
    const prediction = predictionAt(START);
    prediction.reconcile({ x: START.x + 50, y: START.y }, 0, true);
    expect(prediction.snaps).toBe(0);
    prediction.reconcile({ x: START.x + 100, y: START.y }, 0, true);
    expect(prediction.snaps).toBe(1);
    expect(prediction.drawPosition(0)).toEqual({ x: START.x + 100, y: START.y });
  });
});

describe('Prediction.reconcile with reconciliation off (replay = false)', () => {
  it("jumps to the server's (older) position, without replay or blending", () => {
    const prediction = predictionAt(START);
    const inputs = Array<MoveInput>(10).fill(RIGHT);
    applyAll(prediction, inputs);
    const server = walk(START, inputs.slice(0, 6));
    prediction.reconcile(server, 6, false);
    expect(prediction.position).toEqual(server);
    expect(prediction.drawPosition(0)).toEqual(server);
    expect(prediction.pendingCount).toBe(4);
  });

  it('drops a correction that was still being blended', () => {
    const prediction = predictionAt(START);
    prediction.reconcile({ x: START.x + 50, y: START.y }, 0, true); // a blended 50 px correction
    prediction.reconcile({ x: START.x + 50, y: START.y }, 0, false);
    expect(prediction.drawPosition(0)).toEqual({ x: START.x + 50, y: START.y });
  });

  it('still predicts new inputs from the server position', () => {
    const prediction = predictionAt(START);
    prediction.reconcile({ x: 600, y: 300 }, 0, false);
    prediction.applyInput(1, RIGHT);
    expect(prediction.position).toEqual(stepPlayer({ x: 600, y: 300 }, RIGHT, DT_MS));
  });
});
