// The simulated network in the browser, set through the network panel:
// datagrams vs the stream under loss, and what prediction hides.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import type { ScriptedWorld } from '../scripted-world.ts';
import { openGame, openNetworkPanel, openPage, placePlayer, startGame, waitForStatus, waitUntilStill, type GamePage, type Status } from './browser-harness.ts';

let server: RunningServer;
let browser: Browser;
let world: ScriptedWorld;
let carol: GamePage;

beforeAll(async () => {
  ({ server, browser, world } = await startGame());
  carol = await openGame(browser, server.url, 'carol');
  await openNetworkPanel(carol);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Types a value into one of the panel's number fields, as a player would, and commits it with Enter. */
async function setNumber(game: GamePage, setting: string, value: number) {
  const input = game.page.locator(`[data-setting="${setting}"] input`);
  await input.fill(String(value));
  await input.press('Enter');
}

async function setPath(game: GamePage, path: 'datagram' | 'stream' | 'compare') {
  await game.page.locator('[data-setting="path"] select').selectOption(path);
}

async function setFlag(game: GamePage, setting: string, on: boolean) {
  await game.page.locator(`[data-setting="${setting}"] input[type="checkbox"]`).setChecked(on);
}

const describeChannels = (s: Status) =>
  (['datagram', 'stream'] as const)
    .map((c) => `${c}: loss ${s.channels[c].lossPct} %, age p50 ${s.channels[c].ageP50Ms} / p95 ${s.channels[c].ageP95Ms} ms, rtt ${s.channels[c].rttMs} ms`)
    .join('; ');

describe('compare mode', () => {
  it('at 0 % loss: both channels deliver every update', async () => {
    // First, before any loss: a stream backlog from a lossy phase takes seconds to drain.
    await setPath(carol, 'compare');
    await carol.page.locator('[data-setting="preset"] select').selectOption('LAN');
    await waitForStatus(carol, (s) => s.settings.latency === 1 && s.path === 'compare', 'the LAN preset in compare mode');
    // Counted, not timed (a starved page handles fewer per second): 180 updates, 6 s at 30 Hz.
    const status = await waitForStatus(
      carol,
      (s) => s.channels.datagram.received >= 180 && s.channels.stream.received >= 180,
      "six seconds' worth of updates on both channels",
      45_000,
    );
    console.log(`0 % loss, 180 updates: ${describeChannels(status)}`);
    const { datagram, stream } = status.channels;
    expect(datagram.lossPct).toBe(0);
    expect(stream.lossPct).toBe(0);
    // How close their ages are is printed above, not asserted: it is a timing figure, and on a
    // loaded machine Chromium hands WebSocket messages to a busy page later than data-channel
    // ones (see the fidelity benchmark). The test below asserts the effect of loss, which is
    // an order of magnitude larger.
  });

  it('under 20 % loss: datagrams lose about 20 %, the stream loses nothing but its updates arrive older', async () => {
    await setNumber(carol, 'loss', 20);
    await waitForStatus(carol, (s) => s.settings.loss === 20 && s.path === 'compare', 'the panel settings');
    // Counted, not timed: a page starved of CPU (beside another test run)
    // handles fewer updates in 10 s than the 300 sent. 300 datagram updates
    // put 20 % loss within 10–30 % with room to spare (σ ≈ 2.3 points).
    const status = await waitForStatus(
      carol,
      (s) => s.channels.datagram.received + s.channels.datagram.lost >= 300 && s.channels.stream.received >= 240,
      "ten seconds' worth of updates on both channels",
      60_000,
    );
    console.log(`20 % loss, 300 updates: ${describeChannels(status)}`);
    const { datagram, stream } = status.channels;
    expect(datagram.lossPct).toBeGreaterThan(10);
    expect(datagram.lossPct).toBeLessThan(30);
    expect(stream.lossPct).toBe(0);
    expect(stream.ageP95Ms).toBeGreaterThan(datagram.ageP95Ms);
    // Head-of-line blocking: a lost segment costs an RTO (≥ 200 ms) and stalls everything behind it.
    expect(stream.ageP95Ms).toBeGreaterThan(200);
  });

  it('shows the legend only in compare mode', async () => {
    await expect.poll(() => carol.page.locator('#legend').isVisible()).toBe(true);
    await setPath(carol, 'datagram');
    await expect.poll(() => carol.page.locator('#legend').isVisible()).toBe(false);
  });
});

describe('prediction', () => {
  /** Milliseconds from pressing a key to the own player moving on screen. */
  async function inputToMotionMs(game: GamePage): Promise<number> {
    const { playerId } = await game.status();
    await placePlayer(world, game, { x: 400, y: 450 });
    // Then still: the previous measurement's inputs can reach the server
    // after the placement (100 ms of latency, and a starved page sends in
    // bursts), and moved the player 9 ms after this key once, beside another
    // test run.
    await waitUntilStill(game);
    // The page starts watching before the key goes down (awaited: a starved
    // page could otherwise run the watcher after the key press, miss the
    // keydown and wait forever), and gives up after 20 s with a message.
    await game.page.evaluate((id) => {
      // Keys go to the game, not to the panel control just changed (the panel keeps its keys to itself).
      (document.activeElement as HTMLElement | null)?.blur();
      const startX = window.netcode.status().entities.find((e) => e.id === id)!.x;
      let pressedAt: number | null = null;
      window.addEventListener('keydown', () => (pressedAt ??= performance.now()), { once: true });
      const giveUpAt = performance.now() + 20_000;
      (window as unknown as { inputToMotion: Promise<number> }).inputToMotion = new Promise<number>((resolve, reject) => {
        const poll = () => {
          const me = window.netcode.status().entities.find((e) => e.id === id);
          if (pressedAt !== null && me && Math.abs(me.x - startX) > 1) resolve(performance.now() - pressedAt);
          else if (performance.now() > giveUpAt) reject(new Error(`no motion 20 s after the key (keydown seen: ${pressedAt !== null})`));
          else requestAnimationFrame(poll);
        };
        poll();
      });
    }, playerId);
    await game.page.keyboard.down('ArrowRight');
    const ms = await game.page.evaluate(() => (window as unknown as { inputToMotion: Promise<number> }).inputToMotion);
    await game.page.keyboard.up('ArrowRight');
    return ms;
  }

  it('hides the round trip; switched off, the own player lags by about the RTT', async () => {
    await setNumber(carol, 'latency', 100);
    await waitForStatus(carol, (s) => s.settings.latency === 100, 'the latency');
    await waitForStatus(carol, (s) => s.channels.datagram.rttMs >= 180, 'the round trip to grow');
    const withPrediction = await inputToMotionMs(carol);
    await setFlag(carol, 'prediction', false);
    await waitForStatus(carol, (s) => !s.settings.prediction, 'prediction off');
    const withoutPrediction = await inputToMotionMs(carol);
    const rtt = (await carol.status()).channels.datagram.rttMs;
    console.log(
      `latency 100 ms each way, RTT ${rtt} ms: input → motion ${withPrediction.toFixed(0)} ms with prediction, ${withoutPrediction.toFixed(0)} ms without`,
    );
    // Both figures include the page's own frame time, which a starved machine
    // stretches by hundreds of ms (alone: 20 and 250 ms; under a load of 17:
    // 346 ms with prediction). What prediction removes is the simulated
    // network's round trip (2 × 100 ms), so the claim is the difference, in
    // one run: most of that. Not the measured RTT, which on a starved machine
    // also holds the machine's own delays (312 ms under a load of 16).
    const simulatedRtt = 2 * 100;
    expect(withoutPrediction - withPrediction).toBeGreaterThan(simulatedRtt / 2);
    expect(withoutPrediction).toBeGreaterThan(simulatedRtt * 0.7);
    await setFlag(carol, 'prediction', true);
    await setNumber(carol, 'latency', 0);
  }, 150_000); // two measurements, each placing the player first: past the usual 90 s guard on a starved page
});

describe('settings in the URL', () => {
  it('takes ?loss=&latency=&jitter=&path= and shows them in the panel; N hides the panel', async () => {
    const dave = await openPage(browser, `${server.url}/?name=dave&loss=5&latency=30&jitter=4&path=stream`);
    const { page } = dave;
    const status = await waitForStatus(dave, (s) => s.channels.stream.state === 'open', 'dave to join');
    expect(status.settings).toMatchObject({ loss: 5, latency: 30, jitter: 4, duplicate: 0 });
    expect(status.path).toBe('stream');
    expect(await page.locator('[data-setting="loss"] input').inputValue()).toBe('5');
    expect(await page.locator('[data-setting="path"] select').inputValue()).toBe('stream');
    await expect.poll(() => page.locator('#network-panel .lil-root').isVisible()).toBe(true);
    await page.keyboard.press('n');
    await expect.poll(() => page.locator('#network-panel .lil-root').isVisible()).toBe(false);
    await page.context().close();
  });

  it('logged no errors', () => {
    expect(carol.errors).toEqual([]);
  });
});
