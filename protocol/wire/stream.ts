// Stream (WebSocket) messages: JSON text, one schema per type, checked at
// runtime with zod on both ends. Reliable events (join, leave, chat, score)
// carry `seq`, a room-wide sequence number used to replay what a reconnecting
// client missed. A message that fails validation becomes a typed error value;
// `parseClientMessage` and `parseServerMessage` never throw.
import { z } from 'zod';
import { serverOrigin } from './server-url.ts';
import { ERROR_BAD_JSON, ERROR_INVALID_MESSAGE, MAX_CHAT_CHARS, MAX_ENTITY_ID, MAX_NAME_CHARS, MAX_ROOM_NAME_CHARS } from '../constants.ts';
import { failed, ok, type Result } from '../result.ts';
import { SERVER_STEP_IDS, TIMELINE_MAX_DETAIL_CHARS, TIMELINE_MAX_SERVER_STEPS } from '../connection-timeline.ts';

const playerId = z.number().int().min(1).max(MAX_ENTITY_ID);
const seq = z.number().int().min(1);
const timeMs = z.number().finite().nonnegative();
const token = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected a token');
/**
 * A lone surrogate: half of a UTF-16 pair with no other half. JSON can carry
 * one (`"\ud800"`), but it is not text: sent on as UTF-8 it turns into
 * U+FFFD, so others would see something other than what was checked. A regex
 * rather than `String.prototype.isWellFormed`, which our ES2022 lib does not type.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Printable text on one line: control and format characters (newlines, bidi
 * overrides …) and Unicode line/paragraph separators are refused, not
 * stripped, so one message can never pose as several. Ill-formed UTF-16 is
 * refused first, with its own reason. Checked before the surrounding spaces
 * are trimmed.
 */
const printable = (max: number) =>
  z
    .string()
    .refine((text) => !LONE_SURROGATE.test(text), 'lone surrogates (ill-formed UTF-16) are not allowed')
    .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u, 'control characters are not allowed')
    .trim()
    .min(1)
    .max(max);

const nameSchema = printable(MAX_NAME_CHARS);

/** A name's length as the schema counts it (zod counts code points: an emoji is one character, not two UTF-16 units). */
export function nameLength(name: string): number {
  return [...name.trim()].length;
}

/**
 * Checks a player name as the server will, with a message a player can act
 * on: the join screen and a `?name=` link use it before connecting.
 */
export function checkName(raw: string): { ok: true; name: string } | { ok: false; message: string } {
  const result = nameSchema.safeParse(raw);
  if (result.success) return { ok: true, name: result.data };
  const name = raw.trim();
  if (name.length === 0) return { ok: false, message: 'Type a name: spaces alone do not count.' };
  if (LONE_SURROGATE.test(name)) return { ok: false, message: 'A name must be valid text (it contains a broken character).' };
  const characters = nameLength(name);
  if (characters > MAX_NAME_CHARS) return { ok: false, message: `A name has at most ${MAX_NAME_CHARS} characters; this one has ${characters}.` };
  return { ok: false, message: 'A name must be one line of printable text (no line breaks or control characters).' };
}

/**
 * A room's name: what a link (`?room=NAME`) and the HUD show. Letters,
 * digits, '-' and '_' only, so it is safe in a URL, a log line and a metric
 * label; lower-cased, so "Duel" and "duel" are one room.
 */
export const roomNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(new RegExp(`^[a-z0-9][a-z0-9_-]{0,${MAX_ROOM_NAME_CHARS - 1}}$`), {
    message: `a room name is 1 to ${MAX_ROOM_NAME_CHARS} letters, digits, '-' or '_'`,
  });

/** Checks a room name as the server will (the join screen and `?room=` use it); gives the name as the server will use it. */
export function checkRoomName(raw: string): { ok: true; name: string } | { ok: false; message: string } {
  const result = roomNameSchema.safeParse(raw);
  if (result.success) return { ok: true, name: result.data };
  return { ok: false, message: `A room name is 1 to ${MAX_ROOM_NAME_CHARS} letters, digits, '-' or '_' (starting with a letter or digit).` };
}

