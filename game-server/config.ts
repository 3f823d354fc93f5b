// Server configuration from flags or environment variables (flags win),
// validated with zod so a typo fails at start with a clear message.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
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
  for (const entry of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const origin = entry === ANY_ORIGIN ? ANY_ORIGIN : serverOrigin(entry);
    if (origin === null) {
      context.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not an origin: write scheme://host[:port], e.g. https://play.example.com, or * for any (unsafe)` });
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
  when: (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) =>
    !payload.issues.some((issue) => keys.includes(String(issue.path?.[0]))),
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
    serverId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, ".", "_" or "-"').optional(),
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

const FLAGS = {
  port: 'PORT',
  host: 'HOST',
  'tick-rate': 'TICK_RATE',
  'snapshot-rate': 'SNAPSHOT_RATE',
  npcs: 'NPCS',
  'room-capacity': 'ROOM_CAPACITY',
  'max-rooms': 'MAX_ROOMS',
  'max-seats-per-address': 'MAX_SEATS_PER_ADDRESS',
  'max-rooms-per-address': 'MAX_ROOMS_PER_ADDRESS',
  'room-idle-ms': 'ROOM_IDLE_MS',
  'rtc-port-min': 'RTC_PORT_MIN',
  'rtc-port-max': 'RTC_PORT_MAX',
  'public-ip': 'PUBLIC_IP',
  'rtc-bind': 'RTC_BIND',
  seed: 'SEED',
  'redis-url': 'REDIS_URL',
  'server-id': 'SERVER_ID',
  'public-url': 'PUBLIC_URL',
  'static-dir': 'STATIC_DIR',
  'allowed-origins': 'ALLOWED_ORIGINS',
  'ops-port': 'OPS_PORT',
  'ops-host': 'OPS_HOST',
} as const;

export const USAGE = `Usage: npm start -- [--flag value]…  (or the environment variable)
${Object.entries(FLAGS)
  .map(([flag, env]) => `  --${flag.padEnd(22)} ${env}`)
  .join('\n')}
The server listens on ${DEFAULT_HOST} (this machine only) unless told otherwise:
--host 0.0.0.0 to play over a LAN. /metrics and the detailed /healthz are on
the ops listener (--ops-host ${DEFAULT_OPS_HOST}, --ops-port ${DEFAULT_OPS_PORT} = any free port).`;

/** Reads flags, then the environment, then defaults. Throws with every problem listed. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    strict: true,
  });
  const raw: Record<string, string | undefined> = {};
  for (const [flag, envName] of Object.entries(FLAGS)) {
    const key = flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const value = (values as Record<string, string | undefined>)[flag] ?? env[envName];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}
