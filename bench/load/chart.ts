// The load bench's picture: one small panel per figure against the number of
// clients, each with its target as a dashed line where it has one. An SVG
// drawn by vega-lite, as bench/soak and bench/fidelity draw theirs.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { TARGETS, type StepSummary } from './report.ts';

export async function renderLoadChart(rows: StepSummary[]): Promise<string> {
  const first = rows[0]?.cpuMsPerClientSecond ?? 0;
  const panels: { name: string; value: (r: StepSummary) => number; target?: number; targetLow?: number }[] = [
    { name: 'tick p99, worst room (ms)', value: (r) => r.worstRoom?.tickP99Ms ?? 0, target: TARGETS.tickP99Ms },
    { name: 'update age p99 (ms)', value: (r) => r.ageP99Ms, target: TARGETS.ageP99Ms },
    { name: 'datagram loss (%)', value: (r) => r.datagramLossPct, target: TARGETS.datagramLossPct },
    {
      name: 'server CPU per client-second (ms)',
      value: (r) => r.cpuMsPerClientSecond,
      target: first * (1 + TARGETS.cpuPerClientDrift),
      targetLow: first * (1 - TARGETS.cpuPerClientDrift),
    },
    { name: 'clients playing', value: (r) => r.playing },
    { name: 'server CPU (% of a core)', value: (r) => r.serverCpuPctOfCore },
    { name: 'machine CPU (% of all cores)', value: (r) => r.machineCpuPct },
    { name: 'server event-loop lag p99 (ms)', value: (r) => r.serverLoopLagP99Ms },
  ];
  const values = panels.flatMap((p) =>
    rows.map((r) => ({ clients: r.clients, panel: p.name, value: p.value(r), target: p.target ?? null, targetLow: p.targetLow ?? null })),
  );
  const targetRule = (field: string) => ({
    mark: { type: 'rule' as const, strokeDash: [4, 4], color: 'firebrick' },
    encoding: { y: { field, type: 'quantitative' as const } },
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Load: one server process, rooms of bots on loopback (dashed: target)',
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels.map((p) => p.name) },
    columns: 4,
    spec: {
      width: 170,
      height: 120,
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: { x: { field: 'clients', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: null } },
        },
        targetRule('target'),
        targetRule('targetLow'),
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif', background: 'white' },
  };
  return new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' }).toSVG();
}
