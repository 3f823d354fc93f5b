// `npm run bench:load`: how many clients can one server process carry?
// It starts a game server process on 127.0.0.1 (WebRTC bound there too, so
// all traffic stays on loopback) and steps the load: at each step it adds bots
// (game-client/bot.ts, real clients over both real channels; one bot process
// per bot core, each playing several rooms) until the step's clients play in
// rooms of --room-size, lets them settle, then
// measures one window of --seconds: the server's own /metrics (tick duration
// quantiles per room, CPU, RSS, event-loop lag) and every bot process's
// window report (loss, update age, bytes, connect time, its own CPU and lag).
// It prints a table per step, the targets met or missed, and for a miss which
// resource ran out first; it writes docs/bench/load.json (summary per step
// and the raw runs) and docs/bench/load.svg. It exits non-zero only if the
// run itself failed (the server died, a step could not be measured).
//
//   npm run bench:load [-- --steps 50,100,150,200 --seconds 20 --room-size 25
//                         --bot-procs P --procs 1 --cpu-prof DIR]
//
// On Linux with at least 2 cores it pins the server to core 0 and the bots
// to the others (pinning.ts), so "server % of its core" is the server's own
// cost, and reads each process's CPU thread by thread from /proc (the
// JavaScript thread apart from node-datachannel's native threads). Each step
// is measured --repeats times in a row (the spread is the noise), and the
// server's CPU over every window is fitted with a line: its slope is the
// marginal cost per client, its intercept the fixed cost (marginal-cost.ts).
//
// With --procs N (2 to 4) it starts N server processes sharing a private
// Redis room directory, puts room load-k on process ((k - 1) mod N) + 1 (the
// bots of a room connect there), and reports the processes summed (CPU,
// memory, players) with every room's ticks; it writes
// docs/bench/load-Nprocs.json and .svg instead.
//
// With --cpu-prof DIR the server runs under `node --cpu-prof` and writes its
// profile into DIR when it stops; the bench prints the top self-time
// functions (bench/load/cpu-profile-top.ts reads a profile on its own too).
//
// Each step keeps the bots of the steps before and adds more. Starting over
// at each step would cost every client a new join (50+100+150+200 joins,
// paced: over 1.5 min of connecting), and a closed client's session stays
// resumable for minutes; adding keeps each step to 50 new joins and measures
// the same steady play. Each bot process's bots come from loopback addresses
// of their own (bot-plan.ts), streams and data channels alike.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_ROOMS, MAX_PLAYERS } from '../../protocol/constants.ts';
import { botSourceRange, planBotGroups, plannedConnectSeconds } from './bot-plan.ts';
import { clockTicksPerSecond, cpuBetween, readProcessCpu, type CpuBetween, type ProcessCpuReading } from '../common/thread-cpu.ts';
import { marginalCost } from './marginal-cost.ts';
import { planPinning, tasksetAvailable } from '../common/pinning.ts';
import { startBotProcess, type BotProcess } from './bot-process.ts';
import { renderLoadChart } from './chart.ts';
import { killChildrenOnExit } from './children.ts';
import { busyPct, readCpuTimes } from './machine-cpu.ts';
import { formatTop, selfTimeByFunction, type CpuProfile } from './cpu-profile-top.ts';
import {
  roomTable,
  stepTable,
  summarizeStep,
  summarizeUnmeasured,
  unmeasuredLines,
  verdictLines,
  TARGETS,
  type BotConnected,
  type BotWindow,
  type StepRun,
  type StepSummary,
  type UnmeasuredStep,
} from './report.ts';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-server.ts';
import { combineSamples, sampleServer, type ServerSample } from './server-sample.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import { defineCommand, flagsOrExit, UsageError } from '../../game-server/cli/flags.ts';
import { startProgress } from '../../scripts/cli/progress.ts';

const MAX_PROCS = 4;
const MAX_BOT_PROCS = 16;
/** After a step's bots connect: new peers settle, and the rooms' 10 s tick summaries fill with the new load. */
const SETTLE_MS = 5_000;
/** A bot chats every 30 s on average: 50 bots are under 2 lines/s per room, within the per-address chat limit (5/s). */
const CHAT_EVERY_S = 30;
const CONNECT_TIMEOUT_S = 20;
/** A bot process's own start (tsx, node-datachannel) on a busy machine. */
const BOT_STARTUP_S = 20;
const MAX_CLIENTS = 2_000;
const PROFILE_TOP = 20;

