// `npm run capture:compare`: records compare mode under 20 % simulated loss,
// as a player sees it in real headless Chromium, and writes it as an
// animated WebP for the README:
//   docs/compare.webp   solid = the datagram copy, outline = the stream's copy of the same entity
//
// The page's frames come from Chromium's own screencast (each with the time
// it was painted), so the animation plays at the speed the game ran; sharp
// joins them into one animated WebP. Remake it after changing what compare
// mode looks like.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { defineCommand, flagsOrExit, UsageError } from '../game-server/cli/flags.ts';
import { loadConfig } from '../game-server/config.ts';
import { startServer } from '../game-server/server.ts';
import { launchChromium } from './chromium.ts';
import { buildClient } from './cli/build-client.ts';

const { output, seconds, width } = flagsOrExit(
  defineCommand({
    name: 'npm run capture:compare',
    about: 'Builds the client, plays compare mode under 20 % simulated loss in headless Chromium and writes it as an animated WebP.',
    flags: {
      output: { type: 'string', value: 'FILE', default: 'docs/compare.webp', help: 'where the animation is written' },
      seconds: { type: 'string', value: 'S', default: '8', help: 'how long to record (1–30)' },
      width: { type: 'string', value: 'PX', default: '800', help: "the animation's width; the page plays at 1280×800 (320–1920)" },
    },
  }),
  (flags) => {
    const seconds = Number(flags.seconds);
    const width = Number(flags.width);
    if (!(seconds >= 1 && seconds <= 30)) throw new UsageError('--seconds must be 1 to 30');
    if (!Number.isInteger(width) || width < 320 || width > 1920) throw new UsageError('--width must be a whole number from 320 to 1920');
    return { output: flags.output, seconds, width };
  },
);
await buildClient('warn');

/** The window the game is played in: 16:10, like the screenshots. */
const VIEWPORT = { width: 1280, height: 800 };
/** Loss, latency and jitter the lesson is about: the stream's ghosts fall behind after a loss, the datagrams do not. */
const CONDITIONS = '&loss=20&latency=40&jitter=10&path=compare';
/** Let the clock settle and the stream's first stalls show before recording. */
const WARM_UP_MS = 4_000;
/** A player that moves reads better than one standing still: this walk loops through the recording. */
const WALK: { key: string; ms: number }[] = [
  { key: 'ArrowRight', ms: 900 },
  { key: 'ArrowDown', ms: 600 },
  { key: 'ArrowLeft', ms: 900 },
  { key: 'ArrowUp', ms: 600 },
];
/** Shortest frame delay browsers honour in animated images. */
const MIN_FRAME_DELAY_MS = 20;
const WAIT = { timeout: 20_000, polling: 100 };

interface Frame {
  jpeg: Buffer;
  /** When Chromium painted it, in seconds. */
  atS: number;
}

const server = await startServer(loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'dist', '--npcs', '6'], {}));
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(`${server.url}/?name=you${CONDITIONS}`);
  await page.waitForFunction(() => window.netcode?.status().channels.datagram.state === 'open', null, WAIT);
  await page.waitForTimeout(WARM_UP_MS);

  const frames: Frame[] = [];
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Page.screencastFrame', (frame) => {
    frames.push({ jpeg: Buffer.from(frame.data, 'base64'), atS: frame.metadata.timestamp ?? Date.now() / 1000 });
    void cdp.send('Page.screencastFrameAck', { sessionId: frame.sessionId }).catch(() => {});
  });
  await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 85, maxWidth: VIEWPORT.width, maxHeight: VIEWPORT.height });
  const endAt = Date.now() + seconds * 1000;
  for (let step = 0; Date.now() < endAt; step++) {
    const { key, ms } = WALK[step % WALK.length]!;
    await page.keyboard.down(key);
    await page.waitForTimeout(Math.min(ms, Math.max(0, endAt - Date.now())));
    await page.keyboard.up(key);
  }
  await cdp.send('Page.stopScreencast');

  const status = await page.evaluate(() => window.netcode.status());
  const { datagram, stream } = status.channels;
  console.log(
    `recorded ${frames.length} frames over ${seconds} s; datagram loss ${datagram.lossPct} % age p95 ${datagram.ageP95Ms} ms; ` +
      `stream loss ${stream.lossPct} % age p95 ${stream.ageP95Ms} ms`,
  );
  if (frames.length < 2) throw new Error('Chromium painted fewer than two frames');
  await writeAnimation(frames, output);
} finally {
  await browser.close();
  await server.close();
}
process.exit(0);

/** Joins the frames into one looping animated WebP, each shown until the next was painted. */
async function writeAnimation(frames: Frame[], output: string) {
  const resized = await Promise.all(frames.map((frame) => sharp(frame.jpeg).resize({ width }).toBuffer()));
  const delays = frames.map((frame, i) => {
    const next = frames[i + 1];
    const ms = next ? (next.atS - frame.atS) * 1000 : 1000 / 30;
    return Math.max(MIN_FRAME_DELAY_MS, Math.round(ms));
  });
  mkdirSync(dirname(output), { recursive: true });
  const info = await sharp(resized, { join: { animated: true } })
    .webp({ quality: 70, loop: 0, delay: delays, effort: 6 })
    .toFile(output);
  console.log(`wrote ${output}: ${info.width}×${info.height / frames.length}, ${frames.length} frames, ${Math.round(info.size / 1024)} KiB`);
}
