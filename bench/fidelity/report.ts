// What the fidelity benchmark measures and how it is summed up: one run is
// one window of one mode (real kernel loss, or the page's own simulation) at
// one loss; the summary pools each mode's windows at each loss (every update
// age of every window: the page's and the stream observers') and gives
// simulated ÷ real of the pooled p50 and p95, each with a 95 % interval from
// a bootstrap over repetitions (bootstrap.ts): a repetition's real and
// simulated windows were measured back to back, so they are resampled as a
// pair, and what the machine's load did to both cancels in their ratio.
// Recordings without the ages (before intervals) fall back to the median of
// the windows' own percentiles, with no interval.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { bootstrapRatio, pooledPercentile } from './bootstrap.ts';
import type { CaptureSummary } from './capture-summary.ts';

export type Mode = 'real' | 'simulated';

/** One measurement window, as the browser page saw it. */
export interface Run {
  mode: Mode;
  lossPct: number;
  rep: number;
  seconds: number;
  datagramLossPct: number;
  datagramAgeP50Ms: number;
  datagramAgeP95Ms: number;
  datagramLate: number;
  streamAgeP50Ms: number;
  streamAgeP95Ms: number;
  streamLate: number;
  streamReceived: number;
  streamRttMs: number;
  /** The pinned clock offset against one measured over DevTools: their difference, and the measurement's ± width (absent in older recordings). */
  clockCheckMs?: { difference: number; within: number };
  /** Both channels stayed open through the window. */
  survived: boolean;
  /** Times the page's stream reconnected during the window (absent in older recordings). */
  streamReconnects?: number;
  /** The stream observers' own stream ages and reconnects in the same window (stream-observers.ts; absent in older recordings). */
  observers?: { ages: number[]; reconnects: number }[];
  /** What tcpdump saw on the server's port (real windows with --save-capture). */
  capture?: CaptureSummary;
  /** Every stream update age of the window, ms (rounded to 0.1): what the pooled percentiles and intervals are taken over. */
  streamAges?: number[];
}

export interface SideSummary {
  streamAgeP50Ms: number;
  streamAgeP95Ms: number;
  datagramLossPct: number;
}

export interface SummaryRow {
  lossPct: number;
  real: SideSummary;
  simulated: SideSummary;
  /** Simulated ÷ real stream age. */
  ratioP50: number;
  ratioP95: number;
  /** Their 95 % intervals, [low, high] (absent when the runs carry no ages). */
  ratioP50Ci?: [number, number];
  ratioP95Ci?: [number, number];
  /** Windows behind each side. */
  windows: { real: number; simulated: number };
}

/** Simulated ÷ real within this band counts as calibrated. */
export const RATIO_TARGET = { min: 0.75, max: 1.33 } as const;
/** Datagram loss within this many points of the chosen loss, both ways. */
export const DATAGRAM_LOSS_TOLERANCE_POINTS = 3;

/** The middle value; with an even count, the mean of the two middle ones (two repetitions: their mean). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

const withAges = (runs: Run[]) => runs.every((r) => r.streamAges && r.streamAges.length > 0);

/**
 * Every stream age one window measured: the page's, and the stream
 * observers' when `withObservers` (their connections were under the same
 * loss in the same window, so the window stays the unit the bootstrap
 * resamples).
 */
export function windowAges(run: Run, withObservers: boolean): number[] {
  const page = run.streamAges ?? [];
  return withObservers ? [...page, ...(run.observers ?? []).flatMap((o) => o.ages)] : page;
}

/** Whether every run carries observers' ages, so both modes can pool the same connections. */
export const allObserved = (runs: Run[]) => runs.length > 0 && runs.every((r) => (r.observers?.length ?? 0) > 0);

/** One mode at one loss: pooled percentiles when `pool` (both modes carry their ages), else the median of the windows' own. */
function side(runs: Run[], pool: boolean, withObservers: boolean): SideSummary {
  const pooled = pool ? runs.map((r) => windowAges(r, withObservers)) : null;
  return {
    streamAgeP50Ms: round(pooled ? pooledPercentile(pooled, 50) : median(runs.map((r) => r.streamAgeP50Ms))),
    streamAgeP95Ms: round(pooled ? pooledPercentile(pooled, 95) : median(runs.map((r) => r.streamAgeP95Ms))),
    datagramLossPct: round(median(runs.map((r) => r.datagramLossPct))),
  };
}

/**
 * Per loss, real beside simulated: pooled percentiles, their ratios and 95 %
 * intervals. The stream observers' ages are pooled with the page's when every
 * run has them (else the page's alone), unless `pageOnly`.
 */
