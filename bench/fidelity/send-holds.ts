// The stream's holds, from packets: stretches in which the server let no new
// data out although the game writes every tick (the stream model's rule 5:
// from a repair until the sender hears it acknowledged, nothing new leaves),
// how long each lasted, and what ended it — the sender's own timeout (its
// resend acknowledged at last) or a write of the receiver's, whose ACK made
// up for a lost one (rule 4). Pure, over one connection's packets as
// tcp-capture.ts reads them; tested in test/unit/tcp-capture.test.ts.
import { DEFAULT_SNAPSHOT_RATE_HZ } from '../../protocol/constants.ts';
import type { ConnectionPacket } from './tcp-capture.ts';

/** A gap in the server's new data longer than two and a half send intervals is a hold, not a tick's jitter. */
export const HOLD_MIN_MS = 2.5 * (1000 / DEFAULT_SNAPSHOT_RATE_HZ);

/**
 * What let the held data out: the server's last resend before it (in
 * practice a timeout's: a fast repair's ACK is back within the tick, so it
 * ends no gap as long as HOLD_MIN_MS), or the client's last data segment (its
 * write, whose ACK the server heard; the capture cannot tell which of the
 * client's ACKs the input hook dropped, so this is the last one sent).
 */
export type HoldEnd = 'timeout' | 'receiver write' | 'other';

/** Hold lengths grouped by what ended them, empty: where callers collect them. */
export function noHoldLengths(): Record<HoldEnd, number[]> {
  return { timeout: [], 'receiver write': [], other: [] };
}

export interface SendHold {
  /** When the server last sent new data before the hold. */
  fromMs: number;
  lengthMs: number;
  endedBy: HoldEnd;
}

/**
 * Every gap longer than `minGapMs` between two packets of the server's that
 * carry new bytes. What came last before the release names what ended it: a
 * resend of the server's (then acknowledged: a timeout), or a data segment of
 * the client's, whose cumulative ACK reopened the window; neither, the
 * application had nothing to send.
 */
export function sendHolds(packets: readonly ConnectionPacket[], minGapMs: number): SendHold[] {
  const holds: SendHold[] = [];
  let highest = -Infinity;
  let lastNewAt: number | null = null;
  let lastResendAt = -Infinity;
  let lastClientWriteAt = -Infinity;
  for (const packet of packets) {
    if (!packet.fromServer) {
      if (packet.length > 0) lastClientWriteAt = packet.atMs;
      continue;
    }
    if (packet.start === undefined || packet.end === undefined) continue;
    // Bytes sent before are a resend, even in a packet that also carries new ones.
    if (packet.start < highest) lastResendAt = packet.atMs;
    if (packet.end <= highest) continue;
    if (lastNewAt !== null && packet.atMs - lastNewAt > minGapMs) {
      const since = lastNewAt;
      const endedBy: HoldEnd = lastClientWriteAt > since && lastClientWriteAt > lastResendAt ? 'receiver write' : lastResendAt > since ? 'timeout' : 'other';
      holds.push({ fromMs: since, lengthMs: packet.atMs - since, endedBy });
    }
    lastNewAt = packet.atMs;
    highest = packet.end;
  }
  return holds;
}
