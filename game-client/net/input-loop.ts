// When inputs are sent: once per simulation tick, on a timer (input-sender.ts
// says what and where). Shared by the browser game, the headless bot and the
// tests.
import { InputClock } from '../play/input-clock.ts';

/**
 * Calls `tick` once per simulation tick at `tickRateHz`, on a timer that
 * fires twice a tick (not in the render loop, which browsers pause in hidden
 * tabs). One loop may drive many clients (the bot drives all of its own).
 * Returns the function that stops it.
 */
export function startInputLoop(tickRateHz: number, tick: () => void, now: () => number = () => performance.now()): () => void {
  const clock = new InputClock(tickRateHz, now());
  const timer = setInterval(
    () => {
      for (let due = clock.due(now()); due > 0; due--) tick();
    },
    1000 / tickRateHz / 2,
  );
  return () => clearInterval(timer);
}
