// The load bench's pure parts: reading /metrics text, merging the bots'
// update-age histograms, planning bot processes, and summing a step up into
// a row that is judged against the targets.
import { describe, expect, it } from 'vitest';
import { histogramPercentile, mergeHistograms } from '../../bench/load/age-histogram.ts';
import { ADDRESSES_PER_BOT_PROCESS, botSourceRange, planBotGroups } from '../../bench/load/bot-plan.ts';
import { parseBotOptions } from '../../game-client/bots/bot-options.ts';
import { selfTimeByFunction } from '../../bench/load/cpu-profile-top.ts';
import { busyPct, parseProcStat } from '../../bench/load/machine-cpu.ts';
import { parsePrometheusText, sampleValue } from '../../bench/load/prometheus-text.ts';
import { exhaustedResources, judgeStep, summarizeStep, summarizeUnmeasured, unmeasuredLines, type BotWindow, type StepRun } from '../../bench/load/report.ts';
import { serverFigures, type ServerSample } from '../../bench/load/server-sample.ts';

const METRICS = `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12.5
process_resident_memory_bytes 150000000
nodejs_eventloop_lag_p99_seconds 0.0125
arena_players 60
arena_room_players{room="load-1"} 50
arena_room_players{room="load-2"} 10
# TYPE arena_room_tick_duration_seconds summary
arena_room_tick_duration_seconds{quantile="0.5",room="load-1"} 0.0008
arena_room_tick_duration_seconds{quantile="0.99",room="load-1"} 0.0031
arena_room_tick_duration_seconds_sum{room="load-1"} 1.2
arena_room_tick_duration_seconds{room="load-2",quantile="0.5"} 0.0002
arena_room_tick_duration_seconds{room="load-2",quantile="0.99"} NaN
arena_drops_total{channel="datagram",direction="out",reason="say \\"hi\\", then go"} 3
arena_tick_duration_seconds_bucket{le="+Inf"} 900
`;

describe('parsePrometheusText', () => {
  it('reads names, labels in any order and values, skipping comments', () => {
    const samples = parsePrometheusText(METRICS);
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBe(12.5);
    expect(sampleValue(samples, 'arena_room_tick_duration_seconds', { room: 'load-2', quantile: '0.5' })).toBe(0.0002);
    expect(samples.some((s) => s.name.startsWith('#') || s.name === 'HELP')).toBe(false);
  });

  it('reads escaped quotes and commas inside a label value', () => {
    const drop = parsePrometheusText(METRICS).find((s) => s.name === 'arena_drops_total');
    expect(drop?.labels).toEqual({ channel: 'datagram', direction: 'out', reason: 'say "hi", then go' });
    expect(drop?.value).toBe(3);
  });

  it('reads NaN and +Inf as numbers, not as failures', () => {
    const samples = parsePrometheusText(METRICS);
    expect(sampleValue(samples, 'arena_room_tick_duration_seconds', { room: 'load-2', quantile: '0.99' })).toBeNaN();
    expect(sampleValue(samples, 'arena_tick_duration_seconds_bucket')).toBe(900);
    expect(parsePrometheusText('x{le="+Inf"} +Inf')[0]?.value).toBe(Infinity);
  });

  it('skips a line it cannot read instead of throwing', () => {
    const samples = parsePrometheusText('good 1\n{broken} 2\nbad{a="unterminated} 3\nalso_good{a="b"} 4 1700000000000\n');
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ['good', 1],
      ['also_good', 4],
    ]);
  });

  it('answers undefined for a metric that is not there', () => {
    expect(sampleValue(parsePrometheusText(METRICS), 'arena_room_players', { room: 'load-9' })).toBeUndefined();
  });
});

describe('serverFigures', () => {
  it('picks CPU, memory, lag above the 10 ms sampling interval, and every room in ms', () => {
    const figures = serverFigures(parsePrometheusText(METRICS), 1000);
    expect(figures.cpuSeconds).toBe(12.5);
    expect(figures.eventLoopLagP99Ms).toBeCloseTo(2.5);
    expect(figures.rooms).toEqual([
      { room: 'load-1', players: 50, tickP50Ms: 0.8, tickP99Ms: 3.1 },
      { room: 'load-2', players: 10, tickP50Ms: 0.2, tickP99Ms: NaN },
    ]);
    expect(figures.drops).toEqual({ 'datagram out say "hi", then go': 3 });
  });
});

