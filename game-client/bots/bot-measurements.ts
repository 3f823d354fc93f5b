// What one bot process measures, three ways: a progress line every few
// seconds for a person at a terminal, window reports for the load bench
// (bench/load/run.ts merges many processes' windows), and the summary at the
// end. Datagram counts and bytes come from each bot's channel status; update
// ages are pushed in as they arrive; CPU and event-loop lag are this process's
// own, so a load test can tell when the bots, not the server, are the bottleneck.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from '../../protocol/netsim/percentile.ts';
import type { ChannelStatus } from '../net/channels.ts';
import type { HeadlessBot } from './headless-bot.ts';

/** Update ages kept for the percentiles, so a long run with many bots cannot grow memory without bound. */
const MAX_AGE_SAMPLES = 1_000_000;
/** Update ages in a window report are counted in buckets this wide, so reports from many processes merge into one percentile. */
const AGE_BUCKET_MS = 0.5;
/**
 * The event-loop delay monitor's sampling interval. Its readings include the
 * interval itself (an idle loop reads ~20 ms at 20 ms), so it is subtracted.
 */
const LOOP_MONITOR_RESOLUTION_MS = 20;

/** Counters of one bot at the start of a report window. */
interface BotMark {
  received: number;
  lost: number;
  datagramBytesIn: number;
  streamBytesIn: number;
}
const NOTHING_YET: BotMark = { received: 0, lost: 0, datagramBytesIn: 0, streamBytesIn: 0 };

/** What a report window measures from: when it opened, every bot's counters then, and the ages since. */
interface ReportWindow {
  startedAtMs: number;
  cpu: NodeJS.CpuUsage;
  marks: BotMark[];
  ages: number[];
}

/** Running totals over every bot, for the difference between two progress lines. */
interface Totals {
  received: number;
  lost: number;
  events: number;
}

export type BotSummary = ReturnType<BotMeasurements['summary']>;

