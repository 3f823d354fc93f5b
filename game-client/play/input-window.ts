// The redundancy window: every input gets the next sequence number, and
// every input packet carries the newest INPUT_REDUNDANCY inputs, newest
// first: those since the last packet and the packets' before, so a few lost
// packets in a row cost no input (the server applies only the sequence
// numbers it has not applied yet).
import { INPUT_REDUNDANCY } from '../../protocol/constants.ts';
import type { MoveInput } from '../../protocol/sim/sim.ts';
import type { InputPacket } from '../../protocol/wire/input.ts';

/** What one input packet carries, before the snapshot acknowledgement is added: `seq` and the inputs up to it, newest first. */
export type InputRun = Omit<InputPacket, 'ackTick'>;

export class InputWindow {
  private seq = 0;
  private recent: MoveInput[] = [];

  /** Numbers `input` and returns what its packet carries. */
  push(input: MoveInput): InputRun {
    this.seq++;
    this.recent.unshift(input);
    this.recent.length = Math.min(this.recent.length, INPUT_REDUNDANCY);
    return { seq: this.seq, inputs: [...this.recent] };
  }

  /** Counts on from `seq` with an empty window: the next input is `seq + 1`. */
  restart(seq: number): void {
    this.seq = seq;
    this.recent = [];
  }

  /**
   * Follows a welcome (`inputSeq`: the newest input the server applied). A
   * new arena entry, or a page reload (nothing counted here yet), starts
   * again from the server's count; a resume keeps counting up, so no input
   * is mistaken for an old one. Returns true when it started again.
   */
  rejoin(welcome: { resumed: boolean; inputSeq: number }): boolean {
    if (!welcome.resumed || this.seq === 0) {
      this.restart(welcome.inputSeq);
      return true;
    }
    this.seq = Math.max(this.seq, welcome.inputSeq);
    return false;
  }
}
