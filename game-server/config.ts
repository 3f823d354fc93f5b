// Server configuration from flags or environment variables (flags win),
// validated with zod so a typo fails at start with a clear message.
import { isIP } from 'node:net';
import { z } from 'zod';
import { serverOrigin } from '../protocol/wire/server-url.ts';
import {
  DEFAULT_HOST,
  DEFAULT_OPS_HOST,
  DEFAULT_OPS_PORT,
  DEFAULT_HTTP_PORT,
  DEFAULT_MAX_ROOMS,
  DEFAULT_MAX_ROOMS_PER_ADDRESS,
  DEFAULT_MAX_SEATS_PER_ADDRESS,
  DEFAULT_NPC_COUNT,
  DEFAULT_ROOM_CAPACITY,
  DEFAULT_ROOM_IDLE_MS,
  DEFAULT_SNAPSHOT_RATE_HZ,
  DEFAULT_TICK_RATE_HZ,
  MAX_NPC_COUNT,
  MAX_PLAYERS,
  MAX_TCP_PORT,
  MAX_TICK_RATE_HZ,
} from '../protocol/constants.ts';
import { ANY_ORIGIN } from './transport/origin-policy.ts';
import { defineCommand, parseFlags, UsageError, type FlagTable } from './cli/flags.ts';

/** Flag ceilings: enough for any test or bench, low enough that a typo cannot ask for absurd memory. */
const MAX_ROOMS_LIMIT = 1024;
const MAX_ROOM_IDLE_MS = 3_600_000;
/** Load benchmarks run hundreds of bots from one machine's address. */
const MAX_PER_ADDRESS_LIMIT = 100_000;

const port = z.coerce.number().int().min(0).max(MAX_TCP_PORT);
const ipAddress = z.union([z.ipv4(), z.ipv6()]);

/**
 * The address WebRTC's UDP sockets bind to, or undefined for every interface.
 * By default they follow --host when it names one address, so a server kept
 * to loopback (or one interface) opens no UDP ports on the others. The
 * unspecified address (`0.0.0.0`, `::` and its spellings) means every
 * interface; so does a host name such as `localhost`, since the ICE library
 * wants an address and a name may stand for several.
 */
function rtcBindAddress(rtcBind: string | undefined, host: string): string | undefined {
  return specificAddress(rtcBind ?? host);
}

function specificAddress(address: string): string | undefined {
  const version = isIP(address);
  if (version === 4) return address === '0.0.0.0' ? undefined : address;
  if (version === 6) return /^[0:]+$/.test(address) ? undefined : address;
  return undefined;
}

/**
 * ALLOWED_ORIGINS: origins separated by commas, each an http(s) origin or
 * `*` (any page; unsafe), as a list of normalised origins.
 */
const originList = z.string().transform((text, context) => {
  const origins: string[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const origin = entry === ANY_ORIGIN ? ANY_ORIGIN : serverOrigin(entry);
    if (origin === null) {
      context.addIssue({
        code: 'custom',
        message: `${JSON.stringify(entry)} is not an origin: write scheme://host[:port], e.g. https://play.example.com, or * for any (unsafe)`,
      });
      return z.NEVER;
    }
    origins.push(origin);
  }
  return origins;
});

/**
 * Runs a cross-field check even when some other field failed, as long as
 * `keys` themselves parsed, so one start reports every problem at once.
 */
const whenValid = (...keys: string[]) => ({
  when: (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) => !payload.issues.some((issue) => keys.includes(String(issue.path?.[0]))),
});

