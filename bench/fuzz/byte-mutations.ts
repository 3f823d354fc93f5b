// Mutations of valid datagrams: flip bits, write boundary values, truncate,
// extend, cut, insert, duplicate, splice with another datagram. Starting from
// valid encodings gets past the first length and type checks, to the paths
// random bytes almost never reach (mas-bandwidth/netcode's fuzz/ does the same).
import {
  DATAGRAM_TYPE_INPUT,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DATAGRAM_TYPE_SNAPSHOT,
  DATAGRAM_TYPE_SNAPSHOT_DELTA,
  INPUT_AXIS_MAX,
  INPUT_REDUNDANCY,
  MAX_BASELINE_AGE_TICKS,
  MAX_ENTITIES_PER_SNAPSHOT,
} from '../../protocol/constants.ts';
import { below, between, coinFlip, pick, randomBytes, type Random } from './fuzz-random.ts';

const BITS_PER_BYTE = 8;
const U8_MAX = 0xff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const U16_BYTES = 2;
const U32_BYTES = 4;

/** Byte values decoders compare against: type codes, counts and ages at their limits, sign edges. */
const INTERESTING_U8 = [
  0,
  1,
  2,
  3,
  0x3f,
  0x40,
  0x7f,
  0x80,
  0x81,
  0xfe,
  U8_MAX,
  DATAGRAM_TYPE_INPUT,
  DATAGRAM_TYPE_SNAPSHOT,
  DATAGRAM_TYPE_PING,
  DATAGRAM_TYPE_PONG,
  DATAGRAM_TYPE_SNAPSHOT_DELTA,
  INPUT_REDUNDANCY,
  INPUT_REDUNDANCY + 1,
  MAX_BASELINE_AGE_TICKS,
  MAX_BASELINE_AGE_TICKS + 1,
  INPUT_AXIS_MAX,
  (INPUT_AXIS_MAX + 1) & U8_MAX,
];
/** u16 values at count and coordinate edges. */
const INTERESTING_U16 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, U16_MAX, MAX_ENTITIES_PER_SNAPSHOT, MAX_ENTITIES_PER_SNAPSHOT + 1];
/** u32 values at sequence and tick edges (wrap-around, sign bit). */
const INTERESTING_U32 = [0, 1, MAX_BASELINE_AGE_TICKS, MAX_BASELINE_AGE_TICKS + 1, 0x7fffffff, 0x80000000, U32_MAX - 1, U32_MAX];

/** Most random bytes one mutation adds; enough to push past any single field. */
const MAX_ADDED_BYTES = 32;
/** Mutations applied on top of each other to one input, at most. */
const MAX_STACKED_MUTATIONS = 4;
/** Garbage bytes around an input placed inside a larger buffer, at most per side. */
const MAX_POOL_PADDING_BYTES = 16;

type ByteMutation = (random: Random, bytes: Uint8Array, donor: Uint8Array) => Uint8Array;

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
};

/** A slice [start, end) of `bytes`, possibly empty. */
function range(random: Random, bytes: Uint8Array): [number, number] {
  const start = below(random, bytes.byteLength + 1);
  return [start, between(random, start, bytes.byteLength)];
}

const flipBit: ByteMutation = (random, bytes) => {
  if (bytes.byteLength > 0) bytes[below(random, bytes.byteLength)]! ^= 1 << below(random, BITS_PER_BYTE);
  return bytes;
};

const setInterestingByte: ByteMutation = (random, bytes) => {
  if (bytes.byteLength > 0) bytes[below(random, bytes.byteLength)] = pick(random, INTERESTING_U8);
  return bytes;
};

/** Writes a boundary value over a u16 or u32 (big-endian, as on the wire) at any offset, aligned or not. */
const setInterestingWord: ByteMutation = (random, bytes) => {
  const wide = coinFlip(random);
  const size = wide ? U32_BYTES : U16_BYTES;
  if (bytes.byteLength < size) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = below(random, bytes.byteLength - size + 1);
  if (wide) view.setUint32(at, pick(random, INTERESTING_U32));
  else view.setUint16(at, pick(random, INTERESTING_U16));
  return bytes;
};

const overwriteRandom: ByteMutation = (random, bytes) => {
  const [start, end] = range(random, bytes);
  bytes.set(randomBytes(random, end - start), start);
  return bytes;
};

const truncate: ByteMutation = (random, bytes) => bytes.slice(0, below(random, bytes.byteLength + 1));

const extend: ByteMutation = (random, bytes) => concat(bytes, randomBytes(random, between(random, 1, MAX_ADDED_BYTES)));

const cut: ByteMutation = (random, bytes) => {
  const [start, end] = range(random, bytes);
  return concat(bytes.subarray(0, start), bytes.subarray(end));
};

const insertRandom: ByteMutation = (random, bytes) => {
  const at = below(random, bytes.byteLength + 1);
  return concat(bytes.subarray(0, at), randomBytes(random, between(random, 1, MAX_ADDED_BYTES)), bytes.subarray(at));
};

const duplicateSlice: ByteMutation = (random, bytes) => {
  const [start, end] = range(random, bytes);
  return concat(bytes.subarray(0, end), bytes.subarray(start, end), bytes.subarray(end));
};

/** The head of this input and the tail of another valid one: a frame whose parts each look right. */
const spliceDonor: ByteMutation = (random, bytes, donor) =>
  concat(bytes.subarray(0, below(random, bytes.byteLength + 1)), donor.subarray(below(random, donor.byteLength + 1)));

const MUTATIONS: readonly ByteMutation[] = [
  flipBit,
  flipBit,
  setInterestingByte,
  setInterestingWord,
  setInterestingWord,
  overwriteRandom,
  truncate,
  extend,
  cut,
  insertRandom,
  duplicateSlice,
  spliceDonor,
];

/** A mutated copy of `seed`: one to MAX_STACKED_MUTATIONS mutations, drawing on `donors` for splices. */
export function mutateBytes(random: Random, seed: Uint8Array, donors: readonly Uint8Array[]): Uint8Array {
  let bytes: Uint8Array = seed.slice();
  const rounds = between(random, 1, MAX_STACKED_MUTATIONS);
  for (let i = 0; i < rounds; i++) bytes = pick(random, MUTATIONS)(random, bytes, pick(random, donors));
  return bytes;
}

/**
 * The same bytes as a view into a larger buffer with garbage on both sides,
 * as a Node Buffer slice of a shared pool arrives: a decoder that ignores
 * byteOffset or byteLength reads the garbage and answers differently.
 */
export function placeInPool(random: Random, bytes: Uint8Array): Uint8Array {
  const before = between(random, 1, MAX_POOL_PADDING_BYTES);
  const pool = concat(randomBytes(random, before), bytes, randomBytes(random, between(random, 0, MAX_POOL_PADDING_BYTES)));
  return pool.subarray(before, before + bytes.byteLength);
}
