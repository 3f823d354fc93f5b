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