const configSchema = z
  .object({
    port: port.default(DEFAULT_HTTP_PORT),
    /** Loopback by default, as Vite's dev server: every interface only when asked (--host 0.0.0.0). */
    host: z.string().min(1).default(DEFAULT_HOST),
    tickRate: z.coerce.number().int().min(1).max(MAX_TICK_RATE_HZ).default(DEFAULT_TICK_RATE_HZ),
    snapshotRate: z.coerce.number().int().min(1).max(MAX_TICK_RATE_HZ).default(DEFAULT_SNAPSHOT_RATE_HZ),
    npcs: z.coerce.number().int().min(0).max(MAX_NPC_COUNT).default(DEFAULT_NPC_COUNT),
    roomCapacity: z.coerce.number().int().min(1).max(MAX_PLAYERS).default(DEFAULT_ROOM_CAPACITY),
    maxRooms: z.coerce.number().int().min(1).max(MAX_ROOMS_LIMIT).default(DEFAULT_MAX_ROOMS),
    /** Players one remote address may have in arenas at once (with a directory, across the cluster). */
    maxSeatsPerAddress: z.coerce.number().int().min(1).max(MAX_PER_ADDRESS_LIMIT).default(DEFAULT_MAX_SEATS_PER_ADDRESS),
    /** Rooms one remote address may have opened that still exist (with a directory, across the cluster). */
    maxRoomsPerAddress: z.coerce.number().int().min(1).max(MAX_ROOMS_LIMIT).default(DEFAULT_MAX_ROOMS_PER_ADDRESS),
    /** How long an empty room lives on before it is disposed (its sessions with it). */
    roomIdleMs: z.coerce.number().int().min(0).max(MAX_ROOM_IDLE_MS).default(DEFAULT_ROOM_IDLE_MS),
    rtcPortMin: port.min(1025).optional(),
    rtcPortMax: port.min(1025).optional(),
    publicIp: ipAddress.optional(),
    /** Address for WebRTC's UDP sockets (see rtcBindAddress). */
    rtcBind: ipAddress.optional(),
    seed: z.coerce.number().int().default(1),
    /**
     * A Redis shared with other game servers (redis://host:port, or a Unix
     * socket path): rooms are listed and found across all of them. Without
     * it this process is alone, the embedded default.
     */
    redisUrl: z.string().min(1).optional(),
    /** This process's name in the room directory; unique among the servers sharing it. */
    serverId: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, ".", "_" or "-"')
      .optional(),
    /** Where players reach this process, as other servers send them here (default: its own http://host:port). */
    publicUrl: z
      .url({ protocol: /^https?$/ })
      // Compared as a bare origin wherever it travels (directory entries, the Origin check): `https://Play.example.com/` becomes `https://play.example.com`.
      .transform((url, context) => {
        const origin = serverOrigin(url);
        if (origin === null) context.addIssue({ code: 'custom', message: 'an origin only (scheme, host and port), with no path, query or credentials' });
        return origin ?? url;
      })
      .optional(),
    staticDir: z.string().default('dist'),
    /** Pages on other origins that may open the stream, besides the page's own and the cluster's servers (origin-policy.ts). */
    allowedOrigins: originList.default([]),
    /** The ops listener (/metrics, the detailed /healthz): its own port (0: any free one) and address, off the game's port. */
    opsPort: port.default(DEFAULT_OPS_PORT),
    opsHost: z.string().min(1).default(DEFAULT_OPS_HOST),
  })
  .refine((c) => c.snapshotRate <= c.tickRate, {
    message: 'SNAPSHOT_RATE cannot exceed TICK_RATE',
    ...whenValid('tickRate', 'snapshotRate'),
  })
  .refine((c) => (c.rtcPortMin === undefined) === (c.rtcPortMax === undefined), {
    message: 'set both RTC_PORT_MIN and RTC_PORT_MAX, or neither',
    ...whenValid('rtcPortMin', 'rtcPortMax'),
  })
  .refine((c) => c.rtcPortMin === undefined || c.rtcPortMax === undefined || c.rtcPortMin <= c.rtcPortMax, {
    message: 'RTC_PORT_MIN must not exceed RTC_PORT_MAX',
    ...whenValid('rtcPortMin', 'rtcPortMax'),
  })
  .refine((c) => c.opsPort === 0 || c.opsPort !== c.port, {
    message: 'OPS_PORT must differ from PORT (or be 0 for any free port)',
    ...whenValid('port', 'opsPort'),
  })
  // Other servers send players (and their tokens) to this one's URL: without
  // PUBLIC_URL that is http://host:port, which for a wildcard address or a
  // name is loopback or a name only this machine knows, i.e. the player's own machine.
  .refine((c) => c.redisUrl === undefined || c.publicUrl !== undefined || specificAddress(c.host) !== undefined, {
    message:
      'with REDIS_URL (a cluster) and a HOST that is not one IP address, set PUBLIC_URL to where players reach this server: ' +
      'other servers send players there, and would otherwise send them to http://127.0.0.1:PORT, their own machine',
    path: ['publicUrl'],
    ...whenValid('host', 'redisUrl', 'publicUrl'),
  })
  .transform((config) => ({ ...config, rtcBind: rtcBindAddress(config.rtcBind, config.host) }));

export type ServerConfig = z.infer<typeof configSchema>;

