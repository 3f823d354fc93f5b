// The command line of `npm run bots` (game-client/bot.ts): its flags, its
// help text, and the checks that turn a bad flag into a one-line message.
// Pure: it reads the arguments it is given and throws; the entry prints and exits.
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { DEFAULT_HTTP_PORT, DEFAULT_MAX_SEATS_PER_ADDRESS, JOIN_BURST, JOIN_REFILL_PER_S } from '../../protocol/constants.ts';
import { checkRoomName } from '../../protocol/wire/stream.ts';
import { defineCommand, parseFlags, UsageError, type FlagValues } from '../../game-server/cli/flags.ts';

/** Most source addresses one --from range may name. */
const MAX_SOURCE_ADDRESSES = 254;

export const BOTS_COMMAND = defineCommand({
  name: 'npm run bots',
  about: 'Headless clients over both real channels: each chases coins and now and then chats; at the end, what they measured.',
  flags: {
    url: { type: 'string', value: 'URL', default: `http://127.0.0.1:${DEFAULT_HTTP_PORT}`, help: 'the game server' },
    count: { type: 'string', value: 'N', default: '4', help: 'bots to connect (0 only with --report-on-stdin)' },
    duration: { type: 'string', value: 'S', default: '10', help: 'seconds to play once connected' },
    'chat-every': { type: 'string', value: 'S', default: '5', help: 'each bot chats once every S seconds on average' },
    'connect-timeout': { type: 'string', value: 'S', default: '15', help: "seconds a bot may take from its connect to its data channel's open" },
    rooms: { type: 'string', value: 'K', defaultText: 'quick play', help: 'spread the bots over K rooms: bot i joins room bots-<i % K + 1>' },
    room: { type: 'string', value: 'NAME', defaultText: 'quick play', help: 'every bot joins room NAME' },
    'join-rate': {
      type: 'string',
      value: 'R',
      default: String(JOIN_REFILL_PER_S),
      help: "joins per second this process allows itself after the burst (the server's per-address limit)",
    },
    'join-burst': { type: 'string', value: 'B', default: String(JOIN_BURST), help: 'joins it may start at once' },
    from: {
      type: 'string',
      value: 'A[-B]',
      defaultText: "the system's choice",
      help: `source address(es) of the streams and data channels, e.g. 127.0.0.2-127.0.0.9 (at most ${MAX_SOURCE_ADDRESSES}); stream sockets and peer connections take them in turn`,
    },
    json: { type: 'boolean', help: 'print only the final summary, as one JSON object' },
    timeline: { type: 'boolean', help: "at the end, print the first bot's connection timeline as a table" },
    'report-on-stdin': { type: 'boolean', help: '(implies --json) a JSON line once connected, then one per line read on stdin; see below' },
  },
  notes: `--from: the server bounds what one address holds (${DEFAULT_MAX_SEATS_PER_ADDRESS} players by default), so bots that stand for many machines
come from many loopback addresses (all of 127.0.0.0/8 is this machine on Linux).
--report-on-stdin: a JSON line once connected, then one per line read on stdin with what was measured since the
line before; stdin closing ends the run. A line 'join {"id":1,"url":…,"room":…,"count":N,"joinRatePerS":R,"joinBurst":B}'
adds N bots to the running fleet and is answered by a "connected" line with that id (--count may then be 0).`,
});

export interface BotOptions {
  url: string;
  count: number;
  durationS: number;
  /** Each bot chats with probability 1/chatEveryS each second. */
  chatEveryS: number;
  /** Per bot, from the start of its connect to its data channel open. */
  connectTimeoutMs: number;
  /** This process's share of the server's per-address join limit. */
  joinRatePerS: number;
  joinBurst: number;
  reportOnStdin: boolean;
  /** Print the first bot's connection timeline at the end (--timeline). */
  timeline: boolean;
  /** Nothing on stderr, and the summary as one JSON object (--json, --report-on-stdin). */
  quiet: boolean;
  /** The room bot i asks for, or undefined for quick play. */
  roomFor: (i: number) => string | undefined;
  /** Source addresses for the streams and the peer connections, taken in turn (empty: the system's choice). */
  sourceAddresses: string[];
}

/** A flag the bots cannot run with; its message names the flag. */
export class BotUsageError extends UsageError {}

/** The options from the command line; throws a UsageError (a BotUsageError for a bad value) naming the flag. */
export function parseBotOptions(argv: string[]): BotOptions {
  return botOptionsFrom(parseFlags(BOTS_COMMAND, argv));
}

