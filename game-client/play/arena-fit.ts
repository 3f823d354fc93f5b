// Where the arena goes on the game canvas: as large as fits, aspect kept,
// centred. Pure, so the scene and the page's layout report use the same
// numbers.

export interface ScreenRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ArenaFit extends ScreenRect {
  /** Screen pixels per world pixel. */
  zoom: number;
}

/** The largest arena rectangle with the world's aspect that fits `view` less `marginPx` on every side, centred. */
export function fitArena(view: { width: number; height: number }, world: { width: number; height: number }, marginPx: number): ArenaFit {
  const zoom = Math.max(0.01, Math.min((view.width - 2 * marginPx) / world.width, (view.height - 2 * marginPx) / world.height));
  const width = world.width * zoom;
  const height = world.height * zoom;
  return { zoom, width, height, x: (view.width - width) / 2, y: (view.height - height) / 2 };
}

/** A world point on the canvas, given the fit. */
export function worldToCanvas(fit: ArenaFit, x: number, y: number): { x: number; y: number } {
  return { x: fit.x + x * fit.zoom, y: fit.y + y * fit.zoom };
}
