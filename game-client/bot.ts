// Headless clients for Node: the same game-client/net/ code as the browser,
// over both real channels (ws + geckos with node-datachannel). Each bot
// chases coins and now and then chats; at the end it prints what it measured.
// On a terminal it also shows progress on stderr (connected count, then a line
// every PROGRESS_INTERVAL_MS); with --json it prints only the final object,
// for the tools that parse it.
//
//   npm run bots -- --url http://127.0.0.1:8080 --count 20 --duration 20 --json
//
// Rooms: without a room flag every bot plays quick play (the server seats it
// in the fullest room with space). `--rooms K` spreads the bots over K rooms,
// bot i in room `bots-${i % K + 1}`; `--room NAME` puts them all in NAME (to
// watch them from a browser at ?room=NAME).
//
// For the load bench (bench/load/run.ts), which runs several bot processes
// from one address and measures in windows of its choosing:
//   --join-rate R --join-burst B  this process's share of the server's
//       per-address join limit (JOIN_REFILL_PER_S, JOIN_BURST by default);
//   --report-on-stdin  (implies --json) prints a `{"report":"connected"}` line
//       once the bots are connected, then for each line read on stdin a
//       `{"report":"window"}` line with what was measured since the line
//       before; stdin closing ends the run early, with the final object.
//
// This file is the run itself: connect, play, report. One bot is
// bots/headless-bot.ts, the flags are bots/bot-options.ts, and what is
// measured is bots/bot-measurements.ts.
import { createInterface } from 'node:readline';
import { DEFAULT_TICK_RATE_HZ } from '../protocol/constants.ts';
import { timelineTable } from './bots/timeline-table.ts';
import { BOTS_USAGE, BotUsageError, parseBotOptions, type BotOptions } from './bots/bot-options.ts';
import { BotMeasurements, type BotSummary } from './bots/bot-measurements.ts';
import { HeadlessBot } from './bots/headless-bot.ts';
import { startInputLoop } from './net/input-loop.ts';
import { installNodePolyfills, shutdownNodeWebRtc } from './net/node-polyfills.ts';

/** A progress line this often: often enough to see a run is alive, rare enough to read. */
const PROGRESS_INTERVAL_MS = 5_000;
/** Spacing of the connects within the join burst. */
const BURST_CONNECT_SPACING_MS = 25;

const options = parseOrExit(process.argv.slice(2));
const { count, quiet } = options;

installNodePolyfills({ sourceAddresses: options.sourceAddresses });

const bots = Array.from(
  { length: count },
  (_, i) =>
    new HeadlessBot({
      url: options.url,
      name: `bot-${i + 1}`,
      room: options.roomFor(i),
      // Called only once the bots connect, after `measurements` exists.
      onUpdateAge: (ageMs) => measurements.recordAge(ageMs),
    }),
);
const measurements = new BotMeasurements(bots);

progress(`connecting ${count} bot${count === 1 ? '' : 's'} to ${options.url}`);
const stopConnectingProgress = quiet
  ? () => {}
  : every(PROGRESS_INTERVAL_MS, () => progress(`${elapsed()} connecting, ${measurements.connected}/${count} connected`));
await Promise.all(bots.map((bot, i) => connect(bot, connectDelayMs(i))));
stopConnectingProgress();
const failed = count - measurements.connected;
progress(
  `${measurements.connected}/${count} bots connected in ${seconds(performance.now() - measurements.startedAtMs)} s` +
    (failed > 0 ? ` (${failed} failed; reasons in the summary)` : '') +
    `; running for ${options.durationS} s`,
);
measurements.startPlaying();
const stopProgress = quiet
  ? () => {}
  : every(PROGRESS_INTERVAL_MS, () => progress(`${elapsed()} ${measurements.progressLine(PROGRESS_INTERVAL_MS / 1000)}`));
if (options.reportOnStdin) {
  console.log(
    JSON.stringify({
      report: 'connected',
      clients: count,
      connected: measurements.connected,
      connectMs: bots.flatMap((b) => (b.connectMs === null ? [] : [Math.round(b.connectMs)])),
      errors: measurements.connectErrors,
    }),
  );
}