describe('age histograms', () => {
  it('merges bucket-wise and takes the percentile of the whole, not of the parts', () => {
    // One process saw 99 fast updates, another one slow one: the merged p99 is fast, the max is slow.
    const merged = mergeHistograms([{ '2': 99 }, { '80': 1 }]);
    expect(merged).toEqual({ '2': 99, '80': 1 });
    expect(histogramPercentile(merged, 99)).toBe(2);
    expect(histogramPercentile(merged, 100)).toBe(80);
    expect(histogramPercentile(mergeHistograms([{ '2': 50 }, { '80': 50 }]), 99)).toBe(80);
  });

  it('orders buckets by value, not by key text', () => {
    expect(histogramPercentile({ '10': 1, '9.5': 1, '100': 1 }, 50)).toBe(10);
  });

  it('is 0 for no updates', () => {
    expect(histogramPercentile({}, 99)).toBe(0);
  });
});

describe('planBotGroups', () => {
  it('fills rooms in order, one group per room, and gives room load-k to process (k - 1) mod P', () => {
    const plan = planBotGroups(0, 100, 25, 2);
    expect(plan.map((p) => [p.room, p.count, p.process])).toEqual([
      ['load-1', 25, 0],
      ['load-2', 25, 1],
      ['load-3', 25, 0],
      ['load-4', 25, 1],
    ]);
  });

  it('tops up a part-full room before opening the next', () => {
    expect(planBotGroups(40, 70, 50, 1).map((p) => [p.room, p.count, p.process])).toEqual([
      ['load-1', 10, 0],
      ['load-2', 20, 0],
    ]);
  });

  it('shares the per-address join limit between the groups it adds together', () => {
    const plan = planBotGroups(0, 100, 25, 1, { burst: 20, refillPerS: 5 });
    const totalRate = plan.reduce((n, p) => n + p.joinRatePerS, 0);
    expect(plan.reduce((n, p) => n + p.joinBurst, 0)).toBeLessThanOrEqual(20);
    expect(totalRate).toBeLessThan(5);
  });
});

describe('botSourceRange', () => {
  it("gives each bot process its own loopback addresses, none of them the server's 127.0.0.1, in a range bot.ts --from takes", () => {
    const ranges = [0, 1, 15].map((p) => parseBotOptions(['--from', botSourceRange(p)]).sourceAddresses);
    for (const addresses of ranges) expect(addresses).toHaveLength(ADDRESSES_PER_BOT_PROCESS);
    const all = ranges.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain('127.0.0.1');
    expect(ranges[0]![0]).toBe('127.0.0.2');
    expect(ranges[1]![0]).toBe('127.0.1.2');
  });
});

function server(atMs: number, cpuSeconds: number, rooms: ServerSample['rooms'] = [], rssBytes = 100e6): ServerSample {
  return { atMs, cpuSeconds, rssBytes, eventLoopLagP99Ms: 1, players: 0, rooms, datagramSnapshotsSent: 0, drops: {} };
}

function botWindow(over: Partial<BotWindow> = {}): BotWindow {
  return {
    report: 'window',
    seconds: 10,
    clients: 25,
    connected: 25,
    playing: 25,
    datagram: { received: 7500, lost: 0, lossPct: 0 },
    ageP50Ms: 2,
    ageP99Ms: 8,
    ageHistogram: { '2': 7000, '8': 500 },
    bytesPerSecDownPerClient: { datagram: 2000, stream: 200 },
    cpuPctOfCore: 30,
    eventLoopLagP99Ms: 2,
    ...over,
  };
}

function stepRun(clients: number, cpuSecondsUsed: number, windows: BotWindow[], rooms: ServerSample['rooms']): StepRun {
  return {
    clients,
    windowSeconds: 10,
    idle: server(0, 0, [], 100e6),
    start: server(1_000, 5, []),
    end: server(11_000, 5 + cpuSecondsUsed, rooms, 100e6 + clients * 50_000),
    connects: [{ report: 'connected', clients: 25, connected: 25, connectMs: [100, 200, 300], errors: [] }],
    windows,
    botProcesses: windows.length,
    cores: 2,
    botCores: 2,
    serverThreads: null,
    botCpuMs: null,
    machineBusyPct: null,
  };
}

