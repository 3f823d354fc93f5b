// The fixed-step loop: as many steps as real time asks for, however the timer
// fires; a bounded catch-up after a stall; no steps while stopped, and none
// owed for the time it was stopped.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FixedStepLoop } from '../../game-server/rooms/fixed-step-loop.ts';
import { MAX_CATCH_UP_STEPS } from '../../protocol/constants.ts';

const TICK_RATE_HZ = 50; // 20 ms steps, so counts come out whole

describe('FixedStepLoop', () => {
  let nowMs = 0;
  let steps = 0;
  let skipped: number[] = [];
  let loop: FixedStepLoop;

  beforeEach(() => {
    vi.useFakeTimers();
    nowMs = 0;
    steps = 0;
    skipped = [];
    loop = new FixedStepLoop(TICK_RATE_HZ, () => nowMs, { step: () => steps++, skipped: (n) => skipped.push(n) });
  });

  afterEach(() => {
    loop.stop();
    vi.useRealTimers();
  });

  /** Moves the clock and the timers together, 1 ms at a time (timers fire on time). */
  function run(ms: number) {
    for (let i = 0; i < ms; i++) {
      nowMs += 1;
      vi.advanceTimersByTime(1);
    }
  }

  it('steps once per 1/tickRate of real time', () => {
    loop.start();
    run(1000);
    expect(steps).toBe(TICK_RATE_HZ);
    expect(skipped).toEqual([]);
  });

  it('catches up at most MAX_CATCH_UP_STEPS after a stall, and reports the steps it skipped', () => {
    loop.start();
    run(100); // 5 steps
    nowMs += 1000; // the process stalls for a second: 50 steps are due at the next wake
    run(10);
    expect(steps).toBe(5 + MAX_CATCH_UP_STEPS);
    expect(skipped).toEqual([50 - MAX_CATCH_UP_STEPS]);
  });

  it('accounts for all real time across many stalls: steps run plus steps skipped, none lost', () => {
    // Players send one input per step of real time; the loop must run or
    // report exactly as many, or their inputs pile up a step per stall.
    loop.start();
    for (let stall = 0; stall < 40; stall++) {
      nowMs += 237; // not a whole number of 20 ms steps: each stall leaves part of a step over
      run(10); // the timer fires (every 10 ms) and catches up
    }
    run(17); // leftovers run on the timer
    const elapsedSteps = Math.floor(nowMs / (1000 / TICK_RATE_HZ));
    const skippedSteps = skipped.reduce((a, b) => a + b, 0);
    expect(skipped.length).toBe(40);
    expect(steps + skippedSteps).toBeGreaterThanOrEqual(elapsedSteps - 1);
    expect(steps + skippedSteps).toBeLessThanOrEqual(elapsedSteps);
  });

  it('tells how many steps are owed while the process is stalled, and none once it has woken', () => {
    expect(loop.stepsOwed(nowMs)).toBe(0); // not started
    loop.start();
    run(100);
    expect(loop.stepsOwed(nowMs)).toBe(0);
    nowMs += 1000; // stalled: no timer has fired yet
    expect(loop.stepsOwed(nowMs)).toBe(50);
    run(10);
    expect(loop.stepsOwed(nowMs)).toBe(0); // caught up or skipped
    loop.stop();
    nowMs += 1000;
    expect(loop.stepsOwed(nowMs)).toBe(0);
  });

  it('does not step while stopped, and owes nothing for that time when started again', () => {
    loop.start();
    run(100);
    loop.stop();
    expect(loop.running).toBe(false);
    run(1000);
    expect(steps).toBe(5);
    loop.start();
    run(100);
    expect(steps).toBe(10);
    expect(skipped).toEqual([]);
  });
});
