// Reading a tcpdump text capture of one TCP direction (`tcpdump -n -tt -S`):
// the data segments, then for each one how many times it went out and how
// long each wait before a resend was. Pure, so it is tested on its own
// (test/unit/tcp-capture.test.ts). On loopback tcpdump sees a packet as it is
// sent, before nftables' input hook may drop it: every transmission is there,
// dropped or not, so the last transmission of a segment is the one that got
// through.

import type { SegmentHistory } from '../../protocol/netsim/stream-model.ts';

/** One data packet as sent: when, and which bytes (absolute sequence numbers, end exclusive). */
export interface CapturedSegment {
  atMs: number;
  start: number;
  end: number;
}


const LINE = /^(\d+\.\d+) IP [\d.]+\.(\d+) > [\d.]+\.\d+: .*?seq (\d+):(\d+),/;

/** A data packet sent from `port`, or null for anything else (pure ACKs, the other direction, noise). */
export function parseTcpdumpLine(line: string, port: number): CapturedSegment | null {
  const match = LINE.exec(line);
  if (!match || Number(match[2]) !== port) return null;
  const start = Number(match[3]);
  const end = Number(match[4]);
  if (!(end > start)) return null;
  return { atMs: Number(match[1]) * 1000, start, end };
}

/**
 * Each original segment's history: a packet that starts below the highest
 * byte sent so far is a resend of every original segment it overlaps (a
 * resend may merge several, and carry new bytes past the highest, which
 * count as a new segment). Sequence numbers are taken as they come (a
 * capture too short to wrap 2^32).
 */
export function segmentWaits(packets: CapturedSegment[]): SegmentHistory[] {
  const segments: { start: number; end: number; lastAtMs: number; history: SegmentHistory }[] = [];
  let highest = -Infinity;
  for (const packet of [...packets].sort((a, b) => a.atMs - b.atMs)) {
    if (packet.start < highest) {
      for (const segment of segments) {
        if (segment.end <= packet.start || segment.start >= packet.end) continue;
        segment.history.transmissions++;
        segment.history.waitsMs.push(packet.atMs - segment.lastAtMs);
        segment.lastAtMs = packet.atMs;
      }
    }
    if (packet.end > highest) {
      const start = Math.max(packet.start, highest);
      segments.push({ start, end: packet.end, lastAtMs: packet.atMs, history: { transmissions: 1, waitsMs: [] } });
      highest = packet.end;
    }
  }
  return segments.map((segment) => segment.history);
}

/** Waits by length: a fast repair (within a few send intervals), then around 200, 400, 800 ms and longer (TCP's minimum RTO and its doublings; a tail-loss probe also waits about 200 ms alone in flight). */
export type WaitKind = 'fast' | '~200' | '~400' | '~800' | '1600+';

export function waitKind(waitMs: number): WaitKind {
  if (waitMs < 120) return 'fast';
  if (waitMs < 300) return '~200';
  if (waitMs < 600) return '~400';
  if (waitMs < 1200) return '~800';
  return '1600+';
}
