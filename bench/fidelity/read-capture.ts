// Reads captures kept by `--save-capture` (bench:fidelity or bench:tcp-stalls)
// again: per connection, how the server's segments were resent and why; then,
// pooled over the page's and the observers' connections in every file, what
// followed a fast repair and a timeout's resend, and the holds (stretches with
// no new data let out) by what ended them: the stream model's measured rules
// come from these.
//
//   npx tsx bench/fidelity/read-capture.ts FILE... [--all]   (--all: every connection, also those that carried little)
//
// The server's port is where the first SYN went (or the one most lines have in common).
import { readFileSync } from 'node:fs';
import { BOTS_FROM, captureSummary } from './capture-summary.ts';
import { noRepairFollowups, repairFollowups, type RepairFollowups } from './repair-followups.ts';
import { packetsByConnection } from './tcp-capture.ts';
import { HOLD_MIN_MS, noHoldLengths, sendHolds } from './send-holds.ts';

const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('usage: npx tsx bench/fidelity/read-capture.ts FILE... [--all]');
  process.exit(2);
}
const all = process.argv.includes('--all');
const pooled = noRepairFollowups();
/** Holds (send-holds.ts) on the page's and observers' connections, by what ended them and how long they were. */
const HOLD_BINS_MS = [0, 250, 600, 1000, Infinity];
const holds = noHoldLengths();
let serverDataPackets = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const port = serverPort(text);
  console.log(`${file} (server port ${port})`);
  for (const c of captureSummary(text, port).connections) {
    if (!all && c.serverSent.segments < 100) continue;
    console.log(`  ${c.role} ${c.client} ${c.opened ? '(opened) ' : ''}${c.closed ? '(closed) ' : ''}over ${c.spanS} s`);
    console.log(
      `    server segments ${c.serverSent.segments}, sent ×n ${JSON.stringify(c.serverSent.transmissions)}, waits ${JSON.stringify(c.serverSent.waits)}, longest ${c.serverSent.longestWaitMs} ms`,
    );
    console.log(`    resends by wait and cause: ${JSON.stringify(c.serverResends)}`);
    console.log(`    client segments ${c.clientSent.segments}, waits ${JSON.stringify(c.clientSent.waits)}`);
  }
  for (const [client, packets] of packetsByConnection(text.split('\n'), port)) {
    if (client.startsWith(`${BOTS_FROM}.`) || packets.length < 200) continue;
    const f = repairFollowups(packets);
    for (const key of Object.keys(pooled) as (keyof RepairFollowups)[]) pooled[key] += f[key];
    serverDataPackets += packets.filter((p) => p.fromServer && p.length > 0).length;
    for (const hold of sendHolds(packets, HOLD_MIN_MS)) holds[hold.endedBy].push(hold.lengthMs);
  }
}
const lost = pooled.lostRepairFoundFast + pooled.lostRepairTimeout;
const timeouts = pooled.lostRepairTimeout + pooled.lostAckTimeout;
console.log(`\npage and observers, pooled: ${JSON.stringify(pooled)}`);
console.log(`  lost repairs found fast: ${pooled.lostRepairFoundFast} of ${lost} (${share(pooled.lostRepairFoundFast, lost)})`);
console.log(
  `  timeouts with nothing new before them: ${pooled.timeoutsWithNothingNewBefore} of ${timeouts} (${share(pooled.timeoutsWithNothingNewBefore, timeouts)})`,
);
console.log(
  `  timeouts after a lost ACK: ${pooled.lostAckTimeout} per ${pooled.fastRepairs} fast repairs (divide by p × (1 − p) for the share of lost ACKs that cost one)`,
);

console.log(
  `  after a timeout's resend (${pooled.timeoutResends}): resent again for a lost copy ${pooled.timeoutResendLost} (${share(pooled.timeoutResendLost, pooled.timeoutResends)}), ` +
    `for a lost ACK of data the receiver had ${pooled.timeoutResendAckLost} (${share(pooled.timeoutResendAckLost, pooled.timeoutResends)})`,
);
console.log(`  holds (no new data let out for over ${Math.round(HOLD_MIN_MS)} ms), per 1000 server data packets, by what ended them:`);
for (const [end, lengths] of Object.entries(holds)) {
  const bins = HOLD_BINS_MS.slice(0, -1).map((from, i) => {
    const to = HOLD_BINS_MS[i + 1]!;
    const count = lengths.filter((ms) => ms >= from && ms < to).length;
    return `${from}–${to === Infinity ? '' : to} ms ${((1000 * count) / Math.max(serverDataPackets, 1)).toFixed(2)}`;
  });
  console.log(`    ${end.padEnd(14)} ${lengths.length}: ${bins.join(', ')}`);
}

function share(part: number, whole: number): string {
  return whole === 0 ? '–' : `${Math.round((100 * part) / whole)} %`;
}

/** The server's port: where a connection's first SYN went, else the port in most lines (clients' ports differ per connection). */
function serverPort(text: string): number {
  const syn = / IP [\d.]+\.\d+ > [\d.]+\.(\d+): Flags \[S\],/.exec(text);
  if (syn) return Number(syn[1]);
  const counts = new Map<string, number>();
  for (const line of text.split('\n').slice(0, 2000)) {
    const m = / IP [\d.]+\.(\d+) > [\d.]+\.(\d+):/.exec(line);
    if (!m) continue;
    for (const port of [m[1]!, m[2]!]) counts.set(port, (counts.get(port) ?? 0) + 1);
  }
  return Number([...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0);
}
