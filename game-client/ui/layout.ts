// Measures where everything ended up on the page, for status().layout: the
// arena's rectangle, every visible panel's rectangle and the own player on
// screen, in CSS pixels. The stylesheet places the panels around the arena's
// region; this is how tests (and anyone curious) check that none covers it.
import type { ScreenRect } from '../play/arena-fit.ts';
import { byId } from './dom.ts';

/** Everything that is drawn beside the arena. */
const OVERLAY_IDS = ['hud', 'banner', 'toasts', 'scoreboard', 'chat', 'network-panel', 'net-graph', 'legend', 'timeline-panel'] as const;

export interface PageLayout {
  arena: ScreenRect;
  overlays: (ScreenRect & { name: string })[];
  /** The own player's centre on screen (null before it is drawn). */
  self: { x: number; y: number } | null;
}

const rounded = (rect: ScreenRect): ScreenRect => ({
  x: Math.round(rect.x),
  y: Math.round(rect.y),
  width: Math.round(rect.width),
  height: Math.round(rect.height),
});

/**
 * `arenaOnCanvas` and `selfOnCanvas` are in the game canvas' own pixels;
 * they are moved by the canvas' position on the page.
 */
export function measureLayout(arenaOnCanvas: ScreenRect, selfOnCanvas: { x: number; y: number } | null): PageLayout {
  const canvas = byId('game').getBoundingClientRect();
  const overlays = [];
  for (const name of OVERLAY_IDS) {
    const element = byId(name);
    if (element.hidden) continue;
    const rect = element.getBoundingClientRect();
    if (rect.width > 0 && rect.height > 0) overlays.push({ name, ...rounded(rect) });
  }
  return {
    arena: rounded({ ...arenaOnCanvas, x: canvas.x + arenaOnCanvas.x, y: canvas.y + arenaOnCanvas.y }),
    overlays,
    self: selfOnCanvas && { x: Math.round(canvas.x + selfOnCanvas.x), y: Math.round(canvas.y + selfOnCanvas.y) },
  };
}
