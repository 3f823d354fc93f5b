// `npm run dev`: the game server (restarted by node --watch when its code
// changes) plus Vite's hot-reloading dev server in front of it, in one
// command. Open the URL Vite prints; it forwards /ws, /.wrtc, /healthz (the bare
// status) and /rooms to the game server started here, at its port and nowhere
// else. /metrics and the detailed /healthz are on the game server's ops
// listener, printed in its start line (OPS_PORT fixes its port). Vite keeps
// the Host header when it forwards, so the game server sees the page's own
// origin in an upgrade to /ws and lets it in with no --allowed-origins.
//
// Flags after `npm run dev --` work as for `npm start`. Environment read:
//   PORT        game server port (default 8080), checked free before anything
//               starts; Vite proxies to exactly this port
//   HOST        game server address (default 127.0.0.1); the proxy goes to
//               127.0.0.1 unless HOST names a specific address
//   DEV_PORT    Vite's port (default 5173; Vite takes the next free one if busy)
//   LOG_LEVEL   game server log level (default info)
//   TICK_RATE, SNAPSHOT_RATE, NPCS, ROOM_CAPACITY, MAX_ROOMS, ROOM_IDLE_MS,
//   RTC_PORT_MIN, RTC_PORT_MAX, PUBLIC_IP, RTC_BIND, SEED, REDIS_URL,
//   SERVER_ID, PUBLIC_URL, STATIC_DIR, ALLOWED_ORIGINS, OPS_PORT, OPS_HOST:
//               passed to the game server, as for
//               `npm start` (the list is game-server/config.ts's FLAGS)
//   GAME_SERVER_PORT: read only to refuse it. Earlier versions took the game
//               port from it while the server itself reads PORT; one name now.
//
// If the game server cannot start (it exits, or /healthz does not answer
// within HEALTH_WAIT_MS), Vite is stopped, or never started, and this exits 1.
// After it was healthy, an edit that breaks the server is node --watch's to
// handle: it waits for the next save and restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type ViteDevServer } from 'vite';
import { localUrl } from '../game-server/local-url.ts';
import { defineCommand } from '../game-server/cli/flags.ts';
import { SERVER_FLAGS } from '../game-server/config.ts';
import { configOrExit, EXIT_BAD_CONFIG, portFreeOrExit } from '../game-server/preflight.ts';
import { HEALTH_PATH, MAX_TCP_PORT, ROOMS_PATH } from '../protocol/constants.ts';

const DEFAULT_DEV_PORT = 5173;
/** The game server's first start (tsx compiling it, geckos) takes 1–3 s; past this it is not coming. */
const HEALTH_WAIT_MS = 15_000;
const HEALTH_POLL_INTERVAL_MS = 250;
const HEALTH_REQUEST_TIMEOUT_MS = 1_000;
/** The game server's graceful shutdown flushes for 200 ms; past this it is killed. */
const STOP_WAIT_MS = 5_000;
/** The game's endpoints Vite forwards; only /ws is a WebSocket. */
const GAME_PATHS = ['/ws', '/.wrtc', HEALTH_PATH, ROOMS_PATH];

const DEV_COMMAND = defineCommand({
  name: 'npm run dev',
  about: "The game server (restarted when its code changes) behind Vite's hot-reloading dev server: open the URL Vite prints.",
  flags: SERVER_FLAGS,
  notes: `Also read: DEV_PORT, Vite's port (default ${DEFAULT_DEV_PORT}; the next free one if busy). The flags go to the game server.`,
});
const args = process.argv.slice(2);
const config = configOrExit(args, process.env, DEV_COMMAND);
if (process.env.GAME_SERVER_PORT !== undefined) {
  console.error(`GAME_SERVER_PORT is no longer read: set PORT=${process.env.GAME_SERVER_PORT} (or --port) for the game server`);
  process.exit(EXIT_BAD_CONFIG);
}
const devPort = Number(process.env.DEV_PORT || DEFAULT_DEV_PORT);
if (!Number.isInteger(devPort) || devPort < 0 || devPort > MAX_TCP_PORT) {
  console.error(`DEV_PORT must be a port number, got ${JSON.stringify(process.env.DEV_PORT)}`);
  process.exit(EXIT_BAD_CONFIG);
}
await portFreeOrExit(config);
const gameUrl = localUrl(config.host, config.port);

const game = spawn(process.execPath, ['--import', 'tsx', '--watch', 'game-server/main.ts', ...args], { stdio: 'inherit' });
let healthy = false;
let stopping = false;
let vite: ViteDevServer | null = null;

game.on('exit', (code, signal) => {
  if (stopping) return;
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  if (!healthy) {
    console.error(`game server ${how} before it answered ${gameUrl}/healthz: stopping (its output is above)`);
    void stop(1);
  } else {
    console.error(`game server ${how}: stopping`);
    void stop(code === 0 ? 0 : 1);
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));
// However this process ends (an uncaught error, or Vite exiting by itself when
// stdin ends), the game server must not outlive it.
process.on('exit', () => {
  if (game.exitCode === null && game.signalCode === null) game.kill('SIGTERM');
});

healthy = await answersHealth(gameUrl, game);
if (!healthy) {
  if (!stopping) {
    console.error(`game server did not answer ${gameUrl}/healthz within ${HEALTH_WAIT_MS / 1000} s: stopping (its output is above)`);
    await stop(1);
  }
} else {
  const ownSigtermListeners = process.listeners('SIGTERM');
  vite = await createServer({
    configFile: 'vite.config.ts',
    server: {
      port: devPort,
      // No changeOrigin: the Host header stays Vite's, which the game server
      // compares with the page's Origin when /ws is opened (origin-policy.ts).
      proxy: Object.fromEntries(GAME_PATHS.map((path) => [path, { target: gameUrl, ws: path === '/ws' }])),
    },
  });
  // Vite's own SIGTERM listener closes Vite and exits at once, racing stop()
  // as it waits for the game server; shutdown is stop()'s alone.
  for (const listener of process.listeners('SIGTERM')) {
    if (!ownSigtermListeners.includes(listener)) process.off('SIGTERM', listener as NodeJS.SignalsListener);
  }
  await vite.listen();
  if (!stopping) {
    vite.printUrls();
    console.log(`game server on ${gameUrl} (proxied)`);
  }
}

/** Polls /healthz until it says ok, the server process is gone, or HEALTH_WAIT_MS has passed. */
async function answersHealth(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = performance.now() + HEALTH_WAIT_MS;
  while (performance.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS) });
      const body: unknown = await response.json();
      if (response.ok && typeof body === 'object' && body !== null && 'status' in body && body.status === 'ok') return true;
    } catch {
      // Not listening yet (or not our JSON): keep polling until the deadline.
    }
    await sleep(HEALTH_POLL_INTERVAL_MS);
  }
  return false;
}

/** Stops the game server (bounded wait, then SIGKILL) and Vite, then exits with `code`. */
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (game.exitCode === null && game.signalCode === null) {
      const exited = new Promise((resolve) => game.once('exit', resolve));
      game.kill('SIGTERM');
      const timer = setTimeout(() => game.kill('SIGKILL'), STOP_WAIT_MS);
      await exited;
      clearTimeout(timer);
    }
    await vite?.close();
  }
  process.exit(code);
}
