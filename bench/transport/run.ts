// `npm run bench:transport`: the transport's floor. What do WebRTC data
// channels alone cost in CPU, per message, before the game does anything?
// For each --pairs N it starts two processes (peer-process.ts): a "server"
// side holding N node-datachannel peer connections on one multiplexed UDP
// port, as geckos does, and a "clients" side holding the N other ends. They
// signal through this process (offers, answers and loopback candidates over
// their stdin/stdout: no signaling server), then every channel carries 30
// messages/s of 100 B each way, unordered and unreliable as the game's
// datagrams. After a warm-up this process reads each side's CPU from /proc,
// thread by thread (../common/thread-cpu.ts), over a window of --seconds, with the
// messages each side sent and received in it. It prints µs of CPU per message
// handled (sent + received) per side, split into the JavaScript main thread
// and the others (node-datachannel's native ones), % of a core, loss, and
// which threads took the time; and writes docs/bench/transport.json. The
// docs/benchmarks.md compares the game server's cost per message with this floor.
//
//   npm run bench:transport [-- --pairs 50,100,200 --seconds 10 --repeats 2 --warmup-seconds 3]
//
// On Linux with 2 or more cores the server side runs on core 0 and the
// clients side on the others (taskset -c, ../common/pinning.ts), so neither
// steals the other's core;
// elsewhere it says it could not pin. Each repeat starts fresh processes, and
// repeats go round the N values in turn so a slow drift of the machine does
// not land on one N. Every wait is bounded and the children are killed on exit.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCores, planPinning, tasksetAvailable } from '../common/pinning.ts';
import { bounded, exited, killChildrenOnExit, track } from '../load/children.ts';
import { busyPct, readCpuTimes } from '../load/machine-cpu.ts';
import { histogramBetween, histogramPercentileMs } from './latency-histogram.ts';
import type { ChildReport, ParentCommand, SideCounters } from './peer-process.ts';
import { MAIN_THREAD, clockTicksPerSecond, cpuBetween, readProcessCpu, type CpuBetween } from '../common/thread-cpu.ts';
import { defineCommand, flagsOrExit, UsageError } from '../../game-server/cli/flags.ts';

const REPORT_JSON = 'docs/bench/transport.json';
/** The game's datagram rate each way (DEFAULT_SNAPSHOT_RATE_HZ) and about the size of a snapshot or input on the wire. */
const MESSAGES_PER_SECOND = 30;
const MESSAGE_BYTES = 100;
const MAX_PAIRS = 500;
const MAX_REPEATS = 10;
/** tsx and node-datachannel loading on a busy machine. */
const STARTUP_TIMEOUT_MS = 30_000;
/** ICE, DTLS and SCTP for every pair on loopback; more pairs queue behind each other. */
const CONNECT_TIMEOUT_BASE_MS = 20_000;
const CONNECT_TIMEOUT_PER_PAIR_MS = 100;
/** A counters report is a few bytes of work: it comes at once unless the side's loop is stuck. */
const REPORT_TIMEOUT_MS = 5_000;
/** Closing every peer connection and letting node-datachannel wind down (peer-process.ts stop). */
const STOP_TIMEOUT_MS = 10_000;
const STDERR_TAIL_CHARS = 4_000;
/** One clock tick more or less in a side's CPU moving its figure by more than this is worth a warning. */
const RESOLUTION_WARN_PCT = 2;
/** A thread group under this share of a core is folded into "other threads" in the printed breakdown (the JSON keeps all). */
const PRINTED_THREAD_MIN_CORE_PCT = 0.5;

type Side = 'server' | 'clients';
const SIDES: readonly Side[] = ['server', 'clients'];

