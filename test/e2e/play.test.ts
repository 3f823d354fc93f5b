// Two real players in real headless Chromium against a real server: they
// see each other, move, chat, score, and a reload resumes the same player.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { POSITION_PRECISION_PX } from '../quantization.ts';
import type { ScriptedWorld } from '../scripted-world.ts';
import {
  dropStream,
  entity,
  holdKey,
  openGame,
  openPage,
  placePlayer,
  startGame,
  waitForStatus,
  waitUntilStill,
  type GamePage,
  type Status,
} from './browser-harness.ts';

let server: RunningServer;
let browser: Browser;
let world: ScriptedWorld;
let alice: GamePage;
let bob: GamePage;

beforeAll(async () => {
  // 40 NPCs + 8 coins + 2 players: the 50 entities the client must draw smoothly.
  ({ server, browser, world } = await startGame(['--npcs', '40']));
  alice = await openGame(browser, server.url, 'alice');
  bob = await openGame(browser, server.url, 'bob');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Puts a player somewhere open, so a held key moves it freely. */
const place = (game: GamePage, x: number, y: number) => placePlayer(world, game, { x, y });

/**
 * Opens the chat box with Enter, enters `text`, sends it with Enter. The text
 * goes in as one edit: typing it key by key under software WebGL starves the
 * page's timers for seconds (heartbeats included), which no human typist does.
 */
async function say(game: GamePage, text: string) {
  await game.page.keyboard.press('Enter');
  await game.page.locator('#chat-input').fill(text);
  await game.page.keyboard.press('Enter');
}

describe('two players in the browser', () => {
  it('each sees the other, by name', async () => {
    const a = await alice.status();
    const b = await bob.status();
    await waitForStatus(alice, (s) => entity(s, b.playerId)?.name === 'bob', 'alice to see bob');
    await waitForStatus(bob, (s) => entity(s, a.playerId)?.name === 'alice', 'bob to see alice');
    expect(a.entities.filter((e) => e.kind === 'npc')).toHaveLength(40);
  });

  it('each sees the other move while keys are held (arrows and WASD)', async () => {
    const a = await alice.status();
    const b = await bob.status();
    await place(alice, 300, 300);
    await place(bob, 300, 600);
    // Each page must have drawn the other at its new spot before the move: a
    // starved page can still show the spawn point, which may lie past x = 450.
    const at = (id: number, x: number, y: number) => (s: Status) => {
      const e = entity(s, id);
      return e !== undefined && Math.hypot(e.x - x, e.y - y) < 1;
    };
    await waitForStatus(alice, at(b.playerId, 300, 600), 'alice to see bob placed');
    await waitForStatus(bob, at(a.playerId, 300, 300), 'bob to see alice placed');
    // The keys stay down until the other page has seen the move: a page
    // starved of CPU (8 fps beside another test run) runs fewer input ticks
    // in a fixed hold, and skips the ones it is too late for.
    await alice.page.keyboard.down('ArrowRight');
    await bob.page.keyboard.down('d');
    const [aliceSeenByBob, bobSeenByAlice] = await Promise.all([
      waitForStatus(bob, (s) => entity(s, a.playerId)!.x > 450, "bob to see alice's move"),
      waitForStatus(alice, (s) => entity(s, b.playerId)!.x > 450, "alice to see bob's move"),
    ]);
    await alice.page.keyboard.up('ArrowRight');
    await bob.page.keyboard.up('d');
    expect(entity(aliceSeenByBob, a.playerId)!.y).toBeCloseTo(300, 0);
    expect(entity(bobSeenByAlice, b.playerId)!.y).toBeCloseTo(600, 0);
  });

  it('predicts the own player without visible correction at 0 loss', async () => {
    // Teleports by the test (place) are real corrections: measure only after them.
    await place(alice, 300, 200);
    await waitUntilStill(alice);
    await alice.page.evaluate(() => window.netcode.session.resetPredictionStats());
    await holdKey(alice, 'ArrowDown', 700);
    await holdKey(alice, 'ArrowRight', 700);
    await alice.page.waitForTimeout(500);
    const status = await alice.status();
    // Reconciliation replays unacknowledged inputs: the result matches the
    // prediction up to the snapshot quantization (two 1/16 px roundings, ≤ 0.18 px).
    expect(status.prediction.maxCorrectionPx).toBeLessThanOrEqual(2 * Math.SQRT2 * POSITION_PRECISION_PX);
    expect(status.prediction.snaps).toBe(0);
    console.log(`fps with ${status.entities.length} entities: alice ${status.fps}, bob ${(await bob.status()).fps}`);
  });

  it('delivers a chat line to the other page', async () => {
    await say(alice, 'good luck, bob');
    await bob.page.locator('#chat-log li', { hasText: 'good luck, bob' }).waitFor({ timeout: 10_000 });
    expect(await bob.page.locator('#chat-log li', { hasText: 'good luck, bob' }).innerText()).toMatch(/^alice\s*good luck, bob$/);
  });

  it('shows a chat line containing HTML literally and runs nothing', async () => {
    const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
    await say(alice, payload);
    const line = bob.page.locator('#chat-log li', { hasText: '<img src=x' });
    await line.waitFor({ timeout: 10_000 });
    expect(await line.innerText()).toContain(payload);
    expect(await bob.page.locator('#chat-log img, #chat-log script').count()).toBe(0);
    expect(await bob.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await alice.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('shows a score in both scoreboards', async () => {
    const { playerId, score } = await alice.status();
    world.place(playerId, world.coins[0]!);
    // (Alice may also have walked over coins in the tests above: compare, don't assume 0.)
    for (const page of [alice, bob]) {
      const now = await waitForStatus(page, (s) => s.players.find((p) => p.id === playerId)!.score > score, 'the score');
      const expected = String(now.players.find((p) => p.id === playerId)!.score);
      const row = page.page.locator(`#scoreboard li[data-player-id="${playerId}"] .score`);
      await expect.poll(() => row.innerText(), { timeout: 5_000 }).toBe(expected);
    }
  });

  it('resumes the same player and score after a reload', async () => {
    const before = await alice.status();
    await alice.page.reload();
    const after = await waitForStatus(alice, (s) => s.channels.stream.state === 'open' && s.playerId > 0, 'the reloaded page to resume');
    // A page starved of CPU (beside another test run) can miss the data
    // channel's 5 s opening deadline; it then plays over the stream and
    // retries 2, 4, 8 s later. What this test needs is that it gets there.
    await waitForStatus(alice, (s) => s.channels.datagram.state === 'open', 'the data channel to open again', 45_000);
    expect(after.playerId).toBe(before.playerId);
    expect(after.score).toBe(before.score);
    expect(after.score).toBeGreaterThanOrEqual(1);
    // And it still plays: the held key moves the same player.
    // Held until bob sees it: a page starved of CPU samples fewer ticks of a
    // key held for a fixed time (18 fps beside three other jobs: not 60 px in 500 ms).
    await place(alice, 300, 300);
    await alice.page.keyboard.down('ArrowRight');
    try {
      await waitForStatus(bob, (s) => entity(s, before.playerId)!.x > 360, 'bob to see the resumed alice move');
    } finally {
      await alice.page.keyboard.up('ArrowRight');
    }
  }, 150_000); // its waits add up past the usual 90 s guard when the data channel needs its retries

  it('logs no errors on either page', () => {
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});

describe('a dropped stream', () => {
  it('shows "reconnecting", then goes on with the same player and score', async () => {
    const before = await bob.status();
    // Record every time the banner is shown: the reconnect may take only a moment.
    await bob.page.evaluate(() => {
      const banner = document.getElementById('banner')!;
      const seen: string[] = [];
      (window as unknown as { bannerSeen: string[] }).bannerSeen = seen;
      new MutationObserver(() => {
        if (!banner.hidden) seen.push(banner.textContent ?? '');
      }).observe(banner, { attributes: true, childList: true });
    });
    await dropStream(bob);
    // The socket closes asynchronously: first see the banner, then the stream back and the banner gone.
    const bannerSeen = () => bob.page.evaluate(() => (window as unknown as { bannerSeen: string[] }).bannerSeen);
    await expect.poll(async () => (await bannerSeen()).some((text) => /reconnecting/i.test(text)), { timeout: 10_000 }).toBe(true);
    const after = await waitForStatus(bob, (s) => s.channels.stream.state === 'open', 'the stream to come back');
    await expect.poll(() => bob.page.locator('#banner').isHidden(), { timeout: 5_000 }).toBe(true);
    expect(after.playerId).toBe(before.playerId);
    expect(after.score).toBe(before.score);
    expect(bob.errors).toEqual([]);
  });
});

describe('the join screen', () => {
  /** A page that shows the join screen (no ?name= or a bad one), in its own context. */
  const joinPage = (query = '') => openPage(browser, `${server.url}/${query}`);

  it('asks for a name when the link has none, then joins with it', async () => {
    const game = await joinPage();
    await game.page.locator('#join-name').fill('  frank  ');
    await game.page.locator('#join button[type="submit"]').click();
    await expect.poll(() => game.page.locator('#join').isHidden()).toBe(true);
    const status = await waitForStatus(game, (s) => s.playerId > 0 && s.channels.stream.state === 'open', 'frank to join');
    expect(status.name).toBe('frank');
    await game.page.context().close();
  });

  it('says what is wrong with a name of only spaces, or one too long, instead of doing nothing or cutting it', async () => {
    const game = await joinPage();
    await game.page.locator('#join-name').fill('    ');
    await game.page.locator('#join button[type="submit"]').click();
    await expect.poll(() => game.page.locator('#join-problem').innerText()).toMatch(/spaces alone/);
    await game.page.locator('#join-name').fill('a-name-far-too-long-for-this');
    expect(await game.page.locator('#join-name').inputValue()).toBe('a-name-far-too-long-for-this'); // not cut
    await game.page.locator('#join button[type="submit"]').click();
    await expect.poll(() => game.page.locator('#join-problem').innerText()).toMatch(/at most 16 characters; this one has 28/);
    expect(await game.page.locator('#join').isVisible()).toBe(true);
    await game.page.context().close();
  });

  for (const [what, name, reason] of [
    ['a 200-character', 'x'.repeat(200), /at most 16 characters/],
    ['a multi-line', 'two\nlines', /one line/],
  ] as const) {
    it(`brings ${what} ?name= back to the join screen with the reason, once, and joins with the name typed then`, async () => {
      const game = await joinPage(`?name=${encodeURIComponent(name)}&loss=0`);
      await expect.poll(() => game.page.locator('#join').isVisible()).toBe(true);
      expect(await game.page.locator('#join-problem').innerText()).toMatch(reason);
      // The refused name leaves the address bar, so a reload does not try it again; other settings stay.
      expect(new URL(game.page.url()).searchParams.has('name')).toBe(false);
      await game.page.locator('#join-name').fill('gina');
      await game.page.locator('#join button[type="submit"]').click();
      const status = await waitForStatus(game, (s) => s.playerId > 0 && s.channels.stream.state === 'open', 'gina to join');
      expect(status.name).toBe('gina');
      expect(await game.page.locator('#chat-log').innerText()).not.toMatch(/Server:/);
      expect(game.errors).toEqual([]);
      await game.page.context().close();
    });
  }

  it('resumes on reload without showing the join screen again', async () => {
    const game = await joinPage();
    await game.page.locator('#join-name').fill('hana');
    await game.page.locator('#join button[type="submit"]').click();
    const before = await waitForStatus(game, (s) => s.playerId > 0 && s.channels.datagram.state === 'open', 'hana to join');
    await game.page.reload();
    const after = await waitForStatus(game, (s) => s.playerId > 0 && s.channels.stream.state === 'open', 'the reloaded page to resume');
    expect(await game.page.locator('#join').isHidden()).toBe(true);
    expect(after.playerId).toBe(before.playerId);
    expect(after.name).toBe('hana');
    await game.page.context().close();
  });

  it('announces a player who leaves by name', async () => {
    const ivan = await openGame(browser, server.url, 'ivan');
    await expect.poll(() => alice.page.locator('#chat-log').innerText(), { timeout: 10_000 }).toMatch(/ivan joined/);
    await ivan.page.context().close();
    // The stream closed without a goodbye: the seat leaves after the link-dead grace period.
    await expect.poll(() => alice.page.locator('#chat-log').innerText(), { timeout: 15_000 }).toMatch(/ivan left/);
    expect(await alice.page.locator('#chat-log').innerText()).not.toMatch(/player \d+ left/);
  });
});
