// `npm run screenshot`: plays a short scripted scene — a server, three
// headless bots, one browser player who moves and chats — and saves what the
// player sees to docs/screenshot.png (the picture in the README).
import { spawn } from 'node:child_process';
import { loadConfig } from '../game-server/config.ts';
import { startServer } from '../game-server/server.ts';
import { launchChromium } from './chromium.ts';

const OUTPUT = process.argv[2] ?? 'docs/screenshot.png';

const server = await startServer(loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'dist', '--npcs', '6'], {}));
const bots = spawn(process.execPath, ['--import', 'tsx', 'game-client/bot.ts', '--url', server.url, '--count', '3', '--duration', '30', '--chat-every', '10'], {
  stdio: 'ignore',
});
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${server.url}/?name=you`);
  await page.waitForFunction(() => window.netcode?.status().channels.datagram.state === 'open', null, { timeout: 20_000 });
  for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft']) {
    await page.keyboard.down(key);
    await page.waitForTimeout(600);
    await page.keyboard.up(key);
  }
  await page.keyboard.press('Enter');
  await page.locator('#chat-input').fill('gl hf <3');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(3000);
  await page.screenshot({ path: OUTPUT });
  const status = await page.evaluate(() => window.netcode.status());
  console.log(`saved ${OUTPUT}: ${status.entities.length} entities, ${status.fps} fps, datagram age p50 ${status.channels.datagram.ageP50Ms} ms`);
} finally {
  bots.kill();
  await browser.close();
  await server.close();
}
process.exit(0);
