// A fixed-step loop: the simulation advances in steps of exactly 1/tickRate
// seconds, however late the timer fires. The interval only wakes us; an
// accumulator of unsimulated time decides how many steps are due. After a
// long stall it runs at most MAX_CATCH_UP_STEPS and skips the rest, so one
// GC pause cannot make every later tick late too ("spiral of death").
// (Glenn Fiedler, "Fix Your Timestep!", gafferongames.com.)
import { MAX_CATCH_UP_STEPS } from '../../protocol/constants.ts';

export interface FixedStepHandlers {
  /** One simulation step. */
  step(): void;
  /** Steps that were due but skipped to catch up (their players' inputs are still on the way). */
  skipped(steps: number): void;
  /** Every wake-up, after the steps: housekeeping that needs a clock but not a step. */
  woke?(nowMs: number): void;
}

export class FixedStepLoop {
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastWakeMs = 0;
  private unsimulatedMs = 0;
  private readonly stepMs: number;

  constructor(
    tickRateHz: number,
    private readonly clock: () => number,
    private readonly handlers: FixedStepHandlers,
  ) {
    this.stepMs = 1000 / tickRateHz;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Starts (or restarts after `stop`) from now: time spent stopped is not simulated. */
  start(): void {
    if (this.timer) return;
    this.lastWakeMs = this.clock();
    this.unsimulatedMs = 0;
    // Waking twice per step keeps a late timer from costing a whole step of latency.
    this.timer = setInterval(() => this.wake(), this.stepMs / 2);
  }

  /**
   * Steps due at `nowMs` that have not run: more than one only while the
   * process is stalled. Messages that waited out a stall can be handled
   * before the timer that would run those steps (or after it, when the
   * steps beyond MAX_CATCH_UP_STEPS were skipped and reported instead).
   */
  stepsOwed(nowMs: number): number {
    if (!this.timer) return 0;
    return Math.floor((this.unsimulatedMs + nowMs - this.lastWakeMs) / this.stepMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private wake(): void {
    const now = this.clock();
    this.unsimulatedMs += now - this.lastWakeMs;
    this.lastWakeMs = now;
    let steps = 0;
    while (this.unsimulatedMs >= this.stepMs && steps < MAX_CATCH_UP_STEPS) {
      this.handlers.step();
      this.unsimulatedMs -= this.stepMs;
      steps++;
    }
    if (steps === MAX_CATCH_UP_STEPS && this.unsimulatedMs >= this.stepMs) {
      const skipped = Math.floor(this.unsimulatedMs / this.stepMs);
      this.handlers.skipped(skipped);
      // Keep the part of a step left over: dropping it lost up to a step of
      // real time per stall, and the clients, who lose none, ran ahead by
      // that many inputs (a lag that built up over stalls, until the input
      // queue's bound dropped inputs: 24 in one browser-test run under load).
      this.unsimulatedMs = Math.max(0, this.unsimulatedMs - skipped * this.stepMs); // never below 0 by rounding
    }
    this.handlers.woke?.(now);
  }
}