const TRANSPORT_COMMAND = defineCommand({
  name: 'npm run bench:transport',
  about: "The transport's floor: what WebRTC data channels alone cost in CPU per message, N pairs at the game's datagram rate.",
  flags: {
    pairs: { type: 'string', value: 'LIST', default: '50,100,200', help: `peer connection pairs, increasing, comma-separated (up to ${MAX_PAIRS})` },
    seconds: { type: 'string', value: 'S', default: '10', help: 'length of one measured window (1 to 600)' },
    repeats: { type: 'string', value: 'N', default: '2', help: `fresh processes per pair count (1 to ${MAX_REPEATS})` },
    'warmup-seconds': { type: 'string', value: 'S', default: '3', help: 'traffic before the window starts (0 to 60)' },
    'client-sack-ms': {
      type: 'string',
      value: 'MS',
      defaultText: "node-datachannel's 20",
      help: "the clients side's SCTP delayed-ack time, to compare with a browser's (0 to 500)",
    },
  },
  notes: `Writes ${REPORT_JSON}.`,
});
const { pairCounts, seconds, repeats, warmupSeconds, clientSackMs } = flagsOrExit(TRANSPORT_COMMAND, (args) => {
  const pairs = args.pairs.split(',').map(Number);
  const window = Number(args.seconds);
  const count = Number(args.repeats);
  const warmup = Number(args['warmup-seconds']);
  /**
   * The clients side's SCTP delayed-acknowledgement time (node-datachannel's
   * setSctpSettings), to compare with a browser's: libdatachannel acknowledges
   * after 20 ms by default, Chrome's SCTP waits up to 200 ms. Unset: the default.
   */
  const sack = args['client-sack-ms'] === undefined ? null : Number(args['client-sack-ms']);
  if (sack !== null && !(Number.isInteger(sack) && sack >= 0 && sack <= 500))
    throw new UsageError(`--client-sack-ms: 0 to 500, got ${JSON.stringify(args['client-sack-ms'])}`);
  const pairsOk = pairs.every((n, i) => Number.isInteger(n) && n >= 1 && n <= MAX_PAIRS && (i === 0 || n > pairs[i - 1]!));
  if (!pairsOk || !(window >= 1 && window <= 600) || !(Number.isInteger(count) && count >= 1 && count <= MAX_REPEATS) || !(warmup >= 0 && warmup <= 60)) {
    throw new UsageError(`--pairs: increasing counts up to ${MAX_PAIRS}; 1 ≤ --seconds ≤ 600; 1 ≤ --repeats ≤ ${MAX_REPEATS}; 0 ≤ --warmup-seconds ≤ 60`);
  }
  return { pairCounts: pairs, seconds: window, repeats: count, warmupSeconds: warmup, clientSackMs: sack };
});

const cores = availableParallelism();
/** The server side stands where bench:load's server does (core 0), the clients side where its bots do. */
const pinning = planPinning(cores, 1, tasksetAvailable());
const coresOf: Record<Side, string | null> = { server: pinning.servers[0]!, clients: pinning.bots };
const ticksPerSecond = clockTicksPerSecond();
const running = new Set<SideProcess>();
killChildrenOnExit(async () => {
  await Promise.all([...running].map((side) => side.stop()));
});

const benchStartedMs = performance.now();
console.log(
  `bench:transport: pairs ${pairCounts.join(', ')}, ${MESSAGES_PER_SECOND} messages/s of ${MESSAGE_BYTES} B each way per pair, unordered, no retransmits; ` +
    `${warmupSeconds} s warm-up, ${seconds} s measured, ${repeats} repeat(s); ${cores} cores; ${pinning.note}; ` +
    `clients' SCTP delayed SACK ${clientSackMs === null ? 'libdatachannel default' : `${clientSackMs} ms`}; ` +
    `/proc counts CPU in ticks of ${round(1000 / ticksPerSecond, 1)} ms per thread`,
);
const runs: Run[] = [];
let failure: string | null = null;
try {
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const pairs of pairCounts) {
      const run = await runOnce(pairs, repeat);
      runs.push(run);
      console.log(
        `${pairs} pairs, repeat ${repeat}: server ${run.server.usPerMessage.process} µs/msg (${run.server.corePct} % core), ` +
          `clients ${run.clients.usPerMessage.process} µs/msg (${run.clients.corePct} % core); ` +
          `loss to clients ${run.clients.incomingLossPct} %, to server ${run.server.incomingLossPct} %; ` +
          `latency p99 to clients ${run.clients.incomingLatencyMs.p99 ?? '–'} ms, to server ${run.server.incomingLatencyMs.p99 ?? '–'} ms; connected in ${run.connectMs} ms; ` +
          `machine ${run.machineBusyPct ?? '–'} % busy (this bench ${run.benchBusyPct} %)`,
      );
    }
  }
} catch (error) {
  failure = (error as Error).message;
  console.error(`the run failed: ${failure}`);
}

