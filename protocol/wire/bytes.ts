// Binary messages as bytes, without copying, whatever type the transport
// handed over (Node Buffer, ArrayBuffer, typed array).

/**
 * Views any binary message as bytes without copying. A Node Buffer is often a
 * slice of a larger pool, so the view keeps its byteOffset and byteLength.
 */
export function asBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** A DataView over exactly the bytes of `bytes`, not its whole backing buffer. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The big-endian u32 at `at` (the caller has checked the length): read byte by
 * byte, so a decoder that reads a few header fields needs no DataView (one
 * allocation per message, 30 a second per client).
 */
export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Writes `value` as a big-endian u32 at `at` (the caller sized the bytes): readU32's counterpart, for the same reason. */
export function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}
