// When inputs are due: one per simulation tick since the loop started,
// whatever the timer's own rhythm (timers fire early or late; the count
// must not drift, so prediction and server step the same amounts). After a
// long stall (a hidden tab, a busy machine) at most MAX_INPUT_CATCH_UP of
// the overdue inputs are sent at once and the rest skipped: the server
// would refuse a bigger burst (its input budget), and the keys held then
// are long gone anyway. Pure: the caller passes the clock in.
import { MAX_INPUT_CATCH_UP } from '../../protocol/constants.ts';

export class InputClock {
  private ticks = 0;

  constructor(
    private readonly tickRateHz: number,
    private readonly startedAtMs: number,
  ) {}

  /** How many inputs to send now, at `nowMs`; the ticks beyond MAX_INPUT_CATCH_UP are skipped for good. */
  due(nowMs: number): number {
    const due = Math.floor(((nowMs - this.startedAtMs) * this.tickRateHz) / 1000) - this.ticks;
    this.ticks += due;
    return Math.max(0, Math.min(due, MAX_INPUT_CATCH_UP));
  }
}
