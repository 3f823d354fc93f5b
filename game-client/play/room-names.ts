// Names for rooms a player opens with "New room": short enough to read out
// loud or type from a screen, and valid room names as the server checks them
// (checkRoomName). Pure: the random source is passed in.

const NEW_ROOM_PREFIX = 'room-';
const NEW_ROOM_SUFFIX_CHARS = 4;
/** Letters and digits without the look-alikes 0/o and 1/l/i: read from a screen, typed by a friend. */
const READABLE_CHARS = 'abcdefghjkmnpqrstuvwxyz23456789';
/** Tries before giving up on avoiding a listed name (31⁴ ≈ 920 000 names: practically never needed). */
const MAX_NAME_TRIES = 20;

/**
 * A fresh room name such as `room-k7dq`, unlike every name in `taken` (the
 * rooms listed now) if it can be: a new room should be empty, not someone
 * else's game.
 */
export function newRoomName(random: () => number, taken: ReadonlySet<string> = new Set()): string {
  let name = '';
  for (let attempt = 0; attempt < MAX_NAME_TRIES; attempt++) {
    name = NEW_ROOM_PREFIX;
    for (let i = 0; i < NEW_ROOM_SUFFIX_CHARS; i++) name += READABLE_CHARS[Math.floor(random() * READABLE_CHARS.length)];
    if (!taken.has(name)) break;
  }
  return name;
}
