// Valid stream messages of every type, both directions, typed by the schema's
// own types: the seeds the text fuzzer mutates. Names and chat lines sit at
// their length limits and use non-ASCII text, so mutations land near edges.
import { MAX_CHAT_CHARS, MAX_NAME_CHARS, MAX_ROOM_NAME_CHARS, NETWORK_PRESETS } from '../../protocol/constants.ts';
import type { ClientMessage, ServerMessage } from '../../protocol/wire/stream.ts';

/** Tokens at the schema's shortest and longest lengths (16 and 64 base64url characters). */
const SHORT_TOKEN = 'a1B2c3D4e5F6g7H8';
const LONG_TOKEN = 'Zz9_Yy8-Xx7_Ww6-Vv5_Uu4-Tt3_Ss2-Rr1_Qq0-Pp9_Oo8-Nn7_Mm6-Ll5_Kk4-';
const U32_MAX = 0xffffffff;

export const CLIENT_MESSAGES: readonly ClientMessage[] = [
  { type: 'hello', name: 'alice' },
  { type: 'hello', name: 'n'.repeat(MAX_NAME_CHARS) },
  { type: 'hello', name: 'Zoë 😀 世界' },
  { type: 'hello', name: 'bob', room: 'duel', resume: { sessionToken: SHORT_TOKEN, lastSeq: 0 } },
  { type: 'hello', name: 'dave', room: 'a'.repeat(MAX_ROOM_NAME_CHARS) },
  { type: 'hello', name: 'carol', resume: { sessionToken: LONG_TOKEN, lastSeq: 123_456 } },
  { type: 'chat', text: 'gg' },
  { type: 'chat', text: 't'.repeat(MAX_CHAT_CHARS) },
  { type: 'chat', text: '<b>héllo</b> & "quotes" \\ 🎮' },
  { type: 'ping', id: 0, clientTimeMs: 0 },
  { type: 'ping', id: U32_MAX, clientTimeMs: 1234.5 },
  { type: 'datagram-token' },
  { type: 'settings' },
  { type: 'settings', path: 'datagram' },
  { type: 'settings', path: 'compare', conditions: NETWORK_PRESETS['bad mobile'] },
  { type: 'settings', conditions: { lossPct: 0.5, latencyMs: 1e6, jitterMs: -3, duplicatePct: 100 } },
  { type: 'leave' },
];

const chatEvent = { type: 'chat', seq: 3, playerId: 1, name: 'alice', text: 'hi 😀', serverTimeMs: 1_000.25 } as const;

export const SERVER_MESSAGES: readonly ServerMessage[] = [
  {
    type: 'welcome',
    playerId: 1,
    name: 'alice',
    sessionToken: SHORT_TOKEN,
    datagramToken: LONG_TOKEN,
    resumed: false,
    room: { name: 'arena-1', capacity: 32 },
    lastSeq: 4,
    replayComplete: true,
    inputSeq: 0,
    config: { tickRateHz: 60, snapshotRateHz: 30, arenaWidthPx: 1600, arenaHeightPx: 900 },
    players: [
      { id: 1, name: 'alice', score: 0 },
      { id: 2, name: 'Zoë', score: -3 },
    ],
    scores: { '1': 0, '2': -3 },
    recentChat: [chatEvent, { ...chatEvent, seq: 4, playerId: 2, name: 'Zoë', text: '' }],
  },
  {
    type: 'welcome',
    playerId: 0xffff,
    name: 'n'.repeat(MAX_NAME_CHARS),
    sessionToken: LONG_TOKEN,
    datagramToken: SHORT_TOKEN,
    resumed: true,
    room: { name: 'duel', capacity: 2 },
    lastSeq: 0,
    replayComplete: false,
    inputSeq: 99,
    config: { tickRateHz: 240, snapshotRateHz: 0.5, arenaWidthPx: 1, arenaHeightPx: 1e6, kernelLossPct: 100 },
    players: [],
    scores: {},
    recentChat: [],
  },
  { type: 'join', seq: 1, playerId: 2, name: 'bob', score: 0 },
  { type: 'leave', seq: 2, playerId: 2, name: 'bob', reason: 'left' },
  { type: 'leave', seq: 9_007_199_254_740_991, playerId: 0xffff, name: '', reason: 'disconnected' },
  chatEvent,
  { type: 'score', seq: 5, playerId: 1, score: 12, delta: 1 },
  { type: 'pong', id: 7, clientTimeMs: 1.5, serverTimeMs: 0 },
  { type: 'error', code: 'rate-limited', message: 'slow down' },
  { type: 'datagram-token', token: SHORT_TOKEN },
  { type: 'shutdown', reason: 'restarting' },
  {
    type: 'connection-timeline',
    channel: 'stream',
    connectionId: 'stream-3',
    steps: [
      { id: 'tcp-accept', startMs: 58.1, endMs: 58.1 },
      { id: 'http-upgrade', startMs: 58.1, endMs: 78.3 },
      { id: 'hello-refused', startMs: 117.5, endMs: 130.8, detail: 'server-full' },
    ],
  },
];

/** Every `type` either direction uses: a mutation swaps one for another. */
export const MESSAGE_TYPES = [...new Set([...CLIENT_MESSAGES, ...SERVER_MESSAGES].map((m) => m.type))];

function keysOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

/** Every key the messages use, at any depth: a mutation adds one where it does not belong. */
export const MESSAGE_KEYS = [...new Set([...CLIENT_MESSAGES, ...SERVER_MESSAGES].flatMap(keysOf))];
