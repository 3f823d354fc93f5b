// How a player's inputs get into the simulation, and how fast at most: the
// input admission (game-server/rooms/input-admission.ts) the room's loop
// applies them through, with the world they move a player in. Queueing
// (repeats, order, the MAX_QUEUED_INPUTS bound), the per-step credits, and
// the credits a server stall grants.
import { describe, expect, it } from 'vitest';
import {
  INPUT_AXIS_MAX,
  MAX_CATCH_UP_STEPS,
  MAX_INPUT_CREDITS,
  MAX_QUEUED_INPUTS,
  MAX_STALL_INPUTS,
  PLAYER_RADIUS_PX,
  STALL_CREDITS_KEPT_MS,
} from '../../protocol/constants.ts';
import { stepPlayer, type MoveInput } from '../../protocol/sim/sim.ts';
import { CENTER, DT_MS, newWorld, packet, positionOf, RIGHT, STEP_PX, steps, worldWithPlayer } from '../stepped-world.ts';

describe('Input admission', () => {
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

  it("lets each stall's credits lapse on their own, however often the server stalls", () => {
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
