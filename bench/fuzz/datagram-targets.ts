// The datagram decoders under fuzz: input, full snapshot, delta snapshot,
// ping/pong, and the type dispatch both gateways run first. Each takes random
// bytes, valid headers with random bodies, valid datagrams as they are, and
// (mostly) mutated valid datagrams, sometimes as a view inside a larger buffer.
import {
  DATAGRAM_TYPE_INPUT,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DATAGRAM_TYPE_SNAPSHOT,
  DATAGRAM_TYPE_SNAPSHOT_DELTA,
  DELTA_HEADER_BYTES,
  DROP_BAD_COUNT,
  DROP_BAD_VALUE,
  DROP_MISSING_BASELINE,
  DROP_TOO_LONG,
  DROP_TOO_SHORT,
  DROP_UNKNOWN_TYPE,
  INPUT_HEADER_BYTES,
  SNAPSHOT_HEADER_BYTES,
} from '../../protocol/constants.ts';
import { decodeDeltaSnapshot, deltaBaselineTick } from '../../protocol/wire/delta-snapshot.ts';
import { decodeInputPacket } from '../../protocol/wire/input.ts';
import { datagramType, decodePing } from '../../protocol/wire/ping.ts';
import { decodeSnapshot } from '../../protocol/wire/snapshot.ts';
import { mutateBytes, placeInPool } from './byte-mutations.ts';
import { checkDelta, checkInputPacket, checkPing, checkSnapshot, type FindBaseline } from './datagram-checks.ts';
import { buildDatagramCorpus } from './datagram-corpus.ts';
import { pick, randomBytes, skewedLength, type Random } from './fuzz-random.ts';
import { outcomeOf, toHex, type FuzzTarget, type Outcome } from './fuzz-target.ts';

/** Shares of each input kind; the rest are mutated valid datagrams. */
const RANDOM_SHARE = 0.1;
const FRAMED_SHARE = 0.15;
const VALID_SHARE = 0.05;
/** Share of inputs handed over as a view inside a larger buffer. */
const POOLED_SHARE = 0.125;
/** Longest random input: past the largest full snapshot (19 + 7 × 1024 bytes), so every length check is crossed. */
const MAX_RANDOM_BYTES = 8192;
/** Longest random body after a valid header. */
const MAX_RANDOM_BODY_BYTES = 256;
const PING_HEADER_BYTES = 1;

const DATAGRAM_ERRORS: ReadonlySet<string> = new Set([DROP_TOO_SHORT, DROP_TOO_LONG, DROP_UNKNOWN_TYPE, DROP_BAD_COUNT, DROP_BAD_VALUE]);
const DELTA_ERRORS: ReadonlySet<string> = new Set([...DATAGRAM_ERRORS, DROP_MISSING_BASELINE]);

const corpus = buildDatagramCorpus();
const everyDatagram = [...corpus.inputs, ...corpus.snapshots, ...corpus.pings, ...corpus.deltas];
/** The client's baseline lookup, as game-client/net/snapshot-intake.ts passes it. */
const findBaseline: FindBaseline = (tick) => corpus.baselines.get(tick);

/** Makes inputs from `seeds`: random, a seed's header with a random body, a seed as is, or a mutated seed. */
function datagramInputs(seeds: readonly Uint8Array[], headerBytes: number): (random: Random) => Uint8Array {
  return (random) => {
    const draw = random();
    let bytes: Uint8Array;
    if (draw < RANDOM_SHARE) bytes = randomBytes(random, skewedLength(random, MAX_RANDOM_BYTES));
    else if (draw < RANDOM_SHARE + FRAMED_SHARE) {
      const body = randomBytes(random, skewedLength(random, MAX_RANDOM_BODY_BYTES));
      const header = pick(random, seeds).subarray(0, headerBytes);
      bytes = new Uint8Array(header.byteLength + body.byteLength);
      bytes.set(header);
      bytes.set(body, header.byteLength);
    } else if (draw < RANDOM_SHARE + FRAMED_SHARE + VALID_SHARE) bytes = pick(random, seeds).slice();
    else bytes = mutateBytes(random, pick(random, seeds), everyDatagram);
    return random() < POOLED_SHARE ? placeInPool(random, bytes) : bytes;
  };
}

/**
 * Decoding must not depend on bytes outside the view: for an input inside a
 * larger buffer, the answer must match the answer for a copy of just its bytes.
 */
