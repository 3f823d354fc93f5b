// A real Redis for the room directory's tests and `npm run cluster`: finds
// `redis-server`, installs Debian's package when it is missing (as root with
// apt-get, the way the browser tests install Chromium), and starts a private
// one. Never a mock: the directory is tested against the real thing.
//
// A private Redis listens on a Unix socket in a temporary folder and on no
// TCP port, so two test files (or a test beside a developer's own Redis)
// never share one, and no port can be taken between choosing and binding it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long a fresh redis-server gets to open its socket. */
const START_TIMEOUT_MS = 10_000;

function onPath(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The redis-server executable; installs Debian's `redis-server` when it is missing and we may. Throws saying what to do otherwise. */
export function ensureRedisServer(): string {
  const found = process.env.REDIS_SERVER_PATH ?? onPath('redis-server');
  if (found) return found;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    throw new Error(
      'redis-server is not installed, and this is not root with apt-get to install it. ' +
        'Install Redis (Debian/Ubuntu: `apt-get install redis-server`) or set REDIS_SERVER_PATH.',
    );
  }
  console.log('redis-server: not found; installing Debian package `redis-server` (root, apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], { stdio: 'inherit', env });
  const installed = onPath('redis-server');
  if (!installed) throw new Error('apt-get installed redis-server, but it was not found afterwards');
  return installed;
}

export interface PrivateRedis {
  /** What REDIS_URL / `--redis-url` takes: the socket's path (ioredis connects to a path as to a URL). */
  url: string;
  process: ChildProcess;
  /** Stops it for good (SIGTERM), and removes its folder. */
  stop(): Promise<void>;
  /** Stops it but keeps its socket's folder: Redis is "down" until `up()`, which starts it again empty (nothing is saved). */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Freezes it (SIGSTOP): its socket stays open and accepts connections, but nothing is answered, as with a hung or swapping Redis. */
  hang(): void;
  /** Lets a hung Redis go on (SIGCONT); it answers what queued up meanwhile. */
  unhang(): void;
  /** The kernel's one-letter state of the process ('T' while hung, 'S' or 'R' while serving), for a test's failure message; '?' without /proc. */
  state(): string;
}

/** Starts a redis-server of our own on a Unix socket, with nothing saved to disk. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const executable = ensureRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'arena-redis-'));
  const socket = join(dir, 'redis.sock');
  let child: ChildProcess;

  async function start() {
    rmSync(socket, { force: true }); // a stale socket would look like a ready server
    child = spawn(executable, ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!existsSync(socket)) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not open ${socket} within ${START_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT'); // a hung one must run to hear SIGTERM
    child.kill('SIGTERM');
    await exited;
  }

  await start();
  const redis: PrivateRedis = {
    url: socket,
    get process() {
      return child;
    },
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    down: stop,
    up: start,
    hang: () => void child.kill('SIGSTOP'),
    unhang: () => void child.kill('SIGCONT'),
    state: () => {
      try {
        // /proc/PID/stat: "pid (name) state …"; the name may hold spaces, so read after its closing parenthesis.
        return readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ').at(-1)?.[0] ?? '?';
      } catch {
        return '?';
      }
    },
  };
  return redis;
}