const room = (name: string, tickP99Ms: number) => ({ room: name, players: 50, tickP50Ms: 0.5, tickP99Ms });

describe('summarizeStep and its judgement', () => {
  it('sums the bots and the server into one row', () => {
    const row = summarizeStep(
      stepRun(50, 2, [botWindow(), botWindow({ datagram: { received: 7425, lost: 75, lossPct: 1 }, ageHistogram: { '60': 7425 } })], [room('load-1', 3)]),
    );
    expect(row.connected).toBe(50);
    expect(row.serverCpuPctOfCore).toBe(20); // 2 CPU-seconds in 10 s
    expect(row.cpuMsPerClientSecond).toBe(4); // 2000 ms / 50 clients / 10 s
    expect(row.datagramLossPct).toBe(0.5); // 75 of 15000
    expect(row.ageP99Ms).toBe(60); // half the updates came from the slow process
    expect(row.rssKbPerClient).toBe(50);
    expect(row.machineCpuPct).toBe(40); // (20 + 30 + 30) % of 2 cores
    expect(row.connectMs).toEqual({ p50: 200, p99: 300 });
  });

  it('counts only what the server sent and dropped during the window', () => {
    const run = stepRun(50, 2, [botWindow(), botWindow()], [room('load-1', 3)]);
    run.start = { ...run.start, datagramSnapshotsSent: 1_000, drops: { 'datagram out buffering': 5, 'datagram out closed': 2 } };
    run.end = { ...run.end, datagramSnapshotsSent: 16_000, drops: { 'datagram out buffering': 12, 'datagram out closed': 2 } };
    const row = summarizeStep(run);
    expect(row.snapshotsPerClientSecond).toBe(30); // 15000 / 50 clients / 10 s
    expect(row.serverDrops).toEqual({ 'datagram out buffering': 7 });
  });

  it('meets every target on a healthy step, and compares CPU per client with the first step', () => {
    const first = summarizeStep(stepRun(50, 2, [botWindow(), botWindow()], [room('load-1', 3)]));
    expect(judgeStep(first).every((t) => t.met)).toBe(true);
    const heavier = summarizeStep(stepRun(100, 5.2, [botWindow(), botWindow(), botWindow(), botWindow()], [room('load-1', 3), room('load-2', 3)]), first);
    expect(heavier.cpuVsFirstStep).toBe(1.3);
    const cpuTarget = judgeStep(heavier).find((t) => t.target.startsWith('server CPU per client'));
    expect(cpuTarget?.met).toBe(false);
  });

  it('misses the tick target when one room is over it, and names that room', () => {
    const row = summarizeStep(stepRun(100, 2, [botWindow(), botWindow(), botWindow(), botWindow()], [room('load-1', 3), room('load-2', 4.5)]));
    const tick = judgeStep(row).find((t) => t.target.startsWith('tick p99'));
    expect(tick).toMatchObject({ met: false, measured: 'worst 4.5 ms (load-2)' });
  });

  it('says the server CPU ran out first when it is the one past its limit', () => {
    const row = summarizeStep(stepRun(50, 9.5, [botWindow(), botWindow()], [room('load-1', 6)]));
    expect(exhaustedResources(row, 2).map((e) => e.resource)).toEqual(['server CPU']);
  });

  it('blames a starved CPU before the event-loop lag it causes', () => {
    const row = summarizeStep({ ...stepRun(100, 7, [botWindow(), botWindow(), botWindow(), botWindow()], [room('load-1', 20)]), machineBusyPct: 97 });
    row.serverLoopLagP99Ms = 150;
    const exhausted = exhaustedResources(row, 2);
    expect(exhausted.map((e) => e.resource)).toEqual(['machine CPU', 'server event-loop lag']);
    expect(exhausted[0]!.detail).toBe('97 % of 2 cores busy, server + bots 95 %');
  });

  it('puts failing connects first: the rest then describe a smaller load than asked for', () => {
    const row = summarizeStep(stepRun(50, 9.5, [botWindow(), botWindow({ connected: 20, playing: 20 })], [room('load-1', 6)]));
    expect(exhaustedResources(row, 2).map((e) => e.resource)).toEqual(['connects failing', 'server CPU']);
  });
});

