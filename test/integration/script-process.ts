// Repo scripts run as real child processes (TypeScript through tsx, the
// compiled server in dist-server/ with plain node, as production runs it), for the
// tests of what a command prints and how it exits. Every wait is bounded, and
// each process gets its own process group so a test can end it together with
// whatever it spawned (npm run dev starts a game server of its own).
import { spawn, type ChildProcess } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';

export interface ScriptProcess {
  child: ChildProcess;
  /** Output so far, as a person reads it: without colour codes (tools colour their output when CI is set, even into a pipe). */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once it and its output are done (null after a signal), or null if not within `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | null>;
  /** SIGKILLs the process and its group if still running. */
  kill(): void;
}

/**
 * Starts `node --import tsx <script> ...args` (a .js or .mjs script: `node
 * <script> ...args`, no tsx) with the extra environment; the
 * test-runner's VITEST is cleared so it logs as in real use. Its stdin is
 * closed unless `stdin` is 'pipe' (then write to `child.stdin`).
 */
export function startScript(script: string, args: string[], env: Record<string, string> = {}, stdin: 'ignore' | 'pipe' = 'ignore'): ScriptProcess {
  const runner = /\.m?js$/.test(script) ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...runner, script, ...args], {
    env: { ...process.env, VITEST: '', ...env },
    stdio: [stdin, 'pipe', 'pipe'],
    detached: true,
  });
  // A write after the process died fails with EPIPE: let the test see the exit, not an uncaught error.
  child.stdin?.on('error', () => {});
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  // 'close', not 'exit': all output is in, and nothing it spawned still holds its pipes.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => stripVTControlCharacters(stdout),
    stderr: () => stripVTControlCharacters(stderr),
    async exited(timeoutMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
      const code = await Promise.race([closed, timeout]);
      clearTimeout(timer);
      return code;
    },
    kill() {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    },
  };
}

/** A game server started as its own process (game-server/main.ts), once its start line says where it listens. */
export interface ServerScript {
  process: ScriptProcess;
  url: string;
  /** Its ops listener (/metrics, the detailed /healthz). */
  opsUrl: string;
}

const SERVER_START_TIMEOUT_MS = 30_000;
const SERVER_START_POLL_MS = 50;

/**
 * Starts `game-server/main.ts` with `args` and waits for its start line (the
 * JSON log line saying "listening"); if it never comes, kills it and fails
 * with everything it printed. `what` names it in that failure.
 */
export async function startServerScript(args: string[], what: string, env: Record<string, string> = {}): Promise<ServerScript> {
  const started = startScript('game-server/main.ts', args, env);
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  for (;;) {
    const line = started
      .stdout()
      .split('\n')
      .find((l) => l.includes('listening'));
    if (line) {
      const { url, opsUrl } = JSON.parse(line) as { url: string; opsUrl?: string };
      return { process: started, url, opsUrl: opsUrl ?? url };
    }
    if (Date.now() > deadline) {
      started.kill();
      throw new Error(`${what} did not start within ${SERVER_START_TIMEOUT_MS} ms\n${started.stdout()}\n${started.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, SERVER_START_POLL_MS));
  }
}
