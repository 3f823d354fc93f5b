// Shared setup for browser tests: the built client served by a real game
// server, and pages in real headless Chromium that record every error.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../game-server/config.ts';
import { startServer, type RunningServer } from '../../game-server/server.ts';
import { launchChromium } from '../../scripts/chromium.ts';
import type { GameSession } from '../../game-client/game-session.ts';

export type Status = ReturnType<GameSession['status']>;

export async function startGame(flags: string[] = []): Promise<{ server: RunningServer; browser: Browser }> {
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const server = await startServer(loadConfig(['--port', '0', '--host', '127.0.0.1', '--static-dir', 'dist', ...flags], {}));
  const browser = await launchChromium();
  return { server, browser };
}

export interface GamePage {
  page: Page;
  /** Console errors and uncaught exceptions seen on this page so far. */
  errors: string[];
  status(): Promise<Status>;
}

/** Opens the game as `name` in a fresh browser context (its own sessionStorage) and waits until both channels are open. */
export async function openGame(browser: Browser, url: string, name: string): Promise<GamePage> {
  const context = await browser.newContext({ viewport: { width: 960, height: 540 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${url}/?name=${encodeURIComponent(name)}`);
  const game: GamePage = {
    page,
    errors,
    status: () => page.evaluate(() => window.netcode.status()),
  };
  await waitForStatus(game, (s) => s.channels.datagram.state === 'open' && s.channels.stream.state === 'open', 'both channels open');
  return game;
}

/** Polls window.netcode.status() until `check` passes. */
export async function waitForStatus(game: GamePage, check: (status: Status) => boolean, what: string, timeoutMs = 15_000): Promise<Status> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await game.status().catch(() => null);
    if (status && check(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(status)?.slice(0, 600)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
