// The model alone, in seconds: each recorded real window replayed through
// the stream model at the same loss, over the same 30 Hz snapshot stream,
// on top of the same baseline: the stream's own update age at 0 % loss in
// that repetition (what the page and the browser add whatever the network
// does), or the window's datagram age where no 0 % window was recorded. Calibrating the model
// is then an edit and a rerun of `npm run bench:fidelity -- --model-only`.
import { DEFAULT_SNAPSHOT_RATE_HZ, LATE_UPDATE_MS } from '../../protocol/constants.ts';
import { percentile } from '../../protocol/netsim/percentile.ts';
import { StreamModel } from '../../protocol/netsim/stream-model.ts';
import type { Run } from './report.ts';

/** Loopback's own one-way delay, under the simulated latency the page adds (0). */
const LOOPBACK_ONE_WAY_MS = 1;

/** One simulated run per recorded real run: same loss, repetition and length. */
export function replayThroughModel(realRuns: Run[]): Run[] {
  const baselineOf = (run: Run) => realRuns.find((r) => r.lossPct === 0 && r.rep === run.rep)?.streamAgeP50Ms ?? run.datagramAgeP50Ms;
  return realRuns.map((real) => {
    const baselineMs = baselineOf(real);
    const model = new StreamModel(real.rep * 1000 + real.lossPct, {
      lossPct: real.lossPct,
      latencyMs: LOOPBACK_ONE_WAY_MS,
      jitterMs: 0,
      duplicatePct: 0,
    });
    const intervalMs = 1000 / DEFAULT_SNAPSHOT_RATE_HZ;
    const count = Math.round((real.seconds * 1000) / intervalMs);
    const ages: number[] = [];
    for (let i = 0; i < count; i++) {
      const sentAt = i * intervalMs;
      ages.push(model.delivery(sentAt) - sentAt + baselineMs);
    }
    const round = (v: number) => Math.round(v * 10) / 10;
    const { observers: _observers, capture: _capture, ...page } = real;
    return {
      ...page,
      mode: 'simulated' as const,
      streamAgeP50Ms: round(percentile(ages, 50)),
      streamAgeP95Ms: round(percentile(ages, 95)),
      streamLate: ages.filter((age) => age > LATE_UPDATE_MS).length,
      streamReceived: count,
      streamAges: ages.map(round),
      // The datagram side is not modelled here: the real window's figure stands.
    };
  });
}