const summary = pairCounts
  .map((pairs) =>
    summarize(
      pairs,
      runs.filter((r) => r.pairs === pairs),
    ),
  )
  .filter((s) => s !== null);
const notes = [...flatnessLines(summary), ...resolutionLines(runs)];
console.log(`\n${summaryTable(summary)}\n\n${[...threadLines(summary), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n')}`);
mkdirSync('docs/bench', { recursive: true });
writeFileSync(
  REPORT_JSON,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      machine: { cores, cpu: cpus()[0]?.model ?? 'unknown', platform: process.platform, node: process.version },
      settings: {
        pairs: pairCounts,
        seconds,
        warmupSeconds,
        repeats,
        messagesPerSecond: MESSAGES_PER_SECOND,
        messageBytes: MESSAGE_BYTES,
        clientSackMs,
        channel: { unordered: true, maxRetransmits: 0 },
        serverSide: 'one UDP port for all peer connections (enableIceUdpMux, as geckos)',
        bindAddress: '127.0.0.1',
      },
      pinning,
      clockTicksPerSecond: ticksPerSecond,
      failure,
      summary,
      runs,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${REPORT_JSON} (${Math.round((performance.now() - benchStartedMs) / 1000)} s in all)`);
process.exit(failure ? 1 : 0);

/** One side's process, seen from here: its signaling, its channels opening, its counters on request. */
interface SideProcess {
  /** Resolves with its pid once it has loaded node-datachannel. */
  ready: Promise<number>;
  /** Resolves once every one of its channels is open; rejects after `timeoutMs`. */
  allOpen(timeoutMs: number): Promise<void>;
  send(command: ParentCommand): void;
  /** Where its offers, answers and candidates go. */
  forwardSignalingTo(other: SideProcess): void;
  counters(): Promise<SideCounters>;
  localPorts(): Promise<number[]>;
  /** Closes its stdin (it closes its peers and exits), then SIGKILLs it if it does not. */
  stop(): Promise<void>;
}

function startSide(side: Side, pairs: number, lifeSeconds: number): SideProcess {
  const node = [
    '--import',
    'tsx',
    'bench/transport/peer-process.ts',
    '--side',
    side,
    '--pairs',
    String(pairs),
    '--messages-per-second',
    String(MESSAGES_PER_SECOND),
    '--message-bytes',
    String(MESSAGE_BYTES),
    '--life-seconds',
    String(lifeSeconds),
    ...(side === 'clients' && clientSackMs !== null ? ['--sack-ms', String(clientSackMs)] : []),
  ];
  const child = track(spawn(...onCores(coresOf[side], process.execPath, node), { stdio: ['pipe', 'pipe', 'pipe'] }));
  child.stdin!.on('error', () => {}); // a dead side's closed pipe: noticed through 'exit' instead
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS)));
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${side} side exited (${code ?? signal})${stderrTail ? `:\n${stderrTail}` : ''}`))),
  );
  died.catch(() => {}); // only awaited through the races below

  let onReady: (pid: number) => void = () => {};
  const ready = new Promise<number>((resolve) => (onReady = resolve));
  let onAllOpen: () => void = () => {};
  const allOpen = new Promise<void>((resolve) => (onAllOpen = resolve));
  let opened = 0;
  let peer: SideProcess | null = null;
  const waitingForCounters: ((counters: SideCounters) => void)[] = [];
  const waitingForPorts: ((ports: number[]) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let report: ChildReport;
    try {
      report = JSON.parse(line) as ChildReport;
    } catch {
      return; // not ours (a library's stray output)
    }
    switch (report.type) {
      case 'ready':
        return onReady(report.pid);
      case 'description':
      case 'candidate':
        return peer?.send(report);
      case 'open':
        if (++opened === pairs) onAllOpen();
        return;
      case 'counters':
        return waitingForCounters.shift()?.(report.counters);
      case 'ports':
        return waitingForPorts.shift()?.(report.localPorts);
    }
  });

  const send = (command: ParentCommand) => void child.stdin!.write(`${JSON.stringify(command)}\n`);
  const ask = <T>(command: ParentCommand, queue: ((value: T) => void)[]) => {
    const answer = new Promise<T>((resolve) => queue.push(resolve));
    send(command);
    return bounded(Promise.race([answer, died]), REPORT_TIMEOUT_MS, `${command.type} from the ${side} side`);
  };
  const handle: SideProcess = {
    ready: bounded(Promise.race([ready, died]), STARTUP_TIMEOUT_MS, `the ${side} side to start`),
    allOpen: (timeoutMs) => bounded(Promise.race([allOpen, died]), timeoutMs, `all ${pairs} ${side} channels to open`),
    send,
    forwardSignalingTo: (other) => (peer = other),
    counters: () => ask({ type: 'counters' }, waitingForCounters),
    localPorts: () => ask({ type: 'ports' }, waitingForPorts),
    async stop() {
      running.delete(handle);
      child.stdin!.end();
      if (!(await exited(child, STOP_TIMEOUT_MS))) child.kill('SIGKILL');
    },
  };
  handle.ready.catch(() => {});
  running.add(handle);
  return handle;
}

