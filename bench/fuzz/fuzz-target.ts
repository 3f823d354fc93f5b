// What the fuzzer needs from each decoder under test, and the check every
// datagram decoder's answer must pass (STYLE.md rule 4: a value or a reason,
// never an exception).
import type { Result } from '../../protocol/result.ts';
import type { Random } from './fuzz-random.ts';

/**
 * `accepted` / `rejected`: the decoder answered in its result shape. A
 * `violation` is an answer of the wrong shape, or one that breaks a property
 * the wire promises (out-of-range value, no round trip); it fails the run
 * like an exception does.
 */
export type Outcome = 'accepted' | 'rejected' | { violation: string };

/** One decoder under fuzz: how to make an input, how to feed it, how to print it. */
export interface FuzzTarget<Input> {
  name: string;
  /** What the inputs are, for the table's legend. */
  description: string;
  generate(random: Random): Input;
  run(input: Input): Outcome;
  /** The input, exactly, so a failure can be replayed (hex for bytes). */
  show(input: Input): string;
}

/**
 * The list type of targets with different inputs. Sound here because the loop
 * only ever passes a target what that target's own `generate` made (and
 * method parameters are compared bivariantly, so each FuzzTarget<X> fits).
 */
export type AnyFuzzTarget = FuzzTarget<unknown>;

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/**
 * Checks a decoder's answer: `{ ok: true, value }` with a value that passes
 * `checkValue`, or `{ ok: false, error }` with one of `errors`.
 */
export function outcomeOf<T>(result: Result<T>, errors: ReadonlySet<string>, checkValue: (value: T) => string | null): Outcome {
  // Checked at run time too: the types say what the decoder should return, the fuzzer checks what it does.
  const answer: unknown = result;
  if (typeof answer !== 'object' || answer === null) return { violation: `answer is ${String(answer)}, not a result` };
  if (result.ok === true) {
    const problem = checkValue(result.value);
    return problem === null ? 'accepted' : { violation: problem };
  }
  if (result.ok !== false) return { violation: 'answer has no boolean `ok`' };
  return errors.has(result.error) ? 'rejected' : { violation: `unknown error code ${JSON.stringify(result.error)}` };
}

/** True for an integer that fits an unsigned field of `bits` bits. */
export const isUint = (value: number, bits: number): boolean => Number.isInteger(value) && value >= 0 && value < 2 ** bits;
