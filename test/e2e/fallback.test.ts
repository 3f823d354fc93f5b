// When WebRTC cannot connect, the game still plays: positions and inputs go
// over the stream, and the HUD says so. Here the browser may send no UDP at
// all — `--webrtc-ip-handling-policy=disable_non_proxied_udp`, the policy a
// UDP-blocking network or a privacy setting imposes — so it gathers no ICE
// candidate and no check ever leaves it; signaling succeeds, ICE never
// connects, and the client's own open timeout drops it into the stream
// fallback. The server stays on 127.0.0.1 with its usual candidates, so
// nothing goes anywhere but loopback (an unreachable PUBLIC_IP would send the
// browser's checks off the machine, or onto the local network).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { launchChromium } from '../../scripts/chromium.ts';
import { ScriptedWorld } from '../scripted-world.ts';
import { entity, holdKey, openPage, placePlayer, startGameServer, waitForStatus } from './browser-harness.ts';

/** No UDP except through a proxy, and there is none: WebRTC gets no candidate pair. */
const NO_UDP = '--webrtc-ip-handling-policy=disable_non_proxied_udp';

let server: RunningServer;
let browser: Browser;
const world = new ScriptedWorld();

beforeAll(async () => {
  server = await startGameServer([], world);
  browser = await launchChromium({ extraArgs: [NO_UDP] });
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
    // Polled: on a starved machine (a load of 18) a stream pong can miss its
    // 2.5 s and the stream reconnect just then, and the HUD says that first.
    await expect.poll(() => page.locator('#hud-note').innerText(), { timeout: 20_000 }).toMatch(/WebRTC could not connect.*stream/);
    expect(status.channels.stream.received).toBeGreaterThan(0);

    await placePlayer(world, game, { x: 300, y: 450 });
    await holdKey(game, 'ArrowRight', 800);
    const moved = await waitForStatus(game, (s) => entity(s, status.playerId)!.x > 400, 'the move, carried by the stream');
    expect(moved.channels.datagram.received).toBe(0);

    // The timeline says why: signaling went through, ICE never connected, so no DTLS; then the fallback, then a retry.
    const retried = await waitForStatus(
      game,
      (s) => s.timeline.channels.datagram.some((a) => a.reason === 'retry'),
      'the datagram retry on the timeline',
      20_000,
    );
    const [first] = retried.timeline.channels.datagram;
    const ids = first!.steps.map((s) => s.id);
    expect(ids).toContain('signaling-offer');
    expect(ids).toContain('signaling-answer');
    expect(ids).not.toContain('dtls');
    expect(ids).not.toContain('sctp');
    expect(first!.outcome).toMatch(/^failed: no datagram arrived/);
    expect(retried.timeline.events.map((e) => e.kind)).toContain('fallback');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
