// Our two snapshot formats (protocol/wire/snapshot.ts, protocol/wire/delta-snapshot.ts).
// The delta codec models the real acknowledgement loop: the client acks every
// snapshot it receives, the ack reaches the server ACK_DELAY_SNAPSHOTS later
// (a 100 ms round trip at 30 Hz), and the server encodes against the newest
// acknowledged snapshot it still has, or sends a full one.
import { BASELINE_HISTORY, DATAGRAM_TYPE_SNAPSHOT, MAX_BASELINE_AGE_TICKS } from '../../../protocol/constants.ts';
import { decodeDeltaSnapshot, encodeDeltaSnapshot } from '../../../protocol/wire/delta-snapshot.ts';
import { decodeSnapshot, encodeSnapshot, type EntityState, type Snapshot } from '../../../protocol/wire/snapshot.ts';
import type { CodecEntry } from '../codec.ts';
import type { TraceStep } from '../trace.ts';

const ACK_DELAY_SNAPSHOTS = 3;

const snapshotOf = (step: TraceStep, index: number): Snapshot => ({
  seq: index + 1,
  tick: step.tick,
  serverTimeMs: step.serverTimeMs,
  ackInputSeq: 0,
  entities: step.entities,
});
const positions = (entities: readonly EntityState[]) => new Map(entities.map((e) => [e.id, { x: e.x, y: e.y }]));

export const oursFullCodec: CodecEntry = {
  name: 'ours: full',
  reliableOnly: false,
  create: () => ({
    encode: (step, index) => encodeSnapshot(snapshotOf(step, index)),
    decode: (message) => {
      const result = decodeSnapshot(message as Uint8Array);
      if (!result.ok) throw new Error(result.error);
      return positions(result.value.entities);
    },
  }),
};

export const oursDeltaCodec: CodecEntry = {
  name: 'ours: delta',
  reliableOnly: false,
  create: () => {
    const sent = new Map<number, readonly EntityState[]>(); // server: what it sent, by tick
    const received = new Map<number, readonly EntityState[]>(); // client: what it decoded, by tick
    const acks: { visibleAt: number; tick: number }[] = [];
    let ackedTick = 0;
    const keepRecent = (map: Map<number, unknown>) => {
      while (map.size > BASELINE_HISTORY) map.delete(map.keys().next().value!);
    };
    return {
      encode: (step, index) => {
        while (acks.length > 0 && acks[0]!.visibleAt <= index) ackedTick = Math.max(ackedTick, acks.shift()!.tick);
        const baseline = sent.get(ackedTick);
        sent.set(step.tick, step.entities);
        keepRecent(sent);
        const snapshot = snapshotOf(step, index);
        return baseline && step.tick - ackedTick <= MAX_BASELINE_AGE_TICKS ? encodeDeltaSnapshot(snapshot, ackedTick, baseline) : encodeSnapshot(snapshot);
      },
      decode: (message) => {
        const bytes = message as Uint8Array;
        const result = bytes[0] === DATAGRAM_TYPE_SNAPSHOT ? decodeSnapshot(bytes) : decodeDeltaSnapshot(bytes, (tick) => received.get(tick));
        if (!result.ok) throw new Error(result.error);
        received.set(result.value.tick, result.value.entities);
        keepRecent(received);
        return positions(result.value.entities);
      },
      delivered: (step, index, arrived) => {
        if (arrived) acks.push({ visibleAt: index + ACK_DELAY_SNAPSHOTS, tick: step.tick });
      },
    };
  },
};
