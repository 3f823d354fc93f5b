// parseRoomList (protocol/wire/room-list.ts), the client's check of a GET
// /rooms body, under fuzz. Its input is whatever `response.json()` made of
// the body, so every input here is JSON text that parses: random JSON values,
// valid lists with their fields swapped for edge values, lists mutated as
// JSON (values changed, keys dropped or added) and as characters (only the
// mutations that still parse), and lists holding deeply nested values.
// Accepted lists are checked against what the schema promises the join
// screen (known keys only, names in shape, counts whole, URLs http(s)), and
// must round-trip: written back as JSON and parsed again, the same list.
// biome-ignore-all lint/suspicious/noAssignInExpressions: a weighted draw subtracts each share in turn, `(draw -= SHARE) < 0` picking the first it falls in
import { MAX_ROOM_NAME_CHARS } from '../../protocol/constants.ts';
import { parseRoomList, type RoomList } from '../../protocol/wire/room-list.ts';
import { below, chance, pick, skewedLength, type Random } from './fuzz-random.ts';
import type { FuzzTarget, Outcome } from './fuzz-target.ts';
import { mutateJson, mutateText, randomJson, type Json } from './text-mutations.ts';

/** The one error code parseRoomList answers with. */
const ROOM_LIST_ERROR = 'invalid-room-list';

/** Shares of each input kind; the rest are character mutations of valid lists. */
const VALID_SHARE = 0.05;
const RANDOM_VALUE_SHARE = 0.1;
const EDGE_FIELD_SHARE = 0.3;
const JSON_MUTATION_SHARE = 0.35;
const DEEP_NESTING_SHARE = 0.005;
/** Character mutations that break the JSON are tried again this often, then a JSON mutation stands in. */
const MAX_TEXT_MUTATION_TRIES = 4;
/** How deep a random value nests. */
const RANDOM_VALUE_DEPTH = 3;
/** Deepest value nested inside a list: far past any recursion a schema might do, quick to parse. */
const MAX_NESTING_DEPTH = 20_000;
/** Rooms in the largest seed list: enough for the schema to walk an array, few enough to keep inputs quick. */
const MANY_ROOMS = 12;

const LIST_KEYS = ['rooms', 'capacity', 'roomsLeft'];
const ROOM_KEYS = ['name', 'players', 'capacity', 'url'];
/** Keys random values and JSON mutations use: the list's own, so the schema meets names it knows. */
const KEYS = [...LIST_KEYS, ...ROOM_KEYS];
/** What `roomNameSchema` promises an accepted name is, after it trims and lower-cases. */
const ROOM_NAME = new RegExp(`^[a-z0-9][a-z0-9_-]{0,${MAX_ROOM_NAME_CHARS - 1}}$`);

/** Valid lists, the seeds every mutation starts from: empty, one room, many, names and numbers at their edges. */
export const ROOM_LISTS: readonly RoomList[] = [
  { rooms: [], capacity: 32, roomsLeft: 0 },
  { rooms: [{ name: 'arena-1', players: 3, capacity: 32 }], capacity: 32, roomsLeft: 63 },
  {
    rooms: [
      { name: 'duel', players: 2, capacity: 2 },
      { name: 'a'.repeat(MAX_ROOM_NAME_CHARS), players: 0, capacity: 1, url: 'http://127.0.0.1:8081' },
      { name: '0_-', players: 31, capacity: 32, url: 'https://game.example.org/' },
    ],
    capacity: 1,
    roomsLeft: Number.MAX_SAFE_INTEGER,
  },
  {
    rooms: Array.from({ length: MANY_ROOMS }, (_, i) => ({ name: `room-${i}`, players: i % 33, capacity: 32, url: `http://10.0.0.${i % 4}:${8080 + i}` })),
    capacity: 32,
    roomsLeft: 0,
  },
];
const SEED_TEXTS = ROOM_LISTS.map((list) => JSON.stringify(list));

/** Values at the schema's edges, for any field: names just in and out of shape, URLs of every kind, counts around 0 and 2^53. */
const EDGE_VALUES: readonly Json[] = [
  null,
  true,
  false,
  [],
  {},
  '',
  ' ',
  'x',
  'X',
  ' Duel ',
  'DUEL',
  'a'.repeat(MAX_ROOM_NAME_CHARS),
  'a'.repeat(MAX_ROOM_NAME_CHARS + 1),
  ` ${'a'.repeat(MAX_ROOM_NAME_CHARS)} `,
  '-room',
  '_room',
  'room name',
  'rööm',
  'room\n',
  '\u0130',
  'ǅ',
  '\u212a',
  '\ufeffroom',
  '\u200broom',
  'http://127.0.0.1:8080',
  'https://x',
  'http://',
  'http:',
  'http:/x',
  'http://[::1]:8080/',
  'HTTP://X',
  'https://user:pw@host/',
  'ftp://host',
  'ws://host',
  'javascript:alert(1)',
  'data:text/html,x',
  '//host',
  'http://host:99999',
  'http://exa mple.com',
  'https://😀.example',
  '__proto__',
  'constructor',
  '0',
  '1',
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  2,
  31,
  32,
  33,
  0xffff,
  2 ** 31,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  1e21,
  1e308,
  Number.MIN_VALUE,
  -Number.MAX_VALUE,
];

const parseJson = (text: string): Json => JSON.parse(text) as Json;