const MAX_REPEATS = 5;
const LOAD_COMMAND = defineCommand({
  name: 'npm run bench:load',
  about: 'How many clients one server process carries: bots added step by step, the server and the bots measured at each.',
  flags: {
    steps: { type: 'string', value: 'LIST', default: '50,100,150,200', help: `client counts, increasing, comma-separated (up to ${MAX_CLIENTS})` },
    seconds: { type: 'string', value: 'S', default: '20', help: 'length of one measured window (5 to 600)' },
    repeats: { type: 'string', value: 'N', default: '2', help: `windows measured per step (1 to ${MAX_REPEATS})` },
    'room-size': { type: 'string', value: 'N', default: '25', help: `clients per room (1 to ${MAX_PLAYERS})` },
    'bot-procs': { type: 'string', value: 'P', defaultText: 'one per bot core', help: `bot processes (1 to ${MAX_BOT_PROCS})` },
    procs: { type: 'string', value: 'N', default: '1', help: `server processes sharing a private Redis directory (1 to ${MAX_PROCS})` },
    'cpu-prof': {
      type: 'string',
      value: 'DIR',
      defaultText: 'off',
      help: 'run the server under node --cpu-prof, its profile into DIR, and print the top functions',
    },
  },
  notes: 'Writes docs/bench/load.json and load.svg (load-Nprocs.* with --procs N); exits 1 only if the run itself failed.',
});
const args = flagsOrExit(LOAD_COMMAND, (values) => {
  const procs = Number(values.procs);
  if (!Number.isInteger(procs) || procs < 1 || procs > MAX_PROCS)
    throw new UsageError(`--procs: 1 to ${MAX_PROCS} server processes, got ${JSON.stringify(values.procs)}`);
  const repeats = Number(values.repeats);
  if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= MAX_REPEATS))
    throw new UsageError(`--repeats: 1 to ${MAX_REPEATS} windows per step, got ${JSON.stringify(values.repeats)}`);
  const steps = values.steps.split(',').map(Number);
  const seconds = Number(values.seconds);
  const roomSize = Number(values['room-size']);
  const stepsOk = steps.every((n, i) => Number.isInteger(n) && n >= 1 && n <= MAX_CLIENTS && (i === 0 || n > steps[i - 1]!));
  if (!stepsOk || !(seconds >= 5 && seconds <= 600) || !(Number.isInteger(roomSize) && roomSize >= 1 && roomSize <= MAX_PLAYERS)) {
    throw new UsageError(`--steps: increasing client counts up to ${MAX_CLIENTS}; 5 ≤ --seconds ≤ 600; 1 ≤ --room-size ≤ ${MAX_PLAYERS}`);
  }
  const botProcs = values['bot-procs'];
  if (botProcs !== undefined && !(Number.isInteger(Number(botProcs)) && Number(botProcs) >= 1 && Number(botProcs) <= MAX_BOT_PROCS)) {
    throw new UsageError(`--bot-procs: 1 to ${MAX_BOT_PROCS} bot processes, got ${JSON.stringify(botProcs)}`);
  }
  return values;
});
const procs = Number(args.procs);
const REPORT_JSON = procs === 1 ? 'docs/bench/load.json' : `docs/bench/load-${procs}procs.json`;
const REPORT_SVG = procs === 1 ? 'docs/bench/load.svg' : `docs/bench/load-${procs}procs.svg`;
const steps = args.steps.split(',').map(Number);
const seconds = Number(args.seconds);
const roomSize = Number(args['room-size']);
const repeats = Number(args.repeats);
const cpuProfDir = args['cpu-prof'];
const cores = availableParallelism();
const pinning = planPinning(cores, procs, tasksetAvailable());
/** The cores the bots run on, one by one (empty: not pinned). */
const botCoreList = pinning.bots === null ? [] : coresIn(pinning.bots);
/** What "the bots' % of their cores" divides by. */
const botCores = pinning.bots === null ? cores : botCoreList.length;
/**
 * One bot process per bot core by default: processes sharing a core wait for
 * each other's turn on it, and that wait shows as update age (docs/benchmarks.md,
 * "Where the update age goes"). Process i runs on bot core i mod n.
 */