/** What one side did and cost over the measured window. */
interface SideRun {
  cpuMs: number;
  corePct: number;
  sent: number;
  received: number;
  sendRefused: number;
  /** Loss of what the other side sent, from the sequence numbers this side saw. */
  incomingLossPct: number;
  /** One-way latency of what this side received: the other side's send to this side's handler, ms (null: nothing arrived). */
  incomingLatencyMs: { p50: number | null; p99: number | null };
  sentPerPairPerSecond: number;
  ticksSkipped: number;
  failedConnections: number;
  /** µs of CPU per message handled (sent + received): the whole process, its JavaScript main thread, its other threads. */
  usPerMessage: { process: number | null; main: number | null; otherThreads: number | null };
  threads: { name: string; threads: number; corePct: number }[];
  localUdpPorts: number;
}

interface Run {
  pairs: number;
  repeat: number;
  connectMs: number;
  windowMs: number;
  /** How busy all cores were over the window (100 = every core), and this bench's two sides' part of it: the rest is someone else's. */
  machineBusyPct: number | null;
  benchBusyPct: number;
  server: SideRun;
  clients: SideRun;
}

/** Starts both sides with `pairs` peer connections, connects them, warms up, measures one window and stops them. */
async function runOnce(pairs: number, repeat: number): Promise<Run> {
  const lifeSeconds = Math.ceil(
    (STARTUP_TIMEOUT_MS + CONNECT_TIMEOUT_BASE_MS + pairs * CONNECT_TIMEOUT_PER_PAIR_MS + STOP_TIMEOUT_MS) / 1000 + warmupSeconds + seconds + 30,
  );
  const server = startSide('server', pairs, lifeSeconds);
  const clients = startSide('clients', pairs, lifeSeconds);
  try {
    const [serverPid, clientsPid] = await Promise.all([server.ready, clients.ready]);
    server.forwardSignalingTo(clients);
    clients.forwardSignalingTo(server);
    const connectStartedMs = performance.now();
    server.send({ type: 'connect' });
    const connectTimeoutMs = CONNECT_TIMEOUT_BASE_MS + pairs * CONNECT_TIMEOUT_PER_PAIR_MS;
    await Promise.all([server.allOpen(connectTimeoutMs), clients.allOpen(connectTimeoutMs)]);
    const connectMs = Math.round(performance.now() - connectStartedMs);
    server.send({ type: 'send' });
    clients.send({ type: 'send' });
    await sleep(warmupSeconds * 1000);

    const read = async () => {
      // Both processes' /proc first, at one moment; the counters follow within a few ms, negligible against the window.
      const cpu = { server: readProcessCpu(serverPid), clients: readProcessCpu(clientsPid) };
      if (!cpu.server || !cpu.clients) throw new Error('cannot read /proc/PID/task/*/stat: this bench needs Linux');
      const machine = readCpuTimes();
      const [serverCounters, clientsCounters] = await Promise.all([server.counters(), clients.counters()]);
      return { cpu: { server: cpu.server, clients: cpu.clients }, machine, counters: { server: serverCounters, clients: clientsCounters } };
    };
    const start = await read();
    await sleep(seconds * 1000);
    const end = await read();
    const [serverPorts, clientsPorts] = await Promise.all([server.localPorts(), clients.localPorts()]);
    const measure = (side: Side, ports: number[]) =>
      sideRun(cpuBetween(start.cpu[side], end.cpu[side], ticksPerSecond), start.counters[side], end.counters[side], pairs, ports.length);
    const serverRun = measure('server', serverPorts);
    const clientsRun = measure('clients', clientsPorts);
    const windowMs = end.cpu.server.atMs - start.cpu.server.atMs;
    return {
      pairs,
      repeat,
      connectMs,
      windowMs: Math.round(windowMs),
      machineBusyPct: busyPct(start.machine, end.machine),
      benchBusyPct: round((100 * (serverRun.cpuMs + clientsRun.cpuMs)) / windowMs / cores, 1),
      server: serverRun,
      clients: clientsRun,
    };
  } finally {
    await Promise.all([server.stop(), clients.stop()]);
  }
}