export class BotMeasurements {
  readonly startedAtMs = performance.now();
  private connectedCount = 0;
  private readonly connectFailures: string[] = [];
  private readonly ages: number[] = [];
  /** Ages since the last progress line. */
  private recentAges: number[] = [];
  private previousTotals: Totals = { received: 0, lost: 0, events: 0 };
  /** The current report window (--report-on-stdin); none until the bots play. */
  private window: ReportWindow | null = null;
  private readonly cpuAtStart = process.cpuUsage();
  /** This process's event-loop delay over the whole run, and over the current report window. */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: LOOP_MONITOR_RESOLUTION_MS });
  private readonly windowLoopDelay = monitorEventLoopDelay({ resolution: LOOP_MONITOR_RESOLUTION_MS });

  constructor(private readonly bots: readonly HeadlessBot[]) {
    this.loopDelay.enable();
    this.windowLoopDelay.enable();
  }

  /** Bots whose connect finished: welcomed, data channel open. */
  get connected(): number {
    return this.connectedCount;
  }

  /** Why connects failed, one line per bot. */
  get connectErrors(): readonly string[] {
    return this.connectFailures;
  }

  recordConnected(): void {
    this.connectedCount++;
  }

  recordConnectFailure(bot: HeadlessBot, error: Error): void {
    this.connectFailures.push(`${bot.name}: ${error.message}`);
  }

  /** An update's age on arrival (datagram channel only: the stream's ages measure TCP, not the game). */
  recordAge(ageMs: number): void {
    if (this.ages.length < MAX_AGE_SAMPLES) this.ages.push(ageMs);
    if (this.recentAges.length < MAX_AGE_SAMPLES) this.recentAges.push(ageMs);
    if (this.window && this.window.ages.length < MAX_AGE_SAMPLES) this.window.ages.push(ageMs);
  }

  /** The connects are over: progress lines and report windows count from now. */
  startPlaying(): void {
    this.previousTotals = this.totals();
    this.recentAges = [];
    this.window = this.openWindow();
  }

  /** What the interval since the previous line brought: bots on both channels, datagrams, loss, update age, events. */
  progressLine(intervalS: number): string {
    const onBoth = this.bots.filter((b) => b.onBothChannels).length;
    const now = this.totals();
    const received = now.received - this.previousTotals.received;
    const lost = now.lost - this.previousTotals.lost;
    const ageP50 = this.recentAges.length === 0 ? '–' : `${percentile(this.recentAges, 50).toFixed(1)} ms`;
    const line =
      `${onBoth}/${this.bots.length} on both channels; last ${intervalS} s: ` +
      `${received} datagrams, ${lossPct(received, lost).toFixed(1)} % lost, update age p50 ${ageP50}, ${now.events - this.previousTotals.events} events`;
    this.previousTotals = now;
    this.recentAges = [];
    return line;
  }

  /**
   * What happened since the window opened, for the load bench; opens the next.
   * Update ages go as a histogram too, so the bench can merge many processes'
   * windows into one percentile. "Playing": both channels open and datagrams
   * arriving in this window.
   */
  closeWindow() {
    const window = this.window ?? this.openWindow();
    const seconds = (performance.now() - window.startedAtMs) / 1000;
    const now = this.bots.map(markOf);
    // A bot that joined during the window (the fleet grows while it plays) counts from zero.
    const before = (i: number) => window.marks[i] ?? NOTHING_YET;
    const diff = (key: keyof BotMark) => now.reduce((n, m, i) => n + m[key] - before(i)[key], 0);
    const playing = this.bots.filter((b, i) => b.onBothChannels && now[i]!.received > before(i).received).length;
    const received = diff('received');
    const lost = diff('lost');
    const perClientPerS = (bytes: number) => Math.round(bytes / seconds / Math.max(1, this.connected));
    const report = {
      report: 'window',
      seconds: round(seconds),
      clients: this.bots.length,
      connected: this.connected,
      playing,
      datagram: { received, lost, lossPct: round(lossPct(received, lost), 2) },
      ageP50Ms: round(percentile(window.ages, 50)),
      ageP99Ms: round(percentile(window.ages, 99)),
      ageHistogram: ageHistogram(window.ages),
      bytesPerSecDownPerClient: { datagram: perClientPerS(diff('datagramBytesIn')), stream: perClientPerS(diff('streamBytesIn')) },
      cpuPctOfCore: cpuPctOfCore(window.cpu, seconds),
      eventLoopLagP99Ms: loopLagP99Ms(this.windowLoopDelay),
    };
    this.window = this.openWindow();
    return report;
  }

  /** The whole run, from the first connect. */
  summary() {
    const elapsedS = (performance.now() - this.startedAtMs) / 1000;
    const datagram = this.bots.map((b) => b.client.channelStatus('datagram'));
    const stream = this.bots.map((b) => b.client.channelStatus('stream'));
    const sum = (list: ChannelStatus[], key: keyof ChannelStatus) => list.reduce((n, s) => n + Number(s[key]), 0);
    const received = sum(datagram, 'received');
    const lost = sum(datagram, 'lost');
    const connectMs = this.bots.flatMap((b) => (b.connectMs === null ? [] : [b.connectMs]));
    /** Rates are per connected client: the others received nothing. */
    const clientsReceiving = Math.max(1, this.connected);
    return {
      clients: this.bots.length,
      connected: this.connected,
      durationS: round(elapsedS),
      /** From the start of a bot's connect (after its pacing delay) to its data channel open. */
      connectMs: { p50: round(percentile(connectMs, 50)), p99: round(percentile(connectMs, 99)) },
      datagram: {
        received,
        lost,
        lossPct: round(lossPct(received, lost)),
        outOfOrder: sum(datagram, 'outOfOrder'),
        duplicates: sum(datagram, 'duplicates'),
        malformed: sum(datagram, 'malformed'),
        fullSnapshots: sum(datagram, 'fullSnapshots'),
        deltaSnapshots: sum(datagram, 'deltaSnapshots'),
        baselineMisses: sum(datagram, 'baselineMisses'),
        ageP50Ms: round(percentile(this.ages, 50)),
        ageP95Ms: round(percentile(this.ages, 95)),
        ageP99Ms: round(percentile(this.ages, 99)),
        rttMsP50: round(
          percentile(
            datagram.map((d) => d.rttMs).filter((v) => v > 0),
            50,
          ),
        ),
        bytesPerSecDown: Math.round(sum(datagram, 'bytesIn') / elapsedS / clientsReceiving),
        bytesPerSecUp: Math.round(sum(datagram, 'bytesOut') / elapsedS / clientsReceiving),
      },
      stream: {
        events: this.bots.reduce((n, b) => n + b.events, 0),
        chatReceived: this.bots.reduce((n, b) => n + b.chatReceived, 0),
        snapshotsReceived: sum(stream, 'received'),
        malformed: sum(stream, 'malformed'),
        bytesPerSecDown: Math.round(sum(stream, 'bytesIn') / elapsedS / clientsReceiving),
      },
      rttMsP50: round(
        percentile(
          stream.map((s) => s.rttMs).filter((v) => v > 0),
          50,
        ),
      ),
      /** This bot process itself: is it the bottleneck of a load test? */
      process: { cpuPctOfCore: cpuPctOfCore(this.cpuAtStart, elapsedS), eventLoopLagP99Ms: loopLagP99Ms(this.loopDelay) },
      errors: [...this.connectFailures, ...this.bots.flatMap((b) => b.errors.map((e) => `${b.name}: ${e}`))],
    };
  }

  private openWindow(): ReportWindow {
    this.windowLoopDelay.reset();
    return { startedAtMs: performance.now(), cpu: process.cpuUsage(), marks: this.bots.map(markOf), ages: [] };
  }

  private totals(): Totals {
    const datagram = this.bots.map((b) => b.client.channelCounts('datagram'));
    return {
      received: datagram.reduce((n, d) => n + d.received, 0),
      lost: datagram.reduce((n, d) => n + d.lost, 0),
      events: this.bots.reduce((n, b) => n + b.events, 0),
    };
  }
}

/** Counts only (channelCounts): a window report for hundreds of bots must not hold the process while their snapshots wait. */
function markOf(bot: HeadlessBot): BotMark {
  const datagram = bot.client.channelCounts('datagram');
  const stream = bot.client.channelCounts('stream');
  return { received: datagram.received, lost: datagram.lost, datagramBytesIn: datagram.bytesIn, streamBytesIn: stream.bytesIn };
}

function lossPct(received: number, lost: number): number {
  return received + lost === 0 ? 0 : (100 * lost) / (received + lost);
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