// One input loop drives every bot at the server's tick rate, the browser's
// loop: timers fire early or late, the input count must not drift.
const tickRateHz = bots.find((b) => b.client.config)?.client.config?.tickRateHz ?? DEFAULT_TICK_RATE_HZ;
const stopInputs = startInputLoop(tickRateHz, () => {
  for (const bot of bots) bot.sendInput();
});
const chatTimer = setInterval(() => {
  for (const bot of bots) if (Math.random() < 1 / options.chatEveryS) bot.chat();
}, 1000);

await runFor(options.durationS * 1000);
stopInputs();
clearInterval(chatTimer);
stopProgress();

const summary = measurements.summary();
const timeline = options.timeline && bots[0] ? timelineTable(bots[0].client.timeline()) : null;
for (const bot of bots) bot.close();
await shutdownNodeWebRtc();
if (quiet) console.log(JSON.stringify(summary));
else printTable(summary);
if (timeline) console.log(`\n${timeline}`);
process.exit(summary.connected === count ? 0 : 1);

/**
 * The options; or the help text (exit 0); or, for a flag it cannot run with
 * (a bad value, or one node:util's parser does not know), one line saying
 * what is wrong (exit 2). Anything else is a bug, and is thrown as such.
 */
function parseOrExit(argv: string[]): BotOptions {
  if (argv.includes('--help')) {
    console.log(BOTS_USAGE);
    process.exit(0);
  }
  try {
    return parseBotOptions(argv);
  } catch (error) {
    const usageError = error instanceof BotUsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (!usageError) throw error;
    console.error(`${(error as Error).message} (npm run bots -- --help lists the flags)`);
    process.exit(2);
  }
}

/**
 * When bot i starts connecting. The server allows JOIN_BURST joins at once
 * from one address, then JOIN_REFILL_PER_S: stay within it, or within the
 * share we were given. WebRTC setup is the expensive part, so even the burst
 * is spread a little.
 */
function connectDelayMs(i: number): number {
  const { joinBurst, joinRatePerS } = options;
  if (i < joinBurst) return i * BURST_CONNECT_SPACING_MS;
  return joinBurst * BURST_CONNECT_SPACING_MS + ((i - joinBurst + 1) * 1000) / joinRatePerS;
}

/** Connects one bot after its pacing delay; a failure is counted and kept for the summary, never thrown. */
async function connect(bot: HeadlessBot, delayMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  try {
    await bot.connect(options.connectTimeoutMs);
    measurements.recordConnected();
  } catch (error) {
    measurements.recordConnectFailure(bot, error as Error);
  }
}

/** Waits `ms`, or with --report-on-stdin until stdin closes if sooner; answers each stdin line with a window report. */
function runFor(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!options.reportOnStdin) return;
    const lines = createInterface({ input: process.stdin });
    lines.on('line', () => console.log(JSON.stringify(measurements.closeWindow())));
    lines.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Progress goes to stderr, so stdout holds only the summary; --json keeps both quiet but for the final object. */
function progress(line: string): void {
  if (!quiet) console.error(line);
}

/** Runs `tick` every `ms`; returns the function that stops it. */
function every(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
}

function elapsed(): string {
  return `${seconds(performance.now() - measurements.startedAtMs).padStart(5)} s:`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function printTable(summary: BotSummary): void {
  console.log(`${summary.connected}/${summary.clients} clients connected for ${summary.durationS} s`);
  console.table({ datagram: summary.datagram, stream: summary.stream });
  console.log(`stream RTT p50 ${summary.rttMsP50} ms; connect p50 ${summary.connectMs.p50} ms, p99 ${summary.connectMs.p99} ms`);
  console.log(`this process: CPU ${summary.process.cpuPctOfCore} % of a core, event-loop lag p99 ${summary.process.eventLoopLagP99Ms} ms`);
  for (const error of summary.errors) console.log(`error: ${error}`);
}