function sideRun(cpu: CpuBetween, start: SideCounters, end: SideCounters, pairs: number, localUdpPorts: number): SideRun {
  const sent = end.sent - start.sent;
  const received = end.received - start.received;
  const expected = end.expected - start.expected;
  const messages = sent + received;
  const perMessage = (cpuMs: number) => (messages > 0 ? round((1000 * cpuMs) / messages, 2) : null);
  const corePct = (cpuMs: number) => round((100 * cpuMs) / cpu.windowMs, 1);
  return {
    cpuMs: Math.round(cpu.processCpuMs),
    corePct: corePct(cpu.processCpuMs),
    sent,
    received,
    sendRefused: end.sendRefused - start.sendRefused,
    incomingLossPct: expected > 0 ? round((100 * Math.max(0, expected - received)) / expected, 3) : 0,
    incomingLatencyMs: latencyOf(histogramBetween(start.latencyBuckets, end.latencyBuckets)),
    sentPerPairPerSecond: round(sent / pairs / (cpu.windowMs / 1000), 1),
    ticksSkipped: end.ticksSkipped - start.ticksSkipped,
    failedConnections: end.failedConnections,
    usPerMessage: { process: perMessage(cpu.processCpuMs), main: perMessage(cpu.mainCpuMs), otherThreads: perMessage(cpu.otherThreadsCpuMs) },
    threads: cpu.groups.map((g) => ({ name: g.name, threads: g.threads, corePct: corePct(g.cpuMs) })),
    localUdpPorts,
  };
}

function latencyOf(histogram: number[]): SideRun['incomingLatencyMs'] {
  return { p50: histogramPercentileMs(histogram, 50), p99: histogramPercentileMs(histogram, 99) };
}

/** The median and range of one figure over the repeats. */
interface Spread {
  median: number;
  min: number;
  max: number;
}

interface SideSummary {
  usPerMessage: Spread;
  mainUsPerMessage: Spread;
  otherThreadsUsPerMessage: Spread;
  corePct: Spread;
  messagesPerSecond: Spread;
  incomingLossPct: Spread;
  /** One-way latency of what this side received, p50 and p99 (ms), over the repeats. */
  incomingLatencyP50Ms: Spread | null;
  incomingLatencyP99Ms: Spread | null;
  sendRefused: number;
  ticksSkipped: number;
  failedConnections: number;
  /** Each thread group's share of a core, averaged over the repeats. */
  threads: { name: string; threads: number; corePct: number }[];
  localUdpPorts: number;
}

