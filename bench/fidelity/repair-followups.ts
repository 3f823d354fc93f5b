// What followed a fast repair on the game's stream, and a timeout's resend,
// pooled over captures: the figures the stream model's measured rules come
// from (constants.ts: RACK_LOST_RETRANSMISSION_SHARE, ACK_LOSS_STALL_SHARE;
// stream-model.ts rules 4 and 5). Pure: it reads segments resent (repair-causes.ts) and the server's
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
  /** Resends that followed a wait longer than a fast repair's (a timeout, or a lone segment's tail-loss probe): rule 4's second stage. */
  timeoutResends: number;
  /** …resent again, the copy lost (the receiver never had the data). */
  timeoutResendLost: number;
  /** …resent again although the receiver had the data (its ACK, or a copy of data it had, lost). Waits a write of the receiver's ended first are not here: they are holds ended by a receiver write (send-holds.ts). */
  timeoutResendAckLost: number;
}

/** Every count at zero: where a tally over one connection, or a pool over many, starts. */
export function noRepairFollowups(): RepairFollowups {
  return {
    fastRepairs: 0,
    lostRepairFoundFast: 0,
    lostRepairTimeout: 0,
    lostAckTimeout: 0,
    timeoutsWithNothingNewBefore: 0,
    timeoutResends: 0,
    timeoutResendLost: 0,
    timeoutResendAckLost: 0,
  };
}

export function repairFollowups(packets: readonly ConnectionPacket[]): RepairFollowups {
  const counts = noRepairFollowups();
  const newDataAt: number[] = [];
  let highest = -Infinity;
  for (const p of packets) {
    if (!p.fromServer || p.start === undefined || !(p.end! > p.start) || p.end! <= highest) continue;
    if (p.start >= highest) newDataAt.push(p.atMs);
    highest = p.end!;
  }
  for (const segment of resendCauses(packets, true)) {
    const wait = (i: number) => segment.sendsAtMs[i + 1]! - segment.sendsAtMs[i]!;
    // Each resend after a timeout (send i + 1 after a wait that was not fast), and what came of it.
    for (let i = 0; i + 1 < segment.sendsAtMs.length; i++) {
      if (waitKind(wait(i)) === 'fast') continue;
      counts.timeoutResends++;
      const next = segment.causes[i + 1];
      if (next === 'data') counts.timeoutResendLost++;
      else if (next === 'ack') counts.timeoutResendAckLost++;
    }
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