/** A seed list as a JSON value, with one field of the list or of one room swapped for an edge value (or dropped). */
function withEdgeField(random: Random): string {
  const list = parseJson(pick(random, SEED_TEXTS)) as { rooms: { [key: string]: Json }[]; [key: string]: Json };
  const inRoom = list.rooms.length > 0 && chance(random, 2 / 3);
  const target: { [key: string]: Json } = inRoom ? list.rooms[below(random, list.rooms.length)]! : list;
  const key = pick(random, inRoom ? ROOM_KEYS : LIST_KEYS);
  if (chance(random, 0.1)) delete target[key];
  else target[key] = pick(random, EDGE_VALUES);
  return JSON.stringify(list);
}

/** A valid list whose list field or room holds arrays or objects nested thousands deep. */
function deeplyNested(random: Random): string {
  const depth = 1 + skewedLength(random, MAX_NESTING_DEPTH);
  const [open, close] = chance(random, 1 / 2) ? ['[', ']'] : ['{"name":', '}'];
  const inner = open.repeat(depth) + (open === '[' ? '' : '1') + close.repeat(depth);
  const seed = pick(random, SEED_TEXTS);
  // As a list field: the member added last wins over the seed's own.
  if (chance(random, 1 / 2)) return `${seed.slice(0, -1)},"${pick(random, LIST_KEYS)}":${inner}}`;
  // As the first room.
  return seed.replace(/"rooms":\[(\]?)/, (_, empty: string) => `"rooms":[${inner}${empty ? ']' : ','}`);
}

/** Character mutations of a valid list, kept only when the text still parses (the client never sees the rest). */
function mutatedText(random: Random): string {
  for (let tries = 0; tries < MAX_TEXT_MUTATION_TRIES; tries++) {
    const text = mutateText(random, pick(random, SEED_TEXTS), SEED_TEXTS);
    try {
      JSON.parse(text);
      return text;
    } catch {
      // not JSON: response.json() would have refused it before parseRoomList
    }
  }
  return mutateJson(random, pick(random, SEED_TEXTS), KEYS);
}

function generate(random: Random): string {
  let draw = random();
  if ((draw -= VALID_SHARE) < 0) return pick(random, SEED_TEXTS);
  if ((draw -= RANDOM_VALUE_SHARE) < 0) return JSON.stringify(randomJson(random, RANDOM_VALUE_DEPTH, KEYS));
  if ((draw -= EDGE_FIELD_SHARE) < 0) return withEdgeField(random);
  if ((draw -= JSON_MUTATION_SHARE) < 0) return mutateJson(random, pick(random, SEED_TEXTS), KEYS);
  if ((draw -= DEEP_NESTING_SHARE) < 0) return deeplyNested(random);
  return mutatedText(random);
}

function onlyKeys(value: object, allowed: readonly string[], what: string): string | null {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  return extra.length === 0 ? null : `${what} with keys beyond the schema: ${extra.join(', ')}`;
}

const isCount = (value: unknown, min: number) => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** What the join screen relies on in an accepted list, and that it round-trips: null, or the problem. */
export function checkRoomList(list: RoomList): string | null {
  if (Object.getPrototypeOf(list) !== Object.prototype) return 'the list is not a plain object';
  const problem = onlyKeys(list, LIST_KEYS, 'a list');
  if (problem) return problem;
  if (!Array.isArray(list.rooms)) return 'rooms is not an array';
  if (!isCount(list.capacity, 1) || !isCount(list.roomsLeft, 0)) return `capacity ${list.capacity} or roomsLeft ${list.roomsLeft} out of range`;
  for (const room of list.rooms) {
    if (typeof room !== 'object' || room === null || Object.getPrototypeOf(room) !== Object.prototype) return 'a room is not a plain object';
    const roomProblem = onlyKeys(room, ROOM_KEYS, 'a room');
    if (roomProblem) return roomProblem;
    if (typeof room.name !== 'string' || !ROOM_NAME.test(room.name)) return `room name ${JSON.stringify(room.name)} passed`;
    if (!isCount(room.players, 0) || !isCount(room.capacity, 1)) return `room counts ${room.players}/${room.capacity} out of range`;
    if (room.url !== undefined && (typeof room.url !== 'string' || !isHttpUrl(room.url))) return `room url ${JSON.stringify(room.url)} passed`;
  }
  // Written back as the server would send it, the list must parse to itself.
  const text = JSON.stringify(list);
  const again = parseRoomList(JSON.parse(text));
  if (!again.ok) return `an accepted list is refused when sent again: ${again.message ?? again.error}`;
  return JSON.stringify(again.value) === text ? null : `the list changed on a second parse: ${JSON.stringify(again.value)}`;
}

function run(text: string): Outcome {
  const result: unknown = parseRoomList(JSON.parse(text));
  if (typeof result !== 'object' || result === null) return { violation: `answer is ${String(result)}, not a result` };
  const answer = result as ReturnType<typeof parseRoomList>;
  if (answer.ok === true) {
    const problem = checkRoomList(answer.value);
    return problem === null ? 'accepted' : { violation: problem };
  }
  if (answer.ok !== false) return { violation: 'answer has no boolean `ok`' };
  if (answer.error !== ROOM_LIST_ERROR) return { violation: `unknown error code ${JSON.stringify(answer.error)}` };
  return typeof answer.message === 'string' && answer.message.length > 0 ? 'rejected' : { violation: 'no message' };
}

export const roomListTarget: FuzzTarget<string> = {
  name: 'parseRoomList',
  description: 'GET /rooms bodies, as JSON the client parsed: random values and mutated valid lists (protocol/wire/room-list.ts)',
  generate,
  run,
  show: (text) => JSON.stringify(text),
};
