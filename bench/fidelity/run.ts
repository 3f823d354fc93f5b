// `npm run bench:fidelity`: is the stream model true? A server bound to
// 127.0.0.1, a real headless Chromium in compare mode and three bots moving
// around; then, window by window, either real kernel loss on the server's
// ports (nftables, input hook, both directions) or the page's own simulated
// loss at the same P with no real loss. Both channels are measured as the
// page sees them. Linux and root only (elsewhere it says why and exits).
//
//   npm run bench:fidelity [-- --loss 0,5,10,20 --reps 6 --seconds 30]   (0 %: the baseline, measured once)
//   npm run bench:fidelity -- --save-capture DIR   also tcpdump each real window (kept in DIR, tallied per connection)
//   npm run bench:fidelity -- --model-only   replays the recorded real windows (every
//                                            connection) through the model in seconds
//
// It says how long it will take, prints each window as it goes and then the
// side-by-side table: each mode's windows pooled, simulated ÷ real of the
// pooled p50 and p95, each with a 95 % interval from a bootstrap over windows
// ("in band" only if the whole interval is in 0.75–1.33); it writes
// docs/bench/fidelity.json (every window, with its ages) and
// docs/bench/fidelity.svg, and removes its nftables table whatever happens.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../game-server/config.ts';
import { startServer } from '../../game-server/server.ts';
import { launchChromium } from '../../scripts/chromium.ts';
import { applyKernelLoss, ensureNftables, kernelLossUnavailable } from '../../scripts/kernel-loss.ts';
import { replayThroughModel } from './model-replay.ts';
import { ObserverLink } from './observer-link.ts';
import { percentile } from '../../protocol/netsim/percentile.ts';
import { BOTS_FROM, captureSummary, OBSERVERS_FROM, type CaptureSummary } from './capture-summary.ts';
import { ensureTcpdump, startCapture } from './tcpdump.ts';
import { pinPageClock } from './pin-page-clock.ts';
import { allObserved, renderChart, summarize, summaryTable, windowAges, type Mode, type Run, type SummaryRow } from './report.ts';
import { defineCommand, flagsOrExit, UsageError } from '../../game-server/cli/flags.ts';
import { buildClient } from '../../scripts/cli/build-client.ts';
import { startProgress } from '../../scripts/cli/progress.ts';

const DEFAULT_REPORT_JSON = 'docs/bench/fidelity.json';
/** The server's WebRTC ports: the UDP range the kernel loss covers (below the ephemeral range, so no other socket gets them). */
const RTC_PORTS = { min: 29200, max: 29260 };
const BOTS = 3;
const round2 = (v: number) => Math.round(v * 100) / 100;
/** After loss starts or stops: let the stream's backlog drain, the clocks settle. */
const SETTLE_MS = 3_000;
const WARM_IN_MS = 1_000;
/** Per window, besides its seconds: pinning the page's clock (50 DevTools round trips), collecting the ages. */
const WINDOW_OVERHEAD_MS = 1_500;

/**
 * Stream observers beside the page (stream-observers.ts). A window's 20 %
 * p95 is set by its few longest stalls, so the interval there narrows with
 * the connections a window pools: twenty (21 with the page) cost no more
 * time than ten, and the 20 % intervals were ±0.15–0.22 with ten.
 */
const DEFAULT_OBSERVERS = 20;
/**
 * The page, the bots and the observers all sit in one room: 28 of its
 * DEFAULT_ROOM_CAPACITY (32) with 24 observers, each of the two observer
 * addresses (OBSERVERS_FROM) then holding 12 of the 16 seats one address may.
 */
const MAX_OBSERVERS = 24;

