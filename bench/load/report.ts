// What one load step measured and how it is judged: the server's own figures
// (from /metrics at the start and end of the window) and every bot process's
// window report are summed up into one row per step; each row is checked
// against the targets, and a row that misses one says which resource ran out.
import { histogramPercentile, mergeHistograms, type AgeHistogram } from './age-histogram.ts';
import type { CpuBetween } from '../common/thread-cpu.ts';
import type { RoomTick, ServerSample } from './server-sample.ts';

/** A bot process's first line: its bots connected (or gave up). */
export interface BotConnected {
  report: 'connected';
  clients: number;
  connected: number;
  /** Each connected bot's time from the start of its connect to its data channel open. */
  connectMs: number[];
  errors: string[];
}

/** A bot process's window report (game-client/bots/bot-measurements.ts, BotMeasurements.closeWindow). */
export interface BotWindow {
  report: 'window';
  seconds: number;
  clients: number;
  connected: number;
  /** Both channels open and datagrams arriving during the window. */
  playing: number;
  datagram: { received: number; lost: number; lossPct: number };
  ageP50Ms: number;
  ageP99Ms: number;
  ageHistogram: AgeHistogram;
  bytesPerSecDownPerClient: { datagram: number; stream: number };
  cpuPctOfCore: number;
  eventLoopLagP99Ms: number;
}

/** Everything one step recorded, kept raw in load.json. */
export interface StepRun {
  /** Clients asked for in this step (all rooms). */
  clients: number;
  windowSeconds: number;
  /** The server before any client joined, for memory per client. */
  idle: ServerSample;
  start: ServerSample;
  end: ServerSample;
  /** Connect reports of the bot processes this step added. */
  connects: BotConnected[];
  /** Window reports of every bot process alive in this step (missing if a process died or did not answer). */
  windows: BotWindow[];
  /** Bot processes that should have reported. */
  botProcesses: number;
  /** CPU cores of this machine. */
  cores: number;
  /** The cores the bots ran on (all of them when nothing was pinned). */
  botCores: number;
  /** Each server process's CPU over the window, thread by thread (/proc); null where it could not be read. */
  serverThreads: CpuBetween[] | null;
  /** Every bot process's CPU over the window, summed, all threads (/proc); null where it could not be read. */
  botCpuMs: number | null;
  /** The whole machine's busy share of all cores over the window, every process counted (/proc/stat); null where unknown. */
  machineBusyPct: number | null;
}

export interface StepSummary {
  clients: number;
  connected: number;
  playing: number;
  rooms: RoomTick[];
  worstRoom: RoomTick | null;
  serverCpuPctOfCore: number;
  /** The server's JavaScript thread and its other threads (node-datachannel's, node's own), % of a core; null without /proc. */
  serverThreads: { mainPct: number; otherPct: number; byName: { name: string; threads: number; pct: number }[] } | null;
  /** The bots' CPU as % of the cores they ran on (100 = all of them busy). */
  botCoresPct: number;
  /** Server CPU time per connected client per second of the window, ms. */
  cpuMsPerClientSecond: number;
  /** cpuMsPerClientSecond ÷ the first step's. */
  cpuVsFirstStep: number;
  rssMb: number;
  /** RSS above the idle server's, per connected client. */
  rssKbPerClient: number;
  serverLoopLagP99Ms: number;
  datagramLossPct: number;
  ageP50Ms: number;
  ageP99Ms: number;
  bytesPerSecPerClient: { datagram: number; stream: number };
  /** Datagram snapshots the server sent per connected client per second (the snapshot rate when it keeps up). */
  snapshotsPerClientSecond: number;
  /** What the server dropped during the window, by `channel direction reason` (only those it did drop). */
  serverDrops: Record<string, number>;
  connectMs: { p50: number; p99: number };
  connectFailures: number;
  botProcesses: { expected: number; reported: number; cpuPctOfCoreMax: number; loopLagP99MsMax: number };
  /** The server and all the bots together, as % of all the machine's cores. */
  serverAndBotsCpuPct: number;
  /** The whole machine (anything else running too), as % of all its cores; the server and bots' share where /proc/stat is missing. */
  machineCpuPct: number;
}