interface PairsSummary {
  pairs: number;
  repeats: number;
  connectMs: Spread;
  machineBusyPct: Spread | null;
  benchBusyPct: Spread;
  server: SideSummary;
  clients: SideSummary;
}

function summarize(pairs: number, of: Run[]): PairsSummary | null {
  if (of.length === 0) return null;
  const side = (name: Side): SideSummary => {
    const sides = of.map((r) => r[name]);
    const threads = new Map<string, { name: string; threads: number; corePct: number }>();
    for (const group of sides.flatMap((s) => s.threads)) {
      const sum = threads.get(group.name) ?? { name: group.name, threads: 0, corePct: 0 };
      sum.threads = Math.max(sum.threads, group.threads);
      sum.corePct += group.corePct / sides.length;
      threads.set(group.name, sum);
    }
    return {
      usPerMessage: spread(sides.map((s) => s.usPerMessage.process ?? 0)),
      mainUsPerMessage: spread(sides.map((s) => s.usPerMessage.main ?? 0)),
      otherThreadsUsPerMessage: spread(sides.map((s) => s.usPerMessage.otherThreads ?? 0)),
      corePct: spread(sides.map((s) => s.corePct)),
      messagesPerSecond: spread(of.map((r) => round(((r[name].sent + r[name].received) * 1000) / r.windowMs, 0))),
      incomingLossPct: spread(sides.map((s) => s.incomingLossPct)),
      incomingLatencyP50Ms: spreadOfKnown(sides.map((s) => s.incomingLatencyMs.p50)),
      incomingLatencyP99Ms: spreadOfKnown(sides.map((s) => s.incomingLatencyMs.p99)),
      sendRefused: sides.reduce((n, s) => n + s.sendRefused, 0),
      ticksSkipped: sides.reduce((n, s) => n + s.ticksSkipped, 0),
      failedConnections: sides.reduce((n, s) => n + s.failedConnections, 0),
      threads: [...threads.values()].map((t) => ({ ...t, corePct: round(t.corePct, 1) })).sort((a, b) => b.corePct - a.corePct),
      localUdpPorts: Math.max(...sides.map((s) => s.localUdpPorts)),
    };
  };
  const machineBusy = of.map((r) => r.machineBusyPct).filter((pct) => pct !== null);
  return {
    pairs,
    repeats: of.length,
    connectMs: spread(of.map((r) => r.connectMs)),
    machineBusyPct: machineBusy.length > 0 ? spread(machineBusy) : null,
    benchBusyPct: spread(of.map((r) => r.benchBusyPct)),
    server: side('server'),
    clients: side('clients'),
  };
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median: round(median, 3), min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** The spread of the values that are known; null when none is. */
function spreadOfKnown(values: (number | null)[]): Spread | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length > 0 ? spread(known) : null;
}

