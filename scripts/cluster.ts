// `npm run cluster -- --procs N`: N game server processes on this machine,
// each with its own HTTP port and WebRTC port range, sharing one Redis room
// directory: open any of them and every room is listed and joinable. Uses
// REDIS_URL when set; otherwise starts a private redis-server (installed
// like Chromium for the browser tests, scripts/redis-server.ts).
//
//   npm run cluster -- --procs 3                 ports 8080, 8081, 8082
//   npm run cluster -- --procs 2 --port 9000 --host 0.0.0.0 --public-host 192.0.2.10
//
// Ctrl-C (or SIGTERM) stops every server (each tells its players) and the
// private Redis. If any server exits on its own, the rest are stopped too.
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { DEFAULT_HTTP_PORT } from '../protocol/constants.ts';
import { startPrivateRedis, type PrivateRedis } from './redis-server.ts';

/** WebRTC ports per process: process i gets RTC_BASE_PORT + i × RTC_PORTS_PER_PROCESS onwards. */
const RTC_BASE_PORT = 40_000;
const RTC_PORTS_PER_PROCESS = 100;
const MAX_PROCS = 16;

const { values: args } = parseArgs({
  options: {
    procs: { type: 'string', default: '2' },
    port: { type: 'string', default: process.env.PORT ?? String(DEFAULT_HTTP_PORT) },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    'public-host': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('npm run cluster -- [--procs N] [--port FIRST_PORT] [--host ADDRESS] [--public-host NAME]  (REDIS_URL: use that Redis)');
  process.exit(0);
}
const procs = Number(args.procs);
const firstPort = Number(args.port);
if (!Number.isInteger(procs) || procs < 1 || procs > MAX_PROCS) exitWith(`--procs must be 1 to ${MAX_PROCS}`);
if (!Number.isInteger(firstPort) || firstPort < 1024 || firstPort + procs > 65535) exitWith('--port must leave room for one port per process');
/** The host players use to reach each process (the redirect's URL): by default this machine's loopback. */
const publicHost = args['public-host'] ?? (args.host === '0.0.0.0' || args.host === '::' ? '127.0.0.1' : args.host);

function exitWith(message: string): never {
  console.error(message);
  process.exit(2);
}

await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
let redis: PrivateRedis | null = null;
const redisUrl = process.env.REDIS_URL ?? (redis = await startPrivateRedis()).url;
console.log(`room directory: ${redis ? `a private redis-server at ${redisUrl}` : `REDIS_URL=${redisUrl}`}`);

const STOP_TIMEOUT_MS = 5_000;
const servers: ChildProcess[] = [];
let stopping = false;
for (let i = 0; i < procs; i++) {
  const port = firstPort + i;
  const rtcMin = RTC_BASE_PORT + i * RTC_PORTS_PER_PROCESS;
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', 'game-server/main.ts',
      '--port', String(port),
      '--host', args.host!,
      '--server-id', `game-${i + 1}`,
      '--redis-url', redisUrl,
      '--public-url', `http://${publicHost}:${port}`,
      '--rtc-port-min', String(rtcMin),
      '--rtc-port-max', String(rtcMin + RTC_PORTS_PER_PROCESS - 1),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const prefix = `[game-${i + 1}] `;
  for (const output of [child.stdout!, child.stderr!]) {
    output.on('data', (chunk: Buffer) => process.stdout.write(chunk.toString().replace(/^(?=.)/gm, prefix)));
  }
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the cluster`);
      void stop(1);
    }
  });
  servers.push(child);
  console.log(`game-${i + 1}: http://${publicHost}:${port}  (WebRTC UDP ${rtcMin}–${rtcMin + RTC_PORTS_PER_PROCESS - 1})`);
}
console.log('Open any of them: each lists every room, and sends you to the process that hosts the one you pick.');

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
