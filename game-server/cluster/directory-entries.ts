// What the room directory reads back from Redis, validated before use. Our
// own processes write these entries, but Redis may hold anything (a bug, an
// old version, or anyone with write access): one malformed entry is
// skipped and logged, never trusted and never allowed to break a listing.
import { z } from 'zod';
import { MAX_PLAYERS } from '../../protocol/constants.ts';
import { roomNameSchema } from '../../protocol/wire/stream.ts';
import { serverOrigin } from '../../protocol/wire/server-url.ts';

const serverIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
const originSchema = z.string().refine((url) => serverOrigin(url) === url, 'a bare http(s) origin');
const count = z.number().int().nonnegative().max(1_000_000);

// z.object, not strictObject: a field this version does not know (a newer
// server's, during a rolling upgrade) is dropped, not a reason to distrust
// the entry and stop a heartbeat.
const serverEntrySchema = z.object({
  id: serverIdSchema,
  /** Where a browser or bot reaches this process (its HTTP origin: page, /ws, signaling). */
  url: originSchema,
  players: count,
  rooms: count,
});
export type ServerEntry = z.infer<typeof serverEntrySchema>;

const directoryRoomSchema = z.object({
  name: roomNameSchema,
  players: z.number().int().nonnegative().max(MAX_PLAYERS),
  capacity: z.number().int().positive().max(MAX_PLAYERS),
  serverId: serverIdSchema,
  url: originSchema,
  /** When its server first claimed the name (Redis ms): the oldest claim keeps a contested name. */
  since: z.number().int().nonnegative().optional(),
});
export type DirectoryRoom = z.infer<typeof directoryRoomSchema>;

/** A server entry's JSON, or null if it is not one. */
export function parseServerEntry(text: string | null): ServerEntry | null {
  return parseJson(text, serverEntrySchema);
}

/** A room entry's JSON, or null if it is not one. */
export function parseDirectoryRoom(text: string | null): DirectoryRoom | null {
  return parseJson(text, directoryRoomSchema);
}

function parseJson<T>(text: string | null, schema: z.ZodType<T>): T | null {
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const result = schema.safeParse(json);
  return result.success ? result.data : null;
}