function sameAsCopy(bytes: Uint8Array, decode: (bytes: Uint8Array) => unknown, outcome: Outcome): Outcome {
  if (typeof outcome !== 'string' || bytes.byteLength === bytes.buffer.byteLength) return outcome;
  return JSON.stringify(decode(bytes)) === JSON.stringify(decode(bytes.slice()))
    ? outcome
    : { violation: 'answers differently inside a larger buffer than for a copy of its bytes' };
}

const showBytes = (bytes: Uint8Array) => toHex(bytes) || '(empty)';

export const inputTarget: FuzzTarget<Uint8Array> = {
  name: 'decodeInputPacket',
  description: 'input datagram (protocol/wire/input.ts)',
  generate: datagramInputs(corpus.inputs, INPUT_HEADER_BYTES),
  run: (bytes) =>
    sameAsCopy(
      bytes,
      decodeInputPacket,
      outcomeOf(decodeInputPacket(bytes), DATAGRAM_ERRORS, (p) => checkInputPacket(p, bytes)),
    ),
  show: showBytes,
};

export const snapshotTarget: FuzzTarget<Uint8Array> = {
  name: 'decodeSnapshot',
  description: 'full snapshot (protocol/wire/snapshot.ts)',
  generate: datagramInputs(corpus.snapshots, SNAPSHOT_HEADER_BYTES),
  run: (bytes) =>
    sameAsCopy(
      bytes,
      decodeSnapshot,
      outcomeOf(decodeSnapshot(bytes), DATAGRAM_ERRORS, (s) => checkSnapshot(s, bytes)),
    ),
  show: showBytes,
};

const decodeDelta = (bytes: Uint8Array) => decodeDeltaSnapshot(bytes, findBaseline);

export const deltaTarget: FuzzTarget<Uint8Array> = {
  name: 'decodeDeltaSnapshot',
  description: 'delta snapshot against the corpus baselines, and deltaBaselineTick (protocol/wire/delta-snapshot.ts)',
  generate: datagramInputs(corpus.deltas, DELTA_HEADER_BYTES),
  run: (bytes) => {
    const peeked = deltaBaselineTick(bytes);
    const outcome = outcomeOf(decodeDelta(bytes), DELTA_ERRORS, (delta) =>
      peeked === delta.baselineTick ? checkDelta(delta, findBaseline) : `deltaBaselineTick says ${peeked}, the decoder ${delta.baselineTick}`,
    );
    return sameAsCopy(bytes, decodeDelta, outcome);
  },
  show: showBytes,
};

export const pingTarget: FuzzTarget<Uint8Array> = {
  name: 'decodePing',
  description: 'ping / pong datagram (protocol/wire/ping.ts)',
  generate: datagramInputs(corpus.pings, PING_HEADER_BYTES),
  run: (bytes) =>
    sameAsCopy(
      bytes,
      decodePing,
      outcomeOf(decodePing(bytes), DATAGRAM_ERRORS, (p) => checkPing(p, bytes)),
    ),
  show: showBytes,
};

/** The routing both gateways do: datagramType, then the decoder for that type (server and client sides together). */
function dispatch(bytes: Uint8Array): Outcome {
  const type = datagramType(bytes);
  if (type !== (bytes.byteLength > 0 ? bytes[0] : 0)) return { violation: `datagramType says ${type}` };
  switch (type) {
    case DATAGRAM_TYPE_INPUT:
      return outcomeOf(decodeInputPacket(bytes), DATAGRAM_ERRORS, (p) => checkInputPacket(p, bytes));
    case DATAGRAM_TYPE_PING:
    case DATAGRAM_TYPE_PONG:
      return outcomeOf(decodePing(bytes), DATAGRAM_ERRORS, (p) => (p.type === type ? checkPing(p, bytes) : `type ${type} decoded as ${p.type}`));
    case DATAGRAM_TYPE_SNAPSHOT:
      return outcomeOf(decodeSnapshot(bytes), DATAGRAM_ERRORS, (s) => checkSnapshot(s, bytes));
    case DATAGRAM_TYPE_SNAPSHOT_DELTA:
      return outcomeOf(decodeDelta(bytes), DELTA_ERRORS, (d) => checkDelta(d, findBaseline));
    default:
      return 'rejected';
  }
}

export const datagramTarget: FuzzTarget<Uint8Array> = {
  name: 'datagramType+dispatch',
  description: 'any datagram, routed by its type byte to its decoder, as the gateways do (protocol/wire/ping.ts datagramType)',
  generate: datagramInputs(everyDatagram, PING_HEADER_BYTES),
  run: dispatch,
  show: showBytes,
};