const botProcs = args['bot-procs'] === undefined ? Math.max(1, botCoreList.length) : Number(args['bot-procs']);
const ticksPerSecond = clockTicksPerSecond();
const roomsNeeded = Math.ceil(steps[steps.length - 1]! / roomSize);
/** Every bot process lives at most this long; the bench normally ends them sooner. */
const botLifeS = steps.length * (seconds + SETTLE_MS / 1000 + CONNECT_TIMEOUT_S + BOT_STARTUP_S + 60);

const fleet: BotProcess[] = [];
const serversToStop: ServerProcess[] = [];
let redis: PrivateRedis | null = null;
let stopped: Promise<void> | null = null;
killChildrenOnExit(() => stopEverything());

if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
// Several processes share a private Redis room directory (scripts/redis-server.ts).
if (procs > 1) redis = await startPrivateRedis();
for (let i = 0; i < procs; i++) {
  const directory = redis ? ['--redis-url', redis.url, '--server-id', `load-server-${i + 1}`] : [];
  serversToStop.push(
    await startServerProcess(
      ['--room-capacity', String(roomSize), '--max-rooms', String(Math.max(DEFAULT_MAX_ROOMS, roomsNeeded)), ...directory],
      cpuProfDir,
      pinning.servers[i]!,
    ),
  );
}
const servers = serversToStop;
/** The process a room's bots connect to: room load-k on process ((k - 1) mod N) + 1. */
const serverFor = (room: string) => servers[(Number(/\d+$/.exec(room)?.[0] ?? 1) - 1) % servers.length]!;
console.log(
  `bench:load against ${servers.map((s) => s.url).join(', ')}: steps ${steps.join(', ')} clients, rooms of ${roomSize}, ${botProcs} bot process(es), ` +
    `${seconds} s measured ${repeats} time(s) per step; ${cores} cores, ${pinning.note}${cpuProfDir ? `; server profiled into ${cpuProfDir}` : ''}`,
);
const idle = combineSamples(await Promise.all(servers.map((s) => sampleServer(s.opsUrl))));
const runs: StepRun[] = [];
const rows: StepSummary[] = [];
let unmeasured: UnmeasuredStep | null = null;
let failure: string | null = null;
/** One step per window; a step's first window also connects its new bots, so the measured mean soon beats this plan. */
const progress = startProgress({ total: steps.length * repeats, plannedStepMs: seconds * 1000 + SETTLE_MS });
try {
  everyStep: for (const clients of steps) {
    for (let repeat = 1; repeat <= repeats; repeat++) {
      progress.step(`${clients} clients, window ${repeat}/${repeats}${repeat === 1 ? ' (connecting the new bots first)' : ''}`);
      const outcome = await runStep(clients, repeat === 1);
      if (!outcome.measured) {
        // The server is dead or overwhelmed: a bigger step has nothing left to show.
        unmeasured = outcome.step;
        failure = `${clients} clients not measured: ${outcome.step.reason}`;
        progress.end();
        console.error(failure);
        break everyStep;
      }
      const run = outcome.run;
      runs.push(run);
      const row = summarizeStep(run, rows[0]);
      rows.push(row);
      progress.log(
        `${clients} clients (window ${repeat}/${repeats}): ${row.playing} playing in ${row.rooms.length} room(s); tick p99 worst ${row.worstRoom?.tickP99Ms.toFixed(2) ?? '–'} ms; ` +
          `server ${row.serverCpuPctOfCore} % of its core (JS thread ${row.serverThreads?.mainPct ?? '–'} %, other threads ${row.serverThreads?.otherPct ?? '–'} %); ` +
          `loss ${row.datagramLossPct} %; age p50/p99 ${row.ageP50Ms}/${row.ageP99Ms} ms; bots ${row.botCoresPct} % of their ${botCores} core(s); machine ${row.machineCpuPct} %`,
      );
    }
  }
} catch (error) {
  failure = (error as Error).message;
  console.error(`the run failed: ${failure}`);
} finally {
  progress.end();
  await stopEverything();
}

