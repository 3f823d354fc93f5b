// The connection timeline in real headless Chromium against a real server:
// its times are measurements, not decorations. On one clock (the page's
// pinned to the server's exactly: both run on this machine), the page's new
// WebSocket comes before the server's accept, the accept before the 101, the
// 101 before the page's open. Simulated latency set before a reconnect shows
// in hello → welcome and not in the server's accept and upgrade (the
// simulation acts above the socket). A spent datagram token shows its refusal.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineAttempt, TimelineStep } from '../../protocol/connection-timeline.ts';
import type { RunningServer } from '../../game-server/server.ts';
import { pinPageClock } from '../../bench/fidelity/pin-page-clock.ts';
import { dropStream, openGame, startGame, waitForStatus, type GamePage, type Status } from './browser-harness.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  ({ server, browser } = await startGame());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const step = (attempt: TimelineAttempt | undefined, side: 'page' | 'server', id: string): TimelineStep | undefined =>
  attempt?.steps.find((s) => s.side === side && s.id === id);

/** The newest stream attempt once it is open and the server's steps for it have arrived and been placed. */
async function streamAttempt(game: GamePage, n: number): Promise<TimelineAttempt> {
  const status = await waitForStatus(
    game,
    (s) => {
      const attempt = s.timeline.channels.stream.find((a) => a.n === n);
      return (
        attempt?.outcome.startsWith('open') === true &&
        step(attempt, 'server', 'upgrade-101') !== undefined &&
        step(attempt, 'page', 'hello-welcome') !== undefined
      );
    },
    `stream attempt #${n} open, with the server's steps`,
  );
  return status.timeline.channels.stream.find((a) => a.n === n)!;
}

/** Rounding of shown times (0.1 ms) and the page clock's own coarsening: the order holds to within this. */
const SAME_MOMENT_MS = 1;

