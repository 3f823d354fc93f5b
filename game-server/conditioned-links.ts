// The server's half of the simulated network: what it sends to a player goes
// through that player's chosen conditions (protocol/conditioner.ts) before it
// reaches the socket. Each player's links have their own models and seeds, so
// one player's bad network never touches another's.
import { DROP_SIMULATED_BACKLOG, DROP_SIMULATED_LOSS, MAX_DELAYED_MESSAGES } from '../protocol/constants.ts';
import { DatagramModel, isPerfect, PERFECT_NETWORK, StreamModel, type NetworkConditions } from '../protocol/conditioner.ts';
import type { ServerMessage } from '../protocol/stream.ts';
import { DelayedDeliveries } from '../protocol/delayed-deliveries.ts';
import type { DatagramLink, StreamLink } from './links.ts';
import type { Metrics } from './metrics.ts';

/** What a gateway provides: a socket's own sends, before any simulated network. */
export type SocketStreamLink = Omit<StreamLink, 'setConditions'>;
export type SocketDatagramLink = Omit<DatagramLink, 'setConditions'>;

/** A stream link whose messages arrive late, in order, as a TCP path with loss would deliver them. */
export class ConditionedStreamLink implements StreamLink {
  private readonly model: StreamModel;
  private readonly deliveries: DelayedDeliveries;
  private perfect = true;

  constructor(
    private readonly link: SocketStreamLink,
    seed: number,
    private readonly clock: () => number,
    private readonly metrics: Metrics,
  ) {
    this.model = new StreamModel(seed, PERFECT_NETWORK);
    this.deliveries = new DelayedDeliveries(clock);
  }

  setConditions(conditions: NetworkConditions): void {
    this.model.conditions = conditions;
    this.perfect = isPerfect(conditions);
  }

  /** Events are never dropped: the stream is reliable, however bad the simulated network. */
  send(message: ServerMessage): void {
    this.schedule(() => this.link.send(message));
  }

  /** A snapshot may be dropped when the simulated backlog is full: the next one supersedes it. */
  sendBinary(bytes: Uint8Array): boolean {
    if (this.deliveries.pending >= MAX_DELAYED_MESSAGES) {
      this.metrics.dropped('stream', 'out', DROP_SIMULATED_BACKLOG);
      return false;
    }
    this.schedule(() => this.link.sendBinary(bytes));
    return true;
  }

  /** Closes now: whatever is still in simulated flight is abandoned with the connection. */
  close(code: number, reason: string): void {
    this.dispose();
    this.link.close(code, reason);
  }

  /** Cancels everything in simulated flight (the socket closed). */
  dispose(): void {
    this.deliveries.cancelAll();
  }

  private schedule(deliver: () => void) {
    if (this.perfect && this.deliveries.pending === 0) deliver();
    else this.deliveries.at(this.model.delivery(this.clock()), deliver);
  }
}

/** A datagram link whose packets are lost, delayed, reordered and duplicated as the player chose. */
export class ConditionedDatagramLink implements DatagramLink {
  private readonly model: DatagramModel;
  private readonly deliveries: DelayedDeliveries;
  private perfect = true;

  constructor(
    private readonly link: SocketDatagramLink,
    seed: number,
    private readonly clock: () => number,
    private readonly metrics: Metrics,
  ) {
    this.model = new DatagramModel(seed, PERFECT_NETWORK);
    this.deliveries = new DelayedDeliveries(clock);
  }

  setConditions(conditions: NetworkConditions): void {
    this.model.conditions = conditions;
    this.perfect = isPerfect(conditions);
  }

  send(bytes: Uint8Array): boolean {
    if (this.perfect) return this.link.send(bytes);
    if (this.deliveries.pending >= MAX_DELAYED_MESSAGES) {
      this.metrics.dropped('datagram', 'out', DROP_SIMULATED_BACKLOG);
      return false;
    }
    const times = this.model.deliveries(this.clock());
    if (times.length === 0) this.metrics.dropped('datagram', 'out', DROP_SIMULATED_LOSS);
    for (const at of times) this.deliveries.at(at, () => this.link.send(bytes));
    return times.length > 0;
  }

  close(): void {
    this.dispose();
    this.link.close();
  }

  /** Cancels everything in simulated flight (the channel closed). */
  dispose(): void {
    this.deliveries.cancelAll();
  }
}