export function summarize(runs: Run[], pageOnly = false): SummaryRow[] {
  const withObservers = !pageOnly && allObserved(runs);
  const losses = [...new Set(runs.map((r) => r.lossPct))].sort((a, b) => a - b);
  return losses.map((lossPct) => {
    const byRep = (a: Run, b: Run) => a.rep - b.rep;
    const realRuns = runs.filter((r) => r.lossPct === lossPct && r.mode === 'real').sort(byRep);
    const simulatedRuns = runs.filter((r) => r.lossPct === lossPct && r.mode === 'simulated').sort(byRep);
    // Each repetition's two windows were measured back to back: paired, when every repetition has both.
    const paired = realRuns.length === simulatedRuns.length && realRuns.every((r, i) => r.rep === simulatedRuns[i]!.rep);
    const pool = withAges(realRuns) && withAges(simulatedRuns) && realRuns.length > 0 && simulatedRuns.length > 0;
    const real = side(realRuns, pool, withObservers);
    const simulated = side(simulatedRuns, pool, withObservers);
    const windows = { real: realRuns.length, simulated: simulatedRuns.length };
    if (pool) {
      const ages = (rs: Run[]) => rs.map((r) => windowAges(r, withObservers));
      const p50 = bootstrapRatio(ages(realRuns), ages(simulatedRuns), 50, lossPct * 2 + 1, undefined, undefined, paired);
      const p95 = bootstrapRatio(ages(realRuns), ages(simulatedRuns), 95, lossPct * 2 + 2, undefined, undefined, paired);
      return { lossPct, real, simulated, ratioP50: p50.ratio, ratioP95: p95.ratio, ratioP50Ci: p50.ci, ratioP95Ci: p95.ci, windows };
    }
    return {
      lossPct,
      real,
      simulated,
      ratioP50: round(simulated.streamAgeP50Ms / Math.max(real.streamAgeP50Ms, 0.1), 2),
      ratioP95: round(simulated.streamAgeP95Ms / Math.max(real.streamAgeP95Ms, 0.1), 2),
      windows,
    };
  });
}

/** In band: the whole interval inside RATIO_TARGET (without an interval, the ratio alone). */
export function inBand(ratio: number, ci?: [number, number]): boolean {
  const [low, high] = ci ?? [ratio, ratio];
  return low >= RATIO_TARGET.min && high <= RATIO_TARGET.max;
}

const shown = (ratio: number, ci?: [number, number]) => (ci ? `${ratio} [${ci[0]}–${ci[1]}]` : `${ratio}`);
const verdict = (ratio: number, ci?: [number, number]) => (inBand(ratio, ci) ? 'yes' : 'NO');
const lossMet = (measured: number, lossPct: number) => (Math.abs(measured - lossPct) <= DATAGRAM_LOSS_TOLERANCE_POINTS ? 'yes' : 'NO');

/** The side-by-side table, in Markdown (printed, and pasted into docs/network-lab.md). */
export function summaryTable(rows: SummaryRow[]): string {
  const lines = [
    '| loss | windows real / sim | stream age p50 / p95, real TCP | stream age p50 / p95, simulated | simulated ÷ real p50 [95 % CI] | p95 [95 % CI] | in 0.75–1.33 (whole CI) | datagram loss real / simulated | within 3 points |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.lossPct} % | ${r.windows.real} / ${r.windows.simulated} | ${r.real.streamAgeP50Ms} / ${r.real.streamAgeP95Ms} ms | ${r.simulated.streamAgeP50Ms} / ${r.simulated.streamAgeP95Ms} ms | ` +
        `${shown(r.ratioP50, r.ratioP50Ci)} | ${shown(r.ratioP95, r.ratioP95Ci)} | ${verdict(r.ratioP50, r.ratioP50Ci)} / ${verdict(r.ratioP95, r.ratioP95Ci)} | ` +
        `${r.real.datagramLossPct} / ${r.simulated.datagramLossPct} % | ${lossMet(r.real.datagramLossPct, r.lossPct)} / ${lossMet(r.simulated.datagramLossPct, r.lossPct)} |`,
    );
  }
  return lines.join('\n');
}

/** Stream age p50 and p95, real beside simulated, per loss: an SVG drawn by vega-lite. */
export async function renderChart(rows: SummaryRow[]): Promise<string> {
  const values = rows.flatMap((r) =>
    (['real', 'simulated'] as const).flatMap((mode) => [
      { loss: `${r.lossPct} %`, mode: mode === 'real' ? 'real Linux TCP' : 'simulated', percentile: 'p50', ageMs: r[mode].streamAgeP50Ms },
      { loss: `${r.lossPct} %`, mode: mode === 'real' ? 'real Linux TCP' : 'simulated', percentile: 'p95', ageMs: r[mode].streamAgeP95Ms },
    ]),
  );
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Stream update age under loss: real kernel loss vs the simulation (every window pooled: the page and the observers)',
    data: { values },
    width: 160,
    height: 200,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      column: { field: 'percentile', type: 'nominal', title: null },
      x: { field: 'loss', type: 'ordinal', title: 'loss', sort: null },
      xOffset: { field: 'mode', type: 'nominal' },
      y: { field: 'ageMs', type: 'quantitative', title: 'stream update age, ms' },
      color: { field: 'mode', type: 'nominal', title: null },
    },
    config: { font: 'sans-serif', background: 'white' },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