/** The server's flags, each with the environment variable read when it is absent (a flag wins). */
export const SERVER_FLAGS = {
  port: {
    type: 'string',
    value: 'N',
    env: 'PORT',
    defaultText: String(DEFAULT_HTTP_PORT),
    help: 'TCP port for the page, the WebSocket stream and WebRTC signaling (0: any free one)',
  },
  host: {
    type: 'string',
    value: 'ADDRESS',
    env: 'HOST',
    defaultText: DEFAULT_HOST,
    help: 'address to listen on: loopback by default, 0.0.0.0 to play over a LAN',
  },
  'tick-rate': {
    type: 'string',
    value: 'HZ',
    env: 'TICK_RATE',
    defaultText: String(DEFAULT_TICK_RATE_HZ),
    help: `simulation steps per second (1 to ${MAX_TICK_RATE_HZ})`,
  },
  'snapshot-rate': {
    type: 'string',
    value: 'HZ',
    env: 'SNAPSHOT_RATE',
    defaultText: String(DEFAULT_SNAPSHOT_RATE_HZ),
    help: 'snapshots sent per second, at most the tick rate',
  },
  npcs: {
    type: 'string',
    value: 'N',
    env: 'NPCS',
    defaultText: String(DEFAULT_NPC_COUNT),
    help: `computer-driven players in each room (0 to ${MAX_NPC_COUNT})`,
  },
  'room-capacity': {
    type: 'string',
    value: 'N',
    env: 'ROOM_CAPACITY',
    defaultText: String(DEFAULT_ROOM_CAPACITY),
    help: `players one room seats (1 to ${MAX_PLAYERS})`,
  },
  'max-rooms': {
    type: 'string',
    value: 'N',
    env: 'MAX_ROOMS',
    defaultText: String(DEFAULT_MAX_ROOMS),
    help: `rooms this process holds at once (1 to ${MAX_ROOMS_LIMIT})`,
  },
  'max-seats-per-address': {
    type: 'string',
    value: 'N',
    env: 'MAX_SEATS_PER_ADDRESS',
    defaultText: String(DEFAULT_MAX_SEATS_PER_ADDRESS),
    help: 'players one remote address may have in arenas at once (across the cluster with a directory)',
  },
  'max-rooms-per-address': {
    type: 'string',
    value: 'N',
    env: 'MAX_ROOMS_PER_ADDRESS',
    defaultText: String(DEFAULT_MAX_ROOMS_PER_ADDRESS),
    help: 'rooms one remote address may have opened that still exist',
  },
  'room-idle-ms': {
    type: 'string',
    value: 'MS',
    env: 'ROOM_IDLE_MS',
    defaultText: String(DEFAULT_ROOM_IDLE_MS),
    help: 'how long an empty room lives on before it is disposed',
  },
  'rtc-port-min': {
    type: 'string',
    value: 'PORT',
    env: 'RTC_PORT_MIN',
    defaultText: 'any',
    help: 'lowest UDP port for WebRTC (set with --rtc-port-max, both above 1024)',
  },
  'rtc-port-max': { type: 'string', value: 'PORT', env: 'RTC_PORT_MAX', defaultText: 'any', help: 'highest UDP port for WebRTC' },
  'public-ip': {
    type: 'string',
    value: 'IP',
    env: 'PUBLIC_IP',
    defaultText: 'none',
    help: 'the IP address browsers reach this host at, put in the WebRTC candidates (behind NAT or in a container)',
  },
  'rtc-bind': { type: 'string', value: 'IP', env: 'RTC_BIND', defaultText: '--host when it is one address', help: "address WebRTC's UDP sockets bind to" },
  seed: { type: 'string', value: 'N', env: 'SEED', defaultText: '1', help: 'seed of the simulation (NPC moves, coins)' },
  'redis-url': {
    type: 'string',
    value: 'URL',
    env: 'REDIS_URL',
    defaultText: 'none: alone',
    help: 'a Redis shared with other game servers (redis://host:port or a socket path): rooms listed and found across all',
  },
  'server-id': {
    type: 'string',
    value: 'NAME',
    env: 'SERVER_ID',
    defaultText: 'a random one',
    help: "this process's name in the room directory, unique among the servers sharing it",
  },
  'public-url': {
    type: 'string',
    value: 'URL',
    env: 'PUBLIC_URL',
    defaultText: 'http://HOST:PORT',
    help: 'where players reach this process (other servers send them here); required in a cluster on 0.0.0.0',
  },
  'static-dir': { type: 'string', value: 'DIR', env: 'STATIC_DIR', defaultText: 'dist', help: 'the built client (npm run build) served at /' },
  'allowed-origins': {
    type: 'string',
    value: 'LIST',
    env: 'ALLOWED_ORIGINS',
    defaultText: 'none',
    help: "other pages' origins that may open the stream, comma-separated (* is any: unsafe)",
  },
  'ops-port': {
    type: 'string',
    value: 'N',
    env: 'OPS_PORT',
    defaultText: `${DEFAULT_OPS_PORT} = any free one`,
    help: 'port of the ops listener (/metrics, the detailed /healthz)',
  },
  'ops-host': { type: 'string', value: 'ADDRESS', env: 'OPS_HOST', defaultText: DEFAULT_OPS_HOST, help: 'address of the ops listener' },
} as const satisfies FlagTable;

/** The server's command line (`npm start`, and `npm run dev` and `npm run lab` with flags of their own). */
export const SERVER_COMMAND = defineCommand({
  name: 'npm start',
  about:
    'Serves the built client with the game (npm start builds first when the build is missing or older than the sources). Every flag can also be set by its environment variable.',
  flags: SERVER_FLAGS,
  notes: `The server listens on ${DEFAULT_HOST} (this machine only) unless told otherwise: --host 0.0.0.0 to play over a LAN.
Logs: readable on a terminal, JSON lines otherwise; LOG_FORMAT=json forces JSON, LOG_LEVEL (default info) sets the level.
.env.example lists every environment variable.`,
});

/** Reads flags, then the environment, then defaults. Throws a UsageError with every problem listed. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const values = parseFlags(SERVER_COMMAND, argv);
  const raw: Record<string, string | undefined> = {};
  for (const [flag, spec] of Object.entries(SERVER_FLAGS)) {
    const key = flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const value = values[flag as keyof typeof SERVER_FLAGS] ?? env[spec.env];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}
