// Rooms in real headless Chromium against a real server: a link joins a
// room, a link with a room but no name asks the name and joins that room,
// the join screen lists the rooms and joins one with a click, "New room"
// opens a room of one's own, a reload stays in its room, and a full room
// sends the player back to the join screen with the reason, where quick
// play still gets them in. The main server runs in this process, rooms of
// two; the one-seat server runs as a process of its own, as it would in the
// world (and its restarts cannot touch this process's node-datachannel).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { startServerScript, type ScriptProcess, type ServerScript } from '../integration/script-process.ts';
import { openGame, openPage, startGame, waitForStatus, type GamePage, type Status } from './browser-harness.ts';

/** Small rooms, so two players fill one. */
const CAPACITY = 2;

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ({ server, browser } = await startGame(['--room-capacity', String(CAPACITY)]));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const joined = (s: Status) => s.playerId > 0 && s.room !== null && s.channels.stream.state === 'open';
const playerNames = (s: Status) => s.players.map((p) => p.name).sort();
const roomInAddressBar = (game: GamePage) => new URL(game.page.url()).searchParams.get('room');

describe('rooms in the browser', () => {
  let ann: GamePage;
  let bea: GamePage;
  let cy: GamePage;

  it('joins the room a link names, and shows it in the HUD and the address bar', async () => {
    ann = await openGame(browser, server.url, 'ann', { query: 'room=duel' });
    const status = await waitForStatus(ann, joined, 'ann to join');
    expect(status.room).toBe('duel');
    expect(status.roomCapacity).toBe(CAPACITY);
    await expect.poll(() => ann.page.locator('#hud-room-link').innerText()).toBe('duel');
    expect(await ann.page.locator('#hud-room-link').getAttribute('href')).toBe(`${server.url}/?room=duel`);
    expect(roomInAddressBar(ann)).toBe('duel');
  });

  it('copies the link to the room with the HUD button', async () => {
    await ann.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await ann.page.locator('#hud-share').click();
    await expect.poll(() => ann.page.evaluate(() => navigator.clipboard.readText())).toBe(`${server.url}/?room=duel`);
    await ann.page.locator('.toast', { hasText: 'copied' }).waitFor({ timeout: 5_000 });
  });

  it('lists the room with its one player and a ping on the join screen, and joins it with a click', async () => {
    bea = await openPage(browser, `${server.url}/`);
    const duel = bea.page.locator('#join-rooms button[data-room="duel"]');
    await expect.poll(() => duel.innerText(), { timeout: 10_000 }).toMatch(new RegExp(`^duel\\s*1 / ${CAPACITY}$`));
    expect(await duel.isEnabled()).toBe(true);
    expect(await bea.page.locator('#join-rooms-state').innerText()).toMatch(/^ping \d+ ms$/);
    await bea.page.locator('#join-name').fill('bea');
    await duel.click();
    const status = await waitForStatus(bea, (s) => joined(s) && s.players.length === 2, 'bea to join duel with ann in it');
    expect(status.room).toBe('duel');
    expect(playerNames(status)).toEqual(['ann', 'bea']);
    expect(playerNames(await waitForStatus(ann, (s) => s.players.length === 2, 'ann to see bea'))).toEqual(['ann', 'bea']);
    await expect.poll(() => ann.page.locator('#hud-room-players').innerText()).toBe(` · 2 / ${CAPACITY}`);
    expect(roomInAddressBar(bea)).toBe('duel');
  });

  it('says what is wrong with a typed room name, then opens a room of its own with "New room"', async () => {
    cy = await openPage(browser, `${server.url}/`);
    await cy.page.locator('#join-name').fill('cy');
    await cy.page.locator('#join-room-name').fill('no spaces here');
    await cy.page.locator('#join-room-go').click();
    await expect.poll(() => cy.page.locator('#join-problem').innerText()).toMatch(/A room name is 1 to 24 letters/);
    expect(await cy.page.locator('#join').isVisible()).toBe(true);

    await cy.page.locator('#join-new-room').click();
    const status = await waitForStatus(cy, (s) => joined(s) && s.entities.some((e) => e.id === s.playerId), 'cy to join a new room');
    expect(status.room!).toMatch(/^room-[a-z0-9]{4}$/);
    expect(playerNames(status)).toEqual(['cy']);
    expect(status.entities.filter((e) => e.kind === 'player').map((e) => e.id)).toEqual([status.playerId]);
    expect(roomInAddressBar(cy)).toBe(status.room!);
    // And duel did not gain a player.
    expect(playerNames(await ann.status())).toEqual(['ann', 'bea']);
  });

  it('comes back to the same room, as the same player, after a reload', async () => {
    for (const game of [bea, cy]) {
      const before = await game.status();
      await game.page.reload();
      const after = await waitForStatus(game, (s) => joined(s) && s.playerId === before.playerId, 'the reloaded page to resume');
      expect(after.room).toEqual(before.room);
      expect(await game.page.locator('#join').isHidden()).toBe(true);
      expect(roomInAddressBar(game)).toBe(before.room!);
    }
    expect(playerNames(await waitForStatus(ann, (s) => s.players.length === 2, 'duel to hold two players'))).toEqual(['ann', 'bea']);
  });

  it('sends a player whose link names a full room back to the join screen, saying so, and quick play still gets them in', async () => {
    const dan = await openPage(browser, `${server.url}/?name=dan&room=duel`);
    await expect.poll(() => dan.page.locator('#join-problem').innerText(), { timeout: 10_000 }).toBe('Room duel is full. Pick another room, or quick play.');
    const duel = dan.page.locator('#join-rooms button[data-room="duel"]');
    await expect.poll(() => duel.innerText(), { timeout: 10_000 }).toMatch(new RegExp(`^duel\\s*full · 2 / ${CAPACITY}$`));
    expect(await duel.isDisabled()).toBe(true);
    // Still on the join screen with the name kept, in no game; the refused link left the address bar.
    expect(await dan.page.locator('#join').isVisible()).toBe(true);
    expect(await dan.page.locator('#join-name').inputValue()).toBe('dan');
    expect(await dan.page.evaluate(() => typeof window.netcode)).toBe('undefined');
    expect(new URL(dan.page.url()).search).toBe('');

    // Quick play: the fullest room with a free seat is cy's (duel is full).
    await dan.page.locator('#join-play').click();
    const status = await waitForStatus(dan, (s) => joined(s) && s.players.length === 2, 'dan to join by quick play');
    const cyRoom = (await cy.status()).room;
    expect(status.room).toEqual(cyRoom);
    expect(playerNames(status)).toEqual(['cy', 'dan']);
    expect(dan.errors).toEqual([]);
    await dan.page.context().close();
  });

  it('asks the name when a room link has none, then joins that room', async () => {
    const eve = await openPage(browser, `${server.url}/?room=Pair`);
    const play = eve.page.locator('#join-play');
    // The link's room, lower-cased as the server will, is the main button; quick play stays offered.
    await expect.poll(() => play.innerText()).toBe('Join pair');
    expect(await eve.page.locator('#join-quick-play').isVisible()).toBe(true);
    await eve.page.locator('#join-name').fill('eve');
    await eve.page.locator('#join-name').press('Enter');
    const status = await waitForStatus(eve, joined, 'eve to join pair');
    expect(status.room).toBe('pair');
    expect(playerNames(status)).toEqual(['eve']);
    expect(roomInAddressBar(eve)).toBe('pair');
    // The Enter that joined did not leave the chat half open: the next Enter opens it.
    expect(await eve.page.locator('#chat-input').isHidden()).toBe(true);
    await eve.page.keyboard.press('Enter');
    await expect.poll(() => eve.page.locator('#chat-input').isVisible()).toBe(true);
    expect(eve.errors).toEqual([]);
    await eve.page.context().close();
  });

  it('logs no errors on any page', () => {
    expect(ann.errors).toEqual([]);
    expect(bea.errors).toEqual([]);
    expect(cy.errors).toEqual([]);
  });
});

