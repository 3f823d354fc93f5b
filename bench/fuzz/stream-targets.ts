// The stream's text parsers (parseClientMessage, parseServerMessage) and the
// settings clamp under fuzz. Accepted messages are checked against what the
// schema promises callers: only known keys, one-line well-formed text within
// its length, tokens in shape, and network settings that clamp into range.
// biome-ignore-all lint/suspicious/noAssignInExpressions: a weighted draw subtracts each share in turn, `(draw -= SHARE) < 0` picking the first it falls in
import { CONDITION_LIMITS, ERROR_BAD_JSON, ERROR_INVALID_MESSAGE, MAX_CHAT_CHARS, MAX_NAME_CHARS } from '../../protocol/constants.ts';
import { clampConditions, type NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import type { Result } from '../../protocol/result.ts';
import { parseClientMessage, parseServerMessage, type ClientMessage, type ServerMessage } from '../../protocol/wire/stream.ts';
import { below, chance, pick, type Random } from './fuzz-random.ts';
import type { FuzzTarget, Outcome } from './fuzz-target.ts';
import { CLIENT_MESSAGES, SERVER_MESSAGES } from './message-corpus.ts';
import { deepNesting, mutateJson, mutateText, randomText, tokenSoup } from './text-mutations.ts';

/** Shares of each input kind; the rest are character mutations of valid messages. */
const RANDOM_TEXT_SHARE = 0.08;
const TOKEN_SOUP_SHARE = 0.07;
const DEEP_NESTING_SHARE = 0.001;
const VALID_SHARE = 0.05;
const JSON_MUTATION_SHARE = 0.4;
/** Of JSON mutations, the share that then also gets character mutations. */
const BOTH_MUTATIONS_SHARE = 0.2;
/** Longest random text: about the ws maxPayload (MAX_STREAM_MESSAGE_BYTES), in characters. */
const MAX_RANDOM_TEXT_CHARS = 2048;

const STREAM_ERRORS: ReadonlySet<string> = new Set([ERROR_BAD_JSON, ERROR_INVALID_MESSAGE]);
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
/** What `printable` in stream.ts refuses: controls, format characters, line/paragraph separators, lone surrogates. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** The keys each message type may carry (the schemas are strict: any other key is refused). */
const CLIENT_KEYS: Record<ClientMessage['type'], readonly string[]> = {
  hello: ['type', 'name', 'room', 'reservation', 'resume'],
  chat: ['type', 'text'],
  ping: ['type', 'id', 'clientTimeMs'],
  'datagram-token': ['type'],
  settings: ['type', 'path', 'conditions'],
  leave: ['type'],
};
const SERVER_KEYS: Record<ServerMessage['type'], readonly string[]> = {
  welcome: [
    'type',
    'playerId',
    'name',
    'sessionToken',
    'datagramToken',
    'resumed',
    'room',
    'lastSeq',
    'replayComplete',
    'inputSeq',
    'config',
    'players',
    'scores',
    'recentChat',
  ],
  join: ['type', 'seq', 'playerId', 'name', 'score'],
  leave: ['type', 'seq', 'playerId', 'name', 'reason'],
  chat: ['type', 'seq', 'playerId', 'name', 'text', 'serverTimeMs'],
  score: ['type', 'seq', 'playerId', 'score', 'delta'],
  pong: ['type', 'id', 'clientTimeMs', 'serverTimeMs'],
  error: ['type', 'code', 'message'],
  'datagram-token': ['type', 'token'],
  shutdown: ['type', 'reason'],
  redirect: ['type', 'url', 'room', 'reservation'],
  'connection-timeline': ['type', 'channel', 'connectionId', 'steps'],
};

function messageInputs(seeds: readonly object[]): (random: Random) => string {
  const texts = seeds.map((seed) => JSON.stringify(seed));
  return (random) => {
    let draw = random();
    if ((draw -= RANDOM_TEXT_SHARE) < 0) return randomText(random, MAX_RANDOM_TEXT_CHARS);
    if ((draw -= TOKEN_SOUP_SHARE) < 0) return tokenSoup(random);
    if ((draw -= DEEP_NESTING_SHARE) < 0) return deepNesting(random);
    if ((draw -= VALID_SHARE) < 0) return pick(random, texts);
    if ((draw -= JSON_MUTATION_SHARE) < 0) {
      const mutated = mutateJson(random, pick(random, texts));
      return chance(random, BOTH_MUTATIONS_SHARE) ? mutateText(random, mutated, texts) : mutated;
    }
    return mutateText(random, pick(random, texts), texts);
  };
}

/** A parse answer of the right shape: a message, or a known code and a message that says why. */
function parseOutcome<T>(result: Result<T>, checkValue: (value: T) => string | null): Outcome {
  if (result.ok) {
    const problem = checkValue(result.value);
    return problem === null ? 'accepted' : { violation: problem };
  }
  if (!STREAM_ERRORS.has(result.error)) return { violation: `unknown error code ${JSON.stringify(result.error)}` };
  return typeof result.message === 'string' && result.message.length > 0 ? 'rejected' : { violation: 'no message' };
}

function onlyKeys(message: object, allowed: readonly string[] | undefined): string | null {
  if (!allowed) return `unknown type ${JSON.stringify((message as { type?: unknown }).type)}`;
  const extra = Object.keys(message).filter((key) => !allowed.includes(key));
  return extra.length === 0 ? null : `keys beyond the schema: ${extra.join(', ')}`;
}

/**
 * Text as `printable(max)` promises it: trimmed, 1..max characters, one line
 * of well-formed, printable characters. zod 4 measures a string's length in
 * code points (a surrogate pair is one), so this does too.
 */
function checkText(text: string, max: number): string | null {
  const characters = [...text].length;
  if (characters < 1 || characters > max) return `text of ${characters} characters passed (limit ${max})`;
  if (text.trim() !== text) return 'text with surrounding spaces passed';
  return NOT_PRINTABLE.test(text) ? `text with a refused character passed: ${JSON.stringify(text)}` : null;
}

/** The clamp the server applies to a player's settings (game-server/rooms/player.ts, setConditions): every value lands in 0..its limit. */
function checkClamped(input: NetworkConditions, clamped: NetworkConditions): string | null {
  for (const key of Object.keys(CONDITION_LIMITS) as (keyof NetworkConditions)[]) {
    const value = clamped[key];
    if (!Number.isFinite(value) || value < 0 || value > CONDITION_LIMITS[key]) return `${key} ${input[key]} clamps to ${value}`;
    const inRange = input[key] >= 0 && input[key] <= CONDITION_LIMITS[key];
    if (inRange && value !== input[key]) return `${key} ${input[key]} is in range yet changed to ${value}`;
  }
  return null;
}

function checkClientMessage(message: ClientMessage): string | null {
  const problem = onlyKeys(message, CLIENT_KEYS[message.type]);
  if (problem) return problem;
  switch (message.type) {
    case 'hello':
      if (message.resume && (!TOKEN.test(message.resume.sessionToken) || !Number.isSafeInteger(message.resume.lastSeq))) return 'resume out of shape';
      return checkText(message.name, MAX_NAME_CHARS);
    case 'chat':
      return checkText(message.text, MAX_CHAT_CHARS);
    case 'ping':
      return Number.isInteger(message.id) && message.id >= 0 && Number.isFinite(message.clientTimeMs) ? null : 'ping out of range';
    case 'settings':
      return message.conditions ? checkClamped(message.conditions, clampConditions(message.conditions)) : null;
    default:
      return null;
  }
}

const showText = (text: string) => JSON.stringify(text);

export const clientMessageTarget: FuzzTarget<string> = {
  name: 'parseClientMessage',
  description: 'client → server JSON text; accepted settings then go through clampConditions (protocol/wire/stream.ts)',
  generate: messageInputs(CLIENT_MESSAGES),
  run: (text) => parseOutcome(parseClientMessage(text), checkClientMessage),
  show: showText,
};

export const serverMessageTarget: FuzzTarget<string> = {
  name: 'parseServerMessage',
  description: 'server → client JSON text (protocol/wire/stream.ts)',
  generate: messageInputs(SERVER_MESSAGES),
  run: (text) => parseOutcome(parseServerMessage(text), (message) => onlyKeys(message, SERVER_KEYS[message.type])),
  show: showText,
};

/** Values clampConditions must survive: non-numbers as numbers, signed zero, extremes, limits and just past them. */
const EDGE_VALUES = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.EPSILON,
  ...Object.values(CONDITION_LIMITS).flatMap((limit) => [limit, limit * (1 + Number.EPSILON), limit + 1, -limit]),
];
const EDGE_VALUE_SHARE = 0.3;
/** Random values span 10^-MAX_EXPONENT … 10^MAX_EXPONENT (past the double range, so some are ±Infinity). */
const MAX_EXPONENT = 320;

