// Real kernel delay D on loopback (tc netem, limited to this server's ports:
// scripts/kernel-delay.ts) makes every handshake slower by its round trips,
// and the timeline shows it where the page measures: the WebSocket's connect
// to open (TCP's SYN/SYN-ACK and the upgrade's request/101: ≥ 2 round trips),
// ICE's checks (≥ 1), DTLS (≥ 2) and SCTP (INIT and COOKIE: 2, of which the
// test asks 1: the step starts at DTLS's connected event, which can reach the
// script late). Each direction passes lo once, so a round trip gains 2D.
// Needs Linux, root, tc and a kernel with sch_netem (test/needs.ts): without
// them reported as not run, saying why; under CI=1 a run without root or tc
// fails, a kernel without netem (as on the machine this was written on) does not.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TimelineAttempt } from '../../protocol/connection-timeline.ts';
import type { RunningServer } from '../../game-server/server.ts';
import { launchChromium } from '../../scripts/chromium.ts';
import { kernelDelayMissing, withKernelDelay } from '../../scripts/kernel-delay.ts';
import { describeNeeding } from '../needs.ts';
import { openGame, startGameServer, waitForStatus } from './browser-harness.ts';

const DELAY_MS = 40;
const ROUND_TRIP_MS = 2 * DELAY_MS;
const RTC_PORTS = { min: 41000, max: 41003 };

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

  it('grows each handshake step by at least its round trips', async () => {
    const port = Number(new URL(server.url).port);
    await withKernelDelay({ tcpPort: port, udpPorts: RTC_PORTS, delayMs: DELAY_MS }, async () => {
      const game = await openGame(browser, server.url, 'delayed');
      const status = await waitForStatus(
        game,
        (s) => s.timeline.channels.datagram[0]?.steps.some((x) => x.id === 'sctp') === true,
        'the datagram steps',
        30_000,
      );
      const took = (attempt: TimelineAttempt | undefined, id: string) => attempt?.steps.find((s) => s.side === 'page' && s.id === id)?.durationMs ?? 0;
      const stream = status.timeline.channels.stream[0];
      const datagram = status.timeline.channels.datagram[0];
      expect(took(stream, 'ws-connect')).toBeGreaterThanOrEqual(2 * ROUND_TRIP_MS * 0.9);
      expect(took(datagram, 'ice-checks')).toBeGreaterThanOrEqual(ROUND_TRIP_MS * 0.9);
      expect(took(datagram, 'dtls')).toBeGreaterThanOrEqual(2 * ROUND_TRIP_MS * 0.9);
      expect(took(datagram, 'sctp')).toBeGreaterThanOrEqual(ROUND_TRIP_MS * 0.9);
      await game.page.context().close();
    });
  });
});
