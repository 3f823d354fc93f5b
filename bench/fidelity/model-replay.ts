// The model alone, in seconds: each recorded real window replayed through
// the stream model at the same loss, over the same 30 Hz snapshot stream,
// once per connection the window measured (the page and every stream
// observer, each with its own draw), each on top of its own baseline: that
// connection's stream update age at 0 % loss (what its client adds whatever
// the network does). The 0 % baseline is measured once, so every
// repetition takes it from the 0 % window. Where none was recorded (older
// reports), the page's datagram age stands for the page's (it carries the
// page's own drawing too), and an observer, a Node client that reads an
// update within a millisecond, gets loopback's own delay. Calibrating the
// model is then an edit and a rerun of `npm run bench:fidelity -- --model-only`.
import { DEFAULT_SNAPSHOT_RATE_HZ, LATE_UPDATE_MS } from '../../protocol/constants.ts';
import { percentile } from '../../protocol/netsim/percentile.ts';
import { StreamModel } from '../../protocol/netsim/stream-model.ts';
import type { Run } from './report.ts';

/** Loopback's own one-way delay, under the simulated latency the page adds (0). */
const LOOPBACK_ONE_WAY_MS = 1;
/** Seeds of one window's connections are this far apart (a window's own seed is rep × 1000 + loss), so no two draw alike below 100 repetitions. */
const SEED_STRIDE = 100_000;

const round = (v: number) => Math.round(v * 10) / 10;

/** One simulated run per recorded real run: same loss, repetition and length, and as many connections. */
export function replayThroughModel(realRuns: Run[]): Run[] {
  const baselineWindow = (run: Run) => realRuns.find((r) => r.lossPct === 0 && r.rep === run.rep) ?? realRuns.find((r) => r.lossPct === 0);
  return realRuns.map((real) => {
    const base = baselineWindow(real);
    const seed = real.rep * 1000 + real.lossPct;
    const pageAges = replayAges(seed, real, base?.streamAgeP50Ms ?? real.datagramAgeP50Ms);
    // The observers are matched by position: one process starts them in the same order for every window.
    const observers = (real.observers ?? []).map((observed, i) => {
      const own = base?.observers?.[i]?.ages;
      const baselineMs = own && own.length > 0 ? percentile(own, 50) : LOOPBACK_ONE_WAY_MS;
      return { ages: replayAges(seed + (i + 1) * SEED_STRIDE, real, baselineMs), reconnects: observed.reconnects };
    });
    const { capture: _capture, observers: _observed, ...page } = real;
    return {
      ...page,
      mode: 'simulated' as const,
      streamAgeP50Ms: round(percentile(pageAges, 50)),
      streamAgeP95Ms: round(percentile(pageAges, 95)),
      streamLate: pageAges.filter((age) => age > LATE_UPDATE_MS).length,
      streamReceived: pageAges.length,
      streamAges: pageAges,
      ...(real.observers ? { observers } : {}),
      // The datagram side is not modelled here: the real window's figure stands.
    };
  });
}

/**
 * One connection's window through the model: every snapshot's age, ms
 * (rounded to 0.1), as the delay the model adds over a lossless loopback
 * on top of the connection's measured lossless age (which already holds
 * loopback's own delay).
 */
function replayAges(seed: number, real: Run, baselineMs: number): number[] {
  const model = new StreamModel(seed, { lossPct: real.lossPct, latencyMs: LOOPBACK_ONE_WAY_MS, jitterMs: 0, duplicatePct: 0 });
  const intervalMs = 1000 / DEFAULT_SNAPSHOT_RATE_HZ;
  const count = Math.round((real.seconds * 1000) / intervalMs);
  const sendTimes = Array.from({ length: count }, (_, i) => i * intervalMs);
  return model.deliveries(sendTimes).map((at, i) => round(at - sendTimes[i]! - LOOPBACK_ONE_WAY_MS + baselineMs));
}