const FIDELITY_COMMAND = defineCommand({
  name: 'npm run bench:fidelity',
  about: 'Real kernel loss against the stream model, window by window, as a real Chromium page and headless observers see both (Linux and root only).',
  flags: {
    loss: { type: 'string', value: 'LIST', default: '0,5,10,20', help: 'loss percentages, comma-separated, 0 to 90 (0: the baseline, measured once)' },
    reps: { type: 'string', value: 'N', default: '12', help: 'repetitions of every loss, real and simulated interleaved' },
    seconds: { type: 'string', value: 'S', default: '20', help: 'length of one measured window (at least 2)' },
    observers: {
      type: 'string',
      value: 'N',
      default: String(DEFAULT_OBSERVERS),
      help: `headless clients measuring their own streams beside the page (0 to ${MAX_OBSERVERS}): more independent draws per window`,
    },
    out: {
      type: 'string',
      value: 'FILE',
      default: DEFAULT_REPORT_JSON,
      help: 'where the report goes (the SVG beside it): trial runs can keep the recorded one',
    },
    'save-capture': {
      type: 'string',
      value: 'DIR',
      defaultText: 'no capture',
      help: "tcpdump the server's TCP port in each real window, keep the text in DIR, and tally every connection's resends",
    },
    'model-only': { type: 'boolean', help: 'replay the recorded real windows (--out) through the model, in seconds, anywhere' },
  },
  notes: 'Builds the client first (not with --model-only); writes the report and its SVG.',
});
const args = flagsOrExit(FIDELITY_COMMAND, (values) => {
  const ok = values.loss.split(',').every((p) => Number.isInteger(Number(p)) && Number(p) >= 0 && Number(p) <= 90);
  const observers = Number(values.observers);
  if (!ok || !(Number(values.reps) >= 1) || !(Number(values.seconds) >= 2) || !(Number.isInteger(observers) && observers >= 0 && observers <= MAX_OBSERVERS)) {
    throw new UsageError(`--loss takes whole percentages 0 to 90, --reps at least 1, --seconds at least 2, --observers 0 to ${MAX_OBSERVERS}`);
  }
  return values;
});
const REPORT_JSON = args.out;
const REPORT_SVG = `${REPORT_JSON.replace(/\.json$/, '')}.svg`;
const losses = args.loss.split(',').map(Number);
const reps = Number(args.reps);
const observerCount = Number(args.observers);
const seconds = Number(args.seconds);

if (args['model-only']) {
  if (!existsSync(REPORT_JSON)) {
    console.error(`${REPORT_JSON} is missing: run the full benchmark once (Linux, root) to record real windows`);
    process.exit(1);
  }
  const recorded = JSON.parse(readFileSync(REPORT_JSON, 'utf8')) as { runs: Run[] };
  const real = recorded.runs.filter((r) => r.mode === 'real');
  const replayed = replayThroughModel(real);
  console.log('Model only: the recorded real windows against the stream model replayed at the same loss, each connection on its own 0 % baseline.\n');
  console.log(summaryTable(summarize([...real, ...replayed])));
  process.exit(0);
}

const unavailable = kernelLossUnavailable();
if (unavailable) {
  console.error(`bench:fidelity measures real Linux TCP under real kernel loss, and cannot here: ${unavailable}.`);
  console.error('`npm run bench:fidelity -- --model-only` replays the recorded measurements through the model anywhere.');
  process.exit(1);
}
ensureNftables();
const captureDir = args['save-capture'];
if (captureDir) {
  ensureTcpdump();
  mkdirSync(captureDir, { recursive: true });
}
await buildClient();
// Before the server and the bots: a machine without Chromium fails here, with nothing left running.
const browser = await launchChromium();

