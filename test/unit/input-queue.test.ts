// A player's queue of inputs not yet applied: oldest first whatever order they
// arrive in, each sequence once, trimmed from the oldest end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputQueue } from '../../game-server/rooms/input-queue.ts';

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
    expect(queue.add(1, STILL)).toBe(true); // the input admission filters applied sequences, not the queue
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

  it('behaves as a sorted list of distinct sequences, for any mix of adds, takes and trims', () => {
    const operation = fc.oneof(
      fc.record({ add: fc.integer({ min: 1, max: 200 }) }),
      fc.constant({ take: true as const }),
      fc.record({ trimTo: fc.integer({ min: 0, max: 64 }) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const queue = new InputQueue();
        let model: number[] = []; // the same, kept the obvious way
        for (const op of operations) {
          if ('add' in op) {
            const fresh = !model.includes(op.add);
            expect(queue.add(op.add, STILL)).toBe(fresh);
            if (fresh) model = [...model, op.add].sort((a, b) => a - b);
          } else if ('take' in op) {
            expect(queue.takeOldest()?.seq).toBe(model.shift());
          } else {
            const dropped = Math.max(0, model.length - op.trimTo);
            expect(queue.trimTo(op.trimTo)).toBe(dropped);
            model = model.slice(dropped);
          }
          expect(queue.size).toBe(model.length);
        }
        expect(drain(queue)).toEqual(model);
      }),
    );
  });
});
