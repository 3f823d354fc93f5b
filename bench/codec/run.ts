// `npm run bench:codec`: encodes one fixed, seeded trace with five codecs
// and reports bytes per entity per snapshot, kbit/s per client, encode and
// decode time per snapshot, and the largest position error. Prints a table,
// writes docs/bench/codec.json and docs/bench/codec.svg, and checks the
// targets (ours delta ≤ ½ of @colyseus/schema's bytes and ≤ 1/10 of JSON's;
// our encode + decode faster than @colyseus/schema's).
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { byteLength, type CodecEntry, type CodecMeasurement } from './codec.ts';
import { colyseusCodec } from './codecs/colyseus.ts';
import { jsonCodec } from './codecs/json.ts';
import { oursDeltaCodec, oursFullCodec } from './codecs/ours.ts';
import { typedArrayCodec } from './codecs/typed-array.ts';
import { renderChart } from './chart.ts';
import { buildTrace, DEFAULT_TRACE, type TraceStep } from './trace.ts';
import { defineCommand, flagsOrExit } from '../../game-server/cli/flags.ts';

flagsOrExit(
  defineCommand({
    name: 'npm run bench:codec',
    about: 'Encodes one seeded trace with five codecs: bytes per entity, kbit/s per client, encode and decode time, position error.',
    flags: {},
    notes: 'Writes docs/bench/codec.json and docs/bench/codec.svg.',
  }),
);

const CODECS: CodecEntry[] = [jsonCodec, colyseusCodec, typedArrayCodec, oursFullCodec, oursDeltaCodec];
const ENTITY_COUNTS = [64, 256];
/** Timed runs per codec; the median is reported (the machine is shared and noisy). */
const RUNS = 11;
/** Untimed runs first, so every codec is measured after the JIT has compiled it. */
const WARM_UP_RUNS = 2;
const OUTPUT_DIR = 'docs/bench';

/** One pass of one codec over the trace: bytes, time per snapshot, largest error. */
function runOnce(entry: CodecEntry, steps: TraceStep[]) {
  const codec = entry.create(steps);
  let bytes = 0;
  let encodeMs = 0;
  let decodeMs = 0;
  let decoded = 0;
  let maxError = 0;
  steps.forEach((step, index) => {
    let start = performance.now();
    const message = codec.encode(step, index);
    encodeMs += performance.now() - start;
    bytes += byteLength(message);
    const arrives = entry.reliableOnly || !step.lost;
    codec.delivered?.(step, index, arrives);
    if (!arrives) return;
    start = performance.now();
    const positions = codec.decode(message, step);
    decodeMs += performance.now() - start;
    decoded++;
    maxError = Math.max(maxError, largestError(step, positions));
  });
  return { bytes, encodeUs: (encodeMs * 1000) / steps.length, decodeUs: (decodeMs * 1000) / decoded, maxError };
}

/**
 * Runs every codec RUNS times, interleaved (run 1 of each, then run 2 of
 * each …), so a noisy moment or a garbage collection hits them all alike;
 * reports the median time of each.
 */
function measureAll(steps: TraceStep[], entities: number): CodecMeasurement[] {
  const runs = new Map(CODECS.map((c) => [c, [] as ReturnType<typeof runOnce>[]]));
  for (let run = -WARM_UP_RUNS; run < RUNS; run++) {
    for (const codec of CODECS) {
      const result = runOnce(codec, steps);
      if (run >= 0) runs.get(codec)!.push(result);
    }
  }
  return CODECS.map((entry) => {
    const list = runs.get(entry)!;
    const perSnapshot = list[0]!.bytes / steps.length;
    return {
      codec: entry.name,
      entities,
      reliableOnly: entry.reliableOnly,
      bytesPerSnapshot: round(perSnapshot, 1),
      bytesPerEntity: round(perSnapshot / entities, 2),
      kbitPerSecond: round((perSnapshot * DEFAULT_TRACE.snapshotRateHz * 8) / 1000, 1),
      encodeUs: round(median(list.map((r) => r.encodeUs)), 1),
      decodeUs: round(median(list.map((r) => r.decodeUs)), 1),
      maxErrorPx: round(Math.max(...list.map((r) => r.maxError)), 4),
    };
  });
}

/** Largest distance between where an entity is and where the client decoded it; a missing entity is an error too. */
function largestError(step: TraceStep, positions: Map<number, { x: number; y: number }>): number {
  let worst = 0;
  for (const e of step.entities) {
    const got = positions.get(e.id);
    if (!got) throw new Error(`entity ${e.id} missing after decode`);
    worst = Math.max(worst, Math.abs(got.x - e.x), Math.abs(got.y - e.y));
  }
  if (positions.size !== step.entities.length) throw new Error('decoded state has extra entities');
  return worst;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

const results: CodecMeasurement[] = [];
for (const entities of ENTITY_COUNTS) {
  results.push(...measureAll(buildTrace({ ...DEFAULT_TRACE, entityCount: entities }), entities));
}

console.log(
  `Trace: ${DEFAULT_TRACE.seconds} s at ${DEFAULT_TRACE.snapshotRateHz} snapshots/s, ` +
    `${Math.round(DEFAULT_TRACE.movingShare * 100)} % of entities moving, ${DEFAULT_TRACE.lossShare * 100} % of snapshots lost, seed ${DEFAULT_TRACE.seed}; median of ${RUNS} interleaved runs after ${WARM_UP_RUNS} warm-up runs.`,
);
console.table(
  results.map((r) => ({
    entities: r.entities,
    codec: r.codec + (r.reliableOnly ? ' *' : ''),
    'B/snapshot': r.bytesPerSnapshot,
    'B/entity': r.bytesPerEntity,
    'kbit/s': r.kbitPerSecond,
    'encode µs': r.encodeUs,
    'decode µs': r.decodeUs,
    'max error px': r.maxErrorPx,
  })),
);
console.log('* needs a reliable, ordered channel: every patch delivered, loss not applied.');

const targets = ENTITY_COUNTS.flatMap((entities) => {
  const get = (name: string) => results.find((r) => r.entities === entities && r.codec === name)!;
  const delta = get(oursDeltaCodec.name);
  const colyseus = get(colyseusCodec.name);
  const json = get(jsonCodec.name);
  return [
    { entities, target: 'delta bytes ≤ ½ × @colyseus/schema', ratio: delta.bytesPerSnapshot / colyseus.bytesPerSnapshot, limit: 0.5 },
    { entities, target: 'delta bytes ≤ 1/10 × JSON', ratio: delta.bytesPerSnapshot / json.bytesPerSnapshot, limit: 0.1 },
    {
      entities,
      target: 'delta encode+decode < @colyseus/schema',
      ratio: (delta.encodeUs + delta.decodeUs) / (colyseus.encodeUs + colyseus.decodeUs),
      limit: 1,
    },
  ].map((t) => ({ ...t, ratio: round(t.ratio, 3), met: t.ratio <= t.limit }));
});
console.table(targets.map((t) => ({ entities: t.entities, target: t.target, ratio: t.ratio, met: t.met ? 'yes' : 'MISSED' })));

mkdirSync(OUTPUT_DIR, { recursive: true });
writeFileSync(`${OUTPUT_DIR}/codec.json`, `${JSON.stringify({ trace: DEFAULT_TRACE, runs: RUNS, results, targets }, null, 2)}\n`);
writeFileSync(`${OUTPUT_DIR}/codec.svg`, await renderChart(results));
console.log(`wrote ${OUTPUT_DIR}/codec.json and ${OUTPUT_DIR}/codec.svg`);