describe('a pinned step, read thread by thread', () => {
  const serverThreads = {
    windowMs: 10_000,
    processCpuMs: 4_000,
    mainCpuMs: 2_500,
    otherThreadsCpuMs: 1_500,
    groups: [
      { name: 'main (JS)', threads: 1, cpuMs: 2_500 },
      { name: 'juice', threads: 2, cpuMs: 1_000 },
      { name: 'usrsctp', threads: 1, cpuMs: 500 },
      { name: 'libuv-worker', threads: 4, cpuMs: 0 },
    ],
  };

  it("gives the server's JavaScript thread and its other threads as shares of its core", () => {
    const row = summarizeStep({ ...stepRun(50, 4, [botWindow(), botWindow()], [room('load-1', 3)]), serverThreads: [serverThreads] });
    expect(row.serverThreads).toEqual({
      mainPct: 25,
      otherPct: 15,
      byName: [
        { name: 'main (JS)', threads: 1, pct: 25 },
        { name: 'juice', threads: 2, pct: 10 },
        { name: 'usrsctp', threads: 1, pct: 5 },
      ],
    });
  });

  it("says the bots' cores ran out when the bots fill the cores they were pinned to", () => {
    // 9.5 CPU-seconds of bots in 10 s, on the one core left to them.
    const row = summarizeStep({ ...stepRun(50, 4, [botWindow(), botWindow()], [room('load-1', 6)]), botCores: 1, botCpuMs: 9_500 });
    expect(row.botCoresPct).toBe(95);
    expect(exhaustedResources(row, 2).map((e) => e.resource)).toEqual(["the bots' cores"]);
  });
});

describe('a step the server could not answer for', () => {
  it('still says what ran out, from the bots and the machine', () => {
    const connects = [{ report: 'connected' as const, clients: 25, connected: 10, connectMs: [], errors: [] }];
    const step = summarizeUnmeasured(200, 'the server did not answer GET /metrics within 15 s', connects, [botWindow({ playing: 150 })], 99);
    expect(step).toMatchObject({ connectFailures: 15, playing: 150, machineCpuPct: 99 });
    expect(unmeasuredLines(step, 2)).toEqual([
      '200 clients: NOT MEASURED — the server did not answer GET /metrics within 15 s',
      "  ran out first: connects failing (15 failed to connect, 150/200 playing); also machine CPU (99 % of 2 cores busy), the server's event loop (the server did not answer GET /metrics within 15 s)",
    ]);
  });
});

describe('selfTimeByFunction', () => {
  it('gives each sample the time until the next one, summed by function and file', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
        { id: 2, callFrame: { functionName: 'step', url: 'file:///x/room.ts', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: 'step', url: 'file:///x/room.ts', lineNumber: 9 } },
        { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      ],
      samples: [2, 3, 4, 2],
      timeDeltas: [0, 1000, 3000, 1000],
    };
    const top = selfTimeByFunction(profile);
    const step = top.find((t) => t.where.startsWith('step'));
    expect(step?.selfMs).toBe(4); // 1 ms + 3 ms; the last sample has no successor
    expect(step?.pctOfBusy).toBe(100);
    expect(top.find((t) => t.where === '(idle)')?.selfMs).toBe(1);
  });
});

describe('machine CPU from /proc/stat', () => {
  it('counts idle and iowait as not busy, and gives the busy share between two readings', () => {
    const start = parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n');
    const end = parseProcStat('cpu  250 0 100 850 100 0 0 0 0 0\n');
    expect(start).toEqual({ busy: 150, total: 1000 });
    expect(busyPct(start, end)).toBe(66.7); // 200 busy of 300
  });

  it('is null where there is no reading', () => {
    expect(parseProcStat('intr 1 2 3')).toBeNull();
    expect(busyPct(null, { busy: 1, total: 2 })).toBeNull();
  });
});
