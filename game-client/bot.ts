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
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_HTTP_PORT, DEFAULT_TICK_RATE_HZ, JOIN_BURST, JOIN_REFILL_PER_S } from '../protocol/constants.ts';
import type { EntityState } from '../protocol/wire/snapshot.ts';
import { checkRoomName } from '../protocol/wire/stream.ts';
import { percentile } from '../protocol/netsim/percentile.ts';
import type { ChannelStatus } from './game-view.ts';
import { startInputLoop } from './net/input-sender.ts';
import { NetClient } from './net/net-client.ts';
import { installNodePolyfills, shutdownNodeWebRtc } from './net/node-polyfills.ts';
import { randomWaypoint, steer, type BotGoal } from './play/bot-brain.ts';

/** A progress line this often: often enough to see a run is alive, rare enough to read. */
const PROGRESS_INTERVAL_MS = 5_000;
/** Update ages kept for the percentiles, so a long run with many bots cannot grow memory without bound. */
const MAX_AGE_SAMPLES = 1_000_000;
/** Update ages in a window report are counted in buckets this wide, so reports from many processes merge into one percentile. */
const AGE_BUCKET_MS = 0.5;
/**
 * The event-loop delay monitor's sampling interval. Its readings include the
 * interval itself (an idle loop reads ~20 ms at 20 ms), so it is subtracted.
 */
const LOOP_MONITOR_RESOLUTION_MS = 20;
/** Spacing of the connects within the join burst. */
const BURST_CONNECT_SPACING_MS = 25;

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${DEFAULT_HTTP_PORT}` },
    count: { type: 'string', default: '4' },
    duration: { type: 'string', default: '10' },
    'chat-every': { type: 'string', default: '5' },
    'connect-timeout': { type: 'string', default: '15' },
    rooms: { type: 'string' },
    room: { type: 'string' },
    'join-rate': { type: 'string', default: String(JOIN_REFILL_PER_S) },
    'join-burst': { type: 'string', default: String(JOIN_BURST) },
    json: { type: 'boolean', default: false },
    'report-on-stdin': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npm run bots -- [--url URL] [--count N] [--duration S] [--chat-every S] [--connect-timeout S]
                    [--rooms K | --room NAME] [--join-rate R] [--join-burst B] [--json] [--report-on-stdin]
  --rooms K          spread the bots over K rooms: bot i joins room bots-<i % K + 1> (default: quick play)
  --room NAME        every bot joins room NAME
  --join-rate R      joins per second this process allows itself after the burst (default ${JOIN_REFILL_PER_S}, the server's per-address limit)
  --join-burst B     joins it may start at once (default ${JOIN_BURST})
  --json             print only the final summary, as one JSON object
  --report-on-stdin  (implies --json) a JSON line once connected, then one per line read on stdin with what
                     was measured since the line before; stdin closing ends the run`);
  process.exit(0);
}
const count = positiveInt(args.count, 'count');
const durationS = positiveInt(args.duration, 'duration');
const chatEveryS = positiveInt(args['chat-every'], 'chat-every');
const connectTimeoutMs = positiveInt(args['connect-timeout'], 'connect-timeout') * 1000;
const joinRatePerS = positiveNumber(args['join-rate'], 'join-rate');
const joinBurst = positiveInt(args['join-burst'], 'join-burst');
const reportOnStdin = args['report-on-stdin'];
const quiet = args.json || reportOnStdin;
const roomFor = roomChoice(args.rooms, args.room);

installNodePolyfills();

interface Bot {
  client: NetClient;
  /** Newest world state seen, to steer by. */
  world: EntityState[];
  goal: BotGoal;
  events: number;
  chatReceived: number;
  errors: string[];
  /** From the start of its connect to its data channel open; null until then. */
  connectMs: number | null;
}

const ages: number[] = [];
/** Ages since the last progress line. */
let recentAges: number[] = [];
const startedAt = performance.now();
const bots: Bot[] = [];
const errors: string[] = [];
let connectedSoFar = 0;
/** This process's event-loop delay over the whole run, and over the current report window. */
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_MONITOR_RESOLUTION_MS });
const windowLoopDelay = monitorEventLoopDelay({ resolution: LOOP_MONITOR_RESOLUTION_MS });
loopDelay.enable();
windowLoopDelay.enable();
const cpuAtStart = process.cpuUsage();
/** The current report window (--report-on-stdin); opened afresh once the bots are connected. */
let reportWindow = openReportWindow();

