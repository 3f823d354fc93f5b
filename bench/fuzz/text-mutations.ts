// Inputs for the stream's JSON parsers: random text, JSON-looking token soup,
// deep nesting, and mutations of valid messages, both as characters (flip,
// cut, splice, swap a number or string token for an edge case) and as JSON
// (change a value, drop or add a key, swap the type), so the schema itself is
// exercised, not only JSON.parse.
import { CONDITION_LIMITS, MAX_CHAT_CHARS, MAX_NAME_CHARS } from '../../protocol/constants.ts';
import { below, between, coinFlip, pick, skewedLength, type Random } from './fuzz-random.ts';
import { MESSAGE_KEYS, MESSAGE_TYPES } from './message-corpus.ts';

const UTF16_CODE_UNITS = 0x10000;
const ASCII_PRINTABLE_FIRST = 0x20;
const ASCII_PRINTABLE_COUNT = 0x5f;
const TOKEN_MIN_CHARS = 16;
const TOKEN_MAX_CHARS = 64;
/** Mutations applied on top of each other to one message, at most. */
const MAX_STACKED_MUTATIONS = 3;
/** Most characters one mutation inserts. */
const MAX_INSERTED_CHARS = 8;
/** Members a random JSON object or array gets, at most, and how deep random JSON nests. */
const MAX_RANDOM_MEMBERS = 4;
const MAX_RANDOM_JSON_DEPTH = 3;
/** Deepest nesting generated: past any recursion limit a parser might have, yet quick to parse. */
const MAX_NESTING_DEPTH = 50_000;
const MAX_SOUP_TOKENS = 40;
/** Of random characters: this share printable ASCII, the next share edge characters, the rest any UTF-16 code unit. */
const PRINTABLE_CHAR_SHARE = 0.7;
const EDGE_CHAR_SHARE = 0.2;
/** Of JSON object mutations: new value for a key, then drop a key, then add a key; the rest swap the type. */
const NEW_VALUE_SHARE = 0.45;
const DROP_KEY_SHARE = 0.2;
const ADD_KEY_SHARE = 0.2;

/** Characters the validators single out: JSON syntax, controls, format and separator characters, lone surrogates. */
const INTERESTING_CHARS = [
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2028',
  '\u2029',
  '\u2066',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '😀',
  'é',
  'e\u0301',
  '世',
  '0',
  '9',
  '-',
  '+',
  '.',
  'e',
  'E',
];

/** Strings at the schema's edges: lengths around the limits, tokens just in and out of shape, text it must refuse. */
const INTERESTING_STRINGS = [
  '',
  ' ',
  '  x  ',
  'x',
  'n'.repeat(MAX_NAME_CHARS),
  'n'.repeat(MAX_NAME_CHARS + 1),
  ` ${'n'.repeat(MAX_NAME_CHARS)} `,
  't'.repeat(MAX_CHAT_CHARS),
  't'.repeat(MAX_CHAT_CHARS + 1),
  '😀'.repeat(MAX_NAME_CHARS / 2),
  '😀'.repeat(MAX_NAME_CHARS / 2 + 1),
  'A'.repeat(TOKEN_MIN_CHARS - 1),
  'A'.repeat(TOKEN_MIN_CHARS),
  'A'.repeat(TOKEN_MAX_CHARS),
  'A'.repeat(TOKEN_MAX_CHARS + 1),
  `${'A'.repeat(TOKEN_MIN_CHARS)}=`,
  `${'A'.repeat(TOKEN_MIN_CHARS)}\n`,
  'a\u0000b',
  'line\nbreak',
  'bidi\u202eevil',
  'sep\u2028x',
  '\ud800',
  'x\udc00',
  '\ud83d',
  '\ufeffbom',
  '\u200b',
  'datagram',
  'stream',
  'compare',
  'left',
  'disconnected',
  '__proto__',
  'constructor',
  'toString',
  ...MESSAGE_TYPES,
];

/** Numbers at the schema's edges: integer limits, u16/u32/2^53 edges, the clamp limits, tiny and huge floats. */
const INTERESTING_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2,
  MAX_NAME_CHARS,
  MAX_CHAT_CHARS,
  0xffff,
  0x10000,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  1e21,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  ...Object.values(CONDITION_LIMITS).flatMap((limit) => [limit, limit + Number.EPSILON * limit, limit + 1]),
];

/**
 * Number spellings JSON.stringify never writes: `1e400` parses to Infinity,
 * `-0` to negative zero, and the rest are not JSON at all.
 */
