// `npm run bench:tcp-stalls`: where real TCP's long stalls come from, from
// packets. A ws server and a ws client on loopback (one process, one clock)
// carry the stream's traffic shape — a binary message 30 times a second, a
// WebSocket ping every 500 ms — under real kernel loss on the server's port
// (nftables, both directions, the fidelity benchmark's own rules), while
// tcpdump records every segment as it is sent (on loopback it sees a packet
// before the input hook drops it, so it sees every transmission). Then:
//
// - from the capture, for each data segment the server sent: how many times
//   it went out, and how long each wait before a resend was (a fast repair,
//   a tail-loss probe, or a retransmission timeout and its backoffs);
// - from the client, each message's age (arrival − send, one clock);
// - the stream model replayed over the very same send times at the same loss,
//   with the same tallies, so the two distributions sit side by side;
// - from the capture again, each hold (send-holds.ts): a stretch in which no
//   new data left, its length, and whether the server's timeout or the
//   client's own write (its ACK) ended it.
//
//   npm run bench:tcp-stalls [-- --loss 5,10,20 --seconds 60 --reps 1 --client-writes-every 1000 --save-capture DIR]
//
// Linux and root only (nftables and tcpdump, both installed when missing).
// Writes docs/bench/tcp-stalls.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_SNAPSHOT_RATE_HZ, MIN_RTO_MS } from '../../protocol/constants.ts';
import { percentile } from '../../protocol/netsim/percentile.ts';
import { StreamModel, type SegmentHistory } from '../../protocol/netsim/stream-model.ts';
import { applyKernelLoss, ensureNftables, kernelLossUnavailable } from '../../scripts/kernel-loss.ts';
import { tallySegments } from './stall-tally.ts';
import { ensureTcpdump, startCapture } from './tcpdump.ts';
import { packetsByConnection, parseTcpdumpLine, segmentWaits, type WaitKind } from './tcp-capture.ts';
import { HOLD_MIN_MS, noHoldLengths, sendHolds, type HoldEnd } from './send-holds.ts';
import { defineCommand, flagsOrExit, UsageError } from '../../game-server/cli/flags.ts';

/** Loopback's own one-way delay, as the model is told it (the fidelity benchmark's replay uses the same). */
const LOOPBACK_ONE_WAY_MS = 0.05;

/** A stream snapshot frame in compare mode with a few players (bytes on the wire, about). */
const MESSAGE_BYTES = 160;
const PING_INTERVAL_MS = 500;
/** UDP ports nobody uses: the loss rules want a range, this benchmark has no datagrams. */
const NO_UDP = { min: 29990, max: 29990 };
const REPORT_JSON = 'docs/bench/tcp-stalls.json';

const TCP_STALLS_COMMAND = defineCommand({
  name: 'npm run bench:tcp-stalls',
  about: "Where real TCP's long stalls come from: the stream's traffic under real kernel loss, captured with tcpdump (Linux and root only).",
  flags: {
    loss: { type: 'string', value: 'LIST', default: '5,10,20', help: 'loss percentages, comma-separated, 1 to 50' },
    seconds: { type: 'string', value: 'S', default: '60', help: 'length of one window (at least 5)' },
    reps: { type: 'string', value: 'N', default: '1', help: 'repetitions of every loss' },
    'save-capture': {
      type: 'string',
      value: 'DIR',
      defaultText: 'not kept',
      help: "keep each window's capture (tcpdump's text, both directions) in DIR, to read by eye",
    },
    'client-writes-every': {
      type: 'string',
      value: 'MS',
      default: '0',
      help: "the client also writes a small message this often (0: never), as the game's page does (HEARTBEAT_INTERVAL_MS): each carries an ACK",
    },
  },
  notes: `Writes ${REPORT_JSON}.`,
});
const args = flagsOrExit(TCP_STALLS_COMMAND, (values) => {
  const ok = values.loss.split(',').every((p) => Number.isInteger(Number(p)) && Number(p) >= 1 && Number(p) <= 50);
  if (!ok || !(Number(values.seconds) >= 5) || !(Number(values.reps) >= 1)) {
    throw new UsageError('--loss takes whole percentages 1 to 50, --seconds at least 5, --reps at least 1');
  }
  return values;
});
const losses = args.loss.split(',').map(Number);
const seconds = Number(args.seconds);
const reps = Number(args.reps);
const unavailable = kernelLossUnavailable();
if (unavailable) {
  console.error(`bench:tcp-stalls captures real Linux TCP under real kernel loss, and cannot here: ${unavailable}.`);
  process.exit(1);
}
ensureNftables();
ensureTcpdump();

interface Tally {
  messages: number;
  ageP50Ms: number;
  ageP75Ms: number;
  ageP90Ms: number;
  ageP95Ms: number;
  ageP99Ms: number;
  maxAgeMs: number;
  /** Segments by how many times they went out (1 = never resent). */
  transmissions: Record<string, number>;
  /** Waits before a resend, by kind, and the longest. */
  waits: Record<WaitKind, number>;
  longestWaitMs: number;
  /** Resent segments by the kinds of their waits in order ("fast", "fast ~200 ~400" …): which rules repaired them. */
  patterns: Record<string, number>;
  /** Share of messages older than 100, 250, 500 and 1000 ms, %: the tail a percentile is read from. */
  agesOverPct: Record<string, number>;
  /** Real only: each stretch with no new data let out (send-holds.ts), its length by what ended it, ms. */
  holds?: Record<HoldEnd, number[]>;
}

