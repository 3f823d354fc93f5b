// The server's half of the simulated network: what it sends to a player goes
// through that player's chosen conditions (protocol/conditioned-sender.ts)
// before it reaches the socket. Each player's links have their own models and
// seeds, so one player's bad network never touches another's.
import { DROP_SIMULATED_BACKLOG, DROP_SIMULATED_LOSS, MAX_DELAYED_MESSAGES } from '../protocol/constants.ts';
import type { NetworkConditions } from '../protocol/conditioner.ts';
import { ConditionedSender } from '../protocol/conditioned-sender.ts';
import type { ServerMessage } from '../protocol/stream.ts';
import type { DatagramLink, StreamLink } from './links.ts';
import type { Metrics } from './metrics.ts';

/** What a gateway provides: a socket's own sends, before any simulated network. */
export type SocketStreamLink = Omit<StreamLink, 'setConditions'>;
export type SocketDatagramLink = Omit<DatagramLink, 'setConditions'>;

/** A stream link whose messages arrive late, in order, as a TCP path with loss would deliver them. */
export class ConditionedStreamLink implements StreamLink {
  private readonly network: ConditionedSender;

  constructor(
    private readonly link: SocketStreamLink,
    seed: number,
    clock: () => number,
    private readonly metrics: Metrics,
  ) {
    this.network = new ConditionedSender(seed, clock);
  }

  setConditions(conditions: NetworkConditions): void {
    this.network.setConditions(conditions);
  }

  /** Extra silence the player's simulated network can cause on this stream, which is not a vanished client. */
  get stallToleranceMs(): number {
    return this.network.streamStallMs;
  }

  /** Events are never dropped: the stream is reliable, however bad the simulated network. */
  send(message: ServerMessage): void {
    this.network.stream(() => this.link.send(message));
  }

  /** A snapshot may be dropped when the simulated backlog is full: the next one supersedes it. */
  sendBinary(bytes: Uint8Array): boolean {
    if (this.network.pending >= MAX_DELAYED_MESSAGES) {
      this.metrics.dropped('stream', 'out', DROP_SIMULATED_BACKLOG);
      return false;
    }
    this.network.stream(() => this.link.sendBinary(bytes));
    return true;
  }

  /** Closes now: whatever is still in simulated flight is abandoned with the connection. */
  close(code: number, reason: string): void {
    this.dispose();
    this.link.close(code, reason);
  }

  /** Cancels everything in simulated flight (the socket closed). */
  dispose(): void {
    this.network.cancelAll();
  }
}

/** A datagram link whose packets are lost, delayed, reordered and duplicated as the player chose. */
export class ConditionedDatagramLink implements DatagramLink {
  private readonly network: ConditionedSender;

  constructor(
    private readonly link: SocketDatagramLink,
    seed: number,
    clock: () => number,
    private readonly metrics: Metrics,
  ) {
    this.network = new ConditionedSender(seed, clock);
  }

  setConditions(conditions: NetworkConditions): void {
    this.network.setConditions(conditions);
  }

  /** False when the simulated network lost the datagram (or its backlog is full). */
  send(bytes: Uint8Array): boolean {
    if (this.network.pending >= MAX_DELAYED_MESSAGES) {
      this.metrics.dropped('datagram', 'out', DROP_SIMULATED_BACKLOG);
      return false;
    }
    const copies = this.network.datagram(() => this.link.send(bytes));
    if (copies === 0) this.metrics.dropped('datagram', 'out', DROP_SIMULATED_LOSS);
    return copies > 0;
  }

  close(): void {
    this.dispose();
    this.link.close();
  }

  /** Cancels everything in simulated flight (the channel closed). */
  dispose(): void {
    this.network.cancelAll();
  }
}