export const TARGETS = {
  tickP99Ms: 4,
  datagramLossPct: 1,
  ageP99Ms: 50,
  /** Server CPU per client-second may differ from the first step's by this share either way. */
  cpuPerClientDrift: 0.2,
} as const;

/** A resource counts as run out at this share of what it has. */
const CPU_LIMIT_SHARE = 0.9;
/** Event-loop lag that makes a 60 Hz tick late: one tick interval. */
const LOOP_LAG_LIMIT_MS = 1000 / 60;

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const sum = (values: number[]) => values.reduce((n, v) => n + v, 0);

/** The merged percentile of the bots' connect times (exact: they report every one). */
function percentileOf(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One step's row; `first` is the first step's row (absent for the first step itself). */
export function summarizeStep(run: StepRun, first?: StepSummary): StepSummary {
  const seconds = (run.end.atMs - run.start.atMs) / 1000;
  const connected = sum(run.windows.map((w) => w.connected));
  const cpuSeconds = run.end.cpuSeconds - run.start.cpuSeconds;
  const cpuMsPerClientSecond = round((1000 * cpuSeconds) / Math.max(1, connected) / seconds, 3);
  const received = sum(run.windows.map((w) => w.datagram.received));
  const lost = sum(run.windows.map((w) => w.datagram.lost));
  const ages = mergeHistograms(run.windows.map((w) => w.ageHistogram));
  /** Per-client rates, weighted by each process's connected clients. */
  const perClient = (pick: (w: BotWindow) => number) => Math.round(sum(run.windows.map((w) => pick(w) * w.connected)) / Math.max(1, connected));
  const connectMs = run.connects.flatMap((c) => c.connectMs);
  const measuredRooms = run.end.rooms.filter((r) => Number.isFinite(r.tickP99Ms));
  const worstRoom = measuredRooms.reduce<RoomTick | null>((worst, r) => (worst === null || r.tickP99Ms > worst.tickP99Ms ? r : worst), null);
  const serverCpuPctOfCore = round((100 * cpuSeconds) / seconds);
  const botCpu = run.windows.map((w) => w.cpuPctOfCore);
  const serverAndBotsCpuPct = round((serverCpuPctOfCore + sum(botCpu)) / run.cores);
  // From /proc where it answers (every thread, exactly the window); else the bots' own reports.
  const botCpuPctOfOneCore = run.botCpuMs !== null ? (100 * run.botCpuMs) / 1000 / seconds : sum(botCpu);
  return {
    clients: run.clients,
    connected,
    playing: sum(run.windows.map((w) => w.playing)),
    rooms: run.end.rooms,
    worstRoom,
    serverCpuPctOfCore,
    serverThreads: run.serverThreads ? threadShares(run.serverThreads) : null,
    botCoresPct: round(botCpuPctOfOneCore / Math.max(1, run.botCores)),
    cpuMsPerClientSecond,
    cpuVsFirstStep: first ? round(cpuMsPerClientSecond / first.cpuMsPerClientSecond, 2) : 1,
    rssMb: round(run.end.rssBytes / 1e6),
    rssKbPerClient: round((run.end.rssBytes - run.idle.rssBytes) / 1e3 / Math.max(1, connected)),
    serverLoopLagP99Ms: round(run.end.eventLoopLagP99Ms),
    datagramLossPct: received + lost === 0 ? 0 : round((100 * lost) / (received + lost), 2),
    ageP50Ms: histogramPercentile(ages, 50),
    ageP99Ms: histogramPercentile(ages, 99),
    bytesPerSecPerClient: { datagram: perClient((w) => w.bytesPerSecDownPerClient.datagram), stream: perClient((w) => w.bytesPerSecDownPerClient.stream) },
    snapshotsPerClientSecond: round((run.end.datagramSnapshotsSent - run.start.datagramSnapshotsSent) / Math.max(1, connected) / seconds),
    serverDrops: dropsDuring(run.start.drops, run.end.drops),
    connectMs: { p50: percentileOf(connectMs, 50), p99: percentileOf(connectMs, 99) },
    connectFailures: sum(run.connects.map((c) => c.clients - c.connected)),
    botProcesses: {
      expected: run.botProcesses,
      reported: run.windows.length,
      cpuPctOfCoreMax: botCpu.length === 0 ? 0 : Math.max(...botCpu),
      loopLagP99MsMax: Math.max(0, ...run.windows.map((w) => w.eventLoopLagP99Ms)),
    },
    serverAndBotsCpuPct,
    machineCpuPct: run.machineBusyPct ?? serverAndBotsCpuPct,
  };
}

/** Several server processes' threads as one picture, each as % of one core over its window. */
function threadShares(servers: CpuBetween[]): NonNullable<StepSummary['serverThreads']> {
  const pct = (ms: number, windowMs: number) => round((100 * ms) / windowMs);
  const byName = new Map<string, { name: string; threads: number; pct: number }>();
  for (const server of servers) {
    for (const group of server.groups) {
      const entry = byName.get(group.name) ?? { name: group.name, threads: 0, pct: 0 };
      entry.threads += group.threads;
      entry.pct = round(entry.pct + pct(group.cpuMs, server.windowMs));
      byName.set(group.name, entry);
    }
  }
  return {
    mainPct: round(sum(servers.map((s) => pct(s.mainCpuMs, s.windowMs)))),
    otherPct: round(sum(servers.map((s) => pct(s.otherThreadsCpuMs, s.windowMs)))),
    byName: [...byName.values()].filter((g) => g.pct > 0).sort((a, b) => b.pct - a.pct),
  };
}

function dropsDuring(start: Record<string, number>, end: Record<string, number>): Record<string, number> {
  const during = Object.entries(end).map(([key, count]) => [key, count - (start[key] ?? 0)] as const);
  return Object.fromEntries(during.filter(([, count]) => count > 0));
}

export interface TargetResult {
  target: string;
  met: boolean;
  measured: string;
}

/** Each target, met or missed, for one step. */
export function judgeStep(s: StepSummary): TargetResult[] {
  const roomsOver = s.rooms.filter((r) => !(r.tickP99Ms < TARGETS.tickP99Ms));
  return [
    { target: `${s.clients} clients connected and playing`, met: s.playing === s.clients, measured: `${s.playing}/${s.clients} playing` },
    {
      target: `tick p99 < ${TARGETS.tickP99Ms} ms in every room`,
      met: s.rooms.length > 0 && roomsOver.length === 0,
      measured: s.worstRoom ? `worst ${round(s.worstRoom.tickP99Ms, 2)} ms (${s.worstRoom.room})` : 'no room ticked',
    },
    { target: `datagram loss < ${TARGETS.datagramLossPct} %`, met: s.datagramLossPct < TARGETS.datagramLossPct, measured: `${s.datagramLossPct} %` },
    { target: `update age p99 < ${TARGETS.ageP99Ms} ms`, met: s.ageP99Ms < TARGETS.ageP99Ms, measured: `${s.ageP99Ms} ms` },
    {
      target: `server CPU per client within ±${TARGETS.cpuPerClientDrift * 100} % of the first step`,
      met: Math.abs(s.cpuVsFirstStep - 1) <= TARGETS.cpuPerClientDrift,
      measured: `${s.cpuMsPerClientSecond} ms/client-s (×${s.cpuVsFirstStep})`,
    },
  ];
}

export interface Exhausted {
  resource: string;
  detail: string;
  /** Measured ÷ limit, within a kind: the one furthest past its limit ran out first. */
  severity: number;
}

/**
 * The resources at or past their limit in a step, in the order they explain
 * a miss. Connects failing first: with clients missing, every other figure
 * describes a smaller load than asked for. Then CPU (the server's, a bot
 * process's, the machine's), the worst first. Event-loop lag last: it is
 * what a starved CPU looks like from inside, so it is the cause only when no
 * CPU ran out (then something blocks the loop: GC, synchronous work).
 */
export function exhaustedResources(s: StepSummary, cores: number): Exhausted[] {
  const connects: Exhausted[] = [];
  const missing = s.clients - s.playing;
  if (s.connectFailures > 0 || missing > 0) {
    connects.push({ resource: 'connects failing', detail: `${s.connectFailures} failed to connect, ${missing} not playing`, severity: Infinity });
  }
  const cpu: Exhausted[] = [];
  const cpuLimit = 100 * CPU_LIMIT_SHARE;
  if (s.serverCpuPctOfCore >= cpuLimit) {
    cpu.push({ resource: 'server CPU', detail: `${s.serverCpuPctOfCore} % of a core`, severity: s.serverCpuPctOfCore / cpuLimit });
  }
  if (s.botProcesses.cpuPctOfCoreMax >= cpuLimit) {
    cpu.push({
      resource: 'bot CPU',
      detail: `a bot process at ${s.botProcesses.cpuPctOfCoreMax} % of a core`,
      severity: s.botProcesses.cpuPctOfCoreMax / cpuLimit,
    });
  }
  if (s.botCoresPct >= cpuLimit) {
    cpu.push({ resource: "the bots' cores", detail: `${s.botCoresPct} % of the cores they run on`, severity: s.botCoresPct / cpuLimit });
  }
  if (s.machineCpuPct >= cpuLimit) {
    cpu.push({
      resource: 'machine CPU',
      detail: `${s.machineCpuPct} % of ${cores} cores busy, server + bots ${s.serverAndBotsCpuPct} %`,
      severity: s.machineCpuPct / cpuLimit,
    });
  }
  const lag: Exhausted[] = [];
  if (s.serverLoopLagP99Ms >= LOOP_LAG_LIMIT_MS) {
    lag.push({ resource: 'server event-loop lag', detail: `p99 ${s.serverLoopLagP99Ms} ms`, severity: s.serverLoopLagP99Ms / LOOP_LAG_LIMIT_MS });
  }
  if (s.botProcesses.loopLagP99MsMax >= LOOP_LAG_LIMIT_MS) {
    lag.push({
      resource: 'bot event-loop lag',
      detail: `p99 ${s.botProcesses.loopLagP99MsMax} ms`,
      severity: s.botProcesses.loopLagP99MsMax / LOOP_LAG_LIMIT_MS,
    });
  }
  const worstFirst = (list: Exhausted[]) => list.sort((a, b) => b.severity - a.severity);
  return [...connects, ...worstFirst(cpu), ...worstFirst(lag)];
}

/** The per-step table, in Markdown. */
export function stepTable(rows: StepSummary[]): string {
  const lines = [
    '| clients | playing | rooms | tick p50 / p99, worst room | server % of its core | JS thread / other threads | CPU per client-s | vs first | RSS (per client) | server lag p99 | loss | server drops | snapshots/s per client | age p50 / p99 | bytes/s per client (dgram + stream) | connect p50 / p99 | bots % of their cores | bot process CPU max / lag p99 | machine CPU (server + bots) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const tick = r.worstRoom ? `${round(r.worstRoom.tickP50Ms, 2)} / ${round(r.worstRoom.tickP99Ms, 2)} ms (${r.worstRoom.room})` : '–';
    lines.push(
      `| ${r.clients} | ${r.playing} | ${r.rooms.length} | ${tick} | ${r.serverCpuPctOfCore} % | ${r.serverThreads ? `${r.serverThreads.mainPct} / ${r.serverThreads.otherPct} %` : '–'} | ${r.cpuMsPerClientSecond} ms | ×${r.cpuVsFirstStep} | ` +
        `${r.rssMb} MB (${r.rssKbPerClient} kB) | ${r.serverLoopLagP99Ms} ms | ${r.datagramLossPct} % | ${dropsText(r.serverDrops)} | ` +
        `${r.snapshotsPerClientSecond} | ${r.ageP50Ms} / ${r.ageP99Ms} ms | ` +
        `${r.bytesPerSecPerClient.datagram} + ${r.bytesPerSecPerClient.stream} | ${r.connectMs.p50} / ${r.connectMs.p99} ms | ` +
        `${r.botCoresPct} % | ${r.botProcesses.cpuPctOfCoreMax} % / ${r.botProcesses.loopLagP99MsMax} ms | ${r.machineCpuPct} % (${r.serverAndBotsCpuPct} %) |`,
    );
  }
  return lines.join('\n');
}

function dropsText(drops: Record<string, number>): string {
  const entries = Object.entries(drops);
  return entries.length === 0 ? '0' : entries.map(([key, count]) => `${count} ${key}`).join(', ');
}

/** Every room's tick quantiles per step, in Markdown. */
export function roomTable(rows: StepSummary[]): string {
  const lines = ['| clients | room | players | tick p50 | tick p99 |', '|---|---|---|---|---|'];
  for (const r of rows) {
    for (const room of r.rooms)
      lines.push(`| ${r.clients} | ${room.room} | ${room.players} | ${round(room.tickP50Ms, 2)} ms | ${round(room.tickP99Ms, 2)} ms |`);
  }
  return lines.join('\n');
}

/** Targets met or missed per step, and what ran out where one was missed. */
export function verdictLines(rows: StepSummary[], cores: number): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    const results = judgeStep(row);
    const missed = results.filter((r) => !r.met);
    lines.push(`${row.clients} clients: ${missed.length === 0 ? 'all targets met' : `${missed.length} missed`}`);
    for (const r of results) lines.push(`  ${r.met ? 'met   ' : 'MISSED'} ${r.target}: ${r.measured}`);
    if (missed.length === 0) continue;
    const exhausted = exhaustedResources(row, cores);
    lines.push(
      exhausted.length === 0
        ? '  ran out: nothing watched reached its limit (server CPU, bot CPU, machine CPU, event-loop lag, connects)'
        : `  ran out first: ${exhausted[0]!.resource} (${exhausted[0]!.detail})` +
            (exhausted.length > 1
              ? `; also ${exhausted
                  .slice(1)
                  .map((e) => `${e.resource} (${e.detail})`)
                  .join(', ')}`
              : ''),
    );
  }
  return lines;
}