/** The options from parsed flags; throws a BotUsageError naming the flag for a bad value. */
export function botOptionsFrom(args: FlagValues<typeof BOTS_COMMAND.flags>): BotOptions {
  const reportOnStdin = args['report-on-stdin'];
  return {
    url: args.url,
    // A process driven over stdin may start empty and be given its bots by `join` lines.
    count: reportOnStdin && args.count === '0' ? 0 : positiveInt(args.count, 'count'),
    durationS: positiveInt(args.duration, 'duration'),
    chatEveryS: positiveInt(args['chat-every'], 'chat-every'),
    connectTimeoutMs: positiveInt(args['connect-timeout'], 'connect-timeout') * 1000,
    joinRatePerS: positiveNumber(args['join-rate'], 'join-rate'),
    joinBurst: positiveInt(args['join-burst'], 'join-burst'),
    reportOnStdin,
    timeline: args.timeline,
    quiet: args.json || reportOnStdin,
    roomFor: roomChoice(args.rooms, args.room),
    sourceAddresses: args.from === undefined ? [] : addressRange(args.from),
  };
}

/** "127.0.0.2" or "127.0.0.2-127.0.0.9" (the same first three parts): the IPv4 addresses named, in order. */
function addressRange(value: string): string[] {
  const parts = value.split('-');
  const first = parts[0] ?? '';
  const last = parts[1] ?? first;
  if (parts.length > 2 || !isIPv4(first) || !isIPv4(last))
    throw new BotUsageError(`--from must be an IPv4 address or a range A-B, got ${JSON.stringify(value)}`);
  const prefix = first.slice(0, first.lastIndexOf('.') + 1);
  if (!last.startsWith(prefix) || last.lastIndexOf('.') !== prefix.length - 1) {
    throw new BotUsageError(`--from: a range differs only in its last part (${prefix}N-${prefix}M), got ${JSON.stringify(value)}`);
  }
  const from = Number(first.slice(prefix.length));
  const to = Number(last.slice(prefix.length));
  if (to < from || to - from + 1 > MAX_SOURCE_ADDRESSES)
    throw new BotUsageError(`--from: the range must go upwards, at most ${MAX_SOURCE_ADDRESSES} addresses, got ${JSON.stringify(value)}`);
  return Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new BotUsageError(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function positiveNumber(value: string, name: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new BotUsageError(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

/** Which room bot i asks for: bots-<i % K + 1> with --rooms K, NAME with --room, else none (quick play). */
function roomChoice(rooms: string | undefined, room: string | undefined): (i: number) => string | undefined {
  if (rooms !== undefined && room !== undefined) throw new BotUsageError('give --rooms K or --room NAME, not both');
  if (room !== undefined) {
    const checked = checkRoomName(room);
    if (!checked.ok) throw new BotUsageError(`--room: ${checked.message}`);
    return () => checked.name;
  }
  if (rooms === undefined) return () => undefined;
  const k = positiveInt(rooms, 'rooms');
  return (i) => `bots-${(i % k) + 1}`;
}

/** A `join` line on stdin (--report-on-stdin): more bots for the running fleet, with their share of the join limit. */
const joinCommandSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  url: z.url({ protocol: /^https?$/ }),
  room: z.string(),
  count: z.number().int().min(1).max(1000),
  joinRatePerS: z.number().positive().finite(),
  joinBurst: z.number().int().min(1),
});
export type JoinCommand = z.infer<typeof joinCommandSchema>;

/** A line read on stdin: `join {…}` (more bots), or anything else (a window report is asked for). */
export type StdinCommand = { kind: 'join'; join: JoinCommand } | { kind: 'report' };

/** Reads one stdin line; a `join` line that does not parse throws a BotUsageError saying why. */
export function parseStdinCommand(line: string): StdinCommand {
  if (!line.startsWith('join ')) return { kind: 'report' };
  let json: unknown;
  try {
    json = JSON.parse(line.slice('join '.length));
  } catch {
    throw new BotUsageError('a join line carries one JSON object');
  }
  const parsed = joinCommandSchema.safeParse(json);
  if (!parsed.success) throw new BotUsageError(`join: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const room = checkRoomName(parsed.data.room);
  if (!room.ok) throw new BotUsageError(`join: room: ${room.message}`);
  return { kind: 'join', join: { ...parsed.data, room: room.name } };
}
