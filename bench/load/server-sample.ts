// What the load bench reads from the server's own GET /metrics at the start
// and end of each measured window: its CPU time and memory, its event-loop
// lag, and each room's tick duration quantiles and players.
import { parsePrometheusText, sampleValue, type PromSample } from './prometheus-text.ts';

/**
 * prom-client samples the event loop every 10 ms (its default
 * eventLoopMonitoringPrecision) and its readings include that interval: an
 * idle loop reads ~10 ms. The bench reports the lag above it.
 */
const PROM_CLIENT_LOOP_RESOLUTION_MS = 10;
/** A server this slow to answer is a finding in itself, but a starved one (event-loop lag of seconds) still deserves its numbers. */
const SCRAPE_TIMEOUT_MS = 15_000;

export interface RoomTick {
  room: string;
  players: number;
  /** From the room's Summary: the last ~10 s of ticks. NaN while the room has not ticked in that time. */
  tickP50Ms: number;
  tickP99Ms: number;
}

export interface ServerSample {
  /** performance.now() in the bench when the scrape answered. */
  atMs: number;
  /** process_cpu_seconds_total: user + system, all threads. */
  cpuSeconds: number;
  rssBytes: number;
  /** p99 event-loop lag since the previous scrape (prom-client resets its histogram on each), above the sampling interval. */
  eventLoopLagP99Ms: number;
  players: number;
  rooms: RoomTick[];
  /** Snapshots sent on the datagram channel so far, full and delta. */
  datagramSnapshotsSent: number;
  /** Drops the server counted so far, keyed `channel direction reason` (a full send buffer, a closed channel…). */
  drops: Record<string, number>;
}

/** Scrapes `opsUrl`/metrics (the server's ops listener) once. */
export async function sampleServer(opsUrl: string): Promise<ServerSample> {
  const response = await fetch(`${opsUrl}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) }).catch((error: unknown) => {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw timedOut ? new Error(`the server did not answer GET /metrics within ${SCRAPE_TIMEOUT_MS / 1000} s`) : error;
  });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return serverFigures(parsePrometheusText(await response.text()), performance.now());
}

/** The figures the bench uses, picked out of one scrape; a missing series reads as NaN (or no rooms), never throws. */
export function serverFigures(samples: readonly PromSample[], atMs: number): ServerSample {
  const ms = (seconds: number | undefined) => (seconds === undefined ? NaN : seconds * 1000);
  const roomNames = samples.filter((s) => s.name === 'arena_room_players').map((s) => s.labels.room ?? '');
  return {
    atMs,
    cpuSeconds: sampleValue(samples, 'process_cpu_seconds_total') ?? NaN,
    rssBytes: sampleValue(samples, 'process_resident_memory_bytes') ?? NaN,
    eventLoopLagP99Ms: Math.max(0, ms(sampleValue(samples, 'nodejs_eventloop_lag_p99_seconds')) - PROM_CLIENT_LOOP_RESOLUTION_MS),
    players: sampleValue(samples, 'arena_players') ?? 0,
    rooms: roomNames.sort().map((room) => ({
      room,
      players: sampleValue(samples, 'arena_room_players', { room }) ?? 0,
      tickP50Ms: ms(sampleValue(samples, 'arena_room_tick_duration_seconds', { room, quantile: '0.5' })),
      tickP99Ms: ms(sampleValue(samples, 'arena_room_tick_duration_seconds', { room, quantile: '0.99' })),
    })),
    datagramSnapshotsSent: samples.filter((s) => s.name === 'arena_datagram_snapshots_total').reduce((n, s) => n + s.value, 0),
    drops: Object.fromEntries(
      samples.filter((s) => s.name === 'arena_drops_total').map((s) => [`${s.labels.channel} ${s.labels.direction} ${s.labels.reason}`, s.value]),
    ),
  };
}

/**
 * Several server processes (`--procs N`, one room directory) as one: CPU
 * time, memory, players and drops summed, the worst event-loop lag, every
 * process's rooms. CPU is then a share of several cores' worth.
 */
export function combineSamples(samples: readonly ServerSample[]): ServerSample {
  if (samples.length === 1) return samples[0]!;
  const sum = (pick: (s: ServerSample) => number) => samples.reduce((n, s) => n + pick(s), 0);
  const drops: Record<string, number> = {};
  for (const sample of samples) for (const [key, value] of Object.entries(sample.drops)) drops[key] = (drops[key] ?? 0) + value;
  return {
    atMs: Math.max(...samples.map((s) => s.atMs)),
    cpuSeconds: sum((s) => s.cpuSeconds),
    rssBytes: sum((s) => s.rssBytes),
    eventLoopLagP99Ms: Math.max(...samples.map((s) => s.eventLoopLagP99Ms)),
    players: sum((s) => s.players),
    rooms: samples.flatMap((s) => s.rooms).sort((a, b) => a.room.localeCompare(b.room)),
    datagramSnapshotsSent: sum((s) => s.datagramSnapshotsSent),
    drops,
  };
}
