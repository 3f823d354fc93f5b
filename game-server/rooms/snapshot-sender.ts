// Delivering snapshots to each player: which channel carries them (the
// player's chosen path), each channel's packet sequence, and on the datagram
// channel a delta against the newest snapshot the client has acknowledged, or
// a full snapshot when there is none to build on.
//
// One sender per room, with no state outside the instance: it keeps what the
// room's players share (the recent baselines, each encoded once per tick and
// restamped per player). What belongs to one player, their Delivery, lives on
// their Player. The room says who is in the arena and hands them over; the
// sender encodes with protocol/wire and sends. It never touches a socket or
// reads the room.
import { BASELINE_HISTORY, DATAGRAM_TYPE_SNAPSHOT_DELTA, MAX_BASELINE_AGE_TICKS } from '../../protocol/constants.ts';
import { encodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { restampSnapshot } from '../../protocol/wire/restamp.ts';
import { encodeSnapshot, type EntityState, type Snapshot } from '../../protocol/wire/snapshot.ts';
import type { PositionPath } from '../../protocol/wire/stream.ts';
import type { DatagramLink, StreamLink } from './links.ts';
import type { Metrics } from '../ops/metrics.ts';

/**
 * One player's snapshot delivery, kept on their Player from join until the
 * session is forgotten (so a resume keeps counting). A new player gets
 * positions by datagram, both sequences from 1, and no baseline.
 */
export class Delivery {
  /** The channel the player wants positions on: one of the two, or both to compare them. */
  path: PositionPath = 'datagram';
  /** Per-channel packet sequence, for the client's loss and reorder accounting. */
  datagramSeq = 0;
  streamSeq = 0;
  /** Newest snapshot tick the client says it has (from its input packets): the baseline for deltas. */
  ackedTick = 0;

  /**
   * The client says it has the snapshot of `tick`: later deltas may build on
   * it. `simulatedTick` is the room's tick now; an ack past it is a lie or a
   * bug and is ignored. An older ack never moves the baseline back.
   */
  acknowledge(tick: number, simulatedTick: number): void {
    if (tick <= simulatedTick) this.ackedTick = Math.max(this.ackedTick, tick);
  }
}

/** One player a snapshot goes to, as the room knows them at this tick (a Player is one). */
export interface SnapshotRecipient {
  readonly delivery: Delivery;
  /** Newest input the room has applied for this player (the snapshot's ackInputSeq): the client reconciles its prediction with it. */
  readonly lastAppliedInput: number;
  readonly stream: StreamLink | null;
  /** Null while no data channel is bound (WebRTC blocked or still connecting). */
  readonly datagram: DatagramLink | null;
}

/** The state of one snapshot tick, shared by every player. */
interface TickState {
  tick: number;
  serverTimeMs: number;
  entities: EntityState[];
}

export class SnapshotSender {
  /** The entities of recent snapshots by tick: the possible baselines. One array per tick, shared by every player. */
  private readonly baselines = new Map<number, EntityState[]>();
  private newest: TickState | null = null;

  constructor(private readonly metrics: Pick<Metrics, 'snapshotSent'>) {}

  /**
   * A data channel was just bound. The client has no baseline on it, so acks
   * start over, and the newest snapshot goes out now, whole, whatever the
   * path: the first datagram is how the client knows the channel works.
   * `ackInputSeq` is null while the player is out of the arena: nothing is sent.
   */
  greet(delivery: Delivery, datagram: DatagramLink, ackInputSeq: number | null): void {
    delivery.ackedTick = 0; // no baseline: forDatagram sends it whole
    if (ackInputSeq === null || !this.newest) return;
    const encoded = this.forDatagram({ ...this.newest, ackInputSeq: 0, seq: 0 }, delivery.ackedTick);
    this.sendDatagram(datagram, encoded, ++delivery.datagramSeq, ackInputSeq);
  }

  /** One recipient's copy of a shared encoding, counted as full or delta. */
  private sendDatagram(datagram: DatagramLink, encoded: Uint8Array, seq: number, ackInputSeq: number): void {
    this.metrics.snapshotSent(encoded[0] === DATAGRAM_TYPE_SNAPSHOT_DELTA ? 'delta' : 'full');
    datagram.send(restampSnapshot(encoded, seq, ackInputSeq));
  }

  /**
   * The snapshot of `tick` to every recipient, on the channels their path
   * chooses. The world is encoded once per baseline in use (most players
   * acknowledged the same recent tick) and restamped per recipient
   * (protocol/wire/restamp.ts), not encoded once per player.
   */
  send(tick: number, serverTimeMs: number, entities: EntityState[], recipients: Iterable<SnapshotRecipient>): void {
    this.remember({ tick, serverTimeMs, entities });
    const shared: Snapshot = { tick, serverTimeMs, entities, seq: 0, ackInputSeq: 0 };
    /** This tick's datagram encodings by acknowledged tick (0: none, so a full snapshot), and its one full encoding. */
    const byAckedTick = new Map<number, Uint8Array>();
    let full: Uint8Array | null = null;
    for (const { delivery, lastAppliedInput: ackInputSeq, stream, datagram } of recipients) {
      if (datagram && delivery.path !== 'stream') {
        let encoded = byAckedTick.get(delivery.ackedTick);
        if (!encoded) {
          encoded = this.forDatagram(shared, delivery.ackedTick);
          byAckedTick.set(delivery.ackedTick, encoded);
        }
        this.sendDatagram(datagram, encoded, ++delivery.datagramSeq, ackInputSeq);
      }
      // The stream carries positions when chosen, for comparison, or as the
      // fallback while no data channel is bound (WebRTC blocked or connecting).
      // It is reliable and carries full snapshots: it is the comparison, not
      // the bandwidth path.
      if (stream && (delivery.path !== 'datagram' || !datagram)) {
        full ??= encodeSnapshot(shared);
        stream.sendBinary(restampSnapshot(full, ++delivery.streamSeq, ackInputSeq));
      }
    }
  }

  /** Keeps a tick's state as a possible baseline (the newest BASELINE_HISTORY of them). */
  private remember(state: TickState): void {
    this.newest = state;
    this.baselines.set(state.tick, state.entities);
    while (this.baselines.size > BASELINE_HISTORY) this.baselines.delete(this.baselines.keys().next().value!);
  }

  /** A delta against the acknowledged snapshot, if we still have it and it is recent; otherwise a full snapshot. */
  private forDatagram(snapshot: Snapshot, ackedTick: number): Uint8Array {
    const baseline = this.baselines.get(ackedTick);
    if (baseline && snapshot.tick - ackedTick <= MAX_BASELINE_AGE_TICKS) return encodeDeltaSnapshot(snapshot, ackedTick, baseline);
    return encodeSnapshot(snapshot);
  }
}
