// Fitting the arena into whatever space the page layout leaves it.
import { describe, expect, it } from 'vitest';
import { fitArena, worldToCanvas } from '../../game-client/play/arena-fit.ts';
import { rectsOverlap } from '../rects.ts';

const world = { width: 1600, height: 900 };

describe('fitArena', () => {
  it('fills the width of a wide-enough view and centres vertically', () => {
    const fit = fitArena({ width: 820, height: 600 }, world, 10);
    expect(fit.zoom).toBe(0.5);
    expect(fit).toMatchObject({ x: 10, width: 800, height: 450, y: 75 });
  });

  it('fills the height of a tall-enough view and centres horizontally', () => {
    const fit = fitArena({ width: 1000, height: 470 }, world, 10);
    expect(fit.zoom).toBe(0.5);
    expect(fit).toMatchObject({ y: 10, height: 450, width: 800, x: 100 });
  });

  it('keeps the world aspect ratio', () => {
    const fit = fitArena({ width: 777, height: 333 }, world, 4);
    expect(fit.width / fit.height).toBeCloseTo(1600 / 900, 6);
  });

  it('maps world corners onto the fitted rectangle', () => {
    const fit = fitArena({ width: 820, height: 600 }, world, 10);
    expect(worldToCanvas(fit, 0, 0)).toEqual({ x: fit.x, y: fit.y });
    expect(worldToCanvas(fit, 1600, 900)).toEqual({ x: fit.x + fit.width, y: fit.y + fit.height });
  });

  it('never returns a zero or negative zoom for a tiny view', () => {
    expect(fitArena({ width: 0, height: 0 }, world, 8).zoom).toBeGreaterThan(0);
  });
});

describe('rectsOverlap (test/rects.ts, what the layout test checks with)', () => {
  const a = { x: 0, y: 0, width: 10, height: 10 };
  it('sees an overlap', () => expect(rectsOverlap(a, { x: 5, y: 5, width: 10, height: 10 })).toBe(true));
  it('does not count touching edges', () => expect(rectsOverlap(a, { x: 10, y: 0, width: 5, height: 5 })).toBe(false));
  it('sees containment', () => expect(rectsOverlap(a, { x: 2, y: 2, width: 1, height: 1 })).toBe(true));
  it('sees separation', () => expect(rectsOverlap(a, { x: 0, y: 20, width: 10, height: 10 })).toBe(false));
});
