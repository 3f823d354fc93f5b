// Segment histories summed up, real (from a capture) or the model's: how many
// times segments went out, each wait before a resend by kind, and the
// patterns of waits that repaired them ("fast ~200 ~400" …). Shared by
// bench:tcp-stalls and bench:fidelity's --save-capture, so both read alike.
import type { SegmentHistory } from '../../protocol/netsim/stream-model.ts';
import { waitKind, type WaitKind } from './tcp-capture.ts';

export interface SegmentTally {
  segments: number;
  /** Segments by how many times they went out (1 = never resent). */
  transmissions: Record<string, number>;
  /** Waits before a resend, by kind, and the longest. */
  waits: Record<WaitKind, number>;
  longestWaitMs: number;
  /** Resent segments by the kinds of their waits in order: which rules repaired them. */
  patterns: Record<string, number>;
}

export function tallySegments(segments: readonly SegmentHistory[]): SegmentTally {
  const transmissions: Record<string, number> = {};
  const waits: Record<WaitKind, number> = { fast: 0, '~200': 0, '~400': 0, '~800': 0, '1600+': 0 };
  let longestWaitMs = 0;
  const patterns: Record<string, number> = {};
  for (const segment of segments) {
    transmissions[segment.transmissions] = (transmissions[segment.transmissions] ?? 0) + 1;
    if (segment.waitsMs.length > 0) {
      const pattern = segment.waitsMs.map(waitKind).join(' ');
      patterns[pattern] = (patterns[pattern] ?? 0) + 1;
    }
    for (const waitMs of segment.waitsMs) {
      waits[waitKind(waitMs)]++;
      longestWaitMs = Math.max(longestWaitMs, waitMs);
    }
  }
  return {
    segments: segments.length,
    transmissions,
    waits,
    longestWaitMs: Math.round(longestWaitMs * 10) / 10,
    patterns: Object.fromEntries(Object.entries(patterns).sort((a, b) => b[1] - a[1])),
  };
}
