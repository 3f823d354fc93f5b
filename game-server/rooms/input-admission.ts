// How players' inputs get into the simulation: which ones a packet may queue,
// and how many each fixed step applies. It belongs with the fixed-step loop
// (fixed-step-loop.ts; the room's arena, arena.ts, runs both), not with the
// physics: the rules are about time (steps owed, steps skipped by a stall),
// and the world only moves a body by one input (World.movePlayer). One
// player's state is a PlayerInputs, kept on their Player; the stall grants,
// shared by the room, are kept here.
import { MAX_CATCH_UP_STEPS, MAX_INPUT_CREDITS, MAX_QUEUED_INPUTS, MAX_STALL_INPUTS, STALL_CREDITS_KEPT_MS } from '../../protocol/constants.ts';
import type { InputPacket } from '../../protocol/wire/input.ts';
import { InputQueue } from './input-queue.ts';
import type { PlayerBody, World } from './world.ts';

/** One player's inputs on their way in: those queued, the newest applied, and the credits to apply more. Fresh each time they enter the arena. */
export class PlayerInputs {
  /** Inputs received but not yet applied. */
  readonly queue = new InputQueue();
  /** Newest input sequence applied (0 before any): the client reconciles its prediction with it. */
  lastAppliedSeq = 0;
  /** How many queued inputs the next step may apply. */
  credits = 1;

  /** `enteredAtTick`: the tick they entered the arena at; a stall that was under way then is not their own. */
  constructor(readonly enteredAtTick: number) {}
}

/** A player as the admission sees them: their inputs, and their body while they are in the arena. */
export interface InputHolder {
  readonly inputs: PlayerInputs;
  readonly body: PlayerBody | null;
}

/** What `admit` did with a packet: inputs accepted, already applied, or dropped for lack of room. */
export interface QueueResult {
  accepted: number;
  stale: number;
  overflow: number;
}

/** The credits one server stall granted (its skipped steps), and the tick they lapse at. */
interface StallGrant {
  count: number;
  untilTick: number;
}

export class InputAdmission {
  private readonly dtMs: number;
  /** Stalls of the last STALL_CREDITS_KEPT_MS: together they cap the credits anyone may hold beyond MAX_INPUT_CREDITS. */
  private stallGrants: StallGrant[] = [];

  constructor(tickRateHz: number) {
    this.dtMs = 1000 / tickRateHz;
  }

  /**
   * Queues the inputs of one packet. Inputs already applied or queued are
   * ignored (packets repeat them on purpose); the queue keeps the newest
   * MAX_QUEUED_INPUTS beyond what the server owes the player, so a flood can
   * neither grow memory nor build up lag. What it owes is its own stall:
   * `stepsOwed` (due but not yet run: the process has not woken since) and
   * the credits of steps it skipped. Those inputs were sent in real time and
   * will all be applied at the next step; dropping them would move the
   * player back, a correction the player did nothing to cause.
   */
  admit(inputs: PlayerInputs, packet: InputPacket, stepsOwed = 0): QueueResult {
    const result: QueueResult = { accepted: 0, stale: 0, overflow: 0 };
    packet.inputs.forEach((input, i) => {
      const seq = packet.seq - i;
      if (seq > inputs.lastAppliedSeq && inputs.queue.add(seq, input)) result.accepted++;
      else result.stale++;
    });
    const owed = Math.min(MAX_STALL_INPUTS, stepsOwed + Math.max(0, inputs.credits - MAX_INPUT_CREDITS));
    result.overflow = inputs.queue.trimTo(MAX_QUEUED_INPUTS + owed);
    return result;
  }

  /**
   * The server fell so far behind that it skipped `count` steps instead of
   * running them (FixedStepLoop, "don't spiral"); `tick` is the world's tick
   * now. Its players did not: their clients sent an input for each of those
   * steps, which arrive after the stall. Each player in the arena earns the
   * skipped steps' credits, beyond the usual cap, so those inputs are applied
   * at once instead of being dropped or queued for good, and the player's own
   * prediction stays right. A client cannot earn these: only the server's own
   * stall grants them, and they last STALL_CREDITS_KEPT_MS.
   */
  creditSkippedSteps(count: number, tick: number, players: Iterable<InputHolder>): void {
    this.stallGrants.push({ count, untilTick: tick + Math.ceil(STALL_CREDITS_KEPT_MS / this.dtMs) });
    for (const { inputs, body } of players) {
      if (!body) continue;
      // Entered during this stall (the loop ran its catch-up steps since): it
      // sent nothing in the skipped steps, so they are not owed to it.
      if (inputs.enteredAtTick >= tick - MAX_CATCH_UP_STEPS) continue;
      inputs.credits = Math.min(MAX_INPUT_CREDITS + MAX_STALL_INPUTS, inputs.credits + count);
    }
  }

  /** Applies, in the world's step `world.tick`, the queued inputs each player in the arena has the credits for. */
  applyInputs(players: Iterable<InputHolder>, world: World): void {
    const creditCap = MAX_INPUT_CREDITS + this.liveStallCredits(world.tick);
    for (const { inputs, body } of players) {
      if (body) this.applyQueued(inputs, body, creditCap, world);
    }
  }

  /** Credits the stalls of the last STALL_CREDITS_KEPT_MS granted, all together; lapsed grants are forgotten. */
  private liveStallCredits(tick: number): number {
    if (this.stallGrants.length === 0) return 0; // nearly every step: nothing to allocate
    this.stallGrants = this.stallGrants.filter((grant) => tick < grant.untilTick);
    return this.stallGrants.reduce((sum, grant) => sum + grant.count, 0);
  }

  /** `creditCap`: MAX_INPUT_CREDITS plus the live stall credits, worked out once per step. */
  private applyQueued(inputs: PlayerInputs, body: PlayerBody, creditCap: number, world: World): void {
    if (inputs.credits < MAX_INPUT_CREDITS) inputs.credits++;
    while (inputs.credits >= 1 && inputs.queue.size > 0) {
      const { seq, input } = inputs.queue.takeOldest()!;
      world.movePlayer(body, input);
      inputs.lastAppliedSeq = seq;
      inputs.credits--;
    }
    // Credits left over from a stall are not a bank to spend later: each
    // stall's lapse after STALL_CREDITS_KEPT_MS, however many stalls follow,
    // and then a client may run ahead of real time by MAX_INPUT_CREDITS and
    // no more. Until then an empty queue does not end them: the stall's
    // inputs may still be on their way.
    inputs.credits = Math.min(inputs.credits, creditCap);
  }
}