console.log(`\n${stepTable(rows)}\n\n${roomTable(rows)}\n`);
/** The server's CPU against clients playing, over every window: its slope is what one more client costs. */
const capacity = marginalCost(rows.map((r) => ({ clients: r.playing, cpuMsPerS: 10 * r.serverCpuPctOfCore })));
console.log(capacityLine(capacity, procs));
console.log([...verdictLines(rows, cores), ...(unmeasured ? unmeasuredLines(unmeasured, cores) : [])].join('\n'));
const profile = cpuProfDir ? newestProfile(cpuProfDir) : null;
if (profile) console.log(`\nserver CPU profile ${profile.file}, top self time (% of busy time):\n${formatTop(profile.top, PROFILE_TOP)}`);
mkdirSync('docs/bench', { recursive: true });
writeFileSync(
  REPORT_JSON,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      machine: { cores, cpu: cpus()[0]?.model ?? 'unknown' },
      settings: { steps, seconds, repeats, roomSize, botProcs, procs, settleMs: SETTLE_MS, chatEveryS: CHAT_EVERY_S },
      pinning: { ...pinning, botCores },
      capacity,
      targets: TARGETS,
      failure,
      summary: rows,
      unmeasured,
      profileTop: profile ? profile.top.filter((t) => t.where !== '(idle)').slice(0, PROFILE_TOP) : undefined,
      runs,
    },
    null,
    2,
  )}\n`,
);
if (rows.length > 0) writeFileSync(REPORT_SVG, await renderLoadChart(rows));
console.log(`\nwrote ${REPORT_JSON}${rows.length > 0 ? ` and ${REPORT_SVG}` : ''}`);
process.exit(failure ? 1 : 0);

/**
 * Adds bot processes up to `clients` (on a step's first window: `grow`), lets
 * them settle, and measures one window; unmeasured if the server died or
 * stopped answering /metrics.
 */
async function runStep(clients: number, grow: boolean): Promise<{ measured: true; run: StepRun } | { measured: false; step: UnmeasuredStep }> {
  const connects = grow ? await growFleet(clients) : [];
  const machineAtStart = readCpuTimes();
  const start = await scrape();
  if (start instanceof Error) {
    const windows = await reportsFromFleet();
    return { measured: false, step: summarizeUnmeasured(clients, start.message, connects, windows, busyPct(machineAtStart, readCpuTimes())) };
  }
  const threadsAtStart = readThreads();
  await reportsFromFleet(); // opens every process's window
  await sleep(seconds * 1000);
  const end = await scrape();
  const threads = threadsSince(threadsAtStart);
  const machineBusy = busyPct(machineAtStart, readCpuTimes());
  const windows = await reportsFromFleet();
  if (end instanceof Error) return { measured: false, step: summarizeUnmeasured(clients, end.message, connects, windows, machineBusy) };
  return {
    measured: true,
    run: {
      clients,
      windowSeconds: seconds,
      idle,
      start,
      end,
      connects,
      windows,
      botProcesses: fleet.length,
      cores,
      botCores,
      machineBusyPct: machineBusy,
      ...threads,
    },
  };
}

/**
 * Brings the bots to `clients`: starts the bot processes on the first call,
 * then gives them their new groups (bot-plan.ts), waits for the groups to
 * connect, and lets them settle.
 */
async function growFleet(clients: number): Promise<BotConnected[]> {
  if (fleet.length === 0) {
    for (let i = 0; i < botProcs; i++) {
      fleet.push(
        startBotProcess({
          url: servers[0]!.url,
          chatEveryS: CHAT_EVERY_S,
          connectTimeoutS: CONNECT_TIMEOUT_S,
          durationS: botLifeS,
          cores: botCoreList.length === 0 ? null : botCoreList[i % botCoreList.length]!,
          // Its own loopback addresses: the server's per-address limits see one address per bot (bot-plan.ts).
          from: botSourceRange(i),
        }),
      );
    }
  }
  const current = fleet.reduce((n, b) => n + b.count, 0);
  // The groups connect at once: each takes its share of one address's join budget, to spread the setups (bot-plan.ts).
  const plan = planBotGroups(current, clients, roomSize, fleet.length);
  const connectBudgetMs = (BOT_STARTUP_S + CONNECT_TIMEOUT_S + plannedConnectSeconds(plan)) * 1000;
  const connects = await Promise.all(
    plan.map((group) =>
      fleet[group.process]!.join(
        { url: serverFor(group.room).url, room: group.room, count: group.count, joinRatePerS: group.joinRatePerS, joinBurst: group.joinBurst },
        connectBudgetMs,
      ).catch(
        (error: unknown): BotConnected => ({
          report: 'connected',
          clients: group.count,
          connected: 0,
          connectMs: [],
          errors: [(error as Error).message],
        }),
      ),
    ),
  );
  const connected = connects.reduce((n, c) => n + c.connected, 0);
  console.log(`  +${clients - current} bots in ${plan.length} room group(s): ${connected} connected; settling ${SETTLE_MS / 1000} s`);
  for (const error of connects.flatMap((c) => c.errors).slice(0, 5)) console.log(`  connect error: ${error}`);
  await sleep(SETTLE_MS);
  return connects;
}

/** Every server's and bot process's threads now (/proc; empty elsewhere). */
function readThreads(): { servers: (ProcessCpuReading | null)[]; bots: (ProcessCpuReading | null)[] } {
  return {
    servers: servers.map((s) => (s.child.pid === undefined ? null : readProcessCpu(s.child.pid))),
    bots: fleet.map((b) => (b.child.pid === undefined ? null : readProcessCpu(b.child.pid))),
  };
}

/** The servers' CPU thread by thread, and the bots' all together, since `start`; null parts where /proc could not say. */
function threadsSince(start: ReturnType<typeof readThreads>): { serverThreads: CpuBetween[] | null; botCpuMs: number | null } {
  const end = readThreads();
  const between = (a: ProcessCpuReading | null, b: ProcessCpuReading | null) => (a && b ? cpuBetween(a, b, ticksPerSecond) : null);
  const serverThreads = end.servers.map((reading, i) => between(start.servers[i] ?? null, reading));
  const bots = end.bots.map((reading, i) => between(start.bots[i] ?? null, reading));
  return {
    serverThreads: serverThreads.every((t) => t !== null) ? serverThreads : null,
    botCpuMs: bots.length > 0 && bots.every((b) => b !== null) ? bots.reduce((n, b) => n + b!.processCpuMs, 0) : null,
  };
}

/** The server's /metrics now, or why not (plainly, if the reason is that the server is gone). */
async function scrape(): Promise<ServerSample | Error> {
  try {
    return combineSamples(await Promise.all(servers.map((s) => sampleServer(s.opsUrl))));
  } catch (error) {
    for (const server of servers) {
      const { exitCode, signalCode } = server.child;
      if (exitCode !== null || signalCode !== null)
        return new Error(`a server died (${exitCode ?? signalCode}): ${server.stderrTail().trim() || 'nothing on stderr'}`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** A window report from every bot process that answers (a dead or stuck one is left out, and counted as missing). */
async function reportsFromFleet(): Promise<BotWindow[]> {
  const settled = await Promise.allSettled(fleet.map((bot) => bot.report()));
  return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
}

/** Ends every bot process, then the server (which writes its profile). Once, however often it is asked. */
function stopEverything(): Promise<void> {
  stopped ??= (async () => {
    await Promise.all(fleet.map((bot) => bot.stop()));
    await Promise.all(serversToStop.map((server) => server.stop()));
    await redis?.stop();
  })();
  return stopped;
}

/**
 * The newest main-thread .cpuprofile in `dir`, summed up by function. Node
 * writes one profile per thread (CPU.<date>.<time>.<pid>.<thread>.<n>); tsx's
 * loader runs in a worker thread of its own, so thread 0 is the server.
 */
function newestProfile(dir: string): { file: string; top: ReturnType<typeof selfTimeByFunction> } | null {
  const files = readdirSync(dir)
    .filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) {
    console.error(`no main-thread .cpuprofile in ${dir}: the server did not exit cleanly`);
    return null;
  }
  return { file: files[0]!, top: selfTimeByFunction(JSON.parse(readFileSync(files[0]!, 'utf8')) as CpuProfile) };
}

/** The cores a taskset list such as "1-3" or "1,3" names, one by one. */
function coresIn(list: string): string[] {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to! - from! + 1 }, (_, i) => String(from! + i));
  });
}

/** The marginal-cost line in words. */
function capacityLine(cost: ReturnType<typeof marginalCost>, serverProcesses: number): string {
  if (!cost) return 'server cost per client: needs windows at two client counts at least';
  const perCore =
    cost.clientsPerCore === null ? 'no capacity figure (the cost did not rise with clients)' : `one core at 60 % holds about ${cost.clientsPerCore} clients`;
  return (
    `server cost${serverProcesses > 1 ? ` (${serverProcesses} processes summed)` : ''}: marginal ${cost.marginalMsPerClientS} ms CPU per client-second, ` +
    `fixed ${cost.fixedPctOfCore} % of a core (the line over ${cost.points} windows; points within ±${cost.residualPctOfCore} % of a core of it); ${perCore}`
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
