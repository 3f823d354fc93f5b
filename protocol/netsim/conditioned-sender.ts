// A sender's half of the simulated network: each send runs when (and as
// often as) the player's chosen conditions (conditioner.ts) would deliver it.
// Each direction is conditioned once, at its sender: the client uses this for
// what it sends, the server (game-server/transport/conditioned-links.ts) for what it
// sends to that player.
import { clampConditions, DatagramModel, isPerfect, PERFECT_NETWORK, type NetworkConditions } from './conditioner.ts';
import { StreamModel, worstStreamStallMs } from './stream-model.ts';
import { DelayedDeliveries, type Timers } from './delayed-deliveries.ts';

export class ConditionedSender {
  conditions: NetworkConditions = PERFECT_NETWORK;
  private readonly datagramModel: DatagramModel;
  private readonly streamModel: StreamModel;
  /** One queue per channel: the stream model moves its own held deliveries (rule 1c), never a datagram due at the same moment. */
  private readonly streamDeliveries: DelayedDeliveries;
  private readonly datagramDeliveries: DelayedDeliveries;

  /** `now` and `timers` are the host's clock and timers, passed in to keep protocol/ pure. */
  constructor(
    seed: number,
    private readonly now: () => number,
    timers: Timers,
  ) {
    this.datagramModel = new DatagramModel(seed);
    this.streamModel = new StreamModel(seed + 1);
    this.streamDeliveries = new DelayedDeliveries(now, timers);
    this.datagramDeliveries = new DelayedDeliveries(now, timers);
  }

  /** How much longer than usual the stream may stay silent under these conditions (see worstStreamStallMs). */
  get streamStallMs(): number {
    return worstStreamStallMs(this.conditions);
  }

  /** Sends waiting for their simulated delivery time. */
  get pending(): number {
    return this.streamDeliveries.pending + this.datagramDeliveries.pending;
  }

  /** Chooses the conditions (clamped to CONDITION_LIMITS) and returns them. */
  setConditions(conditions: NetworkConditions): NetworkConditions {
    this.conditions = clampConditions(conditions);
    this.datagramModel.conditions = this.conditions;
    this.streamModel.conditions = this.conditions;
    return this.conditions;
  }

  /** Runs a stream send when the simulated TCP path would deliver it: late, in order, never lost. */
  stream(send: () => void): void {
    if (isPerfect(this.conditions) && this.streamDeliveries.pending === 0) send();
    else {
      const at = this.streamModel.delivery(this.now());
      // This write may have brought an earlier message's repair forward (stream-model.ts, rule 1c).
      const moved = this.streamModel.revisedArrival;
      if (moved) this.streamDeliveries.reschedule(moved.fromMs, moved.toMs);
      this.streamDeliveries.at(at, send);
    }
  }

  /**
   * Runs a datagram send as the simulated path would: maybe never, late, out
   * of order or twice. Returns how many copies will arrive (0: lost).
   */
  datagram(send: () => void): number {
    if (isPerfect(this.conditions)) {
      send();
      return 1;
    }
    const deliveries = this.datagramModel.deliveries(this.now());
    for (const at of deliveries) this.datagramDeliveries.at(at, send);
    return deliveries.length;
  }

  /** Forgets everything in simulated flight (the client closed). */
  cancelAll(): void {
    this.streamDeliveries.cancelAll();
    this.datagramDeliveries.cancelAll();
  }
}
