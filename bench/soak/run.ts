// `npm run soak -- --minutes N`: does the server stay healthy under churn?
// It starts a game server process on 127.0.0.1, then for N minutes churns
// real clients over both real channels: joins, goodbyes, kills (a bot process
// SIGKILLed), dropped streams that resume, chat, lossy presets switched at
// random. A few honest observers stay the whole time and check that their
// reliable events arrive with no gap in the sequence. Every few seconds it
// samples the server's RSS, heap, open file descriptors, native WebRTC peer
// connections (every one geckos holds, handshakes not yet bound included) and
// data channels bound to a player (from its ops listener's /metrics and /healthz). It
// prints a trend line per sample and a summary, writes docs/bench/soak.json
// and docs/bench/soak.svg, and exits non-zero if memory, descriptors or peer
// connections keep growing after warm-up, an observer missed an event, or the
// server died.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { NetClient } from '../../game-client/net/net-client.ts';
import { installNodePolyfills, shutdownNodeWebRtc } from '../../game-client/net/node-polyfills.ts';
import { JOIN_REFILL_PER_S, NETWORK_PRESETS } from '../../protocol/constants.ts';
import { seededRandom } from '../../protocol/sim/random.ts';
import { DroppableStream } from '../../test/stream-drops.ts';
import { defineCommand, flagsOrExit, UsageError } from '../../game-server/cli/flags.ts';
import { startProgress } from '../../scripts/cli/progress.ts';

const SAMPLE_EVERY_MS = 5_000;
const OBSERVERS = 2;
/** Churning clients alive at once, each living 2–10 s before it goes (one way or another). */
const CHURNERS = 6;
const CHURN_LIFE_MS = { min: 2_000, max: 10_000 };
/** Joins per second the churn stays under: half the server's per-address limit. */
const CHURN_JOINS_PER_S = JOIN_REFILL_PER_S / 2;
/** The first share of the run is warm-up (caches, JIT, pools); growth is judged after it. */
const WARM_UP_SHARE = 0.3;
/** Growth from the middle third to the last third that counts as "keeps growing". */
const MAX_RSS_GROWTH = { share: 0.15, bytes: 24 * 1024 * 1024 };
const MAX_FD_GROWTH = 16;
/**
 * Peer connections: the churn keeps about CHURNERS + OBSERVERS (+ a killed bot
 * or a handshake in progress) open at once, so a mean that climbs by more than
 * a few between the two windows is connections nobody closed.
 */
const MAX_PEER_CONNECTION_GROWTH = 4;

const MAX_MINUTES = 24 * 60;
const SOAK_COMMAND = defineCommand({
  name: 'npm run soak',
  about: 'Churns real clients against a game server process and checks that memory, descriptors and peer connections level off.',
  flags: {
    minutes: { type: 'string', value: 'N', default: '10', help: `how long to churn (0 < N ≤ ${MAX_MINUTES})` },
    seed: { type: 'string', value: 'N', default: '1', help: 'seed of the churn (who joins, leaves, drops, chats, when)' },
  },
  notes: 'Writes docs/bench/soak.json and docs/bench/soak.svg; exits 1 if something kept growing, an event was missed or the server died.',
});
const { minutes, seed } = flagsOrExit(SOAK_COMMAND, (args) => {
  const n = Number(args.minutes);
  if (!(n > 0 && n <= MAX_MINUTES)) throw new UsageError(`--minutes must be above 0 and at most ${MAX_MINUTES}, got ${JSON.stringify(args.minutes)}`);
  const seedValue = Number(args.seed);
  if (!Number.isInteger(seedValue)) throw new UsageError(`--seed must be an integer, got ${JSON.stringify(args.seed)}`);
  return { minutes: n, seed: seedValue };
});
const random = seededRandom(seed);
installNodePolyfills();

interface Sample {
  atS: number;
  rssMb: number;
  heapMb: number;
  openFds: number;
  /** Native WebRTC peer connections geckos holds (arena_webrtc_peer_connections), pending handshakes included. */
  peerConnections: number;
  /** Data channels bound to a player (/healthz datagramChannels). */
  boundChannels: number;
  streamConnections: number;
  players: number;
}

const server = await startServerProcess();
const url = server.url;
const samples: Sample[] = [];
const counts = { joins: 0, goodbyes: 0, drops: 0, kills: 0, resumes: 0, chats: 0, presets: 0, failedJoins: 0 };
const gaps: string[] = [];
let serverDied = false;
server.child.once('exit', (code, signal) => {
  if (!stopping) serverDied = true;
  console.error(`server exited (${code ?? signal})`);
});
let stopping = false;

const observers = await Promise.all(Array.from({ length: OBSERVERS }, (_, i) => observer(`observer-${i + 1}`)));
const startedAt = Date.now();
const endsAt = startedAt + minutes * 60_000;
console.log(`soak: ${minutes} min against ${url}; ${OBSERVERS} observers, ${CHURNERS} churning clients, a sample every ${SAMPLE_EVERY_MS / 1000} s`);

