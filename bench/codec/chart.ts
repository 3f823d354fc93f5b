// The benchmark's chart, drawn by vega-lite into an SVG file: bytes per
// entity per snapshot and encode + decode time, per codec and entity count.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { CodecMeasurement } from './codec.ts';

export async function renderChart(results: CodecMeasurement[]): Promise<string> {
  // Symlog scales (log-like, but bars can start at 0): JSON is ~50× the others and would flatten every other bar.
  const panel = (field: keyof CodecMeasurement, title: string) => ({
    width: 260,
    height: 170,
    mark: { type: 'bar' as const, tooltip: true },
    encoding: {
      y: { field: 'codec', type: 'nominal' as const, sort: null, title: null, axis: { labelLimit: 220 } },
      x: { field, type: 'quantitative' as const, title, scale: { type: 'symlog' as const } },
      color: { field: 'codec', type: 'nominal' as const, legend: null },
      row: { field: 'entities', type: 'ordinal' as const, title: 'entities' },
    },
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Snapshot codecs: 10 s at 30 Hz, ⅓ moving, 5 % loss (log-like scales; lower is better)',
    data: { values: results.map((r) => ({ ...r, cpuUs: r.encodeUs + r.decodeUs })) },
    hconcat: [panel('bytesPerEntity', 'bytes per entity per snapshot'), panel('cpuUs' as keyof CodecMeasurement, 'encode + decode µs per snapshot')],
    config: { font: 'sans-serif', background: 'white' },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
