// The client's half of the simulated network: everything it sends goes
// through the player's chosen conditions (protocol/conditioner.ts) before it
// reaches the socket. The server applies the same settings to what it sends
// back (game-server/conditioned-links.ts), so each direction is conditioned
// once, at its sender.
import { clampConditions, DatagramModel, isPerfect, PERFECT_NETWORK, StreamModel, type NetworkConditions } from '../../protocol/conditioner.ts';
import { DelayedDeliveries } from '../../protocol/delayed-deliveries.ts';

export class ConditionedSender {
  conditions: NetworkConditions = PERFECT_NETWORK;
  private readonly datagramModel: DatagramModel;
  private readonly streamModel: StreamModel;
  private readonly delayed: DelayedDeliveries;

  constructor(
    seed: number,
    private readonly now: () => number,
  ) {
    this.datagramModel = new DatagramModel(seed);
    this.streamModel = new StreamModel(seed + 1);
    this.delayed = new DelayedDeliveries(now);
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
    if (isPerfect(this.conditions) && this.delayed.pending === 0) send();
    else this.delayed.at(this.streamModel.delivery(this.now()), send);
  }

  /** Runs a datagram send as the simulated path would: maybe never, late, out of order or twice. */
  datagram(send: () => void): void {
    if (isPerfect(this.conditions)) return send();
    for (const at of this.datagramModel.deliveries(this.now())) this.delayed.at(at, send);
  }

  /** Forgets everything in simulated flight (the client closed). */
  cancelAll(): void {
    this.delayed.cancelAll();
  }
}
