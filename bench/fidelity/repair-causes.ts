// Why each resend of a segment happened, from a capture of both directions.
// tcpdump on loopback records a packet as it is sent, before the input hook
// may drop it, so the receiver's ACKs are all there, dropped or not: if an
// ACK or SACK covering the segment was sent between two of its sends, the
// earlier send had arrived and the sender resent because that ACK was lost
// ('ack'); if none had ever covered it, the earlier send itself was lost
// ('data'). Pure.
import type { ConnectionPacket } from './tcp-capture.ts';

export type ResendCause = 'data' | 'ack';

export interface ResentSegment {
  /** Every send of the segment, ms. */
  sendsAtMs: number[];
  /** Why each send after the first happened. */
  causes: ResendCause[];
}

/** The resent segments of one direction of one connection (`fromServer`: the server's data, acknowledged by the client). */
export function resendCauses(packets: readonly ConnectionPacket[], fromServer: boolean): ResentSegment[] {
  const acks = packets.filter((p) => p.fromServer !== fromServer && p.ack !== undefined);
  const covered = (start: number, end: number, untilMs: number) =>
    acks.some((a) => a.atMs <= untilMs && (a.ack! >= end || a.sacks.some(([s, e]) => s <= start && e >= end)));
  const segments: { start: number; end: number; sendsAtMs: number[] }[] = [];
  let highest = -Infinity;
  for (const p of packets) {
    if (p.fromServer !== fromServer || p.start === undefined || !(p.end! > p.start)) continue;
    if (p.start < highest) for (const s of segments) if (s.end > p.start && s.start < p.end!) s.sendsAtMs.push(p.atMs);
    if (p.end! > highest) {
      segments.push({ start: Math.max(p.start, highest), end: p.end!, sendsAtMs: [p.atMs] });
      highest = p.end!;
    }
  }
  return segments
    .filter((s) => s.sendsAtMs.length > 1)
    .map((s) => ({
      sendsAtMs: s.sendsAtMs,
      causes: s.sendsAtMs.slice(1).map((atMs): ResendCause => (covered(s.start, s.end, atMs) ? 'ack' : 'data')),
    }));
}
