// What the fidelity benchmark measures and how it is summed up: one run is
// one window of one mode (real kernel loss, or the page's own simulation) at
// one loss; the summary pairs the medians of the two modes at each loss.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

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

function side(runs: Run[]): SideSummary {
  return {
    streamAgeP50Ms: round(median(runs.map((r) => r.streamAgeP50Ms))),
    streamAgeP95Ms: round(median(runs.map((r) => r.streamAgeP95Ms))),
    datagramLossPct: round(median(runs.map((r) => r.datagramLossPct))),
  };
}

/** Medians of the repetitions, per loss, real beside simulated. */
export function summarize(runs: Run[]): SummaryRow[] {
  const losses = [...new Set(runs.map((r) => r.lossPct))].sort((a, b) => a - b);
  return losses.map((lossPct) => {
    const real = side(runs.filter((r) => r.lossPct === lossPct && r.mode === 'real'));
    const simulated = side(runs.filter((r) => r.lossPct === lossPct && r.mode === 'simulated'));
    return {
      lossPct,
      real,
      simulated,
      ratioP50: round(simulated.streamAgeP50Ms / Math.max(real.streamAgeP50Ms, 0.1), 2),
      ratioP95: round(simulated.streamAgeP95Ms / Math.max(real.streamAgeP95Ms, 0.1), 2),
    };
  });
}

const met = (ratio: number) => (ratio >= RATIO_TARGET.min && ratio <= RATIO_TARGET.max ? 'yes' : 'NO');
const lossMet = (measured: number, lossPct: number) => (Math.abs(measured - lossPct) <= DATAGRAM_LOSS_TOLERANCE_POINTS ? 'yes' : 'NO');

/** The side-by-side table, in Markdown (printed, and pasted into the README). */
export function summaryTable(rows: SummaryRow[]): string {
  const lines = [
    '| loss | stream age p50 / p95, real TCP | stream age p50 / p95, simulated | simulated ÷ real, p50 / p95 | in 0.75–1.33 | datagram loss real / simulated | within 3 points |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.lossPct} % | ${r.real.streamAgeP50Ms} / ${r.real.streamAgeP95Ms} ms | ${r.simulated.streamAgeP50Ms} / ${r.simulated.streamAgeP95Ms} ms | ` +
        `${r.ratioP50} / ${r.ratioP95} | ${met(r.ratioP50)} / ${met(r.ratioP95)} | ${r.real.datagramLossPct} / ${r.simulated.datagramLossPct} % | ` +
        `${lossMet(r.real.datagramLossPct, r.lossPct)} / ${lossMet(r.simulated.datagramLossPct, r.lossPct)} |`,
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
    title: 'Stream update age under loss: real kernel loss vs the page\'s simulation (median of repetitions)',
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
