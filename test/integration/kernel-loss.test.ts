// Real packet loss from the kernel (nftables on loopback), as the fidelity
// benchmark and the lab use it: the table is always removed, and real loss
// on a server's ports shows up as datagram loss at a real client. Needs Linux
// and root (test/needs.ts: without them, reported as not run; under CI=1
// without root, a failure). The ruleset itself is checked everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { applyKernelLoss, ensureNftables, kernelLossMissing, lossRuleset, nftTables, withKernelLoss } from '../../scripts/kernel-loss.ts';
import { describeNeeding } from '../needs.ts';
import { connectClient, shutDown, startTestServer, waitFor, type TestClient } from './harness.ts';

/**
 * A WebRTC port range of its own, below Linux's ephemeral range (32768–60999),
 * so no other test's socket is given one of these ports and caught by the
 * loss; and chosen by process id among 200 slots from 20000, so two test runs
 * on one machine (two clones side by side) do not drop each other's packets.
 */
const RTC_SLOT_PORTS = 40;
const RTC_PORT_BASE = 20_000 + (process.pid % 200) * RTC_SLOT_PORTS;
const RTC_PORTS = { min: RTC_PORT_BASE, max: RTC_PORT_BASE + RTC_SLOT_PORTS - 1 };
const LOSS_PCT = 30;
const MEASURE_MS = 4_000;

let server: RunningServer;
let client: TestClient | undefined;

describe('the kernel loss ruleset', () => {
  it('writes drops in the input hook, for the TCP port and the UDP range, both directions', () => {
    const rules = lossRuleset('t', { tcpPort: 8080, udpPorts: { min: 40000, max: 40010 }, lossPct: 20 });
    expect(rules).toContain('hook input');
    for (const match of ['tcp dport 8080', 'tcp sport 8080', 'udp dport 40000-40010', 'udp sport 40000-40010']) {
      expect(rules).toContain(`iif "lo" ${match} numgen random mod 100 < 20 drop`);
    }
    expect(() => lossRuleset('t', { tcpPort: 1, udpPorts: { min: 1, max: 2 }, lossPct: 101 })).toThrow(/0–100/);
  });
});

describeNeeding('kernel loss (nftables)', kernelLossMissing(), 'sudo npx vitest run test/integration/kernel-loss.test.ts', () => {
  beforeAll(async () => {
    // Installs nftables if needed (root + apt-get), or fails saying why.
    ensureNftables();
    server = await startTestServer(['--rtc-port-min', String(RTC_PORTS.min), '--rtc-port-max', String(RTC_PORTS.max), '--public-ip', '127.0.0.1']);
  });

  afterAll(() => shutDown(server, client));

  it('removes its table after a run that fails', async () => {
    let table = '';
    const failing = withKernelLoss({ tcpPort: server.port, udpPorts: RTC_PORTS, lossPct: 5 }, async (loss) => {
      table = loss.table;
      expect(nftTables()).toContain(table);
      throw new Error('the run failed');
    });
    await expect(failing).rejects.toThrow('the run failed');
    expect(table).not.toBe('');
    expect(nftTables()).not.toContain(table);
  });

  it(`shows ${LOSS_PCT} % real loss as datagram loss at a real client, while the stream loses nothing`, async () => {
    client = await connectClient(server.url, 'lossy');
    const loss = applyKernelLoss({ tcpPort: server.port, udpPorts: RTC_PORTS, lossPct: LOSS_PCT });
    try {
      client.net.resetStats();
      await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
      const datagram = client.net.channelStatus('datagram');
      const stream = client.net.channelStatus('stream');
      console.log(
        `real ${LOSS_PCT} % loss, ${MEASURE_MS / 1000} s: datagram loss ${datagram.lossPct} % of ${datagram.received + datagram.lost}; stream loss ${stream.lossPct} %`,
      );
      // ~120 snapshots: the share lost is within ±15 points of 30 far beyond chance.
      expect(datagram.received + datagram.lost).toBeGreaterThan(60);
      expect(datagram.lossPct).toBeGreaterThan(LOSS_PCT - 15);
      expect(datagram.lossPct).toBeLessThan(LOSS_PCT + 15);
      expect(stream.lossPct).toBe(0);
    } finally {
      loss.remove();
    }
    expect(nftTables()).not.toContain(loss.table);
    await waitFor(() => client!.net.datagramState === 'open', 'the channel to be open still');
  });
});