export const positionPathSchema = z.enum(['datagram', 'stream', 'compare']);
export type PositionPath = z.infer<typeof positionPathSchema>;

// ── Client → server ──────────────────────────────────────────────────────────

const helloSchema = z.strictObject({
  type: z.literal('hello'),
  name: nameSchema,
  /** The room to join, created if it does not exist; absent means quick play (the fullest room with space). */
  room: roomNameSchema.optional(),
  /** A seat another server reserved in `room` on this one (from a `redirect`). */
  reservation: token.optional(),
  resume: z.strictObject({ sessionToken: token, lastSeq: z.number().int().min(0) }).optional(),
});
const chatSendSchema = z.strictObject({ type: z.literal('chat'), text: printable(MAX_CHAT_CHARS) });
const pingSchema = z.strictObject({ type: z.literal('ping'), id: z.number().int().nonnegative(), clientTimeMs: timeMs });
const datagramTokenRequestSchema = z.strictObject({ type: z.literal('datagram-token') });
/** Any finite number is accepted here; the server clamps it to CONDITION_LIMITS. */
const conditionsSchema = z.strictObject({
  lossPct: z.number().finite(),
  latencyMs: z.number().finite(),
  jitterMs: z.number().finite(),
  duplicatePct: z.number().finite(),
});
const settingsSchema = z.strictObject({
  type: z.literal('settings'),
  path: positionPathSchema.optional(),
  conditions: conditionsSchema.optional(),
});
const leaveRequestSchema = z.strictObject({ type: z.literal('leave') });

const clientMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  chatSendSchema,
  pingSchema,
  datagramTokenRequestSchema,
  settingsSchema,
  leaveRequestSchema,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// ── Server → client ──────────────────────────────────────────────────────────

const playerInfoSchema = z.strictObject({ id: playerId, name: z.string(), score: z.number().int() });
export type PlayerInfo = z.infer<typeof playerInfoSchema>;

const joinEventSchema = z.strictObject({
  type: z.literal('join'),
  seq,
  playerId,
  name: z.string(),
  score: z.number().int(),
});
const leaveEventSchema = z.strictObject({
  type: z.literal('leave'),
  seq,
  playerId,
  /** So a replayed or late leave can still say who left, after the roster forgot them. */
  name: z.string(),
  /** `left`: said goodbye; `disconnected`: the stream stayed closed past the grace period. */
  reason: z.enum(['left', 'disconnected']),
});
const chatEventSchema = z.strictObject({
  type: z.literal('chat'),
  seq,
  playerId,
  name: z.string(),
  text: z.string(),
  serverTimeMs: timeMs,
});
const scoreEventSchema = z.strictObject({
  type: z.literal('score'),
  seq,
  playerId,
  /** The player's total after this event, so applying an event twice is harmless. */
  score: z.number().int(),
  delta: z.number().int(),
});
const gameEventSchema = z.discriminatedUnion('type', [joinEventSchema, leaveEventSchema, chatEventSchema, scoreEventSchema]);
export type GameEvent = z.infer<typeof gameEventSchema>;
export type ChatEvent = z.infer<typeof chatEventSchema>;

const gameConfigSchema = z.strictObject({
  tickRateHz: z.number().positive(),
  snapshotRateHz: z.number().positive(),
  arenaWidthPx: z.number().positive(),
  arenaHeightPx: z.number().positive(),
  /** Real packet loss on the server's ports, from the kernel (`npm run lab`); absent on a normal server. */
  kernelLossPct: z.number().min(0).max(100).optional(),
});
export type GameConfig = z.infer<typeof gameConfigSchema>;

