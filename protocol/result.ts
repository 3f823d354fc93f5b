// One shape for "it worked, here is the value" or "it did not, here is why",
// used across the code: every decoder and schema check, and the server's
// decisions (a join, a chat line, a datagram token). Nothing that returns a
// Result throws past it for bad input; callers branch on `ok`.
//
// `error` is a short machine-readable code (a drop reason or an error code
// from constants.ts, counted in metrics and sent to clients); `message`, when
// there is one, says it for a person.

export type Result<T, E extends string = string> = { ok: true; value: T } | { ok: false; error: E; message?: string };

/** It worked. */
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

/** It did not, for reason `error` (and `message`, for a person). */
export function failed<E extends string>(error: E, message?: string): Result<never, E> {
  return message === undefined ? { ok: false, error } : { ok: false, error, message };
}
