// Rectangle arithmetic the layout checks need (test/e2e/layout.test.ts):
// kept with the tests, since the game itself never asks whether two
// rectangles overlap.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** True when the rectangles share any area (touching edges do not count). */
export function rectsOverlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}
