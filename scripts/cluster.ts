// `npm run cluster -- --procs N`: N game server processes on this machine,
// each with its own HTTP port and WebRTC port range, sharing one Redis room
// directory: open any of them and every room is listed and joinable. Uses
// REDIS_URL when set; otherwise starts a private redis-server (installed
// like Chromium for the browser tests, scripts/redis-server.ts).
//
//   npm run cluster -- --procs 3                 ports 8080, 8081, 8082
//   npm run cluster -- --procs 2 --port 9000 --host 0.0.0.0 --public-host 192.0.2.10
//
// On every interface (--host 0.0.0.0) --public-host is required: each process
// tells the others where to send players, and loopback would send them to
// their own machine. A page sent from one process to another keeps playing:
// each lets the pages of every server registered in the directory open its
// stream (the Origin check). Each has its own ops listener (/metrics, the detailed
// /healthz) on a free loopback port, printed once it is up.
//
// Ctrl-C (or SIGTERM) stops every server (each tells its players) and the
// private Redis. If any server exits on its own, the rest are stopped too.
import { spawn, type ChildProcess } from 'node:child_process';
import { defineCommand, flagsOrExit, UsageError } from '../game-server/cli/flags.ts';
import { DEFAULT_HTTP_PORT } from '../protocol/constants.ts';
import { buildClient } from './cli/build-client.ts';
import { startPrivateRedis, type PrivateRedis } from './redis-server.ts';

/** WebRTC ports per process: process i gets RTC_BASE_PORT + i × RTC_PORTS_PER_PROCESS onwards. */
const RTC_BASE_PORT = 40_000;
const RTC_PORTS_PER_PROCESS = 100;
const MAX_PROCS = 16;

const CLUSTER_COMMAND = defineCommand({
  name: 'npm run cluster',
  about: 'N game server processes on this machine sharing one Redis room directory: open any of them, every room is listed.',
  flags: {
    procs: { type: 'string', value: 'N', default: '2', help: `game server processes (1 to ${MAX_PROCS})` },
    port: { type: 'string', value: 'FIRST_PORT', default: String(DEFAULT_HTTP_PORT), env: 'PORT', help: 'port of the first process; the next ones count up' },
    host: { type: 'string', value: 'ADDRESS', default: '127.0.0.1', env: 'HOST', help: 'address every process listens on' },
    'public-host': { type: 'string', value: 'NAME', defaultText: '--host', help: 'where players reach this machine; required with --host 0.0.0.0 or ::' },
  },
  notes:
    "Also read: REDIS_URL (use that Redis; default: start a private redis-server), OPS_PORT (the first process's ops port;\n" +
    'default: any free one each), ALLOWED_ORIGINS (more pages that may open the stream).',
});

const { procs, firstPort, host, publicHost, firstOpsPort } = flagsOrExit(
  CLUSTER_COMMAND,
  (args) => {
    const count = Number(args.procs);
    const port = Number(args.port);
    if (!Number.isInteger(count) || count < 1 || count > MAX_PROCS) throw new UsageError(`--procs must be 1 to ${MAX_PROCS}`);
    if (!Number.isInteger(port) || port < 1024 || port + count > 65535) throw new UsageError('--port must leave room for one port per process');
    const wildcardHost = args.host === '0.0.0.0' || args.host === '::';
    if (wildcardHost && args['public-host'] === undefined) {
      throw new UsageError(
        `--host ${args.host} listens on every interface: say where players reach this machine with --public-host NAME (its LAN address, say)`,
      );
    }
    /** OPS_PORT, if set, is the first process's ops port (the next ones count up); otherwise each takes a free one. */
    const opsPort = Number(process.env.OPS_PORT || 0);
    if (!Number.isInteger(opsPort) || opsPort < 0 || opsPort + count > 65535) throw new UsageError('OPS_PORT must leave room for one port per process');
    /** The host players use to reach each process (the redirect's URL): the host it listens on, unless told otherwise. */
    return { procs: count, firstPort: port, host: args.host, publicHost: args['public-host'] ?? args.host, firstOpsPort: opsPort };
  },
  { env: process.env },
);
const urlHost = publicHost.includes(':') ? `[${publicHost}]` : publicHost;
const publicUrls = Array.from({ length: procs }, (_, i) => `http://${urlHost}:${firstPort + i}`);

await buildClient('warn');
const redis: PrivateRedis | null = process.env.REDIS_URL ? null : await startPrivateRedis();
const redisUrl = process.env.REDIS_URL ?? redis!.url;
console.log(`room directory: ${redis ? `a private redis-server at ${redisUrl}` : `REDIS_URL=${redisUrl}`}`);

const STOP_TIMEOUT_MS = 5_000;
/** Enough of a process's output to hold its start line. */
const START_LINE_MAX_CHARS = 8_192;
const servers: ChildProcess[] = [];
let stopping = false;
for (let i = 0; i < procs; i++) {
  const port = firstPort + i;
  const rtcMin = RTC_BASE_PORT + i * RTC_PORTS_PER_PROCESS;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'game-server/main.ts',
      '--port',
      String(port),
      '--host',
      host,
      '--server-id',
      `game-${i + 1}`,
      '--redis-url',
      redisUrl,
      '--public-url',
      publicUrls[i]!,
      '--ops-port',
      String(firstOpsPort === 0 ? 0 : firstOpsPort + i),
      '--rtc-port-min',
      String(rtcMin),
      '--rtc-port-max',
      String(rtcMin + RTC_PORTS_PER_PROCESS - 1),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_FORMAT: 'json' } }, // the start line is read as JSON (announceOpsUrl)
  );
  const prefix = `[game-${i + 1}] `;
  for (const output of [child.stdout!, child.stderr!]) {
    output.on('data', (chunk: Buffer) => process.stdout.write(chunk.toString().replace(/^(?=.)/gm, prefix)));
  }
  announceOpsUrl(child, `game-${i + 1}`);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the cluster`);
      void stop(1);
    }
  });
  servers.push(child);
  console.log(`game-${i + 1}: ${publicUrls[i]}  (WebRTC UDP ${rtcMin}–${rtcMin + RTC_PORTS_PER_PROCESS - 1})`);
}
console.log('Open any of them: each lists every room, and sends you to the process that hosts the one you pick.');

/** Prints where a process's metrics and detailed health are, from its start line (the port is picked at start). */
function announceOpsUrl(child: ChildProcess, name: string) {
  let seen = '';
  const onData = (chunk: Buffer) => {
    seen = (seen + chunk.toString()).slice(-START_LINE_MAX_CHARS);
    const opsUrl = /"opsUrl":"([^"]+)"/.exec(seen)?.[1];
    if (opsUrl === undefined) return;
    child.stdout!.off('data', onData);
    console.log(`${name} ops: ${opsUrl}/metrics, ${opsUrl}/healthz`);
  };
  child.stdout!.on('data', onData);
}

async function stop(exitCode: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    servers.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS).unref();
        }),
    ),
  );
  await redis?.stop();
  process.exit(exitCode);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));
