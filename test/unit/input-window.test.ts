// The redundancy window and the input clock: what every input packet
// carries, and how many inputs are due when the loop's timer fires.
import { describe, expect, it } from 'vitest';
import { INPUT_AXIS_MAX, INPUT_REDUNDANCY, MAX_INPUT_CATCH_UP } from '../../protocol/constants.ts';
import { InputClock } from '../../game-client/play/input-clock.ts';
import { InputWindow } from '../../game-client/play/input-window.ts';

const input = (moveX: number) => ({ moveX, moveY: 0 });

describe('InputWindow', () => {
  it('numbers inputs from 1 and carries the newest first', () => {
    const recent = new InputWindow();
    expect(recent.push(input(1))).toEqual({ seq: 1, inputs: [input(1)] });
    expect(recent.push(input(2))).toEqual({ seq: 2, inputs: [input(2), input(1)] });
  });

  it('carries at most INPUT_REDUNDANCY inputs', () => {
    const recent = new InputWindow();
    for (let i = 1; i <= INPUT_REDUNDANCY + 3; i++) recent.push(input(i));
    const run = recent.push(input(INPUT_AXIS_MAX));
    expect(run.inputs).toHaveLength(INPUT_REDUNDANCY);
    expect(run.inputs[0]).toEqual(input(INPUT_AXIS_MAX));
  });

  it('hands out a copy: a later push does not change a packet already assembled', () => {
    const recent = new InputWindow();
    const first = recent.push(input(1));
    recent.push(input(2));
    expect(first.inputs).toEqual([input(1)]);
  });

  it('counts on from a restart with an empty window', () => {
    const recent = new InputWindow();
    recent.push(input(1));
    recent.restart(1000);
    expect(recent.push(input(2))).toEqual({ seq: 1001, inputs: [input(2)] });
  });

  it("starts again from the server's count on a new arena entry", () => {
    const recent = new InputWindow();
    for (let i = 0; i < 50; i++) recent.push(input(1));
    expect(recent.rejoin({ resumed: false, inputSeq: 0 })).toBe(true);
    expect(recent.push(input(2))).toEqual({ seq: 1, inputs: [input(2)] });
  });

  it("takes the server's count on a page reload (a resume with nothing counted yet)", () => {
    const recent = new InputWindow();
    expect(recent.rejoin({ resumed: true, inputSeq: 700 })).toBe(true);
    expect(recent.push(input(1)).seq).toBe(701);
  });

  it('keeps counting up across a resume, so no input is mistaken for an old one', () => {
    const recent = new InputWindow();
    for (let i = 1; i <= 10; i++) recent.push(input(i));
    expect(recent.rejoin({ resumed: true, inputSeq: 8 })).toBe(false);
    const carried = [11, 10, 9, 8, 7, 6, 5, 4].slice(0, INPUT_REDUNDANCY).map(input);
    expect(recent.push(input(11))).toEqual({ seq: 11, inputs: carried });
    expect(recent.rejoin({ resumed: true, inputSeq: 40 })).toBe(false);
    expect(recent.push(input(12)).seq).toBe(41);
  });
});

describe('InputClock', () => {
  const TICK_MS = 1000 / 60;

  it('makes one input due per tick, however the timer fires', () => {
    const clock = new InputClock(60, 0);
    expect(clock.due(0)).toBe(0);
    expect(clock.due(TICK_MS * 0.5)).toBe(0);
    expect(clock.due(TICK_MS * 1.5)).toBe(1);
    expect(clock.due(TICK_MS * 1.9)).toBe(0);
    expect(clock.due(TICK_MS * 4.2)).toBe(3); // a late timer catches up
  });

  it('does not drift: a second of uneven timers makes exactly the tick rate due', () => {
    const clock = new InputClock(60, 5_000);
    let due = 0;
    for (let t = 5_000; t <= 6_000; t += 7 + (t % 5)) due += clock.due(t);
    due += clock.due(6_000);
    expect(due).toBe(60);
  });

  it('sends at most MAX_INPUT_CATCH_UP after a stall and skips the rest for good', () => {
    const clock = new InputClock(60, 0);
    expect(clock.due(2_000)).toBe(MAX_INPUT_CATCH_UP);
    expect(clock.due(2_000 + TICK_MS * 1.5)).toBe(1);
  });
});
