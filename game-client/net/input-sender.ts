// The one place input packets are assembled and sent, for the browser game,
// the headless bot and the tests alike: the fixed-rate loop that decides
// when (play/input-clock.ts), the redundancy window that decides what
// (play/input-window.ts), and the snapshot acknowledgement every packet
// carries. Which channel a packet takes is the caller's `route`.
import type { MoveInput } from '../../protocol/sim/sim.ts';
import { encodeInputPacket } from '../../protocol/wire/input.ts';
import { InputClock } from '../play/input-clock.ts';
import { InputWindow, type InputRun } from '../play/input-window.ts';

export class InputSender {
  private readonly recent = new InputWindow();

  constructor(
    /** Sends one encoded packet on whichever channel carries inputs now. */
    private readonly route: (bytes: Uint8Array) => void,
    /** The newest snapshot tick we have: the server may send deltas against it. */
    private readonly ackTick: () => number,
  ) {}

  /** The sequence number of the newest input sent (0 before the first). */
  get lastSeq(): number {
    return this.recent.lastSeq;
  }

  /** Sends one tick's input with the few before it; returns its sequence number. */
  send(input: MoveInput): number {
    const run = this.recent.push(input);
    this.sendRun(run);
    return run.seq;
  }

  /** Sends a packet exactly as given, outside the window (tests that need particular sequence numbers). */
  sendRun(run: InputRun): void {
    this.route(encodeInputPacket({ ...run, ackTick: this.ackTick() }));
  }

  /** Counts on from `seq` with an empty window: the next input is `seq + 1`. */
  restart(seq: number): void {
    this.recent.restart(seq);
  }

  /** Follows a welcome: starts again from the server's count, or (a resume) keeps counting. True when it started again. */
  rejoin(welcome: { resumed: boolean; inputSeq: number }): boolean {
    return this.recent.rejoin(welcome);
  }
}

/**
 * Calls `tick` once per simulation tick at `tickRateHz`, on a timer that
 * fires twice a tick (not in the render loop, which browsers pause in hidden
 * tabs). One loop may drive many clients (the bot drives all of its own).
 * Returns the function that stops it.
 */
export function startInputLoop(tickRateHz: number, tick: () => void, now: () => number = () => performance.now()): () => void {
  const clock = new InputClock(tickRateHz, now());
  const timer = setInterval(() => {
    for (let due = clock.due(now()); due > 0; due--) tick();
  }, 1000 / tickRateHz / 2);
  return () => clearInterval(timer);
}
