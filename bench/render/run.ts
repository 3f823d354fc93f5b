// `npm run bench:render`: how the browser client copes with many entities.
// One headless Chromium page per scenario; prints frames per second and the
// time our scene update takes per frame (prediction, interpolation, sprite
// sync — rendering excluded). Headless Chromium draws WebGL in software
// (SwiftShader) on this machine's CPU, so its fps is a floor, not what a GPU
// gives; the update cost is the part that is ours.
import { loadConfig } from '../../game-server/config.ts';
import { startServer } from '../../game-server/server.ts';
import { launchChromium } from '../../scripts/chromium.ts';
import { COIN_COUNT } from '../../protocol/constants.ts';
import { defineCommand, flagsOrExit } from '../../game-server/cli/flags.ts';
import { buildClient } from '../../scripts/cli/build-client.ts';

flagsOrExit(
  defineCommand({
    name: 'npm run bench:render',
    about: 'Builds the client, then measures frames per second and our update cost per frame in headless Chromium at 50 and 200 entities.',
    flags: {},
  }),
);
await buildClient();

const ENTITY_COUNTS = [50, 200];
const SETTLE_MS = 3_000;
const MEASURE_MS = 5_000;

const rows = [];
const browser = await launchChromium();
for (const entities of ENTITY_COUNTS) {
  const npcs = entities - COIN_COUNT - 1; // one player: the page itself
  const server = await startServer(loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'dist', '--npcs', String(npcs)], {}));
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(`${server.url}/?name=bench`);
  await page.waitForFunction(() => window.netcode?.status().channels.datagram.state === 'open', null, { timeout: 20_000 });
  await page.waitForTimeout(SETTLE_MS);
  const samples: { fps: number; updateMs: number; drawn: number }[] = [];
  for (let t = 0; t < MEASURE_MS; t += 500) {
    await page.waitForTimeout(500);
    const status = await page.evaluate(() => window.netcode.status());
    samples.push({ fps: status.fps, updateMs: status.updateMs, drawn: status.entities.length });
  }
  const mean = (key: 'fps' | 'updateMs') => samples.reduce((n, s) => n + s[key], 0) / samples.length;
  rows.push({
    entities: samples.at(-1)!.drawn,
    'fps (software WebGL)': Math.round(mean('fps')),
    'update ms/frame': Math.round(mean('updateMs') * 100) / 100,
    'update share of a 60 fps frame': `${((mean('updateMs') / (1000 / 60)) * 100).toFixed(1)} %`,
  });
  await page.close();
  await server.close();
}
await browser.close();
console.table(rows);
process.exit(0);