// Connect a few at a time: WebRTC setup is the expensive part.
for (let i = 0; i < count; i++) {
  const bot: Bot = {
    client: null!,
    world: [],
    goal: { coinId: null, waypoint: randomWaypoint(Math.random) },
    events: 0,
    chatReceived: 0,
    errors: [],
    connectMs: null,
  };
  const room = roomFor(i);
  bot.client = new NetClient(
    { url: args.url, name: `bot-${i + 1}`, ...(room !== undefined ? { room } : {}) },
    {
      onEvent: (event) => {
        bot.events++;
        if (event.type === 'chat') bot.chatReceived++;
      },
      onSnapshot: (snapshot, via, ageMs) => {
        if (via === 'datagram' && ageMs !== null) {
          if (ages.length < MAX_AGE_SAMPLES) ages.push(ageMs);
          if (recentAges.length < MAX_AGE_SAMPLES) recentAges.push(ageMs);
          if (reportWindow.ages.length < MAX_AGE_SAMPLES) reportWindow.ages.push(ageMs);
        }
        bot.world = snapshot.entities;
      },
      onServerError: (error) => bot.errors.push(`${error.code}: ${error.message}`),
    },
  );
  bots.push(bot);
}
progress(`connecting ${count} bot${count === 1 ? '' : 's'} to ${args.url}`);
const stopConnectingProgress = quiet
  ? () => {}
  : every(PROGRESS_INTERVAL_MS, () => progress(`${elapsed()} connecting, ${connectedSoFar}/${count} connected`));
// The server allows JOIN_BURST joins at once from one address, then
// JOIN_REFILL_PER_S: stay within it, or within the share we were given.
const connectDelayMs = (i: number) =>
  i < joinBurst ? i * BURST_CONNECT_SPACING_MS : joinBurst * BURST_CONNECT_SPACING_MS + ((i - joinBurst + 1) * 1000) / joinRatePerS;
const connected = await Promise.all(bots.map((bot, i) => connect(bot, connectDelayMs(i))));
stopConnectingProgress();
const failed = count - connectedSoFar;
progress(
  `${connectedSoFar}/${count} bots connected in ${seconds(performance.now() - startedAt)} s` +
    (failed > 0 ? ` (${failed} failed; reasons in the summary)` : '') +
    `; running for ${durationS} s`,
);
const stopProgress = quiet ? () => {} : reportProgress();
reportWindow = openReportWindow();
if (reportOnStdin) {
  console.log(
    JSON.stringify({
      report: 'connected',
      clients: count,
      connected: connectedSoFar,
      connectMs: bots.flatMap((b) => (b.connectMs === null ? [] : [Math.round(b.connectMs)])),
      errors,
    }),
  );
}

// One input loop drives every bot at the server's tick rate, the browser's
// loop: timers fire early or late, the input count must not drift.
const tickRateHz = bots.find((b) => b.client.config)?.client.config?.tickRateHz ?? DEFAULT_TICK_RATE_HZ;
const stopInputs = startInputLoop(tickRateHz, sendOneInputEach);

function sendOneInputEach() {
  for (const bot of bots) {
    const own = bot.world.find((e) => e.id === bot.client.playerId);
    const { input, goal } = own ? steer(own, bot.world, bot.goal, Math.random) : { input: { moveX: 0, moveY: 0 }, goal: bot.goal };
    bot.goal = goal;
    bot.client.inputs.send(input);
  }
}
const chatTimer = setInterval(() => {
  for (const bot of bots) if (Math.random() < 1 / chatEveryS) bot.client.chat(`hello from ${bot.client.name}`);
}, 1000);

await runFor(durationS * 1000);
stopInputs();
clearInterval(chatTimer);
stopProgress();

const summary = summarize();
for (const bot of bots) bot.client.close();
await shutdownNodeWebRtc();
if (quiet) console.log(JSON.stringify(summary));
else printTable(summary);
process.exit(summary.connected === count ? 0 : 1);

