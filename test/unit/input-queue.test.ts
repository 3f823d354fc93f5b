// A player's queue of inputs not yet applied: oldest first whatever order they
// arrive in, each sequence once, trimmed from the oldest end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputQueue } from '../../game-server/input-queue.ts';

const STILL = { moveX: 0, moveY: 0 };

/** Every sequence left in the queue, oldest first (empties it). */
function drain(queue: InputQueue): number[] {
  const seqs: number[] = [];
  for (let next = queue.takeOldest(); next; next = queue.takeOldest()) seqs.push(next.seq);
  return seqs;
}

describe('InputQueue', () => {
  it('gives inputs back oldest first, however they arrived', () => {
    const queue = new InputQueue();
    for (const seq of [5, 3, 4, 1, 2]) expect(queue.add(seq, STILL)).toBe(true);
    expect(drain(queue)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses a sequence it already holds, and takes it again once it has left', () => {
    const queue = new InputQueue();
    queue.add(1, { moveX: 10, moveY: 0 });
    expect(queue.add(1, { moveX: -10, moveY: 0 })).toBe(false);
    expect(queue.size).toBe(1);
    expect(queue.takeOldest()).toEqual({ seq: 1, input: { moveX: 10, moveY: 0 } }); // the first copy is kept
    expect(queue.add(1, STILL)).toBe(true); // the world filters applied sequences, not the queue
  });

  it('trims from the oldest end and forgets what it trimmed', () => {
    const queue = new InputQueue();
    for (let seq = 1; seq <= 10; seq++) queue.add(seq, STILL);
    expect(queue.trimTo(4)).toBe(6);
    expect(queue.trimTo(4)).toBe(0);
    expect(queue.add(2, STILL)).toBe(true); // trimmed, so no longer "already queued"
    expect(drain(queue)).toEqual([2, 7, 8, 9, 10]);
  });

  it('is empty after taking from an empty queue', () => {
    const queue = new InputQueue();
    expect(queue.takeOldest()).toBeUndefined();
    expect(queue.size).toBe(0);
  });

  it('holds the distinct sequences added, sorted, for any order of adds and trims', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 300 }), fc.integer({ min: 0, max: 64 }), (seqs, limit) => {
        const queue = new InputQueue();
        for (const seq of seqs) queue.add(seq, STILL);
        const distinct = [...new Set(seqs)].sort((a, b) => a - b);
        expect(queue.size).toBe(distinct.length);
        expect(queue.trimTo(limit)).toBe(Math.max(0, distinct.length - limit));
        expect(drain(queue)).toEqual(distinct.slice(Math.max(0, distinct.length - limit)));
      }),
    );
  });
});
