// Real kernel delay D on loopback (packets to and from this server's ports
// held D in a netfilter queue: scripts/kernel-delay.ts) makes every handshake
// slower by its round trips, and the timeline shows it where the page
// measures: the WebSocket's connect to open (TCP's SYN/SYN-ACK and the
// upgrade's request/101: ≥ 2 round trips), and the datagram channel's chain
// from ICE's "checking" to SCTP connected: ICE's checks (≥ 1), DTLS (≥ 2),
// SCTP (INIT and COOKIE: 2, of which the test asks 1, as its start is
// DTLS's connected event), ≥ 4 in all. The chain, not each step: the
// datagram handshake runs while the page boots the game, and beside another
// test run (load 10) a step's start event reached the script so late that
// ICE read 78 ms and, in another run, DTLS 313 ms, for 1 and 2 round trips
// of 200 ms, while the chain held (905–1140 ms for 800). Each direction
// passes lo's input once, so a round trip gains 2D. Each bound leaves
// EVENT_LAG_MS for the first event's delivery.
// Needs Linux, root, iptables, python3 and a kernel with NFQUEUE
// (test/needs.ts): without them reported as not run, saying why; under CI=1
// a run without root or the packages fails, a kernel without NFQUEUE does not.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TimelineAttempt } from '../../protocol/connection-timeline.ts';
import type { RunningServer } from '../../game-server/server.ts';
import { launchChromium } from '../../scripts/chromium.ts';
import { kernelDelayMissing, withKernelDelay } from '../../scripts/kernel-delay.ts';
import { describeNeeding } from '../needs.ts';
import { openGame, startGameServer, waitForStatus } from './browser-harness.ts';

const DELAY_MS = 100;
const ROUND_TRIP_MS = 2 * DELAY_MS;
const EVENT_LAG_MS = 50;
/** The least a step taking `roundTrips` round trips on the wire can show. */
const atLeast = (roundTrips: number) => roundTrips * ROUND_TRIP_MS - EVENT_LAG_MS;
/**
 * WebRTC ports of its own, below Linux's ephemeral range (so no other test's
 * socket is given one and delayed) and apart from kernel-loss.test.ts's
 * (20000–27999); chosen by process id, so two runs side by side do not
 * delay each other's packets.
 */
const RTC_SLOT_PORTS = 4;
const RTC_PORT_BASE = 12_000 + (process.pid % 500) * RTC_SLOT_PORTS;
const RTC_PORTS = { min: RTC_PORT_BASE, max: RTC_PORT_BASE + RTC_SLOT_PORTS - 1 };

let server: RunningServer;
let browser: Browser;

describeNeeding('the timeline under real kernel delay', kernelDelayMissing(), 'sudo npx vitest run test/e2e/timeline-kernel-delay.test.ts', () => {
  beforeAll(async () => {
    server = await startGameServer(['--rtc-port-min', String(RTC_PORTS.min), '--rtc-port-max', String(RTC_PORTS.max)]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('grows the WebSocket connect and the datagram handshake by at least their round trips', async () => {
    const port = Number(new URL(server.url).port);
    await withKernelDelay({ tcpPort: port, udpPorts: RTC_PORTS, delayMs: DELAY_MS }, async () => {
      const game = await openGame(browser, server.url, 'delayed');
      const status = await waitForStatus(
        game,
        (s) => s.timeline.channels.datagram[0]?.steps.some((x) => x.id === 'sctp') === true,
        'the datagram steps',
        30_000,
      );
      const step = (attempt: TimelineAttempt | undefined, id: string) => attempt?.steps.find((s) => s.side === 'page' && s.id === id);
      const took = (attempt: TimelineAttempt | undefined, id: string) => step(attempt, id)?.durationMs ?? 0;
      const stream = status.timeline.channels.stream[0];
      const datagram = status.timeline.channels.datagram[0];
      const handshake = (step(datagram, 'sctp')?.endMs ?? 0) - (step(datagram, 'ice-checks')?.startMs ?? Infinity);
      const measured = ['ws-connect', 'ice-checks', 'dtls', 'sctp'].map((id) => `${id} ${Math.round(took(id === 'ws-connect' ? stream : datagram, id))} ms`);
      console.log(`kernel delay ${DELAY_MS} ms each way: ${measured.join(', ')}; ICE checking → SCTP connected ${Math.round(handshake)} ms`);
      expect(took(stream, 'ws-connect')).toBeGreaterThanOrEqual(atLeast(2));
      expect(handshake).toBeGreaterThanOrEqual(atLeast(4));
      // Each step is there and took time; how much each took alone is the chain's to prove (see above).
      for (const id of ['ice-checks', 'dtls', 'sctp']) expect(took(datagram, id)).toBeGreaterThan(0);
      await game.page.context().close();
    });
  });
});
