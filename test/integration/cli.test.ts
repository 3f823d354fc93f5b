// The commands that start a game server (the server's sources, the compiled
// server `npm start` runs, `npm run dev`) when their port is taken: one line naming the port and how
// to choose another, exit 1, no stack trace, nothing built or started. And
// `npm run dev` on a free port: Vite forwards to the game server on PORT, and
// says so only once that server answers; the page Vite serves may open the
// stream (its origin is the one the game server sees in Host). Loopback only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { compiledServer } from './compiled-server.ts';
import { RawStream } from './harness.ts';
import { startScript, type ScriptProcess } from './script-process.ts';

/** A failing command exits long before this; so does a stopped one. */
const COMMAND_TIMEOUT_MS = 25_000;
/** `npm run dev` starting both its servers. */
const STARTUP_TIMEOUT_MS = 60_000;

let blocker: Server;
let busyPort = 0;
const started: ScriptProcess[] = [];

/** Listens on an OS-chosen loopback port; resolves with the server and its port. */
function listenOnLoopback(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

async function freePort(): Promise<number> {
  const { server, port } = await listenOnLoopback();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(script: string, args: string[], env: Record<string, string> = {}): ScriptProcess {
  const child = startScript(script, args, env);
  started.push(child);
  return child;
}

/** Modification time of the built client, or null without one: `npm start` must not touch it when it cannot serve. */
function builtAt(): number | null {
  try {
    return statSync('dist/index.html').mtimeMs;
  } catch {
    return null;
  }
}

beforeAll(async () => {
  ({ server: blocker, port: busyPort } = await listenOnLoopback());
});

afterAll(async () => {
  for (const child of started) child.kill();
  await new Promise((resolve) => blocker.close(resolve));
});

const busyLine = () => `port ${busyPort} is already in use (is another server running?): choose another with --port ${busyPort + 1} or PORT=${busyPort + 1}`;

describe('a busy port', () => {
  it('ends the game server with one line naming the port and --port / PORT, exit 1, no stack trace', async () => {
    const server = run('game-server/main.ts', ['--port', String(busyPort), '--host', '127.0.0.1', '--static-dir', 'no-client-here']);
    expect(await server.exited(COMMAND_TIMEOUT_MS)).toBe(1);
    expect(server.stderr().trim().split('\n')).toEqual([busyLine()]);
    expect(server.stdout()).toBe('');
  });

  it("ends the compiled server (`npm start`'s) with the same line", async () => {
    const server = run(compiledServer(), ['--port', String(busyPort), '--host', '127.0.0.1', '--static-dir', 'no-client-here']);
    expect(await server.exited(COMMAND_TIMEOUT_MS)).toBe(1);
    expect(server.stderr().trim().split('\n')).toEqual([busyLine()]);
    expect(server.stdout()).toBe('');
  });

  it('stops `npm run dev` before it starts a game server or Vite, with the same line', async () => {
    const dev = run('scripts/dev.ts', [], { PORT: String(busyPort), HOST: '127.0.0.1', DEV_PORT: String(await freePort()) });
    expect(await dev.exited(COMMAND_TIMEOUT_MS)).toBe(1);
    expect(dev.stderr().trim().split('\n')).toEqual([busyLine()]);
    expect(dev.stdout()).toBe('');
  });
});

describe('a busy ops port', () => {
  const opsBusyLine = () =>
    `ops port ${busyPort} is already in use (is another server running?): choose another with --ops-port ${busyPort + 1} or OPS_PORT=${busyPort + 1}`;

  it('ends the game server with one line naming --ops-port / OPS_PORT, exit 1', async () => {
    const server = run('game-server/main.ts', ['--port', '0', '--host', '127.0.0.1', '--static-dir', 'no-client-here'], { OPS_PORT: String(busyPort) });
    expect(await server.exited(COMMAND_TIMEOUT_MS)).toBe(1);
    expect(server.stderr().trim().split('\n')).toEqual([opsBusyLine()]);
    expect(server.stdout()).toBe('');
  });

  it("ends the compiled server (`npm start`'s) with the same line", async () => {
    const server = run(compiledServer(), ['--port', '0', '--host', '127.0.0.1', '--static-dir', 'no-client-here'], { OPS_PORT: String(busyPort) });
    expect(await server.exited(COMMAND_TIMEOUT_MS)).toBe(1);
    expect(server.stderr().trim().split('\n')).toEqual([opsBusyLine()]);
  });
});

describe('`npm start` where it cannot build (scripts/start.mjs in a production install)', () => {
  const start = resolve('scripts/start.mjs');
  /** Runs `npm start` in `dir`, a folder with no Vite: what a production install does. */
  const checkIn = (dir: string) => spawnSync(process.execPath, [start], { cwd: dir, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'start-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops without a build: one line saying to run `npm run build`, exit 1, no stack trace', () => {
    const check = checkIn(dir);
    expect(check.status).toBe(1);
    expect(check.stderr.trim().split('\n')).toHaveLength(1);
    expect(check.stderr).toMatch(/^not built: dist-server\/game-server\/main\.js is missing\. Run `npm run build` first/);
  });

  it('lets a build run, and warns in one line when a source changed after it', () => {
    mkdirSync(join(dir, 'dist-server/game-server'), { recursive: true });
    mkdirSync(join(dir, 'game-server'), { recursive: true });
    writeFileSync(join(dir, 'dist-server/game-server/main.js'), '');
    writeFileSync(join(dir, 'game-server/main.ts'), '');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'game-server/main.ts'), hourAgo, hourAgo);
    expect(checkIn(dir)).toMatchObject({ status: 0, stderr: '' });
    const later = new Date(Date.now() - 1_800_000);
    utimesSync(join(dir, 'dist-server/game-server/main.js'), new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    utimesSync(join(dir, 'game-server/main.ts'), later, later);
    const stale = checkIn(dir);
    expect(stale.status).toBe(0);
    expect(stale.stderr.trim().split('\n')).toEqual([
      'game-server/main.ts changed after the last build (dist-server/game-server/main.js): this runs the old build. `npm run build` to run the new code, or `npm run dev`.',
    ]);
  });
});

describe('a server in a cluster on every interface', () => {
  it('refuses to start without PUBLIC_URL (it would send players to their own machine), exit 2', async () => {
    // It stops at the configuration: nothing listens, on 0.0.0.0 or anywhere, and Redis is never asked.
    const server = run('game-server/main.ts', ['--host', '0.0.0.0', '--redis-url', 'redis://127.0.0.1:1'], { PUBLIC_URL: '' });
    expect(await server.exited(COMMAND_TIMEOUT_MS)).toBe(2);
    expect(server.stderr()).toMatch(/^publicUrl: with REDIS_URL \(a cluster\) and a HOST that is not one IP address, set PUBLIC_URL/);
    expect(server.stdout()).toBe('');
  });
});

/** The first line of every usage, and a flag line with its default, as flags.ts prints them. */
const usageOf = (name: string) => new RegExp(`^Usage: ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
const FLAG_LINE = /^ {2}--\S+.* \(default [^)]+\)$/m;

describe('--help and a flag a command does not know', () => {
  // Each: the entry, its usage's name, a flag line it must list.
  const commands: [string, string, RegExp][] = [
    ['game-server/main.ts', 'npm start', /^ {2}--port N +.*\(default 8080; env PORT\)$/m],
    [compiledServer(), 'npm start', /^ {2}--ops-port N +/m],
    ['bench/soak/run.ts', 'npm run soak', /^ {2}--minutes N +how long to churn .*\(default 10\)$/m],
    ['scripts/cluster.ts', 'npm run cluster', /^ {2}--procs N +game server processes .*\(default 2\)$/m],
    ['bench/fidelity/run.ts', 'npm run bench:fidelity', /^ {2}--loss LIST +.*\(default 0,5,10,20\)$/m],
  ];

  it.each(commands)(
    '%s --help prints the usage, every flag with its default, on stdout and exits 0 before building anything',
    async (script, name, flagLine) => {
      const before = builtAt();
      const command = run(script, ['--help']);
      expect(await command.exited(COMMAND_TIMEOUT_MS)).toBe(0);
      expect(command.stdout()).toMatch(usageOf(name));
      expect(command.stdout()).toMatch(flagLine);
      expect(command.stdout()).toMatch(/^ {2}--help +print this and exit$/m);
      expect(command.stderr()).toBe('');
      expect(builtAt()).toBe(before);
    },
  );

  it.each(commands)('%s with an unknown flag says so in one line, then the usage, on stderr, exit 2, no stack trace', async (script, name) => {
    const command = run(script, ['--prcs', '2']);
    expect(await command.exited(COMMAND_TIMEOUT_MS)).toBe(2);
    const [line, blank, ...usage] = command.stderr().trim().split('\n');
    expect(line).toBe("Unknown option '--prcs'");
    expect(blank).toBe('');
    expect(usage.join('\n')).toMatch(usageOf(name));
    expect(usage.join('\n')).toMatch(FLAG_LINE);
    expect(command.stderr()).not.toMatch(/^\s+at /m);
    expect(command.stdout()).toBe('');
  });

  it('refuses a bad value in one line naming the flag, then the usage, exit 2', async () => {
    const soak = run('bench/soak/run.ts', ['--minutes', '0']);
    expect(await soak.exited(COMMAND_TIMEOUT_MS)).toBe(2);
    const lines = soak.stderr().trim().split('\n');
    expect(lines[0]).toBe('--minutes must be above 0 and at most 1440, got "0"');
    expect(lines[2]).toMatch(usageOf('npm run soak'));
    const server = run('game-server/main.ts', ['--tick-rate', 'fast']);
    expect(await server.exited(COMMAND_TIMEOUT_MS)).toBe(2);
    expect(server.stderr()).toMatch(/^tickRate: .*\n\nUsage: npm start/);
  });
});

describe("the server's log", () => {
  it('is one JSON object per line off a terminal, the first saying where to open the game', async () => {
    const server = run('game-server/main.ts', ['--port', '0', '--host', '127.0.0.1', '--static-dir', 'no-client-here']);
    const first = await waitForLine(server);
    server.child.kill('SIGTERM');
    expect(await server.exited(COMMAND_TIMEOUT_MS)).toBe(0);
    const line = JSON.parse(first) as { msg: string; url: string };
    expect(line.msg).toBe(`netcode arena listening: open ${line.url} in a browser to play; metrics and health on ${(line as { opsUrl?: string }).opsUrl}`);
  });

  it('is readable lines with LOG_FORMAT=pretty (as on a terminal), the first saying where to open the game', async () => {
    const server = run('game-server/main.ts', ['--port', '0', '--host', '127.0.0.1', '--static-dir', 'no-client-here'], { LOG_FORMAT: 'pretty' });
    const first = await waitForLine(server);
    server.child.kill('SIGTERM');
    expect(await server.exited(COMMAND_TIMEOUT_MS)).toBe(0);
    expect(first).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: netcode arena listening: open http:\/\/127\.0\.0\.1:\d+ in a browser to play; /);
    expect(server.stdout()).toMatch(/^ {4}tickRate: 60$/m);
  });
});

/** The first line a process printed on stdout, once it is complete. */
async function waitForLine(command: ScriptProcess): Promise<string> {
  const deadline = Date.now() + COMMAND_TIMEOUT_MS;
  while (!command.stdout().includes('\n') && command.child.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return command.stdout().split('\n')[0]!;
}

describe('npm run dev', () => {
  it(
    'proxies to the game server on PORT, announced only once it answers, and stops it on SIGTERM',
    async () => {
      const gamePort = await freePort();
      const opsPort = await freePort();
      const dev = run('scripts/dev.ts', [], { PORT: String(gamePort), HOST: '', OPS_PORT: String(opsPort), DEV_PORT: String(await freePort()) });
      const announced = `game server on http://127.0.0.1:${gamePort} (proxied)`;
      // Two servers to start (Vite and the game's, through tsx): past 25 s once on a machine running three test suites.
      const deadline = Date.now() + STARTUP_TIMEOUT_MS;
      while (!dev.stdout().includes(announced) && dev.child.exitCode === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(dev.stdout()).toContain(announced);
      const viteUrl = /Local:\s+(http:\/\/\S+)/.exec(dev.stdout())?.[1];
      expect(viteUrl).toBeDefined();

      // A player joins through Vite's /ws; the game server on PORT, asked on its ops listener, has them.
      const player = new RawStream(viteUrl!.replace(/\/$/, ''));
      await player.opened();
      player.send(JSON.stringify({ type: 'hello', name: 'via-vite' }));
      await player.next('welcome');
      const direct = await (await fetch(`http://127.0.0.1:${opsPort}/healthz`)).json();
      expect(direct).toMatchObject({ status: 'ok', players: 1 });
      const proxied = await (await fetch(new URL('/healthz', viteUrl))).json();
      expect(proxied).toEqual({ status: 'ok' });
      player.socket.close();

      // The page Vite serves opens the stream through Vite with its own origin, as a browser would.
      const viteOrigin = new URL(viteUrl!).origin;
      const page = new WebSocket(`${viteOrigin.replace(/^http/, 'ws')}/ws`, { origin: viteOrigin });
      page.on('error', () => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      const opened = await new Promise<boolean>((resolve) => {
        page.once('open', () => resolve(true));
        page.once('unexpected-response', () => resolve(false));
        page.once('close', () => resolve(false));
        timer = setTimeout(() => resolve(false), COMMAND_TIMEOUT_MS);
      });
      clearTimeout(timer);
      expect(opened).toBe(true);
      page.close();

      dev.child.kill('SIGTERM');
      expect(await dev.exited(COMMAND_TIMEOUT_MS)).toBe(0);
      // The game server went with it: its port is free again.
      const { server } = await new Promise<{ server: Server }>((resolve, reject) => {
        const probe = createServer()
          .once('error', reject)
          .listen(gamePort, '127.0.0.1', () => resolve({ server: probe }));
      });
      await new Promise((resolve) => server.close(resolve));
    },
    STARTUP_TIMEOUT_MS + 2 * COMMAND_TIMEOUT_MS,
  );
});