/** One step per sample: the first, one every SAMPLE_EVERY_MS, the last. */
const progress = startProgress({ total: Math.floor((minutes * 60_000) / SAMPLE_EVERY_MS) + 2, leftMs: () => endsAt - Date.now() });
const sampler = setInterval(() => void sample(), SAMPLE_EVERY_MS);
await sample();
const churn = Array.from({ length: CHURNERS }, (_, i) => churnLoop(i));
await Promise.all(churn);
clearInterval(sampler);
await sample();
progress.end();

stopping = true;
for (const o of observers) o.net.close();
server.child.kill('SIGTERM');
await new Promise((resolve) => setTimeout(resolve, 500));
shutdownNodeWebRtc();

const verdict = judge();
console.log(`\n${JSON.stringify({ counts, gaps: gaps.length, ...verdict }, null, 2)}`);
mkdirSync('docs/bench', { recursive: true });
writeFileSync('docs/bench/soak.json', `${JSON.stringify({ generatedAt: new Date().toISOString(), minutes, counts, gaps, verdict, samples }, null, 2)}\n`);
writeFileSync('docs/bench/soak.svg', await chart(samples));
console.log('wrote docs/bench/soak.json and docs/bench/soak.svg');
process.exit(verdict.ok ? 0 : 1);

/** The game server in a process of its own, so its memory and descriptors are its alone. */
async function startServerProcess(): Promise<{ child: ChildProcess; url: string; opsUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'game-server/main.ts', '--host', '127.0.0.1', '--port', '0'], {
    env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, // its start line is read as JSON
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const onData = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', onData);
  const deadline = Date.now() + 20_000;
  while (!/"opsUrl":"(http:[^"]+)"/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.stdout!.off('data', onData);
  child.stdout!.resume(); // keep draining its logs, unread
  return { child, url: /"url":"(http:[^"]+)"/.exec(output)![1]!, opsUrl: /"opsUrl":"(http:[^"]+)"/.exec(output)![1]! };
}

/** An honest client for the whole run: checks that its reliable events come with no gap. */
async function observer(name: string) {
  let lastSeq = 0;
  const net: NetClient = new NetClient(
    { url, name },
    {
      onWelcome: (welcome) => {
        // A resume (its stream was cut, say under load) replays what it missed
        // next, from lastSeq + 1: keep counting from there. A fresh start after
        // a first welcome means the session was lost, and events with it.
        if (welcome.resumed) return;
        if (lastSeq > 0) gaps.push(`${name}: joined afresh after seq ${lastSeq} (its session was lost)`);
        lastSeq = welcome.lastSeq;
      },
      onEvent: (event) => {
        if (event.seq !== lastSeq + 1) gaps.push(`${name}: expected ${lastSeq + 1}, got ${event.seq}`);
        lastSeq = event.seq;
      },
    },
  );
  await net.start();
  return { net };
}

/** One slot of churn: a client joins, lives a while doing things, and goes in one of several ways; again until the end. */
async function churnLoop(slot: number): Promise<void> {
  let generation = 0;
  while (Date.now() < endsAt && !serverDied) {
    // Pace joins across all slots to stay well under the per-address join limit.
    await new Promise((resolve) => setTimeout(resolve, (CHURNERS / CHURN_JOINS_PER_S) * 1000 * random()));
    const way = random();
    if (way < 0.15) await killedBot();
    else await churnClient(`churn-${slot}-${++generation}`);
  }
}

async function churnClient(name: string): Promise<void> {
  const stream = new DroppableStream(); // to cut its stream as a network fault would
  const net = new NetClient({ url, name, seed: Math.floor(random() * 2 ** 31), webSocket: stream.webSocket });
  try {
    await withTimeout(net.start(), 15_000);
    counts.joins++;
  } catch {
    counts.failedJoins++;
    net.close();
    return;
  }
  const lifeMs = CHURN_LIFE_MS.min + random() * (CHURN_LIFE_MS.max - CHURN_LIFE_MS.min);
  const diesAt = Date.now() + lifeMs;
  const presets = Object.values(NETWORK_PRESETS);
  while (Date.now() < diesAt && Date.now() < endsAt) {
    await new Promise((resolve) => setTimeout(resolve, 500 + random() * 1500));
    const action = random();
    if (action < 0.3) {
      net.chat(`soak ${counts.chats++}`);
    } else if (action < 0.5) {
      net.setConditions(presets[Math.floor(random() * presets.length)]!);
      counts.presets++;
    } else if (action < 0.6) {
      stream.drop(); // reconnects and resumes
      counts.resumes++;
    }
  }
  if (random() < 0.5) {
    net.leave();
    counts.goodbyes++;
  } else {
    net.close(); // gone without a goodbye: the server must notice
    counts.drops++;
  }
}

/** A bot in its own process, killed with SIGKILL partway: no goodbye, no close frame. */
async function killedBot(): Promise<void> {
  const bot = spawn(process.execPath, ['--import', 'tsx', 'game-client/bot.ts', '--url', url, '--count', '1', '--duration', '30', '--json'], {
    stdio: 'ignore',
  });
  counts.kills++;
  await new Promise((resolve) => setTimeout(resolve, 3_000 + random() * 5_000));
  bot.kill('SIGKILL');
}

