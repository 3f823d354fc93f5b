// One player's inputs that arrived but are not applied yet, oldest first.
// Packets repeat their recent inputs on purpose (a lost packet's inputs ride
// in the next ones), and datagrams arrive out of order, so the queue must
// spot an input it already holds and put a late one in its place. Both stay
// cheap however long the queue grows after a stall: a Set answers "already
// queued?", and a new input is placed by scanning from the newest end, where
// nearly every input belongs.
import type { MoveInput } from '../../protocol/sim/sim.ts';

export interface QueuedInput {
  seq: number;
  input: MoveInput;
}

export class InputQueue {
  /** Sorted by `seq`, oldest first. */
  private readonly entries: QueuedInput[] = [];
  private readonly queuedSeqs = new Set<number>();

  get size(): number {
    return this.entries.length;
  }

  /** Adds an input in sequence order. False, and nothing changes, if this sequence is already queued. */
  add(seq: number, input: MoveInput): boolean {
    if (this.queuedSeqs.has(seq)) return false;
    let at = this.entries.length;
    while (at > 0 && this.entries[at - 1]!.seq > seq) at--;
    this.entries.splice(at, 0, { seq, input });
    this.queuedSeqs.add(seq);
    return true;
  }

  /** Takes the oldest input out, or undefined when empty. */
  takeOldest(): QueuedInput | undefined {
    const oldest = this.entries.shift();
    if (oldest) this.queuedSeqs.delete(oldest.seq);
    return oldest;
  }

  /** Drops the oldest inputs until at most `limit` remain; returns how many were dropped. */
  trimTo(limit: number): number {
    const excess = Math.max(0, this.entries.length - limit);
    for (const dropped of this.entries.splice(0, excess)) this.queuedSeqs.delete(dropped.seq);
    return excess;
  }
}
