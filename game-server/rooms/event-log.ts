// The reliable event log: every join, leave, chat line and score gets the
// next room-wide sequence number and is kept in a bounded ring, so a client
// that reconnects can be sent exactly the events it missed.
import { EVENT_LOG_CAPACITY } from '../../protocol/constants.ts';
import type { GameEvent } from '../../protocol/wire/stream.ts';

/** A GameEvent before it is numbered (distributes Omit over the union). */
export type UnsequencedEvent = GameEvent extends infer E ? (E extends GameEvent ? Omit<E, 'seq'> : never) : never;

export class EventLog {
  private readonly events: GameEvent[] = [];
  private lastSeq = 0;

  constructor(private readonly capacity = EVENT_LOG_CAPACITY) {}

  /** Newest sequence number given out (0 before the first event). */
  get newestSeq(): number {
    return this.lastSeq;
  }

  /** Numbers an event and keeps it, forgetting the oldest past capacity. */
  append(event: UnsequencedEvent): GameEvent {
    const sequenced = { ...event, seq: ++this.lastSeq } as GameEvent;
    this.events.push(sequenced);
    if (this.events.length > this.capacity) this.events.shift();
    return sequenced;
  }

  /**
   * Events after `seq`, oldest first. `complete` is false when some of them
   * have already left the ring (the client then relies on welcome's state).
   */
  since(seq: number): { events: GameEvent[]; complete: boolean } {
    const oldest = this.events[0]?.seq ?? this.lastSeq + 1;
    return { events: this.events.filter((e) => e.seq > seq), complete: seq >= oldest - 1 };
  }
}