describe('the connection timeline', () => {
  it('puts the page’s and the server’s stream steps in their true order on one pinned clock', async () => {
    const game = await openGame(browser, server.url, 'order');
    const pinned = await pinPageClock(game.page, server.clock);
    // The pin is checked against a bracket measured through DevTools: they agree to within its width.
    expect(Math.abs(pinned.checkDifferenceMs)).toBeLessThan(pinned.checkWithinMs + 5);
    const attempt = await streamAttempt(game, 1);
    const status = await game.status();
    expect(status.timeline.clock.pinned).toBe(true);
    const connect = step(attempt, 'page', 'ws-connect')!;
    const accept = step(attempt, 'server', 'tcp-accept')!;
    const upgrade = step(attempt, 'server', 'http-upgrade')!;
    expect(connect.quality).toBe('exact');
    expect(accept.quality).toBe('server-clock');
    // new WebSocket ≤ accept ≤ upgrade request parsed ≤ open. (The 101's own end is stamped once ws has also
    // set its socket up, after the write: a page on the same machine can open before that stamp.)
    expect(accept.startMs!).toBeGreaterThanOrEqual(connect.startMs! - SAME_MOMENT_MS);
    expect(upgrade.endMs!).toBeGreaterThanOrEqual(accept.startMs! - SAME_MOMENT_MS);
    expect(connect.endMs!).toBeGreaterThanOrEqual(upgrade.endMs! - SAME_MOMENT_MS);
    // The server read the hello inside the page's hello → welcome.
    const pageHello = step(attempt, 'page', 'hello-welcome')!;
    const serverHello = step(attempt, 'server', 'hello-welcome')!;
    expect(serverHello.startMs!).toBeGreaterThanOrEqual(pageHello.startMs! - SAME_MOMENT_MS);
    expect(pageHello.endMs!).toBeGreaterThanOrEqual(serverHello.startMs! - SAME_MOMENT_MS);
    // And answered inside it: each side's duration is on its own clock (no offset needed), and the server's
    // hello read → welcome sent cannot outlast the page's hello sent → welcome read (it did, by 14–65 ms,
    // when the server stamped after its write and the kernel then ran the page first: stream-gateway.ts).
    expect(serverHello.durationMs!).toBeLessThanOrEqual(pageHello.durationMs! + SAME_MOMENT_MS);
    // Every step says what it stands for and how it was measured.
    for (const s of attempt.steps) {
      expect(s.seedCall).not.toBe('');
      expect(s.source).not.toBe('');
    }
    expect(game.errors).toEqual([]);
    await game.page.context().close();
  });

  it('shows simulated latency in hello → welcome, never in the server’s accept and upgrade', async () => {
    // The most the panel allows: the latency must stand far above what a loaded machine adds to a round trip (0.6 s seen beside another suite).
    const LATENCY_MS = 1000;
    const game = await openGame(browser, server.url, 'latency');
    const before = await streamAttempt(game, 1);
    await game.page.evaluate((latency) => window.netcode.session.update({ latency }), LATENCY_MS);
    await dropStream(game);
    const after = await streamAttempt(game, 2);
    expect(after.reason).toBe('reconnect');
    const helloAfter = step(after, 'page', 'hello-welcome')!.durationMs!;
    const helloGrowth = helloAfter - step(before, 'page', 'hello-welcome')!.durationMs!;
    console.log(
      `hello → welcome took ${Math.round(helloAfter)} ms (grew by ${Math.round(helloGrowth)} ms) with ${LATENCY_MS} ms of simulated latency each way`,
    );
    // The hello waits L in our own simulated network, and the welcome L in the server's (a resumed session
    // keeps its conditions): at least 2L, and not 3L more than before. The lower bound is on the step itself,
    // not its growth: a first join on a loaded machine can be slow (beside another suite the growth read 1.28 s,
    // the first join having taken the rest), and load only lengthens a step.
    expect(helloAfter).toBeGreaterThan(1.5 * LATENCY_MS);
    expect(helloGrowth).toBeLessThan(2.8 * LATENCY_MS);
    // Below the simulation: the server's accept → 101 stays far below L, and so does the page's connect's growth.
    const upgradeMs = (a: TimelineAttempt) => step(a, 'server', 'upgrade-101')!.endMs! - step(a, 'server', 'tcp-accept')!.startMs!;
    // Were the simulation in them, each would take at least L more; a loaded machine adds time too (accept → 101
    // took 0.73 s once beside two other suites), so the bound is L itself: anything below it proves L is not there.
    expect(upgradeMs(after)).toBeLessThan(LATENCY_MS);
    expect(step(after, 'page', 'ws-connect')!.durationMs!).toBeLessThan(step(before, 'page', 'ws-connect')!.durationMs! + LATENCY_MS);
    // The change and the reconnect are marked across the lanes, in order.
    const kinds = (await game.status()).timeline.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['conditions', 'reconnect', 'resume']));
    expect(kinds.indexOf('conditions')).toBeLessThan(kinds.indexOf('reconnect'));
    expect(game.errors).toEqual([]);
    await game.page.context().close();
  });

  it('measures the datagram channel’s setup step by step in the browser, and shows a spent token’s refusal', async () => {
    const game = await openGame(browser, server.url, 'token');
    const opened = await waitForStatus(
      game,
      (s) => datagramStep(s, 1, 'first-datagram-in') !== undefined && datagramStep(s, 1, 'sctp') !== undefined,
      'the data channel’s steps',
    );
    const first = opened.timeline.channels.datagram[0]!;
    // What only a browser shows: ICE, DTLS and SCTP apart, each exact on the page's clock, in order.
    const dtls = step(first, 'page', 'dtls')!;
    const sctp = step(first, 'page', 'sctp')!;
    const ice = step(first, 'page', 'ice-checks')!;
    expect([ice.quality, sctp.quality]).toEqual(['exact', 'exact']);
    expect(dtls.quality === 'exact' || dtls.quality === 'approximate').toBe(true);
    expect(dtls.startMs!).toBeGreaterThanOrEqual(ice.startMs!);
    expect(sctp.startMs!).toBeGreaterThanOrEqual(dtls.endMs! - SAME_MOMENT_MS);
    const offer = step(first, 'page', 'signaling-offer')!;
    expect(offer).toMatchObject({ quality: 'exact', detail: expect.stringContaining('HTTP 200') });
    expect(offer.endMs!).toBeLessThanOrEqual(ice.startMs! + SAME_MOMENT_MS);

    // Open the data channel again with the token the open one used: single-use, so spent.
    await game.page.evaluate(() => {
      type Insides = { datagram: { open(token: string): void; link: { current: { channel: { connectionsManager: { authorization: string } } } } } };
      const datagram = (window.netcode.session.net as unknown as Insides).datagram;
      datagram.open(datagram.link.current.channel.connectionsManager.authorization);
    });
    const refused = await waitForStatus(
      game,
      (s) => s.timeline.channels.datagram.length >= 2 && s.timeline.channels.datagram[1]!.outcome !== 'pending',
      'the spent token’s attempt to end',
    );
    const attempt = refused.timeline.channels.datagram[1]!;
    expect(attempt.outcome).toMatch(/refused|401/);
    expect(step(attempt, 'page', 'signaling-offer')!.detail).toContain('401');
    expect(step(attempt, 'page', 'dtls')).toBeUndefined();
    // The server records its token-refused step too, but a refused token names no player to send it to:
    // the page's side (the offer's 401, from Resource Timing) is what shows here.
    await game.page.context().close();
  });
});

function datagramStep(status: Status, n: number, id: string): TimelineStep | undefined {
  return step(
    status.timeline.channels.datagram.find((a) => a.n === n),
    'page',
    id,
  );
}
