// `npm run screenshot:timeline`: the connection timeline panel (T) as a player
// sees it, on a fresh join and after the stream dropped and resumed:
//   docs/timeline-join.png       both lanes' first attempts, the server's rows beside the page's
//   docs/timeline-reconnect.png  the stream's second attempt (reason: reconnect), the marks
import type { Page } from 'playwright-core';
import { CLOSE_SIMULATED_DROP } from '../protocol/constants.ts';
import { loadConfig } from '../game-server/config.ts';
import { startServer } from '../game-server/server.ts';
import { launchChromium } from './chromium.ts';
import { defineCommand, flagsOrExit } from '../game-server/cli/flags.ts';

flagsOrExit(
  defineCommand({
    name: 'npm run screenshot:timeline',
    about:
      'Saves the connection timeline panel on a fresh join and after a reconnect: docs/timeline-join.png, docs/timeline-reconnect.png (needs a built client: npm run build).',
    flags: {},
  }),
);

/** Long enough for the server's steps to arrive and the clock to settle. */
const SETTLE_MS = 2_500;
const WAIT = { timeout: 20_000, polling: 100 };

const server = await startServer(loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'dist', '--npcs', '4'], {}));
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Remember the page's WebSocket, so the shot after a reconnect can drop it as a network fault would.
  await page.addInitScript(`window.WebSocket = class extends window.WebSocket {
    constructor(url, protocols) { super(url, protocols); window.newestWebSocket = this; } };`);
  await page.goto(`${server.url}/?name=you`);
  await page.waitForFunction(() => window.netcode?.status().channels.datagram.state === 'open', null, WAIT);
  await page.keyboard.press('t');
  await page.waitForTimeout(SETTLE_MS);
  await shoot(page, 'docs/timeline-join.png');
  await page.evaluate((code) => (window as unknown as { newestWebSocket: WebSocket }).newestWebSocket.close(code, 'simulated drop'), CLOSE_SIMULATED_DROP);
  await page.waitForFunction(
    () => window.netcode.status().timeline.channels.stream.length >= 2 && window.netcode.status().channels.stream.state === 'open',
    null,
    WAIT,
  );
  await page.waitForTimeout(SETTLE_MS);
  await shoot(page, 'docs/timeline-reconnect.png');
} finally {
  await browser.close();
  await server.close();
}
process.exit(0);

async function shoot(page: Page, path: string) {
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
}