async function sample(): Promise<void> {
  try {
    const metrics = await (await fetch(`${server.opsUrl}/metrics`, { signal: AbortSignal.timeout(3_000) })).text();
    const health = (await (await fetch(`${server.opsUrl}/healthz`, { signal: AbortSignal.timeout(3_000) })).json()) as Record<string, number>;
    const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const s: Sample = {
      atS: Math.round((Date.now() - startedAt) / 1000),
      rssMb: Math.round(metric('process_resident_memory_bytes') / 1e5) / 10,
      heapMb: Math.round(metric('nodejs_heap_size_used_bytes') / 1e5) / 10,
      openFds: metric('process_open_fds'),
      peerConnections: metric('arena_webrtc_peer_connections'),
      boundChannels: health.datagramChannels ?? NaN,
      streamConnections: health.streamConnections ?? NaN,
      players: health.players ?? NaN,
    };
    samples.push(s);
    progress.step(`churning: ${counts.joins} joins, ${counts.kills} kills, ${gaps.length} gaps`);
    progress.log(
      `${String(s.atS).padStart(5)} s  rss ${s.rssMb} MB  heap ${s.heapMb} MB  fds ${s.openFds}  peer conns ${s.peerConnections}  bound channels ${s.boundChannels}  ` +
        `streams ${s.streamConnections}  players ${s.players}  joins ${counts.joins}  gaps ${gaps.length}`,
    );
  } catch (error) {
    if (!stopping) {
      serverDied = serverDied || server.child.exitCode !== null;
      console.error(`sample failed: ${(error as Error).message}`);
    }
  }
}

/** Memory, descriptors and peer connections must level off after warm-up; nothing missed; the server alive. */
function judge() {
  const after = samples.filter((s) => s.atS >= minutes * 60 * WARM_UP_SHARE);
  // After warm-up, its first half against its second: growth between them is a leak.
  const half = Math.max(1, Math.floor(after.length / 2));
  const middle = after.slice(0, half);
  const last = after.slice(-half);
  type Series = 'rssMb' | 'openFds' | 'peerConnections';
  const mean = (list: Sample[], key: Series) => list.reduce((n, s) => n + s[key], 0) / Math.max(1, list.length);
  const growth = (key: Series) => mean(last, key) - mean(middle, key);
  const rssGrowthMb = growth('rssMb');
  const fdGrowth = growth('openFds');
  const peerConnectionGrowth = growth('peerConnections');
  const rssKeepsGrowing = rssGrowthMb > MAX_RSS_GROWTH.bytes / 1e6 && rssGrowthMb > MAX_RSS_GROWTH.share * mean(middle, 'rssMb');
  const fdsKeepGrowing = fdGrowth > MAX_FD_GROWTH;
  // NaN (the gauge missing from /metrics) must not pass as "no growth".
  const peerConnectionsUnknown = samples.some((s) => !Number.isFinite(s.peerConnections));
  const peerConnectionsKeepGrowing = peerConnectionGrowth > MAX_PEER_CONNECTION_GROWTH;
  const reasons = [
    ...(serverDied ? ['the server died'] : []),
    ...(gaps.length > 0 ? [`observers missed events (${gaps.length} gaps)`] : []),
    ...(rssKeepsGrowing ? [`RSS kept growing after warm-up (+${rssGrowthMb.toFixed(1)} MB)`] : []),
    ...(fdsKeepGrowing ? [`open descriptors kept growing after warm-up (+${fdGrowth.toFixed(0)})`] : []),
    ...(peerConnectionsKeepGrowing ? [`WebRTC peer connections kept growing after warm-up (+${peerConnectionGrowth.toFixed(1)})`] : []),
    ...(peerConnectionsUnknown ? ['a sample had no arena_webrtc_peer_connections'] : []),
    ...(samples.length < 3 ? ['too few samples'] : []),
  ];
  const summary = (key: Series) => ({
    first: samples[0]?.[key],
    middle: round(mean(middle, key)),
    last: round(mean(last, key)),
    max: Math.max(...samples.map((s) => s[key])),
  });
  return { ok: reasons.length === 0, reasons, rssMb: summary('rssMb'), openFds: summary('openFds'), peerConnections: summary('peerConnections') };
}

function round(value: number) {
  return Math.round(value * 10) / 10;
}

async function chart(points: Sample[]): Promise<string> {
  const values = points.flatMap((s) => [
    { atS: s.atS, series: 'RSS MB', value: s.rssMb },
    { atS: s.atS, series: 'heap used MB', value: s.heapMb },
    { atS: s.atS, series: 'open fds', value: s.openFds },
    { atS: s.atS, series: 'WebRTC peer connections', value: s.peerConnections },
    { atS: s.atS, series: 'bound data channels', value: s.boundChannels },
  ]);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Soak: the server under ${minutes} min of client churn`,
    data: { values },
    width: 520,
    height: 220,
    mark: { type: 'line', point: false },
    encoding: {
      x: { field: 'atS', type: 'quantitative', title: 'seconds' },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'series', type: 'nominal', title: null },
    },
    config: { font: 'sans-serif', background: 'white' },
  };
  return new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' }).toSVG();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
