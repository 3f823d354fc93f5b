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
// For the load bench (bench/load/run.ts), which runs one bot process per bot
// core, each from loopback addresses of its own (--from), and measures in
// windows of its choosing:
//   --join-rate R --join-burst B  this process's share of the server's
//       per-address join limit (JOIN_REFILL_PER_S, JOIN_BURST by default);
//   --report-on-stdin  (implies --json) prints a `{"report":"connected"}` line
//       once the bots are connected, then for each line read on stdin a
//       `{"report":"window"}` line with what was measured since the line
//       before; a `join {…}` line adds bots to the running fleet and is
//       answered by a "connected" line with its id; stdin closing ends the
//       run early, with the final object.
//
// This file is the run itself: connect, play, report. The bots playing
// together are bots/bot-fleet.ts, one bot is bots/headless-bot.ts, the flags
// are bots/bot-options.ts, and what is measured is bots/bot-measurements.ts.
import { createInterface } from 'node:readline';
import { flagsOrExit } from '../game-server/cli/flags.ts';
import { BOTS_COMMAND, botOptionsFrom, parseStdinCommand, type JoinCommand } from './bots/bot-options.ts';
import { BotFleet, type BatchConnected } from './bots/bot-fleet.ts';
import type { BotSummary } from './bots/bot-measurements.ts';
import { timelineTable } from './bots/timeline-table.ts';
import { installNodePolyfills, shutdownNodeWebRtc } from './net/node-polyfills.ts';

/** A progress line this often: often enough to see a run is alive, rare enough to read. */
const PROGRESS_INTERVAL_MS = 5_000;

// --help, or a flag it cannot run with, ends it here (flags.ts).
const options = flagsOrExit(BOTS_COMMAND, botOptionsFrom);
const { count, quiet } = options;

installNodePolyfills({ sourceAddresses: options.sourceAddresses });

const fleet = new BotFleet(options.chatEveryS);
const { measurements } = fleet;

progress(`connecting ${count} bot${count === 1 ? '' : 's'} to ${options.url}`);
const stopConnectingProgress = quiet
  ? () => {}
  : every(PROGRESS_INTERVAL_MS, () => progress(`${elapsed()} connecting, ${measurements.connected}/${count} connected`));
const first = await fleet.add({
  url: options.url,
  count,
  roomFor: options.roomFor,
  joinRatePerS: options.joinRatePerS,
  joinBurst: options.joinBurst,
  connectTimeoutMs: options.connectTimeoutMs,
});
stopConnectingProgress();
const failed = count - first.connected;
progress(
  `${first.connected}/${count} bots connected in ${seconds(performance.now() - measurements.startedAtMs)} s` +
    (failed > 0 ? ` (${failed} failed; reasons in the summary)` : '') +
    `; running for ${options.durationS} s`,
);
fleet.play();
const stopProgress = quiet ? () => {} : every(PROGRESS_INTERVAL_MS, () => progress(`${elapsed()} ${measurements.progressLine(PROGRESS_INTERVAL_MS / 1000)}`));
if (options.reportOnStdin) printConnected(0, first);

await runFor(options.durationS * 1000);
stopProgress();

const summary = measurements.summary();
const firstBot = fleet.bots[0];
const timeline = options.timeline && firstBot ? timelineTable(firstBot.client.timeline()) : null;
fleet.close();
await shutdownNodeWebRtc();
if (quiet) console.log(JSON.stringify(summary));
else printTable(summary);
if (timeline)
  console.log(`
${timeline}`);
process.exit(summary.connected === summary.clients ? 0 : 1);

/**
 * Waits `ms`, or with --report-on-stdin until stdin closes if sooner. Each
 * stdin line is a command (bot-options.ts): a `join` adds bots to the fleet
 * and is answered once they connected; any other line gets a window report.
 */
function runFor(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!options.reportOnStdin) return;
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      let command: ReturnType<typeof parseStdinCommand>;
      try {
        command = parseStdinCommand(line);
      } catch (error) {
        console.log(JSON.stringify({ report: 'error', message: (error as Error).message }));
        return;
      }
      if (command.kind === 'report') console.log(JSON.stringify(measurements.closeWindow()));
      else void join(command.join);
    });
    lines.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Adds a `join` line's bots to the playing fleet, then says how their connects went. */
async function join(command: JoinCommand): Promise<void> {
  const connected = await fleet.add({
    url: command.url,
    count: command.count,
    roomFor: () => command.room,
    joinRatePerS: command.joinRatePerS,
    joinBurst: command.joinBurst,
    connectTimeoutMs: options.connectTimeoutMs,
  });
  printConnected(command.id, connected);
}

/** The "connected" line the load bench waits for: batch 0 is the one --count started with. */
function printConnected(id: number, batch: BatchConnected): void {
  console.log(JSON.stringify({ report: 'connected', id, ...batch }));
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
