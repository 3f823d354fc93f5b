// What one more client costs the server, from the steps of one run: the
// server's CPU (ms of CPU per second of wall time) against the clients
// playing, fitted with a straight line. Its slope is the marginal cost (ms of
// CPU per client-second), its intercept the fixed cost (what the server
// spends with nobody to serve: timers, NPCs, metrics). Dividing CPU by clients
// at one step instead mixes the two, and reads lower the more clients there
// are. From the line: how many clients one core holds at a given utilisation.

/** One measured window: clients playing, and the server's CPU in ms per second (100 % of a core = 1000). */
export interface CostPoint {
  clients: number;
  cpuMsPerS: number;
}

export interface MarginalCost {
  /** ms of CPU per client-second: the line's slope. */
  marginalMsPerClientS: number;
  /** The line at zero clients, as % of a core. */
  fixedPctOfCore: number;
  /** How far the points sit from the line (root mean square), as % of a core: the noise the fit carries. */
  residualPctOfCore: number;
  /** Clients that would keep one core at UTILISATION_TARGET (null when the slope is not positive). */
  clientsPerCore: number | null;
  points: number;
}

/** The share of a core the capacity figure is given at: headroom for bursts, GC and joins. */
export const UTILISATION_TARGET = 0.6;

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Least squares over the points; null with fewer than two distinct client counts (no slope to see). */
export function marginalCost(points: readonly CostPoint[]): MarginalCost | null {
  const n = points.length;
  if (new Set(points.map((p) => p.clients)).size < 2) return null;
  const meanX = points.reduce((s, p) => s + p.clients, 0) / n;
  const meanY = points.reduce((s, p) => s + p.cpuMsPerS, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.clients - meanX) * (p.cpuMsPerS - meanY);
    sxx += (p.clients - meanX) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residual = Math.sqrt(points.reduce((s, p) => s + (p.cpuMsPerS - (intercept + slope * p.clients)) ** 2, 0) / n);
  return {
    marginalMsPerClientS: round(slope, 3),
    fixedPctOfCore: round(intercept / 10, 1),
    residualPctOfCore: round(residual / 10, 1),
    clientsPerCore: slope > 0 ? Math.floor((UTILISATION_TARGET * 1000 - intercept) / slope) : null,
    points: n,
  };
}
