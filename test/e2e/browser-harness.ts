// Shared setup for browser tests: the built client served by a real game
// server with a scripted world, and pages in real headless Chromium that
// record every error.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../game-server/config.ts';
import type { Scenario } from '../../game-server/rooms/scenario.ts';
import { startServer, type RunningServer } from '../../game-server/server.ts';
import { CLOSE_SIMULATED_DROP } from '../../protocol/constants.ts';
import type { Vec2 } from '../../protocol/sim/sim.ts';
import { launchChromium } from '../../scripts/chromium.ts';
import { ScriptedWorld } from '../scripted-world.ts';

/** What window.netcode.status() returns in the page. */
export type Status = ReturnType<Window['netcode']['status']>;

export interface RunningGame {
  server: RunningServer;
  browser: Browser;
  /** The server's scenario: `placePlayer(world, page, at)` moves a player, `world.coins` are where coins lie. */
  world: ScriptedWorld;
}

/** A game server with a scripted world on loopback, port 0, and a headless Chromium. `flags` are server flags. */
export async function startGame(flags: string[] = []): Promise<RunningGame> {
  const world = new ScriptedWorld();
  const server = await startGameServer(flags, world);
  const browser = await launchChromium();
  return { server, browser, world };
}

/** Only the game server, serving the built client on loopback (port 0 unless `flags` name one). */
export async function startGameServer(flags: string[] = [], scenario?: Scenario): Promise<RunningServer> {
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  return startServer(loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'dist', ...flags], {}), { scenario });
}

export interface GamePage {
  page: Page;
  /** Console errors and uncaught exceptions seen on this page so far. */
  errors: string[];
  status(): Promise<Status>;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** More query parameters, e.g. `path=compare&loss=20`. */
  query?: string;
}

/** How long `openGame` waits for both channels at most. */
const BOTH_CHANNELS_OPEN_WITHIN_MS = 45_000;

/** Opens the game as `name` in a fresh browser context (its own sessionStorage) and waits until both channels are open. */
export async function openGame(browser: Browser, url: string, name: string, options: OpenOptions = {}): Promise<GamePage> {
  const game = await openPage(browser, `${url}/?name=${encodeURIComponent(name)}${options.query ? `&${options.query}` : ''}`, options);
  // Long enough for the client's own WebRTC retries: on a starved machine (another suite beside, load 11) a first
  // channel can open, hear nothing for HEARTBEAT_TIMEOUT_MS and fall back; the next tries come after backoff
  // (DATAGRAM_RETRY_MIN_MS, doubling), so a 15 s guard saw only one of them. Only a guard: it returns once both are open.
  await waitForStatus(
    game,
    (s) => s.channels.datagram.state === 'open' && s.channels.stream.state === 'open',
    'both channels open',
    BOTH_CHANNELS_OPEN_WITHIN_MS,
  );
  return game;
}

/**
 * geckos' client polls its signaling endpoints for a connection (extra ICE
 * candidates, for about 10 s) without knowing whether the server still has
 * it; after the server closed that channel (replaced by a newer one, or a
 * handshake abandoned on a starved machine) the answer is 404, which Chromium
 * logs as a failed resource. Harmless, and not the page's doing. The id in
 * the URL is the server's alias (connection-aliases.ts): base64url.
 */
function isLateSignalingPoll(text: string, url: string): boolean {
  return text.includes('status of 404') && /\/\.wrtc\/v2\/connections\/[A-Za-z0-9_-]+\//.test(url);
}

/** Opens `address` in a fresh browser context, recording console errors and uncaught exceptions; waits for nothing. */
export async function openPage(browser: Browser, address: string, options: OpenOptions = {}): Promise<GamePage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 960, height: 540 } });
  const page = await context.newPage();
  await page.addInitScript(rememberStreamSockets);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    if (isLateSignalingPoll(message.text(), url)) return;
    errors.push(url ? `${message.text()} (${url})` : message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(address);
  return { page, errors, status: () => page.evaluate(() => window.netcode.status()) };
}

/**
 * Runs in the page before its own scripts (a string: the page gets it as written): every WebSocket the page opens is
 * remembered as the newest, so a test can drop the game's stream as a
 * network fault would (dropStream). The game itself has no member for that.
 */
const rememberStreamSockets = `
  window.WebSocket = class extends window.WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      window.newestWebSocket = this;
    }
  };
`;

