// The load bench's capacity arithmetic: the marginal-cost line fitted over
// its steps, and which cores it pins its processes to.
import { describe, expect, it } from 'vitest';
import { marginalCost } from '../../bench/load/marginal-cost.ts';
import { onCores, planPinning } from '../../bench/common/pinning.ts';

describe('marginalCost', () => {
  it('recovers the slope and intercept of points on a line', () => {
    // 70 ms/s fixed (7 % of a core) plus 3.2 ms per client-second.
    const points = [25, 50, 100, 150].map((clients) => ({ clients, cpuMsPerS: 70 + 3.2 * clients }));
    const cost = marginalCost(points)!;
    expect(cost.marginalMsPerClientS).toBeCloseTo(3.2, 6);
    expect(cost.fixedPctOfCore).toBeCloseTo(7, 6);
    expect(cost.residualPctOfCore).toBe(0);
    // (600 − 70) / 3.2 = 165.6: 165 clients keep one core at 60 %.
    expect(cost.clientsPerCore).toBe(165);
  });

  it('says how far noisy points sit from the line', () => {
    const cost = marginalCost([
      { clients: 50, cpuMsPerS: 200 },
      { clients: 50, cpuMsPerS: 220 },
      { clients: 100, cpuMsPerS: 360 },
      { clients: 100, cpuMsPerS: 380 },
    ])!;
    expect(cost.marginalMsPerClientS).toBeCloseTo(3.2, 6);
    expect(cost.residualPctOfCore).toBe(1); // every point 10 ms/s off the line
  });

  it('has no slope to give from one client count, and no capacity from a flat or falling line', () => {
    expect(
      marginalCost([
        { clients: 50, cpuMsPerS: 200 },
        { clients: 50, cpuMsPerS: 210 },
      ]),
    ).toBeNull();
    const falling = marginalCost([
      { clients: 50, cpuMsPerS: 300 },
      { clients: 100, cpuMsPerS: 250 },
    ])!;
    expect(falling.clientsPerCore).toBeNull();
  });
});

describe('planPinning', () => {
  it('gives one server core 0 and the bots the rest', () => {
    expect(planPinning(2, 1, true)).toMatchObject({ servers: ['0'], bots: '1' });
    expect(planPinning(8, 1, true)).toMatchObject({ servers: ['0'], bots: '1-7' });
  });

  it('gives each server its own core when there are enough, and otherwise says why scaling cannot show', () => {
    expect(planPinning(4, 2, true)).toMatchObject({ servers: ['0', '1'], bots: '2-3' });
    const shared = planPinning(2, 2, true);
    expect(shared).toMatchObject({ servers: ['0', '0'], bots: '1' });
    expect(shared.note).toContain('cannot show scaling');
  });

  it('pins nothing without taskset or with one core, and says so', () => {
    for (const plan of [planPinning(2, 1, false), planPinning(1, 1, true)]) {
      expect(plan.servers).toEqual([null]);
      expect(plan.bots).toBeNull();
      expect(plan.note).toMatch(/^not pinned: /);
    }
  });

  it('wraps a command in taskset only when it has cores', () => {
    expect(onCores(null, 'node', ['a.ts'])).toEqual(['node', ['a.ts']]);
    expect(onCores('1-3', 'node', ['a.ts'])).toEqual(['taskset', ['-c', '1-3', 'node', 'a.ts']]);
  });
});
