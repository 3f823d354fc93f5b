// What the bots themselves cost: ms of CPU per bot client-second, the figure
// that says how many bots one core can play (docs/benchmarks.md, "The bots' own cost").
// A small, bounded cousin of `npm run bench:load`: one server process pinned
// to core 0, one bot process (game-client/bot.ts, the bench's own) pinned to
// core 1 with --bots bots in rooms of --room-size, and after they settle
// --repeats windows of --seconds in which the bot process's CPU is read
// thread by thread from /proc (its JavaScript thread apart from
// node-datachannel's). cost = CPU ms / (bots connected × window seconds).
//
//   npx tsx bench/load/bot-cost.ts [--bots 100] [--seconds 25] [--repeats 2] [--room-size 25]
//                                  [--from 127.0.0.2-127.0.0.251] [--cpu-prof DIR]
//
// With --cpu-prof DIR the bot process runs under `node --cpu-prof` and the
// top self-time functions of its JavaScript thread are printed for the
// measured windows only (the connects before them left out).
// Linux only (taskset, /proc); every wait is bounded.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_ROOMS, DEFAULT_SNAPSHOT_RATE_HZ } from '../../protocol/constants.ts';
import { planPinning, tasksetAvailable } from '../common/pinning.ts';
import { clockTicksPerSecond, cpuBetween, readProcessCpu, type CpuBetween } from '../common/thread-cpu.ts';
import { botSourceRange, planBotGroups, plannedConnectSeconds } from './bot-plan.ts';
import { startBotProcess } from './bot-process.ts';
import { killChildrenOnExit } from './children.ts';
import { formatTop, selfTimeByFunction, type CpuProfile } from './cpu-profile-top.ts';
import { startServerProcess } from './server-process.ts';

const SETTLE_MS = 5_000;
const CHAT_EVERY_S = 30;
const CONNECT_TIMEOUT_S = 20;
const BOT_STARTUP_S = 20;
const PROFILE_TOP = 20;
const MAX_BOTS = 400;
/**
 * A window counts only if every bot played, lost less than this, and received
 * at least MIN_VALID_RATE_SHARE of the snapshot rate: otherwise the machine,
 * not the bots, set the figure (a starved bot core plays less, a starved
 * server sends fewer snapshots, and either costs the bots less).
 */
const MAX_VALID_LOSS_PCT = 1;
const MIN_VALID_RATE_SHARE = 0.9;
const PROFILED_STOP_TIMEOUT_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    bots: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '25' },
    repeats: { type: 'string', default: '2' },
    'room-size': { type: 'string', default: '25' },
    from: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const bots = Number(args.bots);
const seconds = Number(args.seconds);
const repeats = Number(args.repeats);
const roomSize = Number(args['room-size']);
if (
  ![bots, repeats, roomSize].every(Number.isInteger) ||
  bots < 1 ||
  bots > MAX_BOTS ||
  !(seconds >= 5 && seconds <= 120) ||
  repeats < 1 ||
  repeats > 5 ||
  roomSize < 1
) {
  console.error(`usage: npx tsx bench/load/bot-cost.ts [--bots 1-${MAX_BOTS}] [--seconds 5-120] [--repeats 1-5] [--room-size N] [--from A-B] [--cpu-prof DIR]`);
  process.exit(2);
}
const pinning = planPinning(availableParallelism(), 1, tasksetAvailable());
const botCore = pinning.bots?.split(/[-,]/)[0] ?? null;
const cpuProfDir = args['cpu-prof'];
if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
/** Everything above, with room to spare: the run ends itself past this, whatever hangs. */
const deadlineS = PROFILED_STOP_TIMEOUT_MS / 1000 + BOT_STARTUP_S + CONNECT_TIMEOUT_S + bots / 4 + SETTLE_MS / 1000 + repeats * (seconds + 10) + 60;

const server = await startServerProcess(
  ['--room-capacity', String(roomSize), '--max-rooms', String(Math.max(DEFAULT_MAX_ROOMS, Math.ceil(bots / roomSize)))],
  undefined,
  pinning.servers[0]!,
);
const fleet = startBotProcess({
  url: server.url,
  chatEveryS: CHAT_EVERY_S,
  connectTimeoutS: CONNECT_TIMEOUT_S,
  durationS: Math.ceil(deadlineS),
  cores: botCore,
  from: args.from ?? botSourceRange(0),
  ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
});
const stop = async () => {
  // A profiled process writes its profile as it exits: on a busy machine closing 100 peer connections takes a while.
  await fleet.stop(cpuProfDir === undefined ? undefined : PROFILED_STOP_TIMEOUT_MS);
  await server.stop();
};
killChildrenOnExit(stop);
const deadline = setTimeout(() => {
  console.error(`bot-cost: over its ${Math.round(deadlineS)} s bound; stopping`);
  void stop().finally(() => process.exit(1));
}, deadlineS * 1000);
console.log(`bot-cost: ${bots} bots in rooms of ${roomSize} from ${args.from ?? botSourceRange(0)}, ${repeats} window(s) of ${seconds} s; ${pinning.note}`);

