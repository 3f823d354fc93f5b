// Progress of the long runs (scripts/cli/progress.ts) off a terminal: one line per step with an estimate.
import { describe, expect, it } from 'vitest';
import { duration, startProgress } from '../../scripts/cli/progress.ts';

/** A non-terminal stream that keeps what is written. */
function captured() {
  const lines: string[] = [];
  const out = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
  return { out, lines };
}

describe('startProgress', () => {
  it('prints one line per step: which of how many, the time so far, and the planned time left before any step finished', () => {
    const { out, lines } = captured();
    let now = 0;
    const progress = startProgress({ total: 4, plannedStepMs: 30_000, out, now: () => now });
    progress.step('rep 1 real 5 %');
    expect(lines).toEqual(['[1/4] rep 1 real 5 % · 0 s so far, about 2 min 00 s left\n']);
    now = 10_000;
    progress.end();
  });

  it('estimates from the mean of the steps that finished once there are some', () => {
    const { out, lines } = captured();
    let now = 0;
    const progress = startProgress({ total: 3, plannedStepMs: 1_000, out, now: () => now });
    progress.step('a');
    now = 60_000;
    progress.step('b');
    expect(lines[1]).toBe('[2/3] b · 1 min 00 s so far, about 2 min 00 s left\n');
    progress.end();
  });

  it('gives the time to a fixed end when the run has one', () => {
    const { out, lines } = captured();
    const progress = startProgress({ total: 10, leftMs: () => 90_000, out, now: () => 0 });
    progress.step('churning');
    expect(lines[0]).toBe('[1/10] churning · 0 s so far, about 1 min 30 s left\n');
    progress.end();
  });
});

describe('duration', () => {
  it('reads as seconds, minutes or hours', () => {
    expect([duration(42_000), duration(185_000), duration(3_720_000)]).toEqual(['42 s', '3 min 05 s', '1 h 02 min']);
  });
});
