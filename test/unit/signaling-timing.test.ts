// The Server-Timing entry on signaling answers (game-server/transport/geckos/signaling-timing.ts):
// the shape PerformanceResourceTiming.serverTiming parses, never a negative
// duration, and a description that cannot break out of its quotes.
import { describe, expect, it } from 'vitest';
import { serverTimingValue } from '../../game-server/transport/geckos/signaling-timing.ts';

describe('serverTimingValue', () => {
  it('writes name, duration in ms to a tenth, and a quoted description', () => {
    expect(serverTimingValue('offer', 2.4321, 'offer made')).toBe('offer;dur=2.4;desc="offer made"');
  });

  it('never writes a negative duration', () => {
    expect(serverTimingValue('answer', -3, 'answer applied')).toBe('answer;dur=0;desc="answer applied"');
  });

  it('drops quotes and backslashes from the description', () => {
    expect(serverTimingValue('close', 1, 'say "hi" \\ bye')).toBe('close;dur=1;desc="say hi  bye"');
  });
});