const NUMBER_SPELLINGS = [
  ...INTERESTING_NUMBERS.map(String),
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '-0.0',
  '0e0',
  '1E+2',
  '00',
  '01',
  '1.',
  '.5',
  '+1',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e',
  '-',
  '9007199254740993',
  '1'.repeat(400),
];

/** Values that are not numbers or not well-formed: for JSON text, as written. */
const VALUE_SPELLINGS = ['null', 'true', 'false', '[]', '{}', '[[]]', '""', '"\\ud800"', '"\\u0000"', '"\\x"', '"\\', "'x'", 'undefined', ...NUMBER_SPELLINGS];

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"/g;

/** One UTF-16 code unit or character: usually printable ASCII, sometimes an edge character or any code unit. */
function randomChar(random: Random): string {
  const draw = random();
  if (draw < PRINTABLE_CHAR_SHARE) return String.fromCharCode(ASCII_PRINTABLE_FIRST + below(random, ASCII_PRINTABLE_COUNT));
  if (draw < PRINTABLE_CHAR_SHARE + EDGE_CHAR_SHARE) return pick(random, INTERESTING_CHARS);
  return String.fromCharCode(below(random, UTF16_CODE_UNITS));
}

export function randomText(random: Random, maxLength: number): string {
  let text = '';
  for (let i = skewedLength(random, maxLength); i > 0; i--) text += randomChar(random);
  return text;
}

const SOUP_TOKENS = ['{', '}', '[', ']', ':', ',', ...MESSAGE_KEYS.map((key) => JSON.stringify(key)), ...VALUE_SPELLINGS];

/** JSON-ish tokens in random order, often opened like a message, so the parser and the schema both get work. */
export function tokenSoup(random: Random): string {
  let text = coinFlip(random) ? `{"type":${JSON.stringify(pick(random, MESSAGE_TYPES))},` : '';
  for (let i = between(random, 1, MAX_SOUP_TOKENS); i > 0; i--) text += pick(random, SOUP_TOKENS);
  return text;
}

/** Arrays or objects nested thousands deep, closed or not, at the root or inside a message. */
export function deepNesting(random: Random): string {
  const depth = skewedLength(random, MAX_NESTING_DEPTH);
  const closed = coinFlip(random);
  const [open, close] = coinFlip(random) ? ['[', ']'] : ['{"a":', '}'];
  const inner = open.repeat(depth) + (open === '[' ? '' : '1') + (closed ? close.repeat(depth) : '');
  if (coinFlip(random)) return inner;
  const key = pick(random, MESSAGE_KEYS);
  return `{"type":${JSON.stringify(pick(random, MESSAGE_TYPES))},${JSON.stringify(key)}:${inner}}`;
}

// ── Character mutations ──────────────────────────────────────────────────────

type TextMutation = (random: Random, text: string, donor: string) => string;

function span(random: Random, text: string): [number, number] {
  const start = below(random, text.length + 1);
  return [start, between(random, start, text.length)];
}

/** Replaces one match of `pattern` (a number or string token) with `replacement`. */
function replaceToken(random: Random, text: string, pattern: RegExp, replacement: string): string {
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return text;
  const match = pick(random, matches);
  return text.slice(0, match.index) + replacement + text.slice(match.index + match[0].length);
}

