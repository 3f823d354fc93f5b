// The rooms a server hosts, as GET /rooms answers them (JSON): what the join
// screen lists, and what quick play and `npm run bots -- --rooms` choose from.
// Checked with zod on the client like every other message from the server.
import { z } from 'zod';
import { failed, ok, type Result } from '../result.ts';
import { roomNameSchema } from './stream.ts';

const roomSummarySchema = z.strictObject({
  name: roomNameSchema,
  /** Players in the arena now. */
  players: z.number().int().nonnegative(),
  capacity: z.number().int().positive(),
  /** The server hosting it, when that is another process than the one asked (a room directory). */
  url: z.url({ protocol: /^https?$/ }).optional(),
});
export type RoomSummary = z.infer<typeof roomSummarySchema>;

const roomListSchema = z.strictObject({
  rooms: z.array(roomSummarySchema),
  /** Capacity of a room created now (quick play or a new name). */
  capacity: z.number().int().positive(),
  /** Rooms this server may still open. */
  roomsLeft: z.number().int().nonnegative(),
});
export type RoomList = z.infer<typeof roomListSchema>;

/** Parses a GET /rooms body; never throws. */
export function parseRoomList(json: unknown): Result<RoomList> {
  const result = roomListSchema.safeParse(json);
  return result.success ? ok(result.data) : failed('invalid-room-list', result.error.issues[0]?.message ?? 'invalid room list');
}