/** Closes the page's stream socket as a network fault would (code CLOSE_SIMULATED_DROP); the game reconnects and resumes. */
export async function dropStream(game: GamePage): Promise<void> {
  await game.page.evaluate((code) => {
    (window as unknown as { newestWebSocket?: WebSocket }).newestWebSocket?.close(code, 'simulated drop');
  }, CLOSE_SIMULATED_DROP);
}

/** Unfolds the network panel (it starts folded on small screens), as a player clicking its title would. */
export async function openNetworkPanel(game: GamePage): Promise<void> {
  const folded = game.page.locator('#network-panel .lil-root.lil-closed');
  if ((await folded.count()) > 0) await game.page.locator('#network-panel .lil-root > .lil-title').click();
  await folded.waitFor({ state: 'detached', timeout: 5_000 });
}

/** Polls window.netcode.status() until `check` passes. */
export async function waitForStatus(game: GamePage, check: (status: Status) => boolean, what: string, timeoutMs = 15_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await game.status().catch(() => null);
    if (status && check(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last status: ${describeStatus(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The parts of a status that say why a wait failed (connection, channels, frame rate), then the start of the rest. */
function describeStatus(status: Status | null): string {
  if (!status) return 'none (the page did not answer)';
  const { playerId, fps, connection, datagramNote, channels } = status;
  const channel = ({ state, received, lossPct, rttMs }: Status['channels']['stream']) => ({ state, received, lossPct, rttMs });
  const own = entity(status, playerId);
  const essentials = {
    playerId,
    own: own ? { x: own.x, y: own.y } : null,
    fps,
    connection,
    datagramNote,
    datagram: channel(channels.datagram),
    stream: channel(channels.stream),
  };
  return `${JSON.stringify(essentials)}; ${JSON.stringify(status).slice(0, 400)}`;
}

/** How long one placement may take to show on the page before it is made again. */
const PLACE_WAIT_MS = 5_000;
/** Placements tried before giving up (PLACE_WAIT_MS each). */
const PLACE_ATTEMPTS = 3;

/**
 * Puts the page's player at `at` through the scripted world, and waits until
 * the page shows it there. It first waits for the player to stand still:
 * inputs already on their way (a key released just before, or a starved page
 * sending in a burst) could reach the server with the placement or after it
 * and move the player on from the new spot (4 px per input at full speed), so
 * the page would never show it at `at`. That failed a quiet run of the suite
 * once. If it still happens (a server stalled longer than the wait), the
 * placement is made again, and the log says so.
 */
export async function placePlayer(world: ScriptedWorld, game: GamePage, at: Vec2): Promise<void> {
  const { playerId } = await game.status();
  const placed = (s: Status) => {
    const own = entity(s, playerId);
    return own !== undefined && Math.abs(own.x - at.x) < 1 && Math.abs(own.y - at.y) < 1;
  };
  await waitUntilStill(game);
  for (let attempt = 1; ; attempt++) {
    world.place(playerId, at);
    try {
      await waitForStatus(game, placed, `the placed position (${at.x}, ${at.y}), placement ${attempt} of ${PLACE_ATTEMPTS}`, PLACE_WAIT_MS);
      return;
    } catch (error) {
      if (attempt >= PLACE_ATTEMPTS) throw error;
      console.warn(`placing player ${playerId} again: ${(error as Error).message}`);
    }
  }
}

/** Polls in a row that must show the same spot: five (at least 0.5 s). */
const STILL_POLLS = 5;

/**
 * Waits until the page shows its player standing still: the same spot in
 * STILL_POLLS polls in a row. Inputs sent before (a key just released, a
 * starved page sending in bursts, latency on the way) are spent by then, so
 * what comes next starts from rest.
 */
export async function waitUntilStill(game: GamePage): Promise<void> {
  const { playerId } = await game.status();
  let last: Vec2 | undefined;
  let stillPolls = 0;
  await waitForStatus(
    game,
    (s) => {
      const own = entity(s, playerId);
      const still = own !== undefined && last !== undefined && Math.hypot(own.x - last.x, own.y - last.y) < 0.1;
      stillPolls = still ? stillPolls + 1 : 0;
      last = own;
      return stillPolls >= STILL_POLLS;
    },
    'the player to stand still',
  );
}

/** Holds `key` down for `ms` (the page must have focus on the game, not the chat box). */
export async function holdKey(game: GamePage, key: string, ms: number): Promise<void> {
  await game.page.keyboard.down(key);
  await game.page.waitForTimeout(ms);
  await game.page.keyboard.up(key);
}

export function entity(status: Status, id: number) {
  return status.entities.find((e) => e.id === id);
}