/**
 * A step whose window could not be measured: the server died, or stopped
 * answering /metrics. What the bots and the machine saw still says what ran out.
 */
export interface UnmeasuredStep {
  clients: number;
  reason: string;
  connectFailures: number;
  /** Clients playing by the bots' last reports (processes that did not answer count as none). */
  playing: number;
  botCpuPctOfCoreMax: number;
  /** Whole machine over the attempted window; null where unknown. */
  machineCpuPct: number | null;
}

/** The bot and machine side of a step whose server side is missing. */
export function summarizeUnmeasured(
  clients: number,
  reason: string,
  connects: BotConnected[],
  windows: BotWindow[],
  machineCpuPct: number | null,
): UnmeasuredStep {
  return {
    clients,
    reason,
    connectFailures: sum(connects.map((c) => c.clients - c.connected)),
    playing: sum(windows.map((w) => w.playing)),
    botCpuPctOfCoreMax: Math.max(0, ...windows.map((w) => w.cpuPctOfCore)),
    machineCpuPct,
  };
}

/** Its verdict: not measured, and what ran out, in the same order as exhaustedResources. */
export function unmeasuredLines(u: UnmeasuredStep, cores: number): string[] {
  const ranOut = [
    ...(u.connectFailures > 0 || u.playing < u.clients ? [`connects failing (${u.connectFailures} failed to connect, ${u.playing}/${u.clients} playing)`] : []),
    ...(u.machineCpuPct !== null && u.machineCpuPct >= 100 * CPU_LIMIT_SHARE ? [`machine CPU (${u.machineCpuPct} % of ${cores} cores busy)`] : []),
    ...(u.botCpuPctOfCoreMax >= 100 * CPU_LIMIT_SHARE ? [`bot CPU (a bot process at ${u.botCpuPctOfCoreMax} % of a core)`] : []),
    `the server's event loop (${u.reason})`,
  ];
  return [
    `${u.clients} clients: NOT MEASURED — ${u.reason}`,
    `  ran out first: ${ranOut[0]}${ranOut.length > 1 ? `; also ${ranOut.slice(1).join(', ')}` : ''}`,
  ];
}
