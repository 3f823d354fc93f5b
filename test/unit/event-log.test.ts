// The reliable event log: room-wide sequence numbers, a bounded ring, and
// replay of what a reconnecting client missed.
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../game-server/rooms/event-log.ts';
import { EVENT_LOG_CAPACITY } from '../../protocol/constants.ts';

const chat = (text: string) => ({ type: 'chat' as const, playerId: 1, name: 'alice', text, serverTimeMs: 0 });
const seqsOf = (events: { seq: number }[]) => events.map((e) => e.seq);

/** A log with `count` chat lines, numbered 1..count. */
function logWith(count: number, capacity?: number): EventLog {
  const log = new EventLog(capacity);
  for (let i = 1; i <= count; i++) log.append(chat(`line ${i}`));
  return log;
}

describe('EventLog', () => {
  it('numbers events from 1, one higher each time', () => {
    const log = new EventLog();
    expect(log.newestSeq).toBe(0);
    expect(log.append({ type: 'join', playerId: 2, name: 'bob', score: 0 })).toEqual({
      type: 'join',
      seq: 1,
      playerId: 2,
      name: 'bob',
      score: 0,
    });
    expect(log.append({ type: 'leave', playerId: 2, name: 'bob', reason: 'left' }).seq).toBe(2);
    expect(log.newestSeq).toBe(2);
  });

  it('replays the events after a sequence, oldest first', () => {
    const log = logWith(5);
    const { events, complete } = log.since(2);
    expect(seqsOf(events)).toEqual([3, 4, 5]);
    expect(events[0]).toMatchObject({ type: 'chat', text: 'line 3' });
    expect(complete).toBe(true);
  });

  it('replays nothing to a client that is up to date', () => {
    expect(logWith(5).since(5)).toEqual({ events: [], complete: true });
  });

  it('is complete with nothing to replay when no event has happened yet', () => {
    expect(new EventLog().since(0)).toEqual({ events: [], complete: true });
  });

  it('keeps only the newest `capacity` events', () => {
    const log = logWith(5, 3);
    expect(seqsOf(log.since(0).events)).toEqual([3, 4, 5]);
    expect(log.newestSeq).toBe(5);
  });

  it('is complete when the client missed only events still in the ring', () => {
    // Ring holds 3, 4, 5: a client that saw up to 2 misses nothing that was dropped.
    expect(logWith(5, 3).since(2)).toEqual({ events: expect.any(Array), complete: true });
    expect(seqsOf(logWith(5, 3).since(2).events)).toEqual([3, 4, 5]);
  });

  it('is incomplete when some missed events have left the ring', () => {
    const { events, complete } = logWith(5, 3).since(1); // event 2 is gone
    expect(seqsOf(events)).toEqual([3, 4, 5]);
    expect(complete).toBe(false);
  });

  it(`holds EVENT_LOG_CAPACITY (${EVENT_LOG_CAPACITY}) events by default`, () => {
    const total = EVENT_LOG_CAPACITY + 100;
    const { events, complete } = logWith(total).since(0);
    expect(events).toHaveLength(EVENT_LOG_CAPACITY);
    expect(events[0]!.seq).toBe(101);
    expect(events.at(-1)!.seq).toBe(total);
    expect(complete).toBe(false);
  });
});
