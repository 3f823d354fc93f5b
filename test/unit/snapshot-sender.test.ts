// The snapshot sender: which channel carries a player's snapshots, each
// channel's sequence (a player's Delivery), delta or full on the datagram
// channel, and the first snapshot of a new data channel. Links here record
// the bytes they are given; the real protocol codecs decode them.
import { describe, expect, it } from 'vitest';
import type { DatagramLink, StreamLink } from '../../game-server/rooms/links.ts';
import { Delivery, SnapshotSender, type SnapshotRecipient } from '../../game-server/rooms/snapshot-sender.ts';
import { DATAGRAM_TYPE_SNAPSHOT, DATAGRAM_TYPE_SNAPSHOT_DELTA, MAX_BASELINE_AGE_TICKS } from '../../protocol/constants.ts';
import { decodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { datagramType } from '../../protocol/wire/ping.ts';
import { decodeSnapshot, type EntityState, type Snapshot } from '../../protocol/wire/snapshot.ts';
import type { PositionPath } from '../../protocol/wire/stream.ts';

/** The world at a tick: one mover and one that stays put (whole pixels, so positions survive fixed point exactly). */
const worldAt = (tick: number): EntityState[] => [
  { id: 1, kind: 0, x: 100 + tick, y: 200 },
  { id: 7, kind: 1, x: 50, y: 60 },
];
const serverTimeAt = (tick: number) => 1000 + tick * 16;

/** A snapshot as the client decodes it, and whether it came whole or as a delta (and against which tick). */
type Received = Snapshot & { encoding: 'full' | 'delta'; baselineTick?: number };

/** Decodes sent bytes with the client's codecs; baselines are the worlds of earlier ticks. */
function decode(bytes: Uint8Array): Received {
  const type = datagramType(bytes);
  if (type === DATAGRAM_TYPE_SNAPSHOT_DELTA) {
    const result = decodeDeltaSnapshot(bytes, worldAt);
    if (!result.ok) throw new Error(`delta rejected: ${result.error}`);
    return { ...result.value, encoding: 'delta' };
  }
  expect(type).toBe(DATAGRAM_TYPE_SNAPSHOT);
  const result = decodeSnapshot(bytes);
  if (!result.ok) throw new Error(`snapshot rejected: ${result.error}`);
  return { ...result.value, encoding: 'full' };
}

/** A data channel that records what it is asked to send. */
function recordingDatagram() {
  const sent: Uint8Array[] = [];
  const link: DatagramLink = {
    send: (bytes) => {
      sent.push(bytes);
      return true;
    },
    close: () => {},
    setConditions: () => {},
  };
  return { link, received: () => sent.map(decode) };
}

/** A stream that records the binary frames it is asked to send. */
function recordingStream() {
  const sent: Uint8Array[] = [];
  const link: StreamLink = {
    send: () => {},
    sendBinary: (bytes) => {
      sent.push(bytes);
      return true;
    },
    close: () => {},
    setConditions: () => {},
  };
  return { link, received: () => sent.map(decode) };
}

/** A sender with its encodings counted, and a player with both links recording. */
function setup(path: PositionPath = 'datagram') {
  const encodings: string[] = [];
  const sender = new SnapshotSender({ snapshotSent: (encoding) => void encodings.push(encoding) });
  const datagram = recordingDatagram();
  const stream = recordingStream();
  const alice: SnapshotRecipient = { delivery: new Delivery(), lastAppliedInput: 0, stream: stream.link, datagram: datagram.link };
  alice.delivery.path = path;
  /** Sends the world of `tick` to the recipients (alice by default). */
  const send = (tick: number, recipients: SnapshotRecipient[] = [alice]) => sender.send(tick, serverTimeAt(tick), worldAt(tick), recipients);
  return { sender, encodings, datagram, stream, alice, send };
}

const summary = (r: Received) => ({ seq: r.seq, tick: r.tick, encoding: r.encoding, baselineTick: r.baselineTick });

describe('SnapshotSender', () => {
  it('sends datagram snapshots whole until the client acknowledges one, then as deltas against it', () => {
    const { alice, encodings, datagram, send } = setup();
    send(2);
    send(4);
    alice.delivery.acknowledge(4, 5);
    send(6);
    expect(datagram.received().map(summary)).toEqual([
      { seq: 1, tick: 2, encoding: 'full', baselineTick: undefined },
      { seq: 2, tick: 4, encoding: 'full', baselineTick: undefined },
      { seq: 3, tick: 6, encoding: 'delta', baselineTick: 4 },
    ]);
    const delta = datagram.received()[2]!;
    expect(delta.entities).toEqual(worldAt(6));
    expect(delta.serverTimeMs).toBe(serverTimeAt(6));
    expect(encodings).toEqual(['full', 'full', 'delta']);
  });

  it('numbers each channel from 1, separately, and counts only datagram snapshots', () => {
    const { alice, encodings, datagram, stream, send } = setup('compare');
    for (const tick of [1, 2, 3]) send(tick);
    alice.delivery.path = 'datagram';
    for (const tick of [4, 5]) send(tick);
    expect(datagram.received().map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(stream.received().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(encodings).toHaveLength(5);
  });

  it('writes the ackInputSeq the room passes for each recipient', () => {
    const { alice, datagram, send } = setup();
    const bobLink = recordingDatagram();
    send(3, [
      { ...alice, lastAppliedInput: 41 },
      { delivery: new Delivery(), lastAppliedInput: 9, stream: null, datagram: bobLink.link },
    ]);
    expect(datagram.received()[0]!.ackInputSeq).toBe(41);
    expect(bobLink.received()[0]!.ackInputSeq).toBe(9);
  });

  describe('path choice', () => {
    const cases: { path: PositionPath; bound: boolean; datagrams: number; streams: number; why: string }[] = [
      { path: 'datagram', bound: true, datagrams: 1, streams: 0, why: 'by datagram only' },
      { path: 'datagram', bound: false, datagrams: 0, streams: 1, why: 'on the stream instead (the fallback)' },
      { path: 'stream', bound: true, datagrams: 0, streams: 1, why: 'on the stream only, even with a data channel bound' },
      { path: 'compare', bound: true, datagrams: 1, streams: 1, why: 'on both, to compare them' },
      { path: 'compare', bound: false, datagrams: 0, streams: 1, why: 'on the stream only' },
    ];
    for (const { path, bound, datagrams, streams, why } of cases) {
      it(`on the ${path} path${bound ? '' : ' with no data channel'}, sends ${why}`, () => {
        const { alice, datagram, stream, send } = setup(path);
        send(2, [{ ...alice, datagram: bound ? alice.datagram : null }]);
        expect(datagram.received()).toHaveLength(datagrams);
        expect(stream.received()).toHaveLength(streams);
      });
    }
  });

  it('always sends full snapshots on the stream, even after an ack', () => {
    const { alice, datagram, stream, send } = setup('compare');
    send(2);
    alice.delivery.acknowledge(2, 2);
    send(4);
    expect(datagram.received().map((r) => r.encoding)).toEqual(['full', 'delta']);
    expect(stream.received().map((r) => r.encoding)).toEqual(['full', 'full']);
    expect(stream.received()[1]!.entities).toEqual(worldAt(4));
  });

  it('ignores an ack of a tick not yet simulated', () => {
    const { alice, datagram, send } = setup();
    send(4);
    alice.delivery.acknowledge(6, 5); // tick 6 is not simulated yet: a lie or a bug
    send(6);
    expect(datagram.received().map((r) => r.encoding)).toEqual(['full', 'full']);
  });

  it('never moves the baseline back for an older ack', () => {
    const { alice, datagram, send } = setup();
    send(2);
    send(4);
    alice.delivery.acknowledge(4, 4);
    alice.delivery.acknowledge(2, 4);
    send(6);
    expect(summary(datagram.received()[2]!)).toEqual({ seq: 3, tick: 6, encoding: 'delta', baselineTick: 4 });
  });

  it(`sends a full snapshot when the acknowledged one is more than ${MAX_BASELINE_AGE_TICKS} ticks old`, () => {
    const { alice, datagram, send } = setup();
    send(1);
    alice.delivery.acknowledge(1, 1);
    send(1 + MAX_BASELINE_AGE_TICKS);
    send(2 + MAX_BASELINE_AGE_TICKS);
    expect(datagram.received().map((r) => r.encoding)).toEqual(['full', 'delta', 'full']);
  });

  it("greets a new data channel with the newest snapshot, whole, whatever the player's path", () => {
    const { sender, alice, stream, encodings, send } = setup('stream');
    send(2);
    send(4);
    const channel = recordingDatagram();
    sender.greet(alice.delivery, channel.link, 12);
    expect(channel.received()).toHaveLength(1);
    expect(channel.received()[0]).toEqual({
      seq: 1,
      tick: 4,
      serverTimeMs: serverTimeAt(4),
      ackInputSeq: 12,
      entities: worldAt(4),
      encoding: 'full',
    });
    expect(encodings).toEqual(['full']);
    // Bound now, but the path is still the stream's.
    send(6, [{ ...alice, datagram: channel.link }]);
    expect(channel.received()).toHaveLength(1);
    expect(stream.received()).toHaveLength(3);
  });

  it('starts a new data channel without a baseline, continuing the datagram sequence', () => {
    const { sender, alice, send } = setup();
    send(2);
    alice.delivery.acknowledge(2, 2);
    const channel = recordingDatagram();
    sender.greet(alice.delivery, channel.link, 0);
    send(4, [{ ...alice, datagram: channel.link }]);
    alice.delivery.acknowledge(4, 4);
    send(6, [{ ...alice, datagram: channel.link }]);
    expect(channel.received().map(summary)).toEqual([
      { seq: 2, tick: 2, encoding: 'full', baselineTick: undefined },
      { seq: 3, tick: 4, encoding: 'full', baselineTick: undefined },
      { seq: 4, tick: 6, encoding: 'delta', baselineTick: 4 },
    ]);
  });

  it('greets with nothing before the first snapshot, or while the player is out of the arena', () => {
    const { sender, alice, send } = setup();
    const early = recordingDatagram();
    sender.greet(alice.delivery, early.link, 0);
    expect(early.received()).toEqual([]);
    send(2);
    alice.delivery.acknowledge(2, 2);
    const away = recordingDatagram();
    sender.greet(alice.delivery, away.link, null);
    expect(away.received()).toEqual([]);
    // The acks still started over with the new channel.
    send(4, [{ ...alice, datagram: away.link }]);
    expect(away.received().map((r) => r.encoding)).toEqual(['full']);
  });

  it("keeps each player's sequences and acks apart", () => {
    const { alice, datagram, send } = setup();
    const bob = recordingDatagram();
    const both = [alice, { delivery: new Delivery(), lastAppliedInput: 0, stream: null, datagram: bob.link }];
    send(2, both);
    alice.delivery.acknowledge(2, 2);
    send(4, both);
    expect(datagram.received().map((r) => r.encoding)).toEqual(['full', 'delta']);
    expect(bob.received().map((r) => r.encoding)).toEqual(['full', 'full']);
    expect(bob.received().map((r) => r.seq)).toEqual([1, 2]);
  });

  it('sends nothing to a player the room no longer lists, and one who joins again starts over with a new delivery', () => {
    const { alice, datagram, send } = setup();
    send(2);
    alice.delivery.acknowledge(2, 2);
    send(4, []); // their session was forgotten: the room hands them over no more
    expect(datagram.received()).toHaveLength(1);
    send(6, [{ ...alice, delivery: new Delivery() }]);
    expect(summary(datagram.received()[1]!)).toEqual({ seq: 1, tick: 6, encoding: 'full', baselineTick: undefined });
  });

  it('shares nothing between two senders (one per room)', () => {
    const first = setup();
    const second = setup();
    first.send(2);
    first.alice.delivery.acknowledge(2, 2);
    first.send(4);
    second.send(4);
    expect(first.datagram.received().map((r) => r.seq)).toEqual([1, 2]);
    expect(second.datagram.received().map(summary)).toEqual([{ seq: 1, tick: 4, encoding: 'full', baselineTick: undefined }]);
    // The second sender never saw tick 2: an ack of it finds no baseline there.
    second.alice.delivery.acknowledge(2, 4);
    second.send(6);
    expect(second.datagram.received()[1]!.encoding).toBe('full');
  });
});