const server = await startServer(
  loadConfig(
    [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--static-dir',
      'dist',
      '--rtc-port-min',
      String(RTC_PORTS.min),
      '--rtc-port-max',
      String(RTC_PORTS.max),
      '--public-ip',
      '127.0.0.1',
    ],
    {},
  ),
).catch(async (error: unknown) => {
  await browser.close();
  throw error;
});
/** The 0 % baseline is no target: measured in the first repetition only. */
const lossesIn = (rep: number) => losses.filter((p) => p > 0 || rep === 1);
const windowCount = Array.from({ length: reps }, (_, i) => lossesIn(i + 1).length * 2).reduce((a, b) => a + b, 0);
const totalS = Math.ceil((windowCount * (seconds * 1000 + SETTLE_MS + WARM_IN_MS + WINDOW_OVERHEAD_MS)) / 1000) + 30;
console.log(
  `bench:fidelity: ${windowCount} windows of ${seconds} s, the page and ${observerCount} observer${observerCount === 1 ? '' : 's'} in each; ` +
    `about ${Math.ceil(totalS / 60)} min on a quiet machine`,
);
// The bots play until they are killed at the end; their own limit only bounds them if this process dies (a busy machine stretches the run).
const bots = spawn(
  process.execPath,
  ['--import', 'tsx', 'game-client/bot.ts', '--url', server.url, '--count', String(BOTS), '--duration', String(3 * totalS), '--from', BOTS_FROM, '--json'],
  {
    stdio: 'ignore',
  },
);
const runs: Run[] = [];
let observers: ObserverLink | null = null;
try {
  if (observerCount > 0) {
    const serverOrigin = performance.timeOrigin + performance.now() - server.clock();
    observers = await ObserverLink.start(server.url, observerCount, serverOrigin, OBSERVERS_FROM);
  }
  // A small page: headless Chromium draws WebGL in software, and at 1280×800
  // each frame holds the main thread long enough to add 50–200 ms to every
  // update's age (measured), which would bury what the network does. At
  // 640×400 the page adds about 10 ms.
  const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
  await page.goto(`${server.url}/?name=fidelity&path=compare`);
  await page.waitForFunction(() => window.netcode?.status().channels.datagram.state === 'open', null, { timeout: 30_000 });
  await page.waitForTimeout(SETTLE_MS);
  console.log(`server ${server.url}, ${BOTS} bots, Chromium in compare mode; ${losses.length} losses × ${reps} reps × 2 modes × ${seconds} s`);
  // Interleaved (real, then simulated, at each loss in turn), so a noisy moment on this shared machine hits both modes alike.
  const progress = startProgress({ total: windowCount, plannedStepMs: seconds * 1000 + SETTLE_MS + WARM_IN_MS });
  for (let rep = 1; rep <= reps; rep++) {
    for (const lossPct of lossesIn(rep)) {
      for (const mode of ['real', 'simulated'] as const) {
        progress.step(`rep ${rep} ${mode} ${lossPct} %`);
        const run = await measureWindow(page, mode, lossPct, rep);
        runs.push(run);
        if (run.capture) printCapture(run.capture);
        writeReport(null); // every window so far, in case the run dies before its end
        progress.log(
          `rep ${rep} ${mode.padEnd(9)} ${String(lossPct).padStart(2)} %: stream age p50 ${run.streamAgeP50Ms} / p95 ${run.streamAgeP95Ms} ms, ` +
            `late ${run.streamLate}; datagram loss ${run.datagramLossPct} %; stream reconnects ${run.streamReconnects}${run.survived ? '' : '  (a channel closed during the window)'}` +
            (run.observers?.length
              ? `; with ${run.observers.length} observers p95 ${Math.round(percentile(windowAges(run, true), 95))} ms, reconnects ${run.observers.map((o) => o.reconnects).join('/')}`
              : ''),
        );
      }
    }
  }
  progress.end();
  // Reported before anything is closed: a run that dies while closing keeps its results.
  await report();
} finally {
  // Clients first, each gone before the server closes, as players leave before a server stops.
  await observers?.close();
  if (bots.exitCode === null) {
    const botsExited = new Promise((resolve) => bots.once('exit', resolve));
    bots.kill();
    await botsExited;
  }
  await browser.close();
  await server.close();
}

process.exit(0);

function writeReport(summary: SummaryRow[] | null) {
  mkdirSync(dirname(REPORT_JSON), { recursive: true });
  const report = {
    generatedAt: new Date().toISOString(),
    seconds,
    reps,
    bots: BOTS,
    observers: observerCount,
    ...(summary ? { summary } : { partial: true }),
    runs,
  };
  writeFileSync(REPORT_JSON, `${JSON.stringify(report, null, 2)}\n`);
}

/** The tables, the JSON and the chart. */
async function report() {
  const summary = summarize(runs);
  console.log(`\n${summaryTable(summary)}\n`);
  console.log('Model only (the model replayed over the real windows just measured, every connection of each):\n');
  const real = runs.filter((r) => r.mode === 'real');
  console.log(summaryTable(summarize([...real, ...replayThroughModel(real)])));
  if (allObserved(runs)) {
    console.log('\nThe page alone (without the stream observers):\n');
    console.log(summaryTable(summarize(runs, true)));
  }
  writeReport(summary);
  writeFileSync(REPORT_SVG, await renderChart(summary));
  console.log(`\nwrote ${REPORT_JSON} and ${REPORT_SVG}`);
}