/** Waits `ms`, or with --report-on-stdin until stdin closes if sooner; answers each stdin line with a window report. */
function runFor(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!reportOnStdin) return;
    const lines = createInterface({ input: process.stdin });
    lines.on('line', () => console.log(JSON.stringify(closeReportWindow())));
    lines.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function connect(bot: Bot, delayMs: number): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const connectStartedAt = performance.now();
  const deadline = connectStartedAt + connectTimeoutMs;
  try {
    await withTimeout(bot.client.start(), connectTimeoutMs, 'stream welcome');
    while (bot.client.datagramState !== 'open') {
      if (performance.now() > deadline) throw new Error(`datagram channel not open (${bot.client.datagramNote || bot.client.datagramState})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    bot.connectMs = performance.now() - connectStartedAt;
    connectedSoFar++;
    return true;
  } catch (error) {
    errors.push(`${bot.client.name}: ${(error as Error).message}`);
    return false;
  }
}

/** Progress goes to stderr, so stdout holds only the summary; --json keeps both quiet but for the final object. */
function progress(line: string) {
  if (!quiet) console.error(line);
}

/**
 * A line every PROGRESS_INTERVAL_MS with what the interval before it brought:
 * bots up on both channels, datagrams, loss, update age, events. Returns the stop.
 */
function reportProgress(): () => void {
  let previous = totals();
  recentAges = [];
  return every(PROGRESS_INTERVAL_MS, () => {
    const onBoth = bots.filter((b) => b.client.streamState === 'open' && b.client.datagramState === 'open').length;
    const now = totals();
    const received = now.received - previous.received;
    const lost = now.lost - previous.lost;
    const lossPct = received + lost === 0 ? 0 : (100 * lost) / (received + lost);
    const ageP50 = recentAges.length === 0 ? '–' : `${percentile(recentAges, 50).toFixed(1)} ms`;
    progress(
      `${elapsed()} ${onBoth}/${count} on both channels; last ${PROGRESS_INTERVAL_MS / 1000} s: ` +
        `${received} datagrams, ${lossPct.toFixed(1)} % lost, update age p50 ${ageP50}, ${now.events - previous.events} events`,
    );
    previous = now;
    recentAges = [];
  });
}

/** Runs `tick` every `ms`; returns the function that stops it. */
function every(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
}

/** Running totals over every bot, for the difference between two progress lines. */
function totals() {
  const datagram = bots.map((b) => b.client.channelStatus('datagram'));
  return {
    received: datagram.reduce((n, d) => n + d.received, 0),
    lost: datagram.reduce((n, d) => n + d.lost, 0),
    events: bots.reduce((n, b) => n + b.events, 0),
  };
}

function elapsed(): string {
  return `${seconds(performance.now() - startedAt).padStart(5)} s:`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** Counters of one bot at the start of a report window. */
interface BotMark {
  received: number;
  lost: number;
  datagramBytesIn: number;
  streamBytesIn: number;
}

/** What a report window measures from: when it opened, every bot's counters then, and the ages since. */
function openReportWindow() {
  windowLoopDelay.reset();
  return {
    startedAt: performance.now(),
    cpu: process.cpuUsage(),
    marks: bots.map(markOf),
    ages: [] as number[],
  };
}

function markOf(bot: Bot): BotMark {
  const datagram = bot.client.channelStatus('datagram');
  const stream = bot.client.channelStatus('stream');
  return { received: datagram.received, lost: datagram.lost, datagramBytesIn: datagram.bytesIn, streamBytesIn: stream.bytesIn };
}

/**
 * What happened since the window opened, for the load bench; opens the next.
 * Update ages go as a histogram too, so the bench can merge many processes'
 * windows into one percentile. "Playing": both channels open and datagrams
 * arriving in this window.
 */
function closeReportWindow() {
  const seconds = (performance.now() - reportWindow.startedAt) / 1000;
  const now = bots.map(markOf);
  const diff = (key: keyof BotMark) => now.reduce((n, m, i) => n + m[key] - reportWindow.marks[i]![key], 0);
  const playing = bots.filter(
    (b, i) => b.client.streamState === 'open' && b.client.datagramState === 'open' && now[i]!.received > reportWindow.marks[i]!.received,
  ).length;
  const received = diff('received');
  const lost = diff('lost');
  const perClientPerS = (bytes: number) => Math.round(bytes / seconds / Math.max(1, connectedSoFar));
  const report = {
    report: 'window',
    seconds: round(seconds),
    clients: count,
    connected: connectedSoFar,
    playing,
    datagram: { received, lost, lossPct: received + lost === 0 ? 0 : round((100 * lost) / (received + lost), 2) },
    ageP50Ms: round(percentile(reportWindow.ages, 50)),
    ageP99Ms: round(percentile(reportWindow.ages, 99)),
    ageHistogram: ageHistogram(reportWindow.ages),
    bytesPerSecDownPerClient: { datagram: perClientPerS(diff('datagramBytesIn')), stream: perClientPerS(diff('streamBytesIn')) },
    cpuPctOfCore: cpuPctOfCore(reportWindow.cpu, seconds),
    eventLoopLagP99Ms: loopLagP99Ms(windowLoopDelay),
  };
  reportWindow = openReportWindow();
  return report;
}

/** Counts per bucket of AGE_BUCKET_MS, keyed by the bucket's upper edge in ms; negative ages (clock noise) count as 0. */
function ageHistogram(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) {
    const edge = String(Math.ceil(Math.max(0, value) / AGE_BUCKET_MS) * AGE_BUCKET_MS);
    counts[edge] = (counts[edge] ?? 0) + 1;
  }
  return counts;
}

/** This process's CPU time since `since` (all its threads: node-datachannel's too), as % of one core. */
function cpuPctOfCore(since: NodeJS.CpuUsage, seconds: number): number {
  const used = process.cpuUsage(since);
  return round((used.user + used.system) / 1e4 / seconds);
}

function loopLagP99Ms(histogram: ReturnType<typeof monitorEventLoopDelay>): number {
  return round(Math.max(0, histogram.percentile(99) / 1e6 - LOOP_MONITOR_RESOLUTION_MS));
}

function round(v: number, digits = 1): number {
  return Math.round(v * 10 ** digits) / 10 ** digits;
}

function summarize() {
  const elapsedS = (performance.now() - startedAt) / 1000;
  const datagram = bots.map((b) => b.client.channelStatus('datagram'));
  const stream = bots.map((b) => b.client.channelStatus('stream'));
  const sum = (list: ChannelStatus[], key: keyof ChannelStatus) => list.reduce((n, s) => n + Number(s[key]), 0);
  const received = sum(datagram, 'received');
  const lost = sum(datagram, 'lost');
  const connectMs = bots.flatMap((b) => (b.connectMs === null ? [] : [b.connectMs]));
  /** Rates are per connected client: the others received nothing. */
  const clientsReceiving = Math.max(1, connectedSoFar);
  return {
    clients: count,
    connected: connected.filter(Boolean).length,
    durationS: round(elapsedS),
    /** From the start of a bot's connect (after its pacing delay) to its data channel open. */
    connectMs: { p50: round(percentile(connectMs, 50)), p99: round(percentile(connectMs, 99)) },
    datagram: {
      received,
      lost,
      lossPct: received + lost === 0 ? 0 : round((100 * lost) / (received + lost)),
      outOfOrder: sum(datagram, 'outOfOrder'),
      duplicates: sum(datagram, 'duplicates'),
      malformed: sum(datagram, 'malformed'),
      fullSnapshots: sum(datagram, 'fullSnapshots'),
      deltaSnapshots: sum(datagram, 'deltaSnapshots'),
      baselineMisses: sum(datagram, 'baselineMisses'),
      ageP50Ms: round(percentile(ages, 50)),
      ageP95Ms: round(percentile(ages, 95)),
      ageP99Ms: round(percentile(ages, 99)),
      rttMsP50: round(percentile(datagram.map((d) => d.rttMs).filter((v) => v > 0), 50)),
      bytesPerSecDown: Math.round(sum(datagram, 'bytesIn') / elapsedS / clientsReceiving),
      bytesPerSecUp: Math.round(sum(datagram, 'bytesOut') / elapsedS / clientsReceiving),
    },
    stream: {
      events: bots.reduce((n, b) => n + b.events, 0),
      chatReceived: bots.reduce((n, b) => n + b.chatReceived, 0),
      snapshotsReceived: sum(stream, 'received'),
      malformed: sum(stream, 'malformed'),
      bytesPerSecDown: Math.round(sum(stream, 'bytesIn') / elapsedS / clientsReceiving),
    },
    rttMsP50: round(percentile(stream.map((s) => s.rttMs).filter((v) => v > 0), 50)),
    /** This bot process itself: is it the bottleneck of a load test? */
    process: { cpuPctOfCore: cpuPctOfCore(cpuAtStart, elapsedS), eventLoopLagP99Ms: loopLagP99Ms(loopDelay) },
    errors: [...errors, ...bots.flatMap((b) => b.errors.map((e) => `${b.client.name}: ${e}`))],
  };
}

function printTable(summary: ReturnType<typeof summarize>) {
  console.log(`${summary.connected}/${summary.clients} clients connected for ${summary.durationS} s`);
  console.table({ datagram: summary.datagram, stream: summary.stream });
  console.log(`stream RTT p50 ${summary.rttMsP50} ms; connect p50 ${summary.connectMs.p50} ms, p99 ${summary.connectMs.p99} ms`);
  console.log(`this process: CPU ${summary.process.cpuPctOfCore} % of a core, event-loop lag p99 ${summary.process.eventLoopLagP99Ms} ms`);
  for (const error of summary.errors) console.log(`error: ${error}`);
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

function positiveNumber(value: string, name: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) {
    console.error(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

/** Which room bot i asks for: bots-<i % K + 1> with --rooms K, NAME with --room, else none (quick play). */
function roomChoice(rooms: string | undefined, room: string | undefined): (i: number) => string | undefined {
  if (rooms !== undefined && room !== undefined) {
    console.error('give --rooms K or --room NAME, not both');
    process.exit(2);
  }
  if (room !== undefined) {
    const checked = checkRoomName(room);
    if (!checked.ok) {
      console.error(`--room: ${checked.message}`);
      process.exit(2);
    }
    return () => checked.name;
  }
  if (rooms === undefined) return () => undefined;
  const k = positiveInt(rooms, 'rooms');
  return (i) => `bots-${(i % k) + 1}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
