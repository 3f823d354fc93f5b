// Update ages are measured on the page, against its estimate of the server's
// clock (ping/pong, Cristian's algorithm). That estimate wanders by a few
// milliseconds from one window to the next, as much as the differences the
// benchmark looks for at 10 % loss. Here the page and the server share one
// machine, and the server runs in this process: its clock can be read
// around a read of the page's clock, directly over the DevTools connection,
// with no network in between. The tightest of many such brackets gives the
// true offset within a fraction of a millisecond, and the page is told to
// use it instead of its estimate.
import type { Page } from 'playwright-core';

/** Brackets taken; the tightest wins. */
const SAMPLES = 40;

/** Measures server clock minus page clock and pins it on the page; returns the offset and its uncertainty (half the tightest bracket). */
export async function pinPageClock(page: Page, serverClock: () => number): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < SAMPLES; i++) {
    const before = serverClock();
    const pageNow = await page.evaluate(() => performance.now());
    const after = serverClock();
    const uncertaintyMs = (after - before) / 2;
    if (uncertaintyMs < best.uncertaintyMs) best = { offsetMs: (before + after) / 2 - pageNow, uncertaintyMs };
  }
  await page.evaluate((offsetMs) => window.netcode.session.net.clock.pin(offsetMs), best.offsetMs);
  return best;
}