const results: { lossPct: number; rep: number; real: Tally; model: Tally }[] = [];
console.log(`~${Math.ceil((losses.length * reps * (seconds + 3)) / 60)} min: ${losses.join(', ')} % loss × ${reps} × ${seconds} s`);
for (let rep = 1; rep <= reps; rep++) {
  for (const lossPct of losses) {
    const { real, model } = await measure(lossPct, rep);
    results.push({ lossPct, rep, real, model });
    const row = (name: string, t: Tally) =>
      `  ${name.padEnd(5)} age p50 ${t.ageP50Ms} / p75 ${t.ageP75Ms} / p90 ${t.ageP90Ms} / p95 ${t.ageP95Ms} / p99 ${t.ageP99Ms} / max ${t.maxAgeMs} ms; ` +
      `sent ×1..: ${JSON.stringify(t.transmissions)}; waits ${JSON.stringify(t.waits)}, longest ${t.longestWaitMs} ms\n` +
      `        repaired by: ${JSON.stringify(t.patterns)}\n        ages over 100 / 250 / 500 / 1000 ms: ${Object.values(t.agesOverPct).join(' / ')} %` +
      (t.holds ? `\n        holds (no new data let out), ms, by what ended them: ${JSON.stringify(t.holds)}` : '');
    console.log(`${lossPct} % (rep ${rep}), ${real.messages} messages\n${row('real', real)}\n${row('model', model)}`);
  }
}
mkdirSync('docs/bench', { recursive: true });
writeFileSync(REPORT_JSON, `${JSON.stringify({ generatedAt: new Date().toISOString(), seconds, messageBytes: MESSAGE_BYTES, results }, null, 2)}\n`);
console.log(`wrote ${REPORT_JSON}`);
process.exit(0);

/** One window at `lossPct`: the real connection under kernel loss and tcpdump, then the model over the same send times. */
async function measure(lossPct: number, rep: number): Promise<{ real: Tally; model: Tally }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const capture = await startCapture(port);
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const ages: number[] = [];
  client.on('message', (data: Buffer) => ages.push(performance.now() - data.readDoubleLE(0)));
  const serverSocket = await new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  await new Promise((resolve) => client.once('open', resolve));
  const clientWritesEveryMs = Number(args['client-writes-every']);
  const clientWrites = clientWritesEveryMs > 0 ? setInterval(() => client.send(Buffer.alloc(16)), clientWritesEveryMs) : null;
  const loss = applyKernelLoss({ tcpPort: port, udpPorts: NO_UDP, lossPct });
  const sendTimes: number[] = [];
  const intervalMs = 1000 / DEFAULT_SNAPSHOT_RATE_HZ;
  const startedAt = performance.now();
  await new Promise<void>((resolve) => {
    let next = startedAt;
    let lastPing = startedAt;
    const tick = () => {
      const now = performance.now();
      if (now - startedAt >= seconds * 1000) return resolve();
      const message = Buffer.alloc(MESSAGE_BYTES);
      message.writeDoubleLE(now, 0);
      serverSocket.send(message, { binary: true });
      sendTimes.push(now);
      if (now - lastPing >= PING_INTERVAL_MS) {
        serverSocket.ping();
        lastPing = now;
      }
      next += intervalMs;
      setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  });
  loss.remove();
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // what is still in recovery arrives
  const captured = await capture.stop();
  if (clientWrites) clearInterval(clientWrites);
  client.terminate();
  wss.close();
  http.close();

  if (args['save-capture']) {
    mkdirSync(args['save-capture'], { recursive: true });
    writeFileSync(`${args['save-capture']}/loss-${lossPct}-rep-${rep}.txt`, captured);
  }
  const segments = captured.split('\n').flatMap((line) => parseTcpdumpLine(line, port) ?? []);
  const real = tally(ages.slice(0, sendTimes.length), segmentWaits(segments));
  const holds = noHoldLengths();
  for (const packets of packetsByConnection(captured.split('\n'), port).values()) {
    for (const hold of sendHolds(packets, HOLD_MIN_MS)) holds[hold.endedBy].push(Math.round(hold.lengthMs));
  }
  real.holds = holds;

  const modelSegments: SegmentHistory[] = [];
  const model = new StreamModel(rep * 7919 + lossPct, { lossPct, latencyMs: LOOPBACK_ONE_WAY_MS, jitterMs: 0, duplicatePct: 0 }, MIN_RTO_MS, (segment) =>
    modelSegments.push(segment),
  );
  // The pair's client writes on its own only when asked to (rule 4: each write carries an ACK).
  model.receiverWriteIntervalMs = clientWritesEveryMs > 0 ? clientWritesEveryMs : Number.POSITIVE_INFINITY;
  const modelAges = model.deliveries(sendTimes).map((at, i) => at - sendTimes[i]!);
  return { real, model: tally(modelAges, modelSegments) };
}

function tally(ages: number[], segments: SegmentHistory[]): Tally {
  const round = (v: number) => Math.round(v * 10) / 10;
  const { transmissions, waits, longestWaitMs, patterns } = tallySegments(segments);
  return {
    messages: ages.length,
    ageP50Ms: round(percentile(ages, 50)),
    ageP75Ms: round(percentile(ages, 75)),
    ageP90Ms: round(percentile(ages, 90)),
    ageP95Ms: round(percentile(ages, 95)),
    ageP99Ms: round(percentile(ages, 99)),
    maxAgeMs: round(Math.max(...ages)),
    transmissions,
    waits,
    longestWaitMs,
    patterns,
    agesOverPct: Object.fromEntries([100, 250, 500, 1000].map((ms) => [ms, Math.round((10_000 * ages.filter((age) => age > ms).length) / ages.length) / 100])),
  };
}