const plan = planBotGroups(0, bots, roomSize, 1);
const joined = await Promise.all(
  plan.map((g) =>
    fleet.join(
      { url: server.url, room: g.room, count: g.count, joinRatePerS: g.joinRatePerS, joinBurst: g.joinBurst },
      (BOT_STARTUP_S + CONNECT_TIMEOUT_S + plannedConnectSeconds(plan)) * 1000,
    ),
  ),
);
const connected = joined.reduce((n, j) => n + j.connected, 0);
console.log(
  `${connected}/${bots} connected${joined.some((j) => j.errors.length) ? `; first error: ${joined.flatMap((j) => j.errors)[0]}` : ''}; settling ${SETTLE_MS / 1000} s`,
);
await sleep(SETTLE_MS);

const ticks = clockTicksPerSecond();
const windows: { fromUs: number; toUs: number }[] = [];
const costs: number[] = [];
for (let w = 1; w <= repeats; w++) {
  await fleet.report(); // opens the bot process's window
  const fromUs = monotonicUs();
  const botStart = readProcessCpu(fleet.child.pid!);
  const serverStart = readProcessCpu(server.child.pid!);
  await sleep(seconds * 1000);
  const botEnd = readProcessCpu(fleet.child.pid!);
  const serverEnd = readProcessCpu(server.child.pid!);
  windows.push({ fromUs, toUs: monotonicUs() });
  const report = await fleet.report();
  if (!botStart || !botEnd || !serverStart || !serverEnd) throw new Error('no /proc reading (Linux only)');
  const bot = cpuBetween(botStart, botEnd, ticks);
  const srv = cpuBetween(serverStart, serverEnd, ticks);
  const clientS = (report.connected * bot.windowMs) / 1000;
  const cost = bot.processCpuMs / clientS;
  // A starved bot core plays less (its data channels time out, its snapshots are lost), and costs less for it.
  const perClientPerS = report.datagram.received / clientS;
  const valid =
    report.playing === bots &&
    report.connected === bots &&
    report.datagram.lossPct < MAX_VALID_LOSS_PCT &&
    perClientPerS >= MIN_VALID_RATE_SHARE * DEFAULT_SNAPSHOT_RATE_HZ;
  if (valid) costs.push(cost);
  console.log(
    `window ${w}${valid ? '' : ' NOT COUNTED (the machine starved the bots or the server)'}: ` +
      `${report.playing}/${report.connected} playing, ${round(perClientPerS, 1)} datagrams per client-second; bots ${round(cost, 2)} ms CPU per client-second, ` +
      `${round((1000 * bot.processCpuMs) / Math.max(1, report.datagram.received), 1)} µs per datagram received ` +
      `(JS thread ${round(bot.mainCpuMs / clientS, 2)}, other threads ${round(bot.otherThreadsCpuMs / clientS, 2)}; ${pct(bot)} % of their core), ` +
      `server ${round(srv.processCpuMs / clientS, 2)} ms (${pct(srv)} %); loss ${report.datagram.lossPct} %, age p50/p99 ${report.ageP50Ms}/${report.ageP99Ms} ms, bots' loop lag p99 ${report.eventLoopLagP99Ms} ms`,
  );
  console.log(`  bot threads: ${bot.groups.map((g) => `${g.name}${g.threads > 1 ? ` ×${g.threads}` : ''} ${Math.round(g.cpuMs)}`).join(', ')} ms`);
}
console.log(
  `bots: ${costs.length > 0 ? costs.map((c) => round(c, 2)).join(', ') : 'no valid window'} ms CPU per client-second (${bots} bots, ${seconds} s windows; machine load ${loadAverage()})`,
);
clearTimeout(deadline);
await stop();
if (cpuProfDir) printProfile(cpuProfDir, fleet.child.pid!, windows);
process.exit(0);

/** The bot process's main-thread profile, summed over the measured windows only. */
function printProfile(dir: string, pid: number, spans: { fromUs: number; toUs: number }[]) {
  const file = readdirSync(dir)
    .filter((f) => f.includes(`.${pid}.0.`) && f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!file) return console.error(`no main-thread profile of process ${pid} in ${dir}`);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byWhere = new Map<string, number>();
  for (const span of spans) for (const t of selfTimeByFunction(profile, span)) byWhere.set(t.where, (byWhere.get(t.where) ?? 0) + t.selfMs);
  const busyMs = [...byWhere].filter(([w]) => w !== '(idle)').reduce((n, [, ms]) => n + ms, 0);
  const top = [...byWhere]
    .map(([where, selfMs]) => ({ where, selfMs: round(selfMs, 1), pctOfBusy: where === '(idle)' ? 0 : round((100 * selfMs) / busyMs, 1) }))
    .sort((a, b) => b.selfMs - a.selfMs);
  console.log(
    `\nbot process profile ${file}, measured windows only, top self time (% of the JS thread's busy time, ${Math.round(busyMs)} ms):\n${formatTop(top, PROFILE_TOP)}`,
  );
}

/** The 1-minute load average (Linux): how shared the machine was. */
function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
  } catch {
    return 'unknown';
  }
}

function pct(cpu: CpuBetween): number {
  return round((100 * cpu.processCpuMs) / cpu.windowMs, 1);
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function round(v: number, digits: number): number {
  return Math.round(v * 10 ** digits) / 10 ** digits;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
