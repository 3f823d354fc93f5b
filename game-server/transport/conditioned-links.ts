// The server's half of the simulated network: what it sends to a player goes
// through that player's chosen conditions (protocol/netsim/conditioned-sender.ts)
// before it reaches the socket. Each player's links have their own models and
// seeds, so one player's bad network never touches another's.
//
// A decorator over an adapter's Transport (transport.ts), and below liveness: the
// ws pings and the datagram heartbeat are judged on the channel underneath,
// so a simulated stall is never taken for a dead peer (see
// silenceIsSimulated for the one place that weighs simulated loss).
import {
  CLOSE_BACKLOG_FULL,
  DROP_SIMULATED_BACKLOG,
  DROP_SIMULATED_LOSS,
  ERROR_BACKLOG_FULL,
  MAX_DELAYED_BYTES,
  MAX_DELAYED_MESSAGES,
} from '../../protocol/constants.ts';
import { isPerfect, type NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import { ConditionedSender } from '../../protocol/netsim/conditioned-sender.ts';
import type { ServerMessage } from '../../protocol/wire/stream.ts';
import type { DatagramLink, StreamLink } from '../rooms/links.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Transport, StreamTransport } from './transport.ts';

/** A stream link whose messages arrive late, in order, as a TCP path with loss would deliver them. */
export class ConditionedStreamLink implements StreamLink {
  private readonly network: ConditionedSender;
  /** Bytes waiting in simulated flight: bounded, like the number of messages. */
  private heldBytes = 0;

  constructor(
    private readonly link: StreamTransport,
    seed: number,
    clock: () => number,
    private readonly metrics: Metrics,
  ) {
    this.network = new ConditionedSender(seed, clock, globalThis);
  }

  setConditions(conditions: NetworkConditions): void {
    this.network.setConditions(conditions);
  }

  /**
   * Events are never dropped: the stream is reliable, however bad the
   * simulated network. So when they pile up past the bound (a harsh network
   * and a busy arena), the player is resynchronised instead: told why, and
   * cut off; its client reconnects, resumes and gets a fresh welcome and the
   * missed events from the event log. The server's memory never pays.
   */
  send(message: ServerMessage): void {
    // Most players choose no simulated network: nothing is held, so nothing to measure.
    if (isPerfect(this.network.conditions) && this.network.pending === 0) {
      this.link.send(message);
      return;
    }
    const size = JSON.stringify(message).length;
    if (!this.hasRoomFor(size)) {
      this.resynchronise();
      return;
    }
    this.hold(size, () => this.link.send(message));
  }

  /** A snapshot may be dropped when the simulated backlog is full: the next one supersedes it. */
  sendBinary(bytes: Uint8Array): boolean {
    if (!this.hasRoomFor(bytes.byteLength)) {
      this.metrics.dropped('stream', 'out', DROP_SIMULATED_BACKLOG);
      return false;
    }
    this.hold(bytes.byteLength, () => this.link.sendBinary(bytes));
    return true;
  }

  private hasRoomFor(size: number): boolean {
    return this.network.pending < MAX_DELAYED_MESSAGES && this.heldBytes + size <= MAX_DELAYED_BYTES;
  }

  private hold(size: number, send: () => void) {
    this.heldBytes += size;
    this.network.stream(() => {
      this.heldBytes -= size;
      send();
    });
  }

  private resynchronise() {
    this.metrics.dropped('stream', 'out', DROP_SIMULATED_BACKLOG);
    // Straight to the socket: the reason must not wait behind the backlog it explains.
    this.link.send({
      type: 'error',
      code: ERROR_BACKLOG_FULL,
      message: `your simulated network fell more than ${MAX_DELAYED_MESSAGES} messages or ${MAX_DELAYED_BYTES / 1024} KiB behind: reconnecting to catch up`,
    });
    this.close(CLOSE_BACKLOG_FULL, 'simulated backlog full');
  }

  /** Closes now: whatever is still in simulated flight is abandoned with the connection. */
  close(code: number, reason: string): void {
    this.dispose();
    this.link.close(code, reason);
  }

  /** Cancels everything in simulated flight (the socket closed). */
  dispose(): void {
    this.network.cancelAll();
    this.heldBytes = 0;
  }
}

/** A datagram link whose packets are lost, delayed, reordered and duplicated as the player chose. */
export class ConditionedDatagramLink implements DatagramLink {
  private readonly network: ConditionedSender;
  private heldBytes = 0;

  constructor(
    private readonly link: Transport,
    seed: number,
    clock: () => number,
    private readonly metrics: Metrics,
  ) {
    this.network = new ConditionedSender(seed, clock, globalThis);
  }

  setConditions(conditions: NetworkConditions): void {
    this.network.setConditions(conditions);
  }

  /**
   * Whether a silent channel's silence may be the player's own simulated
   * network, given whether the real transport underneath is still alive.
   * What a client sends passes
   * through its simulated loss before it reaches the socket: at the harshest
   * loss the server accepts (90 %), a client with only its 1 Hz pings to send
   * (one that watches, or whose game loop is throttled) stays silent past
   * HEARTBEAT_TIMEOUT_MS more often than not, and even one sending an input
   * every tick sometimes does (about 10^-7 a check at 60 Hz, and far more at
   * a low TICK_RATE). Latency and jitter only shift packets, by at most
   * CONDITION_LIMITS.latencyMs + jitterMs, well under the timeout: loss
   * alone can silence a live client.
   *
   * So under simulated loss, liveness is judged on the real transport, as
   * the stream's is (its WebSocket pings skip the simulation): the native
   * peer connection, whose state geckos also watches, stays 'connected'
   * while the peer answers ICE consent checks (libjuice: every 4–6 s, given
   * up after 30 s without an answer). A peer that vanishes is not
   * kept for long: its stream's liveness takes the player out of the arena
   * within the documented 2–7 s, and the room then closes this channel; a
   * dead UDP path with a live stream is noticed first by the client (it
   * hears nothing, closes its end and tells us), and at worst by ICE. On a
   * perfect path, silence still means gone.
   */
  silenceIsSimulated(transportAlive: () => boolean): boolean {
    return this.network.conditions.lossPct > 0 && transportAlive();
  }

  /** False when the simulated network lost the datagram (or its backlog is full). */
  send(bytes: Uint8Array): boolean {
    if (this.network.pending >= MAX_DELAYED_MESSAGES || this.heldBytes + bytes.byteLength > MAX_DELAYED_BYTES) {
      this.metrics.dropped('datagram', 'out', DROP_SIMULATED_BACKLOG);
      return false;
    }
    const copies = this.network.datagram(() => {
      this.heldBytes -= bytes.byteLength;
      this.link.sendBinary(bytes);
    });
    this.heldBytes += copies * bytes.byteLength;
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
    this.heldBytes = 0;
  }
}