/** "12.3 (11.9–12.8)": the median, and the range when there was more than one repeat. */
function spreadText(s: Spread, digits: number): string {
  const text = s.median.toFixed(digits);
  return s.min === s.max ? text : `${text} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** One row per N, in Markdown: median (min–max) over the repeats. */
function summaryTable(rows: PairsSummary[]): string {
  const lines = [
    '| pairs | messages/s per side (sent + received) | server µs/msg: process = main + other threads | server % core | clients µs/msg: process = main + other threads | clients % core | loss to clients / to server | latency p50 / p99 to clients | latency p50 / p99 to server | UDP ports server / clients | connect | machine busy (this bench) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const perMessage = (s: SideSummary) =>
    `${spreadText(s.usPerMessage, 1)} = ${spreadText(s.mainUsPerMessage, 1)} + ${spreadText(s.otherThreadsUsPerMessage, 1)}`;
  for (const r of rows) {
    lines.push(
      `| ${r.pairs} | ${spreadText(r.server.messagesPerSecond, 0)} / ${spreadText(r.clients.messagesPerSecond, 0)} | ${perMessage(r.server)} | ${spreadText(r.server.corePct, 1)} % | ` +
        `${perMessage(r.clients)} | ${spreadText(r.clients.corePct, 1)} % | ${spreadText(r.clients.incomingLossPct, 2)} % / ${spreadText(r.server.incomingLossPct, 2)} % | ` +
        `${latencyText(r.clients)} | ${latencyText(r.server)} | ` +
        `${r.server.localUdpPorts} / ${r.clients.localUdpPorts} | ${spreadText(r.connectMs, 0)} ms | ` +
        `${r.machineBusyPct ? `${spreadText(r.machineBusyPct, 1)} %` : '–'} (${spreadText(r.benchBusyPct, 1)} %) |`,
    );
  }
  return lines.join('\n');
}

/** A side's incoming latency, p50 / p99 in ms (median of the repeats, and their range). */
function latencyText(side: SideSummary): string {
  const ms = (s: Spread | null) => (s === null ? '–' : spreadText(s, 2));
  return `${ms(side.incomingLatencyP50Ms)} / ${ms(side.incomingLatencyP99Ms)} ms`;
}

/** Which threads took each side's time, per N: % of a core averaged over the repeats. */
function threadLines(rows: PairsSummary[]): string[] {
  const lines = ['threads (% of a core, mean over repeats; ×n threads of that name):'];
  for (const r of rows) {
    for (const name of SIDES) {
      const side = r[name];
      const shown = side.threads.filter((t) => t.name === MAIN_THREAD || t.corePct >= PRINTED_THREAD_MIN_CORE_PCT);
      const rest = round(
        side.threads.filter((t) => !shown.includes(t)).reduce((sum, t) => sum + t.corePct, 0),
        1,
      );
      const parts = shown.map((t) => `${t.name}${t.threads > 1 ? ` ×${t.threads}` : ''} ${t.corePct} %`);
      lines.push(`  ${r.pairs} pairs, ${name}: ${parts.join(' · ')}${rest > 0 ? ` · the rest ${rest} %` : ''}`);
      if (side.sendRefused > 0 || side.ticksSkipped > 0 || side.failedConnections > 0) {
        lines.push(
          `    over the repeats: ${side.sendRefused} sends refused (buffer full), ${side.ticksSkipped} send rounds skipped (loop late), ${side.failedConnections} connections failed`,
        );
      }
    }
  }
  return lines;
}

/** Whether the per-message cost stays flat as N grows: the largest N against the smallest. */
function flatnessLines(rows: PairsSummary[]): string[] {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last || first === last) return [];
  return SIDES.map((name) => {
    const ratio = last[name].usPerMessage.median / first[name].usPerMessage.median;
    return `${name}: µs per message at ${last.pairs} pairs is ×${round(ratio, 2)} the figure at ${first.pairs} pairs`;
  });
}

/** A warning when a window held so few clock ticks of a side's CPU that one tick more or less moves its figure past RESOLUTION_WARN_PCT. */
function resolutionLines(of: Run[]): string[] {
  const tickMs = 1000 / ticksPerSecond;
  const coarsest = of.flatMap((r) => SIDES.map((name) => ({ pairs: r.pairs, name, cpuMs: r[name].cpuMs }))).sort((a, b) => a.cpuMs - b.cpuMs)[0];
  if (!coarsest || (100 * tickMs) / Math.max(coarsest.cpuMs, tickMs) <= RESOLUTION_WARN_PCT) return [];
  return [
    `coarse: the ${coarsest.name} side at ${coarsest.pairs} pairs used ${coarsest.cpuMs} ms of CPU in its window, counted in ticks of ${round(tickMs, 1)} ms ` +
      `(±${round((100 * tickMs) / Math.max(coarsest.cpuMs, tickMs), 1)} % a process, more a thread): measure longer (--seconds) or with more pairs`,
  ];
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
