// Update ages are measured on the page, against its estimate of the server's
// clock (ping/pong, Cristian's algorithm). That estimate wanders by a few
// milliseconds from one window to the next, as much as the differences the
// benchmark looks for at 10 % loss. Here the page and the server share one
// machine, so the true offset is known: each process's `performance` clock
// counts from its `timeOrigin`, a reading of the same system clock, and the
// server (in this process) counts from a moment of ours. The page is told to
// use that offset instead of its estimate.
//
// As a check, the offset is also measured the slow way: the server's clock
// read just before and just after a read of the page's clock over DevTools.
// That bracket is ± 0.5–8 ms here (the round trip through the browser), so
// it can only confirm the exact figure to within that.
import type { Page } from 'playwright-core';

/** Brackets taken for the check; the tightest wins. */
const CHECK_SAMPLES = 50;

export interface PinnedClock {
  /** Server clock minus page clock, from the two processes' time origins. */
  offsetMs: number;
  /** The bracket's offset minus `offsetMs`: within ± `checkWithinMs` when both agree. */
  checkDifferenceMs: number;
  /** Half the tightest bracket: the check's ± uncertainty. */
  checkWithinMs: number;
}

/** Pins the page's server-clock offset to the exact one, and checks it against a measured one. */
export async function pinPageClock(page: Page, serverClock: () => number): Promise<PinnedClock> {
  const pageOrigin = await page.evaluate(() => performance.timeOrigin);
  const serverOrigin = performance.timeOrigin + performance.now() - serverClock();
  const offsetMs = pageOrigin - serverOrigin;
  await page.evaluate((offset) => window.netcode.session.net.clock.pin(offset), offsetMs);
  const check = await bracketOffset(page, serverClock);
  return { offsetMs, checkDifferenceMs: check.offsetMs - offsetMs, checkWithinMs: check.halfWidthMs };
}

async function bracketOffset(page: Page, serverClock: () => number): Promise<{ offsetMs: number; halfWidthMs: number }> {
  let best = { offsetMs: 0, halfWidthMs: Infinity };
  for (let i = 0; i < CHECK_SAMPLES; i++) {
    const before = serverClock();
    const pageNow = await page.evaluate(() => performance.now());
    const after = serverClock();
    const halfWidthMs = (after - before) / 2;
    if (halfWidthMs < best.halfWidthMs) best = { offsetMs: (before + after) / 2 - pageNow, halfWidthMs };
  }
  return best;
}