const welcomeSchema = z.strictObject({
  type: z.literal('welcome'),
  playerId,
  name: z.string(),
  sessionToken: token,
  datagramToken: token,
  resumed: z.boolean(),
  /** The room this session belongs to; events, chat, scores and snapshots are this room's alone. */
  room: z.strictObject({ name: roomNameSchema, capacity: z.number().int().positive() }),
  /** Newest event sequence at the moment of welcome; replayed events follow. */
  lastSeq: z.number().int().min(0),
  /**
   * On a resume: false when some missed events had already left the bounded
   * log, so the replay that follows is partial (the state above is still whole).
   */
  replayComplete: z.boolean(),
  /** Newest input sequence the server has applied for this player; the client continues after it. */
  inputSeq: z.number().int().min(0),
  config: gameConfigSchema,
  players: z.array(playerInfoSchema),
  scores: z.record(z.string(), z.number().int()),
  recentChat: z.array(chatEventSchema),
});
export type Welcome = z.infer<typeof welcomeSchema>;

const pongSchema = z.strictObject({
  type: z.literal('pong'),
  id: z.number().int().nonnegative(),
  clientTimeMs: timeMs,
  serverTimeMs: timeMs,
});
const errorSchema = z.strictObject({ type: z.literal('error'), code: z.string(), message: z.string() });
const datagramTokenSchema = z.strictObject({ type: z.literal('datagram-token'), token });
const shutdownSchema = z.strictObject({ type: z.literal('shutdown'), reason: z.string() });
/**
 * The room is hosted by another server process (several processes share a
 * room directory): connect to `url` (a bare http(s) origin, see
 * server-url.ts) and say hello there with `room` and `reservation`, a seat
 * held for a short time. A room that moved to the process that won its
 * name sends its players on without a reservation.
 */
const redirectSchema = z.strictObject({
  type: z.literal('redirect'),
  url: z.url({ protocol: /^https?$/ }).refine((url) => serverOrigin(url) !== null, 'a bare http(s) origin'),
  room: roomNameSchema,
  reservation: token.optional(),
});
export type Redirect = z.infer<typeof redirectSchema>;

/**
 * The server's side of one connection's timeline (../connection-timeline.ts),
 * on the server's clock (ms since it started, like `serverTimeMs`): sent to
 * the player over the stream once the connection has reached the game (the
 * stream after its welcome, the datagram channel after its first datagram
 * each way), or once it has failed (a refused or redirected hello, before
 * the socket closes; a data channel that closed, opened or not). Each
 * message carries every step so far: a later one for the same
 * `connectionId` replaces the earlier. `connectionId` is the server's name
 * for the connection (`stream-3`, `datagram-7`), never geckos' id.
 */
const connectionTimelineSchema = z.strictObject({
  type: z.literal('connection-timeline'),
  channel: z.enum(['stream', 'datagram']),
  connectionId: z.string().regex(/^(stream|datagram)-\d{1,12}$/),
  steps: z
    .array(
      z
        .strictObject({
          id: z.enum(SERVER_STEP_IDS),
          startMs: timeMs,
          endMs: timeMs,
          detail: z.string().max(TIMELINE_MAX_DETAIL_CHARS).optional(),
        })
        .refine((step) => step.endMs >= step.startMs, 'a step ends after it starts'),
    )
    .max(TIMELINE_MAX_SERVER_STEPS),
});
export type ConnectionTimelineMessage = z.infer<typeof connectionTimelineSchema>;

const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  ...gameEventSchema.options,
  pongSchema,
  errorSchema,
  datagramTokenSchema,
  shutdownSchema,
  redirectSchema,
  connectionTimelineSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ErrorMessage = z.infer<typeof errorSchema>;

/** A failed parse says why: `error` is ERROR_BAD_JSON or ERROR_INVALID_MESSAGE, `message` what was wrong and where. */
function parseWith<T>(schema: z.ZodType<T>, text: string): Result<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failed(ERROR_BAD_JSON, 'message is not valid JSON');
  }
  const result = schema.safeParse(json);
  if (result.success) return ok(result.data);
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return failed(ERROR_INVALID_MESSAGE, `${where}${issue?.message ?? 'invalid message'}`);
}

/** Parses and validates one client → server text frame. */
export function parseClientMessage(text: string) {
  return parseWith(clientMessageSchema, text);
}

/** Parses and validates one server → client text frame. */
export function parseServerMessage(text: string) {
  return parseWith(serverMessageSchema, text);
}