const TEXT_MUTATIONS: readonly TextMutation[] = [
  (random, text) => {
    const at = below(random, text.length + 1);
    return text.slice(0, at) + randomChar(random) + text.slice(at + 1);
  },
  (random, text) => {
    const at = below(random, text.length + 1);
    let inserted = '';
    for (let i = between(random, 1, MAX_INSERTED_CHARS); i > 0; i--) inserted += randomChar(random);
    return text.slice(0, at) + inserted + text.slice(at);
  },
  (random, text) => {
    const [start, end] = span(random, text);
    return text.slice(0, start) + text.slice(end);
  },
  (random, text) => text.slice(0, below(random, text.length + 1)),
  (random, text) => {
    const [start, end] = span(random, text);
    return text.slice(0, end) + text.slice(start, end) + text.slice(end);
  },
  (random, text, donor) => text.slice(0, below(random, text.length + 1)) + donor.slice(below(random, donor.length + 1)),
  (random, text) => replaceToken(random, text, NUMBER_TOKEN, pick(random, NUMBER_SPELLINGS)),
  (random, text) =>
    replaceToken(random, text, STRING_TOKEN, coinFlip(random) ? JSON.stringify(pick(random, INTERESTING_STRINGS)) : pick(random, VALUE_SPELLINGS)),
  // A member spliced in after an opening brace: repeated keys (the last wins in JSON.parse), __proto__, strays.
  (random, text) => {
    const braces = [...text.matchAll(/\{/g)];
    if (braces.length === 0) return text;
    const at = pick(random, braces).index + 1;
    const key = JSON.stringify(pick(random, [...MESSAGE_KEYS, '__proto__', 'constructor']));
    return `${text.slice(0, at)}${key}:${pick(random, VALUE_SPELLINGS)},${text.slice(at)}`;
  },
];

/** `seed` with one to MAX_STACKED_MUTATIONS character mutations, splicing from `donor`. */
export function mutateText(random: Random, seed: string, donors: readonly string[]): string {
  let text = seed;
  for (let i = between(random, 1, MAX_STACKED_MUTATIONS); i > 0; i--) text = pick(random, TEXT_MUTATIONS)(random, text, pick(random, donors));
  return text;
}

// ── JSON mutations ───────────────────────────────────────────────────────────

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sets an own property, even `__proto__` (plain assignment would replace the prototype instead). */
const setMember = (object: { [key: string]: Json }, key: string, value: Json) =>
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });

/**
 * A random JSON value nesting up to `depth` deep; objects take their keys from
 * `keys` (the messages' keys unless a target has its own), so a schema sees
 * names it knows holding values it does not expect.
 */
export function randomJson(random: Random, depth: number, keys: readonly string[] = MESSAGE_KEYS): Json {
  switch (below(random, depth > 0 ? 7 : 5)) {
    case 0:
      return null;
    case 1:
      return coinFlip(random);
    case 2:
      return pick(random, INTERESTING_NUMBERS);
    case 3:
      return coinFlip(random) ? pick(random, INTERESTING_STRINGS) : randomText(random, MAX_CHAT_CHARS);
    case 4:
      return between(random, -1, 0x10001);
    case 5:
      return Array.from({ length: below(random, MAX_RANDOM_MEMBERS + 1) }, () => randomJson(random, depth - 1, keys));
    default: {
      const object: { [key: string]: Json } = {};
      for (let i = below(random, MAX_RANDOM_MEMBERS + 1); i > 0; i--) setMember(object, pick(random, keys), randomJson(random, depth - 1, keys));
      return object;
    }
  }
}

/** Every object and array in `value`, the root first. */
function containers(value: Json, into: (Json[] | { [key: string]: Json })[] = []) {
  if (typeof value !== 'object' || value === null) return into;
  into.push(value);
  for (const inner of Object.values(value)) containers(inner, into);
  return into;
}

/** One change to one object or array inside `root`: a new value, a dropped or added key, another type. */
function mutateNode(random: Random, root: Json, keys: readonly string[]): void {
  const node = pick(random, containers(root));
  if (Array.isArray(node)) {
    if (node.length > 0 && coinFlip(random)) node[below(random, node.length)] = randomJson(random, MAX_RANDOM_JSON_DEPTH, keys);
    else if (coinFlip(random)) node.push(randomJson(random, MAX_RANDOM_JSON_DEPTH, keys));
    else node.pop();
    return;
  }
  const own = Object.keys(node);
  const draw = random();
  if (draw < NEW_VALUE_SHARE && own.length > 0) node[pick(random, own)] = randomJson(random, MAX_RANDOM_JSON_DEPTH, keys);
  else if (draw < NEW_VALUE_SHARE + DROP_KEY_SHARE && own.length > 0) delete node[pick(random, own)];
  else if (draw < NEW_VALUE_SHARE + DROP_KEY_SHARE + ADD_KEY_SHARE)
    setMember(node, pick(random, [...keys, '__proto__', 'constructor']), randomJson(random, MAX_RANDOM_JSON_DEPTH, keys));
  else node.type = pick(random, MESSAGE_TYPES);
}

/**
 * `seed` (valid JSON) parsed, changed one to MAX_STACKED_MUTATIONS times as
 * JSON, and written back; keys added or swapped in come from `keys`.
 */
export function mutateJson(random: Random, seed: string, keys: readonly string[] = MESSAGE_KEYS): string {
  const root = JSON.parse(seed) as Json;
  for (let i = between(random, 1, MAX_STACKED_MUTATIONS); i > 0; i--) mutateNode(random, root, keys);
  return JSON.stringify(root);
}