/** A game server of its own (a child process) serving the built client on loopback; `flags` are more server flags. */
async function startServerProcess(flags: string[]): Promise<ServerScript> {
  return startServerScript(['--host', '127.0.0.1', '--port', '0', '--static-dir', 'dist', ...flags], 'the one-seat server');
}

describe('a server whose rooms seat one player', () => {
  let single: { process: ScriptProcess; url: string };

  beforeAll(async () => {
    single = await startServerProcess(['--room-capacity', '1']);
  });

  afterAll(() => single?.process.kill());

  let al: GamePage;
  let watcher: GamePage;

  it('refreshes the room list while the join screen is shown: a room opened meanwhile appears, full', async () => {
    watcher = await openPage(browser, `${single.url}/`);
    await expect.poll(() => watcher.page.locator('#join-rooms').innerText(), { timeout: 10_000 }).toMatch(/No rooms yet/);
    al = await openGame(browser, single.url, 'al', { query: 'room=solo' });
    expect((await al.status()).room).toBe('solo');
    const solo = watcher.page.locator('#join-rooms button[data-room="solo"]');
    await expect.poll(() => solo.innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/^solo\s*full · 1 \/ 1$/);
    expect(await solo.isDisabled()).toBe(true);
    expect(watcher.errors).toEqual([]);
    await watcher.page.context().close();
  });

  it('says a linked room is full, stays on the join screen, and its quick play opens a room of its own', async () => {
    const bo = await openPage(browser, `${single.url}/?name=bo&room=solo`);
    await expect.poll(() => bo.page.locator('#join-problem').innerText(), { timeout: 10_000 }).toBe('Room solo is full. Pick another room, or quick play.');
    expect(await bo.page.locator('#join').isVisible()).toBe(true);
    expect(await bo.page.evaluate(() => typeof window.netcode)).toBe('undefined');
    const quickPlay = bo.page.locator('#join-play');
    expect(await quickPlay.innerText()).toBe('Quick play');

    // Every room is full: quick play opens a new one, with bo alone in it.
    await quickPlay.click();
    const status = await waitForStatus(bo, joined, 'bo to join by quick play');
    expect(status.room).toMatch(/^arena-\d+$/);
    expect(playerNames(status)).toEqual(['bo']);
    expect(roomInAddressBar(bo)).toBe(status.room);
    expect(playerNames(await al.status())).toEqual(['al']);
    expect(bo.errors).toEqual([]);
    expect(al.errors).toEqual([]);
    await bo.page.context().close();
    await al.page.context().close();
  });
});
