// More stream connections under the same loss as the page, for
// bench:fidelity: K headless clients (the browser's own NetClient, as the bots
// run it) in compare mode, each with its clock pinned to the server's as the
// page's is, measuring their stream update ages window by window.
//
// Why: a window's stream p95 is set by its few longest stalls, so one
// connection's 30 s is a noisy sample of real TCP (20 % p95: 0.6–2.1 s across
// six windows). Kernel loss draws every packet independently, so each extra
// connection is another independent draw of the same process in the same
// window; its ages are pooled with the page's, window by window, and the
// bootstrap still resamples whole windows (everything a window measured moves
// together), so the interval keeps whatever the connections share (the
// machine's load, the server's event loop).
//
// Spawned by bench/fidelity/run.ts; one JSON line in, one out:
//   stdin  {"loss": P}     simulated loss P on every client's links (0: none)
//          {"reset": true} start measuring afresh
//          {"collect": true} → stdout {"clients": [{"ages": [...], "reconnects": n}]}
//   stdout {"ready": K} once every client is on both channels
//
//   node --import tsx bench/fidelity/stream-observers.ts --url URL --count K --server-origin MS [--from 127.0.0.3]
//   (--from: every client's source address, reconnects included; observer-link.ts runs one process per address)
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PERFECT_NETWORK } from '../../protocol/netsim/conditioner.ts';
import { NetClient } from '../../game-client/net/net-client.ts';
import { installNodePolyfills, shutdownNodeWebRtc } from '../../game-client/net/node-polyfills.ts';

/** How long the observers' data channels may take to open (a loaded machine included) before the bench gives up. */
const OPEN_TIMEOUT_MS = 30_000;
const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    count: { type: 'string', default: '4' },
    /** The server clock's zero as an epoch time (performance.timeOrigin + performance.now() − server clock, in the server's process). */
    'server-origin': { type: 'string' },
    from: { type: 'string', default: '127.0.0.3' },
  },
});
if (!args.url || args['server-origin'] === undefined) throw new Error('stream-observers: --url and --server-origin are required');
const count = Number(args.count);
const serverOrigin = Number(args['server-origin']);

installNodePolyfills({ sourceAddresses: [args.from] });
const clients = Array.from({ length: count }, (_, i) => new NetClient({ url: args.url!, name: `observer-${i + 1}` }, {}));
// One after another: ten sockets opening at once from one address, on a loaded machine, drew 429s from the server's upgrade gate.
for (const client of clients) await client.start();
for (const client of clients) client.setPath('compare');
// Bounded: an observer whose data channel never opens ends the process, and the bench says so.
const openBy = Date.now() + OPEN_TIMEOUT_MS;
while (clients.some((c) => c.datagramState !== 'open')) {
  if (Date.now() > openBy) throw new Error(`an observer's data channel did not open within ${OPEN_TIMEOUT_MS} ms`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
// Server clock minus ours: the two processes' time origins are readings of one system clock (pin-page-clock.ts).
const pin = () => {
  for (const c of clients) c.clock.pin(performance.timeOrigin - serverOrigin);
};
pin();
console.log(JSON.stringify({ ready: count }));

const attempts = (c: NetClient) => c.timeline().channels.stream.at(-1)?.n ?? 0;
let attemptsAtReset = clients.map(attempts);
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { loss?: number; reset?: boolean; collect?: boolean };
  if (command.loss !== undefined) for (const c of clients) c.setConditions({ ...PERFECT_NETWORK, lossPct: command.loss });
  if (command.reset) {
    pin(); // a reconnect starts a fresh estimate; the pin is the truth
    for (const c of clients) c.resetStats();
    attemptsAtReset = clients.map(attempts);
  }
  if (command.collect) {
    const round = (age: number) => Math.round(age * 10) / 10;
    console.log(
      JSON.stringify({ clients: clients.map((c, i) => ({ ages: c.ageSamples('stream').map(round), reconnects: attempts(c) - attemptsAtReset[i]! })) }),
    );
  }
}
for (const client of clients) client.close();
shutdownNodeWebRtc();
process.exit(0);
