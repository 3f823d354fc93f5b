// The delivery queue behind the simulated network: on time, and in order.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DelayedDeliveries } from '../../protocol/netsim/delayed-deliveries.ts';

describe('DelayedDeliveries', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const clock = () => Date.now();

  it('delivers at once when the time has come and nothing waits', () => {
    const queue = new DelayedDeliveries(clock, globalThis);
    const seen: string[] = [];
    queue.at(clock(), () => seen.push('now'));
    expect(seen).toEqual(['now']);
  });

  it('delivers each item at its time, earliest first', () => {
    const queue = new DelayedDeliveries(clock, globalThis);
    const seen: string[] = [];
    const start = clock();
    queue.at(start + 50, () => seen.push('b'));
    queue.at(start + 10, () => seen.push('a'));
    vi.advanceTimersByTime(9);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['a']);
    vi.advanceTimersByTime(40);
    expect(seen).toEqual(['a', 'b']);
  });

  it('reschedule moves what is due at one time to an earlier one, in order, behind what is due sooner', () => {
    const queue = new DelayedDeliveries(clock, globalThis);
    const seen: string[] = [];
    const start = clock();
    queue.at(start + 10, () => seen.push('a'));
    queue.at(start + 20, () => seen.push('b'));
    queue.at(start + 50, () => seen.push('c'));
    queue.at(start + 50, () => seen.push('d'));
    queue.reschedule(start + 50, start + 20);
    vi.advanceTimersByTime(19);
    expect(seen).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reschedule of the only item re-arms the timer for its new time', () => {
    const queue = new DelayedDeliveries(clock, globalThis);
    const seen: string[] = [];
    const start = clock();
    queue.at(start + 50, () => seen.push('x'));
    queue.reschedule(start + 50, start + 5);
    vi.advanceTimersByTime(5);
    expect(seen).toEqual(['x']);
  });

  it('keeps items due at the same time in the order they were added', () => {
    const queue = new DelayedDeliveries(clock, globalThis);
    const seen: number[] = [];
    const at = clock() + 20;
    for (let i = 0; i < 50; i++) queue.at(at, () => seen.push(i));
    vi.advanceTimersByTime(20);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('never lets an item that is already due overtake one still queued', () => {
    const queue = new DelayedDeliveries(clock, globalThis);
    const seen: string[] = [];
    const start = clock();
    queue.at(start + 30, () => seen.push('first'));
    vi.advanceTimersByTime(29);
    queue.at(start + 29, () => seen.push('second')); // due now, but must not jump the queue… unless it is earlier
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['second', 'first']);
  });

  it('forgets everything on cancelAll', () => {
    const queue = new DelayedDeliveries(clock, globalThis);
    const seen: string[] = [];
    queue.at(clock() + 10, () => seen.push('x'));
    queue.cancelAll();
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([]);
    expect(queue.pending).toBe(0);
  });
});
