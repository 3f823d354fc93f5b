// What followed a fast repair on the game's stream, pooled over captures:
// the figures the stream model's measured rules come from (constants.ts:
// RACK_LOST_RETRANSMISSION_SHARE, ACK_LOSS_STALL_SHARE; stream-model.ts rule
// 5). Pure: it reads segments resent (repair-causes.ts) and the server's
// new data, per connection.
import { resendCauses } from './repair-causes.ts';
import { waitKind, type ConnectionPacket } from './tcp-capture.ts';

export interface RepairFollowups {
  /** Segments whose first resend was fast (within 120 ms: RACK, from the next segment's SACK). */
  fastRepairs: number;
  /** …then resent again fast (the lost repair found by RACK). */
  lostRepairFoundFast: number;
  /** …then resent after a timeout because the repair was lost. */
  lostRepairTimeout: number;
  /** …then resent after a timeout although the receiver had ACKed the repair (the ACK was lost). */
  lostAckTimeout: number;
  /** Of those timeouts (either cause), how many had no new data leave between the repair and the timeout. */
  timeoutsWithNothingNewBefore: number;
}

export function repairFollowups(packets: readonly ConnectionPacket[]): RepairFollowups {
  const counts: RepairFollowups = { fastRepairs: 0, lostRepairFoundFast: 0, lostRepairTimeout: 0, lostAckTimeout: 0, timeoutsWithNothingNewBefore: 0 };
  const newDataAt: number[] = [];
  let highest = -Infinity;
  for (const p of packets) {
    if (!p.fromServer || p.start === undefined || !(p.end! > p.start) || p.end! <= highest) continue;
    if (p.start >= highest) newDataAt.push(p.atMs);
    highest = p.end!;
  }
  for (const segment of resendCauses(packets, true)) {
    const wait = (i: number) => segment.sendsAtMs[i + 1]! - segment.sendsAtMs[i]!;
    if (waitKind(wait(0)) !== 'fast') continue;
    counts.fastRepairs++;
    if (segment.causes.length < 2) continue;
    if (waitKind(wait(1)) === 'fast') {
      if (segment.causes[1] === 'data') counts.lostRepairFoundFast++;
      continue;
    }
    if (segment.causes[1] === 'data') counts.lostRepairTimeout++;
    else counts.lostAckTimeout++;
    const [repairAt, timeoutAt] = [segment.sendsAtMs[1]!, segment.sendsAtMs[2]!];
    if (!newDataAt.some((t) => t > repairAt + 0.5 && t < timeoutAt - 0.5)) counts.timeoutsWithNothingNewBefore++;
  }
  return counts;
}
