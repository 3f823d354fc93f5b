// Reconnect and retry delays (protocol/backoff.ts): exponential, capped, with equal jitter.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, equalJitterMs } from '../../protocol/backoff.ts';

describe('backoffDelayMs', () => {
  it('doubles from the minimum up to the cap, before jitter (random 1 → the whole delay)', () => {
    const almostOne = () => 1 - Number.EPSILON;
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => Math.round(backoffDelayMs(attempt, 250, 4_000, almostOne)))).toEqual([
      250, 500, 1000, 2000, 4000, 4000, 4000,
    ]);
  });

  it('waits at least half the delay, so no client retries at once (random 0)', () => {
    expect(backoffDelayMs(0, 250, 4_000, () => 0)).toBe(125);
    expect(backoffDelayMs(9, 2_000, 30_000, () => 0)).toBe(15_000);
  });

  it('spreads clients that lost the server together over the upper half of the delay', () => {
    const delays = [0, 0.25, 0.5, 0.75].map((r) => backoffDelayMs(2, 250, 4_000, () => r));
    expect(delays).toEqual([500, 625, 750, 875]);
  });
});

describe('equalJitterMs', () => {
  it('is between half of the delay and all of it', () => {
    expect(equalJitterMs(500, () => 0)).toBe(250);
    expect(equalJitterMs(500, () => 0.5)).toBe(375);
  });
});
