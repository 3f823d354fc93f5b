// When WebRTC cannot connect, the game still plays: positions and inputs go
// over the stream, and the HUD says so. Here the server advertises an
// unreachable address for its ICE candidates (PUBLIC_IP in TEST-NET-1, as a
// wrong NAT setting would), so signaling succeeds but no UDP packet ever
// arrives — the case of a network that blocks UDP.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import type { ScriptedWorld } from '../scripted-world.ts';
import { entity, holdKey, openPage, placePlayer, startGame, waitForStatus } from './browser-harness.ts';

/** RFC 5737 documentation address: never routed. */
const UNREACHABLE_IP = '192.0.2.1';

let server: RunningServer;
let browser: Browser;
let world: ScriptedWorld;

beforeAll(async () => {
  ({ server, browser, world } = await startGame(['--public-ip', UNREACHABLE_IP]));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('when no datagram can get through', () => {
  it('falls back to the stream for positions, says so in the HUD, and still moves', async () => {
    const game = await openPage(browser, `${server.url}/?name=erin`);
    const { page, errors } = game;
    const status = await waitForStatus(game, (s) => s.channels.datagram.state === 'fallback', 'the fallback', 20_000);
    expect(await page.locator('#hud-note').innerText()).toMatch(/WebRTC could not connect.*stream/);
    expect(status.channels.stream.received).toBeGreaterThan(0);

    await placePlayer(world, game, { x: 300, y: 450 });
    await holdKey(game, 'ArrowRight', 800);
    const moved = await waitForStatus(game, (s) => entity(s, status.playerId)!.x > 400, 'the move, carried by the stream');
    expect(moved.channels.datagram.received).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
