// The player's simulated network as a decorator over a channel's transport:
// what the channel sends goes through ConditionedSender (the stream's sends
// late and in order, never lost; datagrams maybe lost, late, reordered or
// twice), to whichever socket the channel has at delivery time. It sits
// below liveness (liveness.ts): it is the one place that knows how much
// silence our own simulated network can explain, so "silence counts only
// when the network is not simulated" is decided here, once.
import type { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import type { ChannelName } from './channels.ts';
import type { Transport, TransportData } from './transport.ts';

export class ConditionedTransport<T extends Transport = Transport> {
  /** The channel's socket now (null between sockets). Swapped on reconnect: a delayed send goes to the socket of its delivery time. */
  current: T | null = null;

  constructor(
    private readonly path: ChannelName,
    private readonly outgoing: ConditionedSender,
    /** Told the size of every send the socket took (0: it was not open), for the channel's meter. */
    private readonly onSent: (bytes: number) => void,
  ) {}

  /** Sends through the simulated network. */
  send(data: TransportData): void {
    const deliver = () => this.onSent(this.current?.send(data) ?? 0);
    if (this.path === 'stream') this.outgoing.stream(deliver);
    else this.outgoing.datagram(deliver);
  }

  /**
   * Sends at once, past the simulated network, like a knob on a lab's
   * network emulator (settings: both ends switch together).
   */
  sendNow(data: TransportData): void {
    this.onSent(this.current?.send(data) ?? 0);
  }

  /**
   * How much longer than HEARTBEAT_TIMEOUT_MS the channel may hear nothing
   * before silence means the other end is gone: the part of the silence our
   * own simulated network may be causing.
   *  - stream: a stall of our own simulated TCP is not a dead server
   *    (worstStreamStallMs for these conditions).
   *  - datagram: the server's datagrams to us pass through our own
   *    simulated loss first: at 90 % a 30 Hz stream of snapshots falls
   *    silent that long now and then. So under simulated loss, silence
   *    counts only if the real transport is down too (as the server judges
   *    it, datagram-gateway.ts); on a perfect path silence means gone.
   */
  simulatedSilenceMs(): number {
    if (this.path === 'stream') return this.outgoing.streamStallMs;
    return this.outgoing.conditions.lossPct > 0 && this.current?.isUp() ? Infinity : 0;
  }
}
