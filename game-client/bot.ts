// Headless clients for Node: the same game-client/net/ code as the browser,
// over both real channels (ws + geckos with node-datachannel). Each bot
// chases coins and now and then chats; at the end it prints what it measured.
// On a terminal it also shows progress on stderr (connected count, then a line
// every PROGRESS_INTERVAL_MS); with --json it prints only the final object,
// for the tools that parse it.
//
//   npm run bots -- --url http://127.0.0.1:8080 --count 20 --duration 20 --json
import { parseArgs } from 'node:util';
import { DEFAULT_HTTP_PORT, DEFAULT_TICK_RATE_HZ, JOIN_BURST, JOIN_REFILL_PER_S } from '../protocol/constants.ts';
import type { EntityState } from '../protocol/wire/snapshot.ts';
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

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${DEFAULT_HTTP_PORT}` },
    count: { type: 'string', default: '4' },
    duration: { type: 'string', default: '10' },
    'chat-every': { type: 'string', default: '5' },
    'connect-timeout': { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npm run bots -- [--url URL] [--count N] [--duration S] [--chat-every S] [--connect-timeout S] [--json]');
  process.exit(0);
}
const count = positiveInt(args.count, 'count');
const durationS = positiveInt(args.duration, 'duration');
const chatEveryS = positiveInt(args['chat-every'], 'chat-every');
const connectTimeoutMs = positiveInt(args['connect-timeout'], 'connect-timeout') * 1000;

installNodePolyfills();

interface Bot {
  client: NetClient;
  /** Newest world state seen, to steer by. */
  world: EntityState[];
  goal: BotGoal;
  events: number;
  chatReceived: number;
  errors: string[];
}

const ages: number[] = [];
/** Ages since the last progress line. */
let recentAges: number[] = [];
const startedAt = performance.now();
const bots: Bot[] = [];
const errors: string[] = [];
let connectedSoFar = 0;

// Connect a few at a time: WebRTC setup is the expensive part.
for (let i = 0; i < count; i++) {
  const bot: Bot = { client: null!, world: [], goal: { coinId: null, waypoint: randomWaypoint(Math.random) }, events: 0, chatReceived: 0, errors: [] };
  bot.client = new NetClient(
    { url: args.url, name: `bot-${i + 1}` },
    {
      onEvent: (event) => {
        bot.events++;
        if (event.type === 'chat') bot.chatReceived++;
      },
      onSnapshot: (snapshot, via, ageMs) => {
        if (via === 'datagram' && ageMs !== null) {
          if (ages.length < MAX_AGE_SAMPLES) ages.push(ageMs);
          if (recentAges.length < MAX_AGE_SAMPLES) recentAges.push(ageMs);
        }
        bot.world = snapshot.entities;
      },
      onServerError: (error) => bot.errors.push(`${error.code}: ${error.message}`),
    },
  );
  bots.push(bot);
}
progress(`connecting ${count} bot${count === 1 ? '' : 's'} to ${args.url}`);
const stopConnectingProgress = args.json
  ? () => {}
  : every(PROGRESS_INTERVAL_MS, () => progress(`${elapsed()} connecting, ${connectedSoFar}/${count} connected`));
// The server allows JOIN_BURST joins at once from one address, then JOIN_REFILL_PER_S: stay within it.
const connectDelayMs = (i: number) => (i < JOIN_BURST ? i * 25 : JOIN_BURST * 25 + ((i - JOIN_BURST + 1) * 1000) / JOIN_REFILL_PER_S);
const connected = await Promise.all(bots.map((bot, i) => connect(bot, connectDelayMs(i))));
stopConnectingProgress();
const failed = count - connectedSoFar;
progress(
  `${connectedSoFar}/${count} bots connected in ${seconds(performance.now() - startedAt)} s` +
    (failed > 0 ? ` (${failed} failed; reasons in the summary)` : '') +
    `; running for ${durationS} s`,
);
const stopProgress = args.json ? () => {} : reportProgress();

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

await new Promise((resolve) => setTimeout(resolve, durationS * 1000));
stopInputs();
clearInterval(chatTimer);
stopProgress();

const summary = summarize();
for (const bot of bots) bot.client.close();
await shutdownNodeWebRtc();
if (args.json) console.log(JSON.stringify(summary));
else printTable(summary);
process.exit(summary.connected === count ? 0 : 1);

async function connect(bot: Bot, delayMs: number): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const deadline = performance.now() + connectTimeoutMs;
  try {
    await withTimeout(bot.client.start(), connectTimeoutMs, 'stream welcome');
    while (bot.client.datagramState !== 'open') {
      if (performance.now() > deadline) throw new Error(`datagram channel not open (${bot.client.datagramNote || bot.client.datagramState})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    connectedSoFar++;
    return true;
  } catch (error) {
    errors.push(`${bot.client.name}: ${(error as Error).message}`);
    return false;
  }
}

/** Progress goes to stderr, so stdout holds only the summary; --json keeps both quiet but for the final object. */
function progress(line: string) {
  if (!args.json) console.error(line);
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

function summarize() {
  const elapsedS = (performance.now() - startedAt) / 1000;
  const datagram = bots.map((b) => b.client.channelStatus('datagram'));
  const stream = bots.map((b) => b.client.channelStatus('stream'));
  const sum = (list: ChannelStatus[], key: keyof ChannelStatus) => list.reduce((n, s) => n + Number(s[key]), 0);
  const round = (v: number) => Math.round(v * 10) / 10;
  const received = sum(datagram, 'received');
  const lost = sum(datagram, 'lost');
  return {
    clients: count,
    connected: connected.filter(Boolean).length,
    durationS: round(elapsedS),
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
      bytesPerSecDown: Math.round(sum(datagram, 'bytesIn') / elapsedS / count),
      bytesPerSecUp: Math.round(sum(datagram, 'bytesOut') / elapsedS / count),
    },
    stream: {
      events: bots.reduce((n, b) => n + b.events, 0),
      chatReceived: bots.reduce((n, b) => n + b.chatReceived, 0),
      snapshotsReceived: sum(stream, 'received'),
      malformed: sum(stream, 'malformed'),
      bytesPerSecDown: Math.round(sum(stream, 'bytesIn') / elapsedS / count),
    },
    rttMsP50: round(percentile(stream.map((s) => s.rttMs).filter((v) => v > 0), 50)),
    errors: [...errors, ...bots.flatMap((b) => b.errors.map((e) => `${b.client.name}: ${e}`))],
  };
}

function printTable(summary: ReturnType<typeof summarize>) {
  console.log(`${summary.connected}/${summary.clients} clients connected for ${summary.durationS} s`);
  console.table({ datagram: summary.datagram, stream: summary.stream });
  console.log(`stream RTT p50 ${summary.rttMsP50} ms`);
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

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