function conditionValue(random: Random): number {
  if (chance(random, EDGE_VALUE_SHARE)) return pick(random, EDGE_VALUES);
  return (random() * 2 - 1) * 10 ** (below(random, 2 * MAX_EXPONENT + 1) - MAX_EXPONENT);
}

/** Settings a panel could send: each value within ±PLAUSIBLE_MARGIN of its range, mostly inside. */
const PLAUSIBLE_SETTINGS_SHARE = 0.3;
const PLAUSIBLE_MARGIN = 0.05;
const plausibleValue = (random: Random, limit: number) => (random() * (1 + 2 * PLAUSIBLE_MARGIN) - PLAUSIBLE_MARGIN) * limit;

const showNumber = (value: number) => (Object.is(value, -0) ? '-0' : String(value));

export const conditionsTarget: FuzzTarget<NetworkConditions> = {
  name: 'clampConditions',
  description: 'network settings of any number; accepted = already in range, rejected = clamped (protocol/netsim/conditioner.ts)',
  generate: (random) => {
    const plausible = chance(random, PLAUSIBLE_SETTINGS_SHARE);
    const value = (limit: number) => (plausible ? plausibleValue(random, limit) : conditionValue(random));
    return {
      lossPct: value(CONDITION_LIMITS.lossPct),
      latencyMs: value(CONDITION_LIMITS.latencyMs),
      jitterMs: value(CONDITION_LIMITS.jitterMs),
      duplicatePct: value(CONDITION_LIMITS.duplicatePct),
    };
  },
  run: (input) => {
    const clamped = clampConditions(input);
    const problem = checkClamped(input, clamped);
    if (problem) return { violation: problem };
    const keys = Object.keys(CONDITION_LIMITS) as (keyof NetworkConditions)[];
    return keys.every((key) => clamped[key] === input[key]) ? 'accepted' : 'rejected';
  },
  show: (c) =>
    `{ lossPct: ${showNumber(c.lossPct)}, latencyMs: ${showNumber(c.latencyMs)}, jitterMs: ${showNumber(c.jitterMs)}, duplicatePct: ${showNumber(c.duplicatePct)} }`,
};
