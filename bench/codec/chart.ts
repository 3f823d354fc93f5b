// The benchmark's chart, drawn by vega-lite into an SVG file: bytes per
// entity per snapshot and encode + decode time, per codec and entity count.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Result } from './run.ts';

export async function renderChart(results: Result[]): Promise<string> {
  const panel = (field: keyof Result, title: string) => ({
    width: 260,
    height: 170,
    mark: { type: 'bar' as const, tooltip: true },
    encoding: {
      y: { field: 'codec', type: 'nominal' as const, sort: null, title: null },
      x: { field, type: 'quantitative' as const, title },
      color: { field: 'codec', type: 'nominal' as const, legend: null },
      row: { field: 'entities', type: 'ordinal' as const, title: 'entities' },
    },
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Snapshot codecs: 10 s at 30 Hz, ⅓ moving, 5 % loss',
    data: { values: results.map((r) => ({ ...r, cpuUs: r.encodeUs + r.decodeUs })) },
    hconcat: [panel('bytesPerEntity', 'bytes per entity per snapshot'), panel('cpuUs' as keyof Result, 'encode + decode µs per snapshot')],
    config: { font: 'sans-serif', background: 'white' },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