/** One window, captured with tcpdump when asked (real windows only: simulated loss is not on the wire). */
async function measureWindow(page: Page, mode: Mode, lossPct: number, rep: number): Promise<Run> {
  if (mode !== 'real' || !captureDir) return measureOneWindow(page, mode, lossPct, rep);
  const capture = await startCapture(server.port);
  let text = '';
  try {
    const run = await measureOneWindow(page, mode, lossPct, rep);
    text = await capture.stop();
    return { ...run, capture: captureSummary(text, server.port) };
  } finally {
    if (!text) text = await capture.stop();
    writeFileSync(`${captureDir}/loss-${lossPct}-rep-${rep}.txt`, text);
  }
}

/** One window: loss on (kernel or simulated), warm in, measure `seconds`, loss off, settle. */
async function measureOneWindow(page: Page, mode: Mode, lossPct: number, rep: number): Promise<Run> {
  const kernel = mode === 'real' ? applyKernelLoss({ tcpPort: server.port, udpPorts: RTC_PORTS, lossPct }) : null;
  try {
    if (mode === 'simulated') {
      await page.evaluate((loss) => window.netcode.session.update({ loss }), lossPct);
      observers?.setLoss(lossPct);
    }
    await page.waitForTimeout(WARM_IN_MS);
    const clock = await pinPageClock(page, server.clock);
    await page.evaluate(() => window.netcode.session.net.resetStats());
    observers?.reset();
    const attemptsBefore = await streamAttempts(page);
    await page.waitForTimeout(seconds * 1000);
    const s = await page.evaluate(() => window.netcode.status());
    const observed = (await observers?.collect()) ?? [];
    const streamReconnects = (await streamAttempts(page)) - attemptsBefore;
    const streamAges = await page.evaluate(() => window.netcode.session.net.ageSamples('stream').map((age) => Math.round(age * 10) / 10));
    const { datagram, stream } = s.channels;
    return {
      mode,
      lossPct,
      rep,
      seconds,
      datagramLossPct: datagram.lossPct,
      datagramAgeP50Ms: datagram.ageP50Ms,
      datagramAgeP95Ms: datagram.ageP95Ms,
      datagramLate: datagram.late,
      streamAgeP50Ms: stream.ageP50Ms,
      streamAgeP95Ms: stream.ageP95Ms,
      streamLate: stream.late,
      streamReceived: stream.received,
      streamRttMs: stream.rttMs,
      clockCheckMs: { difference: round2(clock.checkDifferenceMs), within: round2(clock.checkWithinMs) },
      survived: datagram.state === 'open' && stream.state === 'open',
      streamReconnects,
      streamAges,
      observers: observed,
    };
  } finally {
    kernel?.remove();
    if (mode === 'simulated') {
      await page.evaluate(() => window.netcode.session.update({ loss: 0 }));
      observers?.setLoss(0);
    }
    await page.waitForTimeout(SETTLE_MS);
  }
}

/** The number of the page's latest stream attempt (each reconnect is a new one). */
function streamAttempts(page: Page): Promise<number> {
  return page.evaluate(() => window.netcode.status().timeline.channels.stream.at(-1)?.n ?? 0);
}

function printCapture(capture: CaptureSummary) {
  for (const c of capture.connections) {
    const t = c.serverSent;
    console.log(
      `    ${c.role.padEnd(4)} ${c.client.padEnd(17)} ${c.opened ? 'opened ' : ''}${c.closed ? 'closed ' : ''}server segments ${t.segments}, sent ×n ${JSON.stringify(t.transmissions)}, ` +
        `waits ${JSON.stringify(t.waits)}, longest ${t.longestWaitMs} ms; client data segments ${c.clientSent.segments} (waits ${JSON.stringify(c.clientSent.waits)}), over ${c.spanS} s`,
    );
  }
}
