// What the codec benchmark needs from each contender. A codec instance holds
// the state of one server → one client conversation (delta encoders need it).
import type { TraceStep } from './trace.ts';

export interface CodecUnderTest {
  /** Encodes the snapshot of `step` for the client (the server side). */
  encode(step: TraceStep, index: number): Uint8Array | string;
  /** Decodes what arrived (the client side); returns positions by entity id. */
  decode(message: Uint8Array | string, step: TraceStep): Map<number, { x: number; y: number }>;
  /** Called after a step was delivered (or lost): lets stateful codecs model acknowledgements. */
  delivered?(step: TraceStep, index: number, arrived: boolean): void;
}

export interface CodecEntry {
  name: string;
  /** Needs reliable, ordered delivery: every message is delivered, loss cannot be applied. */
  reliableOnly: boolean;
  create(steps: TraceStep[]): CodecUnderTest;
}

export const byteLength = (message: Uint8Array | string) => (typeof message === 'string' ? Buffer.byteLength(message) : message.byteLength);

/** One codec's figures at one entity count, as the table, codec.json and the chart show them. */
export interface CodecMeasurement {
  codec: string;
  entities: number;
  reliableOnly: boolean;
  bytesPerSnapshot: number;
  bytesPerEntity: number;
  kbitPerSecond: number;
  encodeUs: number;
  decodeUs: number;
  maxErrorPx: number;
}
