// `npm run screenshot`: plays short scripted scenes — a server, one browser
// player, then three headless bots too — and saves what the player sees:
//   docs/compare-alone.png  alone in compare mode under 20 % loss: the NPCs' stream ghosts trail them
//   docs/screenshot.png     the game with bots (moving, chatting)
//   docs/compare.png        compare mode under 20 % loss with bots: solid = datagrams, outline = stream
import { spawn } from 'node:child_process';
import type { Page } from 'playwright-core';
import { loadConfig } from '../game-server/config.ts';
import { startServer } from '../game-server/server.ts';
import { launchChromium } from './chromium.ts';
import { defineCommand, flagsOrExit } from '../game-server/cli/flags.ts';
import { buildClient } from './cli/build-client.ts';

flagsOrExit(
  defineCommand({
    name: 'npm run screenshot',
    about:
      'Builds the client, then plays short scripted scenes in headless Chromium and saves docs/screenshot.png, docs/compare.png and docs/compare-alone.png.',
    flags: {},
  }),
);
await buildClient();

/** Compare shot: wait until some ghost trails its solid by this much, so the stall is visible. */
const VISIBLE_GAP_PX = 40;

const server = await startServer(loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'dist', '--npcs', '6'], {}));
const browser = await launchChromium();
let bots: ReturnType<typeof spawn> | null = null;
try {
  await playScene('docs/compare-alone.png', '&loss=20&latency=40&jitter=10&path=compare', waitForVisibleGap);
  bots = spawn(
    process.execPath,
    ['--import', 'tsx', 'game-client/bot.ts', '--url', server.url, '--count', '3', '--duration', '60', '--chat-every', '10', '--json'],
    {
      stdio: 'ignore',
    },
  );
  await playScene('docs/screenshot.png', '', async (page) => {
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft']) {
      await page.keyboard.down(key);
      await page.waitForTimeout(600);
      await page.keyboard.up(key);
    }
    await page.keyboard.press('Enter');
    await page.locator('#chat-input').fill('gl hf <3');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(3000);
  });
  await playScene('docs/compare.png', '&loss=20&latency=40&jitter=10&path=compare', waitForVisibleGap);
} finally {
  bots?.kill();
  await browser.close();
  await server.close();
}
process.exit(0);

/** Waits for a moment when the stream is visibly stalled behind a lost segment. */
async function waitForVisibleGap(page: Page) {
  await page.waitForTimeout(6000);
  await page.waitForFunction(
    (gap) => {
      const status = window.netcode.status();
      return status.ghosts.some((g) => status.entities.some((e) => e.id === g.id && Math.hypot(e.x - g.x, e.y - g.y) > gap));
    },
    VISIBLE_GAP_PX,
    { timeout: 20_000, polling: 50 },
  );
}

async function playScene(output: string, query: string, play: (page: Page) => Promise<void>) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.url}/?name=you${query}`);
  await page.waitForFunction(() => window.netcode?.status().channels.datagram.state === 'open', null, { timeout: 20_000 });
  await play(page);
  await page.screenshot({ path: output });
  const status = await page.evaluate(() => window.netcode.status());
  const { datagram, stream } = status.channels;
  console.log(
    `saved ${output}: ${status.entities.length} entities, ${status.fps} fps; ` +
      `datagram loss ${datagram.lossPct} % age p95 ${datagram.ageP95Ms} ms; stream loss ${stream.lossPct} % age p95 ${stream.ageP95Ms} ms`,
  );
  await page.close();
}
